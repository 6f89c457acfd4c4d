package ui

import (
	"context"
	"fmt"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"repdesk/localdb"
)

// todayScreen is where the day starts: what is due, where to go, how the
// pipeline stands, and what was logged last.
type todayScreen struct {
	*computedScreen[todayData]
}

type todayData struct {
	tasks    []localdb.Task
	visits   []visitRow
	recent   []localdb.Activity
	names    map[string]string // contact names of tasks and activities
	open     int
	total    map[string]int64
	weighted map[string]int64
}

func newTodayScreen(a *App) *todayScreen {
	s := &todayScreen{}
	s.computedScreen = newComputedScreen(a, s, func(ctx context.Context, now time.Time) (todayData, error) {
		return loadToday(ctx, a.store, now)
	}, s.render)
	return s
}

func (s *todayScreen) id() string          { return "today" }
func (s *todayScreen) label() string       { return lang.L("Today") }
func (s *todayScreen) icon() fyne.Resource { return iconToday }

func loadToday(ctx context.Context, st *localdb.Store, now time.Time) (todayData, error) {
	d := todayData{total: map[string]int64{}, weighted: map[string]int64{}}
	end := startOfDay(now).AddDate(0, 0, 1)
	var err error
	if d.tasks, err = st.Tasks(ctx, localdb.TaskFilter{DueBefore: end, Limit: 50}); err != nil {
		return d, err
	}
	if d.visits, err = loadVisitRows(ctx, st.DB(), startOfDay(now), false, 20); err != nil {
		return d, err
	}
	for i, v := range d.visits {
		if !v.StartAt.Before(end) {
			d.visits = d.visits[:i]
			break
		}
	}
	if d.recent, err = st.Activities(ctx, localdb.ActivityFilter{Limit: 8}); err != nil {
		return d, err
	}
	var ids []string
	for _, t := range d.tasks {
		ids = append(ids, t.ContactID)
	}
	for _, a := range d.recent {
		ids = append(ids, a.ContactID)
	}
	if d.names, err = contactNames(ctx, st.DB(), ids); err != nil {
		return d, err
	}
	rs, err := st.DB().QueryContext(ctx, `SELECT currency, COUNT(*), SUM(amount), SUM(amount * probability / 100) FROM deals
		WHERE deleted = 0 AND stage IN (SELECT name FROM stages WHERE closed = '') GROUP BY currency`)
	if err != nil {
		return d, fmt.Errorf("pipeline: %w", err)
	}
	defer rs.Close()
	for rs.Next() {
		var cur string
		var n int
		var total, weighted int64
		if err := rs.Scan(&cur, &n, &total, &weighted); err != nil {
			return d, fmt.Errorf("pipeline: %w", err)
		}
		d.open += n
		d.total[cur], d.weighted[cur] = total, (weighted+50)/100*100 // a forecast has no cents
	}
	if err := rs.Err(); err != nil {
		return d, fmt.Errorf("pipeline: %w", err)
	}
	return d, nil
}

func (s *todayScreen) render(d todayData) fyne.CanvasObject {
	a := s.a
	now := a.now()
	overdue := 0
	for _, t := range d.tasks {
		if t.Due.Before(startOfDay(now)) {
			overdue++
		}
	}
	order := func(m map[string]int64) []string { return a.deals.currencyOrder(m) }
	stats := container.NewGridWithColumns(4,
		stat(lang.L("Tasks due"), a.loc.number(int64(len(d.tasks))), lang.N("{{.N}} overdue", overdue, map[string]any{"N": overdue})),
		stat(lang.L("Visits today"), a.loc.number(int64(len(d.visits))), ""),
		stat(lang.L("Open pipeline"), a.loc.moneyParts(d.total, order(d.total)), lang.N("{{.N}} open deal", d.open, map[string]any{"N": a.loc.number(int64(d.open))})),
		stat(lang.L("Weighted"), a.loc.moneyParts(d.weighted, order(d.weighted)), lang.L("by stage probability")),
	)

	tasks := container.NewVBox()
	for _, t := range d.tasks {
		var who fyne.CanvasObject
		if name := d.names[t.ContactID]; name != "" {
			id := t.ContactID
			who = linkLabel(name, theme.AccountIcon(), func() { a.openContact(id) })
		}
		tasks.Add(a.taskRow(t, who))
	}
	if len(d.tasks) == 0 {
		tasks.Add(secondary(lang.L("Nothing due. Enjoy the calm, or plan the next calls.")))
	}

	visits := container.NewVBox()
	for _, v := range d.visits {
		v := v
		label := a.loc.clock(v.StartAt.Local()) + "  " + joinNonEmpty(" · ", v.company, v.contact)
		visits.Add(linkLabel(label, iconVisit, func() {
			a.showID("visits")
			a.visits.selected = v.ID
			a.visits.show(v)
		}))
	}
	if len(d.visits) == 0 {
		visits.Add(secondary(lang.L("No visits today.")))
	}

	recent := container.NewVBox()
	for _, act := range d.recent {
		label := kindLabel(act.Kind)
		if name := d.names[act.ContactID]; name != "" {
			label += " · " + name
		}
		if act.Outcome != "" {
			label += " · " + outcomeName(act.Outcome)
		}
		id := act.ContactID
		row := linkLabel(label, activityIcon(act.Kind), func() {
			if id != "" {
				a.openContact(id)
			}
		})
		recent.Add(container.NewBorder(nil, nil, nil, secondary(a.loc.ago(act.OccurredAt, now)), row))
	}
	if len(d.recent) == 0 {
		recent.Add(secondary(lang.L("Nothing logged yet.")))
	}

	title := heading(lang.L("Today") + " · " + a.loc.date(now))
	cols := container.New(&split{ratio: 0.58},
		panel(lang.L("Due tasks"), tasks),
		container.NewVBox(panel(lang.L("Visits today"), visits), panel(lang.L("Recently logged"), recent)))
	return container.NewBorder(container.NewVBox(title, stats), nil, nil, nil, container.NewVScroll(container.NewVBox(cols)))
}

// stat is a figure with a caption above and a note below.
func stat(caption, value, note string) fyne.CanvasObject {
	v := widget.NewLabelWithStyle(value, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	v.SizeName = theme.SizeNameSubHeadingText
	v.Truncation = fyne.TextTruncateEllipsis
	return panel("", container.New(&tightLines{}, secondary(caption), v, secondary(note)))
}
