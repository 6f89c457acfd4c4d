package hub

import (
	"context"
	"fmt"
	"time"
)

// Prune forgets what clients only need to catch up from old cursors:
// tombstones (without open conflicts), territory moves and resolved
// conflicts whose changes were made before cutoff. The horizon moves up to
// the last change before cutoff; older cursors then get 410. The change log
// stays: it is the record of who changed what. It returns the new horizon.
func (db *DB) Prune(ctx context.Context, cutoff time.Time) (int64, error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return 0, fmt.Errorf("prune: %w", err)
	}
	defer tx.Rollback()
	lock := `SELECT horizon FROM hub_counter WHERE id = 1`
	if db.dialect == dialectPostgres {
		lock += ` FOR UPDATE`
	}
	var horizon, newHorizon int64
	if err := tx.QueryRowContext(ctx, lock).Scan(&horizon); err != nil {
		return 0, fmt.Errorf("prune: %w", err)
	}
	if err := tx.QueryRowContext(ctx, db.q(`SELECT COALESCE(MAX(seq), 0) FROM hub_changes WHERE at < ?`),
		formatTime(cutoff)).Scan(&newHorizon); err != nil {
		return 0, fmt.Errorf("prune: %w", err)
	}
	if newHorizon <= horizon {
		return horizon, nil
	}
	for _, q := range []string{
		`DELETE FROM hub_records WHERE deleted = 1 AND seq <= ? AND NOT EXISTS (SELECT 1 FROM hub_conflicts c
			WHERE c.entity = hub_records.entity AND c.record_id = hub_records.id AND c.resolved_at = '')`,
		`DELETE FROM hub_moves WHERE seq <= ?`,
		`DELETE FROM hub_conflicts WHERE resolved_at <> '' AND seq <= ?`,
		`UPDATE hub_counter SET horizon = ? WHERE id = 1`,
	} {
		if _, err := tx.ExecContext(ctx, db.q(q), newHorizon); err != nil {
			return 0, fmt.Errorf("prune: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("prune: %w", err)
	}
	db.committed()
	return newHorizon, nil
}
