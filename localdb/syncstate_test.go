package localdb_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"repdesk/localdb"
)

var bg = context.Background()

func openSync(t *testing.T) *localdb.Store {
	t.Helper()
	s, err := localdb.OpenTemp(t.TempDir())
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	return s
}

func raw(v string) json.RawMessage { return json.RawMessage(v) }

func apply(t *testing.T, s *localdb.Store, recs ...localdb.HubRecord) {
	t.Helper()
	require.NoError(t, s.Update(bg, func(tx *localdb.Tx) error {
		return tx.ApplyHubRecords(recs, nil, localdb.ApplyOptions{})
	}))
}

func upsert(id string, seq int64, fields map[string]json.RawMessage, versions map[string]int64) localdb.HubRecord {
	return localdb.HubRecord{Op: localdb.HubUpsert, Entity: localdb.EntityContact, ID: id, Seq: seq, Owner: "anna",
		Fields: fields, Versions: versions}
}

func pendingCount(t *testing.T, s *localdb.Store) int {
	t.Helper()
	n, err := s.PendingCount(bg)
	require.NoError(t, err)
	return n
}

func TestApplyHubRecords(t *testing.T) {
	for _, tc := range []struct {
		name    string
		prepare bool
	}{{"as pulled", false}, {"prepared beforehand", true}} {
		t.Run(tc.name, func(t *testing.T) {
			testApplyHubRecords(t, func(t *testing.T, s *localdb.Store, recs ...localdb.HubRecord) {
				t.Helper()
				if tc.prepare {
					require.NoError(t, localdb.PrepareHubRecords(recs))
				}
				apply(t, s, recs...)
			})
		})
	}
}

func testApplyHubRecords(t *testing.T, apply func(*testing.T, *localdb.Store, ...localdb.HubRecord)) {
	s := openSync(t)
	id := uuid.Must(uuid.NewV7()).String()
	apply(t, s, upsert(id, 5, map[string]json.RawMessage{"full_name": raw(`"Jana Berg"`), "title": raw(`"CFO"`),
		"tags": raw(`["vip"]`), "do_not_call": raw(`true`), "shoe_size": raw(`44`)}, map[string]int64{"full_name": 5, "title": 5}))
	c, err := s.GetContact(bg, id)
	require.NoError(t, err)
	assert.Equal(t, "Jana Berg", c.FullName)
	assert.Equal(t, "anna", c.Owner, "the hub's owner")
	assert.True(t, c.DoNotCall)
	assert.Equal(t, []string{"vip"}, c.Tags)
	assert.Zero(t, pendingCount(t, s), "pulled records are not journaled")
	seq, versions, err := s.SyncRecord(bg, localdb.EntityContact, id)
	require.NoError(t, err)
	assert.Equal(t, int64(5), seq)
	assert.Equal(t, map[string]int64{"full_name": 5, "title": 5}, versions)
	hits, err := s.Search(bg, "Berg", localdb.SearchOptions{})
	require.NoError(t, err)
	assert.Len(t, hits, 1)

	// A local edit waits to be pushed when the hub changes the same field
	// and another: the local value stays, its base stays, the other field
	// and its version arrive. A field the upsert lacks is unset on the hub.
	c.Title = "CEO"
	require.NoError(t, s.UpdateContact(bg, c))
	apply(t, s, upsert(id, 9, map[string]json.RawMessage{"full_name": raw(`"Jana Berg-Ort"`), "title": raw(`"COO"`)},
		map[string]int64{"full_name": 9, "title": 8}))
	c, err = s.GetContact(bg, id)
	require.NoError(t, err)
	assert.Equal(t, "CEO", c.Title)
	assert.Equal(t, "Jana Berg-Ort", c.FullName)
	assert.False(t, c.DoNotCall, "unset on the hub")
	assert.Empty(t, c.Tags)
	_, versions, err = s.SyncRecord(bg, localdb.EntityContact, id)
	require.NoError(t, err)
	assert.Equal(t, map[string]int64{"full_name": 9, "title": 5}, versions)
	out, err := s.PendingOutgoing(bg, 0, 10)
	require.NoError(t, err)
	require.Len(t, out, 1)
	assert.Equal(t, int64(5), out[0].Versions["title"], "the push sends the base the rep saw")

	// The hub answers: the title conflicted, the hub kept COO at 8.
	require.NoError(t, s.Update(bg, func(tx *localdb.Tx) error {
		return tx.ApplyPushOutcomes([]localdb.PushOutcome{{Seq: out[0].Seq, Entity: localdb.EntityContact, RecordID: id, Processed: true}},
			[]localdb.HubFieldValue{{Entity: localdb.EntityContact, RecordID: id, Field: "title", Value: raw(`"COO"`), Version: 8}})
	}))
	c, err = s.GetContact(bg, id)
	require.NoError(t, err)
	assert.Equal(t, "COO", c.Title, "the kept value replaces ours once nothing is pending")
	assert.Zero(t, pendingCount(t, s))

	// Deleted on the hub, then removed from scope.
	apply(t, s, localdb.HubRecord{Op: localdb.HubDelete, Entity: localdb.EntityContact, ID: id, Seq: 12})
	_, err = s.GetContact(bg, id)
	assert.ErrorIs(t, err, localdb.ErrNotFound)
	apply(t, s, upsert(id, 13, map[string]json.RawMessage{"full_name": raw(`"Jana Berg"`)}, map[string]int64{"full_name": 13}))
	_, err = s.GetContact(bg, id)
	assert.NoError(t, err, "restored on the hub: alive again")
	apply(t, s, localdb.HubRecord{Op: localdb.HubRemove, Entity: localdb.EntityContact, ID: id, Seq: 14})
	_, _, err = s.FieldValues(bg, localdb.EntityContact, id)
	assert.ErrorIs(t, err, localdb.ErrNotFound, "a remove drops the row")
	hits, err = s.Search(bg, "Berg", localdb.SearchOptions{})
	require.NoError(t, err)
	assert.Empty(t, hits)
	assert.Zero(t, pendingCount(t, s), "a remove is not journaled")

	// Entities of newer versions are skipped.
	apply(t, s, localdb.HubRecord{Op: localdb.HubUpsert, Entity: "lead_score", ID: id, Seq: 15})
}

func TestPreparedHubRecordWithRefusedValue(t *testing.T) {
	s := openSync(t)
	c := &localdb.Contact{FullName: "Ole Hansen", Title: "CFO"}
	require.NoError(t, s.CreateContact(bg, c))
	bad := func(field string) []localdb.HubRecord {
		recs := []localdb.HubRecord{upsert(c.ID, 3, map[string]json.RawMessage{"full_name": raw(`"Ole Hansen"`),
			field: raw(`42`)}, map[string]int64{"full_name": 3, field: 3})}
		require.NoError(t, localdb.PrepareHubRecords(recs))
		return recs
	}

	// The title waits to be pushed: the hub's value, which this build
	// refuses, does not replace it.
	require.NoError(t, s.Update(bg, func(tx *localdb.Tx) error {
		return tx.ApplyHubRecords(bad("title"), nil, localdb.ApplyOptions{})
	}))
	assert.Equal(t, "CFO", mustContact(t, s, c.ID).Title)

	err := s.Update(bg, func(tx *localdb.Tx) error {
		return tx.ApplyHubRecords(bad("notes"), nil, localdb.ApplyOptions{})
	})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "field notes: want a string")
	assert.Contains(t, err.Error(), c.ID, "the error names the record")
}

func TestApplyHubRecordsKeepsUnpushedDelete(t *testing.T) {
	s := openSync(t)
	c := &localdb.Contact{FullName: "Ole Hansen"}
	require.NoError(t, s.CreateContact(bg, c))
	require.NoError(t, s.Delete(bg, localdb.EntityContact, c.ID))
	apply(t, s, upsert(c.ID, 3, map[string]json.RawMessage{"full_name": raw(`"Ole Hansen"`), "title": raw(`"CFO"`)}, nil))
	_, err := s.GetContact(bg, c.ID)
	assert.ErrorIs(t, err, localdb.ErrNotFound, "the unpushed delete stands")
}

func TestPushOutcomes(t *testing.T) {
	s := openSync(t)
	a := &localdb.Contact{FullName: "Jana Berg"}
	require.NoError(t, s.CreateContact(bg, a))
	b := &localdb.Contact{FullName: "Ole Hansen", Notes: "too long for the hub"}
	require.NoError(t, s.CreateContact(bg, b))
	out, err := s.PendingOutgoing(bg, 0, 10)
	require.NoError(t, err)
	require.Len(t, out, 2)
	assert.Equal(t, localdb.OpCreate, out[0].Op)
	require.NoError(t, s.Update(bg, func(tx *localdb.Tx) error {
		return tx.ApplyPushOutcomes([]localdb.PushOutcome{
			{Seq: out[0].Seq, Entity: localdb.EntityContact, RecordID: a.ID, Processed: true, Confirmed: map[string]int64{"full_name": 7}},
			{Seq: out[1].Seq, Entity: localdb.EntityContact, RecordID: b.ID, Processed: true, Op: localdb.OpCreate,
				Fields: []string{"notes"}, Rejected: "field notes: too long"},
		}, nil)
	}))
	assert.Zero(t, pendingCount(t, s))
	_, versions, err := s.SyncRecord(bg, localdb.EntityContact, a.ID)
	require.NoError(t, err)
	assert.Equal(t, map[string]int64{"full_name": 7}, versions)
	rejected, err := s.RejectedChanges(bg)
	require.NoError(t, err)
	require.Len(t, rejected, 1)
	assert.Equal(t, b.ID, rejected[0].RecordID)
	assert.Equal(t, "field notes: too long", rejected[0].Reason)
	assert.Equal(t, []string{"notes"}, rejected[0].Fields)
}

func TestSweepUnlistedKeepsUnpushedChanges(t *testing.T) {
	s := openSync(t)
	listed, gone, edited := uuid.Must(uuid.NewV7()).String(), uuid.Must(uuid.NewV7()).String(), uuid.Must(uuid.NewV7()).String()
	for _, id := range []string{listed, gone, edited} {
		apply(t, s, upsert(id, 1, map[string]json.RawMessage{"full_name": raw(`"X ` + id[:8] + `"`)}, nil))
	}
	c, err := s.GetContact(bg, edited)
	require.NoError(t, err)
	c.Notes = "unpushed"
	require.NoError(t, s.UpdateContact(bg, c))
	fresh := &localdb.Contact{FullName: "Made Offline"}
	require.NoError(t, s.CreateContact(bg, fresh))

	var dropped int
	require.NoError(t, s.Update(bg, func(tx *localdb.Tx) error {
		if err := tx.ApplyHubRecords([]localdb.HubRecord{upsert(listed, 2, map[string]json.RawMessage{"full_name": raw(`"Listed"`)}, nil)},
			nil, localdb.ApplyOptions{SnapshotGen: 42}); err != nil {
			return err
		}
		dropped, err = tx.SweepUnlisted(42)
		return err
	}))
	assert.Equal(t, 1, dropped)
	_, err = s.GetContact(bg, gone)
	assert.ErrorIs(t, err, localdb.ErrNotFound)
	for _, id := range []string{listed, edited, fresh.ID} {
		_, err := s.GetContact(bg, id)
		assert.NoError(t, err)
	}
}

func TestResolutionJournal(t *testing.T) {
	s := openSync(t)
	c := &localdb.Contact{FullName: "Jana Berg", Title: "CFO"}
	require.NoError(t, s.CreateContact(bg, c))
	require.NoError(t, s.Delete(bg, localdb.EntityContact, c.ID))
	require.NoError(t, s.Update(bg, func(tx *localdb.Tx) error {
		_, err := tx.PutConflict(localdb.StoredConflict{ID: "conflict-1", Seq: 9, Entity: localdb.EntityContact, RecordID: c.ID, Body: raw(`{}`)})
		return err
	}))
	open, err := s.OpenConflictCount(bg)
	require.NoError(t, err)
	assert.Equal(t, 1, open)
	found, err := s.FindConflict(bg, "confl")
	require.NoError(t, err)
	assert.Equal(t, "conflict-1", found.ID)

	require.NoError(t, s.Update(bg, func(tx *localdb.Tx) error {
		if err := tx.Restore(localdb.EntityContact, c.ID, map[string]json.RawMessage{"title": raw(`"CEO"`)}); err != nil {
			return err
		}
		return tx.ResolveConflict("conflict-1", localdb.EntityContact, c.ID, "restore")
	}))
	got, err := s.GetContact(bg, c.ID)
	require.NoError(t, err)
	assert.Equal(t, "CEO", got.Title)
	hits, err := s.Search(bg, "Berg", localdb.SearchOptions{})
	require.NoError(t, err)
	assert.Len(t, hits, 1, "a restored record is searchable again")
	open, err = s.OpenConflictCount(bg)
	require.NoError(t, err)
	assert.Zero(t, open)

	out, err := s.PendingOutgoing(bg, 0, 10)
	require.NoError(t, err)
	ops := []string{}
	for _, o := range out {
		ops = append(ops, o.Op)
	}
	assert.Equal(t, []string{"create", "delete", "restore", "resolve"}, ops)
	assert.JSONEq(t, `{"title":"CEO"}`, string(out[2].RawFields))
	assert.Equal(t, "conflict-1", out[3].Conflict)
	assert.Equal(t, "restore", out[3].Resolution)

	// Keep mine sends the base the conflict reported, not the one last seen.
	require.NoError(t, s.Update(bg, func(tx *localdb.Tx) error {
		return tx.SetFields(localdb.EntityContact, c.ID, map[string]json.RawMessage{"title": raw(`"CEO"`), "shoe": raw(`1`)},
			map[string]int64{"title": 77})
	}))
	out, err = s.PendingOutgoing(bg, 0, 10)
	require.NoError(t, err)
	last := out[len(out)-1]
	assert.Equal(t, "patch", last.Op)
	assert.JSONEq(t, `{"title":"CEO"}`, string(last.RawFields), "forced although equal; unknown fields left out")
	assert.Equal(t, int64(77), last.Versions["title"])
}

func TestIndexPendingResumes(t *testing.T) {
	s := openSync(t)
	var recs []localdb.HubRecord
	for i := range 30 {
		recs = append(recs, upsert(uuid.Must(uuid.NewV7()).String(), int64(i+1),
			map[string]json.RawMessage{"full_name": raw(`"Quirin Zander"`)}, nil))
	}
	require.NoError(t, s.Update(bg, func(tx *localdb.Tx) error {
		return tx.ApplyHubRecords(recs, nil, localdb.ApplyOptions{DeferIndex: true})
	}))
	search := func() int {
		hits, err := s.Search(bg, "Zander", localdb.SearchOptions{Limit: 100})
		require.NoError(t, err)
		return len(hits)
	}
	assert.Zero(t, search())
	waiting, err := s.UnindexedCount(bg)
	require.NoError(t, err)
	assert.Equal(t, 30, waiting)
	indexed, more, err := s.IndexPending(bg, 20)
	require.NoError(t, err)
	assert.Equal(t, 20, indexed)
	assert.True(t, more)
	assert.Equal(t, 20, search())
	waiting, err = s.UnindexedCount(bg)
	require.NoError(t, err)
	assert.Equal(t, 10, waiting)
	indexed, more, err = s.IndexPending(bg, 20)
	require.NoError(t, err)
	assert.Equal(t, 10, indexed)
	assert.False(t, more)
	assert.Equal(t, 30, search())
	waiting, err = s.UnindexedCount(bg)
	require.NoError(t, err)
	assert.Zero(t, waiting)
}

// Entities without search rows (products here) are pulled like the others;
// their empty records were once made as visits, which panicked on the
// first pull of any record.
func TestApplyHubRecordsOfEntityWithoutSearch(t *testing.T) {
	s := openSync(t)
	id := uuid.Must(uuid.NewV7()).String()
	apply(t, s, localdb.HubRecord{Op: localdb.HubUpsert, Entity: localdb.EntityProduct, ID: id, Seq: 3, Owner: "anna",
		Fields:   map[string]json.RawMessage{"name": raw(`"Pump P-100"`), "sku": raw(`"P-100"`), "price": raw(`129900`)},
		Versions: map[string]int64{"name": 3, "sku": 3, "price": 3}})
	var p localdb.Product
	require.NoError(t, s.Read(bg, &p, id))
	assert.Equal(t, "Pump P-100", p.Name)
	assert.Equal(t, int64(129900), p.Price)
	assert.Zero(t, pendingCount(t, s))
}

// A snapshot page stores its new records many per statement: more than one
// statement's worth of two entities, a record named twice (upsert, remove,
// upsert again) and one removed for good, both while still queued, all end
// as the hub sent them, and every stored one is found after IndexPending.
func TestDeferredApplyOfManyRecords(t *testing.T) {
	s := openSync(t)
	var recs []localdb.HubRecord
	var ids []string
	for i := range 150 {
		id := uuid.Must(uuid.NewV7()).String()
		ids = append(ids, id)
		recs = append(recs, upsert(id, int64(i+1), map[string]json.RawMessage{"full_name": raw(`"Quirin Zander"`)}, nil))
	}
	co := uuid.Must(uuid.NewV7()).String()
	recs = append(recs, localdb.HubRecord{Op: localdb.HubUpsert, Entity: localdb.EntityCompany, ID: co, Seq: 151, Owner: "anna",
		Fields: map[string]json.RawMessage{"name": raw(`"Zander Werke"`)}})
	recs = append(recs,
		localdb.HubRecord{Op: localdb.HubRemove, Entity: localdb.EntityContact, ID: ids[140], Seq: 152},
		localdb.HubRecord{Op: localdb.HubRemove, Entity: localdb.EntityContact, ID: ids[145], Seq: 153},
		upsert(ids[145], 154, map[string]json.RawMessage{"full_name": raw(`"Quirin Zander-Berg"`)}, nil))
	require.NoError(t, s.Update(bg, func(tx *localdb.Tx) error {
		return tx.ApplyHubRecords(recs, nil, localdb.ApplyOptions{DeferIndex: true, SnapshotGen: 1})
	}))
	n, err := s.CountContacts(bg)
	require.NoError(t, err)
	assert.Equal(t, 149, n)
	_, err = s.GetContact(bg, ids[140])
	assert.ErrorIs(t, err, localdb.ErrNotFound)
	assert.Equal(t, "Quirin Zander-Berg", mustContact(t, s, ids[145]).FullName)
	for more := true; more; {
		var err error
		_, more, err = s.IndexPending(bg, 1000)
		require.NoError(t, err)
	}
	hits, err := s.Search(bg, "Zander", localdb.SearchOptions{Limit: 500})
	require.NoError(t, err)
	assert.Len(t, hits, 150, "149 contacts and the company")
	assert.Zero(t, pendingCount(t, s), "nothing pulled is journaled")
}

func mustContact(t *testing.T, s *localdb.Store, id string) *localdb.Contact {
	t.Helper()
	c, err := s.GetContact(bg, id)
	require.NoError(t, err)
	return c
}
