package dedupe_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"repdesk/localdb"
	"repdesk/localdb/dedupe"
)

// links creates one deal, activity, task and visit pointing at contact c.
func links(t *testing.T, s *localdb.Store, c *localdb.Contact) (deal, activity, task, visit string) {
	t.Helper()
	d := &localdb.Deal{Title: "Wartung " + c.FullName, ContactID: c.ID, CompanyID: c.CompanyID, Stage: "Lead"}
	a := &localdb.Activity{Kind: localdb.KindCall, ContactID: c.ID, CompanyID: c.CompanyID, OccurredAt: time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)}
	k := &localdb.Task{Title: "Anrufen", Kind: localdb.TaskCall, ContactID: c.ID, CompanyID: c.CompanyID, Due: time.Date(2025, 3, 2, 9, 0, 0, 0, time.UTC)}
	v := &localdb.Visit{ContactID: c.ID, CompanyID: c.CompanyID, StartAt: time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC),
		EndAt: time.Date(2025, 3, 3, 10, 0, 0, 0, time.UTC), Status: localdb.VisitPlanned, Assignee: "anna"}
	for _, r := range []localdb.Record{d, a, k, v} {
		require.NoError(t, s.Create(ctx, r))
	}
	return d.ID, a.ID, k.ID, v.ID
}

// journaledFields returns the fields of the last journal entry of a record.
func journaledFields(t *testing.T, s *localdb.Store, entity, id string) (op string, fields map[string]json.RawMessage) {
	t.Helper()
	j, err := s.JournalFor(ctx, entity, id)
	require.NoError(t, err)
	require.NotEmpty(t, j, "%s %s has no journal", entity, id)
	last := j[len(j)-1]
	return last.Op, last.Fields
}

func TestMergeContacts(t *testing.T) {
	s := openStore(t)
	acme := company(t, s, localdb.Company{Name: "Acme GmbH"})
	globex := company(t, s, localdb.Company{Name: "Globex AG"})
	keep := contact(t, s, localdb.Contact{FullName: "Hans Müller", CompanyID: acme.ID, Title: "Einkauf",
		Emails: emails("hans@acme.example"), Phones: phones("030 1234567"), Tags: []string{"vip"}})
	other := contact(t, s, localdb.Contact{FullName: "Hans Mueller", CompanyID: globex.ID, Title: "Leiter Einkauf",
		Notes: "Mag keine Anrufe vor 10", Emails: emails("HANS@acme.example", "h.mueller@privat.example"),
		Phones: phones("+49 30 1234567", "0171 5555555"), Tags: []string{"VIP", "messe"}, DoNotCall: true})
	deal, activity, task, visit := links(t, s, other)
	keepDeal, _, _, _ := links(t, s, keep)

	res, err := dedupe.Merge(ctx, s, localdb.EntityContact, keep.ID, other.ID, nil)
	require.NoError(t, err)
	assert.Equal(t, map[string]int{localdb.EntityDeal: 1, localdb.EntityActivity: 1, localdb.EntityTask: 1, localdb.EntityVisit: 1}, res.Repointed)
	assert.ElementsMatch(t, []string{"emails", "phones", "tags", "notes", "do_not_call"}, res.Fields)

	got, err := s.GetContact(ctx, keep.ID)
	require.NoError(t, err)
	assert.Equal(t, "Hans Müller", got.FullName, "the kept record's name stays")
	assert.Equal(t, "Einkauf", got.Title, "a non-empty value of the kept record stays")
	assert.Equal(t, acme.ID, got.CompanyID)
	assert.Equal(t, "Mag keine Anrufe vor 10", got.Notes, "an empty field is filled from the other record")
	assert.True(t, got.DoNotCall, "do-not-call of either record sticks")
	var addrs, numbers []string
	for _, e := range got.Emails {
		addrs = append(addrs, e.Address)
	}
	for _, p := range got.Phones {
		numbers = append(numbers, p.E164)
	}
	assert.Equal(t, []string{"hans@acme.example", "h.mueller@privat.example"}, addrs, "e-mails united, case duplicates once")
	assert.Equal(t, []string{"+49301234567", "+491715555555"}, numbers, "phones united by E.164")
	assert.Equal(t, []string{"vip", "messe"}, got.Tags, "tags united, letter case aside")

	_, err = s.GetContact(ctx, other.ID)
	assert.ErrorIs(t, err, localdb.ErrNotFound, "the other record is gone")
	op, _ := journaledFields(t, s, localdb.EntityContact, other.ID)
	assert.Equal(t, localdb.OpDelete, op, "its deletion is journaled as a tombstone")

	for _, r := range []struct {
		entity, id string
		rec        localdb.Record
	}{{localdb.EntityDeal, deal, &localdb.Deal{}}, {localdb.EntityActivity, activity, &localdb.Activity{}},
		{localdb.EntityTask, task, &localdb.Task{}}, {localdb.EntityVisit, visit, &localdb.Visit{}}} {
		require.NoError(t, s.Read(ctx, r.rec, r.id))
		op, fields := journaledFields(t, s, r.entity, r.id)
		assert.Equal(t, localdb.OpPatch, op, r.entity)
		assert.JSONEq(t, `"`+keep.ID+`"`, string(fields["contact_id"]), "%s re-pointed in the journal", r.entity)
	}
	d, err := s.GetDeal(ctx, deal)
	require.NoError(t, err)
	assert.Equal(t, keep.ID, d.ContactID)
	assert.Equal(t, globex.ID, d.CompanyID, "a deal keeps its company")
	kd, err := s.GetDeal(ctx, keepDeal)
	require.NoError(t, err)
	assert.Equal(t, keep.ID, kd.ContactID, "the kept record's own deals are untouched")

	hits := searchNames(t, s, "mueller privat")
	assert.Equal(t, []string{"Hans Müller"}, hits, "the kept record is found by the merged-in address; the other is not")
}

func searchNames(t *testing.T, s *localdb.Store, q string) []string {
	t.Helper()
	hits, err := s.Search(ctx, q, localdb.SearchOptions{Kinds: []string{localdb.EntityContact}})
	require.NoError(t, err)
	out := []string{}
	for _, h := range hits {
		out = append(out, h.Title)
	}
	return out
}

func TestMergeChoices(t *testing.T) {
	tests := []struct {
		name  string
		take  []string
		check func(t *testing.T, c *localdb.Contact)
	}{
		{"default keeps the kept record's values", nil, func(t *testing.T, c *localdb.Contact) {
			assert.Equal(t, "Dr. Hans Müller", c.FullName)
			assert.Equal(t, "Einkauf", c.Title)
			assert.Equal(t, "alt", c.Notes)
			require.Len(t, c.Phones, 1, "a list only the other record has is taken")
			assert.Equal(t, "+49301234567", c.Phones[0].E164)
		}},
		{"title and notes from the other record", []string{"title", "notes"}, func(t *testing.T, c *localdb.Contact) {
			assert.Equal(t, "Dr. Hans Müller", c.FullName)
			assert.Equal(t, "Leiter Einkauf", c.Title)
			assert.Equal(t, "neu", c.Notes)
		}},
		{"the name comes with all its parts", []string{"family_name"}, func(t *testing.T, c *localdb.Contact) {
			assert.Equal(t, "Hans Mueller", c.FullName)
			assert.Equal(t, "Hans", c.GivenName)
			assert.Equal(t, "Mueller", c.FamilyName)
			assert.Empty(t, c.Prefix)
		}},
		{"taking a list replaces instead of uniting", []string{"emails"}, func(t *testing.T, c *localdb.Contact) {
			require.Len(t, c.Emails, 1)
			assert.Equal(t, "mueller@globex.example", c.Emails[0].Address)
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := openStore(t)
			keep := contact(t, s, localdb.Contact{Prefix: "Dr.", GivenName: "Hans", FamilyName: "Müller", Title: "Einkauf",
				Notes: "alt", Emails: emails("hans@acme.example")})
			other := contact(t, s, localdb.Contact{FullName: "Hans Mueller", Title: "Leiter Einkauf", Notes: "neu",
				Emails: emails("mueller@globex.example"), Phones: phones("030 1234567")})
			_, err := dedupe.Merge(ctx, s, localdb.EntityContact, keep.ID, other.ID, tc.take)
			require.NoError(t, err)
			got, err := s.GetContact(ctx, keep.ID)
			require.NoError(t, err)
			tc.check(t, got)
		})
	}
}

func TestMergeRefusals(t *testing.T) {
	s := openStore(t)
	a := contact(t, s, localdb.Contact{FullName: "Eva Braun"})
	b := contact(t, s, localdb.Contact{FullName: "Eva Braune", Title: "CEO"})
	co := company(t, s, localdb.Company{Name: "Acme"})
	before, err := s.PendingCount(ctx)
	require.NoError(t, err)

	_, err = dedupe.Merge(ctx, s, localdb.EntityContact, a.ID, a.ID, nil)
	assert.ErrorIs(t, err, dedupe.ErrSameRecord)
	_, err = dedupe.Merge(ctx, s, localdb.EntityContact, a.ID, b.ID, []string{"titel"})
	assert.ErrorIs(t, err, dedupe.ErrUnknownField)
	assert.ErrorContains(t, err, `take "titel": unknown field: it is not a field of a contact`)
	_, err = dedupe.Merge(ctx, s, localdb.EntityContact, a.ID, co.ID, nil)
	assert.ErrorIs(t, err, localdb.ErrNotFound, "a company is not a contact")
	_, err = dedupe.Merge(ctx, s, localdb.EntityDeal, a.ID, b.ID, nil)
	assert.ErrorContains(t, err, "only contacts and companies")

	_, err = dedupe.Merge(ctx, s, localdb.EntityContact, a.ID, b.ID, nil)
	require.NoError(t, err)
	_, err = dedupe.Merge(ctx, s, localdb.EntityContact, a.ID, b.ID, nil)
	assert.ErrorIs(t, err, localdb.ErrNotFound, "a merged record cannot be merged again")

	after, err := s.PendingCount(ctx)
	require.NoError(t, err)
	assert.Equal(t, before+3, after, "refusals wrote nothing; the merge wrote the kept record, the tombstone and the decision")
}

func TestMergeCompanies(t *testing.T) {
	s := openStore(t)
	keep := company(t, s, localdb.Company{Name: "Müller GmbH", City: "München", Tags: []string{"a-kunde"}})
	other := company(t, s, localdb.Company{Name: "Mueller AG", Street: "Leopoldstr. 1", PostalCode: "80802", City: "München",
		Website: "mueller.example", Tags: []string{"messe"}})
	ct := contact(t, s, localdb.Contact{FullName: "Hans Müller", CompanyID: other.ID})
	deal, activity, task, visit := links(t, s, ct)

	res, err := dedupe.Merge(ctx, s, localdb.EntityCompany, keep.ID, other.ID, nil)
	require.NoError(t, err)
	assert.Equal(t, map[string]int{localdb.EntityContact: 1, localdb.EntityDeal: 1, localdb.EntityActivity: 1,
		localdb.EntityTask: 1, localdb.EntityVisit: 1}, res.Repointed)

	got, err := s.GetCompany(ctx, keep.ID)
	require.NoError(t, err)
	assert.Equal(t, "Müller GmbH", got.Name)
	assert.Equal(t, "München", got.City)
	assert.Empty(t, got.Street, "the kept address stays whole: its city is set, so no street from elsewhere")
	assert.Equal(t, "mueller.example", got.Website)
	assert.Equal(t, []string{"a-kunde", "messe"}, got.Tags)

	c, err := s.GetContact(ctx, ct.ID)
	require.NoError(t, err)
	assert.Equal(t, keep.ID, c.CompanyID)
	assert.Equal(t, "Müller GmbH", c.Company)
	for _, r := range []struct {
		entity, id string
	}{{localdb.EntityDeal, deal}, {localdb.EntityActivity, activity}, {localdb.EntityTask, task}, {localdb.EntityVisit, visit}} {
		_, fields := journaledFields(t, s, r.entity, r.id)
		assert.JSONEq(t, `"`+keep.ID+`"`, string(fields["company_id"]), "%s re-pointed in the journal", r.entity)
	}
	_, err = s.GetCompany(ctx, other.ID)
	assert.ErrorIs(t, err, localdb.ErrNotFound)
}

func TestCompareShowsDifferingFields(t *testing.T) {
	s := openStore(t)
	keep := contact(t, s, localdb.Contact{FullName: "Hans Müller", Title: "Einkauf", Emails: emails("hans@acme.example")})
	other := contact(t, s, localdb.Contact{FullName: "Hans Müller", Notes: "neu", Emails: emails("hm@globex.example")})
	cmp, err := dedupe.Compare(ctx, s, localdb.EntityContact, keep.ID, other.ID)
	require.NoError(t, err)
	assert.Equal(t, []dedupe.FieldDiff{
		{Field: "title", Keep: "Einkauf", Other: "", Default: dedupe.FromKeep},
		{Field: "emails", Keep: "hans@acme.example", Other: "hm@globex.example", Default: dedupe.FromBoth},
		{Field: "notes", Keep: "", Other: "neu", Default: dedupe.FromOther},
	}, cmp.Diffs)
	pending, err := s.PendingCount(ctx)
	require.NoError(t, err)
	assert.Equal(t, 2, pending, "comparing writes nothing")
}

func TestFollowMerges(t *testing.T) {
	s := openStore(t)
	a := contact(t, s, localdb.Contact{FullName: "Eva Braun"})
	b := contact(t, s, localdb.Contact{FullName: "Eva Braune"})
	c := contact(t, s, localdb.Contact{FullName: "E. Braun"})
	_, err := dedupe.Merge(ctx, s, localdb.EntityContact, b.ID, a.ID, nil)
	require.NoError(t, err)
	_, err = dedupe.Merge(ctx, s, localdb.EntityContact, c.ID, b.ID, nil)
	require.NoError(t, err)

	// A deal that arrived by sync for the first merged-away contact, as a
	// client that had not heard of either merge made it.
	late := &localdb.Deal{Title: "Offline angelegt", Stage: "Lead"}
	require.NoError(t, s.Create(ctx, late))
	_, err = s.DB().Exec(`UPDATE deals SET contact_id = ? WHERE id = ?`, a.ID, late.ID)
	require.NoError(t, err)

	n, err := dedupe.FollowMerges(ctx, s)
	require.NoError(t, err)
	assert.Equal(t, 1, n)
	d, err := s.GetDeal(ctx, late.ID)
	require.NoError(t, err)
	assert.Equal(t, c.ID, d.ContactID, "the deal follows the chain of merges to the live contact")
	_, fields := journaledFields(t, s, localdb.EntityDeal, late.ID)
	assert.JSONEq(t, `"`+c.ID+`"`, string(fields["contact_id"]), "and the re-pointing is journaled, so it syncs")

	n, err = dedupe.FollowMerges(ctx, s)
	require.NoError(t, err)
	assert.Zero(t, n, "nothing left to follow")
}
