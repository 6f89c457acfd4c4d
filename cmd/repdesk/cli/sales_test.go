package cli

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestProductsItemsAndSuggestions(t *testing.T) {
	r := newRD(t)
	lic := r.ok("products", "add", "--name", "CRM-Lizenz", "--sku", "LIC-CRM", "--price", "690")
	r.ok("products", "add", "--name", "Premium-Support", "--sku", "SUP-PRM", "--price", "2.400,00EUR")
	r.ok("products", "add", "--name", "Schulung", "--sku", "TRN-VOR", "--price", "1600", "--currency", "eur")

	var products []map[string]any
	r.json(&products, "products", "list")
	require.Len(t, products, 3)
	assert.Equal(t, map[string]any{"id": lic, "name": "CRM-Lizenz", "sku": "LIC-CRM", "price": 69000.0, "currency": "EUR",
		"notes": "", "created_at": products[0]["created_at"], "updated_at": products[0]["updated_at"], "version": 1.0,
		"owner": products[0]["owner"]}, products[0])

	res := r.run("products", "add", "--name", "Doppelt", "--sku", "lic-crm", "--price", "1")
	assert.Equal(t, 1, res.code)
	assert.Contains(t, res.stderr, `sku "lic-crm": taken by the product "CRM-Lizenz"`)
	assert.Equal(t, 2, r.run("products", "add", "--name", "X", "--sku", "X").code, "--price is required")
	assert.Equal(t, 2, r.run("products", "add", "--name", "X", "--sku", "X", "--price", "12EURO").code)

	// Customers: three bought the license with support, one the license alone.
	var target string
	for i, company := range []string{"Alpen Logistik AG", "Berg GmbH", "Cordes KG", "Zielkunde GmbH"} {
		deal := r.ok("deals", "add", "--title", "Rollout", "--company", company, "--stage", "Won", "--amount", "1")
		var items struct {
			DealID   string `json:"deal_id"`
			Amount   int64  `json:"amount"`
			Currency string `json:"currency"`
			Items    []struct {
				ID        string `json:"id"`
				ProductID string `json:"product_id"`
				Product   string `json:"product"`
				SKU       string `json:"sku"`
				Quantity  int64  `json:"quantity"`
				UnitPrice int64  `json:"unit_price"`
				Total     int64  `json:"total"`
			} `json:"items"`
		}
		r.json(&items, "deals", "items", "add", deal, "--product", "LIC-CRM", "--qty", "10")
		assert.Equal(t, int64(690000), items.Amount, "the deal amount follows its items")
		assert.Equal(t, "CRM-Lizenz", items.Items[0].Product)
		assert.Equal(t, int64(690000), items.Items[0].Total)
		if i < 3 {
			r.json(&items, "deals", "items", "add", "--product", "SUP-PRM", deal, "--price", "2000")
			assert.Equal(t, int64(890000), items.Amount)
			r.json(&items, "deals", "items", "set", items.Items[0].ID, "--qty", "5")
			assert.Equal(t, int64(545000), items.Amount)
		} else {
			var c []map[string]any
			r.json(&c, "companies", "list")
			for _, co := range c {
				if co["name"] == company {
					target = co["id"].(string)
				}
			}
		}
	}
	assert.Equal(t, 2, r.run("deals", "items", "add", target[:8]).code, "--product is required")

	var got []map[string]any
	r.json(&got, "suggest", target)
	require.Len(t, got, 1)
	assert.Equal(t, "Premium-Support", got[0]["product"])
	assert.Equal(t, "SUP-PRM", got[0]["sku"])
	assert.Equal(t, 240000.0, got[0]["price"])
	assert.Equal(t, "EUR", got[0]["currency"])
	assert.Equal(t, "CRM-Lizenz", got[0]["anchor_product"])
	assert.Equal(t, 3.0, got[0]["support"])
	assert.Equal(t, 3.0, got[0]["base"])
	assert.Equal(t, "bought by 3 of 3 customers who also bought CRM-Lizenz", got[0]["reason"])
	assert.Contains(t, r.ok("suggest", target), "bought by 3 of 3 customers who also bought CRM-Lizenz")

	addon := r.ok("suggest", target, "--create", "SUP-PRM", "--qty", "2")
	var d map[string]any
	r.json(&d, "deals", "show", addon)
	assert.Equal(t, "Premium-Support – Zielkunde GmbH", d["title"])
	assert.Equal(t, 480000.0, d["amount"])
	assert.Equal(t, "Lead", d["stage"])
	assert.Equal(t, []any{"add-on"}, d["tags"])

	res = r.run("suggest", r.ok("companies", "add", "--name", "Neukunde AG"))
	assert.Equal(t, 1, res.code)
	assert.Contains(t, res.stderr, "not a customer yet")
}

func TestForecastAndTargets(t *testing.T) {
	r := newRD(t)
	month := time.Now().Format("2006-01")
	r.ok("deals", "add", "--title", "Offen", "--stage", "Proposal", "--amount", "10000", "--close", month+"-28")
	r.ok("deals", "add", "--title", "Dollar", "--stage", "Negotiation", "--amount", "4000", "--currency", "USD", "--probability", "60")
	r.ok("deals", "add", "--title", "Gewonnen", "--stage", "Won", "--amount", "2500")

	id := r.ok("targets", "set", "--month", month, "--amount", "20000EUR")
	assert.Equal(t, id, r.ok("targets", "set", "--amount", "EUR 25000", "--month", month), "setting again changes the target")
	assert.Equal(t, 2, r.run("targets", "set", "--month", month).code)
	assert.Equal(t, 2, r.run("targets", "set", "--month", month, "--amount", "5 Euro").code)
	res := r.run("targets", "set", "--month", "2026-13", "--amount", "1")
	assert.Equal(t, 1, res.code)
	assert.Contains(t, res.stderr, "must be a month such as 2026-12")

	var targets []map[string]any
	r.json(&targets, "targets", "list")
	require.Len(t, targets, 1)
	assert.Equal(t, 2500000.0, targets[0]["amount"])
	assert.Equal(t, "", targets[0]["rep"])

	var f map[string]any
	r.json(&f, "forecast", "--month", month)
	for _, k := range []string{"month", "by_month", "by_stage", "won", "open", "targets", "calls"} {
		assert.Contains(t, f, k)
	}
	assert.Equal(t, month, f["month"])
	assert.Equal(t, []any{
		map[string]any{"currency": "EUR", "count": 1.0, "amount": 1000000.0, "weighted": 500000.0},
		map[string]any{"currency": "USD", "count": 1.0, "amount": 400000.0, "weighted": 240000.0},
	}, f["open"])
	assert.Equal(t, []any{map[string]any{"currency": "EUR", "count": 1.0, "amount": 250000.0, "weighted": 250000.0}}, f["won"])
	assert.Equal(t, []any{map[string]any{"rep": "", "month": month, "currency": "EUR", "target": 2500000.0, "won": 250000.0,
		"forecast": 750000.0, "progress_pct": 10.0, "forecast_pct": 30.0, "other_currencies": false}}, f["targets"])
	stages := f["by_stage"].([]any)
	assert.Equal(t, "Lead", stages[0].(map[string]any)["stage"])
	calls := f["calls"].(map[string]any)
	assert.Equal(t, 0.0, calls["calls"])
	assert.Len(t, calls["days"], 7)

	text := r.ok("forecast", "--month", month)
	assert.Contains(t, text, "Proposal (50%)")
	assert.Contains(t, text, "team: won 2500.00 EUR of 25000.00 EUR (10%)")
	assert.Equal(t, 2, r.run("forecast", "--month", "12/2026").code)

	raw := r.ok("forecast", "--json", "--rep", "nobody")
	assert.True(t, json.Valid([]byte(raw)))
	assert.Contains(t, raw, `"open": []`)
}
