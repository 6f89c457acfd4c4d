package localdb

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// After writes of many search rows the store finishes FTS5's merge work by
// itself once writes pause, so that the rep's next single writes do not pay
// for it; search finds everything afterwards.
func TestSearchMergeWorkIsDoneWhenIdle(t *testing.T) {
	idle := searchMergeIdle
	searchMergeIdle = 20 * time.Millisecond
	t.Cleanup(func() { searchMergeIdle = idle })
	s, _ := openTestStore(t)
	ctx := context.Background()
	for batch := range 12 { // a dozen segments: more than automerge's 8 per level
		require.NoError(t, s.Update(ctx, func(tx *Tx) error {
			for i := range searchMergeAfterRows {
				if err := tx.CreateContact(&Contact{FullName: fmt.Sprintf("Merle Bulk%d x%d", batch, i)}); err != nil {
					return err
				}
			}
			return nil
		}))
	}
	assert.Eventually(t, func() bool { return !s.searchMergeDue.Load() }, 10*time.Second, 10*time.Millisecond,
		"the merge work is done in the background")
	more, err := s.mergeSearchStep(ctx)
	require.NoError(t, err)
	assert.False(t, more, "nothing is left to merge")
	hits, err := s.Search(ctx, "Bulk11", SearchOptions{Limit: 500})
	require.NoError(t, err)
	assert.Len(t, hits, searchMergeAfterRows)
}
