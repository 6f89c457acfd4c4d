// Package hub is the RepDesk sync hub: HTTP handlers over a record store on
// SQLite (embedded, the default) or PostgreSQL (for several hub processes).
package hub

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // driver "pgx"
	_ "modernc.org/sqlite"             // driver "sqlite"

	"repdesk/localdb/sqlitefile"
)

//go:embed migrations
var migrationFiles embed.FS

type dialect int

const (
	dialectSQLite dialect = iota
	dialectPostgres
)

// DB is the hub's database: the users, clients, records, change log and
// conflicts. It is safe for concurrent use, also by several processes.
type DB struct {
	sql     *sql.DB
	dialect dialect

	mu      sync.Mutex
	queries map[string]string // query with ? placeholders → the dialect's form

	// SQLite only: the checkpointer goroutine's wake-up and stop.
	checkpointWake  chan struct{}
	stopCheckpoints context.CancelFunc
	checkpointDone  chan struct{}
}

// IsPostgres reports whether dsn names a PostgreSQL database rather than a
// SQLite file.
func IsPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// Open opens (creating a SQLite file if needed) the database named by dsn, a
// file path or a postgres:// URL, and brings its schema up to date.
func Open(ctx context.Context, dsn string) (*DB, error) {
	if dsn == "" {
		return nil, errors.New("open hub database: no database given")
	}
	db := &DB{queries: map[string]string{}}
	var err error
	if IsPostgres(dsn) {
		db.dialect = dialectPostgres
		db.sql, err = sql.Open("pgx", dsn)
		if err != nil {
			return nil, fmt.Errorf("open hub database: %w", err)
		}
		db.sql.SetMaxOpenConns(16)
		db.sql.SetMaxIdleConns(16)
	} else {
		db.dialect = dialectSQLite
		// The file is the hub's user list: readable by its owner only.
		// SQLite gives the -wal and -shm files the same mode.
		f, err := os.OpenFile(dsn, os.O_RDWR|os.O_CREATE, 0o600)
		if err != nil {
			return nil, fmt.Errorf("open hub database: %w", err)
		}
		f.Close()
		db.sql, err = sql.Open("sqlite", sqliteDSN(dsn))
		if err != nil {
			return nil, fmt.Errorf("open hub database %s: %w", dsn, err)
		}
		db.sql.SetMaxOpenConns(8)
		db.sql.SetMaxIdleConns(8)
		db.sql.SetConnMaxIdleTime(0)
	}
	if err := db.sql.PingContext(ctx); err != nil {
		db.sql.Close()
		return nil, fmt.Errorf("open hub database: %w", err)
	}
	if err := db.migrate(ctx); err != nil {
		db.sql.Close()
		return nil, err
	}
	if db.dialect == dialectSQLite {
		db.checkpointWake, db.checkpointDone = make(chan struct{}, 1), make(chan struct{})
		stop, cancel := context.WithCancel(context.Background())
		db.stopCheckpoints = cancel
		go db.checkpointer(stop)
	}
	return db, nil
}

// sqliteAutocheckpointPages is the WAL size (in pages) at which a SQLite
// commit copies the WAL into the database file itself: ten times SQLite's
// default (about 40 MB), so that a push's commit does it only when the
// checkpointer falls far behind. At the default, every push of 2,000
// creates checkpointed in its commit (files written and synced while the
// client waited for the answer).
const sqliteAutocheckpointPages = 10000

// checkpointDelay gathers the commits of a burst (the batches of one push,
// many clients at once) into one background checkpoint.
const checkpointDelay = 200 * time.Millisecond

// committed tells the checkpointer that a transaction wrote.
func (db *DB) committed() {
	if db.checkpointWake == nil {
		return
	}
	select {
	case db.checkpointWake <- struct{}{}:
	default:
	}
}

// checkpointer copies the SQLite WAL into the database file after commits,
// off the writers' path, until Close. A PASSIVE checkpoint waits for no
// reader or writer; what it cannot copy now it copies next time, and the
// WAL keeps everything committed meanwhile.
func (db *DB) checkpointer(stop context.Context) {
	defer close(db.checkpointDone)
	for {
		select {
		case <-stop.Done():
			return
		case <-db.checkpointWake:
		}
		if !sqlitefile.SettleBurst(stop, db.checkpointWake, checkpointDelay) {
			return
		}
		// A busy database leaves the WAL to the next checkpoint, or to the
		// last connection's close.
		_, _ = db.sql.ExecContext(stop, `PRAGMA wal_checkpoint(PASSIVE)`)
	}
}

// sqliteDSN turns a file name into a modernc DSN: WAL so that readers do not
// wait for the writer, a busy timeout so that the CLI can write while the hub
// runs, every commit synced (an acknowledged push survives a power cut) with
// checkpoints left to the checkpointer, and BEGIN IMMEDIATE for write
// transactions so that two writers never deadlock on a lock upgrade.
func sqliteDSN(file string) string {
	q := url.Values{}
	for _, p := range []string{"busy_timeout(10000)", "journal_mode(WAL)", "synchronous(FULL)", "foreign_keys(1)",
		fmt.Sprintf("wal_autocheckpoint(%d)", sqliteAutocheckpointPages)} {
		q.Add("_pragma", p)
	}
	q.Set("_txlock", "immediate")
	return "file:" + file + "?" + q.Encode()
}

// Close stops the checkpointer and closes the database; closing the last
// SQLite connection checkpoints what is left.
func (db *DB) Close() error {
	if db.stopCheckpoints != nil {
		db.stopCheckpoints()
		<-db.checkpointDone
	}
	return db.sql.Close()
}

// q returns query in the dialect's placeholder form ($1… on PostgreSQL).
func (db *DB) q(query string) string {
	if db.dialect == dialectSQLite {
		return query
	}
	db.mu.Lock()
	defer db.mu.Unlock()
	if out, ok := db.queries[query]; ok {
		return out
	}
	var b strings.Builder
	n := 0
	for _, r := range query {
		if r == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	db.queries[query] = b.String()
	return b.String()
}

// beginWrite starts a transaction that writes. On SQLite it is BEGIN
// IMMEDIATE (see sqliteDSN).
func (db *DB) beginWrite(ctx context.Context) (*sql.Tx, error) {
	return db.sql.BeginTx(ctx, nil)
}

// beginRead starts a read-only transaction that sees one snapshot of the
// database for all its statements.
func (db *DB) beginRead(ctx context.Context) (*sql.Tx, error) {
	opts := &sql.TxOptions{ReadOnly: true}
	if db.dialect == dialectPostgres {
		opts.Isolation = sql.LevelRepeatableRead
	}
	return db.sql.BeginTx(ctx, opts)
}

type migration struct {
	version int
	name    string
	body    string
}

func (db *DB) migrations() ([]migration, error) {
	dir := "migrations/sqlite"
	if db.dialect == dialectPostgres {
		dir = "migrations/postgres"
	}
	entries, err := fs.ReadDir(migrationFiles, dir)
	if err != nil {
		return nil, err
	}
	var out []migration
	for _, e := range entries {
		num, _, ok := strings.Cut(e.Name(), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || !strings.HasSuffix(e.Name(), ".sql") {
			return nil, fmt.Errorf("migration file %s: name is not NNNN_name.sql", e.Name())
		}
		body, err := fs.ReadFile(migrationFiles, path.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		out = append(out, migration{version: v, name: e.Name(), body: string(body)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].version < out[j].version })
	return out, nil
}

// migrate applies the embedded migrations not yet recorded, each in its own
// transaction together with its record. On PostgreSQL an advisory lock keeps
// two hubs starting at once from applying one twice.
func (db *DB) migrate(ctx context.Context) error {
	if _, err := db.sql.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS hub_migrations (
		version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`); err != nil {
		// Two PostgreSQL hubs creating it at once: one loses the race on the
		// catalog; the table exists either way.
		if db.dialect != dialectPostgres || !strings.Contains(err.Error(), "duplicate key") {
			return fmt.Errorf("migrate hub database: %w", err)
		}
	}
	list, err := db.migrations()
	if err != nil {
		return fmt.Errorf("migrate hub database: %w", err)
	}
	for _, m := range list {
		if err := db.applyMigration(ctx, m); err != nil {
			return fmt.Errorf("migrate hub database: %s: %w", m.name, err)
		}
	}
	return nil
}

func (db *DB) applyMigration(ctx context.Context, m migration) error {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if db.dialect == dialectPostgres {
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(7201007)`); err != nil {
			return err
		}
	}
	var n int
	if err := tx.QueryRowContext(ctx, db.q(`SELECT COUNT(*) FROM hub_migrations WHERE version = ?`), m.version).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return nil
	}
	if _, err := tx.ExecContext(ctx, m.body); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, db.q(`INSERT INTO hub_migrations (version, name, applied_at) VALUES (?, ?, ?)`),
		m.version, m.name, formatTime(time.Now())); err != nil {
		return err
	}
	return tx.Commit()
}

// Times are stored as fixed-width UTC text so that they compare as strings.
const timeLayout = "2006-01-02T15:04:05.000000Z"

func formatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(timeLayout)
}

func parseTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(timeLayout, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("stored time %q: %w", s, err)
	}
	return t, nil
}

// stmtCache prepares each query once per transaction: a push runs the same
// few statements thousands of times.
type stmtCache struct {
	db    *DB
	tx    *sql.Tx
	stmts map[string]*sql.Stmt
}

func newStmtCache(db *DB, tx *sql.Tx) *stmtCache {
	return &stmtCache{db: db, tx: tx, stmts: map[string]*sql.Stmt{}}
}

func (c *stmtCache) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	if s, ok := c.stmts[query]; ok {
		return s, nil
	}
	s, err := c.tx.PrepareContext(ctx, c.db.q(query))
	if err != nil {
		return nil, err
	}
	c.stmts[query] = s
	return s, nil
}

func (c *stmtCache) exec(ctx context.Context, query string, args ...any) error {
	_, err := c.execResult(ctx, query, args...)
	return err
}

func (c *stmtCache) execResult(ctx context.Context, query string, args ...any) (sql.Result, error) {
	s, err := c.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return s.ExecContext(ctx, args...)
}

func (c *stmtCache) queryRow(ctx context.Context, query string, args ...any) (*sql.Row, error) {
	s, err := c.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return s.QueryRowContext(ctx, args...), nil
}

func (c *stmtCache) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	s, err := c.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return s.QueryContext(ctx, args...)
}

func (c *stmtCache) close() {
	for _, s := range c.stmts {
		s.Close()
	}
}
