package sales

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"

	"repdesk/localdb"
)

// Suggestion is a product a customer has not bought that customers with a
// purchase in common bought: Support of Base customers who bought Anchor
// also bought Product.
type Suggestion struct {
	ProductID string `json:"product_id"`
	Product   string `json:"product"`
	SKU       string `json:"sku"`
	Price     int64  `json:"price"`
	Currency  string `json:"currency"`
	AnchorID  string `json:"anchor_product_id"`
	Anchor    string `json:"anchor_product"`
	Support   int    `json:"support"`
	Base      int    `json:"base"`
	// Reason says why, in English: "bought by 14 of 20 customers who also
	// bought X". The app words it in the rep's language from the numbers.
	Reason string `json:"reason"`
}

// Confidence is the share of the anchor's buyers who bought the product.
func (s Suggestion) Confidence() float64 { return float64(s.Support) / float64(s.Base) }

// ErrNotCustomer is returned for a company without won deals: there is
// nothing to add on to.
var ErrNotCustomer = errors.New("not a customer yet: the company has no won deals")

// SuggestOptions tune Suggest.
type SuggestOptions struct {
	Limit      int // at most this many suggestions (default 5)
	MinSupport int // at least this many customers must have bought both (default 2)
}

// Suggest returns add-ons for a customer: the products it has not bought
// that other customers who share a purchase with it bought, counted over the
// line items of won deals (co-occurrence). Each product comes with its
// strongest reason (the purchase in common whose buyers most often bought
// it); the best supported first.
func Suggest(ctx context.Context, s *localdb.Store, companyID string, o SuggestOptions) ([]Suggestion, error) {
	if o.Limit <= 0 {
		o.Limit = 5
	}
	if o.MinSupport <= 0 {
		o.MinSupport = 2
	}
	if _, err := s.GetCompany(ctx, companyID); err != nil {
		return nil, fmt.Errorf("suggest: %w", err)
	}
	var won int
	if err := s.DB().QueryRowContext(ctx, `SELECT COUNT(*) FROM deals WHERE company_id = ? AND deleted = 0
		AND stage IN (SELECT name FROM stages WHERE closed = 'won')`, companyID).Scan(&won); err != nil {
		return nil, fmt.Errorf("suggest: %w", err)
	}
	if won == 0 {
		return nil, fmt.Errorf("suggest: %w", ErrNotCustomer)
	}
	products, err := s.Products(ctx)
	if err != nil {
		return nil, fmt.Errorf("suggest: %w", err)
	}
	index := make(map[string]int, len(products))
	for i, p := range products {
		index[p.ID] = i
	}
	baskets, err := wonBaskets(ctx, s, index)
	if err != nil {
		return nil, fmt.Errorf("suggest: %w", err)
	}
	mine := make([]bool, len(products))
	for _, p := range baskets[companyID] {
		mine[p] = true
	}
	n := len(products)
	base := make([]int, n)    // base[x]: other customers who bought x (x bought by this one)
	pairs := make([]int, n*n) // pairs[x*n+p]: ... who bought x and p (p not bought by this one)
	for company, basket := range baskets {
		if company == companyID {
			continue
		}
		for _, x := range basket {
			if !mine[x] {
				continue
			}
			base[x]++
			for _, p := range basket {
				if !mine[p] {
					pairs[x*n+p]++
				}
			}
		}
	}
	var out []Suggestion
	for p := range n {
		if mine[p] {
			continue
		}
		best := -1
		for x := range n {
			if !mine[x] || pairs[x*n+p] < o.MinSupport {
				continue
			}
			if best < 0 || better(pairs[x*n+p], base[x], pairs[best*n+p], base[best]) {
				best = x
			}
		}
		if best < 0 {
			continue
		}
		pr, an := products[p], products[best]
		out = append(out, Suggestion{ProductID: pr.ID, Product: pr.Name, SKU: pr.SKU, Price: pr.Price, Currency: pr.Currency,
			AnchorID: an.ID, Anchor: an.Name, Support: pairs[best*n+p], Base: base[best],
			Reason: fmt.Sprintf("bought by %d of %d customers who also bought %s", pairs[best*n+p], base[best], an.Name)})
	}
	slices.SortFunc(out, func(a, b Suggestion) int {
		if better(a.Support, a.Base, b.Support, b.Base) {
			return -1
		}
		if better(b.Support, b.Base, a.Support, a.Base) {
			return 1
		}
		return cmp.Compare(a.Product, b.Product)
	})
	return out[:min(len(out), o.Limit)], nil
}

// better reports whether support a of base aBase is a stronger reason than b
// of bBase: a higher share, then more customers.
func better(a, aBase, b, bBase int) bool {
	if l, r := a*bBase, b*aBase; l != r {
		return l > r
	}
	return a > b
}

// wonBaskets returns, per company, the catalog indexes of the products on
// its won deals, each once.
func wonBaskets(ctx context.Context, s *localdb.Store, index map[string]int) (map[string][]int, error) {
	rows, err := s.DB().QueryContext(ctx, `SELECT DISTINCT d.company_id, li.product_id
		FROM deals d JOIN line_items li ON li.deal_id = d.id AND li.deleted = 0
		WHERE d.deleted = 0 AND d.company_id <> '' AND d.stage IN (SELECT name FROM stages WHERE closed = 'won')`)
	if err != nil {
		return nil, fmt.Errorf("won purchases: %w", err)
	}
	defer rows.Close()
	out := map[string][]int{}
	for rows.Next() {
		var company, product string
		if err := rows.Scan(&company, &product); err != nil {
			return nil, fmt.Errorf("won purchases: %w", err)
		}
		if i, ok := index[product]; ok { // deleted products are no longer sold
			out[company] = append(out[company], i)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("won purchases: %w", err)
	}
	return out, nil
}

// CreateAddon creates an open deal for the company with one line item of the
// product at its catalog price: the one click behind a suggestion. The deal
// goes to the contact of the company's latest won deal.
func CreateAddon(t *localdb.Tx, companyID, productID string, quantity int64) (*localdb.Deal, error) {
	co := &localdb.Company{}
	if err := t.Read(co, companyID); err != nil {
		return nil, fmt.Errorf("create add-on deal: %w", err)
	}
	p := &localdb.Product{}
	if err := t.Read(p, productID); err != nil {
		return nil, fmt.Errorf("create add-on deal: %w", err)
	}
	if quantity <= 0 {
		quantity = 1
	}
	var contactID string
	err := t.SQL().QueryRowContext(t.Context(), `SELECT COALESCE((SELECT d.contact_id FROM deals d
		JOIN contacts c ON c.id = d.contact_id AND c.deleted = 0
		WHERE d.company_id = ? AND d.deleted = 0 AND d.stage IN (SELECT name FROM stages WHERE closed = 'won')
		ORDER BY d.closed_at DESC, d.id DESC LIMIT 1), '')`, companyID).Scan(&contactID)
	if err != nil {
		return nil, fmt.Errorf("create add-on deal: %w", err)
	}
	d := &localdb.Deal{Title: p.Name + " – " + co.Name, CompanyID: companyID, ContactID: contactID,
		Currency: p.Currency, Amount: quantity * p.Price, Tags: []string{AddonTag}}
	if err := t.Create(d); err != nil {
		return nil, err
	}
	if _, err := AddItem(t, d.ID, p.ID, quantity, -1); err != nil {
		return nil, err
	}
	return d, nil
}
