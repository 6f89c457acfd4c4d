package ui

import (
	"context"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"repdesk/localdb"
	"repdesk/localdb/visits"
)

// plannerCompanies is how many companies the planner lists for a filter.
const plannerCompanies = 200

// planner plans a field rep's day: pick the day and the rep, filter the
// companies by city or postal code prefix, add them to the day's route and
// put the route in order. Its work runs in the background; late answers are
// dropped by its slots.
type planner struct {
	s        *visitsScreen
	view     fyne.CanvasObject
	day      *dateEntry
	assignee *keyEntry
	filter   *keyEntry
	found    *widget.Label
	coList   *keyList
	route    *keyList
	summary  *widget.Label
	routeBox *fyne.Container
	add      *widget.Button
	up, down *widget.Button
	order    *widget.Button
	// ordered says how the last "Order route" went, under the route it
	// loaded; any later load of the route drops it.
	ordered *widget.Label

	companies      []localdb.Company
	stops          []visits.Row
	coSel, stopSel int
	coSlot, rtSlot slot
}

func newPlanner(s *visitsScreen) *planner {
	a := s.a
	p := &planner{s: s, coSel: -1, stopSel: -1}
	p.day = newDateEntry(a)
	p.day.setDate(a.now())
	p.day.OnChanged = func(string) {
		if _, err := p.day.date(); err == nil {
			p.day.err.set("")
			p.loadRoute()
		}
	}
	p.assignee = newEntry(a)
	p.assignee.SetText(a.store.Owner())
	p.assignee.OnChanged = func(string) { p.loadRoute() }
	p.filter = newEntry(a)
	p.filter.SetPlaceHolder(lang.L("City or postal code, e.g. Köln or 50"))
	p.filter.OnChanged = func(string) { p.loadCompanies() }
	p.found = secondaryLine("")
	p.coList = newKeyList(a, func() int { return len(p.companies) }, newRowItem, func(id widget.ListItemID, o fyne.CanvasObject) {
		c := p.companies[id]
		updateRowItem(o, c.Name, joinNonEmpty(" · ", strings.TrimSpace(c.PostalCode+" "+c.City), c.Street))
	})
	p.coList.OnSelected = func(id widget.ListItemID) {
		p.coList.track(id)
		p.coSel = id
		p.add.Enable()
	}
	p.coList.onEnter = func(widget.ListItemID) { p.addSelected() }
	p.add = widget.NewButtonWithIcon(lang.L("Add to day"), theme.ContentAddIcon(), p.addSelected)
	p.add.Importance = widget.HighImportance
	p.add.Disable()

	p.route = newKeyList(a, func() int { return len(p.stops) }, newRowItem, func(id widget.ListItemID, o fyne.CanvasObject) {
		v := p.stops[id]
		title := strconv.Itoa(id+1) + ". " + joinNonEmpty(" · ", v.Company, v.Contact)
		when := a.loc.clock(v.StartAt.Local()) + "–" + a.loc.clock(v.EndAt.Local())
		updateRowItem(o, title, joinNonEmpty(" · ", when, v.Address(), statusName(v.Status)))
		// The avatar shows the company's initials, not the number's.
		o.(*fyne.Container).Objects[1].(*fyne.Container).Objects[0].(*avatar).setName(joinNonEmpty(" ", v.Company, v.Contact))
	})
	p.route.OnSelected = func(id widget.ListItemID) {
		p.route.track(id)
		p.stopSel = id
		p.updateButtons()
	}
	p.up = widget.NewButtonWithIcon(lang.L("Earlier"), theme.MoveUpIcon(), func() { p.move(-1) })
	p.down = widget.NewButtonWithIcon(lang.L("Later"), theme.MoveDownIcon(), func() { p.move(1) })
	p.order = widget.NewButtonWithIcon(lang.L("Order route"), theme.ListIcon(), p.orderRoute)
	p.updateButtons()
	p.summary = secondaryLine("")
	p.ordered = secondary("")
	p.ordered.Wrapping = fyne.TextWrapWord
	p.ordered.Hide()
	p.routeBox = container.NewStack(p.route)

	back := widget.NewButtonWithIcon(lang.L("Back to visits"), theme.NavigateBackIcon(), s.closePlanner)
	top := container.NewBorder(nil, nil, heading(lang.L("Day planner")), back)
	pickers := formGrid(
		newField(lang.L("Day"), container.NewVBox(p.day, p.day.err)),
		newField(lang.L("Field rep"), p.assignee),
	)
	left := panel(lang.L("Companies"), container.NewBorder(container.NewVBox(p.filter, p.found), container.NewHBox(p.add), nil, nil, p.coList))
	right := panel(lang.L("Route"), container.NewBorder(container.NewVBox(p.summary, p.ordered), container.NewHBox(p.up, p.down, layout.NewSpacer(), p.order), nil, nil, p.routeBox))
	split := container.NewHSplit(left, right)
	split.Offset = 0.45
	p.view = container.NewBorder(container.NewPadded(container.NewVBox(top, pickers)), nil, nil, nil, container.NewPadded(split))
	return p
}

func (p *planner) stop() {
	p.coSlot.stop()
	p.rtSlot.stop()
}

func (p *planner) shown() {
	p.loadCompanies()
	p.loadRoute()
}

// dayRange is the picked day in the rep's time zone.
func (p *planner) dayRange() (time.Time, time.Time, bool) {
	d, err := p.day.date()
	if err != nil || d.IsZero() {
		return time.Time{}, time.Time{}, false
	}
	from, to := visits.DayRange(time.Date(d.Year(), d.Month(), d.Day(), 12, 0, 0, 0, time.Local), time.Local)
	return from, to, true
}

func (p *planner) loadCompanies() {
	prefix := strings.TrimSpace(p.filter.Text)
	run(p.s.a, &p.coSlot, func(ctx context.Context) ([]localdb.Company, error) {
		return p.s.a.store.ListCompanies(ctx, localdb.CompanyFilter{City: prefix, Limit: plannerCompanies})
	}, func(cs []localdb.Company, err error) {
		if err != nil {
			p.found.SetText(errorMessage(err))
			return
		}
		p.companies, p.coSel = cs, -1
		p.coList.clearSelection()
		p.add.Disable()
		switch {
		case len(cs) == 0:
			p.found.SetText(lang.L("No company in this city or postal code."))
		case len(cs) >= plannerCompanies:
			p.found.SetText(lang.L("The first {{.N}} companies: type more to narrow them down.", map[string]any{"N": plannerCompanies}))
		default:
			p.found.SetText(lang.N("{{.N}} company", len(cs), map[string]any{"N": len(cs)}))
		}
		p.coList.Refresh()
	})
}

// loadRoute reads the rep's visits of the day; keep selects that visit.
func (p *planner) loadRoute(keep ...string) {
	p.ordered.Hide()
	from, to, ok := p.dayRange()
	assignee := strings.TrimSpace(p.assignee.Text)
	if !ok || assignee == "" {
		p.stops, p.stopSel = nil, -1
		p.summary.SetText(lang.L("Pick a day and a field rep."))
		p.route.Refresh()
		p.updateButtons()
		return
	}
	run(p.s.a, &p.rtSlot, func(ctx context.Context) ([]visits.Row, error) {
		return visits.List(ctx, p.s.a.store, visits.Filter{Assignee: assignee, From: from, To: to})
	}, func(rows []visits.Row, err error) {
		if err != nil {
			p.summary.SetText(errorMessage(err))
			return
		}
		p.stops, p.stopSel = rows, -1
		p.route.clearSelection()
		if len(rows) == 0 {
			p.summary.SetText(lang.L("No visits on this day yet: add companies from the left."))
		} else {
			p.summary.SetText(lang.N("{{.N}} visit", len(rows), map[string]any{"N": len(rows)}))
		}
		p.route.Refresh()
		for i, r := range rows {
			if len(keep) > 0 && r.ID == keep[0] {
				p.route.Select(i)
			}
		}
		p.updateButtons()
	})
}

func (p *planner) updateButtons() {
	p.up.Disable()
	p.down.Disable()
	p.order.Disable()
	if len(p.stops) > 1 {
		p.order.Enable()
	}
	if p.stopSel > 0 {
		p.up.Enable()
	}
	if p.stopSel >= 0 && p.stopSel < len(p.stops)-1 {
		p.down.Enable()
	}
}

// addSelected adds the selected company at the end of the day's route.
func (p *planner) addSelected() {
	from, _, ok := p.dayRange()
	assignee := strings.TrimSpace(p.assignee.Text)
	if p.coSel < 0 || p.coSel >= len(p.companies) || !ok || assignee == "" {
		return
	}
	co := p.companies[p.coSel].ID
	a := p.s.a
	background(a, func(ctx context.Context) (string, error) {
		var added []*localdb.Visit
		err := a.store.Update(ctx, func(tx *localdb.Tx) error {
			var err error
			added, err = visits.AddCompanies(tx, from, []string{co}, visits.Plan{Assignee: assignee})
			return err
		})
		if err != nil {
			return "", err
		}
		return added[0].ID, nil
	}, func(id string, err error) {
		if err != nil {
			a.showError(lang.L("Could not add the visit"), err)
			return
		}
		p.loadRoute(id)
		a.changed(p.s, localdb.EntityVisit)
	})
}

// move moves the selected visit one place earlier (-1) or later (+1).
func (p *planner) move(by int) {
	i, j := p.stopSel, p.stopSel+by
	if i < 0 || j < 0 || j >= len(p.stops) {
		return
	}
	ids := make([]string, len(p.stops))
	for k, r := range p.stops {
		ids[k] = r.ID
	}
	ids[i], ids[j] = ids[j], ids[i]
	moved := ids[j]
	a := p.s.a
	background(a, func(ctx context.Context) (none, error) {
		return none{}, a.store.Update(ctx, func(tx *localdb.Tx) error { return visits.Reorder(tx, ids, time.Local) })
	}, func(_ none, err error) {
		if err != nil {
			a.showError(lang.L("Could not reorder the visits"), err)
			return
		}
		p.loadRoute(moved)
		a.changed(p.s, localdb.EntityVisit)
	})
}

// orderRoute puts the day's route in the travel order the postal codes and
// cities suggest (visits.OrderRoute) and says which visits kept their place
// for want of either.
func (p *planner) orderRoute() {
	from, _, ok := p.dayRange()
	assignee := strings.TrimSpace(p.assignee.Text)
	if !ok || assignee == "" || len(p.stops) < 2 {
		return
	}
	a := p.s.a
	background(a, func(ctx context.Context) (visits.RouteResult, error) {
		var res visits.RouteResult
		err := a.store.Update(ctx, func(tx *localdb.Tx) error {
			var err error
			res, err = visits.OrderRoute(tx, from, visits.Plan{Assignee: assignee})
			return err
		})
		return res, err
	}, func(res visits.RouteResult, err error) {
		if err != nil {
			a.showError(lang.L("Could not order the route"), err)
			return
		}
		p.loadRoute()
		note := lang.L("Ordered by postal code and city, from the first visit.")
		if n := len(res.Unlocated); n > 0 {
			note += " " + lang.N("{{.N}} visit without a postal code or city kept its place.", n, map[string]any{"N": n})
		}
		if res.FullDay {
			note += " " + lang.L("The day is too full for travel time between all visits: they took the day's time slots.")
		}
		p.ordered.SetText(note)
		p.ordered.Show()
		a.changed(p.s, localdb.EntityVisit)
	})
}

// visitShots are the screenshots of the day planner and the visit report:
// the planner shows the day and field rep of the first upcoming visit, with
// the companies of a city of the demo data.
func visitShots(a *App) []shot {
	return []shot{
		{name: "visit-planner", prepare: func() {
			a.showID("visits")
			s := a.visits
			s.openPlanner()
			if len(s.visits) > 0 {
				v := s.visits[0]
				s.planner.day.setDate(v.StartAt.Local())
				s.planner.assignee.SetText(v.Assignee)
			}
			s.planner.filter.SetText("Köln")
		}, undo: func() { a.visits.closePlanner() }},
		{name: "visit-report", prepare: func() {
			a.showID("visits")
			for _, v := range a.visits.visits {
				if v.Status == localdb.VisitPlanned {
					d := a.visits.report(v)
					d.outcome.SetSelectedIndex(4)
					d.notes.SetText("Interested in the spring offer; wants a quote by Friday.")
					d.steps.SetText("Send the offer @ " + a.loc.dateInput(a.now().AddDate(0, 0, 3)))
					break
				}
			}
		}, undo: a.closeDialogs},
	}
}
