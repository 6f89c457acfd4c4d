package hub_test

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"repdesk/sync/hub"
	"repdesk/sync/hub/hubtest"
	"repdesk/sync/protocol"
)

// hub100k is a stopped SQLite hub holding 100,000 contacts pushed by one
// rep (and their change log).
func hub100k(b *testing.B) string {
	b.Helper()
	h := hubtest.New(b, hubtest.Options{Backend: hubtest.SQLite})
	c := h.Client(h.AddUser("ann", protocol.RoleRep, "north"))
	for i := range 10 {
		_, err := c.Push(ctx, contactBatch(c, 10000, i*10000)...)
		require.NoError(b, err)
	}
	h.Close()
	return h.DSN
}

// BenchmarkHubBackup100k backs up a SQLite hub of 100,000 contacts.
func BenchmarkHubBackup100k(b *testing.B) {
	src := hub100k(b)
	dir := b.TempDir()
	i := 0
	for b.Loop() {
		out := filepath.Join(dir, fmt.Sprintf("backup-%d.db", i))
		require.NoError(b, hub.Backup(ctx, src, out))
		b.StopTimer()
		os.Remove(out)
		i++
		b.StartTimer()
	}
}

// BenchmarkMigrate100k copies a SQLite hub of 100,000 contacts (200,000
// rows with the change log) into a fresh PostgreSQL schema.
func BenchmarkMigrate100k(b *testing.B) {
	if os.Getenv(hubtest.EnvPostgres) == "" {
		b.Skipf("set %s to run it", hubtest.EnvPostgres)
	}
	src := hub100k(b)
	for b.Loop() {
		b.StopTimer()
		pg := hubtest.New(b, hubtest.Options{Backend: hubtest.Postgres})
		pg.Close()
		b.StartTimer()
		_, err := hub.Migrate(ctx, src, pg.DSN, nil)
		require.NoError(b, err)
	}
}
