package localdb

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	crashChildEnv  = "REPDESK_CRASH_CHILD_DB"
	crashBatches   = 50
	crashBatchSize = 2000
)

// TestCrashChild is the process TestCrashSafety kills: it writes batches of
// contacts, one transaction each, and says so after every commit.
func TestCrashChild(t *testing.T) {
	path := os.Getenv(crashChildEnv)
	if path == "" {
		t.Skip("the child process of TestCrashSafety")
	}
	ctx := context.Background()
	s, err := Open(path)
	require.NoError(t, err)
	f := newFakeData(uint64(os.Getpid()))
	for b := 1; b <= crashBatches; b++ {
		fmt.Printf("begin %d\n", b)
		require.NoError(t, s.Update(ctx, func(tx *Tx) error {
			for range crashBatchSize {
				if err := tx.CreateContact(f.contact(nil)); err != nil {
					return err
				}
			}
			return nil
		}))
		fmt.Printf("committed %d\n", b)
	}
	require.NoError(t, s.Close())
}

func TestCrashSafety(t *testing.T) {
	if testing.Short() {
		t.Skip("writes batches until killed")
	}
	path := filepath.Join(t.TempDir(), "crash.db")
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), crashChildEnv+"="+path)
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	cmd.Stderr = os.Stderr
	require.NoError(t, cmd.Start())

	lines := make(chan string)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	// Wait for the first commit, then kill the child part-way through the
	// second batch, at a random point of the time the first one took.
	committed := 0
	var started, firstCommit time.Time
	deadline := time.After(5 * time.Minute)
	for committed == 0 {
		select {
		case line, ok := <-lines:
			require.True(t, ok, "the child ended before its first commit")
			switch {
			case line == "begin 1":
				started = time.Now()
			case line == "committed 1":
				committed, firstCommit = 1, time.Now()
			}
		case <-deadline:
			require.NoError(t, cmd.Process.Kill())
			t.Fatal("no commit within 5 minutes")
		}
	}
	batch := firstCommit.Sub(started)
	kill := time.After(time.Duration(float64(batch) * (0.2 + 0.6*rand.Float64())))
	for waiting := true; waiting; {
		select {
		case line, ok := <-lines:
			if ok && strings.HasPrefix(line, "committed ") {
				committed++
			}
		case <-kill:
			require.NoError(t, cmd.Process.Kill())
			waiting = false
		}
	}
	err = cmd.Wait()
	var exit *exec.ExitError
	require.True(t, errors.As(err, &exit), "the child was killed, it did not finish: %v", err)
	for line := range lines {
		if strings.HasPrefix(line, "committed ") {
			committed++ // reported before the kill, read after it
		}
	}
	t.Logf("killed after %d committed batches (a batch took %s)", committed, batch.Round(time.Millisecond))

	ctx := context.Background()
	s, err := Open(path)
	require.NoError(t, err)
	defer s.Close()
	verdict, err := s.IntegrityCheck(ctx)
	require.NoError(t, err)
	assert.Equal(t, "ok", verdict)
	for _, table := range []string{"search", "search_name"} {
		_, err := s.DB().Exec(`INSERT INTO ` + table + `(` + table + `, rank) VALUES ('integrity-check', 0)`)
		assert.NoError(t, err, "the %s index matches its rows", table)
	}

	contacts := rowCount(t, s, "contacts")
	assert.Zero(t, contacts%crashBatchSize, "a batch is all or nothing: %d contacts", contacts)
	assert.GreaterOrEqual(t, contacts, committed*crashBatchSize, "every reported commit survived")
	assert.LessOrEqual(t, contacts, (committed+1)*crashBatchSize)

	query := func(q string) int {
		var n int
		require.NoError(t, s.DB().QueryRow(q).Scan(&n))
		return n
	}
	assert.Equal(t, contacts, query(`SELECT COUNT(*) FROM journal`), "one journal entry per contact")
	assert.Zero(t, query(`SELECT COUNT(*) FROM contacts c WHERE
		(SELECT COUNT(*) FROM journal j WHERE j.entity = 'contact' AND j.record_id = c.id AND j.op = 'create') != 1`),
		"every contact has exactly its create entry")
	assert.Zero(t, query(`SELECT COUNT(*) FROM journal j WHERE NOT EXISTS (SELECT 1 FROM contacts c WHERE c.id = j.record_id)`),
		"no journal entry without its row")
	assert.Equal(t, contacts, query(fmt.Sprintf(`SELECT COUNT(*) FROM search WHERE rowid >= %d`, int64(specsByName[EntityContact].kindCode)<<searchKindShift)),
		"one search row per contact")

	// The store works on: a new contact is written, journaled and found.
	c := &Contact{FullName: "Nach Dem Absturz"}
	require.NoError(t, s.CreateContact(ctx, c))
	assert.Equal(t, []string{"Nach Dem Absturz"}, searchTitles(t, s, "absturz", SearchOptions{}))
	assert.Len(t, journalOf(t, s, EntityContact, c.ID), 1)
}
