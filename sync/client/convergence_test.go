package client_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"repdesk/localdb"
	"repdesk/sync/client"
	"repdesk/sync/client/faultproxy"
	"repdesk/sync/hub/hubtest"
	"repdesk/sync/protocol"
)

// TestConvergence is a seeded, replayable random test: 3–5 installations
// of three users make random creates, edits and deletes offline through
// the ordinary localdb API, resolve conflicts now and then, and sync in
// random order through a proxy that drops connections before and after the
// hub commits, delays, answers 500/503, cuts answers short and sends
// requests twice, while the hub restarts and clients crash between the
// hub's commit and its answer or between applying a page and advancing the
// cursor. After fault-free final rounds:
// every installation equals the hub, no acknowledged write is lost, no
// record is duplicated, every installation sends only bases it has seen
// (so every overwritten value is in a conflict record), and the open
// conflicts agree.
//
// Replay a failing seed with REPDESK_SYNC_SEED=N go test -tags ci,migrated_fynedo -run TestConvergence ./sync/client
// (REPDESK_SYNC_SEEDS=N runs seeds 1..N, REPDESK_SYNC_FAULT_SCALE=F scales
// the fault rates).
func TestConvergence(t *testing.T) {
	// Two fixed seeds and a fresh one each run (printed when it fails).
	seeds := []uint64{1, 2, uint64(time.Now().UnixNano() % 1_000_000)}
	if s := os.Getenv("REPDESK_SYNC_SEED"); s != "" {
		n, err := strconv.ParseUint(s, 10, 64)
		require.NoError(t, err, "REPDESK_SYNC_SEED")
		seeds = []uint64{n}
	}
	if s := os.Getenv("REPDESK_SYNC_SEEDS"); s != "" {
		// Exploration: seeds 1..N.
		n, err := strconv.Atoi(s)
		require.NoError(t, err, "REPDESK_SYNC_SEEDS")
		seeds = seeds[:0]
		for i := range n {
			seeds = append(seeds, uint64(i+1))
		}
	}
	hubtest.ForEachBackend(t, func(t *testing.T, backend string) {
		for i, seed := range seeds {
			if backend == hubtest.Postgres && i >= 1 && os.Getenv("REPDESK_SYNC_SEEDS") == "" && os.Getenv("REPDESK_SYNC_SEED") == "" {
				break // one seed on PostgreSQL keeps the run short
			}
			t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) {
				t.Cleanup(func() {
					if t.Failed() {
						t.Logf("replay: REPDESK_SYNC_SEED=%d go test -tags ci,migrated_fynedo -run 'TestConvergence/%s' ./sync/client", seed, backend)
					}
				})
				runConvergence(t, backend, seed)
			})
		}
	})
}

// sim is one run of the convergence test.
type sim struct {
	t       *testing.T
	rng     *rand.Rand
	hub     *hubtest.Hub
	hdb     *hubDB
	devices []*simDevice
	counter int
}

type simDevice struct {
	*device
	user     string
	token    string
	clientID string
}

var simRates = faultproxy.Rates{
	faultproxy.DropRequest: 0.06, faultproxy.DropResponse: 0.08, faultproxy.Delay: 0.08, faultproxy.ServerError: 0.05,
	faultproxy.Unavailable: 0.03, faultproxy.Truncate: 0.06, faultproxy.Duplicate: 0.06,
}

// faultRates are simRates, scaled by REPDESK_SYNC_FAULT_SCALE (e.g. 2 for
// twice as many faults) when set.
func faultRates(t *testing.T) faultproxy.Rates {
	v := os.Getenv("REPDESK_SYNC_FAULT_SCALE")
	if v == "" {
		return simRates
	}
	scale, err := strconv.ParseFloat(v, 64)
	require.NoError(t, err, "REPDESK_SYNC_FAULT_SCALE")
	out := faultproxy.Rates{}
	for f, r := range simRates {
		out[f] = r * scale
	}
	return out
}

func runConvergence(t *testing.T, backend string, seed uint64) {
	rng := rand.New(rand.NewPCG(seed, 7))
	h := hubtest.New(t, hubtest.Options{Backend: backend})
	proxy, err := faultproxy.New(h.URL, seed)
	require.NoError(t, err)
	t.Cleanup(proxy.Close)
	s := &sim{t: t, rng: rng, hub: h, hdb: openHubDB(t, h)}

	tokens := map[string]string{
		"anna": h.AddUser("anna", protocol.RoleRep, "north"),
		"ben":  h.AddUser("ben", protocol.RoleRep, "north"),
		"carl": h.AddUser("carl", protocol.RoleManager),
	}
	users := []string{"anna", "anna", "ben", "carl", "ben"}
	n := 3 + rng.IntN(3)
	for i := range n {
		var storeOpts []localdb.Option
		if i == 1 {
			// A clock a day ahead must change nothing: versions, not
			// clocks, decide.
			storeOpts = append(storeOpts, localdb.WithClock(func() time.Time { return time.Now().Add(24 * time.Hour) }))
		}
		// One retry only, so that faults often cut syncs off half-way.
		d := newDevice(t, fmt.Sprintf("dev%d", i), func(o *client.Options) { o.Retries = 1 }, storeOpts...)
		d.login(proxy.URL, tokens[users[i]])
		id, err := d.store.ClientID(ctx)
		require.NoError(t, err)
		s.devices = append(s.devices, &simDevice{device: d, user: users[i], token: tokens[users[i]], clientID: id})
	}

	proxy.SetRates(faultRates(t))
	failures, restarts, crashes := 0, 0, 0
	const rounds = 14
	for round := range rounds {
		for _, i := range rng.Perm(n) {
			for range rng.IntN(6) {
				s.randomOp(s.devices[i])
			}
		}
		if rng.Float64() < 0.4 {
			s.randomResolve(s.devices[rng.IntN(n)])
		}
		order := rng.Perm(n)
		for _, i := range order[:1+rng.IntN(n)] {
			if rng.Float64() < 0.08 {
				h.Restart()
				restarts++
			}
			d := s.devices[i]
			before := d.pending()
			if rng.Float64() < 0.1 {
				s.armCrash(d)
				crashes++
			}
			_, err := d.client.Sync(ctx)
			client.SetCrashHooks(d.client, nil, nil)
			if err != nil {
				failures++
				// Nothing is lost when a sync fails half-way.
				assert.GreaterOrEqual(t, before+1000, d.pending())
				t.Logf("round %d: %s: sync failed (as faults go): %v", round, d.name, err)
			}
		}
	}
	proxy.SetRates(nil)
	for range 3 {
		for _, d := range s.devices {
			d.sync()
		}
	}
	t.Logf("seed %d: %d devices, %d hub restarts, %d client crashes armed, faults injected: %s; %d syncs failed on the way",
		seed, n, restarts, crashes, proxy.Counts(), failures)
	s.check()
}

// armCrash makes the device's next sync crash once: after the hub answered
// its nth push (the answer is lost), or inside its nth pulled page before
// the cursor advances (the page rolls back).
func (s *sim) armCrash(d *simDevice) {
	n := 1 + s.rng.IntN(2)
	failOnNth := func() func() error {
		calls := 0
		return func() error {
			calls++
			if calls == n {
				return errors.New("crash")
			}
			return nil
		}
	}
	if s.rng.IntN(2) == 0 {
		client.SetCrashHooks(d.client, failOnNth(), nil)
	} else {
		client.SetCrashHooks(d.client, nil, failOnNth())
	}
}

// liveIDs lists the live records of a table in local insertion order.
func liveIDs(t testing.TB, d *device, table string) []string {
	t.Helper()
	rows, err := d.store.DB().Query(`SELECT id FROM ` + table + ` WHERE deleted = 0 ORDER BY rid`)
	require.NoError(t, err)
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		require.NoError(t, rows.Scan(&id))
		out = append(out, id)
	}
	require.NoError(t, rows.Err())
	return out
}

var words = []string{"alpha", "beta", "gamma", "delta", "Köln", "Müller", "north", "süd", "", "x"}

func (s *sim) word() string { return words[s.rng.IntN(len(words))] }

func (s *sim) tags() []string {
	var out []string
	for _, tag := range []string{"a", "b", "c", "d"} {
		if s.rng.IntN(2) == 0 {
			out = append(out, tag)
		}
	}
	return out
}

// randomOp makes one random local change.
func (s *sim) randomOp(d *simDevice) {
	t := s.t
	s.counter++
	companies, contacts := liveIDs(t, d.device, "companies"), liveIDs(t, d.device, "contacts")
	pick := func(ids []string) string { return ids[s.rng.IntN(len(ids))] }
	switch x := s.rng.IntN(10); {
	case x < 2:
		// website is the record's marker: set once, never edited, unique.
		co := &localdb.Company{Name: fmt.Sprintf("Firma %d", s.counter), City: s.word(), Tags: s.tags(),
			Website: fmt.Sprintf("https://%s-%d.example", d.name, s.counter)}
		require.NoError(t, d.store.Create(ctx, co))
	case x < 4:
		ct := &localdb.Contact{FullName: fmt.Sprintf("Kontakt %d %s", s.counter, d.name), Tags: s.tags(),
			Source: fmt.Sprintf("%s-%d", d.name, s.counter)}
		if len(companies) > 0 && s.rng.IntN(2) == 0 {
			ct.CompanyID = pick(companies)
		}
		require.NoError(t, d.store.CreateContact(ctx, ct))
	case x < 8 && len(contacts) > 0 && s.rng.IntN(3) > 0:
		id := pick(contacts)
		s.checkSeen(d, localdb.EntityContact, id)
		c := d.contact(id)
		switch s.rng.IntN(5) {
		case 0:
			c.Title = s.word()
		case 1:
			c.Notes = s.word() + " " + s.word()
		case 2:
			c.LeadStatus = localdb.LeadStatuses[s.rng.IntN(len(localdb.LeadStatuses))]
		case 3:
			c.Tags = s.tags()
		case 4:
			c.DoNotCall = !c.DoNotCall
			c.Title = s.word()
		}
		s.save(d, c)
	case x < 8 && len(companies) > 0:
		id := pick(companies)
		s.checkSeen(d, localdb.EntityCompany, id)
		co, err := d.store.GetCompany(ctx, id)
		require.NoError(t, err)
		switch s.rng.IntN(4) {
		case 0:
			co.City = s.word()
		case 1:
			co.Notes = s.word()
		case 2:
			co.Name = fmt.Sprintf("Firma %d %s", s.counter, s.word())
		case 3:
			co.Tags = s.tags()
		}
		s.save(d, co)
	case x >= 8 && len(contacts)+len(companies) > 0:
		entity, ids := localdb.EntityContact, contacts
		if len(contacts) == 0 || (len(companies) > 0 && s.rng.IntN(3) == 0) {
			entity, ids = localdb.EntityCompany, companies
		}
		require.NoError(t, d.store.Delete(ctx, entity, pick(ids)))
	}
}

func (s *sim) save(d *simDevice, rec localdb.Record) {
	err := d.store.Save(ctx, rec)
	var ve *localdb.ValidationError
	if errors.As(err, &ve) {
		return // e.g. the contact's company was deleted meanwhile: a rep would fix the link first
	}
	require.NoError(s.t, err)
}

// checkSeen asserts what keeps overwrites honest. A push is applied
// without a conflict only when its base is the hub's current version of the
// field (or the hub's current value is this installation's own). So for
// every field this device is about to change without an unpushed change of
// its own, if its base is the hub's current version and another
// installation wrote it, the device must show the hub's value at that
// version: else the edit would replace a value the rep never saw, without a
// conflict record. Tags are exempt: the hub merges concurrent tag sets
// instead.
func (s *sim) checkSeen(d *simDevice, entity, id string) {
	t := s.t
	local, _, err := d.store.FieldValues(ctx, entity, id)
	require.NoError(t, err)
	_, versions, err := d.store.SyncRecord(ctx, entity, id)
	require.NoError(t, err)
	journal, err := d.store.JournalFor(ctx, entity, id)
	require.NoError(t, err)
	pending := map[string]bool{}
	ownLast := map[string]json.RawMessage{} // the value this device last set
	for _, c := range journal {
		for f, v := range c.Fields {
			ownLast[f] = v
			if c.PushedAt.IsZero() {
				pending[f] = true
			}
		}
	}
	// A tombstone counts too: a restore brings its fields back as they are.
	hub, found := s.hdb.record(t, entity, id)
	if !found {
		return // unknown to the hub: an edit becomes a create
	}
	hubFields, hubVersions := hub.fields, hub.versions
	for f, value := range local {
		if f == protocol.FieldTags || pending[f] {
			continue
		}
		if hub.deleted && sameValue(ownLast[f], value) {
			// This device's edit met the delete: the hub keeps it in an
			// edit_delete conflict, and the device saw the value at its base
			// before it made the edit. The delete reaches it with the next
			// pull.
			continue
		}
		base, cur := versions[f], hubVersions[f]
		switch {
		case base > cur:
			t.Errorf("%s: %s %s field %s: base %d is newer than the hub's version %d\n%s", d.name, entity, id, f, base, cur,
				s.history(d, entity, id))
		case cur == 0:
			// Unset on the hub: nothing there to overwrite.
		case base == cur && !sameValue(hubFields[f], value) && s.hdb.author(t, cur) != d.clientID:
			// (A value this device wrote itself it has seen, whatever it
			// shows now.)
			t.Errorf("%s: %s %s field %s shows %s but its base %d, the hub's current version, holds %s\n%s", d.name, entity,
				id, f, value, base, hubFields[f], s.history(d, entity, id))
		}
	}
}

// history describes a record's journal on d and its life on the hub, for
// failure messages.
func (s *sim) history(d *simDevice, entity, id string) string {
	t := s.t
	var b strings.Builder
	journal, err := d.store.JournalFor(ctx, entity, id)
	require.NoError(t, err)
	seq, versions, err := d.store.SyncRecord(ctx, entity, id)
	require.NoError(t, err)
	fmt.Fprintf(&b, "%s (client %s) record seq %d versions %v\n", d.name, d.clientID, seq, versions)
	for _, c := range journal {
		fmt.Fprintf(&b, "  journal %d %s %s pushed=%v\n", c.Seq, c.Op, fieldsText(c.Fields), !c.PushedAt.IsZero())
	}
	for _, c := range s.hdb.changes(t) {
		if c.entity == entity && c.recordID == id {
			fmt.Fprintf(&b, "  hub change %d %s by %s %s\n", c.seq, c.op, s.deviceOf(c.clientID), fieldsText(c.fields))
		}
	}
	for _, c := range s.hdb.conflicts(t) {
		if c.entity == entity && c.recordID == id {
			fmt.Fprintf(&b, "  hub conflict %s %s field %q client(%s)=%s server=%s resolved=%v\n", c.id[len(c.id)-6:], c.kind, c.field,
				s.deviceOf(c.clientID), c.client, c.server, c.resolved)
		}
	}
	return b.String()
}

func (s *sim) deviceOf(clientID string) string {
	for _, d := range s.devices {
		if d.clientID == clientID {
			return d.name
		}
	}
	return clientID
}

func fieldsText(f map[string]json.RawMessage) string {
	keys := slices.Sorted(maps.Keys(f))
	var parts []string
	for _, k := range keys {
		parts = append(parts, k+"="+string(f[k]))
	}
	return "{" + strings.Join(parts, " ") + "}"
}

// randomResolve decides a random open conflict of d.
func (s *sim) randomResolve(d *simDevice) {
	cs, err := d.client.Conflicts(ctx)
	require.NoError(s.t, err)
	if len(cs) == 0 {
		return
	}
	cf := cs[s.rng.IntN(len(cs))]
	keeps := []string{client.KeepMine, client.KeepTheirs}
	if cf.Deleted {
		keeps = append(keeps, client.KeepRestore)
	}
	require.NoError(s.t, d.client.Resolve(ctx, cf.ID, keeps[s.rng.IntN(len(keeps))]))
}

var tables = map[string]string{localdb.EntityCompany: "companies", localdb.EntityContact: "contacts",
	localdb.EntityDeal: "deals", localdb.EntityActivity: "activities", localdb.EntityTask: "tasks", localdb.EntityVisit: "visits"}

// check runs the final assertions.
func (s *sim) check() {
	t := s.t
	views := map[string]map[hubtest.Key]protocol.Record{}
	openOnHub := map[string]map[string]bool{}
	for _, d := range s.devices {
		if _, ok := views[d.user]; ok {
			continue
		}
		hc := s.hub.Client(d.token)
		_, err := hc.FullSync(ctx, 0)
		require.NoError(t, err)
		views[d.user] = hc.Records
		openOnHub[d.user] = map[string]bool{}
		for id, cf := range hc.Conflicts {
			if !cf.Resolved {
				openOnHub[d.user][id] = true
			}
		}
	}
	changes := s.hdb.changes(t)
	conflicts := s.hdb.conflicts(t)

	for _, d := range s.devices {
		// Everything is pushed, and the hub has applied exactly up to it.
		assert.Zero(t, d.pending(), "%s: pending changes after the final syncs", d.name)
		journal, err := d.store.Journal(ctx, 0, 1_000_000)
		require.NoError(t, err)
		var last int64
		if len(journal) > 0 {
			last = journal[len(journal)-1].Seq
		}
		assert.Equal(t, last, s.hdb.lastMutation(t, d.clientID), "%s: the hub's last mutation", d.name)
		rejected, err := d.store.RejectedChanges(ctx)
		require.NoError(t, err)
		assert.Empty(t, rejected, "%s: the hub refused changes", d.name)

		// Every installation equals the hub, in its user's scope.
		view := views[d.user]
		local := map[hubtest.Key]map[string]json.RawMessage{}
		for entity, table := range tables {
			for _, id := range liveIDs(t, d.device, table) {
				f, _, err := d.store.FieldValues(ctx, entity, id)
				require.NoError(t, err)
				local[hubtest.Key{Entity: entity, ID: id}] = f
			}
		}
		for k, r := range view {
			if r.Op != protocol.ChangeUpsert {
				continue
			}
			lf, ok := local[k]
			if !assert.True(t, ok, "%s lacks %s %s that the hub has", d.name, k.Entity, k.ID) {
				continue
			}
			for f, lv := range lf {
				hv, ok := r.Fields[f]
				if !ok {
					assert.True(t, isZeroValue(lv), "%s: %s %s field %s is %s here, unset on the hub", d.name, k.Entity, k.ID, f, lv)
					continue
				}
				assert.True(t, sameValue(hv, lv), "%s: %s %s field %s is %s here, %s on the hub", d.name, k.Entity, k.ID, f, lv, hv)
			}
		}
		for k := range local {
			if r, ok := view[k]; !ok || r.Op != protocol.ChangeUpsert {
				t.Errorf("%s has %s %s that the hub does not\n%s", d.name, k.Entity, k.ID, s.history(d, k.Entity, k.ID))
			}
		}

		// No record is duplicated: each marker appears once.
		markers := map[string]int{}
		for k, f := range local {
			for _, name := range []string{"source", "website"} {
				if v, ok := f[name]; ok && !isZeroValue(v) && (k.Entity == localdb.EntityContact) == (name == "source") {
					markers[string(v)]++
				}
			}
		}
		for m, n := range markers {
			assert.Equal(t, 1, n, "%s: marker %s on %d records", d.name, m, n)
		}

		// The open conflicts agree with the hub's.
		open, err := d.store.Conflicts(ctx, true)
		require.NoError(t, err)
		got := map[string]bool{}
		for _, c := range open {
			got[c.ID] = true
		}
		assert.Equal(t, openOnHub[d.user], got, "%s: open conflicts", d.name)

		// No acknowledged write is lost: every value this installation
		// sent is in the hub's change log or in a conflict record (tags:
		// each tag in some logged set, as the hub unites them).
		for _, c := range journal {
			for f, v := range c.Fields {
				if !valueAccounted(changes, conflicts, c.Entity, c.RecordID, f, v) {
					t.Errorf("%s: change %d (%s %s %s) set %s to %s; neither the hub's log nor a conflict has it",
						d.name, c.Seq, c.Op, c.Entity, c.RecordID, f, v)
				}
			}
		}
	}
	t.Logf("hub: %d changes, %d conflicts (%d open)", len(changes), len(conflicts), countOpenHub(conflicts))
}

func countOpenHub(cs []hubConflict) int {
	n := 0
	for _, c := range cs {
		if !c.resolved {
			n++
		}
	}
	return n
}

func valueAccounted(changes []hubChange, conflicts []hubConflict, entity, id, field string, v json.RawMessage) bool {
	var loggedTags []string
	for _, c := range changes {
		if c.entity != entity || c.recordID != id {
			continue
		}
		if hv, ok := c.fields[field]; ok {
			if sameValue(hv, v) {
				return true
			}
			if field == protocol.FieldTags {
				var tags []string
				if json.Unmarshal(hv, &tags) == nil {
					loggedTags = append(loggedTags, tags...)
				}
			}
		}
	}
	for _, c := range conflicts {
		if c.entity != entity || c.recordID != id {
			continue
		}
		if c.field == field && sameValue(c.client, v) {
			return true
		}
		if c.kind == protocol.ConflictEditDelete {
			var edited map[string]json.RawMessage
			if json.Unmarshal(c.client, &edited) == nil {
				if ev, ok := edited[field]; ok && sameValue(ev, v) {
					return true
				}
			}
		}
	}
	if field == protocol.FieldTags {
		var tags []string
		if json.Unmarshal(v, &tags) == nil {
			for _, tag := range tags {
				if !slices.Contains(loggedTags, tag) {
					return false
				}
			}
			return true
		}
	}
	return false
}
