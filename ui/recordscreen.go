package ui

import (
	"context"
	"errors"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"repdesk/localdb"
)

// recordScreen is the frame of the contacts and companies screens: the list
// on the left, the selected record (or its edit form) on the right. It
// loads the record off the UI goroutine and drops a late answer when the
// selection moved on.
type recordScreen struct {
	a      *App
	entity string
	list   *recordList
	detail *fyne.Container
	root   fyne.CanvasObject

	self    screen // the screen this frame belongs to
	shownID string
	bundle  any // what render last showed, nil when nothing
	form    recordEditor

	detailSlot slot
	stale      bool // the list changed while the screen was away

	hooks recordScreenHooks
}

// recordEditor is an open edit form of a record screen.
type recordEditor interface {
	editor
	view() fyne.CanvasObject
	id() string // "" for a new record
	focusFirst()
}

type recordScreenHooks struct {
	load        func(ctx context.Context, id string) (any, error)
	render      func(bundle any) fyne.CanvasObject
	placeholder func() fyne.CanvasObject
	// discardText asks whether an unsaved edit may go.
	discardText string
	// related says whether a change of entity shows in the detail pane.
	related func(entity string) bool
}

func newRecordScreen(a *App, entity string, list *recordList, header fyne.CanvasObject, h recordScreenHooks) *recordScreen {
	s := &recordScreen{a: a, entity: entity, list: list, hooks: h}
	list.onSelect = s.show
	s.detail = container.NewStack(h.placeholder())
	left := container.NewBorder(container.NewVBox(header, list.header()), nil, nil, nil, list.body)
	split := container.NewHSplit(left, s.detail)
	split.Offset = 0.34
	s.root = split
	return s
}

func (s *recordScreen) view() fyne.CanvasObject { return s.root }

func (s *recordScreen) shown() {
	if !s.list.loaded || s.stale {
		s.stale = false
		s.list.reload()
		s.reloadDetail()
	}
}

// changed marks the list stale when records of the screen's entity changed,
// and reloads the detail pane when it shows something related.
func (s *recordScreen) changed(entity string) {
	if entity == "" || entity == s.entity || entity == localdb.EntityCompany {
		s.stale = true
	}
	if s.a.current() != s.self {
		return
	}
	if s.stale {
		s.shown()
		return
	}
	if s.hooks.related(entity) {
		s.reloadDetail()
	}
}

func (s *recordScreen) reloadDetail() {
	if s.shownID != "" && s.form == nil {
		s.load(s.shownID)
	}
}

func (s *recordScreen) editing() editor {
	if s.form == nil {
		return nil
	}
	return s.form
}

func (s *recordScreen) stop() {
	s.list.stop()
	s.detailSlot.stop()
}

// open shows record id, selecting it in the list.
func (s *recordScreen) open(id string) {
	if !s.confirmLeave(func() { s.open(id) }) {
		return
	}
	s.list.selectID(id)
	s.show(id)
}

// show loads and shows record id in the detail pane.
func (s *recordScreen) show(id string) {
	if s.form != nil {
		if s.form.id() == id {
			return
		}
		if !s.confirmLeave(func() { s.open(id) }) {
			s.list.selectID(s.form.id()) // stay on the record being edited
			return
		}
	}
	if id == s.shownID && s.bundle != nil {
		return
	}
	s.load(id)
}

// confirmLeave asks before an edit with changes is dropped; it returns true
// when there is nothing to lose, else it asks and calls then when the rep
// agrees.
func (s *recordScreen) confirmLeave(then func()) bool {
	if s.form == nil {
		return true
	}
	if !s.form.dirty() {
		s.closeForm()
		return true
	}
	s.a.confirmDiscard(s.hooks.discardText, func() {
		s.closeForm()
		then()
	})
	return false
}

func (s *recordScreen) load(id string) {
	s.shownID = id
	run(s.a, &s.detailSlot, func(ctx context.Context) (any, error) {
		return s.hooks.load(ctx, id)
	}, func(b any, err error) {
		if s.form != nil {
			return
		}
		if err != nil {
			if errors.Is(err, localdb.ErrNotFound) {
				s.clearDetail()
				return
			}
			s.setDetail(container.NewPadded(newErrorLabel(lang.L("Could not load: {{.Error}}", map[string]any{"Error": errorMessage(err)}))))
			return
		}
		s.bundle = b
		s.setDetail(s.hooks.render(b))
	})
}

func (s *recordScreen) clearDetail() {
	s.shownID, s.bundle = "", nil
	s.setDetail(s.hooks.placeholder())
}

func newErrorLabel(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.Importance = widget.DangerImportance
	l.Wrapping = fyne.TextWrapWord
	return l
}

func (s *recordScreen) setDetail(o fyne.CanvasObject) {
	s.detail.Objects = []fyne.CanvasObject{o}
	s.detail.Refresh()
}

// confirmDelete asks, then deletes record id.
func (s *recordScreen) confirmDelete(id, title, text string) {
	d := dialog.NewConfirm(title, text, func(ok bool) {
		if !ok {
			return
		}
		background(s.a, func(ctx context.Context) (none, error) {
			return none{}, s.a.store.Delete(ctx, s.entity, id)
		}, func(_ none, err error) {
			if err != nil {
				s.a.showError(lang.L("Could not delete"), err)
				return
			}
			s.list.remove(id)
			s.clearDetail()
			s.a.changed(s.self, s.entity)
		})
	}, s.a.win)
	d.SetConfirmText(lang.L("Delete"))
	d.SetDismissText(lang.L("Cancel"))
	d.SetConfirmImportance(widget.DangerImportance)
	s.a.showDialog(d)
}

// openForm shows an edit form in the detail pane.
func (s *recordScreen) openForm(f recordEditor) {
	s.detailSlot.stop()
	s.form = f
	s.setDetail(f.view())
	f.focusFirst()
}

// saved shows the record a form just saved; also names the other entities
// the save may have written (a contact's new company).
func (s *recordScreen) saved(id string, also ...string) {
	s.form = nil
	s.bundle = nil
	s.list.upsert(id)
	s.list.selectedID = id
	s.load(id)
	s.a.changed(s.self, s.entity)
	for _, e := range also {
		s.a.changed(s.self, e)
	}
}

func (s *recordScreen) closeForm() {
	s.form = nil
	if s.shownID != "" {
		s.load(s.shownID)
		return
	}
	s.setDetail(s.hooks.placeholder())
}

// newRecord opens form for a new record after any edit in progress is
// settled.
func (s *recordScreen) newRecord(form func() recordEditor) {
	if !s.confirmLeave(func() { s.newRecord(form) }) {
		return
	}
	s.list.unselect()
	s.openForm(form())
}
