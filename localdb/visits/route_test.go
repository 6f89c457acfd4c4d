package visits_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"repdesk/localdb"
	"repdesk/localdb/visits"
)

func TestProposeRoute(t *testing.T) {
	stop := func(id, postal, city string) visits.Stop { return visits.Stop{ID: id, PostalCode: postal, City: city} }
	for _, tc := range []struct {
		name  string
		stops []visits.Stop
		want  []string // ids in the proposed order
		kept  []string
	}{
		{"nothing", nil, []string{}, nil},
		{"one", []visits.Stop{stop("a", "10115", "Berlin")}, []string{"a"}, nil},
		{"Berlin, Munich, Berlin, Munich: each city's visits together, from the first",
			[]visits.Stop{stop("b1", "10115", "Berlin"), stop("m1", "80331", "München"),
				stop("b2", "10117", "Berlin"), stop("m2", "80333", "München")},
			[]string{"b1", "b2", "m1", "m2"}, nil},
		{"more shared digits first, then the nearer next digit",
			[]visits.Stop{stop("start", "50667", "Köln"), stop("far", "10115", ""), stop("bonn", "53111", ""),
				stop("nextdoor", "50668", ""), stop("quarter", "50937", "")},
			[]string{"start", "nextdoor", "quarter", "bonn", "far"}, nil},
		{"a walk, not a sort: from each stop to the nearest one left",
			[]visits.Stop{stop("hh", "20095", "Hamburg"), stop("m", "80331", "München"), stop("hb", "28195", "Bremen"),
				stop("b", "10115", "Berlin")},
			[]string{"hh", "hb", "b", "m"}, nil},
		{"same city without a postal code is near",
			[]visits.Stop{stop("a", "80331", "München"), stop("x", "10115", "Berlin"), stop("b", "", "münchen")},
			[]string{"a", "b", "x"}, nil},
		{"postal codes of another country say nothing",
			[]visits.Stop{{ID: "duesseldorf", PostalCode: "40213", Country: "DE"}, {ID: "basel", PostalCode: "4051", Country: "CH"},
				{ID: "koeln", PostalCode: "50667", Country: "de"}, {ID: "zuerich", PostalCode: "8001", Country: "CH"},
				{ID: "unknown country", PostalCode: "40215"}},
			[]string{"duesseldorf", "unknown country", "koeln", "basel", "zuerich"}, nil},
		{"ties keep the present order",
			[]visits.Stop{stop("a", "10115", ""), stop("c", "10117", ""), stop("b", "10113", "")},
			[]string{"a", "c", "b"}, nil},
		{"a stop nothing locates keeps its place",
			[]visits.Stop{stop("m1", "80331", ""), stop("b1", "10115", ""), stop("nowhere", "", ""), stop("m2", "80333", "")},
			[]string{"m1", "m2", "nowhere", "b1"}, []string{"nowhere"}},
		{"the first located stop starts the walk",
			[]visits.Stop{stop("nowhere", "", ""), stop("b", "10115", ""), stop("m", "80331", ""), stop("b2", "10178", "")},
			[]string{"nowhere", "b", "b2", "m"}, []string{"nowhere"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			order, kept := visits.ProposeRoute(tc.stops)
			got := []string{}
			for _, i := range order {
				got = append(got, tc.stops[i].ID)
			}
			assert.Equal(t, tc.want, got)
			var keptIDs []string
			for _, i := range kept {
				keptIDs = append(keptIDs, tc.stops[i].ID)
			}
			assert.Equal(t, tc.kept, keptIDs)
		})
	}
}

// OrderRoute writes the proposed order as the day's route, re-timed from
// the day's first start with the travel time between visits.
func TestOrderRoute(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	company := func(name, postal, city string) *localdb.Company {
		c := &localdb.Company{Name: name, PostalCode: postal, City: city}
		require.NoError(t, f.st.Create(ctx, c))
		return c
	}
	munich := company("Isar Bau", "80331", "München")
	nowhere := company("Ohne Adresse GmbH", "", "")
	berlin2 := company("Spree Logistik", "10117", "Berlin")
	// Planned by hand: Berlin, Munich, no address, Berlin again; the second
	// visit is long, the third booked in the afternoon.
	book := func(co *localdb.Company, start, length time.Duration) *localdb.Visit {
		v, err := f.book(t, visits.Booking{CompanyID: co.ID, Assignee: "jörg", Start: tuesday.Add(start), Duration: length})
		require.NoError(t, err)
		return v
	}
	first := book(f.acme, 9*time.Hour, time.Hour)
	far := book(munich, 10*time.Hour+30*time.Minute, 2*time.Hour)
	unknown := book(nowhere, 14*time.Hour, time.Hour)
	near := book(berlin2, 15*time.Hour+30*time.Minute, 45*time.Minute)
	other := book(munich, 9*time.Hour, time.Hour)
	other.Assignee = "ulla"
	require.NoError(t, f.st.Update(ctx, func(tx *localdb.Tx) error { return tx.Save(other) }))

	var res visits.RouteResult
	require.NoError(t, f.st.Update(ctx, func(tx *localdb.Tx) error {
		var err error
		res, err = visits.OrderRoute(tx, tuesday, visits.Plan{Assignee: "jörg", Travel: 15 * time.Minute})
		return err
	}))
	type slot struct {
		id         string
		start, end string
		position   int64
	}
	var got []slot
	for _, v := range res.Visits {
		got = append(got, slot{v.ID, v.StartAt.In(berlin).Format("15:04"), v.EndAt.In(berlin).Format("15:04"), v.Position})
	}
	want := []slot{
		{first.ID, "09:00", "10:00", 1},
		{near.ID, "10:15", "11:00", 2}, // Berlin next to Berlin
		{unknown.ID, "11:15", "12:15", 3},
		{far.ID, "12:30", "14:30", 4}, // keeps its two hours
	}
	assert.Equal(t, want, got)
	require.Len(t, res.Unlocated, 1)
	assert.Equal(t, unknown.ID, res.Unlocated[0].ID, "said: no postal code, kept its place")

	from, to := visits.DayRange(tuesday, berlin)
	rows, err := visits.List(ctx, f.st, visits.Filter{Assignee: "jörg", From: from, To: to})
	require.NoError(t, err)
	var stored []slot
	for _, r := range rows {
		stored = append(stored, slot{r.ID, r.StartAt.In(berlin).Format("15:04"), r.EndAt.In(berlin).Format("15:04"), r.Position})
	}
	assert.Equal(t, want, stored, "written, and listed in the new order")
	j, err := f.st.JournalFor(ctx, localdb.EntityVisit, near.ID)
	require.NoError(t, err)
	require.Len(t, j, 2, "the change is journaled, so it syncs")
	assert.Contains(t, j[1].Fields, "start_at")
	j, err = f.st.JournalFor(ctx, localdb.EntityVisit, first.ID)
	require.NoError(t, err)
	assert.Len(t, j, 1, "a visit that stays where it was is not written")
	ullas, err := visits.List(ctx, f.st, visits.Filter{Assignee: "ulla"})
	require.NoError(t, err)
	require.Len(t, ullas, 1)
	assert.Equal(t, tuesday.Add(9*time.Hour), ullas[0].StartAt.In(berlin), "another rep's day is not touched")

	// A visit already made keeps its place and time; ordering again
	// changes nothing.
	require.NoError(t, f.st.Update(ctx, func(tx *localdb.Tx) error {
		_, err := visits.OrderRoute(tx, tuesday, visits.Plan{Assignee: "jörg", Travel: 15 * time.Minute})
		return err
	}))
	j, err = f.st.JournalFor(ctx, localdb.EntityVisit, far.ID)
	require.NoError(t, err)
	assert.Len(t, j, 2, "ordered twice, written once")

	err = f.st.Update(ctx, func(tx *localdb.Tx) error {
		_, err := visits.OrderRoute(tx, tuesday, visits.Plan{})
		return err
	})
	assert.ErrorContains(t, err, "assignee: required")

	// A day too full to lay out with the travel time keeps its time slots:
	// no visit leaves the day.
	require.NoError(t, f.st.Update(ctx, func(tx *localdb.Tx) error {
		if err := tx.Read(far, far.ID); err != nil {
			return err
		}
		far.StartAt, far.EndAt = tuesday.Add(9*time.Hour), tuesday.Add(11*time.Hour) // before Berlin now
		if err := tx.Save(far); err != nil {
			return err
		}
		res, err = visits.OrderRoute(tx, tuesday, visits.Plan{Assignee: "jörg", Travel: 8 * time.Hour})
		return err
	}))
	assert.True(t, res.FullDay)
	rows, err = visits.List(ctx, f.st, visits.Filter{Assignee: "jörg", From: from, To: to})
	require.NoError(t, err)
	stored = nil
	for _, r := range rows {
		stored = append(stored, slot{r.ID, r.StartAt.In(berlin).Format("15:04"), r.EndAt.In(berlin).Format("15:04"), r.Position})
	}
	assert.Equal(t, []slot{
		{first.ID, "09:00", "10:00", 1},
		{near.ID, "09:00", "09:45", 2},
		{far.ID, "10:15", "12:15", 3},
		{unknown.ID, "11:15", "12:15", 4}, // fourth before, fourth now
	}, stored, "the slots were 09:00 (Berlin), 09:00 (Munich), 10:15 (Berlin), 11:15 (no address)")
}

// Visits already made or called off keep their place and their time; the
// planned ones are ordered around them.
func TestOrderRouteKeepsVisitsMade(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	munich := &localdb.Company{Name: "Isar Bau", PostalCode: "80331", City: "München"}
	require.NoError(t, f.st.Create(ctx, munich))
	book := func(co *localdb.Company, start time.Duration) *localdb.Visit {
		v, err := f.book(t, visits.Booking{CompanyID: co.ID, Assignee: "jörg", Start: tuesday.Add(start)})
		require.NoError(t, err)
		return v
	}
	b1 := book(f.acme, 8*time.Hour)
	made := book(munich, 10*time.Hour)
	made.Status = localdb.VisitDone
	require.NoError(t, f.st.Update(ctx, func(tx *localdb.Tx) error { return tx.Save(made) }))
	m := book(munich, 12*time.Hour)
	b2 := book(f.bolt, 14*time.Hour) // Potsdam 14467: nearer Berlin than Munich
	var res visits.RouteResult
	require.NoError(t, f.st.Update(ctx, func(tx *localdb.Tx) error {
		var err error
		res, err = visits.OrderRoute(tx, tuesday, visits.Plan{Assignee: "jörg"})
		return err
	}))
	var got []string
	for _, v := range res.Visits {
		got = append(got, v.StartAt.In(berlin).Format("15:04")+" "+v.ID)
	}
	assert.Equal(t, []string{"08:00 " + b1.ID, "10:00 " + made.ID, "11:30 " + b2.ID, "13:00 " + m.ID}, got)
	assert.Empty(t, res.Unlocated, "a visit made is not reported as lacking an address")
}
