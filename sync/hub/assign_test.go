package hub_test

import (
	"database/sql"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"repdesk/sync/hub/hubtest"
	"repdesk/sync/protocol"
)

// opsOf returns the op of each change seen, by record.
func opsOf(seen []protocol.Record) map[hubtest.Key]string {
	out := map[hubtest.Key]string{}
	for _, r := range seen {
		out[hubtest.Key{Entity: r.Entity, ID: r.ID}] = r.Op
	}
	return out
}

// insideAndFieldRep is a fresh hub with an inside rep of the north (ines)
// and a field rep of the south (fred).
func insideAndFieldRep(t *testing.T, backend string) (*hubtest.Hub, *hubtest.Client, *hubtest.Client) {
	h := newHub(t, backend)
	return h, h.Client(h.AddUser("ines", protocol.RoleRep, "north")), h.Client(h.AddUser("fred", protocol.RoleRep, "south"))
}

// A visit booked by an inside rep of one territory for a field rep of
// another reaches the field rep with the company (and its records) and the
// contact it names; the field rep may write them; re-assigning it away
// sends the field rep removes, never deletes.
func TestAssigneeScope(t *testing.T) {
	hubtest.ForEachBackend(t, func(t *testing.T, backend string) {
		h, inside, field := insideAndFieldRep(t, backend)
		other := h.Client(h.AddUser("olga", protocol.RoleRep, "east"))

		co, ct, deal, visit := hubtest.NewID(), hubtest.NewID(), hubtest.NewID(), hubtest.NewID()
		push(t, inside,
			inside.Create("company", co, map[string]any{"name": "Nordwerk"}),
			inside.Create("contact", ct, map[string]any{"full_name": "Jana Berg", "company_id": co}),
			inside.Create("deal", deal, map[string]any{"title": "Pumps", "company_id": co}),
		)
		syncAll(t, field)
		require.Empty(t, field.Records, "before the booking nothing of the north reaches the south")

		push(t, inside, inside.Create("visit", visit, map[string]any{"company_id": co, "contact_id": ct,
			"assignee": "fred", "purpose": "Demo", "status": "planned"}))
		seen := opsOf(syncAll(t, field))
		for _, k := range []hubtest.Key{{Entity: "visit", ID: visit}, {Entity: "company", ID: co}, {Entity: "contact", ID: ct}, {Entity: "deal", ID: deal}} {
			assert.Equal(t, protocol.ChangeUpsert, seen[k], "%s reaches the assignee", k.Entity)
		}
		assert.Equal(t, "Nordwerk", field.Value("company", co, "name"))
		assert.Equal(t, "north", field.Records[hubtest.Key{Entity: "visit", ID: visit}].Territory, "the visit stays in the company's territory")
		fresh := h.Client(field.Token)
		_, err := fresh.FullSync(ctx, 2)
		require.NoError(t, err)
		assert.Len(t, fresh.Records, 4, "a snapshot holds the same")

		// The field rep writes the report and logs the visit on the company;
		// the inside rep receives both.
		report := push(t, field,
			field.Patch("visit", visit, map[string]any{"status": "done", "report": "Wants a quote"}),
			field.Create("activity", hubtest.NewID(), map[string]any{"kind": "visit", "company_id": co}),
			field.Patch("contact", ct, map[string]any{"title": "Head of Purchasing"}),
		)
		for _, r := range report.Results {
			assert.Equal(t, protocol.StatusApplied, r.Status, r.Reason)
		}
		syncAll(t, inside)
		assert.Equal(t, "Wants a quote", inside.Value("visit", visit, "report"))
		assert.Equal(t, "Head of Purchasing", inside.Value("contact", ct, "title"))
		assert.Len(t, inside.Records, 5)

		// Someone else's record stays out of reach.
		res := push(t, other, protocol.Mutation{Number: other.Next(), Entity: "visit", ID: visit, Op: protocol.OpPatch,
			Fields: map[string]protocol.FieldChange{"report": hubtest.F("mine", 0)}}).Results[0]
		assert.Equal(t, protocol.StatusRejected, res.Status)

		// Re-assigned to olga: fred drops what he had only through the visit
		// but keeps the activity he owns; olga receives it all.
		push(t, inside, inside.Patch("visit", visit, map[string]any{"assignee": "olga"}))
		seen = opsOf(syncAll(t, field))
		for _, k := range []hubtest.Key{{Entity: "visit", ID: visit}, {Entity: "company", ID: co}, {Entity: "contact", ID: ct}, {Entity: "deal", ID: deal}} {
			assert.Equal(t, protocol.ChangeRemove, seen[k], "%s leaves the former assignee", k.Entity)
		}
		assert.Len(t, field.Records, 1, "only the activity fred owns stays")
		syncAll(t, other)
		assert.Len(t, other.Records, 5)
		assert.Equal(t, "Wants a quote", other.Value("visit", visit, "report"))
		res = push(t, field, field.Patch("contact", ct, map[string]any{"title": "CEO"})).Results[0]
		assert.Equal(t, protocol.StatusRejected, res.Status, "the former assignee may no longer write")

		// Deleting the visit takes the company away from olga too; she gets
		// the visit's delete.
		push(t, inside, inside.Delete("visit", visit))
		seen = opsOf(syncAll(t, other))
		assert.Equal(t, protocol.ChangeDelete, seen[hubtest.Key{Entity: "visit", ID: visit}])
		assert.Equal(t, protocol.ChangeRemove, seen[hubtest.Key{Entity: "company", ID: co}])
	})
}

// A record the field rep has only through a visit's company leaves them
// when it moves to another company, also one of the same territory (no
// territory move names them then).
func TestAssigneeLosesRecordMovedToAnotherCompany(t *testing.T) {
	hubtest.ForEachBackend(t, func(t *testing.T, backend string) {
		h, inside, field := insideAndFieldRep(t, backend)
		peer := h.Client(h.AddUser("paul", protocol.RoleRep, "south"))
		co, other, ct, deal, visit := hubtest.NewID(), hubtest.NewID(), hubtest.NewID(), hubtest.NewID(), hubtest.NewID()
		push(t, inside,
			inside.Create("company", co, map[string]any{"name": "Nordwerk"}),
			inside.Create("company", other, map[string]any{"name": "Ostbau"}),
			inside.Create("contact", ct, map[string]any{"full_name": "Jana Berg", "company_id": co}),
			inside.Create("deal", deal, map[string]any{"title": "Pumps", "company_id": co}),
			inside.Create("visit", visit, map[string]any{"company_id": co, "contact_id": ct, "assignee": "fred"}),
		)
		push(t, peer, peer.Create("visit", hubtest.NewID(), map[string]any{"company_id": co, "assignee": "paul"}))
		syncAll(t, field)
		syncAll(t, peer)
		require.Contains(t, field.Records, hubtest.Key{Entity: "deal", ID: deal})
		require.Contains(t, peer.Records, hubtest.Key{Entity: "deal", ID: deal})

		syncAll(t, inside)
		push(t, inside,
			inside.Patch("deal", deal, map[string]any{"company_id": other}),
			inside.Patch("contact", ct, map[string]any{"company_id": other}),
		)
		for _, rep := range []*hubtest.Client{field, peer} {
			seen := opsOf(syncAll(t, rep))
			assert.Equal(t, protocol.ChangeRemove, seen[hubtest.Key{Entity: "deal", ID: deal}], "the deal leaves every assignee of the company")
			assert.NotContains(t, rep.Records, hubtest.Key{Entity: "deal", ID: deal})
		}
		assert.Contains(t, field.Records, hubtest.Key{Entity: "contact", ID: ct}, "the contact the visit names stays with its assignee")
		assert.NotContains(t, peer.Records, hubtest.Key{Entity: "contact", ID: ct}, "the other assignee had it only through the company")
		syncAll(t, inside)
		assert.Equal(t, other, inside.Value("deal", deal, "company_id"), "the territory's reps keep it")
	})
}

// A second visit of the same rep to the same company keeps the company when
// the first is re-assigned.
func TestAssigneeKeepsCompanyOfAnotherVisit(t *testing.T) {
	hubtest.ForEachBackend(t, func(t *testing.T, backend string) {
		_, inside, field := insideAndFieldRep(t, backend)
		co, v1, v2 := hubtest.NewID(), hubtest.NewID(), hubtest.NewID()
		push(t, inside,
			inside.Create("company", co, map[string]any{"name": "Nordwerk"}),
			inside.Create("visit", v1, map[string]any{"company_id": co, "assignee": "fred"}),
			inside.Create("visit", v2, map[string]any{"company_id": co, "assignee": "fred"}),
		)
		syncAll(t, field)
		require.Len(t, field.Records, 3)
		syncAll(t, inside)
		push(t, inside, inside.Patch("visit", v1, map[string]any{"assignee": ""}))
		seen := opsOf(syncAll(t, field))
		assert.NotEqual(t, protocol.ChangeRemove, seen[hubtest.Key{Entity: "company", ID: co}])
		assert.Len(t, field.Records, 3, "the company is still his through the other visit, and so is its first visit")
	})
}

// A second visit booked for a rep who has the company already (through a
// first visit) sends the rep the new visit, not the company and its records
// again.
func TestAssigneeSecondVisitDoesNotResendTheCompany(t *testing.T) {
	hubtest.ForEachBackend(t, func(t *testing.T, backend string) {
		_, inside, field := insideAndFieldRep(t, backend)
		co, deal, v1, v2 := hubtest.NewID(), hubtest.NewID(), hubtest.NewID(), hubtest.NewID()
		push(t, inside,
			inside.Create("company", co, map[string]any{"name": "Nordwerk"}),
			inside.Create("deal", deal, map[string]any{"title": "Pumps", "company_id": co}),
			inside.Create("visit", v1, map[string]any{"company_id": co, "assignee": "fred"}),
		)
		syncAll(t, field)
		require.Len(t, field.Records, 3)
		push(t, inside, inside.Create("visit", v2, map[string]any{"company_id": co, "assignee": "fred"}))
		seen := opsOf(syncAll(t, field))
		assert.Equal(t, map[hubtest.Key]string{{Entity: "visit", ID: v2}: protocol.ChangeUpsert}, seen)
	})
}

// A hub with visits assigned before the assignee scope existed sends them to
// their assignees after the upgrade, with what they grant.
func TestAssigneeMigrationResendsAssignedRecords(t *testing.T) {
	hubtest.ForEachBackend(t, func(t *testing.T, backend string) {
		h, inside, field := insideAndFieldRep(t, backend)
		co, ct, visit := hubtest.NewID(), hubtest.NewID(), hubtest.NewID()
		push(t, inside,
			inside.Create("company", co, map[string]any{"name": "Nordwerk"}),
			inside.Create("contact", ct, map[string]any{"full_name": "Jana Berg"}),
			inside.Create("visit", visit, map[string]any{"company_id": co, "contact_id": ct, "assignee": "fred"}),
		)
		syncAll(t, field)
		require.NotEmpty(t, field.Records)
		field.Records = map[hubtest.Key]protocol.Record{} // as the hub before the upgrade sent it: nothing

		// Take the hub back to the schema before 0003, keeping the records,
		// and start this build on it.
		driver := "sqlite"
		if backend == hubtest.Postgres {
			driver = "pgx"
		}
		raw, err := sql.Open(driver, h.DSN)
		require.NoError(t, err)
		for _, q := range []string{`DROP INDEX hub_records_assignee`, `ALTER TABLE hub_records DROP COLUMN assignee`,
			`DROP TABLE hub_grants`, `ALTER TABLE hub_moves DROP COLUMN old_assignee`,
			`DELETE FROM hub_migrations WHERE name = '0003_assignee.sql'`} {
			_, err := raw.Exec(q)
			require.NoError(t, err, q)
		}
		require.NoError(t, raw.Close())
		h.Restart()

		seen := opsOf(syncAll(t, field))
		for _, k := range []hubtest.Key{{Entity: "visit", ID: visit}, {Entity: "company", ID: co}, {Entity: "contact", ID: ct}} {
			assert.Equal(t, protocol.ChangeUpsert, seen[k], "%s reaches the assignee after the upgrade", k.Entity)
		}
		res := push(t, field, field.Patch("contact", ct, map[string]any{"title": "CEO"})).Results[0]
		assert.Equal(t, protocol.StatusApplied, res.Status, res.Reason)
	})
}
