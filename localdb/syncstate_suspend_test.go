package localdb_test

import (
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"repdesk/localdb"
)

// indexDefs lists the database's index definitions by name (constraint
// indexes have none).
func indexDefs(t *testing.T, s *localdb.Store) map[string]string {
	t.Helper()
	rows, err := s.DB().QueryContext(bg, `SELECT name, sql FROM sqlite_schema WHERE type = 'index' AND sql IS NOT NULL`)
	require.NoError(t, err)
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var name, def string
		require.NoError(t, rows.Scan(&name, &def))
		out[name] = def
	}
	require.NoError(t, rows.Err())
	return out
}

// snapshotContacts are pulled contacts tagged "vip".
func snapshotContacts(n int) []localdb.HubRecord {
	recs := make([]localdb.HubRecord, n)
	for i := range recs {
		recs[i] = upsert(uuid.Must(uuid.NewV7()).String(), int64(i+1),
			map[string]json.RawMessage{"full_name": raw(`"Jana Berg"`), "tags": raw(`["vip"]`)}, map[string]int64{"full_name": int64(i + 1)})
	}
	return recs
}

func TestSuspendedIndexesComeBack(t *testing.T) {
	for _, interrupted := range []bool{false, true} {
		name := "restored by the last page"
		if interrupted {
			name = "restored when the database is opened again"
		}
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			s, err := localdb.OpenTemp(dir)
			require.NoError(t, err)
			defer func() { s.Close() }()
			all := indexDefs(t, s)
			require.Contains(t, all, "contacts_queue")
			require.NoError(t, s.Create(bg, &localdb.Company{Name: "Acme"}))

			require.NoError(t, s.Update(bg, func(tx *localdb.Tx) error {
				n, err := tx.SuspendIndexes()
				require.NoError(t, err)
				assert.Positive(t, n)
				return tx.ApplyHubRecords(snapshotContacts(3), nil, localdb.ApplyOptions{SnapshotGen: 1, DeferIndex: true})
			}))
			during := indexDefs(t, s)
			assert.NotContains(t, during, "contacts_queue", "the empty contacts table is filled without its indexes")
			assert.NotContains(t, during, "contact_tags_contact")
			assert.Contains(t, during, "companies_name", "a table with records keeps its indexes")
			require.NoError(t, s.Update(bg, func(tx *localdb.Tx) error {
				n, err := tx.SuspendIndexes()
				assert.Zero(t, n, "suspended once")
				return err
			}))

			if interrupted {
				require.NoError(t, s.Close())
				s, err = localdb.OpenTemp(dir)
				require.NoError(t, err)
			} else {
				require.NoError(t, s.Update(bg, func(tx *localdb.Tx) error { return tx.RestoreIndexes() }))
			}
			assert.Equal(t, all, indexDefs(t, s))
			_, err = s.SyncValue(bg, "suspended_indexes")
			assert.ErrorIs(t, err, localdb.ErrNotFound)
			tagged, err := s.ListContacts(bg, localdb.ContactFilter{Tag: "vip"})
			require.NoError(t, err)
			assert.Len(t, tagged, 3)
			require.NoError(t, s.Update(bg, func(tx *localdb.Tx) error { return tx.RestoreIndexes() }), "nothing left to restore")
		})
	}
}

// A query naming an index (INDEXED BY) fails without it: such indexes must
// never be suspended.
func TestIndexedByNamesPinnedIndexes(t *testing.T) {
	named := regexp.MustCompile(`(?i)INDEXED BY (\w+)`)
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		body, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range named.FindAllSubmatch(body, -1) {
			assert.True(t, localdb.PinnedIndex(string(m[1])), "%s names index %s: add it to pinnedIndexes", path, m[1])
		}
		return nil
	})
	require.NoError(t, err)
}
