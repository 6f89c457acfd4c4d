package hub_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"repdesk/sync/hub"
	"repdesk/sync/hub/hubtest"
	"repdesk/sync/protocol"
)

func TestMigrationsAreRecordedOnce(t *testing.T) {
	hubtest.ForEachBackend(t, func(t *testing.T, backend string) {
		h := newHub(t, backend)
		token := h.AddUser("ann", protocol.RoleRep)
		// Opening the same database again (a second hub, a CLI command)
		// applies nothing twice and keeps the data.
		again, err := hub.Open(context.Background(), h.DSN)
		require.NoError(t, err)
		defer again.Close()
		u, err := again.Authenticate(context.Background(), token)
		require.NoError(t, err)
		assert.Equal(t, "ann", u.Name)

		driver := "sqlite"
		if backend == hubtest.Postgres {
			driver = "pgx"
		}
		raw, err := sql.Open(driver, h.DSN)
		require.NoError(t, err)
		defer raw.Close()
		var n int
		var first, last string
		require.NoError(t, raw.QueryRow(`SELECT COUNT(*), MIN(name), MAX(name) FROM hub_migrations`).Scan(&n, &first, &last))
		assert.Equal(t, 3, n)
		assert.Equal(t, "0001_init.sql", first)
		assert.Equal(t, "0003_assignee.sql", last)
	})
}

func TestOpenErrors(t *testing.T) {
	_, err := hub.Open(context.Background(), "")
	assert.ErrorContains(t, err, "no database given")
	_, err = hub.Open(context.Background(), filepath.Join(t.TempDir(), "missing-dir", "hub.db"))
	assert.ErrorContains(t, err, "open hub database")
}

// A push's commit leaves copying the WAL into the database file to the
// hub's checkpointer, which does it soon after: the WAL must not keep
// growing until SQLite's autocheckpoint (raised to ~40 MB) does it.
func TestSQLiteWALIsCheckpointedAfterPushes(t *testing.T) {
	h := newHub(t, hubtest.SQLite)
	c := hubtest.NewClient(h.URL, h.AddUser("ann", protocol.RoleRep))
	before, err := os.Stat(h.DSN)
	require.NoError(t, err)
	var ms []protocol.Mutation
	for i := range 2000 {
		ms = append(ms, c.Create("contact", hubtest.NewID(), map[string]any{
			"full_name": fmt.Sprintf("Contact %d", i), "notes": strings.Repeat("n", 500)}))
	}
	push(t, c, ms...)
	assert.Eventually(t, func() bool {
		st, err := os.Stat(h.DSN)
		return err == nil && st.Size() > before.Size()+1<<20
	}, 10*time.Second, 50*time.Millisecond, "the pushed records never reached the database file")
}
