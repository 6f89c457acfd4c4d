package localdb

import (
	"context"
	"errors"
	"fmt"
	"strconv"
)

// A first sync stores a large book without writing its search rows, which
// are most of the cost of each record; IndexPending writes them after. The
// mark "unindexed:<entity>" in sync_meta is the first rid that may lack its
// search rows: every live record from there on is (re)indexed, so records
// written meanwhile, indexed already, are harmless. The mark is written with
// the records, so a crash leaves nothing unindexed for good.

const unindexedPrefix = "unindexed:"

// markUnindexed notes that the record at rid was stored without its search
// rows.
func (ha *hubApplier) markUnindexed(sp *entitySpec, rid int64) error {
	if sp.kindCode == 0 || ha.unindexed[sp] {
		return nil
	}
	t := ha.t
	if _, err := t.SyncValue(unindexedPrefix + sp.name); errors.Is(err, ErrNotFound) {
		if err := t.SetSyncValue(unindexedPrefix+sp.name, strconv.FormatInt(rid, 10)); err != nil {
			return err
		}
	} else if err != nil {
		return err
	}
	if ha.unindexed == nil {
		ha.unindexed = map[*entitySpec]bool{}
	}
	ha.unindexed[sp] = true
	return nil
}

// IndexPending writes the search rows of up to limit records stored without
// them, in one transaction, and reports how many it wrote and whether any
// still wait. It does not count those: a count after every batch reads the
// rest of the table each time (a tenth of a 100,000-contact catch-up, and
// growing with the square of the book's size); UnindexedCount does, once.
func (s *Store) IndexPending(ctx context.Context, limit int) (indexed int, more bool, err error) {
	err = s.Update(ctx, func(t *Tx) error {
		indexed, more = 0, false
		for _, entity := range Entities() { // companies first: contacts and deals show their names
			sp := specsByName[entity]
			if sp.kindCode == 0 {
				continue
			}
			from, ok, err := t.unindexedFrom(sp)
			if err != nil {
				return err
			}
			if !ok {
				continue
			}
			asked := limit - indexed
			if asked == 0 {
				more = true
				continue
			}
			next, done, err := t.indexFrom(sp, from, asked)
			if err != nil {
				return fmt.Errorf("index %s: %w", entity, err)
			}
			indexed += done
			if done < asked { // none left
				if err := t.DeleteSyncValue(unindexedPrefix + entity); err != nil {
					return err
				}
				continue
			}
			more = true
			if err := t.SetSyncValue(unindexedPrefix+entity, strconv.FormatInt(next, 10)); err != nil {
				return err
			}
		}
		return nil
	})
	return indexed, more, err
}

// UnindexedCount is the number of records that may still lack search rows.
func (s *Store) UnindexedCount(ctx context.Context) (int, error) {
	var n int
	err := s.Update(ctx, func(t *Tx) error {
		var err error
		n, err = t.unindexedCount()
		return err
	})
	return n, err
}

func (t *Tx) unindexedFrom(sp *entitySpec) (int64, bool, error) {
	v, err := t.SyncValue(unindexedPrefix + sp.name)
	if errors.Is(err, ErrNotFound) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, err
	}
	from, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return 0, false, fmt.Errorf("sync value %s%s: %w", unindexedPrefix, sp.name, err)
	}
	return from, true, nil
}

func (t *Tx) unindexedCount() (int, error) {
	total := 0
	for _, entity := range Entities() {
		sp := specsByName[entity]
		from, ok, err := t.unindexedFrom(sp)
		if err != nil {
			return 0, err
		}
		if !ok {
			continue
		}
		var n int
		if err := t.queryRow(`SELECT COUNT(*) FROM `+sp.table+` WHERE rid >= ? AND deleted = 0`, from).Scan(&n); err != nil {
			return 0, fmt.Errorf("count unindexed %s records: %w", entity, err)
		}
		total += n
	}
	return total, nil
}

// indexFrom writes the search rows of up to limit live records from rid
// from on; it returns the rid to go on from and how many it indexed.
//
// "+deleted" keeps SQLite from reading through an index that starts with
// deleted (contacts_name, contacts_queue): that read every live record, and
// sorted them, for each batch. (unindexedCount's count is cheaper through
// such a narrow index than through the rows.)
func (t *Tx) indexFrom(sp *entitySpec, from int64, limit int) (next int64, done int, err error) {
	rows, err := t.query(sp.selectSQL+` WHERE rid >= ? AND +deleted = 0 ORDER BY rid LIMIT ?`, from, limit)
	if err != nil {
		return 0, 0, err
	}
	type row struct {
		rid int64
		rec Record
	}
	var batch []row
	h := sp.newHolder()
	for rows.Next() {
		if err := rows.Scan(h.ptrs...); err != nil {
			rows.Close()
			return 0, 0, err
		}
		rec := newRecord(sp)
		if err := sp.fill(rec, h); err != nil {
			rows.Close()
			return 0, 0, err
		}
		batch = append(batch, row{h.rid, rec})
	}
	if err := rows.Err(); err != nil {
		rows.Close()
		return 0, 0, err
	}
	rows.Close()
	for _, r := range batch {
		if err := t.index(sp, r.rid, r.rec); err != nil {
			return 0, 0, err
		}
		next = r.rid + 1
	}
	return next, len(batch), nil
}
