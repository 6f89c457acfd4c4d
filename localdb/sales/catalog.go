package sales

import (
	"context"
	"fmt"

	"repdesk/localdb"
)

// CatalogEntry is a product with the number of won deals that sold it.
type CatalogEntry struct {
	localdb.Product
	WonDeals int `json:"won_deals"`
}

// Catalog returns the live products by name, each with the count of won
// deals carrying it on a line item, in one read.
func Catalog(ctx context.Context, s *localdb.Store) ([]CatalogEntry, error) {
	products, err := s.Products(ctx)
	if err != nil {
		return nil, fmt.Errorf("catalog: %w", err)
	}
	rows, err := s.DB().QueryContext(ctx, `SELECT li.product_id, COUNT(DISTINCT li.deal_id) FROM line_items li
		JOIN deals d ON d.id = li.deal_id AND d.deleted = 0 AND d.stage IN (SELECT name FROM stages WHERE closed = 'won')
		WHERE li.deleted = 0 GROUP BY li.product_id`)
	if err != nil {
		return nil, fmt.Errorf("catalog: won deals: %w", err)
	}
	defer rows.Close()
	won := map[string]int{}
	for rows.Next() {
		var id string
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			return nil, fmt.Errorf("catalog: won deals: %w", err)
		}
		won[id] = n
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("catalog: won deals: %w", err)
	}
	out := make([]CatalogEntry, len(products))
	for i, p := range products {
		out[i] = CatalogEntry{Product: p, WonDeals: won[p.ID]}
	}
	return out, nil
}
