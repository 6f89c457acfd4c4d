package client_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"repdesk/localdb"
	"repdesk/localdb/visits"
	"repdesk/sync/hub/hubtest"
	"repdesk/sync/protocol"
)

// Issue 6 end to end over HTTP: an inside rep of the north books a visit at
// a north company for a field rep of the south; the field rep's next sync
// brings the visit with its company and contact, the report the field rep
// writes reaches the inside rep, and re-assigning the visit takes it (and
// the company) off the field rep's machine without deleting anything.
func TestBookedVisitReachesTheFieldRep(t *testing.T) {
	hubtest.ForEachBackend(t, func(t *testing.T, backend string) {
		h := hubtest.New(t, hubtest.Options{Backend: backend})
		inside := newDevice(t, "inside rep", nil)
		inside.login(h.URL, h.AddUser("ines", protocol.RoleRep, "north"))
		field := newDevice(t, "field rep", nil)
		field.login(h.URL, h.AddUser("fred", protocol.RoleRep, "south"))
		other := newDevice(t, "other field rep", nil)
		other.login(h.URL, h.AddUser("olga", protocol.RoleRep, "east"))
		assert.Equal(t, "fred", field.store.Owner(), "after login the database's user is the hub user: the planner starts with it")
		role, err := field.store.Setting(ctx, localdb.SettingAccountRole)
		require.NoError(t, err)
		assert.Equal(t, protocol.RoleRep, role, "the account's role is kept for what the app shows offline")

		co := &localdb.Company{Name: "Nordwerk GmbH", Territory: "north", City: "Hamburg"}
		require.NoError(t, inside.store.Create(ctx, co))
		ct := &localdb.Contact{FullName: "Jana Berg", CompanyID: co.ID}
		require.NoError(t, inside.store.CreateContact(ctx, ct))
		start := time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)
		var visit *localdb.Visit
		require.NoError(t, inside.store.Update(ctx, func(tx *localdb.Tx) (err error) {
			visit, err = visits.Book(tx, visits.Booking{CompanyID: co.ID, ContactID: ct.ID, Assignee: "fred", Start: start, Purpose: "Demo"})
			return err
		}))
		inside.sync()
		field.sync()

		rows, err := visits.List(ctx, field.store, visits.Filter{Assignee: "fred"})
		require.NoError(t, err)
		require.Len(t, rows, 1, "the field rep sees the visit booked for him")
		assert.Equal(t, visit.ID, rows[0].ID)
		assert.Equal(t, "Nordwerk GmbH", rows[0].Company)
		assert.Equal(t, "Jana Berg", rows[0].Contact)
		assert.Equal(t, "Demo", rows[0].Purpose)
		assert.True(t, rows[0].StartAt.Equal(start))

		var report *visits.ReportResult
		require.NoError(t, field.store.Update(ctx, func(tx *localdb.Tx) (err error) {
			report, err = visits.WriteReport(tx, visit.ID, visits.Report{Outcome: localdb.VisitOutcomePositive, Notes: "Wants a quote",
				NextSteps: []visits.NextStep{{Title: "Send quote", Due: start.AddDate(0, 0, 2)}}})
			return err
		}))
		res := field.sync()
		assert.Zero(t, res.Rejected, "the field rep may write the visit and its company's records")
		inside.sync()
		got, err := inside.store.GetVisit(ctx, visit.ID)
		require.NoError(t, err)
		assert.Equal(t, localdb.VisitDone, got.Status)
		assert.Equal(t, "Wants a quote", got.Report)
		var task localdb.Task
		require.NoError(t, inside.store.Update(ctx, func(tx *localdb.Tx) error { return tx.Read(&task, report.Tasks[0].ID) }))
		assert.Equal(t, "Send quote", task.Title, "the next step reaches the inside rep")

		// Re-assigned: removed from fred's machine (not deleted on the hub),
		// the task he created stays his; olga receives the visit.
		got.Assignee = "olga"
		require.NoError(t, inside.store.Save(ctx, got))
		inside.sync()
		field.sync()
		_, err = field.store.GetVisit(ctx, visit.ID)
		assert.ErrorIs(t, err, localdb.ErrNotFound, "the visit left the former assignee")
		_, err = field.store.GetCompany(ctx, co.ID)
		assert.ErrorIs(t, err, localdb.ErrNotFound, "and the company it brought")
		assert.Zero(t, field.pending(), "a remove is not a local change")
		other.sync()
		rows, err = visits.List(ctx, other.store, visits.Filter{Assignee: "olga"})
		require.NoError(t, err)
		require.Len(t, rows, 1)
		assert.Equal(t, "Nordwerk GmbH", rows[0].Company)
		_, err = inside.store.GetVisit(ctx, visit.ID)
		assert.NoError(t, err, "the inside rep keeps the visit")
	})
}
