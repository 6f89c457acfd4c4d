package localdb

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"time"
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
		return &ValidationError{Field: "sku", Value: p.SKU, Problem: fmt.Sprintf("taken by the product %q", other), TakenBy: other}
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

// Read reads the live record id into rec (a *Product, *LineItem, ...);
// ErrNotFound when there is none.
func (t *Tx) Read(rec Record, id string) error { return t.s.get(t.ctx, t.tx, rec, id) }

// Read reads the live record id into rec.
func (s *Store) Read(ctx context.Context, rec Record, id string) error {
	return s.get(ctx, s.db, rec, id)
}

// Products returns the live catalog by name.
func (s *Store) Products(ctx context.Context) ([]Product, error) {
	return list[Product](ctx, s.db, "WHERE deleted = 0 ORDER BY name COLLATE NOCASE, sku")
}

// ProductBySKU finds the live product with this SKU (case-insensitive).
func (s *Store) ProductBySKU(ctx context.Context, sku string) (*Product, error) {
	ps, err := list[Product](ctx, s.db, "WHERE sku = ? COLLATE NOCASE AND deleted = 0 ORDER BY id LIMIT 1", strings.TrimSpace(sku))
	if err != nil {
		return nil, err
	}
	if len(ps) == 0 {
		return nil, fmt.Errorf("product with SKU %q: %w", sku, ErrNotFound)
	}
	return &ps[0], nil
}

// LineItems returns the live line items of a deal, oldest first.
func (s *Store) LineItems(ctx context.Context, dealID string) ([]LineItem, error) {
	return list[LineItem](ctx, s.db, "WHERE deal_id = ? AND deleted = 0 ORDER BY created_at, id", dealID)
}

// LineItems returns the live line items of a deal within the transaction.
func (t *Tx) LineItems(dealID string) ([]LineItem, error) {
	return list[LineItem](t.ctx, t.tx, "WHERE deal_id = ? AND deleted = 0 ORDER BY created_at, id", dealID)
}

// Targets returns the live targets of a month ("" for every month), the
// newest change first within a month and rep.
func (s *Store) Targets(ctx context.Context, month string) ([]Target, error) {
	if month == "" {
		return list[Target](ctx, s.db, "WHERE deleted = 0 ORDER BY month, rep, updated_at DESC, id")
	}
	return list[Target](ctx, s.db, "WHERE month = ? AND deleted = 0 ORDER BY rep, updated_at DESC, id", month)
}

// Targets returns the live targets of a month within the transaction.
func (t *Tx) Targets(month string) ([]Target, error) {
	return list[Target](t.ctx, t.tx, "WHERE month = ? AND deleted = 0 ORDER BY rep, updated_at DESC, id", month)
}

// StoredTime is t as time columns store it (UTC, fixed width), for
// comparing with them in SQL.
func StoredTime(t time.Time) string { return formatTime(t) }
