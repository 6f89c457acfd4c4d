package calls_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"repdesk/localdb"
	"repdesk/localdb/calls"
)

func saveCadence(t *testing.T, s *localdb.Store, name, steps string) *localdb.Cadence {
	t.Helper()
	var c *localdb.Cadence
	update(t, s, func(tx *localdb.Tx) error {
		st, err := calls.ParseSteps(steps)
		if err != nil {
			return err
		}
		c, err = calls.SaveCadence(tx, name, st)
		return err
	})
	return c
}

func enroll(t *testing.T, s *localdb.Store, cadenceID, contactID string, start time.Time) *localdb.Enrollment {
	t.Helper()
	var e *localdb.Enrollment
	update(t, s, func(tx *localdb.Tx) error {
		var err error
		e, err = calls.Enroll(tx, cadenceID, contactID, start, berlin)
		return err
	})
	return e
}

type dueTask struct {
	Title string
	Kind  string
	Due   string
}

func dueTasks(t *testing.T, s *localdb.Store, contactID string) []dueTask {
	t.Helper()
	out := []dueTask{}
	for _, k := range openTasks(t, s, contactID) {
		out = append(out, dueTask{k.Title, k.Kind, k.Due.In(berlin).Format("Mon 2006-01-02 15:04")})
	}
	return out
}

func TestCadenceMakesATaskPerStep(t *testing.T) {
	s, _ := openStore(t)
	c := contactWith(t, s, "Jana Kurz", nil)
	cad := saveCadence(t, s, "New leads", "0:call, 2:email:Send the brochure, 5:call")
	assert.Equal(t, []localdb.CadenceStep{{Day: 0, Kind: "call"}, {Day: 2, Kind: "email", Title: "Send the brochure"}, {Day: 5, Kind: "call"}}, cad.Steps)
	e := enroll(t, s, cad.ID, c.ID, friday)
	assert.Equal(t, localdb.EnrollmentActive, e.Status)
	assert.Len(t, e.TaskIDs, 3)
	assert.Equal(t, []dueTask{
		{"Call Jana Kurz (New leads, step 1)", "call", "Fri 2026-03-06 09:00"},
		{"Send the brochure (New leads, step 2)", "email", "Tue 2026-03-10 09:00"},
		{"Call Jana Kurz (New leads, step 3)", "call", "Fri 2026-03-13 09:00"},
	}, dueTasks(t, s, c.ID), "working days: Friday + 2 is Tuesday")
	assert.Equal(t, []string{"cadence_enrollment create"}, journaled(t, s, localdb.EntityEnrollment, e.ID))
	assert.Equal(t, []string{"cadence create"}, journaled(t, s, localdb.EntityCadence, cad.ID))

	// An enrolment on a Sunday starts on Monday.
	c2 := contactWith(t, s, "Tom Berger", nil)
	enroll(t, s, cad.ID, c2.ID, time.Date(2026, 3, 8, 18, 0, 0, 0, berlin))
	assert.Equal(t, "Mon 2026-03-09 09:00", dueTasks(t, s, c2.ID)[0].Due)

	err := s.Update(context.Background(), func(tx *localdb.Tx) error {
		_, err := calls.Enroll(tx, cad.ID, c.ID, friday, berlin)
		return err
	})
	require.ErrorContains(t, err, `Jana Kurz is already in the cadence "New leads"`)
}

// The day-0 call reaches nobody: the cadence goes on. The next call
// connects: the cadence stops and its open tasks go.
func TestCadenceStopsWhenACallConnects(t *testing.T) {
	s, clk := openStore(t)
	c := contactWith(t, s, "Jana Kurz", nil)
	cad := saveCadence(t, s, "New leads", "0:call, 2:email, 5:call")
	e := enroll(t, s, cad.ID, c.ID, friday)
	update(t, s, func(tx *localdb.Tx) error {
		_, err := calls.LogCall(tx, calls.Call{ContactID: c.ID, Outcome: localdb.OutcomeVoicemail, Location: berlin})
		return err
	})
	assert.Equal(t, []dueTask{
		{"E-mail Jana Kurz (New leads, step 2)", "email", "Tue 2026-03-10 09:00"},
		{"Call Jana Kurz again", "call", "Tue 2026-03-10 09:00"},
		{"Call Jana Kurz (New leads, step 3)", "call", "Fri 2026-03-13 09:00"},
	}, dueTasks(t, s, c.ID), "the day-0 call is done, the cadence goes on")

	clk.set(time.Date(2026, 3, 10, 11, 0, 0, 0, berlin))
	var res *calls.Result
	update(t, s, func(tx *localdb.Tx) error {
		var err error
		res, err = calls.LogCall(tx, calls.Call{ContactID: c.ID, Outcome: localdb.OutcomeConnected, Location: berlin})
		return err
	})
	assert.Equal(t, []string{e.ID}, res.Stopped)
	assert.Empty(t, dueTasks(t, s, c.ID), "the retry is done, the cadence's open steps are removed")
	stored := &localdb.Enrollment{}
	require.NoError(t, s.Read(context.Background(), stored, e.ID))
	assert.Equal(t, localdb.EnrollmentStopped, stored.Status)
	assert.Equal(t, calls.StopConnected, stored.StopReason)
	assert.Equal(t, []string{"task create", "task delete"}, journaled(t, s, localdb.EntityTask, e.TaskIDs[2]), "the removal syncs")
	assert.Equal(t, []string{"task create", "task patch"}, journaled(t, s, localdb.EntityTask, e.TaskIDs[0]), "the worked step stays, done")
}

func TestRepEndsACadence(t *testing.T) {
	s, _ := openStore(t)
	c := contactWith(t, s, "Jana Kurz", nil)
	cad := saveCadence(t, s, "Nurture", "0:email, 3:call")
	e := enroll(t, s, cad.ID, c.ID, friday)
	update(t, s, func(tx *localdb.Tx) error { return calls.Stop(tx, e.ID, calls.StopByRep) })
	assert.Empty(t, dueTasks(t, s, c.ID))
	err := s.Update(context.Background(), func(tx *localdb.Tx) error { return calls.Stop(tx, e.ID, calls.StopByRep) })
	require.ErrorContains(t, err, "already stopped (ended)")
	// Ended, the contact may be enrolled again.
	enroll(t, s, cad.ID, c.ID, friday.AddDate(0, 0, 3))
	assert.Len(t, dueTasks(t, s, c.ID), 2)
}

func TestCadenceStepsAreChecked(t *testing.T) {
	s, _ := openStore(t)
	for _, tc := range []struct{ steps, want string }{
		{"", `steps "": a cadence needs at least one step`},
		{"0:call, x:email", `step 2 "x:email": write a step as DAY:KIND[:TITLE]`},
		{"2:call, 0:email", `step 2 "0": steps go in order of their days; step 1 is on day 2`},
		{"0:fax", `step 1 kind "fax": must be one of call, email`},
		{"-1:call", `step 1 "-1": the day must not be negative`},
	} {
		err := s.Update(context.Background(), func(tx *localdb.Tx) error {
			st, err := calls.ParseSteps(tc.steps)
			if err != nil {
				return err
			}
			_, err = calls.SaveCadence(tx, "Broken", st)
			return err
		})
		require.ErrorContains(t, err, tc.want, tc.steps)
	}
	cads, err := s.Cadences(context.Background())
	require.NoError(t, err)
	assert.Empty(t, cads)
}
