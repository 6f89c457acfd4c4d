package ui

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"repdesk/localdb"
	"repdesk/localdb/calls"
)

// queueScreen is the power list: build a queue from a filter (or a saved
// one), then work through it a contact at a time. Keys 1–7 log the outcome,
// the follow-up rules of localdb/calls apply, and the next contact appears;
// do-not-call contacts and contacts without a number are passed over with
// the reason shown.
type queueScreen struct {
	a    *App
	root fyne.CanvasObject

	saved     *widget.Select
	savedList []localdb.SavedFilter
	status    *widget.Select
	tag       *keyEntry
	place     *keyEntry
	mine      *widget.Check
	due       *widget.Check
	count     *widget.Label
	list      *keyList
	body      *fyne.Container
	detail    *fyne.Container

	entries []calls.Entry
	cur     int // the entry being worked, -1 when none
	// skipped are the entries passed over on the way to cur.
	skipped []calls.Entry
	// logged counts the calls logged since the queue was built.
	logged int
	card   *contactBundle
	notes  *keyEntry
	busy   bool // a call is being logged

	loaded, stale             bool
	slot, cardSlot, savedSlot slot
}

func newQueueScreen(a *App) *queueScreen {
	s := &queueScreen{a: a, cur: -1}
	s.saved = widget.NewSelect(nil, func(string) { s.applySaved() })
	s.saved.PlaceHolder = lang.L("(no saved filter)")
	statuses := []string{lang.L("Any status")}
	for _, st := range localdb.LeadStatuses {
		statuses = append(statuses, leadStatusName(st))
	}
	s.status = widget.NewSelect(statuses, nil)
	s.status.SetSelectedIndex(0)
	s.tag, s.place = newEntry(a), newEntry(a)
	s.tag.SetPlaceHolder(lang.L("Tag"))
	s.place.SetPlaceHolder(lang.L("City or postal code"))
	s.mine = widget.NewCheck(lang.L("Only my contacts"), nil)
	s.due = widget.NewCheck(lang.L("Calls due today"), nil)
	s.due.SetChecked(true)
	for _, e := range []*keyEntry{s.tag, s.place} {
		e.OnSubmitted = func(string) { s.reload() }
	}
	build := widget.NewButtonWithIcon(lang.L("Build queue"), theme.MediaPlayIcon(), s.reload)
	build.Importance = widget.HighImportance
	save := widget.NewButtonWithIcon(lang.L("Save filter…"), theme.DocumentSaveIcon(), s.saveFilter)
	s.count = secondary("")
	s.list = newKeyList(a, func() int { return len(s.entries) }, newRowItem, func(id widget.ListItemID, o fyne.CanvasObject) {
		updateRowItem(o, s.entries[id].Name, s.rowLine(s.entries[id]))
	})
	s.list.OnSelected = func(id widget.ListItemID) {
		s.list.track(id)
		// The keys 1–7 belong to the queue, not to the list.
		a.win.Canvas().Unfocus()
		if id != s.cur {
			s.skipped = nil
			s.moveTo(id)
		}
	}
	filters := container.NewVBox(
		s.saved,
		container.NewGridWithColumns(2, s.status, s.tag),
		s.place,
		container.NewHBox(s.mine, s.due),
		container.NewBorder(nil, nil, nil, save, build),
	)
	s.body = container.NewStack()
	s.detail = container.NewStack(s.placeholder())
	left := container.NewBorder(container.NewVBox(heading(lang.L("Call queue")), filters, widget.NewSeparator(), s.count), nil, nil, nil, s.body)
	split := container.NewHSplit(left, s.detail)
	split.Offset = 0.34
	s.root = split
	return s
}

func (s *queueScreen) id() string              { return "queue" }
func (s *queueScreen) label() string           { return lang.L("Queue") }
func (s *queueScreen) icon() fyne.Resource     { return iconPhone }
func (s *queueScreen) view() fyne.CanvasObject { return s.root }

func (s *queueScreen) shown() {
	if !s.loaded {
		s.loadSaved("")
		s.reload()
	} else if s.stale {
		s.stale = false
		s.loadSaved(s.saved.Selected)
	}
}

// changed notes that the saved filters may have changed (by sync); the
// queue itself stays as built, so that the rep's place in it is kept.
func (s *queueScreen) changed(entity string) {
	if entity == "" || entity == localdb.EntitySavedFilter {
		s.stale = true
	}
}

func (s *queueScreen) stop() {
	s.slot.stop()
	s.cardSlot.stop()
	s.savedSlot.stop()
}

func (s *queueScreen) placeholder() fyne.CanvasObject {
	return emptyState(iconPhone, lang.L("No call queue yet"),
		lang.L("Pick who to call on the left and build the queue. Keys 1–7 log each call's outcome."))
}

// loadSaved reads the saved filters and selects the one named sel.
func (s *queueScreen) loadSaved(sel string) {
	run(s.a, &s.savedSlot, func(ctx context.Context) ([]localdb.SavedFilter, error) {
		return s.a.store.SavedFilters(ctx)
	}, func(fs []localdb.SavedFilter, err error) {
		if err != nil {
			s.a.showError(lang.L("Could not read the saved filters"), err)
			return
		}
		s.savedList = fs
		var names []string
		for _, f := range fs {
			names = append(names, f.Name)
		}
		s.saved.Options = names
		s.saved.Selected = ""
		if indexOf(names, sel) >= 0 {
			s.saved.Selected = sel
		}
		s.saved.Refresh()
	})
}

// applySaved puts the selected saved filter into the filter fields and
// builds its queue.
func (s *queueScreen) applySaved() {
	i := indexOf(s.saved.Options, s.saved.Selected)
	if i < 0 || i >= len(s.savedList) {
		return
	}
	f := s.savedList[i].Filter
	s.status.SetSelectedIndex(0)
	if len(f.LeadStatus) > 0 {
		s.status.SetSelectedIndex(indexOf(localdb.LeadStatuses, f.LeadStatus[0]) + 1)
	}
	s.tag.SetText(strings.Join(f.Tags, ", "))
	s.place.SetText(joinNonEmpty(" ", f.City, f.PostalPrefix))
	s.mine.SetChecked(f.Owner != "")
	s.due.SetChecked(f.DueToday)
	s.reload()
}

// filter is the filter the fields describe. A place that starts with a
// digit is a postal code prefix, anything else a city.
func (s *queueScreen) filter() localdb.QueueFilter {
	var f localdb.QueueFilter
	if i := s.status.SelectedIndex(); i > 0 {
		f.LeadStatus = []string{localdb.LeadStatuses[i-1]}
	}
	for _, t := range strings.Split(s.tag.Text, ",") {
		f.Tags = append(f.Tags, t)
	}
	if p := strings.TrimSpace(s.place.Text); p != "" && p[0] >= '0' && p[0] <= '9' {
		f.PostalPrefix = p
	} else {
		f.City = p
	}
	if s.mine.Checked {
		f.Owner = "me"
	}
	f.DueToday = s.due.Checked
	f.Tidy()
	return f
}

// reload builds the queue of the current filter and starts at its first
// contact to call.
func (s *queueScreen) reload() {
	f := s.filter()
	now := s.a.now()
	run(s.a, &s.slot, func(ctx context.Context) ([]calls.Entry, error) {
		return calls.Build(ctx, s.a.store, f, calls.Options{Now: now, Limit: queueShown})
	}, func(q []calls.Entry, err error) {
		s.loaded = true
		if err != nil {
			s.body.Objects = []fyne.CanvasObject{container.NewPadded(newErrorLabel(errorMessage(err)))}
			s.body.Refresh()
			return
		}
		s.entries, s.logged = q, 0
		s.count.SetText(lang.N("{{.N}} contact in the queue", len(q), map[string]any{"N": s.a.loc.number(int64(len(q)))}))
		if len(q) == 0 {
			s.body.Objects = []fyne.CanvasObject{emptyState(iconPhone, lang.L("Nobody to call"),
				lang.L("No contact matches this filter, or all of them were called today."))}
		} else {
			s.body.Objects = []fyne.CanvasObject{s.list}
		}
		s.body.Refresh()
		s.list.Refresh()
		s.cur = -1
		s.advance(0)
	})
}

// queueShown is the most contacts a queue holds: more than a day of calls.
const queueShown = 2000

func (s *queueScreen) rowLine(e calls.Entry) string {
	switch e.Skip {
	case calls.SkipDoNotCall:
		return lang.L("Skipped: do not call")
	case calls.SkipNoPhone:
		return lang.L("Skipped: no number to dial")
	}
	due := ""
	if e.Due != nil {
		due = lang.L("due {{.When}}", map[string]any{"When": s.a.loc.day(*e.Due, s.a.now())})
	}
	return joinNonEmpty(" · ", e.Company, e.Phone, due)
}

// skipReason says why the queue passed over a contact.
func skipReason(reason string) string {
	if reason == calls.SkipDoNotCall {
		return lang.L("do not call")
	}
	return lang.L("no number to dial")
}

// advance moves to the first contact to call from entry i on, noting the
// ones skipped on the way.
func (s *queueScreen) advance(i int) {
	next, skipped := calls.Next(s.entries, i)
	s.skipped = skipped
	if next < 0 {
		s.cur = len(s.entries)
		s.list.clearSelection()
		s.card = nil
		s.notes = nil
		if len(s.entries) == 0 {
			s.setDetail(s.placeholder())
		} else {
			s.setDetail(s.finished())
		}
		return
	}
	s.moveTo(next)
}

// moveTo shows entry i and loads its contact.
func (s *queueScreen) moveTo(i int) {
	s.cur = i
	if s.list.selected != i {
		s.list.Select(i)
		s.list.ScrollTo(i)
	}
	s.card = nil
	e := s.entries[i]
	run(s.a, &s.cardSlot, func(ctx context.Context) (*contactBundle, error) {
		return loadContactBundle(ctx, s.a.store, e.ContactID)
	}, func(b *contactBundle, err error) {
		if err != nil {
			s.setDetail(container.NewPadded(newErrorLabel(errorMessage(err))))
			return
		}
		s.card = b
		s.setDetail(s.render(e, b))
	})
}

func (s *queueScreen) setDetail(o fyne.CanvasObject) {
	s.detail.Objects = []fyne.CanvasObject{o}
	s.detail.Refresh()
}

// finished is the end of the queue.
func (s *queueScreen) finished() fyne.CanvasObject {
	text := lang.N("{{.N}} call logged.", s.logged, map[string]any{"N": s.a.loc.number(int64(s.logged))})
	var notes []fyne.CanvasObject
	for _, e := range s.entries {
		if e.Skip != "" {
			notes = append(notes, s.skipNote(e))
		}
	}
	again := widget.NewButtonWithIcon(lang.L("Build again"), theme.ViewRefreshIcon(), s.reload)
	return container.NewVBox(emptyState(theme.ConfirmIcon(), lang.L("Queue done"), text, again), container.NewVBox(notes...))
}

func (s *queueScreen) skipNote(e calls.Entry) fyne.CanvasObject {
	l := widget.NewLabel(lang.L("Skipped {{.Name}}: {{.Reason}}", map[string]any{"Name": e.Name, "Reason": skipReason(e.Skip)}))
	l.Importance = widget.WarningImportance
	l.Wrapping = fyne.TextWrapWord
	return container.NewBorder(nil, nil, widget.NewIcon(theme.WarningIcon()), nil, l)
}

// outcomeKeys are the outcomes in the order of the keys 1–7.
var outcomeKeys = localdb.CallOutcomes

// render is the card of the contact being called.
func (s *queueScreen) render(e calls.Entry, b *contactBundle) fyne.CanvasObject {
	a := s.a
	c := b.contact
	top := container.NewVBox()
	for _, sk := range s.skipped {
		top.Add(s.skipNote(sk))
	}
	pos := secondary(lang.L("Contact {{.N}} of {{.Total}}", map[string]any{"N": s.cur + 1, "Total": len(s.entries)}))
	var sub []fyne.CanvasObject
	if c.Title != "" {
		sub = append(sub, secondary(c.Title))
	}
	if b.company != nil {
		co := b.company
		sub = append(sub, linkButton(co.Name, iconCompany, func() { a.openCompany(co.ID) }))
	}
	sub = append(sub, secondary(leadStatusName(c.LeadStatus)))
	name := heading(c.FullName)
	header := container.NewBorder(nil, nil, container.NewCenter(newAvatar(c.FullName, 56)), pos,
		container.NewVBox(name, container.NewHBox(sub...)))
	top.Add(header)

	callBtn := widget.NewButtonWithIcon(lang.L("Call"), iconPhone, func() { s.dial(e) })
	callBtn.Importance = widget.HighImportance
	qualify := widget.NewButtonWithIcon(lang.L("Qualify…"), theme.ConfirmIcon(), func() {
		a.qualifyLead(c, func() { s.moveTo(s.cur) })
	})
	skip := widget.NewButtonWithIcon(lang.L("Next contact"), theme.MediaSkipNextIcon(), func() { s.advance(s.cur + 1) })
	phone := widget.NewLabelWithStyle(e.Phone, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	if e.Skip != "" {
		callBtn.Disable()
		phone = widget.NewLabel(lang.L("Skipped: {{.Reason}}", map[string]any{"Reason": skipReason(e.Skip)}))
		phone.Importance = widget.WarningImportance
	}
	right := container.NewHBox(skip)
	if c.LeadStatus != localdb.LeadQualified && c.LeadStatus != localdb.LeadCustomer {
		right.Objects = []fyne.CanvasObject{qualify, skip}
	}
	top.Add(container.NewBorder(nil, nil, container.NewHBox(callBtn, phone), right))
	if e.TaskTitle != "" {
		top.Add(container.NewHBox(widget.NewIcon(theme.CheckButtonCheckedIcon()), secondary(e.TaskTitle)))
	}
	top.Add(widget.NewSeparator())

	s.notes = newMultiLineEntry(a)
	s.notes.SetPlaceHolder(lang.L("Notes on this call (Escape leaves the field, then 1–7)"))
	s.notes.SetMinRowsVisible(3)
	s.notes.onKey = func(ev *fyne.KeyEvent) bool {
		if ev.Name == fyne.KeyEscape {
			a.win.Canvas().Unfocus()
			return true
		}
		return false
	}
	// Three columns keep the German labels within a 1366-pixel window.
	outcomes := container.NewGridWithColumns(3)
	for i, o := range outcomeKeys {
		btn := widget.NewButton(fmt.Sprintf("%d  %s", i+1, outcomeName(o)), func() { s.outcome(o) })
		if e.Skip != "" {
			btn.Disable()
		}
		outcomes.Add(btn)
	}
	acts := b.acts
	if len(acts) > 5 {
		acts = acts[:5]
	}
	log := panel(lang.L("How did the call go?"), container.NewVBox(s.notes, outcomes,
		secondary(lang.L("Keys 1–7 log the outcome and move to the next contact."))))
	body := container.NewVBox(log,
		panel(lang.L("Open deals"), a.dealsView(openDeals(b.deals))),
		panel(lang.L("Last interactions"), a.timelineView(acts)))
	if c.Notes != "" {
		body.Add(panel(lang.L("Notes"), wrapLabel(c.Notes)))
	}
	return container.NewBorder(container.NewPadded(top), nil, nil, nil, container.NewVScroll(container.NewPadded(body)))
}

// dial opens the tel: link of the entry's number.
func (s *queueScreen) dial(e calls.Entry) {
	target := e.PhoneE164
	if target == "" {
		target = e.Phone
	}
	if err := s.a.fa.OpenURL(&url.URL{Scheme: "tel", Opaque: strings.ReplaceAll(target, " ", "")}); err != nil {
		s.a.showError(lang.L("Could not start the call"), err)
	}
}

// typedKey logs outcome 1–7 while nothing has the focus.
func (s *queueScreen) typedKey(ev *fyne.KeyEvent) bool {
	if len(ev.Name) != 1 || ev.Name[0] < '1' || ev.Name[0] > '7' {
		return false
	}
	s.outcome(outcomeKeys[ev.Name[0]-'1'])
	return true
}

// outcome logs the current contact's call with outcome o; a callback first
// asks when.
func (s *queueScreen) outcome(o string) {
	if s.cur < 0 || s.cur >= len(s.entries) || s.card == nil || s.busy || s.entries[s.cur].Skip != "" {
		return
	}
	if o == localdb.OutcomeCallback {
		s.askCallback()
		return
	}
	s.logCall(o, time.Time{})
}

func (s *queueScreen) logCall(o string, callback time.Time) {
	e := s.entries[s.cur]
	call := calls.Call{ContactID: e.ContactID, Outcome: o, Number: e.Phone, CallbackAt: callback}
	if s.notes != nil {
		call.Notes = s.notes.Text
	}
	s.busy = true
	at := s.cur
	background(s.a, func(ctx context.Context) (*calls.Result, error) {
		var res *calls.Result
		err := s.a.store.Update(ctx, func(t *localdb.Tx) error {
			var err error
			res, err = calls.LogCall(t, call)
			return err
		})
		return res, err
	}, func(_ *calls.Result, err error) {
		s.busy = false
		if err != nil {
			s.a.showError(lang.L("Could not log the call"), err)
			return
		}
		s.logged++
		for _, entity := range []string{localdb.EntityActivity, localdb.EntityTask, localdb.EntityContact} {
			s.a.changed(s, entity)
		}
		if s.cur == at {
			s.advance(at + 1)
		}
	})
}

// askCallback asks when to call back (tomorrow at 10:00 unless changed) and
// logs the call with that time.
func (s *queueScreen) askCallback() {
	a := s.a
	day := newDateEntry(a)
	day.setDate(a.now().AddDate(0, 0, 1))
	at := newEntry(a)
	at.SetText("10:00")
	atErr := newErrorText()
	f := a.newFormDialog(lang.L("Call back when?"), formGrid(
		newField(lang.L("Day"), container.NewVBox(day, day.err)),
		newField(lang.L("Time"), container.NewVBox(container.New(&fixedWidth{w: 90}, at), atErr)),
	), lang.L("Log callback"))
	f.onSave = func(done func(error)) {
		d, dayErr := day.date()
		hm, timeErr := parseClock(at.Text)
		atErr.set("")
		if timeErr != nil {
			atErr.set(lang.L("Write the time as 14:30."))
		}
		if dayErr != nil || d.IsZero() || timeErr != nil {
			done(invalidForm())
			return
		}
		done(nil)
		s.logCall(localdb.OutcomeCallback, time.Date(d.Year(), d.Month(), d.Day(), hm/60, hm%60, 0, 0, time.Local))
	}
	f.show()
	a.focus(at)
}

// saveFilter asks for a name and saves the current filter under it.
func (s *queueScreen) saveFilter() {
	a := s.a
	name := newEntry(a)
	name.SetText(s.saved.Selected)
	nameErr := newErrorText()
	f := a.newFormDialog(lang.L("Save filter"), formGrid(newField(lang.L("Name"), container.NewVBox(name, nameErr))), lang.L("Save"))
	f.onSave = func(done func(error)) {
		n := strings.TrimSpace(name.Text)
		if n == "" {
			nameErr.set(lang.L("Required: name the filter."))
			done(invalidForm())
			return
		}
		filter := s.filter()
		background(a, func(ctx context.Context) (none, error) {
			return none{}, a.store.Update(ctx, func(t *localdb.Tx) error {
				_, err := calls.SaveFilter(t, n, filter)
				return err
			})
		}, func(_ none, err error) {
			done(err)
			if err == nil {
				s.loadSaved(n)
				a.changed(s, localdb.EntitySavedFilter)
			}
		})
	}
	f.show()
	a.focus(name)
}

// qualifyLead asks for budget, authority, need and timeline, qualifies the
// lead and opens a deal in the Qualified stage; done runs after it.
func (a *App) qualifyLead(c *localdb.Contact, done func()) *formDialog {
	budget, authority, need, timeline := newEntry(a), newEntry(a), newMultiLineEntry(a), newEntry(a)
	amount := newEntry(a)
	amount.SetPlaceHolder(lang.L("optional"))
	amountErr := newErrorText()
	budget.SetText(c.Budget)
	authority.SetText(c.Authority)
	need.SetText(c.Need)
	timeline.SetText(c.Timeline)
	fields := map[string]*field{
		"budget":    newField(lang.L("Budget"), budget),
		"authority": newField(lang.L("Authority"), authority),
		"need":      newField(lang.L("Need"), need),
		"timeline":  newField(lang.L("Timeline"), timeline),
	}
	f := a.newFormDialog(lang.L("Qualify {{.Name}}", map[string]any{"Name": c.FullName}), formGrid(
		fields["budget"], fields["authority"], fields["need"], fields["timeline"],
		newField(lang.L("Deal amount"), container.NewVBox(amount, amountErr)),
	), lang.L("Qualify and open deal"))
	f.isDirty = func() bool {
		return budget.Text != c.Budget || authority.Text != c.Authority || need.Text != c.Need || timeline.Text != c.Timeline
	}
	f.onSave = func(finish func(error)) {
		q := calls.Qualification{Budget: budget.Text, Authority: authority.Text, Need: need.Text, Timeline: timeline.Text}
		ok := true
		for _, in := range []struct {
			key   string
			entry *keyEntry
		}{{"budget", budget}, {"authority", authority}, {"need", need}, {"timeline", timeline}} {
			fields[in.key].setError("")
			if strings.TrimSpace(in.entry.Text) == "" {
				fields[in.key].setError(lang.L("Required to qualify the lead."))
				if ok {
					a.focus(in.entry) // the first one missing
				}
				ok = false
			}
		}
		amountErr.set("")
		if strings.TrimSpace(amount.Text) != "" {
			n, valid := a.loc.parseMoney(amount.Text)
			if !valid {
				amountErr.set(lang.L("Not an amount; write it like 12,500.50."))
				ok = false
			}
			q.Amount = n
		}
		if !ok {
			finish(invalidForm())
			return
		}
		background(a, func(ctx context.Context) (*localdb.Deal, error) {
			var d *localdb.Deal
			err := a.store.Update(ctx, func(t *localdb.Tx) error {
				var err error
				d, err = calls.Qualify(t, c.ID, q)
				return err
			})
			return d, err
		}, func(_ *localdb.Deal, err error) {
			finish(err)
			if err == nil {
				a.changed(nil, localdb.EntityDeal)
				a.changed(nil, localdb.EntityContact)
				if done != nil {
					done()
				}
			}
		})
	}
	f.show()
	a.focus(budget)
	return f
}

// queueShots are the queue's screenshots: the queue of the calls due today
// with the first contact's card, the callback question and the
// qualification dialog.
func queueShots(a *App) []shot {
	return []shot{
		{name: "queue", prepare: func() { a.showID("queue") }},
		{name: "queue-callback", prepare: func() {
			if a.queue.card != nil {
				a.queue.askCallback()
			}
		}, undo: a.closeDialogs},
		{name: "qualify", prepare: func() {
			if b := a.queue.card; b != nil {
				cp := *b.contact
				cp.Budget, cp.Authority = "40.000 EUR", "Geschäftsführung entscheidet mit dem Einkauf"
				cp.Need, cp.Timeline = "Flottenortung für 30 Transporter, Anbindung an das ERP", "Entscheidung im 3. Quartal"
				a.qualifyLead(&cp, nil)
			}
		}, undo: a.closeDialogs},
	}
}
