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
	if err := q.pipeline(f); err != nil {
		return nil, fmt.Errorf("forecast: %w", err)
	}
	won, err := q.won(monthStart, o.Rep)
	if err != nil {
		return nil, fmt.Errorf("forecast: %w", err)
	}
	f.Won = won
	if err := q.targets(f, monthStart); err != nil {
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

// pipeline fills ByMonth, ByStage and Open from the open deals.
func (q query) pipeline(f *Forecast) error {
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
	cond, args := repFilter(q.rep)
	rows, err := q.tx.QueryContext(q.ctx, `SELECT stage, substr(expected_close, 1, 7), currency, COUNT(*), SUM(amount), SUM(amount * probability)
		FROM deals WHERE deleted = 0 AND stage IN (SELECT name FROM stages WHERE closed = '')`+cond+`
		GROUP BY 1, 2, 3`, args...)
	if err != nil {
		return fmt.Errorf("open deals: %w", err)
	}
	defer rows.Close()
	byStage, byMonth, open := newSums(), newSums(), newSums()
	for rows.Next() {
		var stage, month string
		var t Total
		var w int64
		if err := rows.Scan(&stage, &month, &t.Currency, &t.Count, &t.Amount, &w); err != nil {
			return fmt.Errorf("open deals: %w", err)
		}
		byStage.add(stage, t, w)
		byMonth.add(month, t, w)
		open.add("", t, w)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("open deals: %w", err)
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
	f.Open = open.get("")
	return nil
}

// won returns the deals won in the month starting at start, per currency.
func (q query) won(start time.Time, rep string) ([]Total, error) {
	cond, args := repFilter(rep)
	args = append([]any{localdb.StoredTime(start), localdb.StoredTime(start.AddDate(0, 1, 0))}, args...)
	rows, err := q.tx.QueryContext(q.ctx, `SELECT currency, COUNT(*), SUM(amount) FROM deals
		WHERE closed_at >= ? AND closed_at < ? AND deleted = 0
		AND stage IN (SELECT name FROM stages WHERE closed = 'won')`+cond+` GROUP BY currency ORDER BY currency`, args...)
	if err != nil {
		return nil, fmt.Errorf("won deals: %w", err)
	}
	defer rows.Close()
	out := []Total{}
	for rows.Next() {
		var t Total
		if err := rows.Scan(&t.Currency, &t.Count, &t.Amount); err != nil {
			return nil, fmt.Errorf("won deals: %w", err)
		}
		t.Weighted = t.Amount
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("won deals: %w", err)
	}
	return out, nil
}

// openInMonth is the weighted open pipeline expected to close in month, in
// currency.
func (q query) openInMonth(month, currency, rep string) (int64, error) {
	cond, args := repFilter(rep)
	args = append([]any{month + "-%", currency}, args...)
	var w int64
	err := q.tx.QueryRowContext(q.ctx, `SELECT COALESCE(SUM(amount * probability), 0) FROM deals
		WHERE expected_close LIKE ? AND currency = ? AND deleted = 0
		AND stage IN (SELECT name FROM stages WHERE closed = '')`+cond, args...).Scan(&w)
	if err != nil {
		return 0, fmt.Errorf("open deals of %s: %w", month, err)
	}
	return weighted(w), nil
}

// targets fills Targets: the month's targets (one per rep, the latest set)
// with their progress.
func (q query) targets(f *Forecast, start time.Time) error {
	rows, err := q.tx.QueryContext(q.ctx, `SELECT rep, amount, currency FROM targets
		WHERE month = ? AND deleted = 0 ORDER BY rep, updated_at DESC, id`, f.Month)
	if err != nil {
		return fmt.Errorf("targets: %w", err)
	}
	var list []Progress
	for rows.Next() {
		p := Progress{Month: f.Month}
		if err := rows.Scan(&p.Rep, &p.Target, &p.Currency); err != nil {
			rows.Close()
			return fmt.Errorf("targets: %w", err)
		}
		if len(list) > 0 && list[len(list)-1].Rep == p.Rep {
			continue // an older target of the same rep
		}
		if f.Rep == "" || p.Rep == f.Rep {
			list = append(list, p)
		}
	}
	if err := rows.Close(); err != nil {
		return fmt.Errorf("targets: %w", err)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("targets: %w", err)
	}
	for _, p := range list {
		won, err := q.won(start, p.Rep)
		if err != nil {
			return err
		}
		for _, t := range won {
			if t.Currency == p.Currency {
				p.Won = t.Amount
			} else {
				p.OtherCurrencies = true
			}
		}
		open, err := q.openInMonth(f.Month, p.Currency, p.Rep)
		if err != nil {
			return err
		}
		p.Forecast = p.Won + open
		p.ProgressPct = p.Won * 100 / p.Target
		p.ForecastPct = p.Forecast * 100 / p.Target
		f.Targets = append(f.Targets, p)
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
