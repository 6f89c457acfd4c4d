package hub

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strconv"
	"strings"

	"repdesk/localdb/sqlitefile"
)

// ErrNotHubDB is returned for a file that is not a RepDesk hub database.
var ErrNotHubDB = errors.New("not a RepDesk hub database")

// ErrNewerHubSchema is returned for a hub database written by a newer hub.
var ErrNewerHubSchema = errors.New("hub database was written by a newer repdesk-hub")

// ErrHubInUse is returned by Restore while a hub (or another process) has
// the database open.
var ErrHubInUse = errors.New("the hub database is in use")

// errPostgresBackup points PostgreSQL users to their own tools.
var errPostgresBackup = errors.New("a PostgreSQL hub is backed up with pg_dump and restored with pg_restore (see docs/admin.md)")

// Backup writes a consistent copy of the SQLite hub database dsn to out
// while the hub runs (see sqlitefile.Backup); an existing out is refused.
func Backup(ctx context.Context, dsn, out string) error {
	if IsPostgres(dsn) {
		return fmt.Errorf("backup: %w", errPostgresBackup)
	}
	if _, err := os.Stat(dsn); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	if _, err := checkHubFile(ctx, dsn); err != nil {
		return fmt.Errorf("backup %s: %w", dsn, err)
	}
	db, err := sql.Open("sqlite", sqliteDSN(dsn))
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	defer db.Close()
	// Owner-only: the copy holds the token hashes.
	if err := sqlitefile.Backup(ctx, db, out); err != nil {
		return fmt.Errorf("backup to %s: %w", out, err)
	}
	return nil
}

// RestoreResult says what Restore did.
type RestoreResult struct {
	// Previous is where the replaced database was moved ("" when there was
	// none).
	Previous string `json:"previous"`
	// Seq is the backup's last change number; Horizon the number every
	// client cursor below which re-syncs from a snapshot.
	Seq     int64 `json:"seq"`
	Horizon int64 `json:"horizon"`
}

// lostChangesMargin is how far the change numbers jump after a restore
// when the replaced database is not there to say how far it had come:
// further than any hub gets between two backups.
const lostChangesMargin = 1 << 40

// Restore replaces the SQLite hub database dsn by a copy of backupFile. It
// refuses a file that is not a hub database, is damaged or was written by a
// newer hub, and refuses while the hub runs (stop it first). The replaced
// database is renamed to a timestamped .bak beside it.
//
// Clients may have pulled changes that the backup lacks: their cursors
// would be ahead of the restored hub, and its new changes would take
// numbers they have passed already. So the change numbers jump past every
// number the replaced database handed out, and the horizon moves there:
// every client re-syncs once from a snapshot (keeping its unpushed
// changes).
func Restore(ctx context.Context, dsn, backupFile string) (RestoreResult, error) {
	var res RestoreResult
	if IsPostgres(dsn) {
		return res, fmt.Errorf("restore: %w", errPostgresBackup)
	}
	tmp := dsn + ".restoring"
	sqlitefile.Remove(tmp)
	if err := sqlitefile.CopyNew(backupFile, tmp); err != nil {
		return res, fmt.Errorf("restore %s: %w", backupFile, err)
	}
	ok := false
	defer func() {
		if !ok {
			sqlitefile.Remove(tmp)
		}
	}()
	if _, err := checkHubFile(ctx, tmp); err != nil {
		return res, fmt.Errorf("restore %s: %w", backupFile, err)
	}
	var currentSeq int64 = -1
	if _, err := os.Stat(dsn); err == nil {
		cur, err := Open(ctx, dsn) // also checkpoints and, when we are the last, removes the WAL
		if err != nil {
			return res, fmt.Errorf("restore: the current database: %w", err)
		}
		err = cur.sql.QueryRowContext(ctx, `SELECT seq FROM hub_counter WHERE id = 1`).Scan(&currentSeq)
		cur.Close()
		if err != nil {
			return res, fmt.Errorf("restore: the current database: %w", err)
		}
		if sqlitefile.InUse(dsn) {
			return res, fmt.Errorf("restore: %s: %w; stop repdesk-hub serve first", dsn, ErrHubInUse)
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return res, fmt.Errorf("restore: %w", err)
	}

	restored, err := Open(ctx, tmp)
	if err != nil {
		return res, fmt.Errorf("restore %s: %w", backupFile, err)
	}
	err = func() error {
		defer restored.Close()
		tx, err := restored.beginWrite(ctx)
		if err != nil {
			return err
		}
		defer tx.Rollback()
		if err := tx.QueryRowContext(ctx, `SELECT seq FROM hub_counter WHERE id = 1`).Scan(&res.Seq); err != nil {
			return err
		}
		res.Horizon = max(res.Seq, currentSeq) + 1
		if currentSeq < 0 {
			res.Horizon = res.Seq + lostChangesMargin
		}
		if _, err := tx.ExecContext(ctx, `UPDATE hub_counter SET seq = ?, horizon = ? WHERE id = 1`, res.Horizon, res.Horizon); err != nil {
			return err
		}
		return tx.Commit()
	}()
	if err != nil {
		return res, fmt.Errorf("restore %s: %w", backupFile, err)
	}
	if currentSeq >= 0 {
		if res.Previous, err = sqlitefile.KeepAside(dsn); err != nil {
			return res, fmt.Errorf("restore: keep the current database: %w", err)
		}
	}
	if err := os.Rename(tmp, dsn); err != nil {
		return res, fmt.Errorf("restore: %w", err)
	}
	ok = true
	return res, nil
}

// checkHubFile checks that path is an intact hub database that this build
// can open and returns its schema version.
func checkHubFile(ctx context.Context, path string) (int, error) {
	if err := sqlitefile.CheckHeader(path); err != nil {
		if errors.Is(err, sqlitefile.ErrNotSQLite) {
			return 0, fmt.Errorf("%w: %w", ErrNotHubDB, err)
		}
		return 0, err
	}
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		return 0, err
	}
	defer db.Close()
	var tables int
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM sqlite_schema WHERE type = 'table'
		AND name IN ('hub_migrations', 'hub_users', 'hub_counter')`).Scan(&tables); err != nil {
		return 0, fmt.Errorf("%w: %v", ErrNotHubDB, err)
	}
	if tables != 3 {
		return 0, fmt.Errorf("%w: it lacks the hub's tables", ErrNotHubDB)
	}
	var newest int
	if err := db.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM hub_migrations`).Scan(&newest); err != nil {
		return 0, err
	}
	known, err := knownVersion(dialectSQLite)
	if err != nil {
		return 0, err
	}
	if newest > known {
		return newest, fmt.Errorf("schema %d, this hub knows %d: %w; upgrade repdesk-hub first", newest, known, ErrNewerHubSchema)
	}
	if err := sqlitefile.QuickCheck(ctx, db); err != nil {
		return newest, err
	}
	return newest, nil
}

// knownVersion is the newest embedded migration of a dialect.
func knownVersion(d dialect) (int, error) {
	ms, err := (&DB{dialect: d}).migrations()
	if err != nil {
		return 0, err
	}
	if len(ms) == 0 {
		return 0, nil
	}
	return ms[len(ms)-1].version, nil
}

// quoteIdent quotes an SQL identifier.
func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// itoa is strconv.Itoa, for building statements.
func itoa(n int) string { return strconv.Itoa(n) }
