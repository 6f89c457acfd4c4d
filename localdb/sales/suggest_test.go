package sales_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"repdesk/localdb"
	"repdesk/localdb/sales"
)

// catalog is the fixed data set of the suggestion tests: customers and the
// products on their deals.
type catalog struct {
	s         *localdb.Store
	products  map[string]*localdb.Product
	companies map[string]string // name -> id
}

func newCatalog(t *testing.T) *catalog {
	c := &catalog{s: openStore(t), products: map[string]*localdb.Product{}, companies: map[string]string{}}
	for i, name := range []string{"Basislizenz", "Premium-Support", "Schulung", "Scanner", "Cloud-Backup"} {
		c.products[name] = product(t, c.s, name, name[:3]+string(rune('0'+i)), int64(1000*(i+1)), "EUR")
	}
	return c
}

// buy gives company a deal in stage with one line item per product.
func (c *catalog) buy(t *testing.T, company, stage string, products ...string) string {
	t.Helper()
	id, ok := c.companies[company]
	if !ok {
		co := &localdb.Company{Name: company}
		require.NoError(t, c.s.Create(ctx, co))
		id = co.ID
		c.companies[company] = id
	}
	d := deal(t, c.s, &localdb.Deal{Title: company + " " + stage, CompanyID: id, Stage: stage})
	for _, p := range products {
		addItem(t, c.s, d.ID, c.products[p].ID, 1, -1)
	}
	return d.ID
}

func (c *catalog) reasons(t *testing.T, company string, o sales.SuggestOptions) []string {
	t.Helper()
	got, err := sales.Suggest(ctx, c.s, c.companies[company], o)
	require.NoError(t, err)
	var out []string
	for _, s := range got {
		out = append(out, s.Product+": "+s.Reason)
	}
	return out
}

func TestSuggestAddons(t *testing.T) {
	c := newCatalog(t)
	c.buy(t, "Zielkunde", "Won", "Basislizenz")
	for _, co := range []string{"K1", "K2", "K3", "K4", "K5"} {
		c.buy(t, co, "Won", "Basislizenz", "Premium-Support")
	}
	for _, co := range []string{"K1", "K2", "K3"} {
		c.buy(t, co, "Won", "Schulung") // a later deal: purchases add up per customer
	}
	c.buy(t, "K6", "Won", "Basislizenz")
	c.buy(t, "K7", "Won", "Basislizenz", "Basislizenz") // twice on one deal counts once
	c.buy(t, "K8", "Won", "Scanner", "Cloud-Backup")
	c.buy(t, "K9", "Won", "Scanner", "Cloud-Backup")
	c.buy(t, "K10", "Won", "Basislizenz", "Scanner")
	c.buy(t, "K11", "Proposal", "Basislizenz", "Cloud-Backup") // open deals are no purchases
	c.buy(t, "K6", "Lost", "Cloud-Backup")                     // nor are lost ones
	// A removed line item is no purchase either.
	removed := c.buy(t, "K6", "Won", "Schulung")
	items, err := c.s.LineItems(ctx, removed)
	require.NoError(t, err)
	require.NoError(t, c.s.Update(ctx, func(tx *localdb.Tx) error { return sales.RemoveItem(tx, items[0].ID) }))

	assert.Equal(t, []string{
		"Premium-Support: bought by 5 of 8 customers who also bought Basislizenz",
		"Schulung: bought by 3 of 8 customers who also bought Basislizenz",
	}, c.reasons(t, "Zielkunde", sales.SuggestOptions{}), "the scanner (1 of 8) is below the minimum support")

	assert.Equal(t, []string{
		"Premium-Support: bought by 5 of 8 customers who also bought Basislizenz",
	}, c.reasons(t, "Zielkunde", sales.SuggestOptions{Limit: 1}))

	assert.Empty(t, c.reasons(t, "K1", sales.SuggestOptions{}), "K1 has everything its peers buy twice or more")

	// The strongest of several reasons: the scanner buyers' 1 of 2 beats none.
	assert.Equal(t, []string{"Basislizenz: bought by 1 of 2 customers who also bought Scanner"},
		c.reasons(t, "K8", sales.SuggestOptions{MinSupport: 1}))

	got, err := sales.Suggest(ctx, c.s, c.companies["Zielkunde"], sales.SuggestOptions{})
	require.NoError(t, err)
	assert.Equal(t, sales.Suggestion{ProductID: c.products["Premium-Support"].ID, Product: "Premium-Support", SKU: "Pre1",
		Price: 2000, Currency: "EUR", AnchorID: c.products["Basislizenz"].ID, Anchor: "Basislizenz", Support: 5, Base: 8,
		Reason: "bought by 5 of 8 customers who also bought Basislizenz"}, got[0])

	_, err = sales.Suggest(ctx, c.s, c.companies["K11"], sales.SuggestOptions{})
	assert.ErrorIs(t, err, sales.ErrNotCustomer, "a company with open deals only is no customer yet")
	_, err = sales.Suggest(ctx, c.s, "0190a0b0-0000-7000-8000-000000000000", sales.SuggestOptions{})
	assert.ErrorIs(t, err, localdb.ErrNotFound)
}

func TestCreateAddon(t *testing.T) {
	c := newCatalog(t)
	contact := &localdb.Contact{FullName: "Jana Vogt"}
	require.NoError(t, c.s.Create(ctx, contact))
	won := c.buy(t, "Zielkunde", "Won", "Basislizenz")
	d, err := c.s.GetDeal(ctx, won)
	require.NoError(t, err)
	d.ContactID = contact.ID
	require.NoError(t, c.s.Save(ctx, d))

	var addon *localdb.Deal
	require.NoError(t, c.s.Update(ctx, func(tx *localdb.Tx) error {
		var err error
		addon, err = sales.CreateAddon(tx, c.companies["Zielkunde"], c.products["Schulung"].ID, 2)
		return err
	}))
	got, err := c.s.GetDeal(ctx, addon.ID)
	require.NoError(t, err)
	assert.Equal(t, "Schulung – Zielkunde", got.Title)
	assert.Equal(t, "Lead", got.Stage, "an add-on starts in the first stage")
	assert.Equal(t, int64(6000), got.Amount, "2 × the catalog price")
	assert.Equal(t, []string{sales.AddonTag}, got.Tags)
	assert.Equal(t, contact.ID, got.ContactID, "the contact of the latest won deal")
	items, err := sales.Items(ctx, c.s, addon.ID)
	require.NoError(t, err)
	require.Len(t, items, 1)
	assert.Equal(t, "Schulung", items[0].Product)
	assert.Equal(t, int64(2), items[0].Quantity)
	assert.Equal(t, int64(6000), items[0].Total)
	j, err := c.s.JournalFor(ctx, localdb.EntityDeal, addon.ID)
	require.NoError(t, err)
	assert.Len(t, j, 1, "created with its amount: no second write")
}
