package calls_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"repdesk/localdb"
	"repdesk/localdb/calls"
	"repdesk/localdb/dedupe"
)

// A tag queue finds its contacts through contact_tags, which triggers keep
// in step with every way a contact's tags change: a rep's edit, a delete, a
// merge, and changes pulled from the hub.
func TestTagQueueFollowsEveryWrite(t *testing.T) {
	s, _ := openStore(t)
	ctx := context.Background()
	anton := contactWith(t, s, "Anton Adler", func(c *localdb.Contact) { c.Tags = []string{"VIP"} })
	berta := contactWith(t, s, "Berta Bauer", nil)
	carl := contactWith(t, s, "Carl Conrad", func(c *localdb.Contact) { c.Tags = []string{"Messe"} })
	const hubID = "01900000-0000-7000-8000-00000000c0de"
	hub := func(seq int64, tags string) localdb.HubRecord {
		return localdb.HubRecord{Op: localdb.HubUpsert, Entity: localdb.EntityContact, ID: hubID, Seq: seq, Owner: "ben",
			Fields: map[string]json.RawMessage{
				"full_name": json.RawMessage(`"Hanna Hub"`), "tags": json.RawMessage(tags),
				"phones": json.RawMessage(`[{"number":"+49 30 555"}]`),
			},
			Versions: map[string]int64{"full_name": seq, "tags": seq, "phones": seq}}
	}
	applyHub := func(recs ...localdb.HubRecord) {
		update(t, s, func(tx *localdb.Tx) error { return tx.ApplyHubRecords(recs, nil, localdb.ApplyOptions{}) })
	}
	edit := func(c *localdb.Contact, tags ...string) {
		c.Tags = tags
		require.NoError(t, s.UpdateContact(ctx, c))
	}
	for _, step := range []struct {
		name string
		do   func()
		vip  []string
	}{
		{"created with the tag", func() {}, []string{"Anton Adler"}},
		{"tag added in another spelling", func() { edit(berta, "vip", "Messe") }, []string{"Anton Adler", "Berta Bauer"}},
		{"tag removed", func() { edit(anton, "Messe") }, []string{"Berta Bauer"}},
		{"twice in one contact is one entry", func() { edit(anton, "VIP", "vip") }, []string{"Anton Adler", "Berta Bauer"}},
		{"deleted", func() { require.NoError(t, s.Delete(ctx, localdb.EntityContact, berta.ID)) }, []string{"Anton Adler"}},
		{"merged: the kept contact takes the other's tags", func() {
			_, err := dedupe.Merge(ctx, s, localdb.EntityContact, carl.ID, anton.ID, nil)
			require.NoError(t, err)
		}, []string{"Carl Conrad"}},
		{"pulled from the hub", func() { applyHub(hub(20, `["VIP"]`)) }, []string{"Carl Conrad", "Hanna Hub"}},
		{"pulled in a first sync's snapshot", func() {
			snap := hub(20, `["VIP"]`)
			snap.ID = "01900000-0000-7000-8000-00000000beef"
			snap.Fields["full_name"] = json.RawMessage(`"Sven Snapshot"`)
			update(t, s, func(tx *localdb.Tx) error {
				return tx.ApplyHubRecords([]localdb.HubRecord{snap}, nil, localdb.ApplyOptions{DeferIndex: true})
			})
		}, []string{"Carl Conrad", "Hanna Hub", "Sven Snapshot"}},
		{"untagged on the hub", func() { applyHub(hub(21, `["Partner"]`)) }, []string{"Carl Conrad", "Sven Snapshot"}},
		{"tagged again on the hub", func() { applyHub(hub(22, `["Partner","VIP"]`)) }, []string{"Carl Conrad", "Hanna Hub", "Sven Snapshot"}},
		{"deleted on the hub", func() {
			applyHub(localdb.HubRecord{Op: localdb.HubDelete, Entity: localdb.EntityContact, ID: hubID, Seq: 23})
		}, []string{"Carl Conrad", "Sven Snapshot"}},
		{"restored on the hub", func() { applyHub(hub(24, `["VIP"]`)) }, []string{"Carl Conrad", "Hanna Hub", "Sven Snapshot"}},
		{"left the rep's scope", func() {
			applyHub(localdb.HubRecord{Op: localdb.HubRemove, Entity: localdb.EntityContact, ID: hubID, Seq: 25})
		}, []string{"Carl Conrad", "Sven Snapshot"}},
		// SQLite gives the removed row's number to the next contact.
		{"a new contact does not inherit a removed one's tags", func() { contactWith(t, s, "Ida Iser", nil) },
			[]string{"Carl Conrad", "Sven Snapshot"}},
	} {
		step.do()
		q, err := calls.Build(ctx, s, localdb.QueueFilter{Tags: []string{"VIP"}}, calls.Options{Now: friday, Location: berlin})
		require.NoError(t, err, step.name)
		assert.Equal(t, step.vip, names(q), step.name)
	}
	q, err := calls.Build(ctx, s, localdb.QueueFilter{Tags: []string{"messe"}}, calls.Options{Now: friday, Location: berlin})
	require.NoError(t, err)
	assert.Equal(t, []string{"Carl Conrad"}, names(q), "Berta is deleted; Anton merged into Carl")
}
