package localdb

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestBackupWhileWriting(t *testing.T) {
	ctx := context.Background()
	s, _ := openTestStore(t)
	out := filepath.Join(t.TempDir(), "copy.db")

	// A writer keeps adding contacts (each with its journal entry) while
	// the backup runs.
	var stop atomic.Bool
	var wg sync.WaitGroup
	wg.Add(1)
	written := 0
	go func() {
		defer wg.Done()
		for i := 0; !stop.Load() || i < 50; i++ {
			if err := s.Create(ctx, &Contact{FullName: fmt.Sprintf("Writer %d", i)}); err != nil {
				t.Error(err)
				return
			}
			written++
		}
	}()
	for rowCount(t, s, "contacts") < 20 {
	}
	require.NoError(t, s.Backup(ctx, out))
	stop.Store(true)
	wg.Wait()

	b, err := Open(out)
	require.NoError(t, err)
	defer b.Close()
	verdict, err := b.IntegrityCheck(ctx)
	require.NoError(t, err)
	assert.Equal(t, "ok", verdict)
	contacts, journal := rowCount(t, b, "contacts"), rowCount(t, b, "journal")
	assert.Equal(t, contacts, journal, "every contact in the copy has its journal entry and no more")
	assert.Greater(t, contacts, 0)
	assert.Less(t, contacts, written+1)

	assert.ErrorContains(t, s.Backup(ctx, out), "exists already", "a backup never overwrites a file")
}

// backupOf writes a backup of s into a new file and returns its path.
func backupOf(t *testing.T, s *Store) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "backup.db")
	require.NoError(t, s.Backup(context.Background(), out))
	return out
}

func TestRestoreRefuses(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	current := filepath.Join(dir, "repdesk.db")
	s, err := Open(current)
	require.NoError(t, err)
	require.NoError(t, s.Create(ctx, &Contact{FullName: "Kept Always"}))
	newer := backupOf(t, s)
	require.NoError(t, s.Close())

	nb, err := Open(newer)
	require.NoError(t, err)
	_, err = nb.DB().Exec(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, '9999_future.sql', '')`)
	require.NoError(t, err)
	require.NoError(t, nb.Close())

	text := filepath.Join(t.TempDir(), "notes.txt")
	require.NoError(t, os.WriteFile(text, []byte("these are not the contacts you are looking for"), 0o600))
	other := filepath.Join(t.TempDir(), "other.db")
	odb, err := Open(other)
	require.NoError(t, err)
	_, err = odb.DB().Exec(`DROP TABLE journal`)
	require.NoError(t, err)
	require.NoError(t, odb.Close())

	damaged := filepath.Join(t.TempDir(), "damaged.db")
	require.NoError(t, os.WriteFile(damaged, damagedCopy(t, newer), 0o600))

	for _, tc := range []struct {
		name, file, want string
		is               error
	}{
		{"a damaged file", damaged, "malformed", nil},
		{"a text file", text, "not an SQLite database", ErrNotRepDesk},
		{"another SQLite database", other, "lacks RepDesk's tables", ErrNotRepDesk},
		{"a newer schema", newer, "schema 9999", ErrNewerSchema},
		{"a missing file", filepath.Join(dir, "nope.db"), "no such file", os.ErrNotExist},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Restore(ctx, current, tc.file)
			require.Error(t, err)
			if tc.is != nil {
				require.ErrorIs(t, err, tc.is)
			}
			assert.ErrorContains(t, err, tc.want)
			s, err := Open(current)
			require.NoError(t, err)
			defer s.Close()
			assert.Equal(t, 1, rowCount(t, s, "contacts"), "the current database is untouched")
			entries, err := os.ReadDir(dir)
			require.NoError(t, err)
			for _, e := range entries {
				assert.NotContains(t, e.Name(), "restoring", "no leftovers")
			}
		})
	}
}

func TestRestoreKeepsCurrentAndUnpushed(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	current := filepath.Join(dir, "repdesk.db")
	s, err := Open(current)
	require.NoError(t, err)

	pushedEarly := &Contact{FullName: "Anna Early"}
	require.NoError(t, s.Create(ctx, pushedEarly))
	pending, err := s.PendingChanges(ctx, 0)
	require.NoError(t, err)
	require.NoError(t, s.MarkPushed(ctx, []int64{pending[0].Seq}))
	pushedLater := &Contact{FullName: "Bernd Later"} // pending in the backup, pushed afterwards
	require.NoError(t, s.Create(ctx, pushedLater))
	company := &Company{Name: "Kept Tools GmbH"}
	require.NoError(t, s.Create(ctx, company))
	backup := backupOf(t, s)

	pending, err = s.PendingChanges(ctx, 0)
	require.NoError(t, err)
	require.NoError(t, s.MarkPushed(ctx, []int64{pending[0].Seq})) // Bernd
	// Changes after the backup, not pushed: a new contact, an edit and a
	// delete.
	newer := &Contact{FullName: "Clara Newer", CompanyID: company.ID, Tags: []string{"Messe"}}
	require.NoError(t, s.Create(ctx, newer))
	anna, err := s.GetContact(ctx, pushedEarly.ID)
	require.NoError(t, err)
	anna.FullName = "Anna Edited"
	require.NoError(t, s.Save(ctx, anna))
	require.NoError(t, s.Delete(ctx, EntityContact, pushedLater.ID))
	lastSeq, err := s.LastJournalSeq(ctx)
	require.NoError(t, err)
	wantPending, err := s.PendingChanges(ctx, 0)
	require.NoError(t, err)
	require.NoError(t, s.Close())

	res, err := Restore(ctx, current, backup)
	require.NoError(t, err)
	assert.Equal(t, 3, res.Carried)
	assert.Equal(t, 1, res.MarkedPushed)
	assert.Equal(t, SchemaVersion(), res.Schema)

	// The replaced database is kept whole.
	require.FileExists(t, res.Previous)
	assert.Regexp(t, `repdesk\.db\.\d{8}-\d{6}\.bak$`, res.Previous)
	old, err := Open(res.Previous)
	require.NoError(t, err)
	oldPending, err := old.PendingCount(ctx)
	require.NoError(t, err)
	assert.Equal(t, len(wantPending), oldPending, "the kept database still holds its own unpushed changes")
	assert.Equal(t, 4, oldPending, "the company and the three changes after the backup")
	require.NoError(t, old.Close())

	r, err := Open(current)
	require.NoError(t, err)
	defer r.Close()
	got, err := r.PendingChanges(ctx, 0)
	require.NoError(t, err)
	var ops []string
	for _, c := range got {
		ops = append(ops, c.Entity+" "+c.Op)
		if c.Entity == EntityContact {
			assert.Greater(t, c.Seq, lastSeq, "carried changes take mutation numbers never used before")
		}
	}
	assert.Equal(t, []string{"company create", "contact create", "contact patch", "contact delete"}, ops,
		"the company pending in the backup stays pending once, Bernd's create (pushed since) is not pushed again")

	c, err := r.GetContact(ctx, newer.ID)
	require.NoError(t, err)
	assert.Equal(t, "Clara Newer", c.FullName)
	a, err := r.GetContact(ctx, pushedEarly.ID)
	require.NoError(t, err)
	assert.Equal(t, "Anna Edited", a.FullName)
	_, err = r.GetContact(ctx, pushedLater.ID)
	assert.ErrorIs(t, err, ErrNotFound, "the delete made after the backup stands")
	hits, err := r.Search(ctx, "Clara", SearchOptions{})
	require.NoError(t, err)
	assert.NotEmpty(t, hits, "carried records are searchable")
	tagged, err := r.ListContacts(ctx, ContactFilter{Tag: "messe"})
	require.NoError(t, err)
	require.Len(t, tagged, 1, "carried records are found by their tags")
	assert.Equal(t, "Clara Newer", tagged[0].FullName)
	verdict, err := r.IntegrityCheck(ctx)
	require.NoError(t, err)
	assert.Equal(t, "ok", verdict)
}

func TestRestoreWithoutCurrentDatabase(t *testing.T) {
	ctx := context.Background()
	s, _ := openTestStore(t)
	require.NoError(t, s.Create(ctx, &Contact{FullName: "Only Backup"}))
	backup := backupOf(t, s)
	target := filepath.Join(t.TempDir(), "new", "repdesk.db")
	require.NoError(t, os.MkdirAll(filepath.Dir(target), 0o700))
	res, err := Restore(ctx, target, backup)
	require.NoError(t, err)
	assert.Empty(t, res.Previous)
	r, err := Open(target)
	require.NoError(t, err)
	defer r.Close()
	assert.Equal(t, 1, rowCount(t, r, "contacts"))
}

func TestRestoreRefusesOpenDatabase(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	current := filepath.Join(dir, "repdesk.db")
	s, err := Open(current)
	require.NoError(t, err)
	defer s.Close()
	require.NoError(t, s.Create(ctx, &Contact{FullName: "In Use"}))
	backup := backupOf(t, s)
	_, err = Restore(ctx, current, backup)
	require.ErrorIs(t, err, ErrInUse)
	assert.Equal(t, 1, rowCount(t, s, "contacts"), "the open database is untouched")
}

// damagedCopy is the database at path with garbage over its later pages, as
// a disk error or a cut-off copy leaves it.
func damagedCopy(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	for i := len(b) / 2; i < len(b); i++ {
		b[i] = byte(i * 7)
	}
	return b
}
