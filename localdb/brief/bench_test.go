package brief_test

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"repdesk/localdb"
	"repdesk/localdb/brief"
	"repdesk/localdb/demo"
)

const benchContacts = 100_000

// benchDir holds the 100,000-contact demo database, seeded once per test
// process and removed by TestMain.
var (
	benchOnce sync.Once
	benchDir  string
	benchErr  error
)

func benchDB(b *testing.B) string {
	b.Helper()
	benchOnce.Do(func() {
		if benchDir, benchErr = os.MkdirTemp("", "repdesk-brief-bench-"); benchErr != nil {
			return
		}
		start := time.Now()
		s, err := localdb.Open(filepath.Join(benchDir, "bench.db"))
		if err != nil {
			benchErr = err
			return
		}
		_, benchErr = demo.Seed(context.Background(), s, demo.Options{Contacts: benchContacts, Seed: 1,
			Now: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)})
		if _, err := s.DB().Exec(`PRAGMA wal_checkpoint(TRUNCATE)`); err != nil && benchErr == nil {
			benchErr = err
		}
		if err := s.Close(); err != nil && benchErr == nil {
			benchErr = err
		}
		b.Logf("seeded %d demo contacts in %s", benchContacts, time.Since(start).Round(time.Millisecond))
	})
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	return filepath.Join(benchDir, "bench.db")
}

func TestMain(m *testing.M) {
	code := m.Run()
	if benchDir != "" {
		os.RemoveAll(benchDir)
	}
	os.Exit(code)
}

// BenchmarkBrief loads and renders the brief of the visit whose company has
// the most contacts in the 100,000-contact demo data: the goal is under
// 300 ms.
func BenchmarkBrief(b *testing.B) {
	ctx := context.Background()
	st, err := localdb.Open(benchDB(b))
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	var visitID string
	if err := st.DB().QueryRow(`SELECT v.id FROM visits v WHERE v.deleted = 0 AND v.company_id != ''
		ORDER BY (SELECT COUNT(*) FROM contacts c WHERE c.company_id = v.company_id) DESC, v.id LIMIT 1`).Scan(&visitID); err != nil {
		b.Fatal(err)
	}
	cpu0 := cpuTime()
	b.ResetTimer()
	for b.Loop() {
		br, err := brief.Load(ctx, st, visitID)
		if err != nil {
			b.Fatal(err)
		}
		if err := brief.Write(io.Discard, br, brief.Options{Lang: "de"}); err != nil {
			b.Fatal(err)
		}
	}
	// CPU time per brief: on a shared, loaded machine wall time mostly
	// measures waiting for a core.
	b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/1000/float64(b.N), "cpu-ms/op")
}

// cpuTime is the user and system CPU time of the process so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
