package hub_test

import (
	"database/sql"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"repdesk/localdb"
	"repdesk/sync/client"
	"repdesk/sync/hub"
	"repdesk/sync/hub/hubtest"
	"repdesk/sync/protocol"
)

// rep is one installation of the app syncing with a hub.
type rep struct {
	t     *testing.T
	store *localdb.Store
	sc    *client.Client
}

func newRep(t *testing.T, server, token string) *rep {
	t.Helper()
	dir := t.TempDir()
	s, err := localdb.Open(filepath.Join(dir, "repdesk.db"))
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	sc := client.New(s, client.Options{DataDir: dir, Retries: -1, Timeout: 20 * time.Second})
	require.NoError(t, sc.Login(ctx, server, token))
	return &rep{t: t, store: s, sc: sc}
}

func (r *rep) sync() client.Result {
	r.t.Helper()
	res, err := r.sc.Sync(ctx)
	require.NoError(r.t, err)
	return res
}

func (r *rep) add(name string) *localdb.Contact {
	r.t.Helper()
	c := &localdb.Contact{FullName: name}
	require.NoError(r.t, r.store.Create(ctx, c))
	return c
}

func (r *rep) rename(id, name string) {
	r.t.Helper()
	c, err := r.store.GetContact(ctx, id)
	require.NoError(r.t, err)
	c.FullName = name
	require.NoError(r.t, r.store.Save(ctx, c))
}

func (r *rep) name(id string) string {
	r.t.Helper()
	c, err := r.store.GetContact(ctx, id)
	require.NoError(r.t, err)
	return c.FullName
}

// moveTo points the rep at another hub address without signing in again:
// the admin moved the hub, the URL followed (DNS), cursors and tokens stay.
func (r *rep) moveTo(url string) {
	r.t.Helper()
	require.NoError(r.t, r.store.SetSyncValue(ctx, localdb.SyncServer, url))
}

func TestMigrateSQLiteToPostgres(t *testing.T) {
	if os.Getenv(hubtest.EnvPostgres) == "" {
		t.Skipf("PostgreSQL part skipped: set %s to run it", hubtest.EnvPostgres)
	}
	old := hubtest.New(t, hubtest.Options{Backend: hubtest.SQLite})
	annaToken := old.AddUser("anna", protocol.RoleRep, "north")
	bertToken := old.AddUser("bert", protocol.RoleManager)
	anna, bert := newRep(t, old.URL, annaToken), newRep(t, old.URL, bertToken)
	shared := anna.add("Jana Berg")
	for _, n := range []string{"Kai Ost", "Lea West", "Mia Nord"} {
		anna.add(n)
	}
	anna.sync()
	bert.sync()
	// A conflict, so that the conflict table has a row to carry.
	anna.rename(shared.ID, "Jana Berg-Anna")
	bert.rename(shared.ID, "Jana Berg-Bert")
	anna.sync()
	require.Equal(t, 1, bert.sync().Conflicts)
	anna.sync()
	old.Close() // the admin stops the hub before migrating

	pg := hubtest.New(t, hubtest.Options{Backend: hubtest.Postgres}) // a fresh, empty schema
	var seen []string
	counts, err := hub.Migrate(ctx, old.DSN, pg.DSN, func(tc hub.TableCount) { seen = append(seen, tc.Table) })
	require.NoError(t, err)
	assert.Equal(t, "hub_users", seen[0], "users before the clients that refer to them")
	src, err := sql.Open("sqlite", old.DSN)
	require.NoError(t, err)
	defer src.Close()
	byTable := map[string]int64{}
	for _, tc := range counts {
		byTable[tc.Table] = tc.Rows
		var want int64
		require.NoError(t, src.QueryRow(`SELECT COUNT(*) FROM `+tc.Table).Scan(&want))
		assert.Equal(t, want, tc.Rows, tc.Table)
	}
	for _, table := range []string{"hub_users", "hub_clients", "hub_counter", "hub_records", "hub_changes", "hub_conflicts"} {
		assert.Positive(t, byTable[table], "%s was copied", table)
	}
	pg.Restart() // the new hub starts on the migrated database

	// Clients go on with their cursors, tokens and mutation numbers: an
	// incremental pull, no snapshot.
	anna.moveTo(pg.URL)
	bert.moveTo(pg.URL)
	anna.rename(shared.ID, "Jana Berg")
	res := anna.sync()
	assert.Equal(t, 1, res.Pushed)
	assert.False(t, res.Resynced, "anna's cursor is valid on the migrated hub")
	res = bert.sync()
	assert.False(t, res.Resynced, "bert's cursor is valid on the migrated hub")
	assert.Equal(t, "Jana Berg", bert.name(shared.ID))
	conflicts, err := bert.sc.Conflicts(ctx)
	require.NoError(t, err)
	assert.Len(t, conflicts, 1, "the open conflict came along")

	// A user added after the migration gets a new id and a working token.
	cara := newRep(t, pg.URL, pg.AddUser("cara", protocol.RoleManager))
	assert.Equal(t, 4, cara.sync().Pulled)
	users, err := pg.DB().Users(ctx)
	require.NoError(t, err)
	assert.Len(t, users, 3)

	_, err = hub.Migrate(ctx, old.DSN, pg.DSN, nil)
	assert.ErrorContains(t, err, "the target database is not empty")
}

func TestMigrateRefuses(t *testing.T) {
	dir := t.TempDir()
	notHub := filepath.Join(dir, "notes.txt")
	require.NoError(t, os.WriteFile(notHub, []byte("hello"), 0o600))
	for _, tc := range []struct{ from, to, want string }{
		{filepath.Join(dir, "missing.db"), "postgres://x/y", "does not exist"},
		{notHub, "postgres://x/y", "not a RepDesk hub database"},
		{"postgres://a/b", "postgres://x/y", "--from must be a SQLite"},
		{notHub, filepath.Join(dir, "other.db"), "--to must be a postgres:// URL"},
	} {
		_, err := hub.Migrate(ctx, tc.from, tc.to, nil)
		assert.ErrorContains(t, err, tc.want)
	}
}

func TestHubBackupWhileServing(t *testing.T) {
	h := hubtest.New(t, hubtest.Options{Backend: hubtest.SQLite})
	anna := newRep(t, h.URL, h.AddUser("anna", protocol.RoleRep))
	for range 20 {
		anna.add("Before Backup")
	}
	anna.sync()

	// Pushes keep coming while the backup runs.
	var stop atomic.Bool
	done := make(chan struct{})
	go func() {
		defer close(done)
		for !stop.Load() {
			anna.add("During Backup")
			if _, err := anna.sc.Sync(ctx); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	out := filepath.Join(t.TempDir(), "hub-backup.db")
	require.NoError(t, hub.Backup(ctx, h.DSN, out))
	stop.Store(true)
	<-done

	st, err := os.Stat(out)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), st.Mode().Perm(), "the backup holds token hashes: owner only")
	b, err := sql.Open("sqlite", out)
	require.NoError(t, err)
	defer b.Close()
	var verdict string
	require.NoError(t, b.QueryRow(`PRAGMA integrity_check`).Scan(&verdict))
	assert.Equal(t, "ok", verdict)
	var seq, maxChange, records int64
	require.NoError(t, b.QueryRow(`SELECT seq FROM hub_counter`).Scan(&seq))
	require.NoError(t, b.QueryRow(`SELECT COALESCE(MAX(seq), 0) FROM hub_changes`).Scan(&maxChange))
	require.NoError(t, b.QueryRow(`SELECT COUNT(*) FROM hub_records`).Scan(&records))
	assert.Equal(t, seq, maxChange, "the counter and the change log agree: one snapshot")
	assert.GreaterOrEqual(t, records, int64(20))

	assert.ErrorContains(t, hub.Backup(ctx, h.DSN, out), "exists already")
	assert.ErrorContains(t, hub.Backup(ctx, "postgres://x/y", out+"2"), "pg_dump")
}

func TestHubRestore(t *testing.T) {
	h := hubtest.New(t, hubtest.Options{Backend: hubtest.SQLite})
	annaToken := h.AddUser("anna", protocol.RoleRep)
	anna := newRep(t, h.URL, annaToken)
	kept := anna.add("Kept In Backup")
	anna.sync()
	backup := filepath.Join(t.TempDir(), "monday.db")
	require.NoError(t, hub.Backup(ctx, h.DSN, backup))
	lost := anna.add("After Backup")
	anna.sync()

	_, err := hub.Restore(ctx, h.DSN, backup)
	require.ErrorIs(t, err, hub.ErrHubInUse, "never under a running hub")

	notHub := filepath.Join(t.TempDir(), "x.db")
	require.NoError(t, os.WriteFile(notHub, []byte("SQLite format 3\x00 but not really"), 0o600))
	_, err = hub.Restore(ctx, h.DSN, notHub)
	require.Error(t, err)
	newer := filepath.Join(t.TempDir(), "newer.db")
	require.NoError(t, hub.Backup(ctx, h.DSN, newer))
	nb, err := sql.Open("sqlite", newer)
	require.NoError(t, err)
	_, err = nb.Exec(`INSERT INTO hub_migrations (version, name, applied_at) VALUES (9999, 'x', '')`)
	require.NoError(t, err)
	require.NoError(t, nb.Close())

	h.Close()
	_, err = hub.Restore(ctx, h.DSN, newer)
	require.ErrorIs(t, err, hub.ErrNewerHubSchema)
	res, err := hub.Restore(ctx, h.DSN, backup)
	require.NoError(t, err)
	require.FileExists(t, res.Previous)
	assert.Greater(t, res.Horizon, res.Seq)
	// The hub starts again on the restored database.
	db, err := hub.Open(ctx, h.DSN)
	require.NoError(t, err)
	defer db.Close()
	srv := httptest.NewServer(hub.NewServer(db, hub.Options{}))
	defer srv.Close()
	anna.moveTo(srv.URL)

	// Anna's cursor is past the restored hub: she re-syncs from a snapshot
	// and pushes again what she still has; nothing is skipped.
	sync := anna.sync()
	assert.True(t, sync.Resynced)
	assert.Equal(t, "Kept In Backup", anna.name(kept.ID))
	bert := newRep(t, srv.URL, annaToken)
	bert.sync()
	_, err = bert.store.GetContact(ctx, kept.ID)
	assert.NoError(t, err)
	_, err = bert.store.GetContact(ctx, lost.ID)
	assert.ErrorIs(t, err, localdb.ErrNotFound, "what the hub got after the backup is gone from it (documented)")
}
