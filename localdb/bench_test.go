package localdb

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"
)

const (
	benchContacts  = 100_000
	benchCompanies = 5_000
)

// benchDir holds the 100,000-contact database, built once per test process
// and removed by TestMain.
var (
	benchOnce sync.Once
	benchDir  string
	benchErr  error
)

// benchDB returns the path of the shared benchmark database.
func benchDB(b *testing.B) string {
	b.Helper()
	benchOnce.Do(func() {
		benchDir, benchErr = os.MkdirTemp("", "repdesk-bench-")
		if benchErr != nil {
			return
		}
		start := time.Now()
		s, err := Open(filepath.Join(benchDir, "bench.db"))
		if err != nil {
			benchErr = err
			return
		}
		benchErr = fillStore(s, 1, benchCompanies, benchContacts)
		// An app finishes the search index's merge work once it is idle
		// (see searchMergeIdle); the benchmarks start from that state.
		for more := true; more && benchErr == nil; {
			more, benchErr = s.mergeSearchStep(context.Background())
		}
		// Leave a checkpointed file behind, as a closed app would.
		if _, err := s.DB().Exec(`PRAGMA wal_checkpoint(TRUNCATE)`); err != nil && benchErr == nil {
			benchErr = err
		}
		if err := s.Close(); err != nil && benchErr == nil {
			benchErr = err
		}
		b.Logf("built %d contacts, %d companies in %s", benchContacts, benchCompanies, time.Since(start).Round(time.Millisecond))
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

// copyDB copies the benchmark database into dir, for benchmarks that write.
func copyDB(b *testing.B, src, dir string) string {
	b.Helper()
	dst := filepath.Join(dir, "copy.db")
	in, err := os.Open(src)
	if err != nil {
		b.Fatal(err)
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		b.Fatal(err)
	}
	if err := out.Close(); err != nil {
		b.Fatal(err)
	}
	return dst
}

// typedQueries are the keystrokes of a rep typing names, cities, phone
// numbers and e-mail fragments into the search box: every prefix of each.
func typedQueries() []string {
	words := []string{"müller", "mueller", "schmidt", "jürgen", "anna sch", "berlin", "münchen", "köln",
		"0171 2", "+49 151", "030 4", "schäfer", "thomas weber", "hoffmann", "zimmermann", "frankfurt",
		"yılmaz", "o'brien", "garcía", "logistik", "wartungsvertrag", "vip", "j.mue", "krüger", "sabine"}
	var qs []string
	for _, w := range words {
		r := []rune(w)
		for i := 1; i <= len(r); i++ {
			qs = append(qs, string(r[:i]))
		}
	}
	return qs
}

// longQuery reports whether every word of q is matched as a prefix against
// all fields, so that the benchmark's data set must have hits for it.
func longQuery(q string) bool {
	terms := parseQuery(q)
	return len(terms) > 0 && !slices.ContainsFunc(terms, func(t queryTerm) bool { return !t.long() })
}

func BenchmarkSearchAsYouType(b *testing.B) {
	path := benchDB(b)
	s, err := Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	qs := typedQueries()
	// Warm the page cache as a running app would have it.
	for _, q := range qs {
		if _, err := s.Search(ctx, q, SearchOptions{}); err != nil {
			b.Fatal(err)
		}
	}
	var lat []time.Duration
	for i := 0; b.Loop(); i++ {
		q := qs[i%len(qs)]
		start := time.Now()
		hits, err := s.Search(ctx, q, SearchOptions{})
		lat = append(lat, time.Since(start))
		if err != nil {
			b.Fatal(err)
		}
		if len(hits) == 0 && longQuery(q) {
			b.Fatalf("%q found nothing", q)
		}
	}
	b.StopTimer()
	slices.Sort(lat)
	pct := func(p float64) float64 {
		return float64(lat[min(len(lat)-1, int(float64(len(lat))*p))]) / float64(time.Millisecond)
	}
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
}

func BenchmarkCreateContactWithJournal(b *testing.B) {
	s, err := Open(copyDB(b, benchDB(b), b.TempDir()))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	companies, err := s.ListCompanies(ctx, CompanyFilter{Limit: 500})
	if err != nil {
		b.Fatal(err)
	}
	f := newFakeData(uint64(time.Now().UnixNano()))
	contacts := make([]*Contact, 0, 1000)
	for i := range cap(contacts) {
		contacts = append(contacts, f.contact(&companies[i%len(companies)]))
	}
	before, err := s.PendingCount(ctx)
	if err != nil {
		b.Fatal(err)
	}
	n := 0
	for b.Loop() {
		c := *contacts[n%len(contacts)]
		c.ID = ""
		if err := s.CreateContact(ctx, &c); err != nil {
			b.Fatal(err)
		}
		n++
	}
	b.StopTimer()
	after, err := s.PendingCount(ctx)
	if err != nil {
		b.Fatal(err)
	}
	if after-before != n {
		b.Fatalf("%d contacts created, %d journal entries", n, after-before)
	}
}

func BenchmarkOpen(b *testing.B) {
	path := benchDB(b)
	ctx := context.Background()
	for b.Loop() {
		s, err := Open(path)
		if err != nil {
			b.Fatal(err)
		}
		n, err := s.CountContacts(ctx)
		if err != nil {
			b.Fatal(err)
		}
		if n < benchContacts {
			b.Fatalf("%d contacts", n)
		}
		if err := s.Close(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSearchIndexWrite10k writes the search rows of 10,000 new contacts
// in one transaction into an empty store: what an import or a first sync
// pays for the search index alone (both FTS5 tables, as flushSearch writes
// them), beside the rows and journal entries.
func BenchmarkSearchIndexWrite10k(b *testing.B) {
	const n = 10_000
	f := newFakeData(1)
	docs := make([]searchDoc, n)
	for i := range docs {
		c := f.contact(nil)
		if err := c.normalizeIn("DE"); err != nil {
			b.Fatal(err)
		}
		c.FullName = c.GivenName + " " + c.FamilyName
		docs[i] = contactDoc(c, "DE")
		docs[i].setContactCompany(c, "")
	}
	sp := specsByName[EntityContact]
	ctx := context.Background()
	for b.Loop() {
		b.StopTimer()
		s, err := OpenTemp(b.TempDir())
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		err = s.Update(ctx, func(t *Tx) error {
			for i := range docs {
				t.searchWrites = append(t.searchWrites, searchWrite{op: searchInsertNew,
					rowid: searchRowid(sp, int64(i+1)), kind: sp.name, id: strconv.Itoa(i), doc: docs[i]})
			}
			return nil
		})
		b.StopTimer()
		if err != nil {
			b.Fatal(err)
		}
		if err := s.Close(); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
}
