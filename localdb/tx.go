package localdb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
)

// ErrStale is returned when a Record changed since the caller read it (its
// Version no longer matches); the caller reloads and applies its edit again.
var ErrStale = errors.New("record changed since it was read")

// Tx is one write transaction. Every change made through it is journaled in
// the same transaction.
type Tx struct {
	ctx context.Context
	tx  *sql.Tx
	s   *Store
	now time.Time

	companyNames map[string]string // cache for search documents within one batch
	stageList    []Stage           // cache of the pipeline within one batch
	stmts        map[string]*sql.Stmt
	batch        *ContactBatch // written out before the commit
	searchWrites []searchWrite // written out last before the commit
}

// Update runs fn in one write transaction: everything fn writes, with its
// journal entries, commits together or not at all.
func (s *Store) Update(ctx context.Context, fn func(*Tx) error) error {
	sqlTx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	// Rolls back when fn fails or panics; a no-op after Commit.
	defer sqlTx.Rollback()
	t := &Tx{ctx: ctx, tx: sqlTx, s: s, now: s.now().UTC()}
	if err := fn(t); err != nil {
		return err
	}
	if t.batch != nil {
		if err := t.batch.Flush(); err != nil {
			return err
		}
	}
	manySearchRows := len(t.searchWrites) >= searchMergeAfterRows
	if err := t.flushSearch(); err != nil {
		return err
	}
	if err := sqlTx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	if manySearchRows {
		s.searchMergeDue.Store(true)
	}
	s.committed()
	return nil
}

// Store returns the store this transaction writes to.
func (t *Tx) Store() *Store { return t.s }

// Context returns the transaction's context.
func (t *Tx) Context() context.Context { return t.ctx }

// SQL exposes the underlying transaction to sibling packages.
func (t *Tx) SQL() *sql.Tx { return t.tx }

// normalizer is implemented by records that tidy their fields before they are
// validated and written (E.164 phones, names from their parts, ...).
type normalizer interface{ normalize(t *Tx) error }

// validator is implemented by records with rules on their fields.
type validator interface{ validate() error }

// adjuster is implemented by records with rules that depend on whether the
// record is new and on how it is stored (a deal moved to another stage takes
// that stage's probability); stored is nil for a new record.
type adjuster interface {
	adjust(t *Tx, stored Record) error
}

// prepare normalizes and validates rec; stored is the record as stored for
// an update, nil for a create.
func (t *Tx) prepare(rec, stored Record) error {
	specOf(rec).composeStrings(rec)
	if n, ok := rec.(normalizer); ok {
		if err := n.normalize(t); err != nil {
			return err
		}
	}
	if a, ok := rec.(adjuster); ok {
		if err := a.adjust(t, stored); err != nil {
			return err
		}
	}
	if v, ok := rec.(validator); ok {
		if err := v.validate(); err != nil {
			return err
		}
	}
	return nil
}

// linker is implemented by records that point at other records.
type linker interface{ links() []link }

type link struct{ field, entity, id string }

func (t *Tx) checkLinks(rec Record) error {
	l, ok := rec.(linker)
	if !ok {
		return nil
	}
	for _, k := range l.links() {
		if k.entity == EntityCompany && k.id != "" {
			// The company's name, which the search row needs anyway, is
			// read live or not at all: one query instead of two.
			name, err := t.companyName(k.id)
			if err != nil {
				return err
			}
			if name != "" {
				continue
			}
		}
		if err := t.checkLink(k.field, k.entity, k.id); err != nil {
			return err
		}
	}
	return nil
}

// Create adds a new record of any entity (*Company, *Contact, *Deal, ...);
// rec gets its id, timestamps and version.
func (t *Tx) Create(rec Record) error {
	if err := t.checkLinks(rec); err != nil {
		return fmt.Errorf("create %s: %w", specOf(rec).name, err)
	}
	return t.create(rec)
}

// Save writes the fields of an existing record that changed.
func (t *Tx) Save(rec Record) error {
	if err := t.checkLinks(rec); err != nil {
		return fmt.Errorf("update %s: %w", specOf(rec).name, err)
	}
	return t.update(rec)
}

// Create adds a new record in its own transaction.
func (s *Store) Create(ctx context.Context, rec Record) error {
	return s.Update(ctx, func(t *Tx) error { return t.Create(rec) })
}

// Save writes a changed record in its own transaction.
func (s *Store) Save(ctx context.Context, rec Record) error {
	return s.Update(ctx, func(t *Tx) error { return t.Save(rec) })
}

// create inserts rec as a new record and journals every non-empty field.
func (t *Tx) create(rec Record) error {
	sp := specOf(rec)
	vals, err := t.prepareCreate(sp, rec)
	if err != nil {
		return err
	}
	m := rec.meta()
	args := append([]any{m.ID, formatTime(m.CreatedAt), formatTime(m.UpdatedAt), m.Version, 0, m.Owner}, vals...)
	res, err := t.exec(sp.insertSQL, args...)
	if err != nil {
		if strings.Contains(err.Error(), "UNIQUE constraint failed") {
			return fmt.Errorf("create %s: id %s exists already", sp.name, m.ID)
		}
		return fmt.Errorf("create %s: %w", sp.name, err)
	}
	rid, err := res.LastInsertId()
	if err != nil {
		return fmt.Errorf("create %s: %w", sp.name, err)
	}
	if err := t.tagNew(sp, rid, vals); err != nil {
		return fmt.Errorf("create %s: %w", sp.name, err)
	}
	if err := t.journalBody(sp.name, m.ID, OpCreate, sp.createFields(vals), 0); err != nil {
		return fmt.Errorf("create %s: %w", sp.name, err)
	}
	if err := t.indexNew(sp, rid, rec); err != nil {
		return fmt.Errorf("create %s: %w", sp.name, err)
	}
	return nil
}

// prepareCreate normalizes and validates a new record, gives it its id,
// timestamps, version and owner, and returns its stored column values.
func (t *Tx) prepareCreate(sp *entitySpec, rec Record) ([]any, error) {
	if err := t.prepare(rec, nil); err != nil {
		return nil, fmt.Errorf("create %s: %w", sp.name, err)
	}
	if err := t.stampNew(sp, rec.meta()); err != nil {
		return nil, err
	}
	vals, err := sp.encodeNew(rec)
	if err != nil {
		return nil, fmt.Errorf("create %s: %w", sp.name, err)
	}
	return vals, nil
}

// stampNew gives a new record of sp its id (a new one unless it has a
// UUID already), timestamps, version and owner.
func (t *Tx) stampNew(sp *entitySpec, m *Meta) error {
	if m.ID == "" {
		id, err := uuid.NewV7()
		if err != nil {
			return fmt.Errorf("create %s: new id: %w", sp.name, err)
		}
		m.ID = id.String()
	} else if _, err := uuid.Parse(m.ID); err != nil {
		return fmt.Errorf("create %s: %w", sp.name, &ValidationError{Field: "id", Value: m.ID, Problem: "not a UUID"})
	}
	m.CreatedAt, m.UpdatedAt, m.Version, m.Deleted = t.now, t.now, 1, false
	if m.Owner == "" {
		m.Owner = t.s.Owner()
	}
	return nil
}

// encodeNew returns the stored column values of a new, prepared record and
// leaves its lists empty, not nil, as reads return them.
func (sp *entitySpec) encodeNew(rec Record) ([]any, error) {
	vals, err := sp.encode(rec)
	if err != nil {
		return nil, err
	}
	sp.emptyLists(rec)
	return vals, nil
}

// createFields is the journal's fields object of a new record: its
// non-empty fields.
func (sp *entitySpec) createFields(vals []any) string {
	return sp.fieldsJSON(vals, func(i int) bool { return !isEmptyStored(&sp.cols[i], vals[i]) })
}

func isEmptyStored(c *column, v any) bool {
	switch c.kind {
	case colJSON:
		s := v.(string)
		return s == "[]" || s == "{}" || s == "null"
	case colInt, colBool:
		return v.(int64) == 0
	default:
		return v.(string) == ""
	}
}

// load reads the stored row of entity id, deleted or not.
func (t *Tx) load(sp *entitySpec, id string) (*rowHolder, error) {
	h := sp.newHolder()
	err := t.queryRow(sp.selectSQL+" WHERE id = ?", id).Scan(h.ptrs...)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("%s %s: %w", sp.name, id, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("load %s %s: %w", sp.name, id, err)
	}
	return h, nil
}

// update writes the fields of rec that differ from the stored record and
// journals just those. A record whose Version is set must still have that
// version in the database (ErrStale otherwise).
func (t *Tx) update(rec Record) error {
	sp := specOf(rec)
	m := rec.meta()
	old, err := t.load(sp, m.ID)
	if err != nil {
		return fmt.Errorf("update: %w", err)
	}
	if old.deleted != 0 {
		return fmt.Errorf("update: %s %s: %w", sp.name, m.ID, ErrNotFound)
	}
	if m.Version != 0 && m.Version != old.version {
		return fmt.Errorf("update %s %s: version %d, stored %d: %w", sp.name, m.ID, m.Version, old.version, ErrStale)
	}
	stored := newRecord(sp)
	if err := sp.fill(stored, old); err != nil {
		return fmt.Errorf("update %s: %w", sp.name, err)
	}
	if err := t.prepare(rec, stored); err != nil {
		return fmt.Errorf("update %s: %w", sp.name, err)
	}
	vals, err := sp.encode(rec)
	if err != nil {
		return fmt.Errorf("update %s: %w", sp.name, err)
	}
	changed := map[string]any{}
	for i, v := range old.values() {
		if v != vals[i] {
			changed[sp.cols[i].name] = vals[i]
		}
	}
	if len(changed) == 0 {
		return t.refill(sp, rec, old)
	}
	if err := t.patch(sp, m.ID, old.version, changed, true); err != nil {
		return fmt.Errorf("update %s: %w", sp.name, err)
	}
	h, err := t.load(sp, m.ID)
	if err != nil {
		return err
	}
	return t.refill(sp, rec, h)
}

func (t *Tx) refill(sp *entitySpec, rec Record, h *rowHolder) error {
	return sp.fill(rec, h)
}

// patch writes changed column values (stored form) to one Record, bumps its
// version and, when journaled, appends the change to the journal.
func (t *Tx) patch(sp *entitySpec, id string, baseVersion int64, changed map[string]any, journaled bool) error {
	sets := make([]string, 0, len(changed)+2)
	args := make([]any, 0, len(changed)+3)
	// Sorted, so that the same change is the same statement.
	for _, name := range slices.Sorted(maps.Keys(changed)) {
		sets = append(sets, name+" = ?")
		args = append(args, changed[name])
	}
	sets = append(sets, "version = version + 1", "updated_at = ?")
	args = append(args, formatTime(t.now), id)
	if _, err := t.exec("UPDATE "+sp.table+" SET "+strings.Join(sets, ", ")+" WHERE id = ?", args...); err != nil {
		return err
	}
	if journaled {
		vals := make([]any, len(sp.cols))
		for i := range sp.cols {
			vals[i] = changed[sp.cols[i].name]
		}
		fields := sp.fieldsJSON(vals, func(i int) bool { return vals[i] != nil })
		if err := t.journalBody(sp.name, id, OpPatch, fields, baseVersion); err != nil {
			return err
		}
	}
	if err := t.reindex(sp, id); err != nil {
		return err
	}
	if _, renamed := changed["name"]; renamed {
		return t.companyChanged(sp, id)
	}
	return nil
}

// remove marks a Record deleted (a tombstone kept for sync) and journals it.
func (t *Tx) remove(entity, id string) error {
	sp, err := specNamed(entity)
	if err != nil {
		return fmt.Errorf("delete: %w", err)
	}
	old, err := t.load(sp, id)
	if err != nil {
		return fmt.Errorf("delete: %w", err)
	}
	if old.deleted != 0 {
		return fmt.Errorf("delete: %s %s: %w", sp.name, id, ErrNotFound)
	}
	if _, err := t.exec("UPDATE "+sp.table+" SET deleted = 1, version = version + 1, updated_at = ? WHERE id = ?",
		formatTime(t.now), id); err != nil {
		return fmt.Errorf("delete %s %s: %w", sp.name, id, err)
	}
	if err := t.journal(sp.name, id, OpDelete, nil, old.version); err != nil {
		return fmt.Errorf("delete %s %s: %w", sp.name, id, err)
	}
	if err := t.unindex(sp, old.rid); err != nil {
		return fmt.Errorf("delete %s %s: %w", sp.name, id, err)
	}
	if err := t.companyChanged(sp, id); err != nil {
		return fmt.Errorf("delete %s %s: %w", sp.name, id, err)
	}
	return nil
}

// Delete marks the Record of entity with id deleted.
func (t *Tx) Delete(entity, id string) error { return t.remove(entity, id) }

// Delete marks one Record deleted, in its own transaction.
func (s *Store) Delete(ctx context.Context, entity, id string) error {
	return s.Update(ctx, func(t *Tx) error { return t.remove(entity, id) })
}

// get reads one live Record into rec (whose ID names it).
func (s *Store) get(ctx context.Context, q querier, rec Record, id string) error {
	sp := specOf(rec)
	h := sp.newHolder()
	err := q.QueryRowContext(ctx, sp.selectSQL+" WHERE id = ? AND deleted = 0", id).Scan(h.ptrs...)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%s %s: %w", sp.name, id, ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("get %s %s: %w", sp.name, id, err)
	}
	return sp.fill(rec, h)
}

// querier is what *sql.DB and *sql.Tx share.
type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// list runs a SELECT of sp with the given tail (WHERE/ORDER/LIMIT) and makes
// one record per row with newRec.
func list[T any, P interface {
	*T
	Record
}](ctx context.Context, q querier, tail string, args ...any) ([]T, error) {
	var zero T
	sp := specOf(P(&zero))
	rows, err := q.QueryContext(ctx, sp.selectSQL+" "+tail, args...)
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", sp.name, err)
	}
	defer rows.Close()
	var out []T
	h := sp.newHolder()
	for rows.Next() {
		if err := rows.Scan(h.ptrs...); err != nil {
			return nil, fmt.Errorf("list %s: %w", sp.name, err)
		}
		var rec T
		if err := sp.fill(P(&rec), h); err != nil {
			return nil, fmt.Errorf("list %s: %w", sp.name, err)
		}
		out = append(out, rec)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list %s: %w", sp.name, err)
	}
	return out, nil
}
