package sales_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"repdesk/localdb"
	"repdesk/localdb/sales"
)

var ctx = context.Background()

func openStore(t *testing.T) *localdb.Store {
	t.Helper()
	now := time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
	s, err := localdb.Open(filepath.Join(t.TempDir(), "repdesk.db"), localdb.WithClock(func() time.Time {
		now = now.Add(time.Second)
		return now
	}))
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, s.Close()) })
	return s
}

func product(t *testing.T, s *localdb.Store, name, sku string, price int64, currency string) *localdb.Product {
	t.Helper()
	p := &localdb.Product{Name: name, SKU: sku, Price: price, Currency: currency}
	require.NoError(t, s.Create(ctx, p))
	return p
}

func deal(t *testing.T, s *localdb.Store, d *localdb.Deal) *localdb.Deal {
	t.Helper()
	require.NoError(t, s.Create(ctx, d))
	return d
}

func addItem(t *testing.T, s *localdb.Store, dealID, productID string, qty, price int64) *localdb.LineItem {
	t.Helper()
	var it *localdb.LineItem
	require.NoError(t, s.Update(ctx, func(tx *localdb.Tx) error {
		var err error
		it, err = sales.AddItem(tx, dealID, productID, qty, price)
		return err
	}))
	return it
}

func amountOf(t *testing.T, s *localdb.Store, id string) int64 {
	t.Helper()
	d, err := s.GetDeal(ctx, id)
	require.NoError(t, err)
	return d.Amount
}

// fields decodes the fields of a journal entry into plain values.
func fields(t *testing.T, c localdb.Change) map[string]any {
	t.Helper()
	out := map[string]any{}
	for k, v := range c.Fields {
		var x any
		require.NoError(t, json.Unmarshal(v, &x))
		out[k] = x
	}
	return out
}

func TestDealAmountFollowsLineItems(t *testing.T) {
	s := openStore(t)
	lic := product(t, s, "CRM-Lizenz", "LIC-1", 120000, "EUR")
	train := product(t, s, "Schulung", "TRN-1", 45000, "EUR")
	d := deal(t, s, &localdb.Deal{Title: "Rollout", Amount: 999900})

	first := addItem(t, s, d.ID, lic.ID, 3, -1)
	assert.Equal(t, int64(120000), first.UnitPrice, "the catalog price by default")
	assert.Equal(t, int64(360000), amountOf(t, s, d.ID), "the first item replaces the typed amount")

	second := addItem(t, s, d.ID, train.ID, 2, 40000)
	assert.Equal(t, int64(440000), amountOf(t, s, d.ID), "a given price overrides the catalog's")

	require.NoError(t, s.Update(ctx, func(tx *localdb.Tx) error {
		_, err := sales.SetItem(tx, first.ID, 5, -1)
		return err
	}))
	assert.Equal(t, int64(680000), amountOf(t, s, d.ID))

	require.NoError(t, s.Update(ctx, func(tx *localdb.Tx) error { return sales.RemoveItem(tx, first.ID) }))
	assert.Equal(t, int64(80000), amountOf(t, s, d.ID))
	require.NoError(t, s.Update(ctx, func(tx *localdb.Tx) error { return sales.RemoveItem(tx, second.ID) }))
	assert.Equal(t, int64(80000), amountOf(t, s, d.ID), "a deal without items keeps its last amount")

	// Every amount change is a journaled patch of the deal, so it syncs.
	j, err := s.JournalFor(ctx, localdb.EntityDeal, d.ID)
	require.NoError(t, err)
	var amounts []any
	for _, c := range j[1:] {
		assert.Equal(t, "patch", c.Op)
		f := fields(t, c)
		assert.Len(t, f, 1, "only the amount changed: %v", f)
		amounts = append(amounts, f["amount"])
	}
	assert.Equal(t, []any{360000.0, 440000.0, 680000.0, 80000.0}, amounts)

	j, err = s.JournalFor(ctx, localdb.EntityLineItem, first.ID)
	require.NoError(t, err)
	require.Len(t, j, 3)
	assert.Equal(t, map[string]any{"deal_id": d.ID, "product_id": lic.ID, "quantity": 3.0, "unit_price": 120000.0}, fields(t, j[0]))
	assert.Equal(t, map[string]any{"quantity": 5.0}, fields(t, j[1]))
	assert.Equal(t, "delete", j[2].Op)
}

func TestLineItemRules(t *testing.T) {
	s := openStore(t)
	usd := product(t, s, "Support US", "SUP-US", 9900, "USD")
	eur := product(t, s, "Support", "SUP", 8900, "EUR")
	d := deal(t, s, &localdb.Deal{Title: "Wartung", Amount: 5000})

	cases := []struct {
		name          string
		product       string
		qty, price    int64
		wantField     string
		wantProblemIn string
	}{
		{"catalog price in another currency", usd.ID, 1, -1, "unit_price", "priced in USD, the deal is in EUR"},
		{"no quantity", eur.ID, 0, -1, "quantity", "at least 1"},
		{"negative price", eur.ID, 1, -5, "", ""}, // below zero means "the catalog's"
		{"unknown product", "0190a0b0-0000-7000-8000-000000000000", 1, 100, "", "not found"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := amountOf(t, s, d.ID)
			err := s.Update(ctx, func(tx *localdb.Tx) error {
				_, err := sales.AddItem(tx, d.ID, c.product, c.qty, c.price)
				return err
			})
			if c.wantProblemIn == "" {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), c.wantProblemIn)
			if c.wantField != "" {
				var ve *localdb.ValidationError
				require.ErrorAs(t, err, &ve)
				assert.Equal(t, c.wantField, ve.Field)
			}
			assert.Equal(t, before, amountOf(t, s, d.ID), "nothing half-written")
		})
	}
	// An explicit price in the deal's currency is fine for a foreign-priced product.
	addItem(t, s, d.ID, usd.ID, 1, 9000)
	assert.Equal(t, int64(8900+9000), amountOf(t, s, d.ID))
}

func TestSKUIsUnique(t *testing.T) {
	s := openStore(t)
	p := product(t, s, "Lizenz", "LIC-1", 100, "EUR")
	err := s.Create(ctx, &localdb.Product{Name: "Andere", SKU: "lic-1", Price: 1})
	var ve *localdb.ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, "sku", ve.Field)
	assert.Contains(t, ve.Problem, `taken by the product "Lizenz"`)
	assert.Equal(t, "Lizenz", ve.TakenBy, "screens name the product in the rep's language")

	p.Price = 200
	require.NoError(t, s.Save(ctx, p), "saving a product keeps its own SKU")
	require.NoError(t, s.Delete(ctx, localdb.EntityProduct, p.ID))
	require.NoError(t, s.Create(ctx, &localdb.Product{Name: "Neu", SKU: "LIC-1", Price: 1}), "a deleted product's SKU is free again")

	for _, bad := range []localdb.Product{{SKU: "X"}, {Name: "X"}, {Name: "X", SKU: "Y", Price: -1}, {Name: "X", SKU: "Z", Currency: "EURO"}} {
		assert.Error(t, s.Create(ctx, &bad), "%+v", bad)
	}
}
