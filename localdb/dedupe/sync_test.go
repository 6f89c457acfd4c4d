package dedupe_test

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"repdesk/localdb"
	"repdesk/localdb/dedupe"
	"repdesk/sync/client"
	"repdesk/sync/hub/hubtest"
	"repdesk/sync/protocol"
)

// device is one installation of the app, signed in to the test hub.
type device struct {
	t      *testing.T
	name   string
	store  *localdb.Store
	client *client.Client
}

func newDevice(t *testing.T, h *hubtest.Hub, name, token string) *device {
	t.Helper()
	dir := t.TempDir()
	s, err := localdb.Open(filepath.Join(dir, "repdesk.db"), localdb.WithRegion("DE"))
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	c := client.New(s, client.Options{DataDir: dir, Timeout: 10 * time.Second, Retries: 2, RetryWait: time.Millisecond})
	require.NoError(t, c.Login(ctx, h.URL, token))
	return &device{t: t, name: name, store: s, client: c}
}

// sync does what the app does after each sync: follow merges that arrived,
// and send the re-pointed links at once.
func (d *device) sync() {
	d.t.Helper()
	_, err := d.client.Sync(ctx)
	require.NoError(d.t, err, "sync of %s", d.name)
	n, err := dedupe.FollowMerges(ctx, d.store)
	require.NoError(d.t, err, "follow merges on %s", d.name)
	if n > 0 {
		_, err = d.client.Sync(ctx)
		require.NoError(d.t, err, "sync of %s after following merges", d.name)
	}
}

func (d *device) pending() int {
	d.t.Helper()
	n, err := d.store.PendingCount(ctx)
	require.NoError(d.t, err)
	return n
}

// Client A merges two contacts while client B, offline, edits the removed
// one and makes a deal, a task and a call for it. After both sync: the
// removed contact is gone everywhere and stays gone, everything B linked to
// it follows the kept contact, and B's edit is kept in a conflict that can
// restore it, not dropped.
func TestMergeSyncsWithoutResurrection(t *testing.T) {
	h := hubtest.New(t, hubtest.Options{Backend: hubtest.SQLite})
	a := newDevice(t, h, "anna's laptop", h.AddUser("anna", protocol.RoleRep, "north"))
	b := newDevice(t, h, "ben's laptop", h.AddUser("ben", protocol.RoleRep, "north"))

	acme := &localdb.Company{Name: "Alpen Logistik AG", City: "München"}
	require.NoError(t, a.store.Create(ctx, acme))
	keep := &localdb.Contact{FullName: "Hans Müller", CompanyID: acme.ID, Emails: emails("hans@alpen.example")}
	other := &localdb.Contact{FullName: "Hans Mueller", CompanyID: acme.ID, Emails: emails("HANS@alpen.example"),
		Phones: phones("0171 5555555")}
	require.NoError(t, a.store.CreateContact(ctx, keep))
	require.NoError(t, a.store.CreateContact(ctx, other))
	oldDeal := &localdb.Deal{Title: "Rahmenvertrag", ContactID: other.ID, CompanyID: acme.ID, Stage: "Lead"}
	require.NoError(t, a.store.Create(ctx, oldDeal))
	a.sync()
	b.sync()

	// B, offline: edits the contact that is about to be merged away and
	// links new records to it.
	bOther, err := b.store.GetContact(ctx, other.ID)
	require.NoError(t, err)
	bOther.Title = "Leiter Einkauf"
	require.NoError(t, b.store.UpdateContact(ctx, bOther))
	newDeal := &localdb.Deal{Title: "Wartung 2027", ContactID: other.ID, CompanyID: acme.ID, Stage: "Lead"}
	call := &localdb.Activity{Kind: localdb.KindCall, ContactID: other.ID, CompanyID: acme.ID, Outcome: localdb.OutcomeConnected,
		OccurredAt: time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)}
	task := &localdb.Task{Title: "Angebot nachfassen", Kind: localdb.TaskFollowUp, ContactID: other.ID, CompanyID: acme.ID,
		Due: time.Date(2026, 3, 4, 9, 0, 0, 0, time.UTC)}
	for _, r := range []localdb.Record{newDeal, call, task} {
		require.NoError(t, b.store.Create(ctx, r))
	}

	// A merges meanwhile and syncs first.
	res, err := dedupe.Merge(ctx, a.store, localdb.EntityContact, keep.ID, other.ID, nil)
	require.NoError(t, err)
	assert.Equal(t, map[string]int{localdb.EntityDeal: 1}, res.Repointed)
	a.sync()
	b.sync()
	a.sync()
	b.sync()

	for _, d := range []*device{a, b} {
		_, err := d.store.GetContact(ctx, other.ID)
		assert.ErrorIs(t, err, localdb.ErrNotFound, "%s: the merged-away contact is gone", d.name)
		k, err := d.store.GetContact(ctx, keep.ID)
		require.NoError(t, err, d.name)
		require.Len(t, k.Phones, 1, "%s: the kept contact has the merged phone", d.name)
		assert.Equal(t, "+491715555555", k.Phones[0].E164)
		for _, id := range []string{oldDeal.ID, newDeal.ID} {
			deal, err := d.store.GetDeal(ctx, id)
			require.NoError(t, err, d.name)
			assert.Equal(t, keep.ID, deal.ContactID, "%s: deal %q follows the kept contact", d.name, deal.Title)
		}
		act, err := d.store.GetActivity(ctx, call.ID)
		require.NoError(t, err, d.name)
		assert.Equal(t, keep.ID, act.ContactID, "%s: B's offline call follows the kept contact", d.name)
		var tk localdb.Task
		require.NoError(t, d.store.Read(ctx, &tk, task.ID), d.name)
		assert.Equal(t, keep.ID, tk.ContactID, "%s: B's offline task follows the kept contact", d.name)
		assert.Zero(t, d.pending(), "%s: everything is pushed", d.name)
		pairs, err := dedupe.FindContacts(ctx, d.store)
		require.NoError(t, err)
		assert.Empty(t, pairs, "%s: nothing left to merge", d.name)
	}

	// B's edit of the removed contact is not lost: it waits in a conflict
	// whose restore choice would bring the contact back with it.
	cs, err := b.client.Conflicts(ctx)
	require.NoError(t, err)
	require.Len(t, cs, 1)
	assert.Equal(t, protocol.ConflictEditDelete, cs[0].Kind)
	assert.Equal(t, other.ID, cs[0].RecordID)
	assert.JSONEq(t, `{"title": "Leiter Einkauf"}`, string(cs[0].Mine))

	// Another round changes nothing: the contact stays gone.
	a.sync()
	b.sync()
	for _, d := range []*device{a, b} {
		_, err := d.store.GetContact(ctx, other.ID)
		assert.ErrorIs(t, err, localdb.ErrNotFound, "%s: still gone", d.name)
	}
}

// "Not a duplicate" on one client keeps the pair off the list on the other.
func TestNotADuplicateSyncs(t *testing.T) {
	h := hubtest.New(t, hubtest.Options{Backend: hubtest.SQLite})
	a := newDevice(t, h, "anna's laptop", h.AddUser("anna", protocol.RoleRep, "north"))
	b := newDevice(t, h, "ben's laptop", h.AddUser("ben", protocol.RoleRep, "north"))
	x := &localdb.Contact{FullName: "Eva Braun", Emails: emails("einkauf@acme.example")}
	y := &localdb.Contact{FullName: "Max Braun", Emails: emails("einkauf@acme.example")}
	require.NoError(t, a.store.CreateContact(ctx, x))
	require.NoError(t, a.store.CreateContact(ctx, y))
	a.sync()
	b.sync()
	pairs, err := dedupe.FindContacts(ctx, b.store)
	require.NoError(t, err)
	require.Len(t, pairs, 1)

	require.NoError(t, dedupe.MarkDistinct(ctx, a.store, localdb.EntityContact, x.ID, y.ID))
	require.NoError(t, dedupe.MarkDistinct(ctx, b.store, localdb.EntityContact, y.ID, x.ID), "both decide at once")
	a.sync()
	b.sync()
	a.sync()
	for _, d := range []*device{a, b} {
		pairs, err := dedupe.FindContacts(ctx, d.store)
		require.NoError(t, err)
		assert.Empty(t, pairs, d.name)
		cs, err := d.client.Conflicts(ctx)
		require.NoError(t, err)
		assert.Empty(t, cs, "%s: the same decision twice is no conflict", d.name)
	}
}
