package localdb

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func applyRemote(t *testing.T, s *Store, rcs ...RemoteChange) error {
	t.Helper()
	return s.Update(context.Background(), func(tx *Tx) error {
		for _, rc := range rcs {
			if err := tx.ApplyRemote(rc); err != nil {
				return err
			}
		}
		return nil
	})
}

func newID(t *testing.T) string {
	t.Helper()
	id, err := uuid.NewV7()
	require.NoError(t, err)
	return id.String()
}

func raw(s string) json.RawMessage { return json.RawMessage(s) }

func pending(t *testing.T, s *Store) int {
	t.Helper()
	n, err := s.PendingCount(context.Background())
	require.NoError(t, err)
	return n
}

func TestApplyRemoteUpsertCreatesWithoutJournal(t *testing.T) {
	ctx := context.Background()
	s, _ := openTestStore(t)
	id := newID(t)
	created := time.Date(2025, 1, 10, 8, 30, 0, 0, time.UTC)
	require.NoError(t, applyRemote(t, s, RemoteChange{
		Entity: EntityContact, ID: id, Op: RemoteUpsert, Owner: "bernd", CreatedAt: created, UpdatedAt: created.Add(time.Hour),
		Fields: map[string]json.RawMessage{
			"full_name":   raw(`"Erika Berger"`),
			"family_name": raw(`"Berger"`),
			// Keys in another order than this build writes them.
			"phones":      raw(`[ {"type":"mobile", "e164":"+491701234567", "number":"0170 1234567"} ]`),
			"do_not_call": raw(`true`),
			"lead_status": raw(`"qualified"`),
			"mood":        raw(`"happy"`), // a field of a newer build
		},
	}))
	c, err := s.GetContact(ctx, id)
	require.NoError(t, err)
	assert.Equal(t, "Erika Berger", c.FullName)
	assert.Equal(t, []Phone{{Number: "0170 1234567", Type: PhoneMobile, E164: "+491701234567"}}, c.Phones)
	assert.True(t, c.DoNotCall)
	assert.Equal(t, LeadQualified, c.LeadStatus)
	assert.Equal(t, "bernd", c.Owner)
	assert.Equal(t, created, c.CreatedAt)
	assert.Equal(t, created.Add(time.Hour), c.UpdatedAt)
	assert.Zero(t, pending(t, s), "pulled changes are not journaled")
	assert.Empty(t, journalOf(t, s, EntityContact, id))
	assert.Equal(t, []string{"Erika Berger"}, searchTitles(t, s, "berger", SearchOptions{}))
	assert.Equal(t, []string{"Erika Berger"}, searchTitles(t, s, "0170 123", SearchOptions{}))

	// A local edit afterwards journals just what it changed, not the
	// phones the hub spelled differently.
	c.Notes = "Rückruf"
	require.NoError(t, s.UpdateContact(ctx, c))
	j := journalOf(t, s, EntityContact, id)
	require.Len(t, j, 1)
	assert.JSONEq(t, `{"notes":"Rückruf"}`, fieldsJSON(t, j[0].Fields))
	assert.EqualValues(t, 1, j[0].BaseVersion)
}

func TestApplyRemoteKeepsPendingLocalFields(t *testing.T) {
	ctx := context.Background()
	s, _ := openTestStore(t)
	id := newID(t)
	require.NoError(t, applyRemote(t, s, RemoteChange{Entity: EntityCompany, ID: id, Op: RemoteUpsert,
		Fields: map[string]json.RawMessage{"name": raw(`"Hahn Logistik"`), "city": raw(`"Kiel"`)}}))
	co, err := s.GetCompany(ctx, id)
	require.NoError(t, err)
	co.Notes = "lokal"
	require.NoError(t, s.Save(ctx, co))

	require.NoError(t, applyRemote(t, s, RemoteChange{Entity: EntityCompany, ID: id, Op: RemoteUpsert,
		Fields: map[string]json.RawMessage{"notes": raw(`"vom Hub"`), "city": raw(`"Lübeck"`)}}))
	co, err = s.GetCompany(ctx, id)
	require.NoError(t, err)
	assert.Equal(t, "lokal", co.Notes, "the unpushed local change wins until the hub has it")
	assert.Equal(t, "Lübeck", co.City, "fields without local changes take the hub's value")
	assert.Equal(t, 1, pending(t, s))
	assert.Equal(t, []string{"Hahn Logistik"}, searchTitles(t, s, "lübeck", SearchOptions{}))
	assert.Empty(t, searchTitles(t, s, "kiel", SearchOptions{}))

	// Once pushed, the hub's value is taken.
	p, err := s.PendingChanges(ctx, 10)
	require.NoError(t, err)
	require.NoError(t, s.MarkPushed(ctx, []int64{p[0].Seq}))
	require.NoError(t, applyRemote(t, s, RemoteChange{Entity: EntityCompany, ID: id, Op: RemoteUpsert,
		Fields: map[string]json.RawMessage{"notes": raw(`"vom Hub"`)}}))
	co, err = s.GetCompany(ctx, id)
	require.NoError(t, err)
	assert.Equal(t, "vom Hub", co.Notes)
	assert.Zero(t, pending(t, s))
}

func TestApplyRemoteDeleteAndRemove(t *testing.T) {
	ctx := context.Background()
	s, _ := openTestStore(t)
	co := &Company{Name: "Lang Elektro"}
	require.NoError(t, s.Create(ctx, co))
	c := &Contact{FullName: "Olaf Lang", CompanyID: co.ID}
	require.NoError(t, s.CreateContact(ctx, c))
	p, err := s.PendingChanges(ctx, 10)
	require.NoError(t, err)
	require.NoError(t, s.MarkPushed(ctx, []int64{p[0].Seq, p[1].Seq}))

	require.NoError(t, applyRemote(t, s, RemoteChange{Entity: EntityContact, ID: c.ID, Op: RemoteDelete}))
	_, err = s.GetContact(ctx, c.ID)
	assert.ErrorIs(t, err, ErrNotFound)
	deleted, _ := storedMeta(t, s, "contacts", c.ID)
	assert.True(t, deleted, "a remote delete leaves a tombstone")
	assert.Empty(t, searchTitles(t, s, "olaf", SearchOptions{}))
	assert.Zero(t, pending(t, s))

	// A stale upsert, pulled after the delete, does not bring it back.
	require.NoError(t, applyRemote(t, s, RemoteChange{Entity: EntityContact, ID: c.ID, Op: RemoteUpsert,
		Fields: map[string]json.RawMessage{"full_name": raw(`"Olaf Lang"`), "notes": raw(`"alt"`)}}))
	_, err = s.GetContact(ctx, c.ID)
	assert.ErrorIs(t, err, ErrNotFound)
	assert.Empty(t, searchTitles(t, s, "olaf", SearchOptions{}))

	// Nor does one for a record deleted before this client ever saw it.
	unseen := newID(t)
	require.NoError(t, applyRemote(t, s,
		RemoteChange{Entity: EntityContact, ID: unseen, Op: RemoteDelete},
		RemoteChange{Entity: EntityContact, ID: unseen, Op: RemoteUpsert, Fields: map[string]json.RawMessage{"full_name": raw(`"Geist"`)}}))
	_, err = s.GetContact(ctx, unseen)
	assert.ErrorIs(t, err, ErrNotFound)
	assert.Empty(t, searchTitles(t, s, "geist", SearchOptions{}))

	// A record that left the rep's scope is dropped, tombstone and all.
	require.NoError(t, applyRemote(t, s, RemoteChange{Entity: EntityCompany, ID: co.ID, Op: RemoteRemove}))
	var n int
	require.NoError(t, s.DB().QueryRow(`SELECT COUNT(*) FROM companies WHERE id = ?`, co.ID).Scan(&n))
	assert.Zero(t, n)
	assert.Empty(t, searchTitles(t, s, "elektro", SearchOptions{}))
	require.NoError(t, applyRemote(t, s, RemoteChange{Entity: EntityCompany, ID: co.ID, Op: RemoteRemove}), "removing twice is fine")
	assert.Zero(t, pending(t, s))
}

func TestApplyRemoteUpsertOfLocallyDeleted(t *testing.T) {
	ctx := context.Background()
	s, _ := openTestStore(t)
	d := &Deal{Title: "Altvertrag"}
	require.NoError(t, s.Create(ctx, d))
	require.NoError(t, s.Delete(ctx, EntityDeal, d.ID))
	require.NoError(t, applyRemote(t, s, RemoteChange{Entity: EntityDeal, ID: d.ID, Op: RemoteUpsert,
		Fields: map[string]json.RawMessage{"title": raw(`"Neuvertrag"`)}}))
	_, err := s.GetDeal(ctx, d.ID)
	assert.ErrorIs(t, err, ErrNotFound, "the unpushed local delete stands")
	assert.Equal(t, 2, pending(t, s))
}

func TestApplyRemoteRenamedCompanyReindexesContacts(t *testing.T) {
	ctx := context.Background()
	s, _ := openTestStore(t)
	co := &Company{Name: "Alte Firma"}
	require.NoError(t, s.Create(ctx, co))
	require.NoError(t, s.CreateContact(ctx, &Contact{FullName: "Tina Koch", CompanyID: co.ID}))
	require.NoError(t, s.MarkPushed(ctx, []int64{1, 2}))
	require.NoError(t, applyRemote(t, s, RemoteChange{Entity: EntityCompany, ID: co.ID, Op: RemoteUpsert,
		Fields: map[string]json.RawMessage{"name": raw(`"Neue Firma"`)}}))
	assert.ElementsMatch(t, []string{"Neue Firma", "Tina Koch"}, searchTitles(t, s, "neue firma", SearchOptions{}))
	assert.Empty(t, searchTitles(t, s, "alte", SearchOptions{}))
}

func TestApplyRemoteRejectsBadChanges(t *testing.T) {
	ctx := context.Background()
	s, _ := openTestStore(t)
	id := newID(t)
	tests := []struct {
		rc  RemoteChange
		err string
	}{
		{RemoteChange{Entity: EntityContact, ID: id, Op: "merge"}, `apply remote contact ` + id + `: unknown op "merge"`},
		{RemoteChange{Entity: EntityContact, ID: id, Op: RemoteUpsert, Fields: map[string]json.RawMessage{"do_not_call": raw(`"ja"`)}},
			`apply remote contact ` + id + `: field do_not_call: want true or false: json: cannot unmarshal string into Go value of type bool`},
		{RemoteChange{Entity: EntityContact, ID: id, Op: RemoteUpsert, Fields: map[string]json.RawMessage{"phones": raw(`{"number":"1"}`)}},
			`apply remote contact ` + id + `: field phones: json: cannot unmarshal object into Go value of type []localdb.Phone`},
		{RemoteChange{Entity: EntityDeal, ID: id, Op: RemoteUpsert, Fields: map[string]json.RawMessage{"amount": raw(`12.5`)}},
			`apply remote deal ` + id + `: field amount: want an integer: strconv.ParseInt: parsing "12.5": invalid syntax`},
	}
	for _, tc := range tests {
		// A good change before the bad one in the same pull is rolled back too.
		err := applyRemote(t, s,
			RemoteChange{Entity: EntityCompany, ID: newID(t), Op: RemoteUpsert, Fields: map[string]json.RawMessage{"name": raw(`"Vorher AG"`)}},
			tc.rc)
		assert.EqualError(t, err, tc.err)
	}
	assert.Zero(t, rowCount(t, s, "companies"))
	assert.Zero(t, rowCount(t, s, "contacts"))
	assert.Zero(t, rowCount(t, s, "deals"))

	require.NoError(t, applyRemote(t, s, RemoteChange{Entity: "invoice", ID: id, Op: RemoteUpsert}),
		"entities of a newer build are skipped")
	_, err := s.GetContact(ctx, id)
	assert.ErrorIs(t, err, ErrNotFound)
}
