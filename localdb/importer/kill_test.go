package importer

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"repdesk/localdb"
	"repdesk/localdb/vcard"
)

// TestKilledImport kills an import with SIGKILL between two of its
// progress reports, then checks that the database holds whole batches only
// and that running the import again completes it.
func TestKilledImport(t *testing.T) {
	const cards, batch = 1200, 100
	dir := t.TempDir()
	file := filepath.Join(dir, "big.vcf")
	f, err := os.Create(file)
	require.NoError(t, err)
	require.NoError(t, vcard.GenerateTestCards(f, cards, "3.0", 11))
	require.NoError(t, f.Close())
	dbDir := filepath.Join(dir, "db")

	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), fmt.Sprintf("%s=%s %s %d", envChildImport, dbDir, file, batch))
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	lines := bufio.NewScanner(out)
	reports := 0
	for lines.Scan() {
		if strings.HasPrefix(lines.Text(), "done ") {
			reports++
		}
		if reports == 2 {
			// The child is writing its third batch (or later) now.
			require.NoError(t, cmd.Process.Signal(syscall.SIGKILL))
			break
		}
	}
	err = cmd.Wait()
	var exit *exec.ExitError
	require.ErrorAs(t, err, &exit, "the child was killed, it did not finish")
	assert.Equal(t, syscall.SIGKILL, exit.Sys().(syscall.WaitStatus).Signal())

	ctx := context.Background()
	s, err := localdb.OpenTemp(dbDir)
	require.NoError(t, err)
	defer s.Close()
	verdict, err := s.IntegrityCheck(ctx)
	require.NoError(t, err)
	assert.Equal(t, "ok", verdict)
	n, err := s.CountContacts(ctx)
	require.NoError(t, err)
	assert.GreaterOrEqual(t, n, 2*batch)
	assert.Less(t, n, cards)
	assert.Zero(t, n%batch, "only whole batches were committed: %d contacts", n)
	journal, err := s.Journal(ctx, 0, 10*cards)
	require.NoError(t, err)
	created := 0
	for _, c := range journal {
		if c.Entity == localdb.EntityContact {
			assert.Equal(t, localdb.OpCreate, c.Op)
			created++
		}
	}
	assert.Equal(t, n, created, "every contact is journaled, and no journal entry lacks its contact")
	var indexed int
	require.NoError(t, s.DB().QueryRow(`SELECT COUNT(*) FROM search WHERE record_id IN (SELECT id FROM contacts)`).Scan(&indexed))
	assert.Equal(t, n, indexed, "every contact has its search row")

	in, err := os.Open(file)
	require.NoError(t, err)
	defer in.Close()
	rep, err := New(s, Options{BatchSize: batch}).Import(ctx, []Source{{Name: file, R: in}})
	require.NoError(t, err)
	assert.Equal(t, counts{Files: 1, Cards: cards, Created: cards - n, Unchanged: n}, tally(rep))
	total, err := s.CountContacts(ctx)
	require.NoError(t, err)
	assert.Equal(t, cards, total)
}
