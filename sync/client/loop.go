package client

import (
	"context"
	"errors"
	"math/rand/v2"
	"time"

	"repdesk/localdb"
)

// Status is what the app's sync indicator shows.
type Status struct {
	Server    string    // "" when no server is configured
	Online    bool      // the last contact with the hub worked
	Syncing   bool      // a sync is running
	Indexing  bool      // records of a first sync are being added to search
	Pending   int       // local changes not yet pushed
	Conflicts int       // conflicts waiting for a decision
	Rejected  int       // local changes the hub refused
	LastSync  time.Time // the last complete sync; zero: never
	LastError string    // why the last sync failed; "" after a good one
	// Done and Total report a running sync's progress: changes pushed of
	// those pending, then records pulled (Total 0: unknown); while
	// indexing, records indexed of those waiting.
	Done, Total int
}

// Status reports the current state; it reads counts from the database.
func (c *Client) Status() Status {
	ctx := context.Background()
	c.mu.Lock()
	st := Status{Online: c.online, Syncing: c.syncing, Indexing: c.indexing, LastError: c.lastError, Done: c.done, Total: c.total}
	c.mu.Unlock()
	var errs []error
	var err error
	st.Server, err = c.Server(ctx)
	errs = append(errs, err)
	st.Pending, err = c.store.PendingCount(ctx)
	errs = append(errs, err)
	st.Conflicts, err = c.store.OpenConflictCount(ctx)
	errs = append(errs, err)
	st.Rejected, err = c.store.RejectedCount(ctx)
	errs = append(errs, err)
	if v, err := c.store.SyncValue(ctx, localdb.SyncLastSync); err == nil {
		st.LastSync, _ = time.Parse(time.RFC3339Nano, v)
	} else if !errors.Is(err, localdb.ErrNotFound) {
		errs = append(errs, err)
	}
	if err := errors.Join(errs...); err != nil && st.LastError == "" {
		st.LastError = err.Error()
	}
	return st
}

// Subscribe calls fn, from any goroutine, whenever the status changes; the
// returned function ends the subscription.
func (c *Client) Subscribe(fn func(Status)) (cancel func()) {
	c.mu.Lock()
	id := c.nextSub
	c.nextSub++
	c.subs[id] = fn
	c.mu.Unlock()
	return func() {
		c.mu.Lock()
		delete(c.subs, id)
		c.mu.Unlock()
	}
}

// publish sends the current status to every subscriber.
func (c *Client) publish() {
	c.mu.Lock()
	n := len(c.subs)
	c.mu.Unlock()
	if n == 0 {
		return
	}
	st := c.Status()
	c.mu.Lock()
	fns := make([]func(Status), 0, len(c.subs))
	for _, fn := range c.subs {
		fns = append(fns, fn)
	}
	c.mu.Unlock()
	for _, fn := range fns {
		fn(st)
	}
}

// noteContact records whether a request reached the hub.
func (c *Client) noteContact(err error) {
	online := err == nil || !errors.Is(err, ErrUnreachable)
	if err != nil && errors.Is(err, context.Canceled) {
		return
	}
	c.mu.Lock()
	changed := c.online != online
	c.online = online
	c.mu.Unlock()
	if changed {
		c.publish()
	}
}

func (c *Client) setSyncing(on bool) {
	c.mu.Lock()
	c.syncing = on
	c.done, c.total = 0, 0
	c.mu.Unlock()
	c.publish()
}

func (c *Client) setIndexing(on bool) {
	c.mu.Lock()
	c.indexing = on
	c.done, c.total = 0, 0
	c.mu.Unlock()
	c.publish()
}

func (c *Client) progress(done, total int) {
	c.mu.Lock()
	c.done, c.total = done, total
	c.mu.Unlock()
	c.publish()
}

func (c *Client) progressPulled(pulled int) { c.progress(pulled, 0) }

// finish records a sync's outcome in the status.
func (c *Client) finish(err error) {
	c.mu.Lock()
	c.lastError = ""
	if err != nil {
		c.lastError = err.Error()
	}
	c.mu.Unlock()
	c.publish()
}

// SyncNow runs a sync at once and returns its error.
func (c *Client) SyncNow(ctx context.Context) error {
	_, err := c.Sync(ctx)
	return err
}

// Trigger asks Run for a sync as soon as possible; it does not wait.
func (c *Client) Trigger() {
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

// SetInterval sets the time between Run's automatic syncs; 0 or less:
// only on demand.
func (c *Client) SetInterval(d time.Duration) {
	c.mu.Lock()
	c.interval = d
	c.mu.Unlock()
	select {
	case c.reconfig <- struct{}{}:
	default:
	}
}

func (c *Client) currentInterval() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.interval
}

// Run is the background loop: a sync at start, then every interval, at
// once on Trigger, and as soon as the hub answers again after it could not
// be reached (probing /healthz with capped, jittered backoff meanwhile). It
// returns when ctx ends.
func (c *Client) Run(ctx context.Context) {
	for {
		_, err := c.Sync(ctx)
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			c.log.Debug("sync failed", "error", err)
		}
		if ierr := c.IndexPending(ctx); ierr != nil && ctx.Err() == nil {
			c.log.Error("search index", "error", ierr)
		}
		if errors.Is(err, ErrUnreachable) {
			if !c.waitOnline(ctx) {
				return
			}
			continue
		}
		if !c.waitNext(ctx) {
			return
		}
	}
}

// waitNext waits for the interval, a Trigger or a new interval; false when
// ctx ended.
func (c *Client) waitNext(ctx context.Context) bool {
	for {
		var tick <-chan time.Time
		var timer *time.Timer
		if d := c.currentInterval(); d > 0 {
			timer = time.NewTimer(d)
			tick = timer.C
		}
		stop := func() {
			if timer != nil {
				timer.Stop()
			}
		}
		select {
		case <-ctx.Done():
			stop()
			return false
		case <-c.wake:
			stop()
			return true
		case <-tick:
			return true
		case <-c.reconfig:
			stop() // re-arm with the new interval
		}
	}
}

// waitOnline probes /healthz with backoff until the hub answers, a Trigger
// arrives or ctx ends (false).
func (c *Client) waitOnline(ctx context.Context) bool {
	wait := c.opts.ProbeWait
	for {
		// Full jitter between half and the whole wait, so that many clients
		// coming back at once spread out.
		d := wait/2 + rand.N(wait/2+1)
		timer := time.NewTimer(d)
		select {
		case <-ctx.Done():
			timer.Stop()
			return false
		case <-c.wake:
			timer.Stop()
			return true
		case <-timer.C:
		}
		if err := c.Probe(ctx, min(10*time.Second, c.opts.Timeout)); err == nil {
			return true
		} else if !errors.Is(err, ErrUnreachable) {
			// Not configured, or the database failed: a sync will say why.
			return true
		}
		wait = min(wait*2, c.opts.ProbeMaxWait)
	}
}
