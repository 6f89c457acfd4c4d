package hub_test

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"repdesk/sync/hub/hubtest"
	"repdesk/sync/protocol"
)

// Two hubs serve one database; writers push to both at once while a puller
// follows the changes through both. The puller must see every record
// exactly once, in growing sequence order: the cursor skips nothing, even
// when transactions commit in another order than they started.
func TestTwoHubsConcurrentWritersAndPuller(t *testing.T) {
	hubtest.ForEachBackend(t, func(t *testing.T, backend string) {
		h1 := newHub(t, backend)
		h2 := hubtest.New(t, hubtest.Options{Share: h1})
		hubs := []*hubtest.Hub{h1, h2}
		writerToken := h1.AddUser("writer", protocol.RoleRep, "north")
		readerToken := h2.AddUser("reader", protocol.RoleManager)

		const writers, batches, perBatch = 6, 15, 10
		var done atomic.Bool
		var wg sync.WaitGroup
		errs := make(chan error, writers+1)
		created := make(chan string, writers*batches*perBatch)
		for w := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				c := hubs[w%2].Client(writerToken)
				for b := range batches {
					var ms []protocol.Mutation
					var ids []string
					for i := range perBatch {
						id := hubtest.NewID()
						ids = append(ids, id)
						ms = append(ms, c.Create("contact", id, map[string]any{"full_name": fmt.Sprintf("w%d b%d n%d", w, b, i)}))
					}
					resp, err := c.Push(ctx, ms...)
					if err != nil {
						errs <- fmt.Errorf("writer %d: %w", w, err)
						return
					}
					for i, r := range resp.Results {
						if r.Status != protocol.StatusApplied {
							errs <- fmt.Errorf("writer %d: mutation %d: %s %s", w, r.Number, r.Status, r.Reason)
							return
						}
						created <- ids[i]
					}
				}
			}()
		}

		seen := map[string]int{}
		var lastSeq int64
		pulls := 0
		readers := []*hubtest.Client{h1.Client(readerToken), h2.Client(readerToken)}
		var pullErr error
		pullDone := make(chan struct{})
		go func() {
			defer close(pullDone)
			var cursor int64
			for {
				finished := done.Load()
				for {
					page, err := readers[pulls%2].Pull(ctx, cursor, 25)
					pulls++
					if err != nil {
						pullErr = err
						return
					}
					for _, r := range page.Changes {
						if r.Seq <= lastSeq {
							pullErr = fmt.Errorf("seq %d after %d", r.Seq, lastSeq)
							return
						}
						lastSeq = r.Seq
						seen[r.ID]++
					}
					cursor = page.Cursor
					if !page.HasMore {
						break
					}
				}
				if finished {
					return
				}
			}
		}()
		wg.Wait()
		done.Store(true)
		<-pullDone
		close(errs)
		for err := range errs {
			require.NoError(t, err)
		}
		require.NoError(t, pullErr)
		close(created)
		n := 0
		for id := range created {
			n++
			assert.Equal(t, 1, seen[id], "record %s", id)
		}
		assert.Equal(t, writers*batches*perBatch, n)
		assert.Len(t, seen, n)
		assert.Greater(t, pulls, 2, "the puller ran alongside the writers")
		t.Logf("%d records, %d pulls", n, pulls)
	})
}
