package hub

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strings"
)

// TableCount is the number of rows copied of one table.
type TableCount struct {
	Table string `json:"table"`
	Rows  int64  `json:"rows"`
}

// Migrate copies the SQLite hub database from into the PostgreSQL database
// to: every hub table (users with their token hashes and territories,
// clients and their mutation numbers, records with their field versions,
// the change log, moves, conflicts, the change counter and whatever tables
// later migrations add), row for row, so that clients keep syncing against
// the new hub with their cursors and tokens. Both are brought to this
// build's schema first. The target must be empty (a fresh database or
// schema); everything is written in one transaction, so a failed migration
// leaves it empty. progress, when not nil, is told of each table copied.
func Migrate(ctx context.Context, from, to string, progress func(TableCount)) ([]TableCount, error) {
	if IsPostgres(from) {
		return nil, errors.New("migrate: --from must be a SQLite hub database file")
	}
	if !IsPostgres(to) {
		return nil, errors.New("migrate: --to must be a postgres:// URL")
	}
	if _, err := os.Stat(from); errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("migrate: %s does not exist", from)
	}
	if _, err := checkHubFile(ctx, from); err != nil {
		return nil, fmt.Errorf("migrate %s: %w", from, err)
	}
	src, err := Open(ctx, from)
	if err != nil {
		return nil, fmt.Errorf("migrate: %w", err)
	}
	defer src.Close()
	dst, err := Open(ctx, to)
	if err != nil {
		return nil, fmt.Errorf("migrate: %w", err)
	}
	defer dst.Close()

	rtx, err := src.beginRead(ctx) // one snapshot of the source
	if err != nil {
		return nil, fmt.Errorf("migrate: %w", err)
	}
	defer rtx.Rollback()
	wtx, err := dst.beginWrite(ctx)
	if err != nil {
		return nil, fmt.Errorf("migrate: %w", err)
	}
	defer wtx.Rollback()

	tables, err := sqliteHubTables(ctx, rtx)
	if err != nil {
		return nil, fmt.Errorf("migrate: read the tables of %s: %w", from, err)
	}
	if err := checkEmptyTarget(ctx, wtx, tables); err != nil {
		return nil, fmt.Errorf("migrate: %w", err)
	}
	var counts []TableCount
	for _, table := range tables {
		n, err := copyTable(ctx, rtx, wtx, table)
		if err != nil {
			return nil, fmt.Errorf("migrate table %s: %w", table, err)
		}
		tc := TableCount{Table: table, Rows: n}
		counts = append(counts, tc)
		if progress != nil {
			progress(tc)
		}
	}
	if err := resetIdentities(ctx, wtx); err != nil {
		return nil, fmt.Errorf("migrate: %w", err)
	}
	if err := wtx.Commit(); err != nil {
		return nil, fmt.Errorf("migrate: commit: %w", err)
	}
	return counts, nil
}

// sqliteHubTables lists the hub's tables of a SQLite hub database, parents
// before the tables that refer to them (hub_users before hub_clients); the
// migrations table is the target's own.
func sqliteHubTables(ctx context.Context, tx *sql.Tx) ([]string, error) {
	rows, err := tx.QueryContext(ctx, `SELECT name FROM sqlite_schema WHERE type = 'table' AND name LIKE 'hub\_%' ESCAPE '\'
		AND name <> 'hub_migrations' ORDER BY name`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var tables []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return nil, err
		}
		tables = append(tables, name)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// hub_users is the only parent (hub_clients refers to it).
	slices.SortStableFunc(tables, func(a, b string) int {
		return boolRank(b == "hub_users") - boolRank(a == "hub_users")
	})
	return tables, nil
}

func boolRank(b bool) int {
	if b {
		return 1
	}
	return 0
}

// checkEmptyTarget refuses a target that holds hub data already: copying
// into it would mix two hubs' change numbers.
func checkEmptyTarget(ctx context.Context, tx *sql.Tx, tables []string) error {
	for _, table := range tables {
		var n int64
		q := `SELECT COUNT(*) FROM ` + quoteIdent(table)
		if table == "hub_counter" {
			q += ` WHERE seq <> 0 OR horizon <> 0`
		}
		if err := tx.QueryRowContext(ctx, q).Scan(&n); err != nil {
			return fmt.Errorf("the target lacks table %s (%w)", table, err)
		}
		if n > 0 {
			return fmt.Errorf("the target database is not empty (%s has %d rows); migrate into a new database or schema", table, n)
		}
	}
	// The counter's row of a fresh database is replaced by the source's.
	_, err := tx.ExecContext(ctx, `DELETE FROM hub_counter`)
	return err
}

// copyTable copies the rows of one table, many per statement, and returns
// their number.
func copyTable(ctx context.Context, from, to *sql.Tx, table string) (int64, error) {
	rows, err := from.QueryContext(ctx, `SELECT * FROM `+quoteIdent(table))
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return 0, err
	}
	quoted := make([]string, len(cols))
	for i, c := range cols {
		quoted[i] = quoteIdent(c)
	}
	head := `INSERT INTO ` + quoteIdent(table) + ` (` + strings.Join(quoted, ", ") + `) OVERRIDING SYSTEM VALUE VALUES `
	perStmt := max(1, min(500, 60000/len(cols))) // PostgreSQL takes at most 65535 parameters
	var args []any
	var n, pending int64
	flush := func() error {
		if pending == 0 {
			return nil
		}
		var b strings.Builder
		b.WriteString(head)
		p := 0
		for r := int64(0); r < pending; r++ {
			if r > 0 {
				b.WriteString(", ")
			}
			b.WriteByte('(')
			for c := range cols {
				if c > 0 {
					b.WriteString(", ")
				}
				p++
				b.WriteString("$" + itoa(p))
			}
			b.WriteByte(')')
		}
		if _, err := to.ExecContext(ctx, b.String(), args...); err != nil {
			return err
		}
		args, pending = args[:0], 0
		return nil
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return n, err
		}
		for _, v := range vals {
			if b, ok := v.([]byte); ok { // TEXT read as bytes: PostgreSQL's column is text
				v = string(b)
			}
			args = append(args, v)
		}
		pending++
		n++
		if pending == int64(perStmt) {
			if err := flush(); err != nil {
				return n, err
			}
		}
	}
	if err := rows.Err(); err != nil {
		return n, err
	}
	return n, flush()
}

// resetIdentities moves every identity sequence of the target past the
// copied ids, so that the next user added gets a new one.
func resetIdentities(ctx context.Context, tx *sql.Tx) error {
	rows, err := tx.QueryContext(ctx, `SELECT table_name, column_name FROM information_schema.columns
		WHERE table_schema = current_schema() AND is_identity = 'YES'`)
	if err != nil {
		return err
	}
	type col struct{ table, column string }
	var cols []col
	for rows.Next() {
		var c col
		if err := rows.Scan(&c.table, &c.column); err != nil {
			rows.Close()
			return err
		}
		cols = append(cols, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, c := range cols {
		q := `SELECT setval(pg_get_serial_sequence($1, $2), COALESCE((SELECT MAX(` + quoteIdent(c.column) + `) FROM ` +
			quoteIdent(c.table) + `), 0) + 1, false)`
		if _, err := tx.ExecContext(ctx, q, c.table, c.column); err != nil {
			return fmt.Errorf("reset the ids of %s: %w", c.table, err)
		}
	}
	return nil
}
