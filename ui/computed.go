package ui

import (
	"context"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
)

// computedScreen is a screen that shows one picture computed from the
// store: computed when first shown, again when shown after a change, and at
// once when something changes while it is shown. A late result of an
// outdated computation is dropped (the slot). The screen embedding it
// gives its id, label and icon.
type computedScreen[T any] struct {
	a       *App
	self    screen // the embedding screen, to tell whether it is shown
	root    *fyne.Container
	loading *widget.ProgressBarInfinite
	slot    slot
	loaded  bool
	stale   bool
	compute func(ctx context.Context, now time.Time) (T, error)
	render  func(T) fyne.CanvasObject
}

func newComputedScreen[T any](a *App, self screen, compute func(ctx context.Context, now time.Time) (T, error),
	render func(T) fyne.CanvasObject) *computedScreen[T] {
	s := &computedScreen[T]{a: a, self: self, compute: compute, render: render}
	s.loading = widget.NewProgressBarInfinite()
	s.root = container.NewStack(container.NewCenter(s.loading))
	return s
}

func (s *computedScreen[T]) view() fyne.CanvasObject { return s.root }
func (s *computedScreen[T]) stop()                   { s.slot.stop() }

func (s *computedScreen[T]) shown() {
	if !s.loaded || s.stale {
		s.reload()
	}
}

func (s *computedScreen[T]) changed(string) {
	s.stale = true
	if s.a.current() == s.self {
		s.reload()
	}
}

func (s *computedScreen[T]) reload() {
	s.stale = false
	now := s.a.now()
	run(s.a, &s.slot, func(ctx context.Context) (T, error) {
		return s.compute(ctx, now)
	}, func(d T, err error) {
		s.loaded = true
		s.loading.Stop()
		if err != nil {
			s.root.Objects = []fyne.CanvasObject{container.NewPadded(newErrorLabel(errorMessage(err)))}
		} else {
			s.root.Objects = []fyne.CanvasObject{s.render(d)}
		}
		s.root.Refresh()
	})
}
