package demo

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"repdesk/localdb"
	"repdesk/localdb/forecast"
	"repdesk/localdb/sales"
)

func TestSeedSellsProducts(t *testing.T) {
	ctx := context.Background()
	s, err := localdb.OpenTemp(t.TempDir())
	require.NoError(t, err)
	defer s.Close()
	now := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	_, err = Seed(ctx, s, Options{Contacts: 1000, Seed: 7, Now: now})
	require.NoError(t, err)

	products, err := s.Products(ctx)
	require.NoError(t, err)
	assert.Len(t, products, 15)

	// Every deal with line items is worth their sum.
	var wrong int
	require.NoError(t, s.DB().QueryRow(`SELECT COUNT(*) FROM deals d WHERE d.amount <> (SELECT SUM(quantity * unit_price)
		FROM line_items WHERE deal_id = d.id AND deleted = 0) AND EXISTS (SELECT 1 FROM line_items WHERE deal_id = d.id)`).Scan(&wrong))
	assert.Zero(t, wrong)

	// Customers get suggestions with a reason.
	var company string
	require.NoError(t, s.DB().QueryRow(`SELECT company_id FROM deals WHERE stage = 'Won' GROUP BY company_id
		ORDER BY COUNT(*) DESC, company_id LIMIT 1`).Scan(&company))
	got, err := sales.Suggest(ctx, s, company, sales.SuggestOptions{})
	require.NoError(t, err)
	require.NotEmpty(t, got)
	assert.Regexp(t, `^bought by \d+ of \d+ customers who also bought .+$`, got[0].Reason)

	// Won deals closed over the last half year; this month has a target.
	f, err := forecast.Compute(ctx, s, forecast.Options{Now: now})
	require.NoError(t, err)
	require.Len(t, f.Won, 1)
	var allWon int
	require.NoError(t, s.DB().QueryRow(`SELECT COUNT(*) FROM deals WHERE stage = 'Won'`).Scan(&allWon))
	assert.Less(t, f.Won[0].Count, allWon/2, "not every won deal closed this month")
	require.Len(t, f.Targets, 2, "the team's and the rep's")
	assert.Greater(t, f.Targets[0].Target, int64(0))
}
