package ui

import (
	"context"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"repdesk/localdb"
)

// globalSearch is the search field at the top of the window: it finds
// contacts, companies and deals as the rep types and shows them in a panel
// over the current screen. Up, Down and Enter pick a result without leaving
// the field; Escape closes the panel.
type globalSearch struct {
	a     *App
	entry *keyEntry
	list  *keyList
	note  *widget.Label
	box   fyne.CanvasObject
	hits  []localdb.SearchHit
	// applied is the query whose results are shown.
	applied string
	slot    slot
	// moving is set while the arrow keys select a row, which must not open it.
	moving bool
}

const searchLimit = 30

func newGlobalSearch(a *App) *globalSearch {
	s := &globalSearch{a: a}
	s.entry = newEntry(a)
	s.entry.SetPlaceHolder(lang.L("Search contacts, companies, deals… (Ctrl+K)"))
	s.entry.ActionItem = widget.NewIcon(theme.SearchIcon())
	s.entry.OnChanged = s.query
	s.entry.OnSubmitted = func(string) { s.openSelected() }
	s.entry.onKey = s.key
	s.list = newKeyList(a, func() int { return len(s.hits) },
		func() fyne.CanvasObject {
			kind := secondary("")
			kind.Alignment = fyne.TextAlignTrailing
			title := truncLabel("")
			title.TextStyle.Bold = true
			return container.NewBorder(nil, nil, widget.NewIcon(theme.AccountIcon()), kind,
				container.NewGridWithColumns(2, title, secondaryLine("")))
		},
		func(id widget.ListItemID, o fyne.CanvasObject) {
			h := s.hits[id]
			c := o.(*fyne.Container)
			texts := c.Objects[0].(*fyne.Container)
			texts.Objects[0].(*widget.Label).SetText(h.Title)
			texts.Objects[1].(*widget.Label).SetText(h.Subtitle)
			c.Objects[1].(*widget.Icon).SetResource(entityIcon(h.Kind))
			c.Objects[2].(*widget.Label).SetText(kindName(h.Kind))
		})
	s.list.OnSelected = func(id widget.ListItemID) {
		s.list.track(id)
		if !s.moving {
			s.open(id)
		}
	}
	s.list.onEnter = s.open
	s.note = secondary("")
	s.note.Alignment = fyne.TextAlignCenter
	s.box = newSurface(container.NewBorder(nil, s.note, nil, nil, s.list), theme.ColorNameBackground)
	s.box.Hide()
	return s
}

// kindName is the name of a kind of record.
func kindName(kind string) string {
	switch kind {
	case localdb.EntityContact:
		return lang.L("Contact")
	case localdb.EntityCompany:
		return lang.L("Company")
	case localdb.EntityDeal:
		return lang.L("Deal")
	}
	return kind
}

// overlay is the results panel, laid over the screen below the field.
func (s *globalSearch) overlay() fyne.CanvasObject {
	return container.New(&dropDownLayout{width: 720, height: 440}, s.box)
}

func (s *globalSearch) focus() {
	s.a.focus(s.entry)
	if s.entry.Text != "" {
		s.entry.TypedShortcut(&fyne.ShortcutSelectAll{})
	}
}

func (s *globalSearch) visible() bool { return s.box.Visible() }

func (s *globalSearch) hide() { s.box.Hide() }

func (s *globalSearch) clear() {
	s.entry.SetText("") // calls query, which hides the panel
}

// query searches for what was typed; a newer keystroke drops older results.
func (s *globalSearch) query(q string) {
	q = strings.TrimSpace(q)
	if q == "" {
		s.slot.stop()
		s.hits, s.applied = nil, ""
		s.list.Refresh()
		s.box.Hide()
		return
	}
	run(s.a, &s.slot, func(ctx context.Context) ([]localdb.SearchHit, error) {
		return s.a.store.Search(ctx, q, localdb.SearchOptions{Limit: searchLimit})
	}, func(hits []localdb.SearchHit, err error) {
		s.hits, s.applied = hits, q
		s.list.clearSelection()
		switch {
		case err != nil:
			s.note.SetText(errorMessage(err))
		case len(hits) == 0:
			s.note.SetText(lang.L("No matches for “{{.Query}}”", map[string]any{"Query": q}))
		case len(hits) == searchLimit:
			s.note.SetText(lang.L("Showing the best {{.N}} matches", map[string]any{"N": searchLimit}))
		default:
			s.note.SetText("")
		}
		s.note.Hidden = s.note.Text == ""
		s.list.Refresh()
		if len(hits) > 0 {
			s.moving = true
			s.list.Select(0)
			s.moving = false
		}
		s.box.Show()
		s.a.note("search:" + q)
	})
}

// key moves through the results while the field keeps the focus.
func (s *globalSearch) key(ev *fyne.KeyEvent) bool {
	if !s.box.Visible() || len(s.hits) == 0 {
		return false
	}
	switch ev.Name {
	case fyne.KeyDown, fyne.KeyUp, fyne.KeyPageDown, fyne.KeyPageUp:
		s.moving = true
		s.list.TypedKey(ev)
		s.moving = false
		return true
	}
	return false
}

func (s *globalSearch) openSelected() {
	if s.list.selected >= 0 && s.list.selected < len(s.hits) {
		s.open(s.list.selected)
	}
}

func (s *globalSearch) open(id widget.ListItemID) {
	h := s.hits[id]
	s.clear()
	s.a.win.Canvas().Unfocus()
	switch h.Kind {
	case localdb.EntityContact:
		s.a.openContact(h.ID)
	case localdb.EntityCompany:
		s.a.openCompany(h.ID)
	case localdb.EntityDeal:
		s.a.openDeal(h.ID)
	}
}

// dropDownLayout places its content at the top centre, at most width ×
// height.
type dropDownLayout struct{ width, height float32 }

func (d *dropDownLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	w := min(size.Width, d.width)
	h := min(size.Height, d.height)
	for _, o := range objs {
		o.Move(fyne.NewPos((size.Width-w)/2, 0))
		o.Resize(fyne.NewSize(w, h))
	}
}

func (d *dropDownLayout) MinSize([]fyne.CanvasObject) fyne.Size { return fyne.NewSize(0, 0) }
