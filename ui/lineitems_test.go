package ui

import (
	"context"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"repdesk/localdb"
	"repdesk/localdb/sales"
)

// dealWithTwoLines is a deal with a licence (quantity 1) and a training
// (quantity 2) on it, opened in the app.
func dealWithTwoLines(t *testing.T, h *harness) *localdb.Deal {
	t.Helper()
	ctx := context.Background()
	d := &localdb.Deal{Title: "Einführung"}
	require.NoError(t, h.store.Create(ctx, d))
	for i, p := range []localdb.Product{{Name: "CRM-Lizenz", SKU: "LIC", Price: 69000}, {Name: "Schulung vor Ort", SKU: "TRN", Price: 160000}} {
		require.NoError(t, h.store.Create(ctx, &p))
		require.NoError(t, h.store.Update(ctx, func(tx *localdb.Tx) error {
			_, err := sales.AddItem(tx, d.ID, p.ID, int64(i+1), -1)
			return err
		}))
	}
	h.app.openDeal(d.ID)
	h.idle()
	return d
}

func TestLineItemProblemsNameTheLineAndTheField(t *testing.T) {
	for _, tc := range []struct {
		language, qty, price, want string
	}{
		{"en", "0", "1,600", "Line 2: quantity must be at least 1"},
		{"en", "zwei", "1,600", "Line 2: quantity must be a whole number"},
		{"en", "2", "-5", "Line 2: unit price must be an amount such as 12,500.50"},
		{"de", "0", "1.600", "Zeile 2: Menge muss mindestens 1 sein"},
		{"de", "2", "viel", "Zeile 2: Stückpreis muss ein Betrag sein wie 12.500,50"},
	} {
		t.Run(tc.language+"/"+tc.qty+"/"+tc.price, func(t *testing.T) {
			h := newHarness(t, harnessOpts{welcomed: true, language: tc.language})
			d := dealWithTwoLines(t, h)
			qty := h.entryWithText("2")
			price := h.entryWithText(map[string]string{"en": "1,600", "de": "1.600"}[tc.language])
			h.typeInto(price, tc.price)
			h.typeInto(qty, tc.qty)
			h.key(fyne.KeyReturn)
			h.requireText(tc.want)
			got, err := h.store.GetDeal(context.Background(), d.ID)
			require.NoError(t, err)
			assert.Equal(t, int64(69000+2*160000), got.Amount, "nothing saved")
		})
	}
}

func TestLineItemQuantityAndPriceChangeTheAmount(t *testing.T) {
	h := newHarness(t, harnessOpts{welcomed: true})
	d := dealWithTwoLines(t, h)
	f := h.app.editing().(*dealForm)
	h.typeInto(h.entryWithText("1,600"), "1,500")
	h.typeInto(h.entryWithText("2"), "3")
	h.key(fyne.KeyReturn)
	got, err := h.store.GetDeal(context.Background(), d.ID)
	require.NoError(t, err)
	assert.Equal(t, int64(69000+3*150000), got.Amount)
	assert.Equal(t, "5,190", f.amount.Text, "the form shows the new amount")
	h.requireText("€4,500")

	// A quantity of 0 for a new line names the line it would be.
	h.selectWithPlaceholder("Product").SetSelectedIndex(0)
	h.typeInto(h.entryWithText("1"), "0")
	h.tap("Add")
	h.requireText("Line 3: quantity must be at least 1")
}

func TestLineItemChangesTypedWithoutEnterAreKept(t *testing.T) {
	h := newHarness(t, harnessOpts{welcomed: true})
	d := dealWithTwoLines(t, h)
	ctx := context.Background()

	// Two lines changed, Enter in neither: Cancel asks before they go.
	rows := h.app.editing().(*dealForm).items.rows
	h.typeInto(rows[1].price, "1,500")
	h.typeInto(rows[0].qty, "4")
	test.Tap(h.button("Cancel"))
	h.idle()
	h.requireText("Discard changes?")
	h.tap("Keep editing")
	h.idle()

	// Saving the deal saves them with it, and the amount follows.
	test.Tap(h.button("Save"))
	h.idle()
	got, err := h.store.GetDeal(ctx, d.ID)
	require.NoError(t, err)
	assert.Equal(t, int64(4*69000+2*150000), got.Amount)
}

func TestEnterSavesEveryChangedLine(t *testing.T) {
	h := newHarness(t, harnessOpts{welcomed: true})
	d := dealWithTwoLines(t, h)
	rows := h.app.editing().(*dealForm).items.rows
	h.typeInto(rows[0].qty, "5") // line 1, no Enter
	h.typeInto(rows[1].qty, "3") // line 2
	h.key(fyne.KeyReturn)
	got, err := h.store.GetDeal(context.Background(), d.ID)
	require.NoError(t, err)
	assert.Equal(t, int64(5*69000+3*160000), got.Amount, "line 1's quantity is not lost to line 2's save")
}
