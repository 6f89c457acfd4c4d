package ui

import (
	"context"
)

// slot is one kind of background work of a screen (loading the list,
// loading the selected record, searching). Starting new work in a slot
// cancels the old one and makes its result stale: a late answer to an
// outdated question is dropped instead of overwriting the new one.
//
// gen and cancel are only touched on the UI goroutine.
type slot struct {
	gen    uint64
	cancel context.CancelFunc
}

// stop cancels the slot's running work and drops its result.
func (s *slot) stop() {
	s.gen++
	if s.cancel != nil {
		s.cancel()
		s.cancel = nil
	}
}

// run does work in a goroutine and applies its result on the UI goroutine
// if no newer work started in the slot meanwhile. Call it on the UI
// goroutine.
func run[T any](a *App, s *slot, work func(ctx context.Context) (T, error), apply func(T, error)) {
	s.stop()
	gen := s.gen
	ctx, cancel := context.WithCancel(a.ctx)
	s.cancel = cancel
	a.jobs.Add(1)
	go func() {
		v, err := work(ctx)
		a.do(func() {
			defer a.jobs.Add(-1)
			if gen != s.gen {
				return
			}
			cancel()
			s.cancel = nil
			apply(v, err)
		})
	}()
}

// background does work that belongs to no slot (a save, a delete) and
// applies its result on the UI goroutine.
func background[T any](a *App, work func(ctx context.Context) (T, error), apply func(T, error)) {
	a.jobs.Add(1)
	go func() {
		v, err := work(a.ctx)
		a.do(func() {
			defer a.jobs.Add(-1)
			apply(v, err)
		})
	}()
}

// none is the result type of work that only reports an error.
type none = struct{}
