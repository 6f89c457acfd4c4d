package localdb

import (
	"context"
	"encoding/json"
	"slices"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fieldsJSON renders journaled fields as one JSON object, for comparing.
func fieldsJSON(t *testing.T, fields map[string]json.RawMessage) string {
	t.Helper()
	if len(fields) == 0 {
		return "{}"
	}
	b, err := json.Marshal(fields)
	require.NoError(t, err)
	return string(b)
}

func TestJournalOfCreateUpdateDelete(t *testing.T) {
	ctx := context.Background()
	s, clock := openTestStore(t)
	co := &Company{Name: "Krüger Bau GmbH"}
	require.NoError(t, s.Create(ctx, co))
	c := &Contact{FullName: "Jürgen Müller", CompanyID: co.ID, Emails: []Email{{Address: "j.mueller@krueger-bau.de"}},
		Phones: []Phone{{Number: "+49 171 2345678", Type: PhoneMobile}}}
	require.NoError(t, s.CreateContact(ctx, c))
	createdAt := clock.last()

	tests := []struct {
		name        string
		change      func() error
		op          string
		fields      string
		baseVersion int64
	}{
		{
			name:   "create journals every non-empty field",
			change: func() error { return nil },
			op:     OpCreate,
			fields: `{"company_id":"` + co.ID + `","emails":[{"address":"j.mueller@krueger-bau.de"}],"family_name":"Müller",` +
				`"full_name":"Jürgen Müller","given_name":"Jürgen","lead_status":"new",` +
				`"phones":[{"number":"+49 171 2345678","type":"mobile","e164":"+491712345678"}]}`,
			baseVersion: 0,
		},
		{
			name: "a changed phone journals the phones alone",
			change: func() error {
				c.Phones[0].Number = "0171 9999999"
				return s.UpdateContact(ctx, c)
			},
			op:          OpPatch,
			fields:      `{"phones":[{"number":"0171 9999999","type":"mobile","e164":"+491719999999"}]}`,
			baseVersion: 1,
		},
		{
			name: "a patch journals only the changed fields with the version before",
			change: func() error {
				c.Title, c.Notes = "Bauleiter", "Kennt uns von der Messe"
				return s.UpdateContact(ctx, c)
			},
			op:          OpPatch,
			fields:      `{"notes":"Kennt uns von der Messe","title":"Bauleiter"}`,
			baseVersion: 2,
		},
		{
			name: "a cleared field is journaled with its empty value",
			change: func() error {
				c.Title = ""
				return s.UpdateContact(ctx, c)
			},
			op:          OpPatch,
			fields:      `{"title":""}`,
			baseVersion: 3,
		},
		{
			name:        "delete",
			change:      func() error { return s.Delete(ctx, EntityContact, c.ID) },
			op:          OpDelete,
			fields:      `{}`,
			baseVersion: 4,
		},
	}
	for i, tc := range tests {
		require.NoError(t, tc.change(), tc.name)
		j := journalOf(t, s, EntityContact, c.ID)
		require.Len(t, j, i+1, tc.name)
		e := j[i]
		assert.Equal(t, tc.op, e.Op, tc.name)
		assert.Equal(t, EntityContact, e.Entity, tc.name)
		assert.Equal(t, c.ID, e.RecordID, tc.name)
		assert.Equal(t, tc.baseVersion, e.BaseVersion, tc.name)
		assert.JSONEq(t, tc.fields, fieldsJSON(t, e.Fields), tc.name)
		if i == 0 {
			assert.Equal(t, createdAt, e.At, tc.name)
		} else {
			assert.Equal(t, clock.last(), e.At, tc.name)
		}
		assert.True(t, e.PushedAt.IsZero(), tc.name)
		opID, err := uuid.Parse(e.OpID)
		require.NoError(t, err, tc.name)
		assert.Equal(t, uuid.Version(7), opID.Version(), tc.name)
	}
	deleted, version := storedMeta(t, s, "contacts", c.ID)
	assert.True(t, deleted)
	assert.EqualValues(t, 5, version)
}

func TestNoOpUpdateJournalsNothing(t *testing.T) {
	ctx := context.Background()
	s, _ := openTestStore(t)
	c := &Contact{FullName: "Anna Schmidt", Tags: []string{"VIP"}, Phones: []Phone{{Number: "030 1234567", Type: PhoneWork}}}
	require.NoError(t, s.CreateContact(ctx, c))
	updatedAt := c.UpdatedAt

	// The same record, and one whose input only normalizes to the same.
	require.NoError(t, s.UpdateContact(ctx, c))
	c.FullName, c.Tags = "  Anna Schmidt ", []string{"VIP", " vip "}
	require.NoError(t, s.UpdateContact(ctx, c))

	assert.Len(t, journalOf(t, s, EntityContact, c.ID), 1, "only the create")
	assert.EqualValues(t, 1, c.Version)
	assert.Equal(t, updatedAt, c.UpdatedAt)
	assert.Equal(t, "Anna Schmidt", c.FullName)
	assert.Equal(t, []string{"VIP"}, c.Tags)
}

func TestFailedWritesLeaveNoTrace(t *testing.T) {
	ctx := context.Background()
	s, _ := openTestStore(t)
	c := &Contact{FullName: "Peter Braun", Emails: []Email{{Address: "p.braun@example.com"}}}
	require.NoError(t, s.CreateContact(ctx, c))
	journal, contacts := rowCount(t, s, "journal"), rowCount(t, s, "contacts")

	err := s.CreateContact(ctx, &Contact{FullName: "Max Muster", Emails: []Email{{Address: "max@"}}})
	assert.EqualError(t, err, `create contact: email "max@": missing domain`)

	edit := *c
	edit.Notes = "changed"
	edit.Emails = []Email{{Address: "p.braun@@example.com"}}
	require.Error(t, s.UpdateContact(ctx, &edit))

	// A stale edit: someone saved the record since it was read.
	fresh, err := s.GetContact(ctx, c.ID)
	require.NoError(t, err)
	fresh.Title = "Einkauf"
	require.NoError(t, s.UpdateContact(ctx, fresh))
	journal++
	stale := *c
	stale.Notes = "too late"
	err = s.UpdateContact(ctx, &stale)
	assert.ErrorIs(t, err, ErrStale)
	assert.Contains(t, err.Error(), "version 1, stored 2")

	// A batch that fails half-way writes nothing of its first half.
	err = s.Update(ctx, func(tx *Tx) error {
		if err := tx.CreateContact(&Contact{FullName: "Erste"}); err != nil {
			return err
		}
		return tx.CreateContact(&Contact{FullName: "Zweite", Birthday: "1980-02-30"})
	})
	assert.EqualError(t, err, `create contact: birthday "1980-02-30": not a date (YYYY-MM-DD or --MM-DD)`)

	assert.Equal(t, journal, rowCount(t, s, "journal"), "nothing journaled")
	assert.Equal(t, contacts, rowCount(t, s, "contacts"), "no row written")
	got, err := s.GetContact(ctx, c.ID)
	require.NoError(t, err)
	assert.Empty(t, got.Notes)
	assert.Equal(t, "Einkauf", got.Title)
	assert.Empty(t, searchTitles(t, s, "erste", SearchOptions{}))
}

func TestVersionCheck(t *testing.T) {
	ctx := context.Background()
	s, _ := openTestStore(t)
	co := &Company{Name: "Vogel KG"}
	require.NoError(t, s.Create(ctx, co))
	tests := []struct {
		name    string
		version int64
		wantErr error
	}{
		{"the version read", 1, nil},
		{"an old version", 1, ErrStale},
		{"a version from the future", 9, ErrStale},
		{"no version: the caller does not care", 0, nil},
	}
	for i, tc := range tests {
		edit := *co
		edit.Version = tc.version
		edit.Notes = tc.name
		err := s.Save(ctx, &edit)
		if tc.wantErr != nil {
			assert.ErrorIs(t, err, tc.wantErr, tc.name)
			continue
		}
		require.NoError(t, err, tc.name)
		got, err := s.GetCompany(ctx, co.ID)
		require.NoError(t, err)
		assert.Equal(t, tc.name, got.Notes, tc.name)
		assert.Equal(t, got.Version, edit.Version, "the edit carries the new version (%d)", i)
	}
}

func TestPendingChangesAndMarkPushed(t *testing.T) {
	ctx := context.Background()
	s, _ := openTestStore(t)
	var ids []string
	for _, name := range []string{"Adler AG", "Bär GmbH", "Chemie KG"} {
		co := &Company{Name: name}
		require.NoError(t, s.Create(ctx, co))
		ids = append(ids, co.ID)
	}
	require.NoError(t, s.Delete(ctx, EntityCompany, ids[1]))

	n, err := s.PendingCount(ctx)
	require.NoError(t, err)
	assert.Equal(t, 4, n)
	first, err := s.PendingChanges(ctx, 2)
	require.NoError(t, err)
	require.Len(t, first, 2)
	assert.Equal(t, []string{ids[0], ids[1]}, []string{first[0].RecordID, first[1].RecordID}, "oldest first")
	assert.Less(t, first[0].Seq, first[1].Seq)

	require.NoError(t, s.MarkPushed(ctx, []int64{first[0].Seq, first[1].Seq}))
	rest, err := s.PendingChanges(ctx, 10)
	require.NoError(t, err)
	require.Len(t, rest, 2)
	assert.Equal(t, ids[2], rest[0].RecordID)
	assert.Equal(t, OpDelete, rest[1].Op)
	assert.Equal(t, ids[1], rest[1].RecordID)

	// Marking again changes nothing; an empty list is fine.
	require.NoError(t, s.MarkPushed(ctx, []int64{first[0].Seq}))
	require.NoError(t, s.MarkPushed(ctx, nil))
	all, err := s.Journal(ctx, 0, 100)
	require.NoError(t, err)
	require.Len(t, all, 4)
	pushed := slices.IndexFunc(all, func(c Change) bool { return c.PushedAt.IsZero() })
	assert.Equal(t, 2, pushed, "the first two are pushed, the rest not")
	assert.False(t, all[0].PushedAt.IsZero())
	n, err = s.PendingCount(ctx)
	require.NoError(t, err)
	assert.Equal(t, 2, n)

	after, err := s.Journal(ctx, all[1].Seq, 0)
	require.NoError(t, err)
	assert.Len(t, after, 2, "0 is no limit")
	rest, err = s.PendingChanges(ctx, 0)
	require.NoError(t, err)
	assert.Len(t, rest, 2)
}
