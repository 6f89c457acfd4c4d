package ui

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"github.com/stretchr/testify/require"

	"repdesk/localdb"
	"repdesk/localdb/demo"
)

const benchContacts = 100_000

// benchDB is a database with 100,000 demo contacts. Building it takes a few
// minutes, so it is kept in the temporary directory (per schema version)
// for the next run; REPDESK_BENCH_DB names an existing one instead.
var benchDB = sync.OnceValues(func() (string, error) {
	if p := os.Getenv("REPDESK_BENCH_DB"); p != "" {
		return p, nil
	}
	dir := filepath.Join(os.TempDir(), fmt.Sprintf("repdesk-ui-bench-s%d-%d", localdb.SchemaVersion(), benchContacts))
	path := filepath.Join(dir, "repdesk.db")
	if _, err := os.Stat(path); err == nil {
		return path, nil
	}
	tmp := filepath.Join(dir, "building.db")
	os.Remove(tmp)
	s, err := localdb.Open(tmp)
	if err != nil {
		return "", err
	}
	_, err = demo.Seed(context.Background(), s, demo.Options{Contacts: benchContacts, Seed: 1, Now: testNow})
	if err == nil {
		_, err = s.DB().Exec(`PRAGMA wal_checkpoint(TRUNCATE)`)
	}
	if cerr := s.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", err
	}
	return path, os.Rename(tmp, path)
})

func benchHarness(b *testing.B) *harness {
	b.Helper()
	path, err := benchDB()
	require.NoError(b, err)
	h := newHarness(b, harnessOpts{dbPath: path, welcomed: true})
	h.app.showID("contacts")
	h.idle()
	require.Len(b, h.app.contacts.list.rows, benchContacts)
	return h
}

// BenchmarkFirstFrame100k is start to first drawn window: the app is built
// on a database of 100,000 contacts and the window painted (software
// painter); the list loads afterwards, off the UI goroutine.
func BenchmarkFirstFrame100k(b *testing.B) {
	path, err := benchDB()
	require.NoError(b, err)
	for b.Loop() {
		fa := test.NewTempApp(b)
		fa.Preferences().SetBool(prefWelcomed, true)
		fa.Preferences().SetString(prefScreen, "contacts")
		fa.Preferences().SetString(prefLanguage, "en")
		store, err := localdb.Open(path)
		require.NoError(b, err)
		w := fa.NewWindow("RepDesk")
		queue := make(chan func(), 1<<14)
		a, err := newAppAt(fa, w, store, Options{}, func(f func()) { queue <- f }, time.Now)
		require.NoError(b, err)
		w.Resize(fyne.NewSize(1366, 768))
		img := w.Canvas().Capture()
		require.NotNil(b, img)
		b.StopTimer()
		a.close()
		for a.jobs.Load() > 0 { // let the loads end before the next round
			(<-queue)()
		}
		store.Close()
		b.StartTimer()
	}
}

// BenchmarkListNames100k and BenchmarkListDetails100k are the two steps
// that fill the contact list: names (the list is usable) and the rest.
func BenchmarkListNames100k(b *testing.B) {
	benchLoad(b, func(ctx context.Context, s *localdb.Store) (int, error) {
		rows, err := loadContactNames(ctx, s.DB())
		return len(rows), err
	})
}

func BenchmarkListDetails100k(b *testing.B) {
	benchLoad(b, func(ctx context.Context, s *localdb.Store) (int, error) {
		d, err := loadContactDetails(ctx, s.DB())
		return len(d), err
	})
}

func benchLoad(b *testing.B, load func(context.Context, *localdb.Store) (int, error)) {
	path, err := benchDB()
	require.NoError(b, err)
	s, err := localdb.Open(path)
	require.NoError(b, err)
	defer s.Close()
	for b.Loop() {
		n, err := load(context.Background(), s)
		require.NoError(b, err)
		require.Equal(b, benchContacts, n)
	}
}

// BenchmarkSearchKeystroke100k is a keystroke in the global search to its
// results applied to the window, with 100,000 contacts.
func BenchmarkSearchKeystroke100k(b *testing.B) {
	h := benchHarness(b)
	i := 0
	for b.Loop() {
		q := keystrokes[i%len(keystrokes)]
		i++
		h.app.search.entry.SetText(q)
		h.idle()
		if h.app.search.applied != q {
			b.Fatalf("results for %q, want %q", h.app.search.applied, q)
		}
	}
}

// BenchmarkFilterKeystroke100k is a keystroke in the contact list's filter
// to the filtered list, with 100,000 contacts.
func BenchmarkFilterKeystroke100k(b *testing.B) {
	h := benchHarness(b)
	l := h.app.contacts.list
	i := 0
	for b.Loop() {
		q := keystrokes[i%len(keystrokes)]
		i++
		l.entry.SetText(q)
		h.idle()
		if l.query != q {
			b.Fatalf("filtered for %q, want %q", l.query, q)
		}
	}
}

// BenchmarkListMemory100k reports the heap the app holds for 100,000
// contacts once the contact list is loaded (heap-MB): the heap after
// opening the window and loading, less the heap before.
func BenchmarkListMemory100k(b *testing.B) {
	heap := func() uint64 {
		var ms runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&ms)
		return ms.HeapAlloc
	}
	var grown uint64
	for b.Loop() {
		before := heap()
		h := benchHarness(b)
		grown = heap() - before
		runtime.KeepAlive(h)
	}
	b.ReportMetric(float64(grown)/(1<<20), "heap-MB")
}
