package ui

import (
	"context"
	"errors"
	"maps"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"repdesk/localdb"
)

// formValues is what a form shows, field by field, as text. Comparing two
// of them says what the rep changed; it is also how an edit survives a save
// that found the record changed meanwhile.
type formValues map[string]string

// changedOnto returns base with every field the rep changed (cur differs
// from orig) taken from cur.
func changedOnto(base, orig, cur formValues) formValues {
	out := maps.Clone(base)
	for k, v := range cur {
		if orig[k] != v {
			out[k] = v
		}
	}
	return out
}

// recordForm is the frame every edit form shares: Save and Cancel, a banner
// for what went wrong, saving off the UI goroutine, and the rules that no
// typed text is lost: a failed save keeps the form open with its values,
// cancelling asks first when something changed, and a record that changed
// meanwhile gets the rep's changes put on top of the newer version.
type recordForm[T any] struct {
	a       *App
	orig    *T
	start   formValues // the values the form opened with
	banner  errorText
	saveBtn *widget.Button
	root    fyne.CanvasObject
	saving  bool

	hooks formHooks[T]
}

// formHooks is what a particular form adds to the frame.
type formHooks[T any] struct {
	toValues func(*T) formValues            // a record as the form shows it
	values   func() formValues              // what the widgets hold now
	fill     func(formValues)               // put values into the widgets
	check    func() bool                    // validate without the database; marks fields
	build    func(orig *T, v formValues) *T // the record to save
	persist  func(ctx context.Context, rec *T) error
	reload   func(ctx context.Context, orig *T) (*T, error)
	// fieldError shows a store's validation error at its field; false when
	// the form has no such field.
	fieldError func(*localdb.ValidationError) bool
	onSaved    func(*T)
	onClosed   func()
	// discardText asks whether unsaved changes may go.
	discardText string
}

func newRecordForm[T any](a *App, orig *T, title string, body fyne.CanvasObject, h formHooks[T]) *recordForm[T] {
	f := &recordForm[T]{a: a, orig: orig, hooks: h, banner: newErrorText()}
	f.saveBtn = widget.NewButtonWithIcon(lang.L("Save"), theme.DocumentSaveIcon(), f.save)
	f.saveBtn.Importance = widget.HighImportance
	cancel := widget.NewButtonWithIcon(lang.L("Cancel"), theme.CancelIcon(), f.cancel)
	hint := secondary(lang.L("Ctrl+S saves, Esc cancels"))
	var head fyne.CanvasObject // none in a dialog, which has its own title
	if title != "" {
		head = heading(title)
	}
	header := container.NewBorder(nil, nil, head, container.NewHBox(hint, cancel, f.saveBtn))
	f.root = container.NewBorder(container.NewPadded(container.NewVBox(header, f.banner, widget.NewSeparator())), nil, nil, nil,
		container.NewVScroll(container.NewPadded(container.New(&maxWidth{w: 760}, body))))
	f.start = h.toValues(orig)
	h.fill(f.start)
	return f
}

func (f *recordForm[T]) view() fyne.CanvasObject { return f.root }

func (f *recordForm[T]) dirty() bool { return !maps.Equal(f.hooks.values(), f.start) }

func (f *recordForm[T]) save() {
	if f.saving {
		return
	}
	f.banner.set("")
	if !f.hooks.check() {
		f.banner.set(lang.L("Please correct the marked fields."))
		return
	}
	v := f.hooks.values()
	rec := f.hooks.build(f.orig, v)
	f.saving = true
	f.saveBtn.Disable()
	background(f.a, func(ctx context.Context) (*T, error) {
		return rec, f.hooks.persist(ctx, rec)
	}, func(rec *T, err error) {
		f.saving = false
		f.saveBtn.Enable()
		if err != nil {
			f.saveFailed(err, v)
			return
		}
		f.hooks.onSaved(rec)
	})
}

// saveFailed says why the save failed, next to the field at fault where
// there is one; nothing typed is lost.
func (f *recordForm[T]) saveFailed(err error, v formValues) {
	var ve *localdb.ValidationError
	switch {
	case errors.As(err, &ve) && f.hooks.fieldError(ve):
		f.banner.set(lang.L("Please correct the marked fields."))
	case errors.Is(err, localdb.ErrStale):
		f.mergeNewer(v)
	default:
		f.banner.set(lang.L("Could not save: {{.Error}}. Your changes are still here; try again.", map[string]any{"Error": errorMessage(err)}))
	}
}

// mergeNewer reloads a record that changed while it was edited and puts the
// rep's changes on top of the newer version, for the rep to check.
func (f *recordForm[T]) mergeNewer(v formValues) {
	background(f.a, func(ctx context.Context) (*T, error) {
		return f.hooks.reload(ctx, f.orig)
	}, func(fresh *T, err error) {
		if err != nil {
			f.banner.set(lang.L("Could not load the newer version: {{.Error}}. Your changes are still here.", map[string]any{"Error": errorMessage(err)}))
			return
		}
		merged := changedOnto(f.hooks.toValues(fresh), f.start, v)
		f.orig, f.start = fresh, f.hooks.toValues(fresh)
		f.hooks.fill(merged)
		f.banner.set(lang.L("Someone changed this record meanwhile. Your changes are kept on top of the newer version; check them and save again."))
	})
}

func (f *recordForm[T]) cancel() {
	if !f.dirty() {
		f.hooks.onClosed()
		return
	}
	f.a.confirmDiscard(f.hooks.discardText, f.hooks.onClosed)
}

// confirmDiscard asks whether unsaved changes may be dropped and calls
// discard if so.
func (a *App) confirmDiscard(text string, discard func()) {
	d := dialog.NewConfirm(lang.L("Discard changes?"), text, func(ok bool) {
		if ok {
			discard()
		}
	}, a.win)
	d.SetConfirmText(lang.L("Discard"))
	d.SetDismissText(lang.L("Keep editing"))
	a.showDialog(d)
}

// confirmDeleteRecord asks, then deletes record id of entity off the UI
// goroutine and calls deleted; a failure is shown.
func (a *App) confirmDeleteRecord(title, text, entity, id string, deleted func()) {
	c := dialog.NewConfirm(title, text, func(ok bool) {
		if !ok {
			return
		}
		background(a, func(ctx context.Context) (none, error) {
			return none{}, a.store.Delete(ctx, entity, id)
		}, func(_ none, err error) {
			if err != nil {
				a.showError(lang.L("Could not delete"), err)
				return
			}
			deleted()
		})
	}, a.win)
	c.SetConfirmText(lang.L("Delete"))
	c.SetDismissText(lang.L("Cancel"))
	c.SetConfirmImportance(widget.DangerImportance)
	a.showDialog(c)
}

// fieldProblem is a validation error as shown under its field:
// “max@”: missing domain.
func fieldProblem(err error) string {
	var ve *localdb.ValidationError
	if errors.As(err, &ve) {
		if ve.Value == "" {
			return problemText(ve.Problem)
		}
		return "“" + ve.Value + "”: " + problemText(ve.Problem)
	}
	return errorMessage(err)
}
