package localdb

import (
	"context"
	"database/sql"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// bulkTestContacts are n contacts of every shape an import writes: with and
// without company, phones, addresses and tags, decomposed umlauts (NFC is
// the batch's job too), and given ids, so that two stores hold the same rows.
func bulkTestContacts(n int, companyID string) []*Contact {
	out := make([]*Contact, n)
	for i := range out {
		c := &Contact{
			Meta:       Meta{ID: fmt.Sprintf("01900000-0000-7000-8000-%012d", i)},
			GivenName:  []string{"Anna", "Jürgen", "Zoë"}[i%3],
			FamilyName: []string{"Mu\u0308ller", "Smith", "Groß"}[i%3] + fmt.Sprint(i),
			Title:      []string{"", "Buyer"}[i%2],
			Emails:     []Email{{Address: fmt.Sprintf("person%d@example.org", i), Primary: true}},
			Notes:      []string{"", "Met at the fair in Hannover."}[i%2],
		}
		if i%4 != 3 {
			c.CompanyID = companyID
		}
		if i%5 != 0 {
			c.Phones = []Phone{{Number: fmt.Sprintf("+49 89 %07d", 1000000+i), Type: PhoneWork}}
			c.Addresses = []Address{{City: "München", PostalCode: "80331"}}
			c.Tags = []string{"Kunde", "VIP"}[:1+i%2]
		}
		out[i] = c
	}
	return out
}

// bulkTestStore is a store with one company, whose id it returns.
func bulkTestStore(t *testing.T) (*Store, string) {
	s, _ := openTestStore(t)
	co := &Company{Meta: Meta{ID: "01900000-0000-7000-8000-aaaaaaaaaaaa"}, Name: "Bäckerei Köhler"}
	require.NoError(t, s.Create(context.Background(), co))
	return s, co.ID
}

// tableRows reads every row of a query as text, for comparing two stores.
func tableRows(t *testing.T, s *Store, query string) [][]string {
	t.Helper()
	rows, err := s.DB().Query(query)
	require.NoError(t, err)
	defer rows.Close()
	cols, err := rows.Columns()
	require.NoError(t, err)
	var out [][]string
	for rows.Next() {
		vals := make([]sql.NullString, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		require.NoError(t, rows.Scan(ptrs...))
		row := make([]string, len(cols))
		for i, v := range vals {
			row[i] = v.String
		}
		out = append(out, row)
	}
	require.NoError(t, rows.Err())
	return out
}

func TestContactBatchWritesWhatCreateContactWrites(t *testing.T) {
	// More than bulkRows contacts: full batches and a shorter last one.
	n := bulkRows + 37
	ctx := context.Background()
	one, oneCo := bulkTestStore(t)
	require.NoError(t, one.Update(ctx, func(tx *Tx) error {
		for _, c := range bulkTestContacts(n, oneCo) {
			if err := tx.CreateContact(c); err != nil {
				return err
			}
		}
		return nil
	}))
	batched, batchedCo := bulkTestStore(t)
	var contacts []*Contact
	require.NoError(t, batched.Update(ctx, func(tx *Tx) error {
		b := tx.ContactBatch()
		for _, c := range bulkTestContacts(n, batchedCo) {
			created, err := b.CreatePrepared(batched.PrepareContact(c), c.CompanyID)
			if err != nil {
				return err
			}
			contacts = append(contacts, created)
		}
		return nil // the commit writes what is queued
	}))

	for _, q := range []string{
		`SELECT * FROM contacts ORDER BY rid`,
		`SELECT seq, entity, record_id, op, fields, base_version, at, pushed_at FROM journal ORDER BY seq`,
		`SELECT rowid, * FROM search ORDER BY rowid`,
		`SELECT tag, contact_rid FROM contact_tags ORDER BY tag, contact_rid`,
	} {
		want := tableRows(t, one, q)
		require.NotEmpty(t, want, q)
		assert.Equal(t, want, tableRows(t, batched, q), q)
	}
	for _, q := range []string{"Müller", "Mueller1", "Jur", "Köhler", "Hannover", "089 1000012", "person7@example.org", "groß2"} {
		want, err := one.Search(ctx, q, SearchOptions{Limit: 1000})
		require.NoError(t, err)
		require.NotEmpty(t, want, q)
		got, err := batched.Search(ctx, q, SearchOptions{Limit: 1000})
		require.NoError(t, err)
		assert.Equal(t, want, got, "search %q", q)
	}
	assert.Equal(t, "Bäckerei Köhler", contacts[0].Company, "the batch fills in the company name")
	assert.Equal(t, int64(1), contacts[0].Version)
	assert.NotNil(t, contacts[n-1].Tags, "lists are empty, not nil, as reads return them")
}

func TestContactBatchQueuesUntilFlush(t *testing.T) {
	s, _ := openTestStore(t)
	ctx := context.Background()
	require.NoError(t, s.Update(ctx, func(tx *Tx) error {
		b := tx.ContactBatch()
		c, err := b.CreatePrepared(s.PrepareContact(&Contact{FullName: "Anna Schmidt"}), "")
		require.NoError(t, err)
		require.NotEmpty(t, c.ID, "the contact has its id once queued")
		_, err = tx.GetContact(c.ID)
		require.ErrorIs(t, err, ErrNotFound, "queued, not written")

		var verr *ValidationError
		_, err = b.CreatePrepared(s.PrepareContact(&Contact{Emails: []Email{{Address: "anna@example.org"}}}), "")
		require.ErrorAs(t, err, &verr, "a contact without a name fails at once, alone")
		_, err = b.CreatePrepared(s.PrepareContact(&Contact{FullName: "Peter"}), "01900000-0000-7000-8000-000000000001")
		require.ErrorAs(t, err, &verr, "a link to no company fails at once")

		require.NoError(t, b.Flush())
		got, err := tx.GetContact(c.ID)
		require.NoError(t, err)
		assert.Equal(t, "Anna Schmidt", got.FullName)
		require.NoError(t, b.Flush(), "flushing nothing is no error")
		return nil
	}))
	assert.Equal(t, 1, rowCount(t, s, "contacts"))
	n, err := s.PendingCount(ctx)
	require.NoError(t, err)
	assert.Equal(t, 1, n, "one journal entry")

	err = s.Update(ctx, func(tx *Tx) error {
		_, err := tx.ContactBatch().CreatePrepared(s.PrepareContact(&Contact{FullName: "Rolled Back"}), "")
		require.NoError(t, err)
		return fmt.Errorf("something else failed")
	})
	require.Error(t, err)
	assert.Equal(t, 1, rowCount(t, s, "contacts"), "a queued contact of a failed transaction is not written")
	hits, err := s.Search(ctx, "Rolled", SearchOptions{})
	require.NoError(t, err)
	assert.Empty(t, hits)
}
