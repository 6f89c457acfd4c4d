package forecast_test

import (
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"repdesk/localdb"
	"repdesk/localdb/demo"
	"repdesk/localdb/forecast"
)

// benchNow is "today" of the benchmark data set.
var benchNow = time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)

var (
	benchOnce sync.Once
	benchDir  string
	benchErr  error
)

// benchStore opens the demo data set of 100,000 contacts and 20,000 deals
// (with line items, calls and targets), seeded once per test process.
func benchStore(b *testing.B) *localdb.Store {
	b.Helper()
	benchOnce.Do(func() {
		if benchDir, benchErr = os.MkdirTemp("", "repdesk-forecast-bench-"); benchErr != nil {
			return
		}
		start := time.Now()
		s, err := localdb.Open(filepath.Join(benchDir, "bench.db"))
		if err != nil {
			benchErr = err
			return
		}
		n, err := demo.Seed(ctx, s, demo.Options{Contacts: 100_000, Seed: 1, Now: benchNow})
		benchErr = err
		if _, err := s.DB().Exec(`PRAGMA wal_checkpoint(TRUNCATE)`); err != nil && benchErr == nil {
			benchErr = err
		}
		if err := s.Close(); err != nil && benchErr == nil {
			benchErr = err
		}
		b.Logf("seeded %+v in %s", n, time.Since(start).Round(time.Second))
	})
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	s, err := localdb.Open(filepath.Join(benchDir, "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	return s
}

func TestMain(m *testing.M) {
	code := m.Run()
	if benchDir != "" {
		os.RemoveAll(benchDir)
	}
	os.Exit(code)
}

// BenchmarkDashboard computes everything the dashboard shows: the open
// pipeline by stage and close month, won this month, the targets with their
// progress and this week's calls.
func BenchmarkDashboard(b *testing.B) {
	s := benchStore(b)
	b.ResetTimer()
	for b.Loop() {
		f, err := forecast.Compute(ctx, s, forecast.Options{Now: benchNow})
		if err != nil {
			b.Fatal(err)
		}
		if len(f.Open) == 0 || len(f.Targets) == 0 || f.Calls.Calls == 0 {
			b.Fatalf("the data set lacks what the dashboard shows: %+v", f)
		}
	}
}
