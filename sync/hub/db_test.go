package hub_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"

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
