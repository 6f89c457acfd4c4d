package demo

import (
	"context"
	"fmt"
	"time"

	"repdesk/localdb"
	"repdesk/localdb/forecast"
	"repdesk/localdb/sales"
)

// catalogItem is a demo product; family groups what is bought together.
type catalogItem struct {
	name, sku string
	price     int64 // cents
	maxQty    int
}

// The catalog: software, hardware and services, ~15 products.
var catalog = []catalogItem{
	{"CRM-Lizenz (Nutzer/Jahr)", "LIC-CRM", 69000, 40},
	{"Premium-Support", "SUP-PRM", 240000, 1},
	{"Onboarding-Workshop", "SRV-ONB", 180000, 2},
	{"Mobile-App-Paket", "LIC-MOB", 120000, 1},
	{"ERP-Schnittstelle", "INT-ERP", 450000, 1},
	{"Cloud-Backup", "CLD-BAK", 36000, 12},
	{"Handscanner", "HW-SCN", 38900, 20},
	{"Etikettendrucker", "HW-PRN", 54900, 6},
	{"Wartungsvertrag Hardware", "SRV-WHW", 99000, 1},
	{"Verbrauchsmaterial-Abo", "SUB-VRB", 14900, 12},
	{"Prozessberatung (Tag)", "CON-DAY", 135000, 10},
	{"Schulung vor Ort", "TRN-VOR", 160000, 3},
	{"E-Learning-Zugang", "TRN-ELR", 9900, 25},
	{"Datenmigration", "SRV-MIG", 320000, 1},
	{"Analytics-Jahreslizenz", "LIC-ANA", 280000, 1},
}

// bundles are the co-purchase patterns: a deal of a family always has its
// lead product and each add-on with its probability (percent).
var bundles = []struct {
	lead   string
	addons map[string]int
}{
	{"LIC-CRM", map[string]int{"SUP-PRM": 60, "SRV-ONB": 45, "LIC-MOB": 35, "CLD-BAK": 25, "INT-ERP": 20, "LIC-ANA": 10, "TRN-VOR": 15}},
	{"HW-SCN", map[string]int{"HW-PRN": 55, "SRV-WHW": 50, "SUB-VRB": 40, "CLD-BAK": 5}},
	{"CON-DAY", map[string]int{"TRN-VOR": 50, "TRN-ELR": 35, "SRV-MIG": 30, "LIC-ANA": 30, "SRV-ONB": 10}},
}

// seedProducts creates the catalog, puts line items on most deals (the deal
// amount follows them), spreads the won deals' close dates over the last
// six months and sets this month's targets. It returns the products and
// line items created.
func seedProducts(ctx context.Context, s *localdb.Store, g *gen) (products, items int, err error) {
	ids := map[string]string{}
	err = s.Update(ctx, func(t *localdb.Tx) error {
		for _, c := range catalog {
			p := &localdb.Product{Name: c.name, SKU: c.sku, Price: c.price, Currency: "EUR"}
			if err := t.Create(p); err != nil {
				return err
			}
			ids[c.sku] = p.ID
		}
		return nil
	})
	if err != nil {
		return 0, 0, err
	}
	products = len(catalog)
	bySKU := map[string]catalogItem{}
	for _, c := range catalog {
		bySKU[c.sku] = c
	}
	deals, err := dealIDs(ctx, s)
	if err != nil {
		return products, 0, err
	}
	won := map[string]bool{}
	stages, err := s.Stages(ctx)
	if err != nil {
		return products, 0, err
	}
	for _, st := range stages {
		won[st.Name] = st.Closed == "won"
	}
	for start := 0; start < len(deals); start += batchSize {
		end := min(start+batchSize, len(deals))
		err := s.Update(ctx, func(t *localdb.Tx) error {
			for i := start; i < end; i++ {
				d := &localdb.Deal{}
				if err := t.Read(d, deals[i]); err != nil {
					return err
				}
				if won[d.Stage] {
					// Won over the last six months, not all at seeding time.
					d.ClosedAt = localdb.StoredTime(g.now.Add(-time.Duration(g.r.IntN(180*24)) * time.Hour))
				} else if g.r.IntN(10) < 3 {
					continue // some open and lost deals have no line items
				}
				b := bundles[g.r.IntN(len(bundles))]
				lines := []localdb.LineItem{g.line(ids, bySKU[b.lead])}
				for _, c := range catalog { // catalog order: the same data for the same seed
					if pct, ok := b.addons[c.sku]; ok && g.r.IntN(100) < pct {
						lines = append(lines, g.line(ids, c))
					}
				}
				items += len(lines)
				if err := sales.AddItems(t, d, lines); err != nil {
					return err
				}
				if won[d.Stage] {
					if err := t.Save(d); err != nil { // the close date, when the amount stayed the same
						return err
					}
				}
			}
			return nil
		})
		if err != nil {
			return products, items, fmt.Errorf("line items: %w", err)
		}
	}
	return products, items, seedTargets(ctx, s, g)
}

func (g *gen) line(ids map[string]string, c catalogItem) localdb.LineItem {
	return localdb.LineItem{ProductID: ids[c.sku], Quantity: int64(1 + g.r.IntN(c.maxQty)), UnitPrice: c.price}
}

// seedTargets sets this month's team target and the rep's own at a reach:
// a bit above what was won in an average month.
func seedTargets(ctx context.Context, s *localdb.Store, g *gen) error {
	var won int64
	err := s.DB().QueryRowContext(ctx, `SELECT COALESCE(SUM(amount), 0) FROM deals WHERE deleted = 0 AND currency = 'EUR'
		AND stage IN (SELECT name FROM stages WHERE closed = 'won')`).Scan(&won)
	if err != nil {
		return fmt.Errorf("targets: %w", err)
	}
	team := max(won/6*5/4/100000*100000, 1000000) // a quarter above a month's average, whole thousands
	month := g.now.Format("2006-01")
	return s.Update(ctx, func(t *localdb.Tx) error {
		if _, err := forecast.SetTarget(t, month, "", team, "EUR"); err != nil {
			return err
		}
		_, err := forecast.SetTarget(t, month, s.Owner(), team/2, "EUR")
		return err
	})
}

// dealIDs lists the live deals in the order they were created.
func dealIDs(ctx context.Context, s *localdb.Store) ([]string, error) {
	rows, err := s.DB().QueryContext(ctx, `SELECT id FROM deals WHERE deleted = 0 ORDER BY rid`)
	if err != nil {
		return nil, fmt.Errorf("deals: %w", err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("deals: %w", err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("deals: %w", err)
	}
	return ids, nil
}
