package localdb

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// Writes leave the copying of the WAL into the database to the background
// checkpointer: after a burst of commits it runs, Close stops it, and what
// was written is there when the database is opened again.
func TestBackgroundCheckpoint(t *testing.T) {
	s, _ := openTestStore(t)
	ctx := context.Background()
	for i := range 20 {
		require.NoError(t, s.CreateContact(ctx, &Contact{FullName: fmt.Sprintf("Anna Schmidt %d", i)}))
	}
	// Generous: the checkpointer waits checkpointDelay after the last
	// commit; a loaded machine may take longer.
	deadline := time.Now().Add(30 * time.Second)
	for s.checkpoints.Load() == 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	require.Positive(t, s.checkpoints.Load(), "no background checkpoint ran")

	require.NoError(t, s.Close())
	require.NoError(t, s.Close(), "closing twice")
	s2, err := Open(s.Path())
	require.NoError(t, err)
	defer s2.Close()
	n, err := s2.CountContacts(ctx)
	require.NoError(t, err)
	require.Equal(t, 20, n)
}
