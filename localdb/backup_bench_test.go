package localdb

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"repdesk/localdb/sqlitefile"
)

// BenchmarkBackup100k copies the 100,000-contact database with VACUUM INTO.
func BenchmarkBackup100k(b *testing.B) {
	s, err := Open(benchDB(b))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	dir := b.TempDir()
	i := 0
	for b.Loop() {
		out := filepath.Join(dir, fmt.Sprintf("backup-%d.db", i))
		if err := s.Backup(context.Background(), out); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		os.Remove(out)
		i++
		b.StartTimer()
	}
}

// BenchmarkRestore100k restores a backup of the 100,000-contact database
// over a current one with 200 unpushed changes, which are carried over.
func BenchmarkRestore100k(b *testing.B) {
	ctx := context.Background()
	dir := b.TempDir()
	backup := copyDB(b, benchDB(b), b.TempDir())
	synced, err := Open(backup) // everything in the backup was pushed
	if err != nil {
		b.Fatal(err)
	}
	if _, err := synced.DB().Exec(`UPDATE journal SET pushed_at = '2026-01-01T00:00:00Z'`); err != nil {
		b.Fatal(err)
	}
	synced.Close()
	for b.Loop() {
		b.StopTimer()
		current := filepath.Join(dir, "repdesk.db")
		sqlitefile.Remove(current)
		if err := sqlitefile.CopyNew(backup, current); err != nil {
			b.Fatal(err)
		}
		s, err := Open(current)
		if err != nil {
			b.Fatal(err)
		}
		for i := range 200 {
			if err := s.Create(ctx, &Contact{FullName: fmt.Sprintf("Unpushed %d", i)}); err != nil {
				b.Fatal(err)
			}
		}
		s.Close()
		b.StartTimer()
		res, err := Restore(ctx, current, backup)
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		if res.Carried != 200 {
			b.Fatalf("carried %d", res.Carried)
		}
		os.Remove(res.Previous)
		b.StartTimer()
	}
}
