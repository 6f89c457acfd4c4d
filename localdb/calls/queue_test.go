package calls_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"repdesk/localdb"
	"repdesk/localdb/calls"
)

// queueBook is a small book of contacts in two cities, with call tasks.
func queueBook(t *testing.T, s *localdb.Store) map[string]*localdb.Contact {
	t.Helper()
	ctx := context.Background()
	berlinCo := &localdb.Company{Name: "Spree Logistik", City: "Berlin", PostalCode: "10115"}
	munichCo := &localdb.Company{Name: "Isar Bau", City: "München", PostalCode: "80331"}
	require.NoError(t, s.Create(ctx, berlinCo))
	require.NoError(t, s.Create(ctx, munichCo))
	at := func(city, postal string) []localdb.Address {
		return []localdb.Address{{City: city, PostalCode: postal}}
	}
	book := map[string]*localdb.Contact{}
	add := func(name string, edit func(c *localdb.Contact)) {
		book[name] = contactWith(t, s, name, edit)
	}
	add("Anton Adler", func(c *localdb.Contact) { c.Addresses = at("Berlin", "10117"); c.Tags = []string{"VIP"} })
	add("Berta Bauer", func(c *localdb.Contact) { c.CompanyID = berlinCo.ID; c.LeadStatus = localdb.LeadContacted })
	add("Carl Conrad", func(c *localdb.Contact) { c.Addresses = at("München", "80331"); c.Tags = []string{"vip", "messe"} })
	add("Dora Dietz", func(c *localdb.Contact) { c.CompanyID = munichCo.ID; c.DoNotCall = true })
	add("Emil Engel", func(c *localdb.Contact) { c.Phones = nil; c.Addresses = at("Berlin", "13353") })
	add("Frida Fink", func(c *localdb.Contact) {
		c.Owner = "ben"
		c.Phones = []localdb.Phone{{Number: "+49 89 555", Flagged: true}, {Number: "+49 171 5550102", Type: localdb.PhoneMobile}}
	})
	add("Gustav Graf", func(c *localdb.Contact) {
		c.LeadStatus = localdb.LeadCustomer
		c.Tags = []string{"50%_Rabatt", `Öko "grün"`}
	})
	// Calls due: Carl this morning, Berta yesterday (overdue), Anton next week.
	for _, k := range []*localdb.Task{
		{Title: "Call Carl about the fair", Kind: localdb.TaskCall, Due: friday.Add(-time.Hour), ContactID: book["Carl Conrad"].ID},
		{Title: "Call Berta", Kind: localdb.TaskCall, Due: friday.AddDate(0, 0, -1), ContactID: book["Berta Bauer"].ID},
		{Title: "Call Anton", Kind: localdb.TaskCall, Due: friday.AddDate(0, 0, 7), ContactID: book["Anton Adler"].ID},
		{Title: "Mail Gustav", Kind: localdb.TaskEmail, Due: friday, ContactID: book["Gustav Graf"].ID},
	} {
		require.NoError(t, s.Create(ctx, k))
	}
	return book
}

func names(entries []calls.Entry) []string {
	out := []string{}
	for _, e := range entries {
		out = append(out, e.Name)
	}
	return out
}

func TestQueueFilters(t *testing.T) {
	s, _ := openStore(t)
	queueBook(t, s)
	for _, tc := range []struct {
		name   string
		filter localdb.QueueFilter
		want   []string
	}{
		{"everyone, calls due first", localdb.QueueFilter{},
			[]string{"Berta Bauer", "Carl Conrad", "Anton Adler", "Dora Dietz", "Emil Engel", "Frida Fink", "Gustav Graf"}},
		{"calls due today", localdb.QueueFilter{DueToday: true}, []string{"Berta Bauer", "Carl Conrad"}},
		{"lead status", localdb.QueueFilter{LeadStatus: []string{"new"}},
			[]string{"Carl Conrad", "Anton Adler", "Dora Dietz", "Emil Engel", "Frida Fink"}},
		{"two statuses", localdb.QueueFilter{LeadStatus: []string{"contacted", "customer"}}, []string{"Berta Bauer", "Gustav Graf"}},
		{"tag, any case", localdb.QueueFilter{Tags: []string{"vip"}}, []string{"Carl Conrad", "Anton Adler"}},
		{"every tag", localdb.QueueFilter{Tags: []string{"vip", "Messe"}}, []string{"Carl Conrad"}},
		{"tag with LIKE wildcards", localdb.QueueFilter{Tags: []string{"50%_rabatt"}}, []string{"Gustav Graf"}},
		{"tag with quotes and umlauts", localdb.QueueFilter{Tags: []string{`Öko "grün"`}}, []string{"Gustav Graf"}},
		{"part of a tag is no tag", localdb.QueueFilter{Tags: []string{"vi"}}, []string{}},
		{"city of the contact or its company", localdb.QueueFilter{City: "berlin"}, []string{"Berta Bauer", "Anton Adler", "Emil Engel"}},
		{"umlaut city", localdb.QueueFilter{City: "München"}, []string{"Carl Conrad", "Dora Dietz"}},
		{"postal code prefix", localdb.QueueFilter{PostalPrefix: "101"}, []string{"Berta Bauer", "Anton Adler"}},
		{"owner me", localdb.QueueFilter{Owner: "me", LeadStatus: []string{"new"}},
			[]string{"Carl Conrad", "Anton Adler", "Dora Dietz", "Emil Engel"}},
		{"other owner", localdb.QueueFilter{Owner: "ben"}, []string{"Frida Fink"}},
		{"conditions together", localdb.QueueFilter{City: "Berlin", LeadStatus: []string{"new"}, Tags: []string{"VIP"}}, []string{"Anton Adler"}},
		{"nobody", localdb.QueueFilter{City: "Hamburg"}, []string{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q, err := calls.Build(context.Background(), s, tc.filter, calls.Options{Now: friday, Location: berlin})
			require.NoError(t, err)
			assert.Equal(t, tc.want, names(q))
			for _, limit := range []int{1, 2, 3} {
				q, err := calls.Build(context.Background(), s, tc.filter, calls.Options{Now: friday, Location: berlin, Limit: limit})
				require.NoError(t, err)
				assert.Equal(t, tc.want[:min(limit, len(tc.want))], names(q), "the first %d", limit)
			}
		})
	}
	_, err := calls.Build(context.Background(), s, localdb.QueueFilter{LeadStatus: []string{"hot"}}, calls.Options{})
	require.ErrorContains(t, err, `lead_status "hot": must be one of new, contacted`)
}

func TestQueueEntriesAndSkips(t *testing.T) {
	s, _ := openStore(t)
	book := queueBook(t, s)
	q, err := calls.Build(context.Background(), s, localdb.QueueFilter{}, calls.Options{Now: friday, Location: berlin})
	require.NoError(t, err)
	byName := map[string]calls.Entry{}
	for _, e := range q {
		byName[e.Name] = e
	}
	carl := byName["Carl Conrad"]
	assert.Equal(t, "Call Carl about the fair", carl.TaskTitle)
	assert.NotEmpty(t, carl.TaskID)
	require.NotNil(t, carl.Due)
	assert.True(t, friday.Add(-time.Hour).Equal(*carl.Due))
	assert.Equal(t, "München", carl.City)
	assert.Empty(t, byName["Anton Adler"].TaskID, "a call due next week is not due today")
	assert.Equal(t, "Spree Logistik", byName["Berta Bauer"].Company)
	assert.Equal(t, "Berlin", byName["Berta Bauer"].City, "the company's city when the contact has no address")
	assert.Equal(t, calls.SkipDoNotCall, byName["Dora Dietz"].Skip)
	assert.Equal(t, calls.SkipNoPhone, byName["Emil Engel"].Skip)
	assert.Equal(t, "+49 171 5550102", byName["Frida Fink"].Phone, "the number reported wrong is not dialled")
	assert.Equal(t, "+491715550102", byName["Frida Fink"].PhoneE164)
	assert.Empty(t, byName["Frida Fink"].Skip)
	assert.Equal(t, book["Anton Adler"].ID, byName["Anton Adler"].ContactID)

	// Working through: Dora and Emil are skipped with their reasons.
	i, skipped := calls.Next(q, 3)
	assert.Equal(t, "Frida Fink", q[i].Name)
	assert.Equal(t, []string{"Dora Dietz", "Emil Engel"}, names(skipped))
	i, skipped = calls.Next(q, len(q))
	assert.Equal(t, -1, i)
	assert.Empty(t, skipped)
}

// A logged call takes the contact off today's queue: its due call is done,
// and a contact called today is not offered again unless asked for.
func TestQueueGoesOnWhereTheRepStopped(t *testing.T) {
	s, clk := openStore(t)
	book := queueBook(t, s)
	ctx := context.Background()
	opts := calls.Options{Now: friday, Location: berlin}
	update(t, s, func(tx *localdb.Tx) error {
		_, err := calls.LogCall(tx, calls.Call{ContactID: book["Carl Conrad"].ID, Outcome: localdb.OutcomeNoAnswer, Location: berlin})
		if err != nil {
			return err
		}
		_, err = calls.LogCall(tx, calls.Call{ContactID: book["Anton Adler"].ID, Outcome: localdb.OutcomeConnected, Location: berlin})
		return err
	})
	q, err := calls.Build(ctx, s, localdb.QueueFilter{DueToday: true}, opts)
	require.NoError(t, err)
	assert.Equal(t, []string{"Berta Bauer"}, names(q))
	q, err = calls.Build(ctx, s, localdb.QueueFilter{LeadStatus: []string{"new", "contacted"}}, opts)
	require.NoError(t, err)
	assert.Equal(t, []string{"Berta Bauer", "Dora Dietz", "Emil Engel", "Frida Fink"}, names(q))
	opts.Limit = 2
	q, err = calls.Build(ctx, s, localdb.QueueFilter{LeadStatus: []string{"new", "contacted"}}, opts)
	require.NoError(t, err)
	assert.Equal(t, []string{"Berta Bauer", "Dora Dietz"}, names(q), "limited: Anton and Carl are still left out")
	opts.Limit = 0
	opts.IncludeCalledToday = true
	q, err = calls.Build(ctx, s, localdb.QueueFilter{LeadStatus: []string{"new", "contacted"}}, opts)
	require.NoError(t, err)
	assert.Equal(t, []string{"Berta Bauer", "Anton Adler", "Carl Conrad", "Dora Dietz", "Emil Engel", "Frida Fink"}, names(q))

	// On Tuesday Carl's retry is due.
	tuesday := time.Date(2026, 3, 10, 8, 0, 0, 0, berlin)
	clk.set(tuesday)
	q, err = calls.Build(ctx, s, localdb.QueueFilter{DueToday: true}, calls.Options{Now: tuesday, Location: berlin})
	require.NoError(t, err)
	assert.Equal(t, []string{"Berta Bauer", "Carl Conrad"}, names(q))
	assert.Equal(t, "Call Carl Conrad again", q[1].TaskTitle)
}

func TestSavedFiltersSurviveRestartAndSync(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	s, err := localdb.Open(filepath.Join(dir, "repdesk.db"))
	require.NoError(t, err)
	queueBook(t, s)
	var saved *localdb.SavedFilter
	update(t, s, func(tx *localdb.Tx) error {
		var err error
		saved, err = calls.SaveFilter(tx, "Berlin VIPs", localdb.QueueFilter{City: " Berlin ", Tags: []string{"vip", ""}})
		return err
	})
	assert.Equal(t, localdb.QueueFilter{City: "Berlin", Tags: []string{"vip"}}, saved.Filter, "tidied")
	// Saving the same name (any case) replaces the filter.
	update(t, s, func(tx *localdb.Tx) error {
		_, err := calls.SaveFilter(tx, "berlin vips", localdb.QueueFilter{City: "Berlin", LeadStatus: []string{"new"}})
		return err
	})
	err = s.Update(ctx, func(tx *localdb.Tx) error {
		_, err := calls.SaveFilter(tx, "Bad", localdb.QueueFilter{LeadStatus: []string{"warm"}})
		return err
	})
	require.ErrorContains(t, err, `lead_status "warm"`)
	assert.Equal(t, []string{"saved_filter create", "saved_filter patch"}, journaled(t, s, localdb.EntitySavedFilter, saved.ID))
	require.NoError(t, s.Close())

	s, err = localdb.Open(filepath.Join(dir, "repdesk.db"))
	require.NoError(t, err)
	defer s.Close()
	filters, err := s.SavedFilters(ctx)
	require.NoError(t, err)
	require.Len(t, filters, 1)
	assert.Equal(t, "Berlin VIPs", filters[0].Name)
	q, err := calls.Build(ctx, s, filters[0].Filter, calls.Options{Now: friday, Location: berlin})
	require.NoError(t, err)
	assert.Equal(t, []string{"Anton Adler", "Emil Engel"}, names(q))

	update(t, s, func(tx *localdb.Tx) error { return calls.DeleteFilter(tx, "BERLIN VIPs") })
	filters, err = s.SavedFilters(ctx)
	require.NoError(t, err)
	assert.Empty(t, filters)
}

// The queue is sorted outside SQLite, in the order of the contact list
// (SQLite's NOCASE collation: ASCII letters without case, everything else
// bytewise), also for names where a Unicode-aware order would differ.
func TestQueueOrderIsTheContactListOrder(t *testing.T) {
	s, _ := openStore(t)
	ctx := context.Background()
	for _, name := range []string{"zoe", "Zoë", "Ärger", "anna", "Anna", "ANNA", "_Unterstrich", "Émile", "Bob", "bob", "Ab", "a", "Ölmann", "[Klammer]"} {
		contactWith(t, s, name, nil)
	}
	var want []string
	rows, err := s.DB().QueryContext(ctx, `SELECT full_name FROM contacts WHERE deleted = 0 ORDER BY full_name COLLATE NOCASE, id`)
	require.NoError(t, err)
	defer rows.Close()
	for rows.Next() {
		var n string
		require.NoError(t, rows.Scan(&n))
		want = append(want, n)
	}
	require.NoError(t, rows.Err())
	q, err := calls.Build(ctx, s, localdb.QueueFilter{}, calls.Options{Now: friday, Location: berlin})
	require.NoError(t, err)
	assert.Equal(t, want, names(q))
	q, err = calls.Build(ctx, s, localdb.QueueFilter{}, calls.Options{Now: friday, Location: berlin, Limit: 4})
	require.NoError(t, err)
	assert.Equal(t, want[:4], names(q), "a limited queue is the start of the whole one")
}
