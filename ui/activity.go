package ui

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"repdesk/localdb"
	"repdesk/localdb/calls"
)

// formDialog is a dialog with a small form (log a call, add a task): Ctrl+S
// saves it, Escape cancels it, and a failed save keeps what was typed.
type formDialog struct {
	a       *App
	d       *dialog.CustomDialog
	banner  errorText
	saveBtn *widget.Button
	onSave  func(done func(error)) // checks the form and saves; done reports the outcome
	isDirty func() bool
	saving  bool
	// self is what the app sees as the dialog's form: f, or a type that
	// embeds it.
	self editor
}

func (a *App) newFormDialog(title string, content fyne.CanvasObject, saveLabel string) *formDialog {
	f := &formDialog{a: a, banner: newErrorText()}
	f.saveBtn = widget.NewButtonWithIcon(saveLabel, theme.ConfirmIcon(), f.save)
	f.saveBtn.Importance = widget.HighImportance
	cancel := widget.NewButtonWithIcon(lang.L("Cancel"), theme.CancelIcon(), f.cancel)
	body := container.NewBorder(f.banner, nil, nil, nil, content)
	f.d = dialog.NewCustomWithoutButtons(title, container.New(&column{w: 560}, body), a.win)
	f.d.SetButtons([]fyne.CanvasObject{cancel, f.saveBtn})
	return f
}

func (f *formDialog) show() {
	if f.self == nil {
		f.self = f
	}
	f.a.showFormDialog(f.d, f.self)
	f.d.Resize(fyne.NewSize(580, f.d.MinSize().Height))
}

func (f *formDialog) save() {
	if f.saving {
		return
	}
	f.banner.set("")
	f.saving = true
	f.saveBtn.Disable()
	f.onSave(func(err error) {
		f.saving = false
		f.saveBtn.Enable()
		if err != nil {
			f.banner.set(errorMessage(err))
			return
		}
		f.d.Hide()
	})
}

func (f *formDialog) cancel() {
	if f.dirty() {
		f.a.confirmDiscard(lang.L("What you typed here is not saved yet."), f.d.Hide)
		return
	}
	f.d.Hide()
}

func (f *formDialog) dirty() bool { return f.isDirty != nil && f.isDirty() }

// invalidForm is the banner text for errInvalid.
func invalidForm() error { return errors.New(lang.L("Please correct the marked fields.")) }

func outcomeName(o string) string {
	switch o {
	case localdb.OutcomeConnected:
		return lang.L("Connected")
	case localdb.OutcomeVoicemail:
		return lang.L("Left voicemail")
	case localdb.OutcomeNoAnswer:
		return lang.L("No answer")
	case localdb.OutcomeBusy:
		return lang.L("Busy")
	case localdb.OutcomeWrongNumber:
		return lang.L("Wrong number")
	case localdb.OutcomeCallback:
		return lang.L("Call back later")
	case localdb.OutcomeNotInterested:
		return lang.L("Not interested")
	}
	return o
}

func kindLabel(kind string) string {
	switch kind {
	case localdb.KindCall:
		return lang.L("Call")
	case localdb.KindEmail:
		return lang.L("E-mail")
	case localdb.KindMeeting:
		return lang.L("Meeting")
	case localdb.KindVisit:
		return lang.L("Visit")
	}
	return lang.L("Note")
}

// callDialog logs a call: the outcome (keys 1–7 pick it), notes, and an
// optional follow-up task.
type callDialog struct {
	*formDialog
	outcome  *widget.RadioGroup
	phone    *widget.Select
	deal     *widget.Select
	minutes  *keyEntry
	notes    *keyEntry
	follow   *widget.Check
	due      *dateEntry
	outErr   errorText
	minErr   errorText
	contact  *localdb.Contact
	dealIDs  []string
	outcomes []string
}

// logCall opens the call dialog for contact c.
func (a *App) logCall(c *localdb.Contact, deals []localdb.Deal) *callDialog {
	d := &callDialog{contact: c}
	for _, o := range localdb.CallOutcomes {
		d.outcomes = append(d.outcomes, outcomeName(o))
	}
	d.outcome = widget.NewRadioGroup(d.outcomes, nil)
	d.outErr, d.minErr = newErrorText(), newErrorText()
	var numbers []string
	for _, p := range c.Phones {
		numbers = append(numbers, p.Number)
	}
	d.phone = widget.NewSelect(numbers, nil)
	if len(numbers) > 0 {
		d.phone.SetSelectedIndex(0)
	}
	d.deal, d.dealIDs = dealSelect(deals)
	d.minutes = newEntry(a)
	d.minutes.SetPlaceHolder(lang.L("minutes"))
	d.notes = newMultiLineEntry(a)
	d.due = newDateEntry(a)
	d.due.setDate(a.now().AddDate(0, 0, 2))
	d.follow = widget.NewCheck(lang.L("Add a follow-up task, due"), nil)
	d.outcome.OnChanged = func(s string) {
		d.outErr.set("")
		if s == outcomeName(localdb.OutcomeCallback) || s == outcomeName(localdb.OutcomeVoicemail) {
			d.follow.SetChecked(true)
		}
	}
	hint := secondary(lang.L("Keys 1–7 pick the outcome."))
	var rows []*field
	if len(numbers) > 0 {
		rows = append(rows, newField(lang.L("Number"), d.phone))
	}
	rows = append(rows,
		newField(lang.L("Outcome"), container.NewVBox(d.outcome, d.outErr, hint)),
		newField(lang.L("Duration"), container.NewVBox(container.New(&fixedWidth{w: 120}, d.minutes), d.minErr)),
	)
	if len(d.dealIDs) > 1 {
		rows = append(rows, newField(lang.L("Deal"), d.deal))
	}
	rows = append(rows,
		newField(lang.L("Notes"), d.notes),
		newField("", container.NewVBox(container.NewHBox(d.follow, container.New(&fixedWidth{w: 160}, d.due)), d.due.err)),
	)
	d.formDialog = a.newFormDialog(lang.L("Log call with {{.Name}}", map[string]any{"Name": c.FullName}), formGrid(rows...), lang.L("Log call"))
	d.isDirty = func() bool { return d.outcome.Selected != "" || d.notes.Text != "" || d.minutes.Text != "" }
	d.onSave = d.submit
	d.self = d
	d.show()
	// Keys 1–7 choose the outcome while no text field has the focus.
	a.win.Canvas().SetOnTypedRune(func(r rune) {
		if i := int(r - '1'); i >= 0 && i < len(d.outcomes) {
			d.outcome.SetSelected(d.outcomes[i])
		}
	})
	d.d.SetOnClosed(func() { a.win.Canvas().SetOnTypedRune(nil) })
	return d
}

// dealSelect is a choice of deals with "none" first; ids[i] belongs to
// option i.
func dealSelect(deals []localdb.Deal) (*widget.Select, []string) {
	opts := []string{lang.L("(no deal)")}
	ids := []string{""}
	for _, dl := range deals {
		opts = append(opts, dl.Title)
		ids = append(ids, dl.ID)
	}
	s := widget.NewSelect(opts, nil)
	s.SetSelectedIndex(0)
	return s, ids
}

func (d *callDialog) submit(done func(error)) {
	a := d.a
	ok := true
	i := indexOf(d.outcomes, d.outcome.Selected)
	if i < 0 {
		d.outErr.set(lang.L("Pick how the call went."))
		ok = false
	}
	var secs int64
	if m := strings.TrimSpace(d.minutes.Text); m != "" {
		n, err := strconv.Atoi(m)
		if err != nil || n < 0 {
			d.minErr.set(lang.L("Give whole minutes, e.g. 5."))
			ok = false
		}
		secs = int64(n) * 60
	}
	due, dueErr := d.due.date()
	if d.follow.Checked && dueErr != nil {
		ok = false
	}
	if !ok {
		done(invalidForm())
		return
	}
	c := d.contact
	outcome := localdb.CallOutcomes[i]
	call := calls.Call{ContactID: c.ID, CompanyID: c.CompanyID, DealID: d.dealIDs[max(0, d.deal.SelectedIndex())],
		Outcome: outcome, Subject: outcomeName(outcome), Notes: d.notes.Text, Number: d.phone.Selected, DurationS: secs}
	// The follow-up rules make the retry of a voicemail or an unanswered
	// call; a callback is due on the day picked here. Any other outcome gets
	// the follow-up task only when asked for.
	var task *localdb.Task
	switch {
	case outcome == localdb.OutcomeCallback:
		call.CallbackAt = dueAt(due)
	case d.follow.Checked && outcome != localdb.OutcomeVoicemail && outcome != localdb.OutcomeNoAnswer:
		task = &localdb.Task{Title: lang.L("Call {{.Name}} again", map[string]any{"Name": c.FullName}), Kind: localdb.TaskCall,
			Due: dueAt(due), ContactID: c.ID, CompanyID: c.CompanyID, DealID: call.DealID}
	}
	background(a, func(ctx context.Context) (none, error) {
		return none{}, a.store.Update(ctx, func(t *localdb.Tx) error {
			if _, err := calls.LogCall(t, call); err != nil {
				return err
			}
			if task != nil {
				return t.Create(task)
			}
			return nil
		})
	}, func(_ none, err error) {
		done(err)
		if err == nil {
			for _, entity := range []string{localdb.EntityActivity, localdb.EntityTask, localdb.EntityContact} {
				a.changed(nil, entity)
			}
		}
	})
}

// dueAt is when a task for day is due: nine in the morning, local time.
func dueAt(day time.Time) time.Time {
	y, m, dd := day.Date()
	return time.Date(y, m, dd, 9, 0, 0, 0, time.Local)
}

// logActivity opens the dialog for an e-mail or a note about a contact or a
// company.
func (a *App) logActivity(kind, contactID, companyID string) *formDialog {
	subject := newEntry(a)
	body := newMultiLineEntry(a)
	body.SetMinRowsVisible(5)
	bodyErr := newErrorText()
	var rows []*field
	title := lang.L("Add note")
	if kind == localdb.KindEmail {
		title = lang.L("Log e-mail")
		rows = append(rows, newField(lang.L("Subject"), subject))
	}
	rows = append(rows, newField(lang.L("Text"), container.NewVBox(body, bodyErr)))
	f := a.newFormDialog(title, formGrid(rows...), lang.L("Save"))
	f.isDirty = func() bool { return subject.Text != "" || body.Text != "" }
	f.onSave = func(done func(error)) {
		if strings.TrimSpace(body.Text) == "" && strings.TrimSpace(subject.Text) == "" {
			bodyErr.set(lang.L("Write what happened."))
			done(invalidForm())
			return
		}
		bodyErr.set("")
		act := &localdb.Activity{Kind: kind, Subject: strings.TrimSpace(subject.Text), Body: strings.TrimSpace(body.Text),
			ContactID: contactID, CompanyID: companyID}
		if kind == localdb.KindEmail {
			act.Direction = "out"
		}
		background(a, func(ctx context.Context) (none, error) {
			return none{}, a.store.Create(ctx, act)
		}, func(_ none, err error) {
			done(err)
			if err == nil {
				a.changed(nil, localdb.EntityActivity)
			}
		})
	}
	f.show()
	if kind == localdb.KindEmail {
		a.focus(subject)
	} else {
		a.focus(body)
	}
	return f
}

func taskKindName(k string) string {
	switch k {
	case localdb.TaskCall:
		return lang.L("Call")
	case localdb.TaskEmail:
		return lang.L("E-mail")
	case localdb.TaskVisitPrep:
		return lang.L("Visit preparation")
	}
	return lang.L("Follow-up")
}

// addTask opens the dialog for a new task about a contact, company or deal.
func (a *App) addTask(contactID, companyID, dealID string) *formDialog {
	title := newEntry(a)
	titleErr := newErrorText()
	var kinds []string
	for _, k := range localdb.TaskKinds {
		kinds = append(kinds, taskKindName(k))
	}
	kind := widget.NewSelect(kinds, nil)
	kind.SetSelectedIndex(indexOf(localdb.TaskKinds, localdb.TaskFollowUp))
	due := newDateEntry(a)
	due.setDate(a.now().AddDate(0, 0, 1))
	f := a.newFormDialog(lang.L("Add task"), formGrid(
		newField(lang.L("What"), container.NewVBox(title, titleErr)),
		newField(lang.L("Kind"), kind),
		newField(lang.L("Due"), container.NewVBox(container.New(&fixedWidth{w: 180}, due), due.err)),
	), lang.L("Add task"))
	f.isDirty = func() bool { return title.Text != "" }
	f.onSave = func(done func(error)) {
		day, err := due.date()
		ok := err == nil
		if strings.TrimSpace(title.Text) == "" {
			titleErr.set(lang.L("Required: say what is to be done."))
			ok = false
		}
		if !ok {
			done(invalidForm())
			return
		}
		titleErr.set("")
		t := &localdb.Task{Title: strings.TrimSpace(title.Text), Kind: localdb.TaskKinds[max(0, kind.SelectedIndex())],
			Due: dueAt(day), ContactID: contactID, CompanyID: companyID, DealID: dealID}
		background(a, func(ctx context.Context) (none, error) {
			return none{}, a.store.Create(ctx, t)
		}, func(_ none, err error) {
			done(err)
			if err == nil {
				a.changed(nil, localdb.EntityTask)
			}
		})
	}
	f.show()
	a.focus(title)
	return f
}

// timelineView lists activities, newest first.
func (a *App) timelineView(acts []localdb.Activity) fyne.CanvasObject {
	if len(acts) == 0 {
		return secondary(lang.L("Nothing logged yet. Calls, e-mails and notes appear here."))
	}
	box := container.NewVBox()
	for i, act := range acts {
		if i > 0 {
			box.Add(widget.NewSeparator())
		}
		parts := []string{kindLabel(act.Kind)}
		if act.Outcome != "" {
			parts = append(parts, outcomeName(act.Outcome))
		} else if act.Subject != "" {
			parts = append(parts, act.Subject)
		}
		if act.DurationS > 0 {
			parts = append(parts, lang.L("{{.N}} min", map[string]any{"N": (act.DurationS + 59) / 60}))
		}
		title := truncLabel(strings.Join(parts, " · "))
		title.TextStyle.Bold = true
		when := secondary(a.loc.ago(act.OccurredAt, a.now()))
		item := container.NewVBox(container.NewBorder(nil, nil, nil, when, title))
		if act.Body != "" {
			item.Add(wrapLabel(act.Body))
		}
		box.Add(container.NewBorder(nil, nil, container.NewVBox(widget.NewIcon(activityIcon(act.Kind))), nil, item))
	}
	return box
}

// tasksView lists open tasks; ticking one marks it done.
func (a *App) tasksView(tasks []localdb.Task) fyne.CanvasObject {
	if len(tasks) == 0 {
		return secondary(lang.L("No open tasks."))
	}
	box := container.NewVBox()
	for _, t := range tasks {
		box.Add(a.taskRow(t, nil))
	}
	return box
}

// taskRow is one task with a check box; extra is shown after the due date.
// The title is cut with "…" when the row is narrow (a check box's own
// label would not be).
func (a *App) taskRow(t localdb.Task, extra fyne.CanvasObject) fyne.CanvasObject {
	check := widget.NewCheck("", nil)
	check.SetChecked(t.Done)
	check.OnChanged = func(done bool) {
		t := t
		t.Done = done
		background(a, func(ctx context.Context) (none, error) {
			return none{}, a.store.Save(ctx, &t)
		}, func(_ none, err error) {
			if err != nil {
				a.showError(lang.L("Could not update the task"), err)
				return
			}
			a.changed(nil, localdb.EntityTask)
		})
	}
	title := truncLabel(t.Title)
	due := secondary("")
	if !t.Due.IsZero() {
		due.SetText(a.loc.day(t.Due, a.now()))
		if !t.Done && t.Due.Before(startOfDay(a.now())) {
			due.SetText(lang.L("overdue {{.Day}}", map[string]any{"Day": a.loc.shortDate(t.Due)}))
			due.Importance = widget.DangerImportance
		}
	}
	right := container.NewHBox(due)
	if extra != nil {
		right.Add(container.New(&fixedWidth{w: 180}, extra))
	}
	return container.NewBorder(nil, nil, check, right, title)
}

func startOfDay(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, t.Location())
}

// dealsView lists deals with stage and amount; a tap opens the deal.
func (a *App) dealsView(deals []localdb.Deal) fyne.CanvasObject {
	if len(deals) == 0 {
		return secondary(lang.L("No deals yet."))
	}
	box := container.NewVBox()
	for _, d := range deals {
		id := d.ID
		amount := widget.NewLabelWithStyle(a.loc.money(d.Amount, d.Currency), fyne.TextAlignTrailing, fyne.TextStyle{Monospace: false})
		box.Add(container.NewBorder(nil, nil, nil, container.NewHBox(secondary(stageName(d.Stage)), amount),
			linkLabel(d.Title, iconDeal, func() { a.openDeal(id) })))
	}
	return box
}

// stageName translates the default pipeline's stage names; custom stages
// keep their names.
func stageName(s string) string {
	switch s {
	case "Lead", "Qualified", "Proposal", "Negotiation", "Won", "Lost":
		return lang.X("stage."+s, s)
	}
	return s
}

// dateEntry is a text field for a day, typed the way the language writes
// it (or as YYYY-MM-DD), with a calendar to pick from.
type dateEntry struct {
	*keyEntry
	a   *App
	err errorText
}

func newDateEntry(a *App) *dateEntry {
	d := &dateEntry{keyEntry: newEntry(a), a: a, err: newErrorText()}
	d.SetPlaceHolder(a.loc.datePattern())
	pick := widget.NewButtonWithIcon("", theme.CalendarIcon(), nil)
	pick.Importance = widget.LowImportance
	pick.OnTapped = func() {
		start := a.now()
		if t, err := d.date(); err == nil && !t.IsZero() {
			start = t
		}
		var pop *widget.PopUp
		cal := widget.NewCalendar(start, func(t time.Time) {
			d.setDate(t)
			pop.Hide()
		})
		pop = widget.NewPopUp(cal, a.win.Canvas())
		pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(d.keyEntry)
		pop.ShowAtPosition(pos.AddXY(0, d.keyEntry.Size().Height))
	}
	d.ActionItem = pick
	d.OnChanged = func(string) {
		if _, err := d.date(); err != nil {
			d.err.set(err.Error())
		} else {
			d.err.set("")
		}
	}
	return d
}

func (d *dateEntry) setDate(t time.Time) { d.SetText(d.a.loc.dateInput(t)) }

// date is the typed day (zero when empty).
func (d *dateEntry) date() (time.Time, error) {
	t, err := d.a.loc.parseDate(d.Text)
	if err != nil {
		d.err.set(err.Error())
	}
	return t, err
}

// datePattern is how a date is typed.
func (l locale) datePattern() string {
	if l == langGerman {
		return "TT.MM.JJJJ"
	}
	return "YYYY-MM-DD"
}

func (l locale) dateInput(t time.Time) string {
	if l == langGerman {
		return t.Format("02.01.2006")
	}
	return t.Format(time.DateOnly)
}

// parseDate reads a typed day: DD.MM.YYYY (also D.M.YYYY) in German,
// YYYY-MM-DD in both languages.
func (l locale) parseDate(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	layouts := []string{time.DateOnly}
	if l == langGerman {
		layouts = append(layouts, "02.01.2006", "2.1.2006", "2.1.06", "02.01.06")
	}
	for _, lay := range layouts {
		if t, err := time.ParseInLocation(lay, s, time.Local); err == nil {
			return t, nil
		}
	}
	return time.Time{}, errors.New(lang.L("Not a date; write it as {{.Pattern}}.", map[string]any{"Pattern": l.datePattern()}))
}
