package calls_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"repdesk/localdb"
	"repdesk/localdb/calls"
	"repdesk/localdb/demo"
)

const benchContacts = 100_000

// benchNow is "today" of the benchmark's demo data.
var benchNow = time.Date(2026, 3, 6, 10, 0, 0, 0, time.UTC)

var (
	benchOnce sync.Once
	benchPath string
	benchErr  error
)

// benchDB returns the 100,000-contact demo database (20,000 deals). Seeding
// takes minutes, so it is kept in the temp directory across benchmark runs,
// named after the schema version so that a new migration seeds it again.
func benchDB(b *testing.B) string {
	b.Helper()
	benchOnce.Do(func() {
		benchPath = filepath.Join(os.TempDir(), fmt.Sprintf("repdesk-calls-bench-%d-schema%d.db", benchContacts, localdb.SchemaVersion()))
		if _, err := os.Stat(benchPath); err == nil {
			return
		}
		start := time.Now()
		tmp := benchPath + ".seeding"
		os.Remove(tmp)
		s, err := localdb.Open(tmp)
		if err != nil {
			benchErr = err
			return
		}
		_, benchErr = demo.Seed(context.Background(), s, demo.Options{Contacts: benchContacts, Seed: 1, Now: benchNow})
		if _, err := s.DB().Exec(`PRAGMA wal_checkpoint(TRUNCATE)`); err != nil && benchErr == nil {
			benchErr = err
		}
		if err := s.Close(); err != nil && benchErr == nil {
			benchErr = err
		}
		if benchErr == nil {
			benchErr = os.Rename(tmp, benchPath)
		}
		b.Logf("seeded %d demo contacts in %s", benchContacts, time.Since(start).Round(time.Millisecond))
	})
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	return benchPath
}

// BenchmarkBuildQueue builds call queues on 100,000 demo contacts and
// 20,000 deals, as the queue screen and `repdesk queue` do.
func BenchmarkBuildQueue(b *testing.B) {
	s, err := localdb.Open(benchDB(b))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	for _, bc := range []struct {
		name   string
		filter localdb.QueueFilter
	}{
		{"status=new", localdb.QueueFilter{LeadStatus: []string{localdb.LeadNew}}},
		{"due-today", localdb.QueueFilter{DueToday: true}},
		{"city=Berlin", localdb.QueueFilter{City: "Berlin"}},
		{"postal=8", localdb.QueueFilter{PostalPrefix: "8"}},
		{"tag+status+owner", localdb.QueueFilter{Tags: []string{"VIP"}, LeadStatus: []string{localdb.LeadNew, localdb.LeadContacted}, Owner: "me"}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			var n int
			for b.Loop() {
				q, err := calls.Build(context.Background(), s, bc.filter, calls.Options{Now: benchNow, Location: time.UTC})
				if err != nil {
					b.Fatal(err)
				}
				n = len(q)
			}
			b.ReportMetric(float64(n), "entries")
		})
	}
}
