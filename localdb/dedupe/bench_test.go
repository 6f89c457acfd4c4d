package dedupe_test

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"repdesk/localdb"
	"repdesk/localdb/dedupe"
	"repdesk/localdb/demo"
	"repdesk/sync/hub/hubtest"
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
		if benchDir, benchErr = os.MkdirTemp("", "repdesk-dedupe-bench-"); benchErr != nil {
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

// BenchmarkFindDuplicates finds duplicate contacts on the 100,000-contact
// demo set, as `repdesk duplicates` does.
func BenchmarkFindDuplicates(b *testing.B) {
	s, err := localdb.Open(benchDB(b))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	var pairs int
	cpu := hubtest.CPUSeconds()
	for b.Loop() {
		ps, err := dedupe.FindContacts(ctx, s)
		if err != nil {
			b.Fatal(err)
		}
		pairs = len(ps)
	}
	// On a shared machine the processor time says more than the wall clock.
	b.ReportMetric((hubtest.CPUSeconds()-cpu)/float64(b.N), "cpu-s/op")
	b.ReportMetric(float64(pairs), "pairs")
}

// BenchmarkFindDuplicateCompanies does the same for the set's 10,000
// companies (`repdesk duplicates --companies`).
func BenchmarkFindDuplicateCompanies(b *testing.B) {
	s, err := localdb.Open(benchDB(b))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	var pairs int
	cpu := hubtest.CPUSeconds()
	for b.Loop() {
		ps, err := dedupe.FindCompanies(ctx, s)
		if err != nil {
			b.Fatal(err)
		}
		pairs = len(ps)
	}
	// On a shared machine the processor time says more than the wall clock.
	b.ReportMetric((hubtest.CPUSeconds()-cpu)/float64(b.N), "cpu-s/op")
	b.ReportMetric(float64(pairs), "pairs")
}
