package forecast

import (
	"context"
	"fmt"

	"repdesk/localdb"
)

// Reps lists the reps a target can be set for, by name: the owners of live
// deals and the reps that have a target in any month.
func Reps(ctx context.Context, s *localdb.Store) ([]string, error) {
	rows, err := s.DB().QueryContext(ctx, `SELECT owner FROM deals WHERE deleted = 0 AND owner <> ''
		UNION SELECT rep FROM targets WHERE deleted = 0 AND rep <> '' ORDER BY 1 COLLATE NOCASE`)
	if err != nil {
		return nil, fmt.Errorf("reps: %w", err)
	}
	defer rows.Close()
	var reps []string
	for rows.Next() {
		var r string
		if err := rows.Scan(&r); err != nil {
			return nil, fmt.Errorf("reps: %w", err)
		}
		reps = append(reps, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reps: %w", err)
	}
	return reps, nil
}
