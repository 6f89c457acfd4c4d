package ui

import (
	"context"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"repdesk/localdb"
)

var currencies = []string{"EUR", "USD", "GBP", "CHF", "SEK", "NOK", "DKK", "PLN", "CZK", "JPY"}

// dealForm edits a deal in a dialog: its fields, the stage (which sets the
// probability to the stage's default), and below them the deal's activity.
type dealForm struct {
	*recordForm[localdb.Deal]
	a                                     *App
	d                                     *dialog.CustomDialog
	stages                                []localdb.Stage
	title, amount, prob, nextStep, reason *keyEntry
	expected                              *dateEntry
	company, contact                      *picker
	stage, currency                       *widget.Select
	fields                                map[string]*field
	items                                 *lineItems   // a stored deal's line items
	lineChanges                           []lineChange // typed line changes the save writes with the deal
}

// newDealDialog opens deal d (new when it has no ID); onSaved runs after a
// save or a delete.
func newDealDialog(a *App, d *localdb.Deal, stages []localdb.Stage, onSaved func()) *dealForm {
	f := &dealForm{a: a, stages: stages, fields: map[string]*field{}}
	f.title, f.amount, f.prob, f.nextStep, f.reason = newEntry(a), newEntry(a), newEntry(a), newEntry(a), newEntry(a)
	f.expected = newDateEntry(a)
	f.company = newPicker(a, iconCompany, findCompanies(a.store), func(text string) string {
		return lang.L("A new company “{{.Name}}” will be created.", map[string]any{"Name": text})
	})
	f.contact = newPicker(a, theme.AccountIcon(), findContacts(a.store), func(string) string {
		return lang.L("Pick a contact from the suggestions, or leave the field empty.")
	})
	var stageNames []string
	for _, st := range stages {
		stageNames = append(stageNames, stageName(st.Name))
	}
	f.stage = widget.NewSelect(stageNames, nil)
	f.currency = widget.NewSelect(currencies, nil)
	add := func(key, label string, input fyne.CanvasObject) *field {
		fl := newField(label, input)
		f.fields[key] = fl
		return fl
	}
	grid := formGrid(
		add("title", lang.L("Title")+" *", f.title),
		add("company", lang.L("Company"), f.company.view()),
		add("contact", lang.L("Contact"), f.contact.view()),
		add("stage", lang.L("Stage"), f.stage),
		add("amount", lang.L("Amount"), container.NewBorder(nil, nil, nil, container.New(&fixedWidth{w: 100}, f.currency), f.amount)),
		add("probability", lang.L("Probability"), container.NewBorder(nil, nil, nil, widget.NewLabel("%"), f.prob)),
		add("expected", lang.L("Expected close"), container.NewVBox(f.expected, f.expected.err)),
		add("next", lang.L("Next step"), f.nextStep),
		add("lost", lang.L("Lost reason"), f.reason),
	)
	f.title.OnChanged = func(string) { f.checkTitle() }
	f.amount.OnChanged = func(string) { f.checkAmount() }
	f.prob.OnChanged = func(string) { f.checkProbability() }
	f.stage.OnChanged = func(string) {
		if i := f.stage.SelectedIndex(); i >= 0 {
			f.prob.SetText(strconv.FormatInt(stages[i].Probability, 10))
		}
	}
	body := container.NewVBox(grid)
	title := lang.L("New deal")
	if d.ID != "" {
		title = lang.L("Deal") + " · " + d.Title
		body.Add(f.extras(d, onSaved))
	}
	f.recordForm = newRecordForm(a, d, "", body, formHooks[localdb.Deal]{
		toValues: f.valuesOf,
		values:   f.values,
		fill:     f.fill,
		check:    f.check,
		build:    f.build,
		persist: func(ctx context.Context, d *localdb.Deal) error {
			return a.store.Update(ctx, func(t *localdb.Tx) error {
				var err error
				if d.CompanyID, err = companyFor(ctx, t, d.CompanyID, d.Company); err != nil {
					return err
				}
				if d.ID == "" {
					return t.Create(d)
				}
				if err := t.Save(d); err != nil {
					return err
				}
				// After the deal: the amount follows the lines.
				return applyChanges(t, f.lineChanges)
			})
		},
		reload: func(ctx context.Context, orig *localdb.Deal) (*localdb.Deal, error) {
			return a.store.GetDeal(ctx, orig.ID)
		},
		fieldError: f.fieldError,
		onSaved: func(*localdb.Deal) {
			f.d.Hide()
			onSaved()
		},
		onClosed:    func() { f.d.Hide() },
		discardText: lang.L("Your changes to this deal are not saved yet."),
	})
	f.d = dialog.NewCustomWithoutButtons(title, f.view(), a.win)
	a.showFormDialog(f.d, f)
	size := a.win.Canvas().Size()
	f.d.Resize(fyne.NewSize(min(760, size.Width-40), min(680, size.Height-40)))
	a.focus(f.title)
	return f
}

// extras are the activity and the delete button of a stored deal.
func (f *dealForm) extras(d *localdb.Deal, onDeleted func()) fyne.CanvasObject {
	a := f.a
	acts := container.NewStack(secondary(lang.L("Loading…")))
	background(a, func(ctx context.Context) ([]localdb.Activity, error) {
		return a.store.Activities(ctx, localdb.ActivityFilter{DealID: d.ID, Limit: 50})
	}, func(list []localdb.Activity, err error) {
		if err != nil {
			acts.Objects = []fyne.CanvasObject{newErrorLabel(errorMessage(err))}
		} else {
			acts.Objects = []fyne.CanvasObject{a.timelineView(list)}
		}
		acts.Refresh()
	})
	del := widget.NewButtonWithIcon(lang.L("Delete deal"), theme.DeleteIcon(), func() {
		a.confirmDeleteRecord(lang.L("Delete deal?"), lang.L("Delete {{.Name}}?", map[string]any{"Name": d.Title}),
			localdb.EntityDeal, d.ID, func() {
				f.d.Hide()
				onDeleted()
			})
	})
	del.Importance = widget.DangerImportance
	task := widget.NewButtonWithIcon(lang.L("Task"), theme.CheckButtonCheckedIcon(), func() { a.addTask(d.ContactID, d.CompanyID, d.ID) })
	return container.NewVBox(widget.NewSeparator(), panel(lang.L("Line items"), f.lineItemsView(d)),
		panel(lang.L("Activity"), acts), container.NewHBox(task, del))
}

func (f *dealForm) id() string  { return f.orig.ID }
func (f *dealForm) focusFirst() { f.a.focus(f.title) }

func (f *dealForm) valuesOf(d *localdb.Deal) formValues {
	amount := ""
	if d.Amount != 0 || d.ID != "" {
		amount = f.a.loc.amountInput(d.Amount)
	}
	prob := ""
	if d.ID != "" {
		prob = strconv.FormatInt(d.Probability, 10)
	} else if i := stageIndex(f.stages, d.Stage); i >= 0 {
		prob = strconv.FormatInt(f.stages[i].Probability, 10)
	}
	cur := d.Currency
	if cur == "" {
		cur = f.a.currency()
	}
	return formValues{"title": d.Title, "company": d.Company, "company_id": d.CompanyID, "contact": d.Contact,
		"contact_id": d.ContactID, "stage": d.Stage, "amount": amount, "currency": cur, "probability": prob,
		"expected": f.a.loc.isoToInput(d.ExpectedClose), "next": d.NextStep, "lost": d.LostReason, "lines": ""}
}

func (f *dealForm) fill(v formValues) {
	f.title.SetText(v["title"])
	f.company.set(v["company_id"], v["company"])
	f.contact.set(v["contact_id"], v["contact"])
	f.stage.SetSelectedIndex(max(0, stageIndex(f.stages, v["stage"])))
	f.prob.SetText(v["probability"]) // after the stage, which sets its default
	f.amount.SetText(v["amount"])
	f.currency.SetSelected(v["currency"])
	f.expected.SetText(v["expected"])
	f.nextStep.SetText(v["next"])
	f.reason.SetText(v["lost"])
}

func (f *dealForm) values() formValues {
	stage := ""
	if i := f.stage.SelectedIndex(); i >= 0 {
		stage = f.stages[i].Name
	}
	return formValues{"title": f.title.Text, "company": f.company.entry.Text, "company_id": f.company.id,
		"contact": f.contact.entry.Text, "contact_id": f.contact.id, "stage": stage, "amount": f.amount.Text,
		"currency": f.currency.Selected, "probability": f.prob.Text, "expected": f.expected.Text,
		"next": f.nextStep.Text, "lost": f.reason.Text, "lines": f.pendingLines()}
}

// pendingLines sums up the line items typed but not saved yet ("" for none).
func (f *dealForm) pendingLines() string {
	if f.items == nil {
		return ""
	}
	return f.items.pendingKey()
}

func (f *dealForm) checkTitle() bool {
	if strings.TrimSpace(f.title.Text) == "" {
		f.fields["title"].setError(lang.L("Required: give the deal a title."))
		return false
	}
	f.fields["title"].setError("")
	return true
}

func (f *dealForm) checkAmount() bool {
	if _, ok := f.a.loc.parseMoney(f.amount.Text); !ok {
		f.fields["amount"].setError(lang.L("Not an amount; write it like {{.Example}}.", map[string]any{"Example": f.a.loc.amountInput(1250050)}))
		return false
	}
	f.fields["amount"].setError("")
	return true
}

func (f *dealForm) checkProbability() bool {
	if p, err := strconv.Atoi(strings.TrimSpace(f.prob.Text)); strings.TrimSpace(f.prob.Text) != "" && (err != nil || p < 0 || p > 100) {
		f.fields["probability"].setError(lang.L("Give a whole number from 0 to 100."))
		return false
	}
	f.fields["probability"].setError("")
	return true
}

func (f *dealForm) check() bool {
	checks := []struct {
		ok    bool
		focus fyne.Focusable
	}{
		{f.checkTitle(), f.title},
		{f.contact.id != "" || strings.TrimSpace(f.contact.entry.Text) == "", f.contact.entry},
		{f.checkAmount(), f.amount},
		{f.checkProbability(), f.prob},
	}
	if _, err := f.expected.date(); err != nil {
		checks = append(checks, struct {
			ok    bool
			focus fyne.Focusable
		}{false, f.expected})
	}
	f.fields["contact"].setError("")
	if !checks[1].ok {
		f.fields["contact"].setError(lang.L("Pick a contact from the suggestions, or leave the field empty."))
	}
	for _, c := range checks {
		if !c.ok {
			f.a.focus(c.focus)
			return false
		}
	}
	if f.items != nil {
		changes, ok := f.items.pendingChanges()
		if !ok {
			return false
		}
		f.lineChanges = changes
	}
	return true
}

func (f *dealForm) build(orig *localdb.Deal, v formValues) *localdb.Deal {
	d := *orig
	d.Title = strings.TrimSpace(v["title"])
	d.Company, d.CompanyID = strings.TrimSpace(v["company"]), v["company_id"]
	d.ContactID = v["contact_id"]
	if strings.TrimSpace(v["contact"]) == "" {
		d.ContactID = ""
	}
	d.Stage = v["stage"]
	d.Amount, _ = f.a.loc.parseMoney(v["amount"])
	d.Currency = v["currency"]
	d.Probability, _ = strconv.ParseInt(strings.TrimSpace(v["probability"]), 10, 64)
	day, _ := f.a.loc.parseDate(v["expected"])
	d.ExpectedClose = ""
	if !day.IsZero() {
		d.ExpectedClose = day.Format("2006-01-02")
	}
	d.NextStep, d.LostReason = strings.TrimSpace(v["next"]), strings.TrimSpace(v["lost"])
	return &d
}

func (f *dealForm) fieldError(ve *localdb.ValidationError) bool {
	key := map[string]string{"title": "title", "amount": "amount", "probability": "probability", "currency": "amount",
		"expected_close": "expected", "stage": "stage", "company_id": "company", "contact_id": "contact"}[ve.Field]
	if key == "" {
		return false
	}
	f.fields[key].setError(fieldProblem(ve))
	return true
}

// isoToInput writes a stored YYYY-MM-DD date as typed in a date field.
func (l locale) isoToInput(s string) string {
	t, err := l.parseDate(s)
	if err != nil || t.IsZero() {
		return s
	}
	return l.dateInput(t)
}
