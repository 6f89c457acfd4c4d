package sales_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"repdesk/localdb"
	"repdesk/localdb/demo/demotest"
	"repdesk/localdb/sales"
)

func TestCatalogCountsWonDealsPerProduct(t *testing.T) {
	s := openStore(t)
	lic := product(t, s, "CRM-Lizenz", "LIC", 69000, "EUR")
	sup := product(t, s, "Premium-Support", "SUP", 240000, "EUR")
	product(t, s, "Archiv", "ARC", 0, "EUR")
	won1 := deal(t, s, &localdb.Deal{Title: "Rollout Berg", Stage: "Won"})
	won2 := deal(t, s, &localdb.Deal{Title: "Rollout Cordes", Stage: "Won"})
	open := deal(t, s, &localdb.Deal{Title: "Angebot", Stage: "Proposal"})
	gone := deal(t, s, &localdb.Deal{Title: "Gelöscht", Stage: "Won"})
	addItem(t, s, won1.ID, lic.ID, 3, -1)
	addItem(t, s, won1.ID, lic.ID, 1, -1) // a second line of the same deal counts once
	addItem(t, s, won2.ID, lic.ID, 1, -1)
	addItem(t, s, won2.ID, sup.ID, 1, -1)
	addItem(t, s, open.ID, sup.ID, 1, -1) // not won
	addItem(t, s, gone.ID, sup.ID, 1, -1)
	require.NoError(t, s.Delete(ctx, localdb.EntityDeal, gone.ID))
	removed := addItem(t, s, won1.ID, sup.ID, 1, -1)
	require.NoError(t, s.Update(ctx, func(tx *localdb.Tx) error { return sales.RemoveItem(tx, removed.ID) }))

	cat, err := sales.Catalog(ctx, s)
	require.NoError(t, err)
	got := map[string]int{}
	var names []string
	for _, e := range cat {
		got[e.SKU] = e.WonDeals
		names = append(names, e.Name)
	}
	assert.Equal(t, map[string]int{"LIC": 2, "SUP": 1, "ARC": 0}, got)
	assert.Equal(t, []string{"Archiv", "CRM-Lizenz", "Premium-Support"}, names, "by name")
}

// BenchmarkCatalog reads the products screen's catalog with the won deals
// per product over every line item (100,000 contacts, 20,000 deals).
func BenchmarkCatalog(b *testing.B) {
	s := demotest.Store(b, 100_000)
	cpu := demotest.CPU()
	for b.Loop() {
		cat, err := sales.Catalog(ctx, s)
		if err != nil {
			b.Fatal(err)
		}
		if len(cat) == 0 || cat[0].WonDeals == 0 {
			b.Fatal("the demo catalog lacks won deals")
		}
	}
	demotest.ReportCPU(b, cpu)
}
