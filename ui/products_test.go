package ui

import (
	"context"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"repdesk/localdb"
	"repdesk/localdb/sales"
)

// productField is the entry of the product dialog's field key.
func (h *harness) productField(key string) *keyEntry {
	h.t.Helper()
	f := h.app.products.form
	require.NotNil(h.t, f, "no product dialog open")
	return map[string]*keyEntry{"name": f.name, "sku": f.sku, "price": f.price, "notes": f.notes}[key]
}

// fillProduct types a product into the open dialog and saves it.
func (h *harness) fillProduct(name, sku, price string) {
	h.typeInto(h.productField("name"), name)
	h.typeInto(h.productField("sku"), sku)
	h.typeInto(h.productField("price"), price)
	h.tap("Save")
}

// selectProductRow opens the product in row of the table.
func (h *harness) selectProductRow(row int) {
	h.app.products.table.Select(widget.TableCellID{Row: row, Col: 0})
	h.idle()
}

func TestProductCatalogAddFilterEditDelete(t *testing.T) {
	h := newHarness(t, harnessOpts{welcomed: true})
	ctx := context.Background()
	h.shortcut("7")
	require.Equal(t, "products", h.app.current().id(), "Ctrl+7, beside Deals")
	h.requireText("No products yet")

	h.tap("New product")
	h.fillProduct("CRM-Lizenz", "LIC", "690")
	h.tap("New product")
	h.fillProduct("Premium-Support", "SUP", "2.400,00") // either notation
	before, err := h.store.PendingCount(ctx)
	require.NoError(t, err)
	assert.Equal(t, 2, before, "each product is journaled for sync")

	// A second product with a taken SKU, a negative price and no name: each
	// field says what is wrong, and nothing is saved.
	h.tap("New product")
	h.typeInto(h.productField("sku"), "lic")
	h.typeInto(h.productField("price"), "-5")
	h.tap("Save")
	texts := h.texts()
	for _, want := range []string{"Please correct the marked fields.", "Required: give the product a name.",
		"SKU already used by CRM-Lizenz.", "Price must not be negative."} {
		assert.Contains(t, texts, want)
	}
	h.typeInto(h.productField("name"), "Schulung vor Ort")
	h.typeInto(h.productField("sku"), "TRN")
	h.typeInto(h.productField("price"), "1600")
	h.tap("Save")
	assert.Nil(t, h.app.products.form, "the dialog closed")

	products, err := h.store.Products(ctx)
	require.NoError(t, err)
	require.Len(t, products, 3)
	assert.Equal(t, int64(240000), products[1].Price)
	assert.Equal(t, "EUR", products[1].Currency, "the currency of the settings")
	texts = h.texts()
	for _, want := range []string{"3 products", "Name", "SKU", "Price", "Won deals", "CRM-Lizenz", "LIC", "€690", "€2,400", "€1,600"} {
		assert.Contains(t, texts, want)
	}

	// A won deal with the licence counts in its row.
	d := &localdb.Deal{Title: "Rollout", Stage: "Won"}
	require.NoError(t, h.store.Create(ctx, d))
	require.NoError(t, h.store.Update(ctx, func(tx *localdb.Tx) error {
		_, err := sales.AddItem(tx, d.ID, products[0].ID, 2, -1)
		return err
	}))
	h.app.changed(nil, localdb.EntityLineItem)
	h.idle()
	assert.Equal(t, []int{1, 0, 0}, []int{h.app.products.all[0].WonDeals, h.app.products.all[1].WonDeals, h.app.products.all[2].WonDeals})

	// Filtering by name or SKU.
	h.typeInto(h.app.products.filter, "support")
	h.requireText("1 of 3 products")
	h.typeInto(h.app.products.filter, "trn")
	h.requireText("Schulung vor Ort")
	assert.Len(t, h.app.products.visible, 1)
	h.typeInto(h.app.products.filter, "xyz")
	h.requireText("Nothing matches “xyz”.")
	h.typeInto(h.app.products.filter, "")

	// Editing the price.
	h.selectProductRow(2)
	assert.Equal(t, "Schulung vor Ort", h.productField("name").Text)
	h.typeInto(h.productField("price"), "1,750")
	h.tap("Save")
	p := &localdb.Product{}
	require.NoError(t, h.store.Read(ctx, p, products[2].ID))
	assert.Equal(t, int64(175000), p.Price)
	h.requireText("€1,750")

	// Deleting after a confirmation.
	h.selectProductRow(2)
	h.tap("Delete product")
	h.requireText("Delete Schulung vor Ort? Deals that sold it keep their line items and amounts.")
	test.Tap(h.button("Delete"))
	h.idle()
	products, err = h.store.Products(ctx)
	require.NoError(t, err)
	assert.Len(t, products, 2)
	h.requireText("2 products")
}

func TestProductDialogSpeaksGerman(t *testing.T) {
	h := newHarness(t, harnessOpts{welcomed: true, language: "de"})
	require.NoError(t, h.store.Create(context.Background(), &localdb.Product{Name: "CRM-Lizenz", SKU: "LIC", Price: 69000}))
	h.app.showID("products")
	h.idle()
	texts := h.texts()
	for _, want := range []string{"Produkte", "Artikelnr.", "Preis", "Gewonnene Deals", "1 Produkt", "690\u00a0€"} {
		assert.Contains(t, texts, want)
	}
	h.tap("Neues Produkt")
	h.typeInto(h.productField("sku"), "LIC")
	h.typeInto(h.productField("price"), "zwölf")
	h.key(fyne.KeyTab)
	h.tap("Speichern")
	texts = h.texts()
	for _, want := range []string{"Pflichtfeld: Geben Sie dem Produkt einen Namen.", "Artikelnummer schon vergeben an CRM-Lizenz.",
		"Kein Betrag; bitte z. B. als 12.500,50 schreiben."} {
		assert.Contains(t, texts, want)
	}
}
