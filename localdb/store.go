// Package localdb is RepDesk's local store: an SQLite database holding the
// rep's contacts, companies, deals, activities, tasks and visits, a change
// journal that sync pushes to the hub, and full-text search over all of it.
//
// Every write runs in one transaction that also appends to the journal, so
// the rows and the journal can never disagree, not even after a crash.
package localdb

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"repdesk/localdb/sqlitefile"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// ErrNotFound is returned when a record does not exist (or is deleted).
var ErrNotFound = errors.New("not found")

// ErrNewerSchema is returned when the database was written by a newer RepDesk.
var ErrNewerSchema = errors.New("database was written by a newer RepDesk")

// Store is the local database. It is safe for concurrent use.
type Store struct {
	db   *sql.DB
	path string
	// settingsMu guards owner and region: Settings may change them while
	// other goroutines write records.
	settingsMu sync.RWMutex
	owner      string
	region     string
	now        func() time.Time

	explicit map[string]bool // settings given as options win over stored ones
	stmts    sync.Map        // query -> *sql.Stmt

	// checkpointWake is signalled after each commit; the checkpointer
	// goroutine copies the WAL into the database in the background.
	checkpointWake  chan struct{}
	stopCheckpoints context.CancelFunc
	checkpointDone  chan struct{}
	checkpoints     atomic.Int64 // background checkpoints run, for tests
	// searchMergeDue is set by a commit that wrote many search rows; the
	// checkpointer then finishes FTS5's merge work once writes pause.
	searchMergeDue atomic.Bool
}

// Option configures Open.
type Option func(*Store)

// WithOwner sets the user name recorded as owner of new records.
func WithOwner(owner string) Option {
	return func(s *Store) { s.owner = owner; s.explicit[SettingOwner] = true }
}

// WithRegion sets the default phone region (ISO 3166 code such as "DE") used
// to normalize numbers typed without a country code.
func WithRegion(region string) Option {
	return func(s *Store) { s.region = strings.ToUpper(region); s.explicit[SettingRegion] = true }
}

// WithClock replaces the wall clock, for tests.
func WithClock(now func() time.Time) Option { return func(s *Store) { s.now = now } }

// Open opens (creating if needed) the database at path and brings its schema
// up to date.
func Open(path string, opts ...Option) (*Store, error) {
	s := &Store{path: path, owner: "me", region: "DE", now: time.Now, explicit: map[string]bool{}}
	for _, o := range opts {
		o(s)
	}
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("open database: %w", err)
		}
	}
	q := url.Values{}
	// A commit that fills the WAL past wal_autocheckpoint pages copies it
	// into the database itself, a third of the time of writing one contact
	// (fsyncs included). The checkpointer goroutine does that in the
	// background instead; the limit is raised so that commits do it only
	// when the checkpointer falls far behind. temp_store keeps statement
	// journals in memory: an insert that writes a table and its indexes
	// journals the pages it changes, and as a temporary file that was a
	// third of the CPU time of storing a snapshot (pwrite calls).
	pragmas := []string{"journal_mode(WAL)", "foreign_keys(1)", "busy_timeout(10000)", "synchronous(NORMAL)", "temp_store(MEMORY)",
		fmt.Sprintf("wal_autocheckpoint(%d)", walAutocheckpointPages)}
	for _, p := range pragmas {
		q.Add("_pragma", p)
	}
	// Writers take the lock at BEGIN, so two writers never deadlock on the
	// read-to-write upgrade.
	q.Set("_txlock", "immediate")
	db, err := sql.Open("sqlite", fileURI(path)+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	db.SetMaxOpenConns(4)
	db.SetMaxIdleConns(4)
	s.db = db
	if err := restoreSuspendedIndexes(context.Background(), db); err != nil {
		db.Close()
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	if err := s.migrateRetrying(context.Background()); err != nil {
		db.Close()
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	if err := s.loadSettings(context.Background()); err != nil {
		db.Close()
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	s.checkpointWake, s.checkpointDone = make(chan struct{}, 1), make(chan struct{})
	// Merge work an earlier run left (a crash, an older version) is done
	// once the store is idle.
	s.searchMergeDue.Store(true)
	stop, cancel := context.WithCancel(context.Background())
	s.stopCheckpoints = cancel
	go s.checkpointer(stop)
	return s, nil
}

// walAutocheckpointPages is the WAL size (in pages) at which a commit
// checkpoints by itself: ten times SQLite's default, about 40 MB.
const walAutocheckpointPages = 10000

// checkpointDelay gathers the commits of a burst (typing, an import's
// batches) into one background checkpoint.
const checkpointDelay = 200 * time.Millisecond

// checkpointer copies the WAL into the database file after commits, off the
// writers' path, until Close. A PASSIVE checkpoint never waits for readers
// or writers; what it cannot copy now is copied the next time. Durability is
// the WAL's either way: a crash before a checkpoint loses nothing committed.
func (s *Store) checkpointer(stop context.Context) {
	defer close(s.checkpointDone)
	for {
		var idle <-chan time.Time
		if s.searchMergeDue.Load() {
			idle = time.After(searchMergeIdle)
		}
		select {
		case <-stop.Done():
			return
		case <-s.checkpointWake:
		case <-idle:
			// Step by step, so that a rep's write waits for one step at
			// most, and a commit meanwhile postpones the rest.
			for {
				more, err := s.mergeSearchStep(stop)
				if err != nil || !more {
					s.searchMergeDue.Store(false)
					break
				}
				if len(s.checkpointWake) > 0 || stop.Err() != nil {
					break
				}
			}
			s.committed() // checkpoint what the merge wrote
			continue
		}
		if !sqlitefile.SettleBurst(stop, s.checkpointWake, checkpointDelay) {
			return
		}
		// An error (busy) leaves the WAL for the next checkpoint, or for
		// the last connection's close, to copy.
		if _, err := s.db.ExecContext(stop, `PRAGMA wal_checkpoint(PASSIVE)`); err == nil {
			s.checkpoints.Add(1)
		}
	}
}

// A transaction that writes many search rows (an import's batch, a pulled
// page, the background indexing) leaves FTS5 with merge work that its
// automerge spreads over the next writes, one step per commit: each contact
// created after a 100,000-contact fill took 2.1 ms instead of 1.5 until the
// merges were done. The checkpointer does that work itself once writes have
// paused for searchMergeIdle, in steps of searchMergePages pages.
const (
	searchMergeAfterRows = 100
	searchMergePages     = 500
)

// searchMergeIdle is how long writes must pause before the search index's
// merge work is done; a variable for tests.
var searchMergeIdle = 2 * time.Second

// mergeSearchStep does one step of the search tables' pending merge work
// and reports whether there may be more.
func (s *Store) mergeSearchStep(ctx context.Context) (more bool, err error) {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return false, err
	}
	defer conn.Close()
	for _, table := range []string{"search", "search_name"} {
		var before, after int64
		if err := conn.QueryRowContext(ctx, `SELECT total_changes()`).Scan(&before); err != nil {
			return false, fmt.Errorf("merge %s: %w", table, err)
		}
		if _, err := conn.ExecContext(ctx, `INSERT INTO `+table+` (`+table+`, rank) VALUES ('merge', ?)`, searchMergePages); err != nil {
			return false, fmt.Errorf("merge %s: %w", table, err)
		}
		if err := conn.QueryRowContext(ctx, `SELECT total_changes()`).Scan(&after); err != nil {
			return false, fmt.Errorf("merge %s: %w", table, err)
		}
		// FTS5's documented test: fewer than two changes, nothing merged.
		if after-before >= 2 {
			more = true
		}
	}
	return more, nil
}

// committed tells the checkpointer that the WAL grew.
func (s *Store) committed() {
	select {
	case s.checkpointWake <- struct{}{}:
	default: // a checkpoint is pending already
	}
}

// fileURI is path as an SQLite file: URI; the characters that URIs give a
// meaning (%, ?, #) are escaped so that any directory name works.
func fileURI(path string) string {
	path = filepath.ToSlash(path)
	if filepath.VolumeName(path) != "" {
		path = "/" + path // file:///C:/Users/...
	}
	return "file:" + strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(path)
}

// OpenTemp opens a fresh database in a temporary directory, for tests.
func OpenTemp(dir string, opts ...Option) (*Store, error) {
	return Open(filepath.Join(dir, "repdesk.db"), opts...)
}

// Close closes the database.
func (s *Store) Close() error {
	s.stopCheckpoints()
	<-s.checkpointDone
	return s.db.Close()
}

// Path is the database file.
func (s *Store) Path() string { return s.path }

// DB exposes the connection pool to sibling packages (import, sync) that need
// queries of their own.
func (s *Store) DB() *sql.DB { return s.db }

// Owner is the user recorded as owner of new records.
func (s *Store) Owner() string {
	s.settingsMu.RLock()
	defer s.settingsMu.RUnlock()
	return s.owner
}

// Region is the default phone region.
func (s *Store) Region() string {
	s.settingsMu.RLock()
	defer s.settingsMu.RUnlock()
	return s.region
}

type migration struct {
	version int
	name    string
	sql     string
}

func loadMigrations() ([]migration, error) {
	entries, err := fs.ReadDir(migrationFS, "migrations")
	if err != nil {
		return nil, err
	}
	var ms []migration
	for _, e := range entries {
		num, _, ok := strings.Cut(e.Name(), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("migration file %q: name must start with a positive number and '_'", e.Name())
		}
		body, err := migrationFS.ReadFile("migrations/" + e.Name())
		if err != nil {
			return nil, err
		}
		ms = append(ms, migration{version: v, name: e.Name(), sql: string(body)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	for i := 1; i < len(ms); i++ {
		if ms[i].version == ms[i-1].version {
			return nil, fmt.Errorf("migrations %q and %q have the same number", ms[i-1].name, ms[i].name)
		}
	}
	return ms, nil
}

// SchemaVersion is the newest migration this build knows.
func SchemaVersion() int {
	ms, err := loadMigrations()
	if err != nil || len(ms) == 0 {
		return 0
	}
	return ms[len(ms)-1].version
}

// migrateRetrying migrates, retrying while the database is locked. A new
// database that several processes open at once is switched to WAL by one of
// them under an exclusive lock that the others' busy timeout does not wait
// for (SQLite refuses at once where waiting could deadlock).
func (s *Store) migrateRetrying(ctx context.Context) error {
	deadline := time.Now().Add(10 * time.Second)
	for {
		err := s.migrate(ctx)
		if err == nil || !isBusy(err) || time.Now().After(deadline) {
			return err
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// isBusy reports whether err is SQLite's SQLITE_BUSY or SQLITE_LOCKED.
func isBusy(err error) bool {
	var coded interface{ Code() int }
	if !errors.As(err, &coded) {
		return false
	}
	code := coded.Code() & 0xff // the primary code of an extended one
	return code == 5 || code == 6
}

// migrate applies every embedded migration that the database lacks.
func (s *Store) migrate(ctx context.Context) error {
	return migrateTo(ctx, s.db, 0)
}

// migrateTo applies the embedded migrations up to version upto (0: all).
func migrateTo(ctx context.Context, db *sql.DB, upto int) error {
	ms, err := loadMigrations()
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	return applyMigrations(ctx, db, ms, upto)
}

// applyMigrations applies the migrations of ms that the database lacks, up
// to version upto (0: all), in order, each in its own transaction together
// with its record in schema_migrations, so that a failing migration leaves no
// trace. A database written by a newer build is refused before anything is
// written.
func applyMigrations(ctx context.Context, db *sql.DB, ms []migration, upto int) error {
	known := 0
	if len(ms) > 0 {
		known = ms[len(ms)-1].version
	}
	applied, err := appliedMigrations(ctx, db)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	if newest := slices.Max(append(slices.Collect(maps.Keys(applied)), 0)); newest > known {
		return fmt.Errorf("migrate: schema %d, this build knows %d: %w", newest, known, ErrNewerSchema)
	}
	for _, m := range ms {
		if applied[m.version] || (upto > 0 && m.version > upto) {
			continue
		}
		if err := applyMigration(ctx, db, m); err != nil {
			return fmt.Errorf("migrate %s: %w", m.name, err)
		}
	}
	return nil
}

// appliedMigrations reads the versions of the applied migrations. A
// migration numbered lower than the newest applied one is still applied when
// missing (two branches of development may each have added one).
func appliedMigrations(ctx context.Context, q querier) (map[int]bool, error) {
	var tables int
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM sqlite_schema WHERE type = 'table' AND name = 'schema_migrations'`).Scan(&tables); err != nil {
		return nil, fmt.Errorf("read schema version: %w", err)
	}
	applied := map[int]bool{}
	if tables == 0 {
		return applied, nil
	}
	rows, err := q.QueryContext(ctx, `SELECT version FROM schema_migrations`)
	if err != nil {
		return nil, fmt.Errorf("read schema version: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			return nil, fmt.Errorf("read schema version: %w", err)
		}
		applied[v] = true
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read schema version: %w", err)
	}
	return applied, nil
}

func applyMigration(ctx context.Context, db *sql.DB, m migration) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	// Another process may have migrated since we looked: the write lock is
	// ours now, so look again.
	applied, err := appliedMigrations(ctx, tx)
	if err != nil || applied[m.version] {
		return err
	}
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL) STRICT`); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, m.sql); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`,
		m.version, m.name, time.Now().UTC().Format(time.RFC3339)); err != nil {
		return err
	}
	return tx.Commit()
}

// IntegrityCheck runs PRAGMA integrity_check and returns its verdict ("ok").
func (s *Store) IntegrityCheck(ctx context.Context) (string, error) {
	var res string
	if err := s.db.QueryRowContext(ctx, `PRAGMA integrity_check`).Scan(&res); err != nil {
		return "", fmt.Errorf("integrity check: %w", err)
	}
	return res, nil
}
