package client_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"repdesk/localdb"
	"repdesk/sync/client"
	"repdesk/sync/client/faultproxy"
	"repdesk/sync/hub"
	"repdesk/sync/hub/hubtest"
	"repdesk/sync/protocol"
)

// pair is one user's two machines on a fresh hub, both synced.
func pair(t *testing.T, backend string) (*hubtest.Hub, *device, *device) {
	t.Helper()
	h := hubtest.New(t, hubtest.Options{Backend: backend})
	token := h.AddUser("anna", protocol.RoleRep, "north")
	a, b := newDevice(t, "laptop", nil), newDevice(t, "desktop", nil)
	a.login(h.URL, token)
	b.login(h.URL, token)
	return h, a, b
}

func openConflicts(t *testing.T, d *device) []client.Conflict {
	t.Helper()
	cs, err := d.client.Conflicts(ctx)
	require.NoError(t, err)
	return cs
}

func TestFieldConflictResolution(t *testing.T) {
	hubtest.ForEachBackend(t, func(t *testing.T, backend string) {
		for _, tc := range []struct {
			keep string
			want string // the title everyone ends with
		}{
			{client.KeepMine, "Procurement Lead"},
			{client.KeepTheirs, "Head of Purchasing"},
		} {
			t.Run(tc.keep, func(t *testing.T) {
				_, a, b := pair(t, backend)
				ct := a.addContact("Jana Berg")
				a.sync()
				b.sync()
				a.editContact(ct.ID, func(c *localdb.Contact) { c.Title = "Head of Purchasing" })
				b.editContact(ct.ID, func(c *localdb.Contact) { c.Title = "Procurement Lead"; c.Notes = "met at the fair" })
				a.sync()
				res := b.sync()
				assert.Equal(t, 1, res.Conflicts)

				// The hub kept the first value; the other one is in the
				// conflict, nothing is dropped. The untouched field merged.
				got := b.contact(ct.ID)
				assert.Equal(t, "Head of Purchasing", got.Title)
				assert.Equal(t, "met at the fair", got.Notes)
				cs := openConflicts(t, b)
				require.Len(t, cs, 1)
				cf := cs[0]
				assert.True(t, cf.Own)
				assert.Equal(t, "title", cf.Field)
				assert.Equal(t, "Jana Berg", cf.Label)
				assert.JSONEq(t, `"Procurement Lead"`, string(cf.Mine))
				assert.JSONEq(t, `"Head of Purchasing"`, string(cf.Theirs))
				assert.Equal(t, "anna", cf.TheirAuthor)

				// The other machine sees the same conflict from its side.
				a.sync()
				other := openConflicts(t, a)
				require.Len(t, other, 1)
				assert.False(t, other[0].Own)
				assert.JSONEq(t, `"Head of Purchasing"`, string(other[0].Mine))

				require.NoError(t, b.client.Resolve(ctx, cf.ID, tc.keep))
				assert.Empty(t, openConflicts(t, b))
				err := b.client.Resolve(ctx, cf.ID, tc.keep)
				assert.ErrorIs(t, err, client.ErrConflictClosed)
				b.sync()
				a.sync()
				assert.Equal(t, tc.want, a.contact(ct.ID).Title)
				assert.Equal(t, tc.want, b.contact(ct.ID).Title)
				assert.Empty(t, openConflicts(t, a), "the decision closed the conflict everywhere")
				assert.Zero(t, a.pending()+b.pending())
			})
		}
	})
}

// Keep mine is based on the value the conflict showed: a value that
// arrived on the hub after it is not overwritten but makes a new conflict.
func TestKeepMineDoesNotOverwriteALaterValue(t *testing.T) {
	h, a, b := pair(t, hubtest.SQLite)
	c := newDevice(t, "tablet", nil)
	c.login(h.URL, h.AddUser("ben", protocol.RoleRep, "north"))
	ct := a.addContact("Jana Berg")
	a.sync()
	b.sync()
	a.editContact(ct.ID, func(x *localdb.Contact) { x.Title = "from a" })
	b.editContact(ct.ID, func(x *localdb.Contact) { x.Title = "from b" })
	a.sync()
	b.sync()
	cs := openConflicts(t, b)
	require.Len(t, cs, 1)
	require.NoError(t, b.client.Resolve(ctx, cs[0].ID, client.KeepMine))

	c.sync()
	c.editContact(ct.ID, func(x *localdb.Contact) { x.Title = "from c, later" })
	c.sync()
	res := b.sync()
	assert.Equal(t, 1, res.Conflicts, "the decision met a newer value: a new conflict")
	assert.Equal(t, "from c, later", b.contact(ct.ID).Title)
	cs = openConflicts(t, b)
	require.Len(t, cs, 1)
	assert.JSONEq(t, `"from b"`, string(cs[0].Mine))
	assert.JSONEq(t, `"from c, later"`, string(cs[0].Theirs))
	assert.Equal(t, "ben", cs[0].TheirAuthor)
}

// A database restored from a backup numbers its new changes from where the
// backup stopped; the hub has seen those numbers from the lost timeline.
// Without care they would be skipped as duplicates.
func TestRestoredBackupLosesNothing(t *testing.T) {
	hubtest.ForEachBackend(t, func(t *testing.T, backend string) {
		h := hubtest.New(t, hubtest.Options{Backend: backend})
		token := h.AddUser("anna", protocol.RoleRep, "north")
		a := newDevice(t, "laptop", nil)
		a.login(h.URL, token)
		for range 3 {
			a.addContact("Before the backup")
		}
		a.sync()
		backup := filepath.Join(t.TempDir(), "backup.db")
		_, err := a.store.DB().Exec(`VACUUM INTO ?`, backup)
		require.NoError(t, err)
		for range 3 {
			a.addContact("Lost with the disk")
		}
		a.sync()
		oldID, err := a.store.ClientID(ctx)
		require.NoError(t, err)

		restored, err := localdb.Open(backup)
		require.NoError(t, err)
		t.Cleanup(func() { restored.Close() })
		rc := client.New(restored, fastOptions(a.dir))
		after := &localdb.Contact{FullName: "After the restore"}
		require.NoError(t, restored.CreateContact(ctx, after))
		_, err = rc.Sync(ctx)
		require.NoError(t, err)
		newID, err := restored.ClientID(ctx)
		require.NoError(t, err)
		assert.NotEqual(t, oldID, newID, "the restored installation took a new client id")

		other := newDevice(t, "desktop", nil)
		other.login(h.URL, token)
		other.sync()
		assert.Equal(t, "After the restore", other.contact(after.ID).FullName, "the change made after the restore reached the hub")
		n, err := restored.CountContacts(ctx)
		require.NoError(t, err)
		assert.Equal(t, 7, n, "and the restored book caught up with the lost changes")
	})
}

func TestEditMeetsDelete(t *testing.T) {
	hubtest.ForEachBackend(t, func(t *testing.T, backend string) {
		t.Run("restore the edit", func(t *testing.T) {
			_, a, b := pair(t, backend)
			ct := a.addContact("Ole Hansen")
			a.sync()
			b.sync()
			require.NoError(t, a.store.Delete(ctx, localdb.EntityContact, ct.ID))
			b.editContact(ct.ID, func(c *localdb.Contact) { c.Notes = "wants a quote" })
			a.sync()
			b.sync()
			_, err := b.store.GetContact(ctx, ct.ID)
			assert.ErrorIs(t, err, localdb.ErrNotFound, "the delete stands until someone decides")
			cs := openConflicts(t, b)
			require.Len(t, cs, 1)
			cf := cs[0]
			assert.True(t, cf.Deleted)
			assert.False(t, cf.MineDeleted)
			assert.JSONEq(t, `{"notes":"wants a quote"}`, string(cf.Mine))
			assert.JSONEq(t, `null`, string(cf.Theirs))

			require.NoError(t, b.client.Resolve(ctx, cf.ID, client.KeepRestore))
			assert.Equal(t, "wants a quote", b.contact(ct.ID).Notes, "restored here at once")
			b.sync()
			a.sync()
			got := a.contact(ct.ID)
			assert.Equal(t, "Ole Hansen", got.FullName)
			assert.Equal(t, "wants a quote", got.Notes)
			assert.Empty(t, openConflicts(t, a))
		})
		t.Run("the delete wins", func(t *testing.T) {
			_, a, b := pair(t, backend)
			ct := a.addContact("Ole Hansen")
			a.sync()
			b.sync()
			a.editContact(ct.ID, func(c *localdb.Contact) { c.Title = "CFO" })
			require.NoError(t, b.store.Delete(ctx, localdb.EntityContact, ct.ID))
			a.sync()
			b.sync()
			cs := openConflicts(t, b)
			require.Len(t, cs, 1, "the edit the delete covered is kept in a conflict")
			assert.True(t, cs[0].MineDeleted)
			assert.JSONEq(t, `{"title":"CFO"}`, string(cs[0].Theirs))
			require.NoError(t, b.client.Resolve(ctx, cs[0].ID, client.KeepMine))
			b.sync()
			a.sync()
			_, err := a.store.GetContact(ctx, ct.ID)
			assert.ErrorIs(t, err, localdb.ErrNotFound)
			assert.Empty(t, openConflicts(t, a))
		})
	})
}

func TestCrashPoints(t *testing.T) {
	hubtest.ForEachBackend(t, func(t *testing.T, backend string) {
		t.Run("between the hub's commit and its answer", func(t *testing.T) {
			h, a, b := pair(t, backend)
			for i := range 30 {
				a.addContact("Kontakt " + string(rune('A'+i)))
			}
			crash := true
			client.SetCrashHooks(a.client, func() error {
				if crash {
					crash = false
					return errors.New("killed")
				}
				return nil
			}, nil)
			_, err := a.client.Sync(ctx)
			require.Error(t, err)
			assert.Equal(t, 30, a.pending(), "nothing is marked pushed without the hub's answer")
			a.sync()
			assert.Zero(t, a.pending())
			b.sync()
			n, err := b.store.CountContacts(ctx)
			require.NoError(t, err)
			assert.Equal(t, 30, n, "no contact is duplicated, none is lost")
			hdb := openHubDB(t, h)
			assert.Len(t, hdb.changes(t), 30, "the hub applied each change once")
		})
		t.Run("between applying a page and advancing the cursor", func(t *testing.T) {
			_, a, b := pair(t, backend)
			a.sync()
			b.sync()
			for i := range 120 {
				a.addContact("Kontakt " + string(rune('A'+i%26)) + string(rune('a'+i/26)))
			}
			a.sync()
			pages := 0
			client.SetCrashHooks(b.client, nil, func() error {
				pages++
				if pages == 2 {
					return errors.New("killed")
				}
				return nil
			})
			_, err := b.client.Sync(ctx)
			require.Error(t, err)
			n, err := b.store.CountContacts(ctx)
			require.NoError(t, err)
			assert.Equal(t, 50, n, "the first page (and its cursor) committed, the second rolled back")
			b.sync()
			n, err = b.store.CountContacts(ctx)
			require.NoError(t, err)
			assert.Equal(t, 120, n)
			assert.Zero(t, b.pending(), "pulled records are not journaled")
		})
		t.Run("at the end of the first snapshot", func(t *testing.T) {
			_, a, fresh, _ := crashedFirstSnapshot(t, backend)
			assert.NotContains(t, indexNames(t, fresh.store), "contacts_name",
				"the pages stored so far went in without the contacts' indexes")
			res := fresh.sync()
			assert.True(t, res.Resynced, "the snapshot resumes")
			n, err := fresh.store.CountContacts(ctx)
			require.NoError(t, err)
			assert.Equal(t, 100, n)
			assert.Equal(t, indexNames(t, a.store), indexNames(t, fresh.store), "every index is back")
		})
		t.Run("a first snapshot that expires before it ends", func(t *testing.T) {
			h, a, fresh, first := crashedFirstSnapshot(t, backend)
			_, err := fresh.store.GetContact(ctx, first.ID)
			require.NoError(t, err, "the first page is stored")

			require.NoError(t, a.store.Delete(ctx, localdb.EntityContact, first.ID))
			a.sync()
			time.Sleep(5 * time.Millisecond)
			require.Positive(t, h.Prune(time.Now()))
			res := fresh.sync()
			assert.True(t, res.Resynced)
			_, err = fresh.store.GetContact(ctx, first.ID)
			assert.ErrorIs(t, err, localdb.ErrNotFound,
				"the snapshot started again sweeps what the hub deleted meanwhile, though the first began in an empty store")
			n, err := fresh.store.CountContacts(ctx)
			require.NoError(t, err)
			assert.Equal(t, 99, n)
		})
	})
}

// crashedFirstSnapshot: a laptop pushes 100 contacts, and the first sync of
// a new installation is killed in the transaction of its snapshot's last
// page, after the others committed. It returns the hub, the laptop, the new
// installation and the first contact.
func crashedFirstSnapshot(t *testing.T, backend string) (*hubtest.Hub, *device, *device, *localdb.Contact) {
	t.Helper()
	h := hubtest.New(t, hubtest.Options{Backend: backend})
	token := h.AddUser("anna", protocol.RoleRep, "north")
	a := newDevice(t, "laptop", nil)
	a.login(h.URL, token)
	first := a.addContact("Kontakt")
	for range 99 {
		a.addContact("Kontakt")
	}
	a.sync()
	fresh := newDevice(t, "new laptop", nil)
	fresh.login(h.URL, token)
	crash := true
	client.SetCrashHooks(fresh.client, nil, func() error {
		if crash {
			crash = false
			return errors.New("killed")
		}
		return nil
	})
	_, err := fresh.client.Sync(ctx)
	require.Error(t, err)
	return h, a, fresh, first
}

func TestLongOfflineResyncKeepsUnpushedChanges(t *testing.T) {
	hubtest.ForEachBackend(t, func(t *testing.T, backend string) {
		h, a, b := pair(t, backend)
		gone := a.addContact("Gone Soon")
		edited := a.addContact("Edited Offline")
		kept := a.addContact("Kept")
		a.sync()
		b.sync()

		// The laptop stays offline while the desktop deletes and edits, and
		// the hub forgets everything before now.
		a.editContact(edited.ID, func(c *localdb.Contact) { c.Notes = "offline note" })
		offlineNew := a.addContact("Created Offline")
		require.NoError(t, b.store.Delete(ctx, localdb.EntityContact, gone.ID))
		b.editContact(kept.ID, func(c *localdb.Contact) { c.Title = "Chef" })
		b.sync()
		time.Sleep(5 * time.Millisecond)
		require.Positive(t, h.Prune(time.Now()))

		// While the laptop syncs, the rep keeps typing: those changes are
		// not pushed yet when the snapshot replaces the local book.
		var duringSync *localdb.Contact
		client.BeforePull(a.client, func() {
			if duringSync == nil {
				duringSync = &localdb.Contact{FullName: "Typed During Sync"}
				require.NoError(t, a.store.CreateContact(ctx, duringSync))
				a.editContact(kept.ID, func(c *localdb.Contact) { c.Notes = "typed during sync" })
			}
		})
		res := a.sync()
		assert.True(t, res.Resynced, "the expired cursor (410) led to a full re-sync")
		_, err := a.store.GetContact(ctx, gone.ID)
		assert.ErrorIs(t, err, localdb.ErrNotFound, "the record deleted meanwhile is gone")
		assert.Equal(t, "offline note", a.contact(edited.ID).Notes)
		assert.Equal(t, "Created Offline", a.contact(offlineNew.ID).FullName)
		assert.Equal(t, "Typed During Sync", a.contact(duringSync.ID).FullName, "an unpushed create survives the re-sync")
		k := a.contact(kept.ID)
		assert.Equal(t, "Chef", k.Title)
		assert.Equal(t, "typed during sync", k.Notes, "an unpushed edit survives the re-sync")
		assert.Equal(t, 2, a.pending())

		a.sync()
		b.sync()
		assert.Equal(t, "typed during sync", b.contact(kept.ID).Notes)
		assert.Equal(t, "Typed During Sync", b.contact(duringSync.ID).FullName)
		assert.Equal(t, "offline note", b.contact(edited.ID).Notes)
	})
}

func TestOldClientGets426(t *testing.T) {
	h := hubtest.New(t, hubtest.Options{Backend: hubtest.SQLite})
	token := h.AddUser("anna", protocol.RoleRep, "north")
	d := newDevice(t, "old", nil)
	d.login(h.URL, token)
	d.addContact("Jana Berg")
	client.SetProtocolVersion(d.client, 0)
	_, err := d.client.Sync(ctx)
	require.ErrorIs(t, err, client.ErrOutdated)
	assert.Contains(t, err.Error(), "update RepDesk")
	assert.Contains(t, err.Error(), "this hub needs at least 1", "the hub's own words are shown")
	assert.Equal(t, 1, d.pending())
	st := d.client.Status()
	assert.True(t, st.Online, "the hub answered")
	assert.Contains(t, st.LastError, "too old")
}

func TestAuthMatrix(t *testing.T) {
	hubtest.ForEachBackend(t, func(t *testing.T, backend string) {
		h := hubtest.New(t, hubtest.Options{Backend: backend})
		anna := h.AddUser("anna", protocol.RoleRep, "north")
		ben := h.AddUser("ben", protocol.RoleRep, "north")
		d := newDevice(t, "laptop", nil)
		d.addContact("Jana Berg")

		_, err := d.client.Sync(ctx)
		assert.ErrorIs(t, err, client.ErrNotConfigured, "no server yet")

		err = d.client.Login(ctx, h.URL, "rdh_wrong")
		require.ErrorIs(t, err, client.ErrUnauthorized)
		assert.Contains(t, err.Error(), "unknown token")
		_, err = os.Stat(client.TokenFile(d.dir))
		assert.ErrorIs(t, err, os.ErrNotExist, "a refused token is not kept")

		d.login(h.URL, anna)
		d.sync()
		d.addContact("Ole Hansen")

		// The token file no longer matches a user.
		require.NoError(t, client.SaveToken(d.dir, "rdh_wrong"))
		_, err = d.client.Sync(ctx)
		require.ErrorIs(t, err, client.ErrUnauthorized)
		assert.NotContains(t, err.Error(), "rdh_wrong", "tokens never appear in errors")

		// Another user's token on this installation: the hub refuses the
		// client id, which belongs to anna.
		require.NoError(t, client.SaveToken(d.dir, ben))
		_, err = d.client.Sync(ctx)
		require.ErrorIs(t, err, client.ErrForbidden)

		require.NoError(t, client.SaveToken(d.dir, anna))
		h.Revoke("anna")
		_, err = d.client.Sync(ctx)
		require.ErrorIs(t, err, client.ErrUnauthorized)
		assert.Contains(t, err.Error(), "token revoked")
		assert.Equal(t, 1, d.pending(), "nothing is lost while the hub refuses")

		// Ben logs in on this machine: a new start, the change still goes.
		d.login(h.URL, ben)
		d.sync()
		assert.Zero(t, d.pending())
		other := newDevice(t, "ben's desktop", nil)
		other.login(h.URL, ben)
		other.sync()
		n, err := other.store.CountContacts(ctx)
		require.NoError(t, err)
		assert.Equal(t, 2, n, "ben sees both contacts of his territory, the one made before he logged in too")
		var owner string
		require.NoError(t, other.store.DB().QueryRow(`SELECT owner FROM contacts WHERE full_name = 'Ole Hansen'`).Scan(&owner))
		assert.Equal(t, "ben", owner, "the change made while anna's token was refused went as ben's")
	})
}

func TestTokenFileIsPrivate(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, client.SaveToken(dir, "rdh_secret\n"))
	st, err := os.Stat(client.TokenFile(dir))
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), st.Mode().Perm())
	require.NoError(t, os.Chmod(client.TokenFile(dir), 0o644))
	tok, err := client.LoadToken(dir)
	require.NoError(t, err)
	assert.Equal(t, "rdh_secret", tok)
	st, err = os.Stat(client.TokenFile(dir))
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), st.Mode().Perm(), "a token readable by others is made private again")
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Len(t, entries, 1, "no temporary file is left behind")
	_, err = client.LoadToken(filepath.Join(dir, "missing"))
	assert.ErrorIs(t, err, client.ErrNotConfigured)
}

func TestUnreachableKeepsChanges(t *testing.T) {
	h := hubtest.New(t, hubtest.Options{Backend: hubtest.SQLite})
	token := h.AddUser("anna", protocol.RoleRep, "north")
	proxy, err := faultproxy.New(h.URL, 1)
	require.NoError(t, err)
	t.Cleanup(proxy.Close)
	d := newDevice(t, "laptop", nil)
	d.login(proxy.URL, token)
	d.addContact("Jana Berg")

	proxy.SetRates(faultproxy.Rates{faultproxy.DropRequest: 1})
	_, err = d.client.Sync(ctx)
	require.ErrorIs(t, err, client.ErrUnreachable)
	assert.Equal(t, 1, d.pending())
	st := d.client.Status()
	assert.False(t, st.Online)
	assert.Equal(t, 1, st.Pending)
	assert.Contains(t, st.LastError, "cannot be reached")
	runs, err := d.client.Runs(ctx, 10)
	require.NoError(t, err)
	require.Len(t, runs, 1)
	assert.Contains(t, runs[0].Error, "cannot be reached")

	proxy.SetRates(nil)
	res := d.sync()
	assert.Equal(t, 1, res.Pushed)
	assert.True(t, d.client.Status().Online)
}

// flakyHub answers a scripted sequence of statuses on /v1/me and counts
// requests.
type flakyHub struct {
	srv      *httptest.Server
	requests atomic.Int32
	mu       sync.Mutex
	script   []func(w http.ResponseWriter)
}

func newFlakyHub(t *testing.T, script ...func(w http.ResponseWriter)) *flakyHub {
	f := &flakyHub{script: script}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.requests.Add(1)
		f.mu.Lock()
		step := func(w http.ResponseWriter) {
			w.Header().Set("Content-Type", "application/json")
			_ = json.NewEncoder(w).Encode(protocol.Me{User: "anna", Role: protocol.RoleRep})
		}
		if len(f.script) > 0 {
			step, f.script = f.script[0], f.script[1:]
		}
		f.mu.Unlock()
		step(w)
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func status(code int, header ...string) func(w http.ResponseWriter) {
	return func(w http.ResponseWriter) {
		for i := 0; i+1 < len(header); i += 2 {
			w.Header().Set(header[i], header[i+1])
		}
		w.WriteHeader(code)
		_, _ = w.Write([]byte(`{"error":"scripted"}`))
	}
}

func hangUp(w http.ResponseWriter) { panic(http.ErrAbortHandler) }

func TestRetryPolicy(t *testing.T) {
	opts := func(o *client.Options) {
		o.Retries = 3
		o.RetryWait = time.Millisecond
		o.RetryMaxWait = 3 * time.Second
	}
	for _, tc := range []struct {
		name     string
		script   []func(http.ResponseWriter)
		requests int32
		err      error // nil: success
	}{
		{"a 4xx is never retried", []func(http.ResponseWriter){status(400)}, 1, nil},
		{"404 neither", []func(http.ResponseWriter){status(404)}, 1, nil},
		{"5xx is retried", []func(http.ResponseWriter){status(500), status(502)}, 3, nil},
		{"dropped connections are retried", []func(http.ResponseWriter){hangUp, hangUp}, 3, nil},
		{"retries end", []func(http.ResponseWriter){status(503), status(503), status(503), status(503)}, 4, client.ErrUnreachable},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFlakyHub(t, tc.script...)
			d := newDevice(t, "laptop", opts)
			err := d.client.Login(ctx, f.srv.URL, "rdh_token")
			assert.Equal(t, tc.requests, f.requests.Load())
			switch {
			case tc.err != nil:
				assert.ErrorIs(t, err, tc.err)
			case tc.requests == 1:
				var he *client.HubError
				require.ErrorAs(t, err, &he)
				assert.Equal(t, "scripted", he.Message)
			default:
				assert.NoError(t, err)
			}
		})
	}
	t.Run("429 waits as long as Retry-After says", func(t *testing.T) {
		f := newFlakyHub(t, status(429, "Retry-After", "1"))
		d := newDevice(t, "laptop", opts)
		start := time.Now()
		require.NoError(t, d.client.Login(ctx, f.srv.URL, "rdh_token"))
		assert.GreaterOrEqual(t, time.Since(start), 900*time.Millisecond)
		assert.Equal(t, int32(2), f.requests.Load())
	})
	t.Run("cancellation stops retries at once", func(t *testing.T) {
		f := newFlakyHub(t, status(503, "Retry-After", "30"), status(503))
		d := newDevice(t, "laptop", func(o *client.Options) { o.Retries = 5; o.RetryMaxWait = time.Minute })
		cctx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
		defer cancel()
		start := time.Now()
		err := d.client.Login(cctx, f.srv.URL, "rdh_token")
		assert.ErrorIs(t, err, context.DeadlineExceeded)
		assert.Less(t, time.Since(start), 2*time.Second)
	})
}

func TestScopeRemoveDropsRecordsWithoutJournal(t *testing.T) {
	hubtest.ForEachBackend(t, func(t *testing.T, backend string) {
		h := hubtest.New(t, hubtest.Options{Backend: backend})
		north := newDevice(t, "north rep", nil)
		north.login(h.URL, h.AddUser("nina", protocol.RoleRep, "north"))
		south := newDevice(t, "south rep", nil)
		south.login(h.URL, h.AddUser("sven", protocol.RoleRep, "south"))
		boss := newDevice(t, "manager", nil)
		boss.login(h.URL, h.AddUser("maria", protocol.RoleManager))

		// The manager's records belong to the territory, not to a rep: when
		// they move, reps of the old territory lose them.
		co := &localdb.Company{Name: "Acme", Territory: "north"}
		require.NoError(t, boss.store.Create(ctx, co))
		ct := &localdb.Contact{FullName: "Jana Berg", CompanyID: co.ID}
		require.NoError(t, boss.store.CreateContact(ctx, ct))
		boss.sync()
		north.sync()
		assert.Equal(t, "Jana Berg", north.contact(ct.ID).FullName)
		got, err := boss.store.GetCompany(ctx, co.ID)
		require.NoError(t, err)

		got.Territory = "south"
		require.NoError(t, boss.store.Save(ctx, got))
		boss.sync()
		north.sync()
		_, err = north.store.GetCompany(ctx, co.ID)
		assert.ErrorIs(t, err, localdb.ErrNotFound, "the company left the rep's scope")
		_, err = north.store.GetContact(ctx, ct.ID)
		assert.ErrorIs(t, err, localdb.ErrNotFound, "and its contact with it")
		assert.Zero(t, north.pending(), "a remove is not a local change")
		south.sync()
		assert.Equal(t, "Jana Berg", south.contact(ct.ID).FullName)
		hits, err := north.store.Search(ctx, "Berg", localdb.SearchOptions{})
		require.NoError(t, err)
		assert.Empty(t, hits, "removed records leave search too")
	})
}

func TestNewerClientsFieldsAndEntitiesAreIgnored(t *testing.T) {
	h := hubtest.New(t, hubtest.Options{Backend: hubtest.SQLite})
	token := h.AddUser("anna", protocol.RoleRep, "north")
	newer := h.Client(token)
	id, other := hubtest.NewID(), hubtest.NewID()
	_, err := newer.Push(ctx,
		newer.Create("contact", id, map[string]any{"full_name": "Jana Berg", "favourite_colour": "teal", "title": "CFO"}),
		newer.Create("lead_score", other, map[string]any{"score": 97}))
	require.NoError(t, err)

	d := newDevice(t, "laptop", nil)
	d.login(h.URL, token)
	d.sync()
	got := d.contact(id)
	assert.Equal(t, "CFO", got.Title)
	d.editContact(id, func(c *localdb.Contact) { c.Title = "CEO" })
	d.sync()
	_, err = newer.Sync(ctx, 0)
	require.NoError(t, err)
	assert.Equal(t, "teal", newer.Value("contact", id, "favourite_colour"), "a field this build does not know survives its edits")
	assert.Equal(t, "CEO", newer.Value("contact", id, "title"))
}

func TestRejectedChangesAreKeptWithTheirReason(t *testing.T) {
	tests := []struct {
		name       string
		answerLost bool
		more       int // contacts added after the refused change
	}{
		{"answer arrives", false, 0},
		{"answer lost", true, 0},
		// The test devices push 25 changes per batch: the second batch is
		// on its way when the answer to the first is lost.
		{"answer lost while the next batch is sent", true, 30},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			answerLost := tc.answerLost
			h := hubtest.New(t, hubtest.Options{Backend: hubtest.SQLite, Server: hub.Options{MaxValueBytes: 64}})
			token := h.AddUser("anna", protocol.RoleRep, "north")
			d := newDevice(t, "laptop", nil)
			d.login(h.URL, token)
			ok := d.addContact("Jana Berg")
			tooBig := d.addContact("Ole Hansen")
			d.editContact(tooBig.ID, func(c *localdb.Contact) { c.Notes = strings.Repeat("long note ", 20) })
			for i := range tc.more {
				d.addContact(fmt.Sprintf("Kontakt %d", i))
			}
			if answerLost {
				// The hub commits the push, the answer never arrives; the
				// retry is a duplicate that must still say why.
				lose := true
				client.SetCrashHooks(d.client, func() error {
					if lose {
						lose = false
						return errors.New("connection reset")
					}
					return nil
				}, nil)
				_, err := d.client.Sync(ctx)
				require.Error(t, err)
			}
			res := d.sync()
			assert.Equal(t, 3+tc.more, res.Pushed, "a refused change counts as processed")
			assert.Equal(t, 1, res.Rejected)
			assert.Zero(t, res.Pending, "a refused change does not block the journal")
			rejected, err := d.client.Rejected(ctx)
			require.NoError(t, err)
			require.Len(t, rejected, 1)
			assert.Equal(t, tooBig.ID, rejected[0].RecordID)
			assert.Equal(t, []string{"notes"}, rejected[0].Fields)
			assert.Contains(t, rejected[0].Reason, "exceeds the limit of 64")
			assert.Equal(t, 1, d.client.Status().Rejected)
			assert.Equal(t, "Jana Berg", d.contact(ok.ID).FullName)
		})
	}
}

// A tag removed on one machine and a tag added on another both stand, on
// both machines, also when the answer to a push was lost.
func TestTagRemovalSurvivesAnotherAddition(t *testing.T) {
	for _, answerLost := range []bool{false, true} {
		t.Run(fmt.Sprintf("answer lost=%v", answerLost), func(t *testing.T) {
			_, a, b := pair(t, hubtest.SQLite)
			ct := &localdb.Contact{FullName: "Jana Berg", Tags: []string{"x"}}
			require.NoError(t, a.store.CreateContact(ctx, ct))
			a.sync()
			b.sync()
			a.editContact(ct.ID, func(c *localdb.Contact) { c.Tags = nil })
			b.editContact(ct.ID, func(c *localdb.Contact) { c.Tags = []string{"x", "y"} })
			a.sync()
			if answerLost {
				lose := true
				client.SetCrashHooks(b.client, func() error {
					if lose {
						lose = false
						return errors.New("connection reset")
					}
					return nil
				}, nil)
				_, err := b.client.Sync(ctx)
				require.Error(t, err)
			}
			res := b.sync()
			assert.Zero(t, res.Conflicts, "tags merge, they do not conflict")
			a.sync()
			assert.Equal(t, []string{"y"}, b.contact(ct.ID).Tags, "b learns the merged set from its push's answer")
			assert.Equal(t, []string{"y"}, a.contact(ct.ID).Tags)

			// b's base is now the merged set: removing y is not undone.
			b.editContact(ct.ID, func(c *localdb.Contact) { c.Tags = nil })
			b.sync()
			a.sync()
			assert.Empty(t, a.contact(ct.ID).Tags)
		})
	}
}

func TestClockSkewChangesNothing(t *testing.T) {
	h := hubtest.New(t, hubtest.Options{Backend: hubtest.SQLite})
	token := h.AddUser("anna", protocol.RoleRep, "north")
	ahead := newDevice(t, "clock a day ahead", nil, localdb.WithClock(func() time.Time { return time.Now().Add(24 * time.Hour) }))
	behind := newDevice(t, "clock a day behind", nil, localdb.WithClock(func() time.Time { return time.Now().Add(-24 * time.Hour) }))
	ahead.login(h.URL, token)
	behind.login(h.URL, token)

	ct := ahead.addContact("Jana Berg")
	ahead.sync()
	behind.sync()
	// The later edit wins although its clock says it is two days older.
	behind.editContact(ct.ID, func(c *localdb.Contact) { c.Title = "CFO" })
	behind.sync()
	ahead.sync()
	assert.Equal(t, "CFO", ahead.contact(ct.ID).Title)

	// Concurrent edits conflict whatever the clocks say.
	ahead.editContact(ct.ID, func(c *localdb.Contact) { c.Notes = "from the future" })
	behind.editContact(ct.ID, func(c *localdb.Contact) { c.Notes = "from the past" })
	behind.sync()
	res := ahead.sync()
	assert.Equal(t, 1, res.Conflicts)
	assert.Equal(t, "from the past", ahead.contact(ct.ID).Notes, "the first to reach the hub stands")
}

func TestFirstSyncSearchIndex(t *testing.T) {
	h := hubtest.New(t, hubtest.Options{Backend: hubtest.SQLite})
	token := h.AddUser("anna", protocol.RoleRep, "north")
	a := newDevice(t, "laptop", nil)
	a.login(h.URL, token)
	co := &localdb.Company{Name: "Zyklop Werke"}
	require.NoError(t, a.store.Create(ctx, co))
	for i := range 150 {
		ct := &localdb.Contact{FullName: "Kontakt " + strings.Repeat("x", i%7+1), CompanyID: co.ID}
		require.NoError(t, a.store.CreateContact(ctx, ct))
	}
	a.sync()
	search := func(d *device, q string) int {
		hits, err := d.store.Search(ctx, q, localdb.SearchOptions{Limit: 1000})
		require.NoError(t, err)
		return len(hits)
	}

	// Without background indexing, Sync returns with search complete.
	now := newDevice(t, "desktop", nil)
	now.login(h.URL, token)
	now.sync()
	assert.Equal(t, 151, search(now, "Zyklop"), "every contact is found by its company's name, and the company")

	// With it, the records are there at once and search follows.
	later := newDevice(t, "tablet", func(o *client.Options) { o.BackgroundIndex = true })
	later.login(h.URL, token)
	later.sync()
	n, err := later.store.CountContacts(ctx)
	require.NoError(t, err)
	assert.Equal(t, 150, n)
	waiting, err := later.store.UnindexedCount(ctx)
	require.NoError(t, err)
	assert.Equal(t, 151, waiting)
	assert.Less(t, search(later, "Zyklop"), 151)

	// Interrupted after a part, the index resumes where it stopped.
	indexed, more, err := later.store.IndexPending(ctx, 100)
	require.NoError(t, err)
	assert.Equal(t, 100, indexed)
	assert.True(t, more)
	waiting, err = later.store.UnindexedCount(ctx)
	require.NoError(t, err)
	assert.Equal(t, 51, waiting)
	later.editContact(later.contact(firstContact(t, later)).ID, func(c *localdb.Contact) { c.Title = "Einkauf" })
	require.NoError(t, later.client.IndexPending(ctx))
	waiting, err = later.store.UnindexedCount(ctx)
	require.NoError(t, err)
	assert.Zero(t, waiting)
	assert.Equal(t, 151, search(later, "Zyklop"))
	assert.Equal(t, 1, search(later, "Einkauf"))
}

func firstContact(t *testing.T, d *device) string {
	t.Helper()
	var id string
	require.NoError(t, d.store.DB().QueryRow(`SELECT id FROM contacts ORDER BY rid DESC LIMIT 1`).Scan(&id))
	return id
}
