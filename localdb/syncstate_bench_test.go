package localdb_test

import (
	"encoding/json"
	"fmt"
	"syscall"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"repdesk/localdb"
)

// snapshotPages makes n contacts as a hub snapshot sends them, in pages.
func snapshotPages(n, pageSize int) [][]localdb.HubRecord {
	var pages [][]localdb.HubRecord
	at := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	for start := 0; start < n; start += pageSize {
		page := make([]localdb.HubRecord, 0, pageSize)
		for i := start; i < min(n, start+pageSize); i++ {
			seq := int64(i + 1)
			f := map[string]json.RawMessage{
				"full_name": json.RawMessage(fmt.Sprintf(`"Kari Nordmann %06d"`, i)), "given_name": json.RawMessage(`"Kari"`),
				"family_name": json.RawMessage(fmt.Sprintf(`"Nordmann %06d"`, i)), "title": json.RawMessage(`"Head of Purchasing"`),
				"emails":    json.RawMessage(fmt.Sprintf(`[{"address":"kari.%06d@example.com","type":"work","primary":true}]`, i)),
				"phones":    json.RawMessage(`[{"number":"+47 22 12 34 56","type":"work","e164":"+4722123456"}]`),
				"addresses": json.RawMessage(fmt.Sprintf(`[{"type":"work","street":"Storgata 1","postal_code":"0%03d","city":"Oslo","country":"NO"}]`, i%1000)),
				"tags":      json.RawMessage(`["key-account","north"]`), "notes": json.RawMessage(`"Prefers calls before ten."`),
				"lead_status": json.RawMessage(`"qualified"`), "source": json.RawMessage(`"trade fair"`),
			}
			versions := []byte("{")
			first := true
			for name := range f {
				if !first {
					versions = append(versions, ',')
				}
				first = false
				versions = fmt.Appendf(versions, "%q:%d", name, seq)
			}
			versions = append(versions, '}')
			page = append(page, localdb.HubRecord{Op: localdb.HubUpsert, Entity: localdb.EntityContact,
				ID: uuid.Must(uuid.NewV7()).String(), Seq: seq, Owner: "anna", CreatedAt: at, UpdatedAt: at,
				Fields: f, RawVersions: versions})
		}
		pages = append(pages, page)
	}
	return pages
}

func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}

// BenchmarkApplySnapshot100k is the work of the goroutine that stores a
// first sync of 100,000 contacts, the critical path of FirstSync100k in
// sync/client: pages of 5,000 (the client's page size), their records
// prepared beforehand (the client's fetching goroutine does that, off this
// one's clock), secondary indexes suspended by the first page and built
// again by the last, search rows deferred.
func BenchmarkApplySnapshot100k(b *testing.B) {
	pages := snapshotPages(100_000, 5_000)
	var cpu float64
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		s, err := localdb.OpenTemp(b.TempDir())
		require.NoError(b, err)
		for _, page := range pages {
			require.NoError(b, localdb.PrepareHubRecords(page))
		}
		b.StartTimer()
		start := cpuSeconds()
		for i, page := range pages {
			require.NoError(b, s.Update(bg, func(tx *localdb.Tx) error {
				if i == 0 {
					if _, err := tx.SuspendIndexes(); err != nil {
						return err
					}
				}
				if err := tx.ApplyHubRecords(page, nil, localdb.ApplyOptions{SnapshotGen: 1, DeferIndex: true}); err != nil {
					return err
				}
				if i == len(pages)-1 {
					return tx.RestoreIndexes()
				}
				return nil
			}))
		}
		cpu += cpuSeconds() - start
		b.StopTimer()
		n, err := s.CountContacts(bg)
		require.NoError(b, err)
		require.Equal(b, 100_000, n)
		s.Close()
		b.StartTimer()
	}
	b.ReportMetric(cpu/float64(b.N), "cpu-s/op")
}

// applySnapshotPages stores pages as a first sync does: one transaction
// each, search rows deferred.
func applySnapshotPages(b *testing.B, s *localdb.Store, pages [][]localdb.HubRecord) {
	for _, page := range pages {
		require.NoError(b, s.Update(bg, func(tx *localdb.Tx) error {
			return tx.ApplyHubRecords(page, nil, localdb.ApplyOptions{SnapshotGen: 1, DeferIndex: true})
		}))
	}
}

// BenchmarkIndexPending100k writes the search rows of 100,000 contacts that
// a first sync stored without them, in the batches the sync client uses
// (2,000 per transaction).
func BenchmarkIndexPending100k(b *testing.B) {
	pages := snapshotPages(100_000, 20_000)
	var cpu float64
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		s, err := localdb.OpenTemp(b.TempDir())
		require.NoError(b, err)
		applySnapshotPages(b, s, pages)
		b.StartTimer()
		start := cpuSeconds()
		for more := true; more; {
			_, more, err = s.IndexPending(bg, 2000)
			require.NoError(b, err)
		}
		cpu += cpuSeconds() - start
		b.StopTimer()
		hits, err := s.Search(bg, "Nordmann 099999", localdb.SearchOptions{})
		require.NoError(b, err)
		require.NotEmpty(b, hits)
		s.Close()
		b.StartTimer()
	}
	b.ReportMetric(cpu/float64(b.N), "cpu-s/op")
}
