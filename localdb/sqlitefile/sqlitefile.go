// Package sqlitefile holds the file mechanics that backing up and restoring
// an SQLite database needs, shared by the app's store (localdb) and the hub
// (sync/hub): a consistent copy with VACUUM INTO, the file header check,
// copying, and keeping a replaced database aside.
package sqlitefile

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"
)

// ErrNotSQLite is returned by CheckHeader for a file that is not an SQLite
// database.
var ErrNotSQLite = errors.New("not an SQLite database")

// Backup writes a consistent copy of db to out while other connections keep
// writing: VACUUM INTO reads one snapshot. The copy is written beside out,
// made readable by its owner only, and renamed into place, so out is either
// the whole copy or absent. An existing out is refused, not overwritten.
func Backup(ctx context.Context, db *sql.DB, out string) error {
	if _, err := os.Stat(out); err == nil {
		return fmt.Errorf("%s exists already; choose another file name", out)
	}
	if err := os.MkdirAll(filepath.Dir(out), 0o700); err != nil {
		return err
	}
	tmp := out + ".part"
	os.Remove(tmp)
	err := func() error {
		if _, err := db.ExecContext(ctx, `VACUUM INTO ?`, tmp); err != nil {
			return err
		}
		if err := os.Chmod(tmp, 0o600); err != nil {
			return err
		}
		return os.Rename(tmp, out)
	}()
	if err != nil {
		os.Remove(tmp)
	}
	return err
}

// CheckHeader reports ErrNotSQLite unless path starts with SQLite's header.
func CheckHeader(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	header := make([]byte, 16)
	if _, err := io.ReadFull(f, header); err != nil || string(header) != "SQLite format 3\x00" {
		return ErrNotSQLite
	}
	return nil
}

// CopyNew copies src to dst, which must not exist (created with mode 0600),
// and syncs it.
func CopyNew(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// Remove removes a database file with its WAL, shared-memory and rollback
// journal files.
func Remove(path string) {
	for _, p := range []string{path, path + "-wal", path + "-shm", path + "-journal"} {
		os.Remove(p)
	}
}

// InUse reports whether another process has the database at path open: a
// WAL database's -wal file is removed when its last connection closes, so
// after closing our own connections a -wal file still there is someone
// else's.
func InUse(path string) bool {
	_, err := os.Stat(path + "-wal")
	return err == nil
}

// KeepAside renames the (closed) database at path to
// path.YYYYMMDD-HHMMSS.bak beside it and returns the new name.
func KeepAside(path string) (string, error) {
	kept := fmt.Sprintf("%s.%s.bak", path, time.Now().UTC().Format("20060102-150405"))
	if err := os.Rename(path, kept); err != nil {
		return "", err
	}
	os.Remove(path + "-shm")
	return kept, nil
}

// QuickCheck runs PRAGMA quick_check: damaged pages and a broken file
// structure, without verifying every index entry (integrity_check takes
// about three times as long, a minute on a 200 MB database).
func QuickCheck(ctx context.Context, db *sql.DB) error {
	var verdict string
	if err := db.QueryRowContext(ctx, `PRAGMA quick_check`).Scan(&verdict); err != nil {
		return fmt.Errorf("quick check: %w", err)
	}
	if verdict != "ok" {
		return fmt.Errorf("the file is damaged: quick check: %s", verdict)
	}
	return nil
}
