package localdb

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// testClock is a wall clock that advances one second each time it is read,
// so that every transaction of a test has its own, predictable time.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func newTestClock() *testClock {
	return &testClock{t: time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)}
}

func (c *testClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(time.Second)
	return c.t
}

// last is the time the clock returned last.
func (c *testClock) last() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// openTestStore opens a fresh database in the test's temp dir with a test
// clock, closed when the test ends.
func openTestStore(t *testing.T, opts ...Option) (*Store, *testClock) {
	t.Helper()
	clock := newTestClock()
	s, err := OpenTemp(t.TempDir(), append([]Option{WithClock(clock.now)}, opts...)...)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, s.Close()) })
	return s, clock
}

// rowCount counts the rows of a table, tombstones included.
func rowCount(t *testing.T, s *Store, table string) int {
	t.Helper()
	var n int
	require.NoError(t, s.DB().QueryRow(`SELECT COUNT(*) FROM `+table).Scan(&n))
	return n
}

// storedMeta reads the tombstone flag and version of a row, deleted or not.
func storedMeta(t *testing.T, s *Store, table, id string) (deleted bool, version int64) {
	t.Helper()
	require.NoError(t, s.DB().QueryRow(`SELECT deleted, version FROM `+table+` WHERE id = ?`, id).Scan(&deleted, &version))
	return deleted, version
}

// journalOf returns the journal entries of one record.
func journalOf(t *testing.T, s *Store, entity, id string) []Change {
	t.Helper()
	j, err := s.JournalFor(context.Background(), entity, id)
	require.NoError(t, err)
	return j
}

// searchTitles returns the titles of the hits for query, best first.
func searchTitles(t *testing.T, s *Store, query string, opts SearchOptions) []string {
	t.Helper()
	hits, err := s.Search(context.Background(), query, opts)
	require.NoError(t, err, query)
	titles := make([]string, len(hits))
	for i, h := range hits {
		titles[i] = h.Title
	}
	return titles
}
