package localdb

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// linkFixtures are live records that new records link to.
type linkFixtures struct {
	company *Company
	contact *Contact
	deal    *Deal
}

func makeLinkFixtures(t *testing.T, s *Store) linkFixtures {
	t.Helper()
	ctx := context.Background()
	f := linkFixtures{
		company: &Company{Name: "Weber Logistik GmbH", City: "Bremen"},
		contact: &Contact{FullName: "Sabine Weber"},
		deal:    &Deal{Title: "Flottenvertrag"},
	}
	require.NoError(t, s.Create(ctx, f.company))
	f.contact.CompanyID = f.company.ID
	require.NoError(t, s.CreateContact(ctx, f.contact))
	f.deal.CompanyID, f.deal.ContactID = f.company.ID, f.contact.ID
	require.NoError(t, s.Create(ctx, f.deal))
	return f
}

// entityCase describes one entity for the CRUD tests.
type entityCase struct {
	entity, table string
	newRecord     func(f linkFixtures) Record
	edit          func(r Record)
	get           func(ctx context.Context, s *Store, id string) (Record, error)
	list          func(ctx context.Context, s *Store) ([]string, error)
	// withLink returns a new record whose link field points at id.
	withLink  func(f linkFixtures, id string) Record
	linkField string
	linkKind  string
}

func idsOf[T any, P interface {
	*T
	Record
}](recs []T, err error) ([]string, error) {
	ids := make([]string, len(recs))
	for i := range recs {
		ids[i] = P(&recs[i]).meta().ID
	}
	return ids, err
}

var dueAt = time.Date(2025, 3, 14, 10, 0, 0, 0, time.UTC)

var entityCases = []entityCase{
	{
		entity: EntityCompany, table: "companies",
		newRecord: func(linkFixtures) Record {
			return &Company{Name: "Schäfer Maschinenbau AG", City: "Köln", PostalCode: "50667", Tags: []string{"Messe"}}
		},
		edit: func(r Record) { r.(*Company).Industry = "Maschinenbau" },
		get:  func(ctx context.Context, s *Store, id string) (Record, error) { return s.GetCompany(ctx, id) },
		list: func(ctx context.Context, s *Store) ([]string, error) {
			return idsOf(s.ListCompanies(ctx, CompanyFilter{}))
		},
	},
	{
		entity: EntityContact, table: "contacts",
		newRecord: func(f linkFixtures) Record {
			return &Contact{FullName: "Jürgen Müller", CompanyID: f.company.ID,
				Emails: []Email{{Address: "j.mueller@weber-logistik.de", Primary: true}},
				Phones: []Phone{{Number: "+49 171 2345678", Type: PhoneMobile}}}
		},
		edit: func(r Record) { r.(*Contact).Title = "Einkauf" },
		get:  func(ctx context.Context, s *Store, id string) (Record, error) { return s.GetContact(ctx, id) },
		list: func(ctx context.Context, s *Store) ([]string, error) {
			return idsOf(s.ListContacts(ctx, ContactFilter{}))
		},
		withLink:  func(_ linkFixtures, id string) Record { return &Contact{FullName: "Eva Braun", CompanyID: id} },
		linkField: "company_id", linkKind: EntityCompany,
	},
	{
		entity: EntityDeal, table: "deals",
		newRecord: func(f linkFixtures) Record {
			return &Deal{Title: "Wartungsvertrag 2025", CompanyID: f.company.ID, ContactID: f.contact.ID, Amount: 1_250_000}
		},
		edit: func(r Record) { r.(*Deal).Amount = 1_500_000 },
		get:  func(ctx context.Context, s *Store, id string) (Record, error) { return s.GetDeal(ctx, id) },
		list: func(ctx context.Context, s *Store) ([]string, error) {
			return idsOf(s.ListDeals(ctx, DealFilter{}))
		},
		withLink: func(f linkFixtures, id string) Record {
			return &Deal{Title: "Ersatzteile", CompanyID: f.company.ID, ContactID: id}
		},
		linkField: "contact_id", linkKind: EntityContact,
	},
	{
		entity: EntityActivity, table: "activities",
		newRecord: func(f linkFixtures) Record {
			return &Activity{Kind: KindCall, Direction: "out", Outcome: OutcomeConnected, DurationS: 180,
				Subject: "Angebot besprochen", ContactID: f.contact.ID, DealID: f.deal.ID}
		},
		edit: func(r Record) { r.(*Activity).Body = "Rückruf am Freitag" },
		get:  func(ctx context.Context, s *Store, id string) (Record, error) { return s.GetActivity(ctx, id) },
		list: func(ctx context.Context, s *Store) ([]string, error) {
			return idsOf(s.Activities(ctx, ActivityFilter{}))
		},
		withLink: func(f linkFixtures, id string) Record {
			return &Activity{Kind: KindNote, Body: "x", ContactID: f.contact.ID, DealID: id}
		},
		linkField: "deal_id", linkKind: EntityDeal,
	},
	{
		entity: EntityTask, table: "tasks",
		newRecord: func(f linkFixtures) Record {
			return &Task{Title: "Angebot nachfassen", Kind: TaskCall, Due: dueAt, ContactID: f.contact.ID}
		},
		edit: func(r Record) { r.(*Task).Done = true },
		get:  func(ctx context.Context, s *Store, id string) (Record, error) { return s.GetTask(ctx, id) },
		list: func(ctx context.Context, s *Store) ([]string, error) {
			return idsOf(s.Tasks(ctx, TaskFilter{All: true}))
		},
		withLink:  func(_ linkFixtures, id string) Record { return &Task{Title: "Anrufen", ContactID: id} },
		linkField: "contact_id", linkKind: EntityContact,
	},
	{
		entity: EntityVisit, table: "visits",
		newRecord: func(f linkFixtures) Record {
			return &Visit{StartAt: dueAt, CompanyID: f.company.ID, Purpose: "Jahresgespräch", Assignee: "me"}
		},
		edit: func(r Record) { r.(*Visit).Status = VisitDone },
		get:  func(ctx context.Context, s *Store, id string) (Record, error) { return s.GetVisit(ctx, id) },
		list: func(ctx context.Context, s *Store) ([]string, error) {
			return idsOf(s.Visits(ctx, VisitFilter{}))
		},
		withLink: func(f linkFixtures, id string) Record {
			return &Visit{StartAt: dueAt, ContactID: f.contact.ID, CompanyID: id}
		},
		linkField: "company_id", linkKind: EntityCompany,
	},
}

// withoutNames clears the names that reads fill in from linked records.
func withoutNames(r Record) Record {
	switch x := r.(type) {
	case *Contact:
		c := *x
		c.Company = ""
		return &c
	case *Deal:
		d := *x
		d.Company, d.Contact = "", ""
		return &d
	}
	return r
}

func TestEntityLifecycle(t *testing.T) {
	for _, tc := range entityCases {
		t.Run(tc.entity, func(t *testing.T) {
			ctx := context.Background()
			s, clock := openTestStore(t, WithOwner("anna"))
			f := makeLinkFixtures(t, s)

			rec := tc.newRecord(f)
			require.NoError(t, s.Create(ctx, rec))
			m := *rec.meta()
			id, err := uuid.Parse(m.ID)
			require.NoError(t, err)
			assert.Equal(t, uuid.Version(7), id.Version(), "ids are UUIDv7")
			assert.Equal(t, clock.last(), m.CreatedAt)
			assert.Equal(t, m.CreatedAt, m.UpdatedAt)
			assert.EqualValues(t, 1, m.Version)
			assert.False(t, m.Deleted)
			assert.Equal(t, "anna", m.Owner)

			got, err := tc.get(ctx, s, m.ID)
			require.NoError(t, err)
			assert.Equal(t, withoutNames(rec), withoutNames(got), "read back as written")
			ids, err := tc.list(ctx, s)
			require.NoError(t, err)
			assert.Contains(t, ids, m.ID)

			tc.edit(got)
			require.NoError(t, s.Save(ctx, got))
			assert.EqualValues(t, 2, got.meta().Version)
			assert.Equal(t, clock.last(), got.meta().UpdatedAt)
			assert.Equal(t, m.CreatedAt, got.meta().CreatedAt)
			again, err := tc.get(ctx, s, m.ID)
			require.NoError(t, err)
			assert.Equal(t, withoutNames(got), withoutNames(again), "the edit is stored")
			assert.NotEqual(t, withoutNames(rec), withoutNames(again))

			require.NoError(t, s.Delete(ctx, tc.entity, m.ID))
			_, err = tc.get(ctx, s, m.ID)
			assert.ErrorIs(t, err, ErrNotFound)
			ids, err = tc.list(ctx, s)
			require.NoError(t, err)
			assert.NotContains(t, ids, m.ID, "tombstones are hidden from lists")
			deleted, version := storedMeta(t, s, tc.table, m.ID)
			assert.True(t, deleted, "the tombstone is kept for sync")
			assert.EqualValues(t, 3, version)
			assert.ErrorIs(t, s.Delete(ctx, tc.entity, m.ID), ErrNotFound)
			assert.ErrorIs(t, s.Save(ctx, again), ErrNotFound, "a deleted record cannot be edited")
		})
	}
}

func TestLinksToMissingRecordsAreRejected(t *testing.T) {
	for _, tc := range entityCases {
		if tc.withLink == nil {
			continue
		}
		t.Run(tc.entity, func(t *testing.T) {
			ctx := context.Background()
			s, _ := openTestStore(t)
			f := makeLinkFixtures(t, s)
			gone := map[string]Record{
				EntityCompany: &Company{Name: "Gelöscht GmbH"},
				EntityContact: &Contact{FullName: "Gelöscht"},
				EntityDeal:    &Deal{Title: "Gelöscht"},
			}[tc.linkKind]
			require.NoError(t, s.Create(ctx, gone))
			require.NoError(t, s.Delete(ctx, tc.linkKind, gone.meta().ID))
			rows, journal := rowCount(t, s, tc.table), rowCount(t, s, "journal")

			for name, target := range map[string]string{
				"missing": "0190a4c1-7c4e-7cc1-9c4e-1e0a4c1f7c4e",
				"deleted": gone.meta().ID,
			} {
				err := s.Create(ctx, tc.withLink(f, target))
				var ve *ValidationError
				require.ErrorAs(t, err, &ve, name)
				assert.Equal(t, tc.linkField, ve.Field, name)
				assert.Equal(t, target, ve.Value, name)
				assert.EqualError(t, err, "create "+tc.entity+": "+tc.linkField+` "`+target+`": no such `+tc.linkKind, name)
			}
			// An edit may not point at a missing record either.
			rec := tc.withLink(f, "")
			require.NoError(t, s.Create(ctx, rec))
			rows++
			journal++
			setLink(t, rec, tc.linkField, gone.meta().ID)
			err := s.Save(ctx, rec)
			var ve *ValidationError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, tc.linkField, ve.Field)

			assert.Equal(t, rows, rowCount(t, s, tc.table), "no row written")
			assert.Equal(t, journal, rowCount(t, s, "journal"), "nothing journaled")
		})
	}
}

// setLink sets the link field (a column name) of rec.
func setLink(t *testing.T, rec Record, field, id string) {
	t.Helper()
	switch r := rec.(type) {
	case *Contact:
		r.CompanyID = id
	case *Deal:
		r.ContactID = id
	case *Activity:
		r.DealID = id
	case *Task:
		r.ContactID = id
	case *Visit:
		r.CompanyID = id
	default:
		t.Fatalf("no link %s on %T", field, rec)
	}
}

func TestReadsFillInLinkedNames(t *testing.T) {
	ctx := context.Background()
	s, _ := openTestStore(t)
	f := makeLinkFixtures(t, s)
	c, err := s.GetContact(ctx, f.contact.ID)
	require.NoError(t, err)
	assert.Equal(t, "Weber Logistik GmbH", c.Company)
	d, err := s.GetDeal(ctx, f.deal.ID)
	require.NoError(t, err)
	assert.Equal(t, "Weber Logistik GmbH", d.Company)
	assert.Equal(t, "Sabine Weber", d.Contact)
	assert.Equal(t, "Weber Logistik GmbH", f.contact.Company, "CreateContact fills the company name in")
}

func TestListFilters(t *testing.T) {
	ctx := context.Background()
	s, _ := openTestStore(t)
	f := makeLinkFixtures(t, s)
	other := &Company{Name: "Adler Druck KG", City: "Hamburg"}
	require.NoError(t, s.Create(ctx, other))
	for _, c := range []*Contact{
		{FullName: "Zoe Adler", CompanyID: other.ID, LeadStatus: LeadQualified, Tags: []string{"VIP"}},
		{FullName: "Bernd Adler", CompanyID: other.ID},
	} {
		require.NoError(t, s.CreateContact(ctx, c))
	}
	names := func(cs []Contact, err error) []string {
		require.NoError(t, err)
		var out []string
		for _, c := range cs {
			out = append(out, c.FullName)
		}
		return out
	}
	assert.Equal(t, []string{"Bernd Adler", "Sabine Weber", "Zoe Adler"}, names(s.ListContacts(ctx, ContactFilter{})), "by name")
	assert.Equal(t, []string{"Bernd Adler", "Zoe Adler"}, names(s.ListContacts(ctx, ContactFilter{CompanyID: other.ID})))
	assert.Equal(t, []string{"Zoe Adler"}, names(s.ListContacts(ctx, ContactFilter{LeadStatus: LeadQualified})))
	assert.Equal(t, []string{"Zoe Adler"}, names(s.ListContacts(ctx, ContactFilter{Tag: "vip"})))
	assert.Equal(t, []string{"Sabine Weber"}, names(s.ListContacts(ctx, ContactFilter{Limit: 1, Offset: 1})))
	assert.Equal(t, []string{"Bernd Adler", "Zoe Adler"}, names(s.ListContacts(ctx, ContactFilter{Query: "adler"})))
	n, err := s.CountContacts(ctx)
	require.NoError(t, err)
	assert.Equal(t, 3, n)

	cos, err := s.ListCompanies(ctx, CompanyFilter{City: "ham"})
	require.NoError(t, err)
	require.Len(t, cos, 1)
	assert.Equal(t, "Adler Druck KG", cos[0].Name)
	found, err := s.FindCompanyByName(ctx, " weber logistik gmbh ")
	require.NoError(t, err)
	assert.Equal(t, f.company.ID, found.ID)
	_, err = s.FindCompanyByName(ctx, "Niemand AG")
	assert.ErrorIs(t, err, ErrNotFound)
}

func TestTasksAndVisitsByTime(t *testing.T) {
	ctx := context.Background()
	s, _ := openTestStore(t)
	f := makeLinkFixtures(t, s)
	day := func(d int) time.Time { return time.Date(2025, 3, d, 9, 0, 0, 0, time.UTC) }
	for _, k := range []*Task{
		{Title: "später", Due: day(20)},
		{Title: "ohne Termin"},
		{Title: "bald", Due: day(5)},
		{Title: "erledigt", Due: day(1), Done: true},
	} {
		require.NoError(t, s.Create(ctx, k))
	}
	titles := func(ks []Task, err error) []string {
		require.NoError(t, err)
		var out []string
		for _, k := range ks {
			out = append(out, k.Title)
		}
		return out
	}
	assert.Equal(t, []string{"bald", "später", "ohne Termin"}, titles(s.Tasks(ctx, TaskFilter{})), "open tasks by due date, undated last")
	assert.Equal(t, []string{"bald", "später", "ohne Termin", "erledigt"}, titles(s.Tasks(ctx, TaskFilter{All: true})))
	assert.Equal(t, []string{"bald"}, titles(s.Tasks(ctx, TaskFilter{DueBefore: day(10)})))

	for _, d := range []int{12, 3, 7} {
		require.NoError(t, s.Create(ctx, &Visit{StartAt: day(d), CompanyID: f.company.ID}))
	}
	vs, err := s.Visits(ctx, VisitFilter{From: day(4), To: day(20)})
	require.NoError(t, err)
	var starts []int
	for _, v := range vs {
		starts = append(starts, v.StartAt.Day())
		assert.Equal(t, v.StartAt.Add(time.Hour), v.EndAt, "a visit lasts an hour unless said otherwise")
	}
	assert.Equal(t, []int{7, 12}, starts)
}

func TestDealStagesAndProbability(t *testing.T) {
	ctx := context.Background()
	s, _ := openTestStore(t)
	stages, err := s.Stages(ctx)
	require.NoError(t, err)
	var got []string
	for _, st := range stages {
		got = append(got, fmt.Sprintf("%s:%d", st.Name, st.Probability))
	}
	assert.Equal(t, []string{"Lead:10", "Qualified:25", "Proposal:50", "Negotiation:75", "Won:100", "Lost:0"}, got)

	for _, tc := range []struct {
		stage       string
		probability int64
		want        int64
		wantStage   string
	}{
		{"", 0, 10, "Lead"},
		{"qualified", 0, 25, "Qualified"},
		{"Proposal", 0, 50, "Proposal"},
		{"Negotiation", 0, 75, "Negotiation"},
		{"Won", 0, 100, "Won"},
		{"Lost", 0, 0, "Lost"},
		{"Proposal", 60, 60, "Proposal"},
	} {
		d := &Deal{Title: "Deal " + tc.stage, Stage: tc.stage, Probability: tc.probability}
		require.NoError(t, s.Create(ctx, d))
		assert.Equal(t, tc.wantStage, d.Stage)
		assert.Equal(t, tc.want, d.Probability, "stage %q", tc.stage)
	}

	d := &Deal{Title: "Umzug"}
	require.NoError(t, s.Create(ctx, d))
	d.Stage = "Negotiation"
	require.NoError(t, s.Save(ctx, d))
	assert.EqualValues(t, 75, d.Probability, "a moved deal takes the new stage's probability")
	d.Stage, d.Probability = "Proposal", 40
	require.NoError(t, s.Save(ctx, d))
	assert.EqualValues(t, 40, d.Probability, "unless the probability was changed too")

	won, err := s.MoveDeal(ctx, d.ID, "won")
	require.NoError(t, err)
	assert.Equal(t, "Won", won.Stage)
	assert.EqualValues(t, 100, won.Probability)
	assert.NotEmpty(t, won.ClosedAt, "a won deal records when it closed")
	open, err := s.ListDeals(ctx, DealFilter{Open: true})
	require.NoError(t, err)
	for _, o := range open {
		assert.NotEqual(t, d.ID, o.ID, "won deals are not open")
	}

	require.NoError(t, s.SetStages(ctx, []Stage{{Name: "Erstkontakt", Probability: 5}, {Name: "Abschluss", Probability: 100, Closed: "won"}}))
	nd := &Deal{Title: "Neu"}
	require.NoError(t, s.Create(ctx, nd))
	assert.Equal(t, "Erstkontakt", nd.Stage, "new deals start in the first stage of the pipeline")
	assert.EqualValues(t, 5, nd.Probability)
}

func TestUpdateRunsInOneTransaction(t *testing.T) {
	ctx := context.Background()
	s, _ := openTestStore(t)
	boom := errors.New("boom")
	err := s.Update(ctx, func(tx *Tx) error {
		require.NoError(t, tx.Create(&Company{Name: "Erste GmbH"}))
		require.NoError(t, tx.CreateContact(&Contact{FullName: "Erika Muster"}))
		return boom
	})
	assert.ErrorIs(t, err, boom)
	assert.Zero(t, rowCount(t, s, "companies"))
	assert.Zero(t, rowCount(t, s, "contacts"))
	assert.Zero(t, rowCount(t, s, "journal"))
	assert.Empty(t, searchTitles(t, s, "erste", SearchOptions{}))

	assert.Panics(t, func() {
		_ = s.Update(ctx, func(tx *Tx) error {
			require.NoError(t, tx.Create(&Company{Name: "Panik AG"}))
			panic("bug")
		})
	})
	// The panicking transaction was rolled back and released its lock.
	require.NoError(t, s.Create(ctx, &Company{Name: "Danach GmbH"}))
	cos, err := s.ListCompanies(ctx, CompanyFilter{})
	require.NoError(t, err)
	require.Len(t, cos, 1)
	assert.Equal(t, "Danach GmbH", cos[0].Name)
	assert.True(t, slices.ContainsFunc(journalOf(t, s, EntityCompany, cos[0].ID), func(c Change) bool { return c.Op == OpCreate }))
}

func TestActivityTimelines(t *testing.T) {
	ctx := context.Background()
	s, _ := openTestStore(t)
	f := makeLinkFixtures(t, s)
	at := func(h int) time.Time { return time.Date(2025, 3, 3, h, 0, 0, 0, time.UTC) }
	call := &Activity{Kind: KindCall, Outcome: OutcomeVoicemail, OccurredAt: at(9), ContactID: f.contact.ID}
	require.NoError(t, s.Create(ctx, call))
	assert.Equal(t, f.company.ID, call.CompanyID, "an activity with a contact is filed under the contact's company")
	require.NoError(t, s.Create(ctx, &Activity{Kind: KindNote, Body: "Messe", OccurredAt: at(11), CompanyID: f.company.ID}))
	require.NoError(t, s.Create(ctx, &Activity{Kind: KindEmail, Subject: "Angebot", OccurredAt: at(10), DealID: f.deal.ID}))

	kinds := func(as []Activity, err error) []string {
		require.NoError(t, err)
		var out []string
		for _, a := range as {
			out = append(out, a.Kind)
		}
		return out
	}
	assert.Equal(t, []string{KindNote, KindCall}, kinds(s.Activities(ctx, ActivityFilter{CompanyID: f.company.ID})), "newest first")
	assert.Equal(t, []string{KindCall}, kinds(s.Activities(ctx, ActivityFilter{ContactID: f.contact.ID})))
	assert.Equal(t, []string{KindEmail}, kinds(s.Activities(ctx, ActivityFilter{DealID: f.deal.ID})))
	assert.Equal(t, []string{KindNote}, kinds(s.Activities(ctx, ActivityFilter{Kind: KindNote})))
	assert.Equal(t, []string{KindNote}, kinds(s.Activities(ctx, ActivityFilter{Limit: 1})))

	deals, err := s.ListDeals(ctx, DealFilter{CompanyID: f.company.ID})
	require.NoError(t, err)
	require.Len(t, deals, 1)
	assert.Equal(t, "Sabine Weber", deals[0].Contact, "lists fill in the contact's name")
	assert.Equal(t, "Weber Logistik GmbH", deals[0].Company)
}
