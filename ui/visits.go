package ui

import (
	"context"
	"database/sql"
	"fmt"
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
	"repdesk/localdb/visits"
)

// visitRow is a visit as the list shows it.
type visitRow struct {
	localdb.Visit
	company, contact string
}

const visitSelect = `SELECT v.id, v.start_at, v.end_at, v.company_id, v.contact_id, v.purpose, v.status, v.report, v.outcome, v.assignee,
	COALESCE(co.name, ''), COALESCE(ct.full_name, '')
	FROM visits v
	LEFT JOIN companies co ON co.id = v.company_id AND co.deleted = 0
	LEFT JOIN contacts ct ON ct.id = v.contact_id AND ct.deleted = 0
	WHERE v.deleted = 0`

// loadVisitRows reads the visits from from on (upcoming) or before it
// (past, newest first), at most limit.
func loadVisitRows(ctx context.Context, db *sql.DB, from time.Time, past bool, limit int) ([]visitRow, error) {
	q := visitSelect + ` AND v.start_at >= ? ORDER BY v.start_at, v.id LIMIT ?`
	if past {
		q = visitSelect + ` AND v.start_at < ? ORDER BY v.start_at DESC, v.id DESC LIMIT ?`
	}
	rs, err := db.QueryContext(ctx, q, from.UTC().Format("2006-01-02T15:04:05.000000Z"), limit)
	if err != nil {
		return nil, fmt.Errorf("load visits: %w", err)
	}
	defer rs.Close()
	var out []visitRow
	for rs.Next() {
		var v visitRow
		var start, end string
		if err := rs.Scan(&v.ID, &start, &end, &v.CompanyID, &v.ContactID, &v.Purpose, &v.Status, &v.Report, &v.Outcome, &v.Assignee,
			&v.company, &v.contact); err != nil {
			return nil, fmt.Errorf("load visits: %w", err)
		}
		if v.StartAt, err = time.Parse(time.RFC3339Nano, start); err != nil {
			return nil, fmt.Errorf("load visits: start of %s: %w", v.ID, err)
		}
		if v.EndAt, err = time.Parse(time.RFC3339Nano, end); err != nil {
			return nil, fmt.Errorf("load visits: end of %s: %w", v.ID, err)
		}
		out = append(out, v)
	}
	if err := rs.Err(); err != nil {
		return nil, fmt.Errorf("load visits: %w", err)
	}
	return out, nil
}

const visitsShown = 500

// visitsScreen lists planned visits (or past ones) with a brief for the
// selected visit: who, why, the company's open deals and latest activity.
type visitsScreen struct {
	a               *App
	root            fyne.CanvasObject
	which           *widget.RadioGroup
	list            *keyList
	body            *fyne.Container
	detail          *fyne.Container
	count           *widget.Label
	visits          []visitRow
	past            bool
	loaded          bool
	stale           bool
	slot, briefSlot slot
	selected        string
	split           fyne.CanvasObject
	planner         *planner
}

type visitBrief struct {
	deals []localdb.Deal
	acts  []localdb.Activity
}

func newVisitsScreen(a *App) *visitsScreen {
	s := &visitsScreen{a: a}
	upcoming, past := lang.L("Upcoming"), lang.L("Past")
	s.which = widget.NewRadioGroup([]string{upcoming, past}, func(v string) {
		s.past = v == past
		s.reload()
	})
	s.which.Horizontal, s.which.Required = true, true
	s.which.Selected = upcoming
	newBtn := widget.NewButtonWithIcon(lang.L("Plan visit"), theme.ContentAddIcon(), func() { s.plan("", "", "", "") })
	newBtn.Importance = widget.HighImportance
	s.count = secondary("")
	s.list = newKeyList(a, func() int { return len(s.visits) }, newRowItem, func(id widget.ListItemID, o fyne.CanvasObject) {
		v := s.visits[id]
		who := joinNonEmpty(" · ", v.company, v.contact)
		updateRowItem(o, who, joinNonEmpty(" · ", a.loc.day(v.StartAt, a.now())+" "+a.loc.clock(v.StartAt.Local()), statusName(v.Status), v.Purpose))
	})
	s.list.OnSelected = func(id widget.ListItemID) {
		s.list.track(id)
		s.show(s.visits[id])
	}
	s.body = container.NewStack()
	s.detail = container.NewStack(s.placeholder())
	planBtn := widget.NewButtonWithIcon(lang.L("Day planner"), theme.ListIcon(), s.openPlanner)
	header := container.NewBorder(nil, nil, heading(lang.L("Visits")), container.NewHBox(planBtn, newBtn))
	left := container.NewBorder(container.NewVBox(header, s.which, s.count), nil, nil, nil, s.body)
	split := container.NewHSplit(left, s.detail)
	split.Offset = 0.38
	s.split = split
	s.planner = newPlanner(s)
	s.planner.view.Hide()
	s.root = container.NewStack(split, s.planner.view)
	return s
}

func (s *visitsScreen) id() string              { return "visits" }
func (s *visitsScreen) label() string           { return lang.L("Visits") }
func (s *visitsScreen) icon() fyne.Resource     { return iconVisit }
func (s *visitsScreen) view() fyne.CanvasObject { return s.root }

func (s *visitsScreen) shown() {
	if !s.loaded || s.stale {
		s.reload()
	}
	if s.planner.view.Visible() {
		s.planner.shown()
	}
}

// openPlanner shows the day planner in place of the list.
func (s *visitsScreen) openPlanner() {
	s.split.Hide()
	s.planner.view.Show()
	s.planner.shown()
}

func (s *visitsScreen) closePlanner() {
	s.planner.view.Hide()
	s.split.Show()
	s.reload()
}

func (s *visitsScreen) changed(entity string) {
	if entity == "" || entity == localdb.EntityVisit || entity == localdb.EntityCompany || entity == localdb.EntityContact {
		s.stale = true
		if s.a.current() == s {
			s.reload()
			if s.planner.view.Visible() {
				s.planner.shown()
			}
		}
	}
}

func (s *visitsScreen) stop() {
	s.slot.stop()
	s.briefSlot.stop()
	s.planner.stop()
}

func (s *visitsScreen) placeholder() fyne.CanvasObject {
	return emptyState(iconVisit, lang.L("No visit selected"), lang.L("Pick a visit to see its brief, or plan one."))
}

func (s *visitsScreen) reload() {
	s.stale = false
	past := s.past
	from := startOfDay(s.a.now())
	run(s.a, &s.slot, func(ctx context.Context) ([]visitRow, error) {
		return loadVisitRows(ctx, s.a.store.DB(), from, past, visitsShown)
	}, func(vs []visitRow, err error) {
		if err != nil {
			s.body.Objects = []fyne.CanvasObject{container.NewPadded(newErrorLabel(errorMessage(err)))}
			s.body.Refresh()
			return
		}
		s.visits, s.loaded = vs, true
		s.count.SetText(lang.N("{{.N}} visit", len(vs), map[string]any{"N": s.a.loc.number(int64(len(vs)))}))
		if len(vs) == 0 {
			text := lang.L("No visits planned. Plan one from here or from a company.")
			if past {
				text = lang.L("No past visits.")
			}
			s.body.Objects = []fyne.CanvasObject{emptyState(iconVisit, lang.L("No visits"), text)}
		} else {
			s.body.Objects = []fyne.CanvasObject{s.list}
		}
		s.body.Refresh()
		s.list.UnselectAll()
		s.list.selected = -1
		for i, v := range vs {
			if v.ID == s.selected {
				s.list.Select(i)
			}
		}
		s.list.Refresh()
	})
}

func statusName(st string) string {
	switch st {
	case localdb.VisitDone:
		return lang.L("done")
	case localdb.VisitCancelled:
		return lang.L("cancelled")
	}
	return lang.L("planned")
}

// show shows visit v with its brief.
func (s *visitsScreen) show(v visitRow) {
	s.selected = v.ID
	run(s.a, &s.briefSlot, func(ctx context.Context) (visitBrief, error) {
		var b visitBrief
		if v.CompanyID == "" {
			return b, nil
		}
		var err error
		if b.deals, err = s.a.store.ListDeals(ctx, localdb.DealFilter{CompanyID: v.CompanyID, Open: true}); err != nil {
			return b, err
		}
		b.acts, err = s.a.store.Activities(ctx, localdb.ActivityFilter{CompanyID: v.CompanyID, Limit: 5})
		return b, err
	}, func(b visitBrief, err error) {
		if err != nil {
			s.setDetail(container.NewPadded(newErrorLabel(errorMessage(err))))
			return
		}
		s.setDetail(s.render(v, b))
	})
}

func (s *visitsScreen) setDetail(o fyne.CanvasObject) {
	s.detail.Objects = []fyne.CanvasObject{o}
	s.detail.Refresh()
}

func (s *visitsScreen) render(v visitRow, b visitBrief) fyne.CanvasObject {
	a := s.a
	start, end := v.StartAt.Local(), v.EndAt.Local()
	when := a.loc.day(start, a.now()) + ", " + a.loc.clock(start) + "–" + a.loc.clock(end)
	title := heading(joinNonEmpty(" · ", v.company, v.contact))
	info := container.NewVBox(labelled(lang.L("When"), widget.NewLabel(when)), labelled(lang.L("Status"), widget.NewLabel(statusName(v.Status))))
	if v.Purpose != "" {
		info.Add(labelled(lang.L("Purpose"), wrapLabel(v.Purpose)))
	}
	if v.Outcome != "" {
		info.Add(labelled(lang.L("Outcome"), widget.NewLabel(visitOutcomeName(v.Outcome))))
	}
	if v.Report != "" {
		info.Add(labelled(lang.L("Report"), wrapLabel(v.Report)))
	}
	var links []fyne.CanvasObject
	if v.CompanyID != "" {
		links = append(links, linkButton(v.company, iconCompany, func() { a.openCompany(v.CompanyID) }))
	}
	if v.ContactID != "" {
		links = append(links, linkButton(v.contact, theme.AccountIcon(), func() { a.openContact(v.ContactID) }))
	}
	var actions []fyne.CanvasObject
	if v.Status == localdb.VisitPlanned {
		done := widget.NewButtonWithIcon(lang.L("Write report"), theme.ConfirmIcon(), func() { s.report(v) })
		done.Importance = widget.HighImportance
		actions = append(actions, done, widget.NewButtonWithIcon(lang.L("Cancel visit"), theme.CancelIcon(), func() { s.setStatus(v, localdb.VisitCancelled, v.Report) }))
	}
	del := widget.NewButtonWithIcon(lang.L("Delete"), theme.DeleteIcon(), func() {
		d := dialog.NewConfirm(lang.L("Delete visit?"), lang.L("Delete this visit?"), func(ok bool) {
			if ok {
				s.write(func(ctx context.Context) error { return a.store.Delete(ctx, localdb.EntityVisit, v.ID) })
			}
		}, a.win)
		d.SetConfirmText(lang.L("Delete"))
		d.SetDismissText(lang.L("Cancel"))
		d.SetConfirmImportance(widget.DangerImportance)
		a.showDialog(d)
	})
	del.Importance = widget.DangerImportance
	ics := widget.NewButtonWithIcon(lang.L("Export .ics"), theme.DocumentSaveIcon(), func() { s.exportICS(v) })
	pdf := widget.NewButtonWithIcon(lang.L("Brief (PDF)"), theme.DocumentPrintIcon(), func() { s.exportBrief(v) })
	header := container.NewVBox(title, container.NewHBox(links...), container.NewBorder(nil, nil, container.NewHBox(actions...), del),
		container.NewHBox(pdf, ics), widget.NewSeparator())
	body := container.NewVBox(panel(lang.L("Visit"), info))
	if v.CompanyID != "" {
		body.Add(panel(lang.L("Open deals"), a.dealsView(b.deals)))
		body.Add(panel(lang.L("Latest activity"), a.timelineView(b.acts)))
	}
	return container.NewBorder(container.NewPadded(header), nil, nil, nil, container.NewVScroll(container.NewPadded(body)))
}

// write runs a change to a visit and shows the result.
func (s *visitsScreen) write(fn func(ctx context.Context) error) {
	background(s.a, func(ctx context.Context) (none, error) { return none{}, fn(ctx) }, func(_ none, err error) {
		if err != nil {
			s.a.showError(lang.L("Could not save the visit"), err)
			return
		}
		s.setDetail(s.placeholder())
		s.reload()
		s.a.changed(s, localdb.EntityVisit)
	})
}

func (s *visitsScreen) setStatus(v visitRow, status, report string) {
	s.write(func(ctx context.Context) error { return updateVisit(ctx, s.a.store, v.ID, status, report) })
}

// updateVisit sets a visit's status and report on the stored record (the
// list rows hold only what the list shows).
func updateVisit(ctx context.Context, st *localdb.Store, id, status, report string) error {
	v, err := st.GetVisit(ctx, id)
	if err != nil {
		return err
	}
	v.Status, v.Report = status, report
	return st.Save(ctx, v)
}

// report asks for the visit report — outcome, notes and next steps as
// tasks — and marks the visit done.
func (s *visitsScreen) report(v visitRow) *reportDialog {
	d := newReportDialog(s.a, v.Report)
	d.onSave = func(done func(error)) {
		r, ok := d.read()
		if !ok {
			done(invalidForm())
			return
		}
		background(s.a, func(ctx context.Context) (none, error) {
			return none{}, s.a.store.Update(ctx, func(tx *localdb.Tx) error {
				_, err := visits.WriteReport(tx, v.ID, r)
				return err
			})
		}, func(_ none, err error) {
			done(err)
			if err == nil {
				v.Status, v.Outcome, v.Report = localdb.VisitDone, r.Outcome, strings.TrimSpace(r.Notes)
				s.reload()
				s.show(v)
				s.a.changed(s, localdb.EntityVisit)
				s.a.changed(s, localdb.EntityTask)
			}
		})
	}
	d.show()
	s.a.focus(d.notes)
	return d
}

// plan opens the dialog for a new visit, at a company or contact when given.
func (s *visitsScreen) plan(companyID, company, contactID, contact string) {
	a := s.a
	day := newDateEntry(a)
	day.setDate(a.now().AddDate(0, 0, 1))
	at := newEntry(a)
	at.SetText("10:00")
	atErr := newErrorText()
	lengths := []int{30, 60, 90, 120, 180}
	var lengthNames []string
	for _, m := range lengths {
		lengthNames = append(lengthNames, lang.L("{{.N}} min", map[string]any{"N": m}))
	}
	length := widget.NewSelect(lengthNames, nil)
	length.SetSelectedIndex(1)
	co := newPicker(a, iconCompany, findCompanies(a.store), nil)
	co.set(companyID, company)
	ct := newPicker(a, theme.AccountIcon(), findContacts(a.store), nil)
	ct.set(contactID, contact)
	whoErr := newErrorText()
	purpose := newMultiLineEntry(a)
	f := a.newFormDialog(lang.L("Plan visit"), formGrid(
		newField(lang.L("Day"), container.NewVBox(day, day.err)),
		newField(lang.L("Time"), container.NewVBox(container.NewHBox(container.New(&fixedWidth{w: 90}, at), length), atErr)),
		newField(lang.L("Company"), co.view()),
		newField(lang.L("Contact"), container.NewVBox(ct.view(), whoErr)),
		newField(lang.L("Purpose"), purpose),
	), lang.L("Plan visit"))
	f.isDirty = func() bool { return purpose.Text != "" || co.entry.Text != company || ct.entry.Text != contact }
	f.onSave = func(done func(error)) {
		d, dayErr := day.date()
		hm, timeErr := parseClock(at.Text)
		atErr.set("")
		if timeErr != nil {
			atErr.set(lang.L("Write the time as 14:30."))
		}
		whoErr.set("")
		if co.id == "" && ct.id == "" {
			whoErr.set(lang.L("Pick a company or a contact from the suggestions."))
		}
		if dayErr != nil || d.IsZero() || timeErr != nil || whoErr.Visible() {
			done(invalidForm())
			return
		}
		start := time.Date(d.Year(), d.Month(), d.Day(), hm/60, hm%60, 0, 0, time.Local)
		v := &localdb.Visit{StartAt: start, EndAt: start.Add(time.Duration(lengths[max(0, length.SelectedIndex())]) * time.Minute),
			CompanyID: co.id, ContactID: ct.id, Purpose: strings.TrimSpace(purpose.Text), Assignee: a.store.Owner()}
		background(a, func(ctx context.Context) (none, error) { return none{}, a.store.Create(ctx, v) }, func(_ none, err error) {
			done(err)
			if err == nil {
				s.selected = v.ID
				s.reload()
				s.a.changed(s, localdb.EntityVisit)
			}
		})
	}
	f.show()
}

// parseClock reads "14:30" (or "14.30", "1430", "9") as minutes after
// midnight.
func parseClock(s string) (int, error) {
	s = strings.NewReplacer(".", ":", " ", "").Replace(strings.TrimSpace(s))
	h, m, ok := strings.Cut(s, ":")
	if !ok && len(s) > 2 {
		h, m = s[:len(s)-2], s[len(s)-2:]
	}
	hh, err := strconv.Atoi(h)
	if err != nil || hh < 0 || hh > 23 {
		return 0, fmt.Errorf("hour %q", h)
	}
	mm := 0
	if m != "" {
		if mm, err = strconv.Atoi(m); err != nil || mm < 0 || mm > 59 {
			return 0, fmt.Errorf("minute %q", m)
		}
	}
	return hh*60 + mm, nil
}
