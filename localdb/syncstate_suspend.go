package localdb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
)

// A first sync into an empty database stores its records without the
// secondary indexes of their tables: SQLite builds an index from the sorted
// rows several times faster than it inserts 100,000 rows one by one into
// each (contacts have seven). SuspendIndexes drops them and keeps their
// definitions in sync_meta, in the transaction of the snapshot's first page;
// RestoreIndexes creates them again in the transaction of the last page. A
// database opened while they are suspended (the snapshot was interrupted)
// gets them back at once (restoreSuspendedIndexes): they are missing only
// while the snapshot that dropped them runs, and queries meanwhile are
// slower, never wrong. Unique indexes are constraints, and indexes that
// queries name are needed: they stay.

// suspendedIndexesKey holds, in sync_meta, the definitions (CREATE INDEX
// statements) of the indexes SuspendIndexes dropped, as a JSON array.
const suspendedIndexesKey = "suspended_indexes"

// suspendedTables are the tables whose indexes a snapshot may suspend when
// they are empty, besides the entity tables: their rows come with the
// entities'.
var suspendedTables = map[string][]string{EntityContact: {"contact_tags"}}

// pinnedIndexes are never suspended: queries name them (INDEXED BY), and
// fail without them. TestIndexedByNamesPinnedIndexes keeps the list whole.
var pinnedIndexes = map[string]bool{"companies_queue": true, "companies_city": true, "companies_postal": true,
	"tasks_contact": true, "tasks_company": true}

// SuspendIndexes drops the non-unique indexes of the entity tables that
// hold no row, unless indexes are suspended already; it returns how many it
// dropped.
func (t *Tx) SuspendIndexes() (int, error) {
	if _, err := t.SyncValue(suspendedIndexesKey); err == nil {
		return 0, nil
	} else if !errors.Is(err, ErrNotFound) {
		return 0, err
	}
	var names, defs []string
	for _, entity := range Entities() {
		sp := specsByName[entity]
		some, err := t.holdsRows(sp)
		if err != nil {
			return 0, fmt.Errorf("suspend indexes: %w", err)
		}
		if some {
			continue
		}
		for _, table := range append([]string{sp.table}, suspendedTables[entity]...) {
			n, d, err := t.indexesOf(table)
			if err != nil {
				return 0, fmt.Errorf("suspend indexes of %s: %w", table, err)
			}
			names, defs = append(names, n...), append(defs, d...)
		}
	}
	if len(defs) == 0 {
		return 0, nil
	}
	body, err := json.Marshal(defs)
	if err != nil {
		return 0, fmt.Errorf("suspend indexes: %w", err)
	}
	if err := t.SetSyncValue(suspendedIndexesKey, string(body)); err != nil {
		return 0, err
	}
	for _, name := range names {
		if _, err := t.execUncached(`DROP INDEX "` + name + `"`); err != nil {
			return 0, fmt.Errorf("suspend index %s: %w", name, err)
		}
	}
	return len(names), nil
}

// HoldsNoRecords reports whether no entity table holds a row (deleted or
// not): a snapshot into such a store has nothing of its own to sweep.
func (t *Tx) HoldsNoRecords() (bool, error) {
	for _, entity := range Entities() {
		some, err := t.holdsRows(specsByName[entity])
		if err != nil {
			return false, fmt.Errorf("look for stored records: %w", err)
		}
		if some {
			return false, nil
		}
	}
	return true, nil
}

// holdsRows reports whether sp's table holds a row, deleted or not.
func (t *Tx) holdsRows(sp *entitySpec) (bool, error) {
	var some bool
	err := t.tx.QueryRowContext(t.ctx, `SELECT EXISTS (SELECT 1 FROM `+sp.table+`)`).Scan(&some)
	return some, err
}

// indexesOf lists the names and definitions of a table's non-unique
// indexes (those that SQLite makes for constraints have no definition).
func (t *Tx) indexesOf(table string) (names, defs []string, err error) {
	rows, err := t.tx.QueryContext(t.ctx, `SELECT name, sql FROM sqlite_schema
		WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL AND sql NOT LIKE 'CREATE UNIQUE%' ORDER BY name`, table)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var name, def string
		if err := rows.Scan(&name, &def); err != nil {
			return nil, nil, err
		}
		if !pinnedIndexes[name] {
			names, defs = append(names, name), append(defs, def)
		}
	}
	return names, defs, rows.Err()
}

// RestoreIndexes creates the indexes SuspendIndexes dropped, if any.
func (t *Tx) RestoreIndexes() error {
	return restoreIndexes(t.ctx, t.tx)
}

func restoreIndexes(ctx context.Context, tx querier) error {
	body, err := syncValue(ctx, tx, suspendedIndexesKey)
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	var defs []string
	if err := json.Unmarshal([]byte(body), &defs); err != nil {
		return fmt.Errorf("suspended indexes %.60q: %w", body, err)
	}
	for _, def := range defs {
		if _, err := tx.ExecContext(ctx, def); err != nil {
			return fmt.Errorf("restore index: %s: %w", def, err)
		}
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM sync_meta WHERE key = ?`, suspendedIndexesKey); err != nil {
		return fmt.Errorf("restore indexes: %w", err)
	}
	return nil
}

// restoreSuspendedIndexes creates indexes that an interrupted snapshot left
// suspended, before the migrations, which may expect them.
func restoreSuspendedIndexes(ctx context.Context, db *sql.DB) error {
	var n int
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM sqlite_schema WHERE type = 'table' AND name = 'sync_meta'`).Scan(&n); err != nil {
		return fmt.Errorf("restore suspended indexes: %w", err)
	}
	if n == 0 {
		return nil // a new database
	}
	if _, err := syncValue(ctx, db, suspendedIndexesKey); errors.Is(err, ErrNotFound) {
		return nil
	} else if err != nil {
		return fmt.Errorf("restore suspended indexes: %w", err)
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("restore suspended indexes: %w", err)
	}
	defer tx.Rollback()
	if err := restoreIndexes(ctx, tx); err != nil {
		return fmt.Errorf("restore suspended indexes: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("restore suspended indexes: %w", err)
	}
	return nil
}
