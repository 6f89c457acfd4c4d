package ui

import (
	"context"
	"errors"
	"maps"
	"slices"
	"sort"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"repdesk/localdb"
)

// recordList is the left half of the contacts and companies screens: a
// filter field over a virtualized list of every record (widget.List creates
// only the rows on screen, so 100,000 records cost one small row struct
// each). Loading and filtering run off the UI goroutine.
type recordList struct {
	a       *App
	loadAll func(ctx context.Context) ([]row, error)
	loadOne func(ctx context.Context, id string) (row, error)
	// enrich, when set, is a second loading step that fills in the sub-line
	// and the filter text of the rows loadAll returned with names only.
	enrich func(ctx context.Context) (map[string]rowDetail, error)
	// detailsFor reads the details of the rows on screen until enrich is
	// done, so that their sub-lines show at once.
	detailsFor func(ctx context.Context, ids []string) (map[string]rowDetail, error)
	shown      map[string]rowDetail // details read for rows on screen
	wanted     map[string]bool      // rows on screen whose details are asked for
	enriched   bool
	noun       func(n int) string // "12 contacts"

	rows   []row   // every record, sorted; replaced, never changed in place
	view   []int32 // indices of the rows that pass the filter
	query  string  // the filter text the view was made for
	loaded bool

	entry   *keyEntry
	list    *keyList
	count   *widget.Label
	body    *fyne.Container // list, loading, empty or no-match state
	empty   fyne.CanvasObject
	noMatch *widget.Label
	loading fyne.CanvasObject
	bar     *widget.ProgressBarInfinite // animates while loading; stopped after
	failed  *widget.Label

	selectedID string
	onSelect   func(id string)

	loadSlot, filterSlot, enrichSlot slot
	// onLoaded is called after every (re)load.
	onLoaded func()
}

func newRecordList(a *App, placeholder string, empty fyne.CanvasObject, noun func(int) string,
	loadAll func(context.Context) ([]row, error), loadOne func(context.Context, string) (row, error)) *recordList {
	l := &recordList{a: a, loadAll: loadAll, loadOne: loadOne, noun: noun, empty: empty}
	l.entry = newEntry(a)
	l.entry.SetPlaceHolder(placeholder)
	l.entry.ActionItem = widget.NewIcon(theme.SearchIcon())
	l.entry.OnChanged = l.setFilter
	l.entry.onKey = func(ev *fyne.KeyEvent) bool {
		if ev.Name == fyne.KeyDown && len(l.view) > 0 {
			a.focus(l.list)
			l.list.TypedKey(ev)
			return true
		}
		return false
	}
	l.entry.OnSubmitted = func(string) {
		if len(l.view) > 0 {
			a.focus(l.list)
			if l.list.selected < 0 {
				l.list.Select(0)
			}
		}
	}
	l.list = newKeyList(a, func() int { return len(l.view) }, newRowItem, func(id widget.ListItemID, o fyne.CanvasObject) {
		r := &l.rows[l.view[id]]
		sub := r.sub
		if sub == "" && !l.enriched && l.detailsFor != nil {
			sub = l.shown[r.id].sub
			if _, ok := l.shown[r.id]; !ok {
				l.want(r.id)
			}
		}
		updateRowItem(o, r.title, sub)
	})
	l.list.OnSelected = func(id widget.ListItemID) {
		l.list.track(id)
		r := l.rows[l.view[id]]
		l.selectedID = r.id
		if l.onSelect != nil {
			l.onSelect(r.id)
		}
	}
	l.count = secondary("")
	l.noMatch = widget.NewLabelWithStyle("", fyne.TextAlignCenter, fyne.TextStyle{})
	l.noMatch.Wrapping = fyne.TextWrapWord
	l.noMatch.Importance = widget.LowImportance
	l.bar = widget.NewProgressBarInfinite()
	l.loading = container.NewCenter(container.NewVBox(secondary(lang.L("Loading…")), l.bar))
	l.failed = widget.NewLabel("")
	l.failed.Wrapping = fyne.TextWrapWord
	l.failed.Importance = widget.DangerImportance
	l.body = container.NewStack(l.loading)
	return l
}

// newRowItem is a list row: an avatar with the initials, the name in bold
// and a line below.
func newRowItem() fyne.CanvasObject {
	title := truncLabel("")
	title.TextStyle.Bold = true
	sub := secondaryLine("")
	return container.NewBorder(nil, nil, container.NewCenter(newAvatar("", 32)), nil,
		container.New(&tightLines{}, title, sub))
}

func updateRowItem(o fyne.CanvasObject, title, sub string) {
	c := o.(*fyne.Container)
	lines := c.Objects[0].(*fyne.Container)
	lines.Objects[0].(*widget.Label).SetText(title)
	lines.Objects[1].(*widget.Label).SetText(sub)
	c.Objects[1].(*fyne.Container).Objects[0].(*avatar).setName(title)
}

// tightLines stacks labels closer than a VBox would (the labels' own
// padding overlaps), so a two- or three-line row is no taller than needed.
type tightLines struct{}

func (t *tightLines) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	y := float32(0)
	for _, o := range objs {
		h := o.MinSize().Height
		o.Move(fyne.NewPos(0, y))
		o.Resize(fyne.NewSize(size.Width, h))
		y += h - tightOverlap()
	}
}

func (t *tightLines) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var s fyne.Size
	for i, o := range objs {
		m := o.MinSize()
		s.Width = max(s.Width, m.Width)
		s.Height += m.Height
		if i > 0 {
			s.Height -= tightOverlap()
		}
	}
	return s
}

func tightOverlap() float32 { return 2*theme.InnerPadding() - 2*theme.LineSpacing() }

// header is the filter field with the count below it.
func (l *recordList) header() fyne.CanvasObject {
	return container.NewVBox(l.entry, l.count)
}

// reload reads every row again (off the UI goroutine).
func (l *recordList) reload() {
	run(l.a, &l.loadSlot, l.loadAll, func(rows []row, err error) {
		if err != nil {
			l.bar.Stop()
			l.failed.SetText(lang.L("Could not load the list: {{.Error}}", map[string]any{"Error": errorMessage(err)}))
			l.body.Objects = []fyne.CanvasObject{container.NewPadded(l.failed)}
			l.body.Refresh()
			return
		}
		l.rows, l.loaded, l.enriched, l.shown = rows, true, l.enrich == nil, nil
		l.refilter()
		if l.onLoaded != nil {
			l.onLoaded()
		}
		if l.enrich != nil {
			run(l.a, &l.enrichSlot, l.enrich, l.addDetails)
		}
	})
}

// want asks for the details of a row on screen; the rows asked for while
// the list draws are read together.
func (l *recordList) want(id string) {
	if l.wanted == nil {
		l.wanted = map[string]bool{}
	}
	if len(l.wanted) == 0 {
		l.a.do(l.readWanted)
	}
	l.wanted[id] = true
}

func (l *recordList) readWanted() {
	ids := slices.Collect(maps.Keys(l.wanted))
	clear(l.wanted)
	if len(ids) == 0 || l.enriched {
		return
	}
	background(l.a, func(ctx context.Context) (map[string]rowDetail, error) {
		return l.detailsFor(ctx, ids)
	}, func(details map[string]rowDetail, err error) {
		if err != nil || l.enriched {
			return
		}
		if l.shown == nil {
			l.shown = map[string]rowDetail{}
		}
		maps.Copy(l.shown, details)
		l.list.Refresh()
	})
}

// addDetails puts the second loading step's details into the rows that
// still lack them (rows saved meanwhile came complete).
func (l *recordList) addDetails(details map[string]rowDetail, err error) {
	if err != nil {
		l.failed.SetText(lang.L("Could not load the list: {{.Error}}", map[string]any{"Error": errorMessage(err)}))
		return
	}
	rows := slices.Clone(l.rows)
	for i := range rows {
		if d, ok := details[rows[i].id]; ok && rows[i].sub == "" {
			rows[i].sub, rows[i].fold = d.sub, d.fold
		}
	}
	l.rows, l.enriched, l.shown = rows, true, nil
	l.list.Refresh()
	l.refilter()
	l.a.note("list-enriched")
}

func (l *recordList) setFilter(q string) {
	l.query = strings.TrimSpace(q)
	l.refilter()
}

// refilter computes the view for the current rows and query.
func (l *recordList) refilter() {
	if !l.loaded {
		return
	}
	rows, q := l.rows, l.query
	if q == "" {
		l.filterSlot.stop()
		l.setView(allIndices(len(rows)))
		return
	}
	run(l.a, &l.filterSlot, func(ctx context.Context) ([]int32, error) {
		return filterRows(ctx, rows, q)
	}, func(view []int32, err error) {
		if err != nil {
			return // cancelled by a newer keystroke
		}
		if len(rows) != len(l.rows) || (len(rows) > 0 && &rows[0] != &l.rows[0]) {
			l.refilter() // the rows changed while filtering
			return
		}
		l.setView(view)
	})
}

func allIndices(n int) []int32 {
	v := make([]int32, n)
	for i := range v {
		v[i] = int32(i)
	}
	return v
}

func (l *recordList) setView(view []int32) {
	l.view = view
	l.bar.Stop() // an infinite bar animates, and repaints, until stopped
	switch {
	case len(l.rows) == 0:
		l.count.SetText("")
		l.body.Objects = []fyne.CanvasObject{l.empty}
	case len(view) == 0:
		l.count.SetText(l.noun(0))
		l.noMatch.SetText(lang.L("Nothing matches “{{.Query}}”.", map[string]any{"Query": l.query}))
		l.body.Objects = []fyne.CanvasObject{container.NewPadded(l.noMatch)}
	default:
		if len(view) == len(l.rows) {
			l.count.SetText(l.noun(len(view)))
		} else {
			l.count.SetText(lang.L("{{.Shown}} of {{.All}}", map[string]any{"Shown": l.a.loc.number(int64(len(view))), "All": l.noun(len(l.rows))}))
		}
		l.body.Objects = []fyne.CanvasObject{l.list}
	}
	l.body.Refresh()
	l.list.UnselectAll()
	l.list.selected = -1
	if i := l.indexOf(l.selectedID); i >= 0 {
		l.list.selected = i
		l.list.Select(i) // same id: onSelect sees nothing new
	}
	l.list.Refresh()
	l.a.note("filter:" + l.query)
}

// indexOf is the position of record id in the view, or -1.
func (l *recordList) indexOf(id string) int {
	if id == "" {
		return -1
	}
	for i, ri := range l.view {
		if l.rows[ri].id == id {
			return i
		}
	}
	return -1
}

// selectID selects record id in the list, clearing a filter that hides it.
func (l *recordList) selectID(id string) {
	l.selectedID = id
	if !l.loaded {
		return // setView selects it when the rows arrive
	}
	i := l.indexOf(id)
	if i < 0 && l.query != "" && slices.ContainsFunc(l.rows, func(r row) bool { return r.id == id }) {
		l.entry.SetText("") // shows all rows and selects id
		return
	}
	if i >= 0 {
		l.list.Select(i)
		l.list.ScrollTo(i)
	}
}

func (l *recordList) unselect() {
	l.selectedID = ""
	l.list.clearSelection()
}

// upsert re-reads one record's row after it was created or changed.
func (l *recordList) upsert(id string) {
	background(l.a, func(ctx context.Context) (row, error) {
		return l.loadOne(ctx, id)
	}, func(r row, err error) {
		if errors.Is(err, localdb.ErrNotFound) {
			l.remove(id)
			return
		}
		if err != nil || !l.loaded {
			return
		}
		rows := make([]row, 0, len(l.rows)+1)
		for _, x := range l.rows {
			if x.id != id {
				rows = append(rows, x)
			}
		}
		at := sort.Search(len(rows), func(i int) bool { return lessRow(&r, &rows[i]) })
		rows = slices.Insert(rows, at, r)
		l.rows = rows
		l.refilter()
	})
}

// remove drops a deleted record's row.
func (l *recordList) remove(id string) {
	i := slices.IndexFunc(l.rows, func(r row) bool { return r.id == id })
	if i < 0 {
		return
	}
	l.rows = slices.Delete(slices.Clone(l.rows), i, i+1)
	if l.selectedID == id {
		l.selectedID = ""
	}
	l.refilter()
}

func (l *recordList) stop() {
	l.loadSlot.stop()
	l.filterSlot.stop()
	l.enrichSlot.stop()
}
