package calls_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"repdesk/localdb"
)

// berlin is the rep's time zone in these tests.
var berlin = mustLocation("Europe/Berlin")

func mustLocation(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// friday is 10:00 on Friday, 6 March 2026, in Berlin.
var friday = time.Date(2026, 3, 6, 10, 0, 0, 0, berlin)

// clock is a wall clock the test sets; every read is one second later, so
// that records have distinct times.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(time.Second)
	return c.t
}

func (c *clock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// openStore opens a fresh database whose clock starts at friday.
func openStore(t *testing.T) (*localdb.Store, *clock) {
	t.Helper()
	c := &clock{t: friday}
	s, err := localdb.OpenTemp(t.TempDir(), localdb.WithClock(c.now), localdb.WithOwner("anna"))
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, s.Close()) })
	return s, c
}

// contactWith creates a contact; edit fills in its fields.
func contactWith(t *testing.T, s *localdb.Store, name string, edit func(c *localdb.Contact)) *localdb.Contact {
	t.Helper()
	c := &localdb.Contact{FullName: name, Phones: []localdb.Phone{{Number: "+49 30 1234567", Type: localdb.PhoneWork}}}
	if edit != nil {
		edit(c)
	}
	require.NoError(t, s.CreateContact(context.Background(), c))
	return c
}

// update runs fn in one transaction and fails the test on an error.
func update(t *testing.T, s *localdb.Store, fn func(tx *localdb.Tx) error) {
	t.Helper()
	require.NoError(t, s.Update(context.Background(), fn))
}

// journaled lists "entity op" of every journal entry of one record.
func journaled(t *testing.T, s *localdb.Store, entity, id string) []string {
	t.Helper()
	j, err := s.JournalFor(context.Background(), entity, id)
	require.NoError(t, err)
	var out []string
	for _, c := range j {
		out = append(out, c.Entity+" "+c.Op)
	}
	return out
}

// openTasks returns the contact's open tasks by due date.
func openTasks(t *testing.T, s *localdb.Store, contactID string) []localdb.Task {
	t.Helper()
	ts, err := s.Tasks(context.Background(), localdb.TaskFilter{ContactID: contactID})
	require.NoError(t, err)
	return ts
}
