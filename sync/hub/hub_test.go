package hub_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"repdesk/sync/hub"
	"repdesk/sync/hub/hubtest"
	"repdesk/sync/protocol"
)

var ctx = context.Background()

func newHub(t *testing.T, backend string) *hubtest.Hub {
	return hubtest.New(t, hubtest.Options{Backend: backend})
}

func statusOf(t *testing.T, err error) int {
	t.Helper()
	var se *hubtest.StatusError
	require.ErrorAs(t, err, &se)
	return se.Code
}

func push(t *testing.T, c *hubtest.Client, ms ...protocol.Mutation) protocol.PushResponse {
	t.Helper()
	resp, err := c.Push(ctx, ms...)
	require.NoError(t, err)
	require.Len(t, resp.Results, len(ms))
	return resp
}

func syncAll(t *testing.T, c *hubtest.Client) []protocol.Record {
	t.Helper()
	seen, err := c.Sync(ctx, 0)
	require.NoError(t, err)
	return seen
}

func TestPushRetryAppliesOnce(t *testing.T) {
	hubtest.ForEachBackend(t, func(t *testing.T, backend string) {
		h := newHub(t, backend)
		c := h.Client(h.AddUser("ann", protocol.RoleRep, "north"))
		co, ct := hubtest.NewID(), hubtest.NewID()
		batch := []protocol.Mutation{
			c.Create("company", co, map[string]any{"name": "Acme", "tags": []string{"a"}}),
			c.Create("contact", ct, map[string]any{"full_name": "Ann Lee", "company_id": co}),
			{Number: c.Next(), Entity: "company", ID: co, Op: protocol.OpPatch, Fields: map[string]protocol.FieldChange{"city": hubtest.F("Oslo", 0)}},
		}
		first := push(t, c, batch...)
		assert.Equal(t, int64(3), first.LastMutation)
		for _, r := range first.Results {
			assert.Equal(t, protocol.StatusApplied, r.Status)
		}
		seq := syncAll(t, c)
		require.Len(t, seq, 2)

		// The response was lost; the client retries the same batch, even
		// after the hub restarted.
		h.Restart()
		again := push(t, c, batch...)
		assert.Equal(t, int64(3), again.LastMutation)
		for i, r := range again.Results {
			// Answered with the first outcome, versions included.
			assert.True(t, r.Duplicate)
			assert.Equal(t, first.Results[i].Status, r.Status)
			assert.Equal(t, first.Results[i].Seq, r.Seq)
			assert.Equal(t, first.Results[i].Versions, r.Versions)
		}
		assert.Empty(t, syncAll(t, c), "a retried batch must not change anything")
		other := h.Client(h.AddUser("boss", protocol.RoleManager))
		syncAll(t, other)
		assert.Len(t, other.Records, 2)
		assert.Equal(t, "Oslo", other.Value("company", co, "city"))
	})
}

func TestMutationNumbers(t *testing.T) {
	hubtest.ForEachBackend(t, func(t *testing.T, backend string) {
		h := newHub(t, backend)
		c := h.Client(h.AddUser("ann", protocol.RoleRep, "north"))
		mk := func(n int64, name string) protocol.Mutation {
			return protocol.Mutation{Number: n, Entity: "company", ID: hubtest.NewID(), Op: protocol.OpCreate,
				Fields: map[string]protocol.FieldChange{"name": hubtest.F(name, 0)}}
		}
		// A skipped number is answered with the outcome of the mutation
		// that had it (marked duplicate), or a bare duplicate when there
		// was none.
		const dupOfApplied = "applied (duplicate)"
		tests := []struct {
			name   string
			batch  []protocol.Mutation
			status []string
			last   int64
		}{
			{"gaps are fine", []protocol.Mutation{mk(5, "a"), mk(9, "b")}, []string{protocol.StatusApplied, protocol.StatusApplied}, 9},
			{"a regression is skipped", []protocol.Mutation{mk(3, "c")}, []string{protocol.StatusDuplicate}, 9},
			{"equal number is skipped", []protocol.Mutation{mk(9, "d")}, []string{dupOfApplied}, 9},
			{"within a batch", []protocol.Mutation{mk(11, "e"), mk(11, "f"), mk(10, "g"), mk(12, "h")},
				[]string{protocol.StatusApplied, protocol.StatusDuplicate, protocol.StatusDuplicate, protocol.StatusApplied}, 12},
			{"zero is never applied", []protocol.Mutation{mk(0, "i")}, []string{protocol.StatusDuplicate}, 12},
		}
		for _, tc := range tests {
			resp := push(t, c, tc.batch...)
			for i, r := range resp.Results {
				status := r.Status
				if r.Duplicate {
					status += " (duplicate)"
				}
				assert.Equal(t, tc.status[i], status, "%s: mutation %d", tc.name, r.Number)
			}
			assert.Equal(t, tc.last, resp.LastMutation, tc.name)
		}
		syncAll(t, c)
		var names []string
		for _, r := range c.Records {
			names = append(names, c.Value(r.Entity, r.ID, "name").(string))
		}
		assert.ElementsMatch(t, []string{"a", "b", "e", "h"}, names)
	})
}

func TestRejectedMutationsAreProcessed(t *testing.T) {
	hubtest.ForEachBackend(t, func(t *testing.T, backend string) {
		h := hubtest.New(t, hubtest.Options{Backend: backend, Server: hub.Options{MaxValueBytes: 1000}})
		c := h.Client(h.AddUser("ann", protocol.RoleRep, "north"))
		id := hubtest.NewID()
		field := func(name string, v json.RawMessage) map[string]protocol.FieldChange {
			return map[string]protocol.FieldChange{name: {Value: v}}
		}
		tests := []struct {
			name   string
			m      protocol.Mutation
			reason string
		}{
			{"unknown op", protocol.Mutation{Entity: "company", ID: id, Op: "upsert"}, `unknown op "upsert"`},
			{"entity not an identifier", protocol.Mutation{Entity: "Company!", ID: id, Op: "create"}, `entity "Company!"`},
			{"id not a UUID", protocol.Mutation{Entity: "company", ID: "42", Op: "create"}, `id "42" is not a lower-case UUID`},
			{"upper-case UUID", protocol.Mutation{Entity: "company", ID: strings.ToUpper(id), Op: "create"}, "not a lower-case UUID"},
			{"field name", protocol.Mutation{Entity: "company", ID: id, Op: "create", Fields: field("Name", json.RawMessage(`"x"`))}, `field name "Name"`},
			{"reserved field", protocol.Mutation{Entity: "company", ID: id, Op: "create", Fields: field("owner", json.RawMessage(`"bob"`))}, `field "owner" is record metadata`},
			{"too large", protocol.Mutation{Entity: "company", ID: id, Op: "create", Fields: field("notes", json.RawMessage(`"`+strings.Repeat("x", 1200)+`"`))}, "exceeds the limit of 1000"},
			{"tags not strings", protocol.Mutation{Entity: "company", ID: id, Op: "create", Fields: field("tags", json.RawMessage(`[1,2]`))}, "tags must be an array of strings"},
			{"company_id not a string", protocol.Mutation{Entity: "contact", ID: id, Op: "create", Fields: field("company_id", json.RawMessage(`7`))}, "company_id must be a string"},
			{"delete with fields", protocol.Mutation{Entity: "company", ID: id, Op: "delete", Fields: field("name", json.RawMessage(`"x"`))}, "delete carries fields"},
			{"unknown conflict", protocol.Mutation{Entity: "company", ID: id, Op: "resolve", Conflict: "nope"}, `unknown conflict "nope"`},
		}
		for _, tc := range tests {
			tc.m.Number = c.Next()
			resp := push(t, c, tc.m)
			r := resp.Results[0]
			assert.Equal(t, protocol.StatusRejected, r.Status, tc.name)
			assert.Contains(t, r.Reason, tc.reason, tc.name)
			assert.Equal(t, tc.m.Number, resp.LastMutation, "%s: a rejected mutation counts as processed", tc.name)
			// Retrying it (the answer was lost) does not wedge the queue, and
			// the retry still learns why it was refused.
			again := push(t, c, tc.m)
			assert.Equal(t, tc.m.Number, again.LastMutation, tc.name)
			assert.True(t, again.Results[0].Duplicate, tc.name)
			assert.Equal(t, protocol.StatusRejected, again.Results[0].Status, tc.name)
			assert.Equal(t, r.Reason, again.Results[0].Reason, tc.name)
		}
		ok := push(t, c, c.Create("company", id, map[string]any{"name": "Acme"}))
		assert.Equal(t, protocol.StatusApplied, ok.Results[0].Status)
		syncAll(t, c)
		assert.Len(t, c.Records, 1)
	})
}

// conflictCase: ann changes first (applied), then bob, who had pulled the
// company before ann's change, sends his.
type conflictCase struct {
	name        string
	ann, bob    func(c *hubtest.Client, id string) protocol.Mutation
	bobStatus   string
	kind        string // conflict kind expected, "" for none
	field       string
	server      string // JSON
	client      string // JSON
	base        string // JSON, "" for unknown
	wantName    any
	wantTags    []any
	wantDeleted bool
}

func patchOf(field string, v any) func(c *hubtest.Client, id string) protocol.Mutation {
	return func(c *hubtest.Client, id string) protocol.Mutation {
		return c.Patch("company", id, map[string]any{field: v})
	}
}

func deleteOf(c *hubtest.Client, id string) protocol.Mutation { return c.Delete("company", id) }

var conflictCases = []conflictCase{
	{name: "same field, different values", ann: patchOf("name", "Acme North"), bob: patchOf("name", "Acme Ltd"),
		bobStatus: protocol.StatusConflict, kind: protocol.ConflictField, field: "name",
		server: `"Acme North"`, client: `"Acme Ltd"`, base: `"Acme"`, wantName: "Acme North", wantTags: []any{"a", "b"}},
	{name: "different fields merge", ann: patchOf("city", "Oslo"), bob: patchOf("name", "Acme Ltd"),
		bobStatus: protocol.StatusApplied, wantName: "Acme Ltd", wantTags: []any{"a", "b"}},
	{name: "equal value is a no-op", ann: patchOf("name", "ACME"), bob: patchOf("name", "ACME"),
		bobStatus: protocol.StatusApplied, wantName: "ACME", wantTags: []any{"a", "b"}},
	{name: "tag sets merge three-way", ann: patchOf("tags", []string{"a", "b", "c"}), bob: patchOf("tags", []string{"a", "d"}),
		bobStatus: protocol.StatusApplied, wantName: "Acme", wantTags: []any{"a", "c", "d"}},
	{name: "a tag removal survives another's addition", ann: patchOf("tags", []string{"a"}), bob: patchOf("tags", []string{"a", "b", "e"}),
		bobStatus: protocol.StatusApplied, wantName: "Acme", wantTags: []any{"a", "e"}},
	{name: "edit after delete: the delete stands", ann: deleteOf, bob: patchOf("name", "Acme Ltd"),
		bobStatus: protocol.StatusConflict, kind: protocol.ConflictEditDelete,
		server: `null`, client: `{"name":"Acme Ltd"}`, wantName: "Acme", wantTags: []any{"a", "b"}, wantDeleted: true},
	{name: "delete after edit: the edit is kept in the conflict", ann: patchOf("name", "Acme North"), bob: deleteOf,
		bobStatus: protocol.StatusConflict, kind: protocol.ConflictEditDelete,
		server: `{"name":"Acme North"}`, client: `null`, wantName: "Acme North", wantTags: []any{"a", "b"}, wantDeleted: true},
	{name: "delete/delete is a no-op", ann: deleteOf, bob: deleteOf,
		bobStatus: protocol.StatusApplied, wantName: "Acme", wantTags: []any{"a", "b"}, wantDeleted: true},
	{name: "create of an existing id with equal values", ann: patchOf("city", "Oslo"),
		bob: func(c *hubtest.Client, id string) protocol.Mutation {
			return c.Create("company", id, map[string]any{"name": "Acme", "tags": []string{"a", "b"}})
		},
		bobStatus: protocol.StatusApplied, wantName: "Acme", wantTags: []any{"a", "b"}},
	{name: "create of an existing id becomes a patch", ann: patchOf("city", "Oslo"),
		bob: func(c *hubtest.Client, id string) protocol.Mutation {
			return c.Create("company", id, map[string]any{"name": "Acme Inc", "phone": "+4712345678"})
		},
		bobStatus: protocol.StatusConflict, kind: protocol.ConflictField, field: "name",
		server: `"Acme"`, client: `"Acme Inc"`, wantName: "Acme", wantTags: []any{"a", "b"}},
}

func TestConflictMatrix(t *testing.T) {
	hubtest.ForEachBackend(t, func(t *testing.T, backend string) {
		h := newHub(t, backend)
		annToken := h.AddUser("ann", protocol.RoleRep, "north")
		bobToken := h.AddUser("bob", protocol.RoleRep, "north")
		for _, tc := range conflictCases {
			t.Run(tc.name, func(t *testing.T) {
				ann, bob := h.Client(annToken), h.Client(bobToken)
				id := hubtest.NewID()
				push(t, ann, ann.Create("company", id, map[string]any{"name": "Acme", "tags": []string{"a", "b"}}))
				syncAll(t, ann)
				syncAll(t, bob)
				assert.Equal(t, protocol.StatusApplied, push(t, ann, tc.ann(ann, id)).Results[0].Status)
				res := push(t, bob, tc.bob(bob, id)).Results[0]
				assert.Equal(t, tc.bobStatus, res.Status)
				if tc.kind == "" {
					assert.Empty(t, res.Conflicts)
				} else {
					require.Len(t, res.Conflicts, 1)
					cf := res.Conflicts[0]
					assert.Equal(t, tc.kind, cf.Kind)
					assert.Equal(t, tc.field, cf.Field)
					assert.JSONEq(t, tc.server, string(cf.Server))
					assert.JSONEq(t, tc.client, string(cf.Client))
					if tc.base != "" {
						assert.JSONEq(t, tc.base, string(cf.Base))
					}
					assert.Equal(t, "ann", cf.ServerAuthor)
					assert.Equal(t, "bob", cf.ClientAuthor)
					assert.Equal(t, bob.ID, cf.ClientID)
				}
				// Both reps pull the same outcome, the conflict included.
				for _, c := range []*hubtest.Client{ann, bob} {
					syncAll(t, c)
					r := c.Records[hubtest.Key{Entity: "company", ID: id}]
					assert.Equal(t, tc.wantDeleted, r.Op == protocol.ChangeDelete)
					if !tc.wantDeleted {
						assert.Equal(t, tc.wantName, c.Value("company", id, "name"))
						assert.Equal(t, tc.wantTags, c.Value("company", id, "tags"))
					}
					if tc.kind != "" {
						assert.Contains(t, c.Conflicts, res.Conflicts[0].ID)
					}
				}
			})
		}
	})
}

func TestOwnChangesNeverConflict(t *testing.T) {
	hubtest.ForEachBackend(t, func(t *testing.T, backend string) {
		h := newHub(t, backend)
		c := h.Client(h.AddUser("ann", protocol.RoleRep, "north"))
		id := hubtest.NewID()
		// Two edits of one field made offline, both based on version 0.
		resp := push(t, c,
			c.Create("company", id, map[string]any{"name": "Acme"}),
			protocol.Mutation{Number: c.Next(), Entity: "company", ID: id, Op: protocol.OpPatch,
				Fields: map[string]protocol.FieldChange{"name": hubtest.F("Acme AS", 0)}},
		)
		assert.Equal(t, protocol.StatusApplied, resp.Results[1].Status)
		syncAll(t, c)
		assert.Equal(t, "Acme AS", c.Value("company", id, "name"))
	})
}

func TestConflictResolution(t *testing.T) {
	hubtest.ForEachBackend(t, func(t *testing.T, backend string) {
		h := newHub(t, backend)
		ann := h.Client(h.AddUser("ann", protocol.RoleRep, "north"))
		bob := h.Client(h.AddUser("bob", protocol.RoleRep, "north"))
		id := hubtest.NewID()
		push(t, ann, ann.Create("company", id, map[string]any{"name": "Acme"}))
		syncAll(t, ann)
		syncAll(t, bob)
		push(t, ann, ann.Patch("company", id, map[string]any{"name": "Acme North"}))
		cf := push(t, bob, bob.Patch("company", id, map[string]any{"name": "Acme Ltd"})).Results[0].Conflicts[0]

		// Bob keeps his value: an ordinary patch on the hub's version, then
		// the conflict is marked resolved.
		keep := protocol.Mutation{Number: bob.Next(), Entity: "company", ID: id, Op: protocol.OpPatch,
			Fields: map[string]protocol.FieldChange{"name": hubtest.F("Acme Ltd", cf.ServerVersion)}}
		resolve := protocol.Mutation{Number: bob.Next(), Entity: "company", ID: id, Op: protocol.OpResolve,
			Conflict: cf.ID, Resolution: protocol.ResolutionKeepMine}
		resp := push(t, bob, keep, resolve)
		assert.Equal(t, protocol.StatusApplied, resp.Results[0].Status)
		assert.Equal(t, protocol.StatusApplied, resp.Results[1].Status)
		syncAll(t, ann)
		assert.Equal(t, "Acme Ltd", ann.Value("company", id, "name"))
		got := ann.Conflicts[cf.ID]
		assert.True(t, got.Resolved)
		assert.Equal(t, "bob", got.ResolvedBy)
		assert.Equal(t, protocol.ResolutionKeepMine, got.Resolution)

		// Resolving again (from ann's laptop, say) changes nothing.
		again := push(t, ann, protocol.Mutation{Number: ann.Next(), Entity: "company", ID: id, Op: protocol.OpResolve, Conflict: cf.ID})
		assert.Equal(t, protocol.StatusApplied, again.Results[0].Status)
		assert.Empty(t, syncAll(t, bob)[1:], "only bob's own patch is new to him")
		assert.Equal(t, protocol.ResolutionKeepMine, bob.Conflicts[cf.ID].Resolution)
	})
}

func TestRestoreAfterEditDelete(t *testing.T) {
	hubtest.ForEachBackend(t, func(t *testing.T, backend string) {
		h := newHub(t, backend)
		ann := h.Client(h.AddUser("ann", protocol.RoleRep, "north"))
		bob := h.Client(h.AddUser("bob", protocol.RoleRep, "north"))
		id := hubtest.NewID()
		push(t, ann, ann.Create("contact", id, map[string]any{"full_name": "Eve", "notes": ""}))
		syncAll(t, ann)
		syncAll(t, bob)
		push(t, ann, ann.Delete("contact", id))
		cf := push(t, bob, bob.Patch("contact", id, map[string]any{"notes": "call back"})).Results[0].Conflicts[0]
		require.Equal(t, protocol.ConflictEditDelete, cf.Kind)

		var edit map[string]json.RawMessage
		require.NoError(t, json.Unmarshal(cf.Client, &edit))
		restore := protocol.Mutation{Number: bob.Next(), Entity: "contact", ID: id, Op: protocol.OpRestore,
			Fields: map[string]protocol.FieldChange{}}
		syncAll(t, bob)
		for k, v := range edit {
			restore.Fields[k] = protocol.FieldChange{Value: v, Base: bob.Records[hubtest.Key{Entity: "contact", ID: id}].Versions[k]}
		}
		resp := push(t, bob, restore, protocol.Mutation{Number: bob.Next(), Entity: "contact", ID: id, Op: protocol.OpResolve,
			Conflict: cf.ID, Resolution: protocol.ResolutionRestore})
		assert.Equal(t, protocol.StatusApplied, resp.Results[0].Status)
		syncAll(t, ann)
		r := ann.Records[hubtest.Key{Entity: "contact", ID: id}]
		assert.Equal(t, protocol.ChangeUpsert, r.Op)
		assert.Equal(t, "call back", ann.Value("contact", id, "notes"))
		assert.Equal(t, "Eve", ann.Value("contact", id, "full_name"))
	})
}

func TestDeleteOfMissingIsNoop(t *testing.T) {
	hubtest.ForEachBackend(t, func(t *testing.T, backend string) {
		h := newHub(t, backend)
		c := h.Client(h.AddUser("ann", protocol.RoleRep, "north"))
		res := push(t, c, c.Delete("deal", hubtest.NewID())).Results[0]
		assert.Equal(t, protocol.StatusApplied, res.Status)
		assert.Zero(t, res.Seq)
		assert.Empty(t, syncAll(t, c))
	})
}

func TestClockSkewHasNoEffect(t *testing.T) {
	hubtest.ForEachBackend(t, func(t *testing.T, backend string) {
		h := newHub(t, backend)
		annToken := h.AddUser("ann", protocol.RoleRep, "north")
		bobToken := h.AddUser("bob", protocol.RoleRep, "north")
		now := time.Now()
		type outcome struct {
			bobStatus string
			name      any
			city      any
			phone     any
			server    string
		}
		run := func(bobSkew time.Duration) outcome {
			ann, bob := h.Client(annToken), h.Client(bobToken)
			id := hubtest.NewID()
			push(t, ann, ann.Create("company", id, map[string]any{"name": "Acme", "city": "Bergen"}))
			syncAll(t, ann)
			syncAll(t, bob)
			// Bob's laptop clock is off; his change reaches the hub second.
			a := ann.Patch("company", id, map[string]any{"name": "Acme North", "city": "Oslo"})
			a.At = now
			push(t, ann, a)
			b := bob.Patch("company", id, map[string]any{"name": "Acme Ltd", "phone": "+47 22 00 00 00"})
			b.At = now.Add(bobSkew)
			res := push(t, bob, b).Results[0]
			syncAll(t, bob)
			o := outcome{bobStatus: res.Status, name: bob.Value("company", id, "name"), city: bob.Value("company", id, "city"),
				phone: bob.Value("company", id, "phone")}
			if len(res.Conflicts) > 0 {
				o.server = string(res.Conflicts[0].Server)
			}
			assert.WithinDuration(t, now.Add(bobSkew), bob.Records[hubtest.Key{Entity: "company", ID: id}].UpdatedAt, time.Millisecond,
				"the client's time is kept for display")
			return o
		}
		want := run(0)
		assert.Equal(t, outcome{protocol.StatusConflict, "Acme North", "Oslo", "+47 22 00 00 00", `"Acme North"`}, want)
		for _, skew := range []time.Duration{24 * time.Hour, -24 * time.Hour} {
			assert.Equal(t, want, run(skew), "skew %v", skew)
		}
	})
}

func TestExpiredCursor(t *testing.T) {
	hubtest.ForEachBackend(t, func(t *testing.T, backend string) {
		h := newHub(t, backend)
		c := h.Client(h.AddUser("ann", protocol.RoleRep, "north"))
		keep, gone := hubtest.NewID(), hubtest.NewID()
		push(t, c, c.Create("company", keep, map[string]any{"name": "Keep"}), c.Create("company", gone, map[string]any{"name": "Gone"}))
		push(t, c, c.Delete("company", gone))
		old := h.Client(c.Token) // a laptop that never synced

		horizon := h.Prune(time.Now().Add(time.Second))
		assert.Positive(t, horizon)
		_, err := old.Pull(ctx, 0, 0)
		assert.Equal(t, http.StatusGone, statusOf(t, err))
		assert.Contains(t, err.Error(), "re-sync from a snapshot")
		_, err = old.Pull(ctx, horizon+100, 0)
		assert.Equal(t, http.StatusGone, statusOf(t, err), "a cursor from the future (a restored hub) also re-syncs")

		// The re-sync: snapshot, then changes since its cursor.
		_, err = old.FullSync(ctx, 0)
		require.NoError(t, err)
		assert.Len(t, old.Records, 1)
		assert.Equal(t, "Keep", old.Value("company", keep, "name"))
		_, err = old.Pull(ctx, horizon, 0)
		assert.NoError(t, err, "the horizon itself is still served")
	})
}

func TestOldClientGets426(t *testing.T) {
	h := newHub(t, hubtest.SQLite)
	token := h.AddUser("ann", protocol.RoleRep)
	tests := []struct {
		name     string
		version  int
		wantCode int
		wantMsg  string
	}{
		{"no version header", -1, http.StatusUpgradeRequired, "too old"},
		{"older protocol", protocol.MinVersion - 1, http.StatusUpgradeRequired, "update RepDesk"},
		{"current protocol", protocol.Version, 0, ""},
	}
	for _, tc := range tests {
		c := h.Client(token)
		c.Protocol = tc.version
		_, err := c.Me(ctx)
		if tc.wantCode == 0 {
			assert.NoError(t, err, tc.name)
			continue
		}
		assert.Equal(t, tc.wantCode, statusOf(t, err), tc.name)
		assert.Contains(t, err.Error(), tc.wantMsg, tc.name)
	}
}

func TestAuthMatrix(t *testing.T) {
	hubtest.ForEachBackend(t, func(t *testing.T, backend string) {
		h := newHub(t, backend)
		annToken := h.AddUser("ann", protocol.RoleRep, "north")
		bobToken := h.AddUser("bob", protocol.RoleRep, "south")
		eveToken := h.AddUser("eve", protocol.RoleRep, "north")
		ann := h.Client(annToken)
		north := hubtest.NewID()
		push(t, ann, ann.Create("company", north, map[string]any{"name": "Nordic"}))

		tests := []struct {
			name  string
			token string
			want  int
			msg   string
		}{
			{"no token", "", http.StatusUnauthorized, "no bearer token"},
			{"wrong token", "rdh_not-a-token", http.StatusUnauthorized, "unknown token"},
			{"valid token", annToken, 0, ""},
		}
		for _, tc := range tests {
			_, err := hubtest.NewClient(h.URL, tc.token).Pull(ctx, 0, 0)
			if tc.want == 0 {
				assert.NoError(t, err, tc.name)
				continue
			}
			assert.Equal(t, tc.want, statusOf(t, err), tc.name)
			assert.Contains(t, err.Error(), tc.msg, tc.name)
		}

		// Another user's installation id.
		bob := h.Client(bobToken)
		bob.ID = ann.ID
		_, err := bob.Push(ctx, bob.Create("company", hubtest.NewID(), map[string]any{"name": "x"}))
		assert.Equal(t, http.StatusForbidden, statusOf(t, err))

		// Bob (south) neither sees nor may change ann's northern company.
		bob = h.Client(bobToken)
		syncAll(t, bob)
		assert.Empty(t, bob.Records)
		res := push(t, bob, protocol.Mutation{Number: bob.Next(), Entity: "company", ID: north, Op: protocol.OpPatch,
			Fields: map[string]protocol.FieldChange{"name": hubtest.F("Mine now", 1)}}).Results[0]
		assert.Equal(t, protocol.StatusRejected, res.Status)
		assert.Contains(t, res.Reason, "outside your scope")
		res = push(t, bob, protocol.Mutation{Number: bob.Next(), Entity: "company", ID: north, Op: protocol.OpCreate,
			Fields: map[string]protocol.FieldChange{"name": hubtest.F("Mine now", 0)}}).Results[0]
		assert.Equal(t, protocol.StatusRejected, res.Status, "a create over another territory's record")
		res = push(t, bob, bob.Delete("company", north)).Results[0]
		assert.Equal(t, protocol.StatusRejected, res.Status)

		// Eve shares ann's territory and sees the company.
		eve := h.Client(eveToken)
		syncAll(t, eve)
		assert.Contains(t, eve.Records, hubtest.Key{Entity: "company", ID: north})

		// Revoked: the next request fails.
		h.Revoke("eve")
		_, err = eve.Pull(ctx, eve.Cursor, 0)
		assert.Equal(t, http.StatusUnauthorized, statusOf(t, err))
		assert.Contains(t, err.Error(), "revoked")
	})
}

func TestScope(t *testing.T) {
	hubtest.ForEachBackend(t, func(t *testing.T, backend string) {
		h := newHub(t, backend)
		ann := h.Client(h.AddUser("ann", protocol.RoleRep, "north", "west"))
		bob := h.Client(h.AddUser("bob", protocol.RoleRep, "south"))
		cat := h.Client(h.AddUser("cat", protocol.RoleRep, "north"))
		boss := h.Client(h.AddUser("boss", protocol.RoleManager))

		co, contact, deal, solo := hubtest.NewID(), hubtest.NewID(), hubtest.NewID(), hubtest.NewID()
		push(t, ann,
			ann.Create("company", co, map[string]any{"name": "Nordic"}), // no territory: ann's first, north
			ann.Create("contact", contact, map[string]any{"full_name": "Ola", "company_id": co}),
			ann.Create("deal", deal, map[string]any{"title": "Big", "company_id": co, "amount": 100000}),
		)
		push(t, cat, cat.Create("task", solo, map[string]any{"title": "Call"})) // no company: cat's first territory
		for _, c := range []*hubtest.Client{ann, bob, cat, boss} {
			syncAll(t, c)
		}
		assert.Equal(t, "north", ann.Value("company", co, "territory"), "the hub fills in the creator's first territory")
		assert.Equal(t, "north", ann.Records[hubtest.Key{Entity: "contact", ID: contact}].Territory, "a contact follows its company")
		assert.Len(t, cat.Records, 4)
		assert.Empty(t, bob.Records)
		assert.Len(t, boss.Records, 4)

		// The manager moves the company south: its contact and deal follow;
		// cat loses them (remove, not delete); ann still owns hers; bob gets them.
		push(t, boss, boss.Patch("company", co, map[string]any{"territory": "south"}))
		seen := syncAll(t, cat)
		removed := 0
		for _, r := range seen {
			if r.Op == protocol.ChangeRemove {
				removed++
			}
			assert.NotEqual(t, protocol.ChangeDelete, r.Op)
		}
		assert.Equal(t, 3, removed)
		assert.Len(t, cat.Records, 1)
		syncAll(t, bob)
		assert.Len(t, bob.Records, 3)
		assert.Equal(t, "south", bob.Records[hubtest.Key{Entity: "deal", ID: deal}].Territory)
		syncAll(t, ann)
		assert.Len(t, ann.Records, 4, "ann owns what she created")

		// Cat can no longer write the company; bob can.
		res := push(t, cat, protocol.Mutation{Number: cat.Next(), Entity: "contact", ID: contact, Op: protocol.OpPatch,
			Fields: map[string]protocol.FieldChange{"title": hubtest.F("CEO", 0)}}).Results[0]
		assert.Equal(t, protocol.StatusRejected, res.Status)
		assert.Equal(t, protocol.StatusApplied, push(t, bob, bob.Patch("contact", contact, map[string]any{"title": "CEO"})).Results[0].Status)

		// A contact moved to a company of another territory follows it.
		west := hubtest.NewID()
		push(t, ann, ann.Create("company", west, map[string]any{"name": "Westco", "territory": "west"}))
		syncAll(t, ann)
		push(t, ann, ann.Patch("contact", contact, map[string]any{"company_id": west}))
		syncAll(t, bob)
		assert.NotContains(t, bob.Records, hubtest.Key{Entity: "contact", ID: contact})
		syncAll(t, ann)
		assert.Equal(t, "west", ann.Records[hubtest.Key{Entity: "contact", ID: contact}].Territory)
	})
}

func TestUnknownEntitiesAndFieldsAreKept(t *testing.T) {
	h := newHub(t, hubtest.SQLite)
	c := h.Client(h.AddUser("ann", protocol.RoleRep, "north"))
	id := hubtest.NewID()
	push(t, c, c.Create("quote", id, map[string]any{"total": 12.5, "lines": []map[string]any{{"sku": "A1", "qty": 2}}, "x_new": nil}))
	syncAll(t, c)
	r := c.Records[hubtest.Key{Entity: "quote", ID: id}]
	assert.JSONEq(t, `[{"sku":"A1","qty":2}]`, string(r.Fields["lines"]))
	assert.JSONEq(t, `null`, string(r.Fields["x_new"]))
	assert.Equal(t, "north", r.Territory)
}

func TestSnapshotPaging(t *testing.T) {
	hubtest.ForEachBackend(t, func(t *testing.T, backend string) {
		h := newHub(t, backend)
		ann := h.Client(h.AddUser("ann", protocol.RoleRep, "north"))
		bob := h.Client(h.AddUser("bob", protocol.RoleRep, "north"))
		var ids []string
		var batch []protocol.Mutation
		for i := range 250 {
			id := hubtest.NewID()
			ids = append(ids, id)
			batch = append(batch, ann.Create("contact", id, map[string]any{"full_name": fmt.Sprintf("Person %03d", i)}))
		}
		push(t, ann, batch...)
		push(t, ann, ann.Delete("contact", ids[0]))
		syncAll(t, ann)
		syncAll(t, bob)
		push(t, ann, ann.Patch("contact", ids[1], map[string]any{"full_name": "Ann's"}))
		push(t, bob, bob.Patch("contact", ids[1], map[string]any{"full_name": "Bob's"})) // a conflict

		fresh := h.Client(ann.Token)
		first, err := fresh.Snapshot(ctx, 0, 0, 100)
		require.NoError(t, err)
		assert.Len(t, first.Records, 100)
		assert.True(t, first.HasMore)
		assert.Len(t, first.Conflicts, 1, "open conflicts come with the first page")
		// Changes made while the snapshot is read come from the pull after it.
		push(t, bob, bob.Patch("contact", ids[2], map[string]any{"full_name": "Changed meanwhile"}))
		got := map[string]bool{}
		for _, r := range first.Records {
			got[r.ID] = true
		}
		page := first
		pages := 1
		for page.HasMore {
			page, err = fresh.Snapshot(ctx, page.NextAfter, first.Until, 100)
			require.NoError(t, err)
			assert.Equal(t, first.Until, page.Until)
			pages++
			for _, r := range page.Records {
				assert.False(t, got[r.ID], "record %s twice", r.ID)
				got[r.ID] = true
			}
		}
		assert.Equal(t, 3, pages)
		assert.Len(t, got, 249, "tombstones are not in a snapshot")
		assert.False(t, got[ids[0]])

		n, err := fresh.FullSync(ctx, 100)
		require.NoError(t, err)
		assert.Equal(t, 3, n)
		assert.Len(t, fresh.Records, 249)
		assert.Equal(t, "Changed meanwhile", fresh.Value("contact", ids[2], "full_name"))
		assert.Equal(t, "Ann's", fresh.Value("contact", ids[1], "full_name"))
		syncAll(t, ann)
		for k, r := range ann.Records {
			if r.Op == protocol.ChangeDelete {
				continue
			}
			assert.Equal(t, r.Fields, fresh.Records[k].Fields)
			assert.Equal(t, r.Versions, fresh.Records[k].Versions)
		}
	})
}

func TestSnapshotIsGzipped(t *testing.T) {
	h := newHub(t, hubtest.SQLite)
	token := h.AddUser("ann", protocol.RoleAdmin)
	c := h.Client(token)
	push(t, c, c.Create("company", hubtest.NewID(), map[string]any{"name": "Acme"}))
	req, err := http.NewRequest(http.MethodGet, h.URL+protocol.PathSnapshot, nil)
	require.NoError(t, err)
	req.Header.Set(protocol.HeaderVersion, "1")
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Accept-Encoding", "gzip")
	resp, err := http.DefaultTransport.RoundTrip(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	assert.Equal(t, "gzip", resp.Header.Get("Content-Encoding"))
	zr, err := gzip.NewReader(resp.Body)
	require.NoError(t, err)
	var page protocol.SnapshotPage
	require.NoError(t, json.NewDecoder(zr).Decode(&page))
	assert.Len(t, page.Records, 1)
}

func TestLimits(t *testing.T) {
	h := hubtest.New(t, hubtest.Options{Backend: hubtest.SQLite, Server: hub.Options{MaxBatch: 3, MaxBodyBytes: 4000}})
	c := h.Client(h.AddUser("ann", protocol.RoleRep))
	var four []protocol.Mutation
	for range 4 {
		four = append(four, c.Create("company", hubtest.NewID(), map[string]any{"name": "x"}))
	}
	_, err := c.Push(ctx, four...)
	assert.Equal(t, http.StatusRequestEntityTooLarge, statusOf(t, err))
	assert.Contains(t, err.Error(), "batch has 4 mutations; the limit is 3")

	big := c.Create("company", hubtest.NewID(), map[string]any{"notes": strings.Repeat("x", 5000)})
	_, err = c.Push(ctx, big)
	assert.Equal(t, http.StatusRequestEntityTooLarge, statusOf(t, err))
	assert.Contains(t, err.Error(), "exceeds the limit of 4000 bytes")

	// A gzip bomb is measured after decoding.
	body, _ := json.Marshal(protocol.PushRequest{ClientID: c.ID, Mutations: []protocol.Mutation{big}})
	var zb bytes.Buffer
	zw := gzip.NewWriter(&zb)
	_, _ = zw.Write(body)
	require.NoError(t, zw.Close())
	req, err := http.NewRequest(http.MethodPost, h.URL+protocol.PathPush, &zb)
	require.NoError(t, err)
	req.Header.Set(protocol.HeaderVersion, "1")
	req.Header.Set("Authorization", "Bearer "+c.Token)
	req.Header.Set("Content-Encoding", "gzip")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusRequestEntityTooLarge, resp.StatusCode)

	_, err = c.Pull(ctx, 0, protocol.MaxPullLimit+1)
	assert.Equal(t, http.StatusBadRequest, statusOf(t, err))

	resp, err = http.Get(h.URL + protocol.PathHealth)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
}

// A retry after a lost answer gets the first outcome: the conflict (as it
// is now, resolved or not) and the values the hub merged. Outcomes below
// the first number of a later push are forgotten (the client has marked
// them pushed) unless that push asks to keep them.
func TestDuplicateGetsTheFirstOutcome(t *testing.T) {
	hubtest.ForEachBackend(t, func(t *testing.T, backend string) {
		h := newHub(t, backend)
		ann := h.Client(h.AddUser("ann", protocol.RoleRep, "north"))
		bob := h.Client(h.AddUser("bob", protocol.RoleRep, "north"))
		id := hubtest.NewID()
		push(t, ann, ann.Create("company", id, map[string]any{"name": "Acme", "tags": []string{"x"}}))
		syncAll(t, ann)
		syncAll(t, bob)
		push(t, ann, ann.Patch("company", id, map[string]any{"name": "Acme North", "tags": []string{}}))
		m := bob.Patch("company", id, map[string]any{"name": "Acme Ltd", "tags": []string{"x", "y"}})
		first := push(t, bob, m).Results[0]
		require.Equal(t, protocol.StatusConflict, first.Status)
		require.Len(t, first.Conflicts, 1)
		assert.JSONEq(t, `["y"]`, string(first.Values["tags"]), "ann's removal and bob's addition both stand")

		again := push(t, bob, m).Results[0]
		assert.True(t, again.Duplicate)
		assert.Equal(t, protocol.StatusConflict, again.Status)
		assert.Equal(t, first.Seq, again.Seq)
		assert.Equal(t, first.Versions, again.Versions)
		assert.Equal(t, first.Values, again.Values)
		require.Len(t, again.Conflicts, 1)
		assert.Equal(t, first.Conflicts[0].ID, again.Conflicts[0].ID)
		assert.False(t, again.Conflicts[0].Resolved)

		push(t, ann, protocol.Mutation{Number: ann.Next(), Entity: "company", ID: id, Op: protocol.OpResolve,
			Conflict: first.Conflicts[0].ID, Resolution: protocol.ResolutionKeepMine})
		late := push(t, bob, m).Results[0]
		require.Len(t, late.Conflicts, 1)
		assert.True(t, late.Conflicts[0].Resolved, "the conflict as it is now")

		// A batch sent before the answer to m was stored keeps m's outcome.
		kept := bob.Create("company", hubtest.NewID(), map[string]any{"name": "Gamma"})
		var keptResp protocol.PushResponse
		require.NoError(t, bob.Do(ctx, http.MethodPost, protocol.PathPush,
			protocol.PushRequest{ClientID: bob.ID, KeepOutcomesFrom: m.Number, Mutations: []protocol.Mutation{kept}}, &keptResp))
		require.Equal(t, kept.Number, keptResp.LastMutation)
		retried := push(t, bob, m, kept).Results
		assert.True(t, retried[0].Duplicate, "the outcome of m is kept")
		assert.Equal(t, protocol.StatusConflict, retried[0].Status)
		assert.True(t, retried[1].Duplicate)
		assert.Equal(t, protocol.StatusApplied, retried[1].Status)

		later := bob.Create("company", hubtest.NewID(), map[string]any{"name": "Beta"})
		push(t, bob, later)
		forgotten := push(t, bob, m).Results[0]
		assert.Equal(t, protocol.StatusDuplicate, forgotten.Status)
		assert.False(t, forgotten.Duplicate)
	})
}
