package localdb

import (
	"fmt"
	"regexp"
	"strings"
)

// Entity names of the add-on sales records.
const (
	EntityProduct  = "product"
	EntityLineItem = "line_item"
	EntityTarget   = "target"
)

// Product is an entry of the catalog. Price is in minor units of Currency.
type Product struct {
	Meta
	Name     string `json:"name" db:"name"`
	SKU      string `json:"sku" db:"sku"`
	Price    int64  `json:"price" db:"price"`
	Currency string `json:"currency" db:"currency"`
	Notes    string `json:"notes" db:"notes"`
}

// LineItem is a product sold on a deal: Quantity times UnitPrice, in minor
// units of the deal's currency. Change line items through localdb/sales,
// which keeps the deal's amount equal to their sum.
type LineItem struct {
	Meta
	DealID    string `json:"deal_id" db:"deal_id"`
	ProductID string `json:"product_id" db:"product_id"`
	Quantity  int64  `json:"quantity" db:"quantity"`
	UnitPrice int64  `json:"unit_price" db:"unit_price"`
}

// Target is a rep's sales target for one month: won deals closed in Month,
// in Currency, count towards it. Rep "" is the team's target.
type Target struct {
	Meta
	Month    string `json:"month" db:"month"` // YYYY-MM
	Rep      string `json:"rep" db:"rep"`
	Amount   int64  `json:"amount" db:"amount"`
	Currency string `json:"currency" db:"currency"`
}

func normalizeCurrency(c string) string {
	c = strings.ToUpper(strings.TrimSpace(c))
	if c == "" {
		return "EUR"
	}
	return c
}

func validateCurrency(c string) error {
	if len(c) != 3 || strings.Trim(c, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != "" {
		return invalid("currency", c, "must be a three-letter ISO 4217 code such as EUR")
	}
	return nil
}

func (p *Product) normalize(*Tx) error {
	p.Name = strings.TrimSpace(p.Name)
	p.SKU = strings.TrimSpace(p.SKU)
	p.Currency = normalizeCurrency(p.Currency)
	return nil
}

// adjust refuses a SKU that another live product has (case-insensitive).
func (p *Product) adjust(t *Tx, _ Record) error {
	if p.SKU == "" {
		return nil
	}
	var other string
	err := t.queryRow(`SELECT COALESCE(MIN(name), '') FROM products WHERE sku = ? COLLATE NOCASE AND deleted = 0 AND id <> ?`,
		p.SKU, p.ID).Scan(&other)
	if err != nil {
		return fmt.Errorf("check sku: %w", err)
	}
	if other != "" {
		return invalid("sku", p.SKU, fmt.Sprintf("taken by the product %q", other))
	}
	return nil
}

func (p *Product) validate() error {
	switch {
	case p.Name == "":
		return invalid("name", "", "required: give the product a name")
	case p.SKU == "":
		return invalid("sku", "", "required: give the product a SKU (article number)")
	case p.Price < 0:
		return invalid("price", fmt.Sprint(p.Price), "must not be negative")
	}
	return validateCurrency(p.Currency)
}

func (l *LineItem) validate() error {
	switch {
	case l.DealID == "":
		return invalid("deal_id", "", "required: a line item belongs to a deal")
	case l.ProductID == "":
		return invalid("product_id", "", "required: say which product is sold")
	case l.Quantity <= 0:
		return invalid("quantity", fmt.Sprint(l.Quantity), "must be at least 1")
	case l.UnitPrice < 0:
		return invalid("unit_price", fmt.Sprint(l.UnitPrice), "must not be negative")
	}
	return nil
}

func (l *LineItem) links() []link {
	return []link{{"deal_id", EntityDeal, l.DealID}, {"product_id", EntityProduct, l.ProductID}}
}

var monthPattern = regexp.MustCompile(`^\d{4}-(0[1-9]|1[0-2])$`)

func (g *Target) normalize(*Tx) error {
	g.Month = strings.TrimSpace(g.Month)
	g.Rep = strings.TrimSpace(g.Rep)
	g.Currency = normalizeCurrency(g.Currency)
	return nil
}

func (g *Target) validate() error {
	switch {
	case !monthPattern.MatchString(g.Month):
		return invalid("month", g.Month, "must be a month such as 2026-12")
	case g.Amount <= 0:
		return invalid("amount", fmt.Sprint(g.Amount), "must be more than zero")
	}
	return validateCurrency(g.Currency)
}
