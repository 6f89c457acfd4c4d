package demo

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"repdesk/localdb"
)

func TestSeedFillsEveryEntity(t *testing.T) {
	ctx := context.Background()
	s, err := localdb.OpenTemp(t.TempDir())
	require.NoError(t, err)
	defer s.Close()
	n, err := Seed(ctx, s, Options{Contacts: 300, Seed: 7, Now: time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)})
	require.NoError(t, err)
	assert.Equal(t, Counts{Companies: 30, Contacts: 300, Deals: 60, Activities: 75, Tasks: 12, Visits: 6, Products: 15, LineItems: 107}, n)

	count, err := s.CountContacts(ctx)
	require.NoError(t, err)
	assert.Equal(t, 300, count)

	deals, err := s.ListDeals(ctx, localdb.DealFilter{})
	require.NoError(t, err)
	stages := map[string]bool{}
	for _, d := range deals {
		stages[d.Stage] = true
		assert.NotEmpty(t, d.Company, "deal %s has a company", d.Title)
	}
	assert.Len(t, stages, 6, "deals in every stage")

	hits, err := s.Search(ctx, "müller", localdb.SearchOptions{})
	require.NoError(t, err)
	assert.NotEmpty(t, hits, "German names are searchable")

	pending, err := s.PendingCount(ctx)
	require.NoError(t, err)
	var patches int
	require.NoError(t, s.DB().QueryRow(`SELECT COUNT(*) FROM journal WHERE op = 'patch' AND entity = 'deal'`).Scan(&patches))
	assert.Equal(t, 30+300+60+75+12+6+15+107+2+patches, pending, "demo data syncs like typed data (deal amounts following line items included)")
}

func TestSeedIsDeterministic(t *testing.T) {
	ctx := context.Background()
	names := func() []string {
		s, err := localdb.OpenTemp(t.TempDir())
		require.NoError(t, err)
		defer s.Close()
		_, err = Seed(ctx, s, Options{Contacts: 50, Seed: 42, Now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)})
		require.NoError(t, err)
		cs, err := s.ListContacts(ctx, localdb.ContactFilter{})
		require.NoError(t, err)
		var out []string
		for _, c := range cs {
			out = append(out, c.FullName+"|"+c.Company+"|"+c.Phones[0].E164)
		}
		return out
	}
	assert.Equal(t, names(), names())
}

func BenchmarkSeed10k(b *testing.B) {
	for b.Loop() {
		s, err := localdb.OpenTemp(b.TempDir())
		require.NoError(b, err)
		_, err = Seed(context.Background(), s, Options{Contacts: 10000, Seed: 1})
		require.NoError(b, err)
		s.Close()
	}
}
