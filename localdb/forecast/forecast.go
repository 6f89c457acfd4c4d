// Package forecast is the weighted pipeline, won deals and monthly targets,
// and the call figures of the dashboard. Amounts are never added across
// currencies: every sum comes per currency.
package forecast

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"repdesk/localdb"
)

// Total is a sum of deals in one currency. Weighted is the sum of amount ×
// probability, rounded to the minor unit once per sum.
type Total struct {
	Currency string `json:"currency"`
	Count    int    `json:"count"`
	Amount   int64  `json:"amount"`
	Weighted int64  `json:"weighted"`
}

// Month is the open pipeline expected to close in one month; Month "" holds
// the deals without an expected close date.
type Month struct {
	Month  string  `json:"month"`
	Totals []Total `json:"totals"`
}

// Stage is the open pipeline in one stage. Probability is the stage's
// default; deals may carry their own, which the weighted sums use.
type Stage struct {
	Stage       string  `json:"stage"`
	Probability int64   `json:"probability"`
	Totals      []Total `json:"totals"`
}

// Progress is how far a target is: Won counts won deals closed in the month
// in the target's currency, Forecast adds the weighted open deals expected to
// close in it. Percentages are rounded down.
type Progress struct {
	Rep             string `json:"rep"` // "" is the team
	Month           string `json:"month"`
	Currency        string `json:"currency"`
	Target          int64  `json:"target"`
	Won             int64  `json:"won"`
	Forecast        int64  `json:"forecast"`
	ProgressPct     int64  `json:"progress_pct"`
	ForecastPct     int64  `json:"forecast_pct"`
	OtherCurrencies bool   `json:"other_currencies"` // won deals in other currencies were not counted
}

// Day is one day's calls.
type Day struct {
	Date      string `json:"date"`
	Calls     int    `json:"calls"`
	Connected int    `json:"connected"`
}

// Calls are the calls of the week (Monday to Sunday) and the share that
// connected.
type Calls struct {
	WeekStart   string  `json:"week_start"`
	Calls       int     `json:"calls"`
	Connected   int     `json:"connected"`
	ConnectRate float64 `json:"connect_rate"` // 0..1; 0 without calls
	Days        []Day   `json:"days"`
}

// Forecast is everything the dashboard and `repdesk forecast` show.
type Forecast struct {
	Month   string     `json:"month"` // the month of Won and Targets
	Rep     string     `json:"rep,omitempty"`
	ByMonth []Month    `json:"by_month"`
	ByStage []Stage    `json:"by_stage"`
	Won     []Total    `json:"won"`
	Open    []Total    `json:"open"`
	Targets []Progress `json:"targets"`
	Calls   Calls      `json:"calls"`
}

// Options choose what Compute reports.
type Options struct {
	Now   time.Time // months and weeks are taken in Now's time zone (default: time.Now)
	Month string    // YYYY-MM of Won and Targets (default: Now's month)
	Rep   string    // only deals and calls owned by this rep, and this rep's targets ("": everyone's)
}

// Compute reads the forecast in one read transaction, so that its figures
// agree with each other.
func Compute(ctx context.Context, s *localdb.Store, o Options) (*Forecast, error) {
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	if o.Month == "" {
		o.Month = o.Now.Format("2006-01")
	}
	monthStart, err := time.ParseInLocation("2006-01", o.Month, o.Now.Location())
	if err != nil {
		return nil, fmt.Errorf("forecast: month %q: want YYYY-MM", o.Month)
	}
	tx, err := s.DB().BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("forecast: %w", err)
	}
	defer tx.Rollback()
	q := query{ctx: ctx, tx: tx, rep: o.Rep}
	f := &Forecast{Month: o.Month, Rep: o.Rep, ByMonth: []Month{}, ByStage: []Stage{}, Targets: []Progress{}}
	open, err := q.openGroups()
	if err != nil {
		return nil, fmt.Errorf("forecast: %w", err)
	}
	won, err := q.wonGroups(monthStart)
	if err != nil {
		return nil, fmt.Errorf("forecast: %w", err)
	}
	if err := q.pipeline(f, open); err != nil {
		return nil, fmt.Errorf("forecast: %w", err)
	}
	f.Won = wonBy(won, o.Rep)
	if err := q.targets(f, open, won); err != nil {
		return nil, fmt.Errorf("forecast: %w", err)
	}
	if f.Calls, err = q.calls(o.Now); err != nil {
		return nil, fmt.Errorf("forecast: %w", err)
	}
	return f, nil
}

type query struct {
	ctx context.Context
	tx  *sql.Tx
	rep string
}

// repFilter is the SQL condition and argument that keep rep's records.
func repFilter(rep string) (string, []any) {
	if rep == "" {
		return "", nil
	}
	return " AND owner = ?", []any{rep}
}

// weighted rounds a sum of amount × percent to minor units, halves up.
func weighted(amountTimesPercent int64) int64 { return (amountTimesPercent + 50) / 100 }

// sums adds up deals per group and currency, keeping the unrounded
// weighted sums until the end.
type sums struct {
	order  []string // group keys in order of appearance
	totals map[string][]Total
	raw    map[string]map[string]int64
}

func newSums() *sums { return &sums{totals: map[string][]Total{}, raw: map[string]map[string]int64{}} }

func (s *sums) add(key string, t Total, w int64) {
	list, seen := s.totals[key]
	if !seen {
		s.order = append(s.order, key)
		s.raw[key] = map[string]int64{}
	}
	i := slices.IndexFunc(list, func(x Total) bool { return x.Currency == t.Currency })
	if i < 0 {
		list = append(list, Total{Currency: t.Currency})
		i = len(list) - 1
	}
	list[i].Count += t.Count
	list[i].Amount += t.Amount
	s.raw[key][t.Currency] += w
	s.totals[key] = list
}

// get returns the totals of a group, weighted sums rounded, currencies in
// alphabetical order.
func (s *sums) get(key string) []Total {
	out := slices.Clone(s.totals[key])
	for i := range out {
		out[i].Weighted = weighted(s.raw[key][out[i].Currency])
	}
	slices.SortFunc(out, func(a, b Total) int { return strings.Compare(a.Currency, b.Currency) })
	if out == nil {
		out = []Total{}
	}
	return out
}

// group is one row of the grouped deal queries.
type group struct {
	owner, stage, month string
	t                   Total
	raw                 int64 // sum of amount × probability
}

// openGroups sums the open deals by owner, stage, close month and currency:
// one pass over the deals (on a covering index) that the pipeline, the
// months and every target's forecast are added up from.
func (q query) openGroups() ([]group, error) {
	rows, err := q.tx.QueryContext(q.ctx, `SELECT owner, stage, substr(expected_close, 1, 7), currency,
		COUNT(*), SUM(amount), SUM(amount * probability)
		FROM deals WHERE deleted = 0 AND stage IN (SELECT name FROM stages WHERE closed = '')
		GROUP BY 1, 2, 3, 4`)
	if err != nil {
		return nil, fmt.Errorf("open deals: %w", err)
	}
	defer rows.Close()
	var out []group
	for rows.Next() {
		var g group
		if err := rows.Scan(&g.owner, &g.stage, &g.month, &g.t.Currency, &g.t.Count, &g.t.Amount, &g.raw); err != nil {
			return nil, fmt.Errorf("open deals: %w", err)
		}
		out = append(out, g)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("open deals: %w", err)
	}
	return out, nil
}

// wonGroups sums the deals won in the month starting at start by owner and
// currency.
func (q query) wonGroups(start time.Time) ([]group, error) {
	rows, err := q.tx.QueryContext(q.ctx, `SELECT owner, currency, COUNT(*), SUM(amount) FROM deals
		WHERE closed_at >= ? AND closed_at < ? AND deleted = 0
		AND stage IN (SELECT name FROM stages WHERE closed = 'won') GROUP BY 1, 2`,
		localdb.StoredTime(start), localdb.StoredTime(start.AddDate(0, 1, 0)))
	if err != nil {
		return nil, fmt.Errorf("won deals: %w", err)
	}
	defer rows.Close()
	var out []group
	for rows.Next() {
		var g group
		if err := rows.Scan(&g.owner, &g.t.Currency, &g.t.Count, &g.t.Amount); err != nil {
			return nil, fmt.Errorf("won deals: %w", err)
		}
		g.raw = g.t.Amount * 100
		out = append(out, g)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("won deals: %w", err)
	}
	return out, nil
}

// pipeline fills ByMonth, ByStage and Open from the open deals of rep ("":
// everyone's).
func (q query) pipeline(f *Forecast, open []group) error {
	stages, err := q.tx.QueryContext(q.ctx, `SELECT name, probability FROM stages WHERE closed = '' ORDER BY position`)
	if err != nil {
		return fmt.Errorf("stages: %w", err)
	}
	defer stages.Close()
	for stages.Next() {
		var st Stage
		if err := stages.Scan(&st.Stage, &st.Probability); err != nil {
			return fmt.Errorf("stages: %w", err)
		}
		f.ByStage = append(f.ByStage, st)
	}
	if err := stages.Err(); err != nil {
		return fmt.Errorf("stages: %w", err)
	}
	byStage, byMonth, all := newSums(), newSums(), newSums()
	for _, g := range open {
		if q.rep != "" && g.owner != q.rep {
			continue
		}
		byStage.add(g.stage, g.t, g.raw)
		byMonth.add(g.month, g.t, g.raw)
		all.add("", g.t, g.raw)
	}
	for i := range f.ByStage {
		f.ByStage[i].Totals = byStage.get(f.ByStage[i].Stage)
	}
	months := slices.Clone(byMonth.order)
	// Months in order, the deals without a date last.
	slices.SortFunc(months, func(a, b string) int {
		if (a == "") != (b == "") {
			return strings.Compare(b, a)
		}
		return strings.Compare(a, b)
	})
	for _, m := range months {
		f.ByMonth = append(f.ByMonth, Month{Month: m, Totals: byMonth.get(m)})
	}
	f.Open = all.get("")
	return nil
}

// wonBy sums the won groups of rep ("": everyone's) per currency.
func wonBy(won []group, rep string) []Total {
	sum := newSums()
	for _, g := range won {
		if rep == "" || g.owner == rep {
			sum.add("", g.t, g.raw)
		}
	}
	return sum.get("")
}

// targets fills Targets: the month's targets (one per rep, the latest set)
// with their progress.
func (q query) targets(f *Forecast, open, won []group) error {
	rows, err := q.tx.QueryContext(q.ctx, `SELECT rep, amount, currency FROM targets
		WHERE month = ? AND deleted = 0 ORDER BY rep, updated_at DESC, id`, f.Month)
	if err != nil {
		return fmt.Errorf("targets: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		p := Progress{Month: f.Month}
		if err := rows.Scan(&p.Rep, &p.Target, &p.Currency); err != nil {
			return fmt.Errorf("targets: %w", err)
		}
		if n := len(f.Targets); n > 0 && f.Targets[n-1].Rep == p.Rep {
			continue // an older target of the same rep
		}
		if f.Rep != "" && p.Rep != f.Rep {
			continue
		}
		for _, t := range wonBy(won, p.Rep) {
			if t.Currency == p.Currency {
				p.Won = t.Amount
			} else {
				p.OtherCurrencies = true
			}
		}
		var raw int64
		for _, g := range open {
			if g.month == f.Month && g.t.Currency == p.Currency && (p.Rep == "" || g.owner == p.Rep) {
				raw += g.raw
			}
		}
		p.Forecast = p.Won + weighted(raw)
		p.ProgressPct = p.Won * 100 / p.Target
		p.ForecastPct = p.Forecast * 100 / p.Target
		f.Targets = append(f.Targets, p)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("targets: %w", err)
	}
	return nil
}

// calls counts the calls of the week (Monday 00:00 in now's time zone) of now.
func (q query) calls(now time.Time) (Calls, error) {
	day := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, now.Location())
	start := day.AddDate(0, 0, -((int(day.Weekday()) + 6) % 7))
	end := start.AddDate(0, 0, 7)
	c := Calls{WeekStart: start.Format(time.DateOnly), Days: make([]Day, 7)}
	for i := range c.Days {
		c.Days[i].Date = start.AddDate(0, 0, i).Format(time.DateOnly)
	}
	cond, args := repFilter(q.rep)
	args = append([]any{localdb.KindCall, localdb.StoredTime(start), localdb.StoredTime(end)}, args...)
	rows, err := q.tx.QueryContext(q.ctx, `SELECT occurred_at, outcome = ? FROM activities
		WHERE kind = ? AND occurred_at >= ? AND occurred_at < ? AND deleted = 0`+cond,
		append([]any{localdb.OutcomeConnected}, args...)...)
	if err != nil {
		return c, fmt.Errorf("calls: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var at string
		var connected bool
		if err := rows.Scan(&at, &connected); err != nil {
			return c, fmt.Errorf("calls: %w", err)
		}
		t, err := time.Parse(time.RFC3339Nano, at)
		if err != nil {
			return c, fmt.Errorf("calls: occurred_at %q: %w", at, err)
		}
		lt := t.In(now.Location())
		i := int(time.Date(lt.Year(), lt.Month(), lt.Day(), 0, 0, 0, 0, now.Location()).Sub(start).Hours()+12) / 24
		i = min(max(i, 0), 6)
		c.Days[i].Calls++
		c.Calls++
		if connected {
			c.Days[i].Connected++
			c.Connected++
		}
	}
	if err := rows.Err(); err != nil {
		return c, fmt.Errorf("calls: %w", err)
	}
	if c.Calls > 0 {
		c.ConnectRate = float64(c.Connected) / float64(c.Calls)
	}
	return c, nil
}
