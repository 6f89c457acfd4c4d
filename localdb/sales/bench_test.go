package sales_test

import (
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"repdesk/localdb"
	"repdesk/localdb/demo"
	"repdesk/localdb/sales"
)

var (
	benchOnce sync.Once
	benchDir  string
	benchErr  error
)

// benchStore opens the demo data set of 100,000 contacts and 20,000 deals
// with their line items, seeded once per test process.
func benchStore(b *testing.B) *localdb.Store {
	b.Helper()
	benchOnce.Do(func() {
		if benchDir, benchErr = os.MkdirTemp("", "repdesk-sales-bench-"); benchErr != nil {
			return
		}
		start := time.Now()
		s, err := localdb.Open(filepath.Join(benchDir, "bench.db"))
		if err != nil {
			benchErr = err
			return
		}
		n, err := demo.Seed(ctx, s, demo.Options{Contacts: 100_000, Seed: 1, Now: time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)})
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

// BenchmarkSuggest suggests add-ons for the customer with the most won
// deals, counting co-purchases over every won deal's line items.
func BenchmarkSuggest(b *testing.B) {
	s := benchStore(b)
	var company string
	if err := s.DB().QueryRow(`SELECT company_id FROM deals WHERE stage = 'Won' AND deleted = 0
		GROUP BY company_id ORDER BY COUNT(*) DESC, company_id LIMIT 1`).Scan(&company); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		got, err := sales.Suggest(ctx, s, company, sales.SuggestOptions{})
		if err != nil {
			b.Fatal(err)
		}
		if len(got) == 0 {
			b.Fatal("no suggestions on the demo data set")
		}
	}
}
