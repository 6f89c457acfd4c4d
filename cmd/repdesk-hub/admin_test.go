package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"repdesk/sync/hub"
	"repdesk/sync/hub/hubtest"
	"repdesk/sync/protocol"
)

func TestBackupRestoreCommands(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "hub.db")
	code, _, stderr := runCLI(t, "users", "add", "--db", db, "--name", "ann", "--role", "rep")
	require.Equal(t, 0, code, stderr)
	backup := filepath.Join(dir, "hub-monday.db")

	code, out, stderr := runCLI(t, "backup", "--db", db, "--out", backup)
	require.Equal(t, 0, code, stderr)
	assert.Equal(t, "Backed up "+db+" to "+backup+".\n", out)
	code, _, stderr = runCLI(t, "backup", "--db", db, "--out", backup)
	assert.Equal(t, 1, code)
	assert.Contains(t, stderr, "exists already")
	code, _, _ = runCLI(t, "backup", "--db", db)
	assert.Equal(t, 2, code)
	code, _, stderr = runCLI(t, "backup", "--db", "postgres://h/db", "--out", filepath.Join(dir, "pg.db"))
	assert.Equal(t, 1, code)
	assert.Contains(t, stderr, "pg_dump")

	code, _, stderr = runCLI(t, "users", "add", "--db", db, "--name", "bob", "--role", "rep")
	require.Equal(t, 0, code, stderr)
	code, out, stderr = runCLI(t, "restore", "--db", db, backup, "--json")
	require.Equal(t, 0, code, stderr)
	var res hub.RestoreResult
	require.NoError(t, json.Unmarshal([]byte(out), &res))
	assert.True(t, strings.HasPrefix(res.Previous, db+"."), res.Previous)
	_, err := os.Stat(res.Previous)
	require.NoError(t, err)
	code, out, _ = runCLI(t, "users", "list", "--db", db)
	require.Equal(t, 0, code)
	assert.Contains(t, out, "ann")
	assert.NotContains(t, out, "bob", "the backup is from before bob")

	notHub := filepath.Join(dir, "notes.txt")
	require.NoError(t, os.WriteFile(notHub, []byte("hello"), 0o600))
	code, _, stderr = runCLI(t, "restore", "--db", db, notHub)
	assert.Equal(t, 1, code)
	assert.Contains(t, stderr, "not a RepDesk hub database")
	code, _, _ = runCLI(t, "restore", "--db", db)
	assert.Equal(t, 2, code)
}

func TestMigrateCommandUsage(t *testing.T) {
	for _, args := range [][]string{
		{"migrate"},
		{"migrate", "--from", "hub.db"},
		{"migrate", "--from", "hub.db", "--to", "other.db"},
		{"migrate", "--from", "hub.db", "--to", "postgres://x/y", "extra"},
	} {
		code, _, stderr := runCLI(t, args...)
		assert.Equal(t, 2, code, "%v: %s", args, stderr)
	}
}

func TestMigrateCommand(t *testing.T) {
	if os.Getenv(hubtest.EnvPostgres) == "" {
		t.Skipf("set %s to run the PostgreSQL part", hubtest.EnvPostgres)
	}
	db := filepath.Join(t.TempDir(), "hub.db")
	code, token, stderr := runCLI(t, "users", "add", "--db", db, "--name", "ann", "--role", "rep")
	require.Equal(t, 0, code, stderr)
	pg := hubtest.New(t, hubtest.Options{Backend: hubtest.Postgres})
	code, out, stderr := runCLI(t, "migrate", "--from", db, "--to", pg.DSN)
	require.Equal(t, 0, code, stderr)
	assert.Regexp(t, `hub_users\s+1 rows`, out)
	pg.Restart()
	c := hubtest.NewClient(pg.URL, strings.TrimSpace(token))
	var me protocol.Me
	require.NoError(t, c.Do(t.Context(), "GET", protocol.PathMe, nil, &me), "the token works on the migrated hub")
	assert.Equal(t, "ann", me.User)
}
