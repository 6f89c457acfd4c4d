package forecast

import (
	"strings"

	"repdesk/localdb"
)

// SetTarget sets rep's target for month ("" rep: the team's), changing the
// one there is instead of adding a second.
func SetTarget(t *localdb.Tx, month, rep string, amount int64, currency string) (*localdb.Target, error) {
	rep = strings.TrimSpace(rep)
	existing, err := t.Targets(month)
	if err != nil {
		return nil, err
	}
	for i := range existing {
		if existing[i].Rep == rep {
			g := &existing[i]
			g.Amount, g.Currency = amount, currency
			return g, t.Save(g)
		}
	}
	g := &localdb.Target{Month: month, Rep: rep, Amount: amount, Currency: currency}
	return g, t.Create(g)
}
