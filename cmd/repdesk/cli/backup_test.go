package cli

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestBackupAndRestore(t *testing.T) {
	r := newRD(t)
	first := r.ok("contacts", "add", "--name", "Anna Backup")
	backup := filepath.Join(t.TempDir(), "monday.db")

	var b map[string]any
	r.json(&b, "backup", "--out", backup)
	assert.Equal(t, backup, b["file"])
	assert.Equal(t, 1.0, b["pending"])
	assert.Greater(t, b["bytes"], 0.0)
	res := r.run("backup", "--out", backup)
	assert.Equal(t, ExitError, res.code)
	assert.Contains(t, res.stderr, "exists already")
	assert.Equal(t, ExitUsage, r.run("backup").code)

	second := r.ok("contacts", "add", "--name", "Bernd After")
	out := r.ok("restore", backup)
	assert.Contains(t, out, "Restored "+backup+".")
	assert.Regexp(t, `kept as .*repdesk\.db\.\d{8}-\d{6}\.bak\.`, out)
	assert.Contains(t, out, "1 changes not yet synced were carried over")

	var list []map[string]any
	r.json(&list, "contacts", "list")
	var ids []string
	for _, c := range list {
		ids = append(ids, c["id"].(string))
	}
	assert.ElementsMatch(t, []string{first, second}, ids, "the contact made after the backup is not lost")
	var st map[string]any
	r.json(&st, "status")
	assert.Equal(t, 2.0, st["pending"])

	notDB := writeFile(t, filepath.Join(t.TempDir(), "notes.txt"), "hello")
	res = r.run("restore", notDB)
	assert.Equal(t, ExitError, res.code)
	assert.Equal(t, "repdesk: restore "+notDB+": not a RepDesk database: not an SQLite database\n", res.stderr)
	assert.Equal(t, ExitUsage, r.run("restore").code)

	baks, err := filepath.Glob(filepath.Join(r.dir, "repdesk.db.*.bak"))
	require.NoError(t, err)
	assert.Len(t, baks, 1)
	_, err = os.Stat(filepath.Join(r.dir, "repdesk.db"))
	assert.NoError(t, err)
}
