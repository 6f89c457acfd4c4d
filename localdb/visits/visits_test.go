package visits_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"repdesk/localdb"
	"repdesk/localdb/calendar"
	"repdesk/localdb/visits"
)

var berlin = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		panic(err)
	}
	return loc
}()

// tuesday is 1 December 2026 in Berlin.
var tuesday = time.Date(2026, 12, 1, 0, 0, 0, 0, berlin)

type fixture struct {
	st         *localdb.Store
	acme, bolt *localdb.Company
	anna, otto *localdb.Contact
}

func newFixture(t *testing.T) fixture {
	t.Helper()
	st, err := localdb.OpenTemp(t.TempDir(), localdb.WithOwner("inge"))
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, st.Close()) })
	f := fixture{st: st,
		acme: &localdb.Company{Name: "ACME Werkzeuge", Street: "Hauptstr. 1", PostalCode: "10115", City: "Berlin", Country: "DE"},
		bolt: &localdb.Company{Name: "Bolt & Söhne", City: "Potsdam", PostalCode: "14467"}}
	require.NoError(t, st.Update(context.Background(), func(tx *localdb.Tx) error {
		for _, c := range []*localdb.Company{f.acme, f.bolt} {
			if err := tx.Create(c); err != nil {
				return err
			}
		}
		f.anna = &localdb.Contact{FullName: "Anna Bäcker", CompanyID: f.acme.ID, Phones: []localdb.Phone{{Number: "+49 30 1234"}}}
		f.otto = &localdb.Contact{FullName: "Otto Groß", CompanyID: f.bolt.ID}
		for _, c := range []*localdb.Contact{f.anna, f.otto} {
			if err := tx.Create(c); err != nil {
				return err
			}
		}
		return nil
	}))
	return f
}

func (f fixture) book(t *testing.T, b visits.Booking) (*localdb.Visit, error) {
	t.Helper()
	var v *localdb.Visit
	err := f.st.Update(context.Background(), func(tx *localdb.Tx) error {
		var err error
		v, err = visits.Book(tx, b)
		return err
	})
	return v, err
}

func TestBook(t *testing.T) {
	f := newFixture(t)
	at := tuesday.Add(10 * time.Hour)
	v, err := f.book(t, visits.Booking{ContactID: f.anna.ID, Assignee: " jörg ", Start: at, Purpose: "Jahresgespräch"})
	require.NoError(t, err)
	assert.Equal(t, f.acme.ID, v.CompanyID, "the contact's company")
	assert.Equal(t, "jörg", v.Assignee)
	assert.Equal(t, at.Add(time.Hour), v.EndAt, "one hour unless told")
	assert.Equal(t, localdb.VisitPlanned, v.Status)
	assert.Equal(t, int64(1), v.Position)

	// The booking is journaled with the assignee, so it syncs to the field rep.
	j, err := f.st.JournalFor(context.Background(), localdb.EntityVisit, v.ID)
	require.NoError(t, err)
	require.Len(t, j, 1)
	assert.Equal(t, "create", j[0].Op)
	assert.JSONEq(t, `"jörg"`, string(j[0].Fields["assignee"]))
	assert.JSONEq(t, `"`+f.acme.ID+`"`, string(j[0].Fields["company_id"]))

	second, err := f.book(t, visits.Booking{CompanyID: f.bolt.ID, Assignee: "jörg", Start: at.Add(3 * time.Hour), Duration: 30 * time.Minute})
	require.NoError(t, err)
	assert.Equal(t, int64(2), second.Position, "after the day's other visit")

	for name, b := range map[string]visits.Booking{
		"no assignee":            {CompanyID: f.acme.ID, Start: at},
		"no start":               {CompanyID: f.acme.ID, Assignee: "jörg"},
		"no company nor contact": {Assignee: "jörg", Start: at},
		"contact elsewhere":      {CompanyID: f.bolt.ID, ContactID: f.anna.ID, Assignee: "jörg", Start: at},
		"unknown company":        {CompanyID: "0190b5c2-6a7e-7c1a-9a55-2f4c1b0e8d11", Assignee: "jörg", Start: at},
		"negative duration":      {CompanyID: f.acme.ID, Assignee: "jörg", Start: at, Duration: -time.Hour},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := f.book(t, b)
			assert.Error(t, err)
		})
	}
	rows, err := visits.List(context.Background(), f.st, visits.Filter{})
	require.NoError(t, err)
	assert.Len(t, rows, 2, "refused bookings wrote nothing")
}

func TestPlannerAddAndReorder(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	// A customer's fixed appointment at 14:00 is already booked.
	fixed, err := f.book(t, visits.Booking{CompanyID: f.bolt.ID, Assignee: "jörg", Start: tuesday.Add(14 * time.Hour)})
	require.NoError(t, err)
	var added []*localdb.Visit
	require.NoError(t, f.st.Update(ctx, func(tx *localdb.Tx) error {
		added, err = visits.AddCompanies(tx, tuesday, []string{f.acme.ID, f.bolt.ID}, visits.Plan{Assignee: "jörg"})
		return err
	}))
	require.Len(t, added, 2)
	// After the last visit of the day (14:00–15:00) plus 30 minutes travel.
	assert.Equal(t, tuesday.Add(15*time.Hour+30*time.Minute), added[0].StartAt.In(berlin))
	assert.Equal(t, tuesday.Add(17*time.Hour), added[1].StartAt.In(berlin))
	assert.Equal(t, []int64{2, 3}, []int64{added[0].Position, added[1].Position})

	day := func() []visits.Row {
		from, to := visits.DayRange(tuesday, berlin)
		rows, err := visits.List(ctx, f.st, visits.Filter{Assignee: "jörg", From: from, To: to})
		require.NoError(t, err)
		return rows
	}
	ids := func(rows []visits.Row) []string {
		var out []string
		for _, r := range rows {
			out = append(out, r.ID)
		}
		return out
	}
	assert.Equal(t, []string{fixed.ID, added[0].ID, added[1].ID}, ids(day()))

	// The rep drags the last visit first: it takes the 14:00 slot, the
	// others follow in the slots that were there, each keeping its length.
	order := []string{added[1].ID, fixed.ID, added[0].ID}
	require.NoError(t, f.st.Update(ctx, func(tx *localdb.Tx) error { return visits.Reorder(tx, order, berlin) }))
	rows := day()
	assert.Equal(t, order, ids(rows), "the order is kept")
	assert.Equal(t, []int64{1, 2, 3}, []int64{rows[0].Position, rows[1].Position, rows[2].Position})
	assert.Equal(t, tuesday.Add(14*time.Hour), rows[0].StartAt.In(berlin))
	assert.Equal(t, tuesday.Add(15*time.Hour+30*time.Minute), rows[1].StartAt.In(berlin))
	assert.Equal(t, time.Hour, rows[1].EndAt.Sub(rows[1].StartAt))

	// Reordering is journaled as updates that sync.
	j, err := f.st.JournalFor(ctx, localdb.EntityVisit, added[1].ID)
	require.NoError(t, err)
	require.Len(t, j, 2)
	assert.Contains(t, j[1].Fields, "start_at")
	assert.Contains(t, j[1].Fields, "position")

	other, err := f.book(t, visits.Booking{CompanyID: f.acme.ID, Assignee: "ulla", Start: tuesday.Add(9 * time.Hour)})
	require.NoError(t, err)
	nextDay, err := f.book(t, visits.Booking{CompanyID: f.acme.ID, Assignee: "jörg", Start: tuesday.Add(33 * time.Hour)})
	require.NoError(t, err)
	for name, bad := range map[string][]string{
		"another rep":  {fixed.ID, other.ID},
		"another day":  {fixed.ID, nextDay.ID},
		"listed twice": {fixed.ID, fixed.ID},
	} {
		t.Run(name, func(t *testing.T) {
			assert.Error(t, f.st.Update(ctx, func(tx *localdb.Tx) error { return visits.Reorder(tx, bad, berlin) }))
		})
	}
	assert.Equal(t, order, ids(day()), "refused reorders change nothing")
}

func TestReport(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	v, err := f.book(t, visits.Booking{ContactID: f.anna.ID, Assignee: "jörg", Start: tuesday.Add(10 * time.Hour), Purpose: "Vorführung"})
	require.NoError(t, err)
	report := func(r visits.Report) (*visits.ReportResult, error) {
		var res *visits.ReportResult
		err := f.st.Update(ctx, func(tx *localdb.Tx) error {
			var err error
			res, err = visits.WriteReport(tx, v.ID, r)
			return err
		})
		return res, err
	}
	_, err = report(visits.Report{Outcome: "great"})
	require.Error(t, err, "an unknown outcome")

	step, err := visits.ParseNextStep("Angebot schicken @ Ende 2026@2026-12-03", berlin)
	require.NoError(t, err)
	assert.Equal(t, "Angebot schicken @ Ende 2026", step.Title)
	assert.Equal(t, time.Date(2026, 12, 3, 9, 0, 0, 0, berlin), step.Due)
	call, err := visits.ParseNextStep("Rückruf@2026-12-04 14:30", berlin)
	require.NoError(t, err)

	res, err := report(visits.Report{Outcome: localdb.VisitOutcomePositive, Notes: " Will bestellen. ", NextSteps: []visits.NextStep{step, call}})
	require.NoError(t, err)

	got, err := f.st.GetVisit(ctx, v.ID)
	require.NoError(t, err)
	assert.Equal(t, localdb.VisitDone, got.Status)
	assert.Equal(t, localdb.VisitOutcomePositive, got.Outcome)
	assert.Equal(t, "Will bestellen.", got.Report)

	acts, err := f.st.Activities(ctx, localdb.ActivityFilter{CompanyID: f.acme.ID})
	require.NoError(t, err)
	require.Len(t, acts, 1, "the visit is on the company's timeline")
	assert.Equal(t, localdb.KindVisit, acts[0].Kind)
	assert.Equal(t, "Visit: positive (Vorführung)", acts[0].Subject)
	assert.Equal(t, f.anna.ID, acts[0].ContactID)

	tasks, err := f.st.Tasks(ctx, localdb.TaskFilter{ContactID: f.anna.ID})
	require.NoError(t, err)
	require.Len(t, tasks, 2)
	assert.Equal(t, "Angebot schicken @ Ende 2026", tasks[0].Title)
	assert.Equal(t, f.acme.ID, tasks[0].CompanyID)
	assert.Equal(t, "Rückruf", tasks[1].Title)
	assert.True(t, tasks[1].Due.Equal(time.Date(2026, 12, 4, 14, 30, 0, 0, berlin)))
	assert.Len(t, res.Tasks, 2)

	_, err = report(visits.Report{Outcome: localdb.VisitOutcomeNeutral})
	assert.ErrorIs(t, err, visits.ErrNotPlanned, "a done visit is reported once")
	tasks, err = f.st.Tasks(ctx, localdb.TaskFilter{ContactID: f.anna.ID})
	require.NoError(t, err)
	assert.Len(t, tasks, 2, "the refused second report added no tasks")

	for _, bad := range []string{"no date", "@2026-12-03", "Anruf@morgen"} {
		_, err := visits.ParseNextStep(bad, berlin)
		assert.Error(t, err, bad)
	}
}

func TestEventFromVisit(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	v, err := f.book(t, visits.Booking{ContactID: f.anna.ID, Assignee: "jörg", Start: tuesday.Add(10 * time.Hour), Purpose: "Demo, neu; bitte \\ Beamer"})
	require.NoError(t, err)
	row, err := visits.Get(ctx, f.st, v.ID)
	require.NoError(t, err)
	first := visits.Event(row)
	assert.Equal(t, v.ID+"@visit.repdesk", first.UID)
	assert.Equal(t, int64(0), first.Sequence)
	assert.Equal(t, "Hauptstr. 1, 10115 Berlin, DE", first.Location)
	assert.Equal(t, "Visit: ACME Werkzeuge – Anna Bäcker", first.Summary)
	assert.Contains(t, first.Description, "Contact: Anna Bäcker, +49 30 1234")
	assert.Equal(t, calendar.StatusConfirmed, first.Status)

	v.Status = localdb.VisitCancelled
	require.NoError(t, f.st.Save(ctx, v))
	row, err = visits.Get(ctx, f.st, v.ID)
	require.NoError(t, err)
	again := visits.Event(row)
	assert.Equal(t, first.UID, again.UID, "a re-export updates the same event")
	assert.Greater(t, again.Sequence, first.Sequence, "SEQUENCE grows with the visit's version")
	assert.Equal(t, calendar.StatusCancelled, again.Status)

	_, err = visits.Get(ctx, f.st, "0190b5c2-6a7e-7c1a-9a55-2f4c1b0e8d11")
	assert.ErrorIs(t, err, localdb.ErrNotFound)
}

func TestParseWeekAndDay(t *testing.T) {
	for _, tc := range []struct {
		in     string
		monday time.Time
	}{
		{"2026-W49", time.Date(2026, 11, 30, 0, 0, 0, 0, berlin)},
		{"2026-W01", time.Date(2025, 12, 29, 0, 0, 0, 0, berlin)},
		{"2026-w53", time.Date(2026, 12, 28, 0, 0, 0, 0, berlin)},
	} {
		from, to, err := visits.ParseWeek(tc.in, berlin)
		require.NoError(t, err, tc.in)
		assert.Equal(t, tc.monday, from, tc.in)
		assert.Equal(t, tc.monday.AddDate(0, 0, 7), to, tc.in)
	}
	for _, bad := range []string{"2027-W53", "2026-49", "2026-W0", "26-W10", "2026-W54"} {
		_, _, err := visits.ParseWeek(bad, berlin)
		assert.Error(t, err, bad)
	}
	_, err := visits.ParseDay("01.12.2026", berlin)
	assert.Error(t, err)
	_, err = visits.ParseStart("2026-12-01", berlin)
	assert.Error(t, err)
}
