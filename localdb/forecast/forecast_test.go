package forecast_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"repdesk/localdb"
	"repdesk/localdb/forecast"
)

var ctx = context.Background()

var berlin = func() *time.Location {
	l, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		panic(err)
	}
	return l
}()

// fixture is a store whose clock the test sets, so that deals close when
// the test says.
type fixture struct {
	t   *testing.T
	s   *localdb.Store
	now time.Time
}

func newFixture(t *testing.T) *fixture {
	f := &fixture{t: t, now: time.Date(2026, 3, 10, 9, 30, 0, 0, berlin)}
	s, err := localdb.Open(filepath.Join(t.TempDir(), "repdesk.db"), localdb.WithClock(func() time.Time { return f.now }),
		localdb.WithOwner("me"))
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, s.Close()) })
	f.s = s
	return f
}

// deal creates a deal; closedAt (Berlin time) is when a won or lost deal
// closed.
func (f *fixture) deal(d localdb.Deal, closedAt time.Time) *localdb.Deal {
	f.t.Helper()
	if !closedAt.IsZero() {
		f.now = closedAt
		defer func() { f.now = time.Date(2026, 3, 10, 9, 30, 0, 0, berlin) }()
	}
	require.NoError(f.t, f.s.Create(ctx, &d))
	return &d
}

func (f *fixture) call(outcome string, at time.Time) {
	f.t.Helper()
	require.NoError(f.t, f.s.Create(ctx, &localdb.Activity{Kind: localdb.KindCall, Outcome: outcome, OccurredAt: at, CompanyID: f.company()}))
}

// company is the one company the fixture's activities are logged on.
func (f *fixture) company() string {
	f.t.Helper()
	var id string
	require.NoError(f.t, f.s.DB().QueryRow(`SELECT COALESCE(MIN(id), '') FROM companies`).Scan(&id))
	if id == "" {
		co := &localdb.Company{Name: "Alpen Logistik AG"}
		require.NoError(f.t, f.s.Create(ctx, co))
		id = co.ID
	}
	return id
}

func eur(count int, amount, weighted int64) forecast.Total {
	return forecast.Total{Currency: "EUR", Count: count, Amount: amount, Weighted: weighted}
}

func usd(count int, amount, weighted int64) forecast.Total {
	return forecast.Total{Currency: "USD", Count: count, Amount: amount, Weighted: weighted}
}

func seedPipeline(f *fixture) {
	var none time.Time
	f.deal(localdb.Deal{Title: "Lead, default 10 %", Stage: "Lead", Amount: 100000, ExpectedClose: "2026-03-31", Meta: localdb.Meta{Owner: "anna"}}, none)
	f.deal(localdb.Deal{Title: "Proposal at 40 % instead of 50", Stage: "Proposal", Amount: 200000, Probability: 40, ExpectedClose: "2026-04-01"}, none)
	f.deal(localdb.Deal{Title: "Proposal in dollars", Stage: "Proposal", Amount: 50000, Currency: "USD", ExpectedClose: "2026-03-15"}, none)
	f.deal(localdb.Deal{Title: "Negotiation without a date", Stage: "Negotiation", Amount: 33333}, none)
	gone := f.deal(localdb.Deal{Title: "Deleted", Stage: "Lead", Amount: 999999, ExpectedClose: "2026-03-20"}, none)
	require.NoError(f.t, f.s.Delete(ctx, localdb.EntityDeal, gone.ID))
	// Month boundaries are Berlin's: 00:30 on 1 March is still February in UTC.
	f.deal(localdb.Deal{Title: "Won first thing in March", Stage: "Won", Amount: 300000, Meta: localdb.Meta{Owner: "anna"}},
		time.Date(2026, 3, 1, 0, 30, 0, 0, berlin))
	f.deal(localdb.Deal{Title: "Won last thing in February", Stage: "Won", Amount: 400000},
		time.Date(2026, 2, 28, 23, 30, 0, 0, berlin))
	f.deal(localdb.Deal{Title: "Won in dollars", Stage: "Won", Amount: 70000, Currency: "USD"}, time.Date(2026, 3, 9, 12, 0, 0, 0, berlin))
	f.deal(localdb.Deal{Title: "Lost", Stage: "Lost", Amount: 80000}, time.Date(2026, 3, 9, 12, 0, 0, 0, berlin))
}

func TestForecastSums(t *testing.T) {
	f := newFixture(t)
	seedPipeline(f)
	got, err := forecast.Compute(ctx, f.s, forecast.Options{Now: f.now})
	require.NoError(t, err)

	assert.Equal(t, "2026-03", got.Month)
	assert.Equal(t, []forecast.Stage{
		{Stage: "Lead", Probability: 10, Totals: []forecast.Total{eur(1, 100000, 10000)}},
		{Stage: "Qualified", Probability: 25, Totals: []forecast.Total{}},
		{Stage: "Proposal", Probability: 50, Totals: []forecast.Total{eur(1, 200000, 80000), usd(1, 50000, 25000)}},
		// 333.33 × 75 % = 249.9975: rounded once, to the cent.
		{Stage: "Negotiation", Probability: 75, Totals: []forecast.Total{eur(1, 33333, 25000)}},
	}, got.ByStage)
	assert.Equal(t, []forecast.Month{
		{Month: "2026-03", Totals: []forecast.Total{eur(1, 100000, 10000), usd(1, 50000, 25000)}},
		{Month: "2026-04", Totals: []forecast.Total{eur(1, 200000, 80000)}},
		{Month: "", Totals: []forecast.Total{eur(1, 33333, 25000)}},
	}, got.ByMonth)
	// 1000 + 8000 + 2499.9975 in EUR: the sum is rounded, not each deal.
	assert.Equal(t, []forecast.Total{eur(3, 333333, 115000), usd(1, 50000, 25000)}, got.Open)
	assert.Equal(t, []forecast.Total{eur(1, 300000, 300000), usd(1, 70000, 70000)}, got.Won, "never EUR and USD added up")

	feb, err := forecast.Compute(ctx, f.s, forecast.Options{Now: f.now, Month: "2026-02"})
	require.NoError(t, err)
	assert.Equal(t, []forecast.Total{eur(1, 400000, 400000)}, feb.Won)

	anna, err := forecast.Compute(ctx, f.s, forecast.Options{Now: f.now, Rep: "anna"})
	require.NoError(t, err)
	assert.Equal(t, []forecast.Total{eur(1, 100000, 10000)}, anna.Open)
	assert.Equal(t, []forecast.Total{eur(1, 300000, 300000)}, anna.Won)

	_, err = forecast.Compute(ctx, f.s, forecast.Options{Now: f.now, Month: "März"})
	assert.ErrorContains(t, err, "want YYYY-MM")
}

func TestTargetsAndProgress(t *testing.T) {
	f := newFixture(t)
	seedPipeline(f)
	set := func(month, rep string, amount int64, currency string) {
		require.NoError(t, f.s.Update(ctx, func(tx *localdb.Tx) error {
			_, err := forecast.SetTarget(tx, month, rep, amount, currency)
			return err
		}))
	}
	set("2026-03", "", 400000, "EUR")
	set("2026-03", "", 500000, "EUR") // changes the team's target instead of adding one
	set("2026-03", "anna", 300000, "EUR")
	set("2026-04", "anna", 100000, "EUR")
	targets, err := f.s.Targets(ctx, "2026-03")
	require.NoError(t, err)
	assert.Len(t, targets, 2)

	got, err := forecast.Compute(ctx, f.s, forecast.Options{Now: f.now})
	require.NoError(t, err)
	assert.Equal(t, []forecast.Progress{
		// Won 3000 of 5000; forecast adds March's weighted open EUR deals (100).
		{Rep: "", Month: "2026-03", Currency: "EUR", Target: 500000, Won: 300000, Forecast: 310000,
			ProgressPct: 60, ForecastPct: 62, OtherCurrencies: true},
		{Rep: "anna", Month: "2026-03", Currency: "EUR", Target: 300000, Won: 300000, Forecast: 310000,
			ProgressPct: 100, ForecastPct: 103},
	}, got.Targets)

	mine, err := forecast.Compute(ctx, f.s, forecast.Options{Now: f.now, Rep: "me"})
	require.NoError(t, err)
	assert.Empty(t, mine.Targets, "only the rep's own targets")

	err = f.s.Update(ctx, func(tx *localdb.Tx) error {
		_, err := forecast.SetTarget(tx, "2026-13", "", 1, "EUR")
		return err
	})
	assert.ErrorContains(t, err, "must be a month such as 2026-12")
}

func TestCallsThisWeek(t *testing.T) {
	f := newFixture(t)
	// The week of Tuesday 10 March 2026 runs from Monday 9 March, Berlin time.
	f.call(localdb.OutcomeConnected, time.Date(2026, 3, 9, 8, 0, 0, 0, berlin))
	f.call(localdb.OutcomeVoicemail, time.Date(2026, 3, 11, 14, 0, 0, 0, berlin))
	f.call(localdb.OutcomeNoAnswer, time.Date(2026, 3, 15, 23, 30, 0, 0, berlin)) // Sunday night, still this week
	f.call(localdb.OutcomeConnected, time.Date(2026, 3, 8, 23, 30, 0, 0, berlin)) // last week
	f.call(localdb.OutcomeConnected, time.Date(2026, 3, 16, 0, 30, 0, 0, berlin)) // next week
	require.NoError(t, f.s.Create(ctx, &localdb.Activity{Kind: localdb.KindEmail, OccurredAt: time.Date(2026, 3, 10, 8, 0, 0, 0, berlin), CompanyID: f.company()}))

	got, err := forecast.Compute(ctx, f.s, forecast.Options{Now: f.now})
	require.NoError(t, err)
	c := got.Calls
	assert.Equal(t, "2026-03-09", c.WeekStart)
	assert.Equal(t, 3, c.Calls)
	assert.Equal(t, 1, c.Connected)
	assert.InDelta(t, 1.0/3, c.ConnectRate, 1e-9)
	assert.Equal(t, forecast.Day{Date: "2026-03-09", Calls: 1, Connected: 1}, c.Days[0])
	assert.Equal(t, forecast.Day{Date: "2026-03-11", Calls: 1}, c.Days[2])
	assert.Equal(t, forecast.Day{Date: "2026-03-15", Calls: 1}, c.Days[6])

	empty := newFixture(t)
	got, err = forecast.Compute(ctx, empty.s, forecast.Options{Now: empty.now})
	require.NoError(t, err)
	assert.Zero(t, got.Calls.ConnectRate)
	assert.Empty(t, got.Open)
	assert.Empty(t, got.ByMonth)
	assert.Len(t, got.ByStage, 4, "every open stage, even without deals")
}
