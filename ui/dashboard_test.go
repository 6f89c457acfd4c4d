package ui

import (
	"context"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"repdesk/localdb"
	"repdesk/localdb/forecast"
	"repdesk/localdb/sales"
)

// chartTexts is every visible canvas text (the charts' labels and figures)
// and label of the window, one per line.
func (h *harness) chartTexts() string {
	var b strings.Builder
	for _, o := range h.objects() {
		if t, ok := o.(*canvas.Text); ok {
			b.WriteString(t.Text + "\n")
		}
	}
	return b.String() + h.texts()
}

// selectWithPlaceholder finds the visible select with this placeholder.
func (h *harness) selectWithPlaceholder(text string) *widget.Select {
	h.t.Helper()
	for _, o := range h.objects() {
		if s, ok := o.(*widget.Select); ok && s.PlaceHolder == text {
			return s
		}
	}
	require.FailNow(h.t, "no select "+text)
	return nil
}

// entryWithText finds the last visible entry holding text.
func (h *harness) entryWithText(text string) *keyEntry {
	h.t.Helper()
	var found *keyEntry
	for _, o := range h.objects() {
		if e, ok := o.(*keyEntry); ok && e.Text == text {
			found = e
		}
	}
	require.NotNil(h.t, found, "no entry holding %q", text)
	return found
}

func TestDashboardWithoutData(t *testing.T) {
	h := newHarness(t, harnessOpts{welcomed: true})
	h.app.showID("dashboard")
	h.idle()
	texts := h.chartTexts()
	for _, want := range []string{"Dashboard · Mar 2026", "Pipeline by stage", "Lead (0)", "Negotiation (0)", "€0 · €0",
		"No target set for this month.", "Set target…", "No calls logged this week yet.", "Mon Mar 9", "Sun Mar 15",
		"0 · 0 connected", "Mar 2026", "Aug 2026"} {
		assert.Contains(t, texts, want)
	}
	assert.NotContains(t, texts, "Overdue", "no overdue row without overdue deals")
}

func TestDashboardShowsForecastTargetAndCalls(t *testing.T) {
	h := newHarness(t, harnessOpts{welcomed: true})
	ctx := context.Background()
	co := &localdb.Company{Name: "Alpen Logistik AG"}
	require.NoError(t, h.store.Create(ctx, co))
	for _, d := range []localdb.Deal{
		{Title: "Angebot", Stage: "Proposal", Amount: 1000000, ExpectedClose: "2026-03-20"},
		{Title: "Dollar", Stage: "Negotiation", Amount: 400000, Currency: "USD", ExpectedClose: "2026-04-02"},
		{Title: "Überfällig", Stage: "Lead", Amount: 500000, ExpectedClose: "2026-01-15"},
		{Title: "Gewonnen", Stage: "Won", Amount: 250000},
	} {
		require.NoError(t, h.store.Create(ctx, &d))
	}
	for _, a := range []localdb.Activity{
		{Kind: localdb.KindCall, Outcome: localdb.OutcomeConnected, OccurredAt: testNow.Add(-time.Hour), CompanyID: co.ID},
		{Kind: localdb.KindCall, Outcome: localdb.OutcomeVoicemail, OccurredAt: testNow.Add(-25 * time.Hour), CompanyID: co.ID},
	} {
		require.NoError(t, h.store.Create(ctx, &a))
	}
	require.NoError(t, h.store.Update(ctx, func(tx *localdb.Tx) error {
		_, err := forecast.SetTarget(tx, "2026-03", "", 2000000, "EUR")
		return err
	}))
	h.app.showID("dashboard")
	h.idle()
	texts := h.chartTexts()
	for _, want := range []string{
		"€15,000", "1 deal won", "50\u00a0% connected", // the figures on top
		"Proposal (1)", "€10,000 · €5,000", "Lead (1)", "€5,000 · €500",
		"Shown in EUR; also open: $4,000", // never added to the euros
		"Team target", "€20,000", "€2,500 · 12\u00a0%", "€7,500 · 37\u00a0%",
		"Overdue", "€500",
		"Mon Mar 9", "1 · 0 connected", "Tue Mar 10", "1 · 1 connected",
		"2 calls, 1 connected: a connect rate of 50\u00a0%",
	} {
		assert.Contains(t, texts, want)
	}

	// The rep raises the team's target in the dialog.
	h.tap("Set target…")
	amount := h.app.win.Canvas().Focused()
	require.NotNil(t, amount)
	h.repPicker().SetText("Whole team")
	h.idle()
	assert.Equal(t, "20,000", amount.(*keyEntry).Text, "the team's target there is")
	h.typeInto(amount, "30.000")
	h.tap("Save")
	h.idle()
	assert.Contains(t, h.chartTexts(), "€30,000")
	targets, err := h.store.Targets(ctx, "2026-03")
	require.NoError(t, err)
	require.Len(t, targets, 1, "changed, not added")
	assert.Equal(t, int64(3000000), targets[0].Amount)
}

func TestCompanySuggestsAddonsAndCreatesTheDeal(t *testing.T) {
	h := newHarness(t, harnessOpts{welcomed: true})
	ctx := context.Background()
	products := map[string]*localdb.Product{}
	for _, p := range []localdb.Product{{Name: "CRM-Lizenz", SKU: "LIC", Price: 69000}, {Name: "Premium-Support", SKU: "SUP", Price: 240000}} {
		require.NoError(t, h.store.Create(ctx, &p))
		products[p.SKU] = &p
	}
	var target string
	for i, name := range []string{"Berg GmbH", "Cordes KG", "Zielkunde GmbH"} {
		co := &localdb.Company{Name: name}
		require.NoError(t, h.store.Create(ctx, co))
		d := &localdb.Deal{Title: "Rollout " + name, CompanyID: co.ID, Stage: "Won"}
		require.NoError(t, h.store.Create(ctx, d))
		skus := []string{"LIC", "SUP"}
		if i == 2 {
			skus, target = skus[:1], co.ID
		}
		for _, sku := range skus {
			require.NoError(t, h.store.Update(ctx, func(tx *localdb.Tx) error {
				_, err := sales.AddItem(tx, d.ID, products[sku].ID, 1, -1)
				return err
			}))
		}
	}
	h.app.openCompany(target)
	h.idle()
	h.requireText("Add-on suggestions")
	h.requireText("Premium-Support")
	h.requireText("Bought by 2 of 2 customers who also bought CRM-Lizenz")

	h.tap("Create add-on deal")
	deals, err := h.store.ListDeals(ctx, localdb.DealFilter{CompanyID: target, Open: true})
	require.NoError(t, err)
	require.Len(t, deals, 1)
	assert.Equal(t, "Premium-Support – Zielkunde GmbH", deals[0].Title)
	assert.Equal(t, int64(240000), deals[0].Amount)
	assert.Equal(t, "deals", h.app.current().id(), "the new deal opens")
	h.requireText("Line items")
	h.entryWithText("2,400") // the line's unit price
	assert.Contains(t, h.texts(), "€2,400")
}

func TestDealLineItemsSetTheAmount(t *testing.T) {
	h := newHarness(t, harnessOpts{welcomed: true})
	ctx := context.Background()
	p := &localdb.Product{Name: "Schulung vor Ort", SKU: "TRN", Price: 160000}
	require.NoError(t, h.store.Create(ctx, p))
	d := &localdb.Deal{Title: "Einführung", Amount: 99900}
	require.NoError(t, h.store.Create(ctx, d))
	h.app.openDeal(d.ID)
	h.idle()
	h.requireText("No line items: the amount is typed in. Add products and the amount follows them.")
	f := h.app.editing().(*dealForm)
	f.title.SetText("Einführung 2026") // typed, not saved: survives the item change
	sel := h.selectWithPlaceholder("Product")
	sel.SetSelectedIndex(0)
	h.typeInto(h.entryWithText("1"), "3")
	h.tap("Add")
	h.idle()
	got, err := h.store.GetDeal(ctx, d.ID)
	require.NoError(t, err)
	assert.Equal(t, int64(480000), got.Amount)
	assert.Equal(t, "4,800", f.amount.Text, "the form shows the new amount")
	assert.True(t, f.amount.Disabled(), "the amount follows the items")
	assert.Equal(t, "Einführung 2026", f.title.Text)
	h.entryWithText("1,600") // the line's unit price
	assert.Contains(t, h.texts(), "€4,800")
	test.Tap(h.button("Save"))
	h.idle()
	got, err = h.store.GetDeal(ctx, d.ID)
	require.NoError(t, err)
	assert.Equal(t, "Einführung 2026", got.Title)
	assert.Equal(t, int64(480000), got.Amount, "saving the form keeps the items' sum")
}
