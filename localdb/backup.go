package localdb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"strings"

	"repdesk/localdb/sqlitefile"
)

// ErrNotRepDesk is returned by Restore for a file that is not a RepDesk
// database.
var ErrNotRepDesk = errors.New("not a RepDesk database")

// ErrInUse is returned by Restore while another process (the app) has the
// database open.
var ErrInUse = errors.New("the database is in use")

// Backup writes a consistent copy of the database to path while other
// connections keep writing (see sqlitefile.Backup); an existing path is
// refused, not overwritten.
func (s *Store) Backup(ctx context.Context, path string) error {
	if err := sqlitefile.Backup(ctx, s.db, path); err != nil {
		return fmt.Errorf("backup to %s: %w", path, err)
	}
	return nil
}

// RestoreResult says what Restore did.
type RestoreResult struct {
	// Previous is where the replaced database was moved ("" when there was
	// none).
	Previous string `json:"previous"`
	// Carried is the number of unpushed changes of the replaced database
	// that were carried into the restored one.
	Carried int `json:"carried"`
	// MarkedPushed is the number of changes pending in the backup that the
	// replaced database had pushed already (they are not pushed again).
	MarkedPushed int `json:"marked_pushed"`
	// Schema is the schema version of the backup as it was read.
	Schema int `json:"schema"`
}

// Restore replaces the database at dbPath by a copy of the backup file. It
// refuses a file that is not a RepDesk database, is damaged, or was written
// by a newer RepDesk, and a current database that another process has open.
// The current database is never lost: it is renamed to a timestamped .bak
// beside it. Its changes not yet pushed are carried into the restored
// database (journal entries with new mutation numbers above every number the
// current database used, and the records in their current state), so that
// restoring an older backup drops nothing the hub has not seen.
func Restore(ctx context.Context, dbPath, backupFile string) (RestoreResult, error) {
	var res RestoreResult
	tmp := dbPath + ".restoring"
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
	schema, err := checkRepDeskDB(ctx, tmp)
	if err != nil {
		return res, fmt.Errorf("restore %s: %w", backupFile, err)
	}
	res.Schema = schema

	restored, err := Open(tmp)
	if err != nil {
		return res, fmt.Errorf("restore %s: %w", backupFile, err)
	}
	defer restored.Close()
	if _, err := os.Stat(dbPath); err == nil {
		cur, err := Open(dbPath)
		if err != nil {
			return res, fmt.Errorf("restore: read the current database: %w", err)
		}
		err = carryUnpushed(ctx, cur, restored, &res)
		cur.Close()
		if err != nil {
			return res, fmt.Errorf("restore: carry unpushed changes: %w", err)
		}
		// Our connections are closed: one still open is the app's.
		if sqlitefile.InUse(dbPath) {
			return res, fmt.Errorf("restore: %s: %w (close RepDesk and try again)", dbPath, ErrInUse)
		}
		if res.Previous, err = sqlitefile.KeepAside(dbPath); err != nil {
			return res, fmt.Errorf("restore: keep the current database: %w", err)
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return res, fmt.Errorf("restore: %w", err)
	}
	if err := restored.Close(); err != nil {
		return res, fmt.Errorf("restore: %w", err)
	}
	if err := os.Rename(tmp, dbPath); err != nil {
		return res, fmt.Errorf("restore: %w", err)
	}
	ok = true
	return res, nil
}

// checkRepDeskDB checks that path is an intact RepDesk database that this
// build can open, and returns its schema version.
func checkRepDeskDB(ctx context.Context, path string) (int, error) {
	if err := sqlitefile.CheckHeader(path); err != nil {
		if errors.Is(err, sqlitefile.ErrNotSQLite) {
			return 0, fmt.Errorf("%w: %w", ErrNotRepDesk, err)
		}
		return 0, err
	}
	db, err := sql.Open("sqlite", fileURI(path))
	if err != nil {
		return 0, err
	}
	defer db.Close()
	var tables int
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM sqlite_schema WHERE type = 'table'
		AND name IN ('schema_migrations', 'journal', 'contacts')`).Scan(&tables); err != nil {
		return 0, fmt.Errorf("%w: %v", ErrNotRepDesk, err)
	}
	if tables != 3 {
		return 0, fmt.Errorf("%w: it lacks RepDesk's tables", ErrNotRepDesk)
	}
	applied, err := appliedMigrations(ctx, db)
	if err != nil {
		return 0, err
	}
	newest := 0
	for v := range applied {
		newest = max(newest, v)
	}
	if known := SchemaVersion(); newest > known {
		return newest, fmt.Errorf("schema %d, this build knows %d: %w; update RepDesk first", newest, known, ErrNewerSchema)
	}
	if err := sqlitefile.QuickCheck(ctx, db); err != nil {
		return newest, err
	}
	return newest, nil
}

// carriedEntry is an unpushed journal entry with its sync override.
type carriedEntry struct {
	opID, entity, recordID, op, fields, at string
	baseVersion                            int64
	syncOp                                 *carriedSyncOp
}

type carriedSyncOp struct{ op, conflict, resolution, bases string }

// carriedRecord is a record as the current database holds it, with the
// hub's view of it.
type carriedRecord struct {
	sp   *entitySpec
	row  *rowHolder
	sync []any // sync_records columns; nil when the record was never synced
}

// carryUnpushed copies the unpushed journal of cur, and the records it
// touches, into restored, and marks pushed what cur has pushed already.
func carryUnpushed(ctx context.Context, cur, restored *Store, res *RestoreResult) error {
	restoredPending, err := restored.PendingChanges(ctx, 0)
	if err != nil {
		return err
	}
	var entries []carriedEntry
	records := map[recordKey]*carriedRecord{}
	var lastSeq int64
	alreadyPushed := map[string]bool{} // op ids pending in restored, pushed by cur
	pendingInBoth := map[string]bool{} // op ids pending in both
	err = cur.Update(ctx, func(t *Tx) error {
		for _, c := range restoredPending {
			var pushedAt string
			err := t.queryRow(`SELECT pushed_at FROM journal WHERE op_id = ?`, c.OpID).Scan(&pushedAt)
			switch {
			case errors.Is(err, sql.ErrNoRows):
			case err != nil:
				return err
			case pushedAt != "":
				alreadyPushed[c.OpID] = true
			default:
				pendingInBoth[c.OpID] = true
			}
		}
		if err := t.queryRow(`SELECT COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'journal'), 0)`).Scan(&lastSeq); err != nil {
			return err
		}
		rows, err := t.query(`SELECT j.op_id, j.entity, j.record_id, j.op, j.fields, j.base_version, j.at,
			o.op, o.conflict, o.resolution, o.bases
			FROM journal j LEFT JOIN sync_ops o ON o.seq = j.seq WHERE j.pushed_at = '' ORDER BY j.seq`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var e carriedEntry
			var sop, sconflict, sres, sbases sql.NullString
			if err := rows.Scan(&e.opID, &e.entity, &e.recordID, &e.op, &e.fields, &e.baseVersion, &e.at,
				&sop, &sconflict, &sres, &sbases); err != nil {
				return err
			}
			if sop.Valid {
				e.syncOp = &carriedSyncOp{sop.String, sconflict.String, sres.String, sbases.String}
			}
			if !pendingInBoth[e.opID] {
				entries = append(entries, e)
			}
		}
		if err := rows.Err(); err != nil {
			return err
		}
		for _, e := range entries {
			key := recordKey{e.entity, e.recordID}
			sp, ok := specsByName[e.entity]
			if !ok || records[key] != nil {
				continue
			}
			h, err := t.load(sp, e.recordID)
			if err != nil {
				return err
			}
			cr := &carriedRecord{sp: sp, row: h}
			vals := make([]any, 4)
			ptrs := []any{&vals[0], &vals[1], &vals[2], &vals[3]}
			err = t.queryRow(`SELECT seq, versions, shadow, snap FROM sync_records WHERE entity = ? AND record_id = ?`,
				e.entity, e.recordID).Scan(ptrs...)
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return err
			}
			if err == nil {
				cr.sync = vals
			}
			records[key] = cr
		}
		return nil
	})
	if err != nil {
		return err
	}
	return restored.Update(ctx, func(t *Tx) error {
		for _, c := range restoredPending {
			if !alreadyPushed[c.OpID] {
				continue
			}
			if _, err := t.exec(`UPDATE journal SET pushed_at = ? WHERE op_id = ?`, formatTime(t.now), c.OpID); err != nil {
				return err
			}
			res.MarkedPushed++
		}
		// Mutation numbers continue above every number the current database
		// gave: the hub has seen those from this client id.
		if _, err := t.exec(`INSERT INTO sqlite_sequence (name, seq) SELECT 'journal', 0
			WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'journal')`); err != nil {
			return err
		}
		if _, err := t.exec(`UPDATE sqlite_sequence SET seq = MAX(seq, ?) WHERE name = 'journal'`, lastSeq); err != nil {
			return err
		}
		for key, cr := range records {
			if err := t.putRow(cr.sp, cr.row); err != nil {
				return fmt.Errorf("%s %s: %w", key.entity, key.id, err)
			}
			if cr.sync != nil {
				if _, err := t.exec(`INSERT OR REPLACE INTO sync_records (entity, record_id, seq, versions, shadow, snap)
					VALUES (?, ?, ?, ?, ?, ?)`, append([]any{key.entity, key.id}, cr.sync...)...); err != nil {
					return err
				}
			}
		}
		for _, e := range entries {
			r, err := t.exec(`INSERT INTO journal (op_id, entity, record_id, op, fields, base_version, at)
				VALUES (?, ?, ?, ?, ?, ?, ?)`, e.opID, e.entity, e.recordID, e.op, e.fields, e.baseVersion, e.at)
			if err != nil {
				return err
			}
			if e.syncOp != nil {
				seq, err := r.LastInsertId()
				if err != nil {
					return err
				}
				if _, err := t.exec(`INSERT INTO sync_ops (seq, op, conflict, resolution, bases) VALUES (?, ?, ?, ?, ?)`,
					seq, e.syncOp.op, e.syncOp.conflict, e.syncOp.resolution, e.syncOp.bases); err != nil {
					return err
				}
			}
			res.Carried++
		}
		return nil
	})
}

// putRow writes a record's stored row as h holds it (meta and columns),
// without journaling, and refreshes its search rows.
func (t *Tx) putRow(sp *entitySpec, h *rowHolder) error {
	vals := h.values()
	_, err := t.load(sp, h.id)
	switch {
	case err == nil:
		sets := []string{"created_at = ?", "updated_at = ?", "version = ?", "deleted = ?", "owner = ?"}
		args := []any{h.created, h.updated, h.version, h.deleted, h.owner}
		for i, c := range sp.cols {
			sets = append(sets, c.name+" = ?")
			args = append(args, vals[i])
		}
		if _, err := t.exec("UPDATE "+sp.table+" SET "+strings.Join(sets, ", ")+" WHERE id = ?", append(args, h.id)...); err != nil {
			return err
		}
	case isNotFound(err):
		args := append([]any{h.id, h.created, h.updated, h.version, h.deleted, h.owner}, vals...)
		res, err := t.exec(sp.insertSQL, args...)
		if err != nil {
			return err
		}
		if h.deleted == 0 {
			rid, err := res.LastInsertId()
			if err != nil {
				return err
			}
			if err := t.tagNew(sp, rid, vals); err != nil {
				return err
			}
		}
	default:
		return err
	}
	if err := t.reindex(sp, h.id); err != nil {
		return err
	}
	return t.companyChanged(sp, h.id)
}
