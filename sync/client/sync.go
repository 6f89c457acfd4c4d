package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"repdesk/localdb"
	"repdesk/sync/internal/rawjson"
	"repdesk/sync/protocol"
)

// Result is what one sync did. The JSON names are those of
// `repdesk sync --json`.
type Result struct {
	Pushed    int `json:"pushed"`    // journal entries the hub processed
	Pulled    int `json:"pulled"`    // records pulled (changes and snapshot rows)
	Conflicts int `json:"conflicts"` // conflicts received
	Rejected  int `json:"rejected"`  // local changes the hub refused
	Pending   int `json:"pending"`   // journal entries still waiting (made during the sync)
	// Resynced: the sync loaded a full snapshot (first sync, or the
	// cursor had expired).
	Resynced bool `json:"-"`
}

// Sync pushes every pending local change and pulls the hub's changes to
// the end, then records the run in the sync history. Its error wraps
// ErrUnreachable when the hub cannot be reached; nothing is lost then.
func (c *Client) Sync(ctx context.Context) (Result, error) {
	c.syncMu.Lock()
	defer c.syncMu.Unlock()
	started := time.Now()
	c.setSyncing(true)
	res, err := c.syncLocked(ctx)
	c.setSyncing(false)
	run := localdb.SyncRun{Started: started, Finished: time.Now(), Pushed: res.Pushed, Pulled: res.Pulled,
		Conflicts: res.Conflicts, Rejected: res.Rejected}
	if err != nil {
		run.Error = err.Error()
	}
	if !errors.Is(err, ErrNotConfigured) {
		// A run that could not even start is not history; a failed one is.
		if rerr := c.store.AddSyncRun(context.WithoutCancel(ctx), run); rerr != nil && err == nil {
			err = rerr
		}
	}
	c.finish(err)
	return res, err
}

// Push sends every pending local change without pulling; Sync does both.
func (c *Client) Push(ctx context.Context) (Result, error) {
	c.syncMu.Lock()
	defer c.syncMu.Unlock()
	var res Result
	s, err := c.session(ctx)
	if err == nil {
		err = c.push(ctx, s, &res)
	}
	if err == nil {
		res.Pending, err = c.store.PendingCount(ctx)
	}
	c.finish(err)
	return res, err
}

func (c *Client) syncLocked(ctx context.Context) (Result, error) {
	var res Result
	s, err := c.session(ctx)
	if err != nil {
		return res, err
	}
	if err := c.push(ctx, s, &res); err != nil {
		return res, err
	}
	if c.hooks.beforePull != nil {
		c.hooks.beforePull()
	}
	if err := c.pull(ctx, s, &res); err != nil {
		return res, err
	}
	if !c.opts.BackgroundIndex {
		if err := c.IndexPending(ctx); err != nil {
			return res, err
		}
	}
	if err := c.store.SetSyncValue(ctx, localdb.SyncLastSync, time.Now().UTC().Format(time.RFC3339Nano)); err != nil {
		return res, fmt.Errorf("sync: %w", err)
	}
	if res.Pending, err = c.store.PendingCount(ctx); err != nil {
		return res, fmt.Errorf("sync: %w", err)
	}
	return res, nil
}

// push sends the journal in batches until nothing is pending. The next
// batch is read and encoded while the hub applies the current one; a hub
// of protocol 3 or later also gets it while the client stores the answer
// to the current one (asked to keep that answer's outcomes in case the
// client loses it), so the client's and the hub's work overlap on the two
// cores. A batch is marked pushed only after the hub's answer.
func (c *Client) push(ctx context.Context, s *session, res *Result) error {
	total, err := c.store.PendingCount(ctx)
	if err != nil {
		return fmt.Errorf("push: %w", err)
	}
	if total > 0 {
		if err := c.checkClientID(ctx, s); err != nil {
			return err
		}
	}
	c.progress(0, total)
	cur := c.readBatch(ctx, s, 0, 0)
	if cur.err != nil || len(cur.batch) == 0 {
		return cur.err
	}
	inflight := c.send(ctx, s, cur)
	for {
		// Read while the hub works. Sent before the current answer is
		// stored, the next batch asks the hub to keep that answer.
		next := make(chan outgoingBatch, 1)
		go func(after, keepFrom int64) { next <- c.readBatch(ctx, s, after, keepFrom) }(
			cur.batch[len(cur.batch)-1].Seq, cur.batch[0].Seq)
		answer := <-inflight
		c.noteContact(answer.err)
		prefetched := <-next
		// The hub waits for the next batch: it goes before the answer is
		// read, once the hub says it processed the whole current one.
		pipelined := answer.err == nil && answer.hubVersion >= 3 && answer.resp.LastMutation >= cur.batch[len(cur.batch)-1].Seq &&
			prefetched.err == nil && len(prefetched.batch) > 0 && !overlaps(cur.batch, prefetched.batch)
		if pipelined {
			inflight = c.send(ctx, s, prefetched)
		}
		out, err := c.answerOf(cur, answer)
		if err == nil {
			err = c.storeAnswer(ctx, out, res)
		}
		if err != nil {
			if pipelined {
				<-inflight // the hub keeps its outcomes for the next push
			}
			return err
		}
		c.progress(res.Pushed, max(total, res.Pushed))
		if !pipelined {
			if out.processed < len(cur.batch) || overlaps(cur.batch, prefetched.batch) {
				// Unprocessed changes go again, and the bases of a record's
				// later changes are read again now that the answer is stored.
				prefetched = c.readBatch(ctx, s, 0, 0)
			}
			if prefetched.err != nil || len(prefetched.batch) == 0 {
				return prefetched.err
			}
			inflight = c.send(ctx, s, prefetched)
		}
		cur = prefetched
	}
}

// outgoingBatch is a batch of journal entries read and encoded for a push.
type outgoingBatch struct {
	batch []localdb.Outgoing
	body  requestBody
	sent  []sentMutation
	err   error
}

// readBatch reads and encodes the next batch of unpushed journal entries
// after seq after, asking the hub to keep the outcomes from keepFrom (see
// protocol.PushRequest).
func (c *Client) readBatch(ctx context.Context, s *session, after, keepFrom int64) outgoingBatch {
	batch, err := c.store.PendingOutgoing(ctx, after, c.opts.PushBatch)
	if err != nil {
		return outgoingBatch{err: fmt.Errorf("push: %w", err)}
	}
	if len(batch) == 0 {
		return outgoingBatch{}
	}
	body, sent, err := appendPushRequest(make([]byte, 0, 256*len(batch)), s.clientID, keepFrom, batch)
	if err != nil {
		return outgoingBatch{err: err}
	}
	zbody, err := gzipBody(body)
	if err != nil {
		return outgoingBatch{err: fmt.Errorf("push: %w", err)}
	}
	return outgoingBatch{batch: batch, body: zbody, sent: sent}
}

// overlaps reports whether two batches change a record in common.
func overlaps(a, b []localdb.Outgoing) bool {
	if len(b) == 0 {
		return false
	}
	type key struct{ entity, id string }
	in := make(map[key]bool, len(a))
	for _, o := range a {
		in[key{o.Entity, o.RecordID}] = true
	}
	for _, o := range b {
		if in[key{o.Entity, o.RecordID}] {
			return true
		}
	}
	return false
}

// hubAnswer is the hub's answer to a push, or why there is none.
type hubAnswer struct {
	resp       protocol.PushResponse
	hubVersion int
	err        error
}

// send posts a batch; its answer arrives on the channel returned.
func (c *Client) send(ctx context.Context, s *session, ob outgoingBatch) <-chan hubAnswer {
	answer := make(chan hubAnswer, 1)
	go func() {
		resp, version, err := s.api.push(ctx, ob.body)
		answer <- hubAnswer{resp: resp, hubVersion: version, err: err}
	}()
	return answer
}

// batchAnswer is what the hub's answer to a batch means for the store.
type batchAnswer struct {
	outcomes            []localdb.PushOutcome
	hubValues           []localdb.HubFieldValue
	conflicts           []protocol.Conflict
	processed, rejected int
}

// answerOf reads the hub's answer to a batch.
func (c *Client) answerOf(ob outgoingBatch, answer hubAnswer) (batchAnswer, error) {
	if answer.err != nil {
		return batchAnswer{}, answer.err
	}
	var out batchAnswer
	var err error
	out.outcomes, out.hubValues, out.conflicts, err = outcomesOf(ob.batch, ob.sent, &answer.resp)
	if err != nil {
		return batchAnswer{}, err
	}
	for _, o := range out.outcomes {
		if o.Processed {
			out.processed++
		}
		if o.Rejected != "" {
			out.rejected++
		}
	}
	if out.processed == 0 {
		return batchAnswer{}, fmt.Errorf("push: the hub processed none of %d changes (its last mutation is %d, ours start at %d)",
			len(ob.batch), answer.resp.LastMutation, ob.batch[0].Seq)
	}
	return out, nil
}

// storeAnswer marks what the hub processed pushed and stores the versions,
// values and conflicts it answered, in one transaction.
func (c *Client) storeAnswer(ctx context.Context, out batchAnswer, res *Result) error {
	if c.hooks.afterPushAnswer != nil {
		if err := c.hooks.afterPushAnswer(); err != nil {
			return fmt.Errorf("push: %w", err)
		}
	}
	var fresh int
	err := c.store.Update(ctx, func(t *localdb.Tx) error {
		if err := t.ApplyPushOutcomes(out.outcomes, out.hubValues); err != nil {
			return err
		}
		var err error
		fresh, err = putConflicts(t, out.conflicts)
		return err
	})
	if err != nil {
		return fmt.Errorf("push: store the hub's answer: %w", err)
	}
	res.Pushed += out.processed
	res.Rejected += out.rejected
	res.Conflicts += fresh
	return nil
}

// checkClientID asks the hub (an empty push) for the last mutation number
// it applied from this client id. A number above any this database ever
// gave means the database was restored from a backup or copied: its new
// changes would reuse numbers the hub has seen and be skipped as
// duplicates. The installation then takes a new client id.
func (c *Client) checkClientID(ctx context.Context, s *session) error {
	body, _, err := appendPushRequest(nil, s.clientID, 0, nil)
	if err != nil {
		return err
	}
	resp, _, err := s.api.push(ctx, requestBody{data: body})
	c.noteContact(err)
	if err != nil {
		return err
	}
	last, err := c.store.LastJournalSeq(ctx)
	if err != nil {
		return fmt.Errorf("push: %w", err)
	}
	if resp.LastMutation <= last {
		return nil
	}
	id, err := c.store.RenewClientID(ctx)
	if err != nil {
		return fmt.Errorf("push: %w", err)
	}
	c.log.Warn("the hub has seen more changes from this installation than its database holds (restored or copied?): new client id",
		"hub_last", resp.LastMutation, "local_last", last)
	s.clientID = id
	return nil
}

// outcomesOf reads the hub's answer to a batch: what to mark pushed, which
// field versions now hold our values, which values the hub kept instead of
// ours, and the conflicts it recorded.
func outcomesOf(batch []localdb.Outgoing, sent []sentMutation, resp *protocol.PushResponse) (
	[]localdb.PushOutcome, []localdb.HubFieldValue, []protocol.Conflict, error) {
	results := make(map[int64]*protocol.MutationResult, len(resp.Results))
	for i := range resp.Results {
		results[resp.Results[i].Number] = &resp.Results[i]
	}
	outcomes := make([]localdb.PushOutcome, 0, len(batch))
	var hubValues []localdb.HubFieldValue
	var conflicts []protocol.Conflict
	for i := range batch {
		o, m := &batch[i], &sent[i]
		out := localdb.PushOutcome{Seq: o.Seq, Entity: o.Entity, RecordID: o.RecordID, Op: m.op,
			Processed: o.Seq <= resp.LastMutation, Fields: m.fields}
		r := results[o.Seq]
		if r == nil || !out.Processed {
			// Not processed: it goes again with the next push.
			outcomes = append(outcomes, localdb.PushOutcome{Seq: o.Seq, Entity: o.Entity, RecordID: o.RecordID})
			continue
		}
		switch r.Status {
		case protocol.StatusRejected:
			out.Rejected = r.Reason
			if out.Rejected == "" {
				out.Rejected = "refused by the hub (no reason given)"
			}
		case protocol.StatusApplied, protocol.StatusConflict:
			lost := map[string]bool{} // fields whose value the hub did not take
			for name, v := range r.Values {
				// Merged tags, a filled-in territory: the hub's value stands.
				lost[name] = true
				hubValues = append(hubValues, localdb.HubFieldValue{Entity: o.Entity, RecordID: o.RecordID,
					Field: name, Value: v, Version: r.Versions[name]})
			}
			editLost := false
			for _, cf := range r.Conflicts {
				conflicts = append(conflicts, cf)
				switch cf.Kind {
				case protocol.ConflictField:
					lost[cf.Field] = true
					hubValues = append(hubValues, localdb.HubFieldValue{Entity: cf.Entity, RecordID: cf.RecordID,
						Field: cf.Field, Value: cf.Server, Version: cf.ServerVersion})
				case protocol.ConflictEditDelete:
					if !rawjson.IsNull(cf.Client) {
						editLost = true // our edit met a delete: the delete stands
					}
				}
			}
			if editLost {
				break
			}
			for name, v := range r.Versions {
				if !m.sets(name) || lost[name] {
					continue
				}
				if out.Confirmed == nil {
					out.Confirmed = map[string]int64{}
				}
				out.Confirmed[name] = v
			}
		case protocol.StatusDuplicate:
			// Processed by an earlier push whose answer was lost, and the
			// hub no longer remembers how (it answers the first outcome
			// when it does): the pull brings the record's state.
		default:
			return nil, nil, nil, fmt.Errorf("push: the hub answered mutation %d with unknown status %q", o.Seq, r.Status)
		}
		outcomes = append(outcomes, out)
	}
	return outcomes, hubValues, conflicts, nil
}

// putConflicts stores conflicts received from the hub and returns how many
// of them are new and open.
func putConflicts(t *localdb.Tx, cs []protocol.Conflict) (int, error) {
	fresh := 0
	for i := range cs {
		body, err := json.Marshal(&cs[i])
		if err != nil {
			return 0, fmt.Errorf("store conflict %s: %w", cs[i].ID, err)
		}
		isNew, err := t.PutConflict(localdb.StoredConflict{ID: cs[i].ID, Seq: cs[i].Seq, Entity: cs[i].Entity,
			RecordID: cs[i].RecordID, Body: body, Resolved: cs[i].Resolved})
		if err != nil {
			return 0, err
		}
		if isNew && !cs[i].Resolved {
			fresh++
		}
	}
	return fresh, nil
}

// fieldValuesOf lists the hub values that field conflicts report.
func fieldValuesOf(cs []protocol.Conflict) []localdb.HubFieldValue {
	var out []localdb.HubFieldValue
	for _, cf := range cs {
		if cf.Kind == protocol.ConflictField && cf.Field != "" {
			out = append(out, localdb.HubFieldValue{Entity: cf.Entity, RecordID: cf.RecordID, Field: cf.Field,
				Value: cf.Server, Version: cf.ServerVersion})
		}
	}
	return out
}

// pull brings the hub's changes since the cursor, page by page; without a
// cursor (first sync) or with an expired one it loads a snapshot first.
func (c *Client) pull(ctx context.Context, s *session, res *Result) error {
	for {
		cursor, err := c.cursor(ctx)
		if err != nil {
			return err
		}
		if cursor < 0 {
			if err := c.snapshot(ctx, s, res); err != nil {
				return err
			}
			continue
		}
		page, err := s.api.pull(ctx, s.clientID, cursor, c.opts.PullLimit)
		c.noteContact(err)
		if errors.Is(err, errCursorExpired) {
			// Long offline: re-sync from a snapshot, dropping what the hub
			// no longer has but keeping every unpushed local change.
			c.log.Info("pull cursor expired; re-syncing from a snapshot", "cursor", cursor)
			if err := c.startSnapshot(ctx, true); err != nil {
				return err
			}
			continue
		}
		if err != nil {
			return err
		}
		recs := hubRecords(page.Changes)
		var fresh int
		err = c.store.Update(ctx, func(t *localdb.Tx) error {
			if err := t.ApplyHubRecords(recs, fieldValuesOf(page.Conflicts), localdb.ApplyOptions{}); err != nil {
				return err
			}
			if fresh, err = putConflicts(t, page.Conflicts); err != nil {
				return err
			}
			if c.hooks.beforeCursor != nil {
				if err := c.hooks.beforeCursor(); err != nil {
					return err
				}
			}
			return t.SetSyncValue(localdb.SyncCursor, strconv.FormatInt(page.Cursor, 10))
		})
		if errors.Is(err, localdb.ErrOwnRecordMissing) {
			// A record this client changed last is gone from here (the
			// database was tampered with?): the hub left out values only
			// this client had. A re-sync brings them whole.
			c.log.Warn("re-syncing: " + err.Error())
			if err := c.startSnapshot(ctx, true); err != nil {
				return err
			}
			continue
		}
		if err != nil {
			return fmt.Errorf("pull: apply changes after cursor %d: %w", cursor, err)
		}
		res.Pulled += len(recs)
		res.Conflicts += fresh
		c.progressPulled(res.Pulled)
		if !page.HasMore {
			return nil
		}
	}
}

// cursor returns the pull cursor, or -1 when a snapshot must load first.
func (c *Client) cursor(ctx context.Context) (int64, error) {
	if _, err := c.store.SyncValue(ctx, localdb.SyncSnapshotGen); err == nil {
		return -1, nil // a snapshot is in progress
	} else if !errors.Is(err, localdb.ErrNotFound) {
		return 0, err
	}
	v, err := c.store.SyncValue(ctx, localdb.SyncCursor)
	if errors.Is(err, localdb.ErrNotFound) {
		// The first sync with this hub. Local records already pushed that
		// the snapshot lacks were deleted on the hub meanwhile: drop them,
		// unless they came from another hub (after a switch), which never
		// had them.
		keep, err := c.store.SyncValue(ctx, localdb.SyncKeepUnlisted)
		if err != nil && !errors.Is(err, localdb.ErrNotFound) {
			return 0, err
		}
		return -1, c.startSnapshot(ctx, keep != "1")
	}
	if err != nil {
		return 0, err
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("stored pull cursor %q: %w", v, err)
	}
	return n, nil
}

// startSnapshot records that a snapshot must load, with a new generation
// mark; sweep: drop afterwards the local records it does not list.
func (c *Client) startSnapshot(ctx context.Context, sweep bool) error {
	return c.store.Update(ctx, func(t *localdb.Tx) error {
		gen := time.Now().UnixNano()
		if err := t.SetSyncValue(localdb.SyncSnapshotGen, strconv.FormatInt(gen, 10)); err != nil {
			return err
		}
		if sweep {
			if err := t.SetSyncValue(localdb.SyncSnapshotSweep, "1"); err != nil {
				return err
			}
		}
		for _, k := range []string{localdb.SyncSnapshotAfter, localdb.SyncSnapshotUntil, localdb.SyncSnapshotFromEmpty,
			localdb.SyncCursor} {
			if err := t.DeleteSyncValue(k); err != nil {
				return err
			}
		}
		return nil
	})
}

// indexBatch is the number of records IndexPending indexes per transaction,
// so that local writes wait at most a few hundred milliseconds.
const indexBatch = 2000

// IndexPending writes the search rows of records a snapshot stored without
// them (see Options.BackgroundIndex), in batches, until none is left or ctx
// ends.
func (c *Client) IndexPending(ctx context.Context) error {
	total, err := c.store.UnindexedCount(ctx)
	if err != nil || total == 0 {
		return err
	}
	c.setIndexing(true)
	defer c.setIndexing(false)
	done := 0
	for more := true; more; {
		if err := ctx.Err(); err != nil {
			return err
		}
		var n int
		if n, more, err = c.store.IndexPending(ctx, indexBatch); err != nil {
			return fmt.Errorf("search index: %w", err)
		}
		// Records stored meanwhile may be indexed too: the count at the
		// start is a guide, not a bound.
		done = min(done+n, total)
		c.progress(done, total)
	}
	return nil
}

// snapshotState is the progress of a snapshot, kept in sync_meta so that an
// interrupted one resumes.
type snapshotState struct {
	gen, after, until int64
	sweep             bool
	// fromEmpty: the snapshot began in a store without records (see
	// localdb.SyncSnapshotFromEmpty); the sweep has nothing to drop.
	fromEmpty bool
}

func (c *Client) loadSnapshotState(ctx context.Context) (snapshotState, error) {
	var st snapshotState
	for key, dst := range map[string]*int64{localdb.SyncSnapshotGen: &st.gen, localdb.SyncSnapshotAfter: &st.after,
		localdb.SyncSnapshotUntil: &st.until} {
		v, err := c.store.SyncValue(ctx, key)
		if errors.Is(err, localdb.ErrNotFound) {
			continue
		}
		if err != nil {
			return st, err
		}
		if *dst, err = strconv.ParseInt(v, 10, 64); err != nil {
			return st, fmt.Errorf("stored %s %q: %w", key, v, err)
		}
	}
	for key, dst := range map[string]*bool{localdb.SyncSnapshotSweep: &st.sweep, localdb.SyncSnapshotFromEmpty: &st.fromEmpty} {
		v, err := c.store.SyncValue(ctx, key)
		if err != nil && !errors.Is(err, localdb.ErrNotFound) {
			return st, err
		}
		*dst = v == "1"
	}
	return st, nil
}

// snapshotPage is a fetched page or the error that ended fetching.
type snapshotPage struct {
	page wireSnapshot
	recs []localdb.HubRecord
	err  error
}

// snapshot loads the hub's records page by page, fetching the next page
// while the current one is applied. Each page is applied with its progress
// in one transaction; the last one also sweeps (on a re-sync) and sets the
// pull cursor. The tables a first sync fills from empty are written
// without their indexes, which the last page creates again (see
// localdb.Tx.SuspendIndexes).
func (c *Client) snapshot(ctx context.Context, s *session, res *Result) error {
	st, err := c.loadSnapshotState(ctx)
	if err != nil {
		return fmt.Errorf("snapshot: %w", err)
	}
	res.Resynced = true
	fetchCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	pages := make(chan snapshotPage, 1)
	go c.fetchSnapshot(fetchCtx, s, st.after, st.until, pages)
	for p := range pages {
		c.noteContact(p.err)
		if errors.Is(p.err, errCursorExpired) && st.until != 0 {
			// The hub pruned past the snapshot's cursor while it was
			// interrupted: start it again.
			c.log.Info("snapshot expired; starting it again", "until", st.until)
			cancel()
			return c.startSnapshot(ctx, st.sweep)
		}
		if p.err != nil {
			return p.err
		}
		page := &p.page
		var fresh int
		fromEmpty := st.fromEmpty
		err := c.store.Update(ctx, func(t *localdb.Tx) error {
			if st.after == 0 {
				// A store without records (a first sync) has none the
				// snapshot could lack: records made here meanwhile are new
				// to the hub. Its sweep would read every record to find
				// none.
				empty, err := t.HoldsNoRecords()
				if err != nil {
					return err
				}
				if fromEmpty = st.sweep && empty; fromEmpty {
					if err := t.SetSyncValue(localdb.SyncSnapshotFromEmpty, "1"); err != nil {
						return err
					}
				} else if err := t.DeleteSyncValue(localdb.SyncSnapshotFromEmpty); err != nil {
					return err
				}
				if _, err := t.SuspendIndexes(); err != nil {
					return err
				}
			}
			if err := t.ApplyHubRecords(p.recs, nil, localdb.ApplyOptions{SnapshotGen: st.gen, DeferIndex: true}); err != nil {
				return err
			}
			if st.after == 0 {
				// The first page lists every open conflict in scope.
				var err error
				if fresh, err = putConflicts(t, page.Conflicts); err != nil {
					return err
				}
				if st.sweep {
					open := make(map[string]bool, len(page.Conflicts))
					for _, cf := range page.Conflicts {
						open[cf.ID] = true
					}
					if err := t.MarkConflictsResolvedExcept(open); err != nil {
						return err
					}
				}
			}
			if page.HasMore {
				if err := t.SetSyncValue(localdb.SyncSnapshotUntil, strconv.FormatInt(page.Until, 10)); err != nil {
					return err
				}
				return t.SetSyncValue(localdb.SyncSnapshotAfter, strconv.FormatInt(page.NextAfter, 10))
			}
			if err := t.RestoreIndexes(); err != nil {
				return err
			}
			if st.sweep && !fromEmpty {
				n, err := t.SweepUnlisted(st.gen)
				if err != nil {
					return err
				}
				if n > 0 {
					c.log.Info("re-sync dropped records the hub no longer has for this user", "records", n)
				}
			}
			if c.hooks.beforeCursor != nil {
				if err := c.hooks.beforeCursor(); err != nil {
					return err
				}
			}
			for _, k := range []string{localdb.SyncSnapshotGen, localdb.SyncSnapshotSweep, localdb.SyncSnapshotFromEmpty,
				localdb.SyncSnapshotAfter, localdb.SyncSnapshotUntil, localdb.SyncKeepUnlisted} {
				if err := t.DeleteSyncValue(k); err != nil {
					return err
				}
			}
			return t.SetSyncValue(localdb.SyncCursor, strconv.FormatInt(page.Until, 10))
		})
		if err != nil {
			return fmt.Errorf("snapshot: apply page after %d: %w", st.after, err)
		}
		st.after, st.until, st.fromEmpty = page.NextAfter, page.Until, fromEmpty
		res.Pulled += len(p.recs)
		res.Conflicts += fresh
		c.progressPulled(res.Pulled)
	}
	return nil
}

// fetchSnapshot fetches pages in order into pages, their records prepared
// for storing (localdb.PrepareHubRecords), and closes it after the last page
// or the first error.
func (c *Client) fetchSnapshot(ctx context.Context, s *session, after, until int64, pages chan<- snapshotPage) {
	defer close(pages)
	// send hands a page (or the error that ends the fetching) over, unless
	// the snapshot was given up.
	send := func(p snapshotPage) bool {
		select {
		case pages <- p:
			return true
		case <-ctx.Done():
			return false
		}
	}
	for {
		page, err := s.api.snapshot(ctx, after, until, c.opts.SnapshotLimit)
		if err != nil {
			send(snapshotPage{err: err})
			return
		}
		recs := hubRecords(page.Records)
		if err := localdb.PrepareHubRecords(recs); err != nil {
			send(snapshotPage{err: fmt.Errorf("snapshot: %w", err)})
			return
		}
		if !send(snapshotPage{page: page, recs: recs}) {
			return
		}
		if !page.HasMore {
			return
		}
		after, until = page.NextAfter, page.Until
	}
}
