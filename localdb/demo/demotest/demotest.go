// Package demotest opens the demo data set for benchmarks: 100,000
// contacts take minutes to seed, so the database is seeded once per test
// process, or once for many when REPDESK_BENCH_DEMO_DIR names a directory
// to keep it in.
package demotest

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"repdesk/localdb"
	"repdesk/localdb/demo"
)

// Now is "today" of the benchmark data sets.
var Now = time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)

var (
	mu    sync.Mutex
	built = map[int]string{} // contacts -> seeded database of this process
	temp  []string
)

// Store opens a private copy of the demo data set with this many contacts
// (seed 1, Now), closed when the benchmark ends.
func Store(tb testing.TB, contacts int) *localdb.Store {
	tb.Helper()
	src, err := seeded(tb, contacts)
	if err != nil {
		tb.Fatal(err)
	}
	dst := filepath.Join(tb.TempDir(), "bench.db")
	if err := copyFile(src, dst); err != nil {
		tb.Fatal(err)
	}
	s, err := localdb.Open(dst)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

// Cleanup removes the databases seeded in this process's temp dirs; call
// it from TestMain.
func Cleanup() {
	mu.Lock()
	defer mu.Unlock()
	for _, d := range temp {
		os.RemoveAll(d)
	}
}

func seeded(tb testing.TB, contacts int) (string, error) {
	mu.Lock()
	defer mu.Unlock()
	if p, ok := built[contacts]; ok {
		return p, nil
	}
	dir := os.Getenv("REPDESK_BENCH_DEMO_DIR")
	if dir == "" {
		d, err := os.MkdirTemp("", "repdesk-demo-bench-")
		if err != nil {
			return "", err
		}
		dir = d
		temp = append(temp, d)
	}
	// The schema version in the name: a cached database of an older schema
	// is not reused.
	path := filepath.Join(dir, fmt.Sprintf("demo-%d-schema%d.db", contacts, localdb.SchemaVersion()))
	if _, err := os.Stat(path); err == nil {
		built[contacts] = path
		return path, nil
	}
	start := time.Now()
	tmp := path + ".seeding"
	os.Remove(tmp)
	s, err := localdb.Open(tmp)
	if err != nil {
		return "", err
	}
	n, err := demo.Seed(context.Background(), s, demo.Options{Contacts: contacts, Seed: 1, Now: Now})
	if err == nil {
		_, err = s.DB().Exec(`PRAGMA wal_checkpoint(TRUNCATE)`)
	}
	if cerr := s.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", fmt.Errorf("seed demo data: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return "", err
	}
	tb.Logf("seeded %+v in %s", n, time.Since(start).Round(time.Second))
	built[contacts] = path
	return path, nil
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// ReportCPU reports the process's CPU time per operation of the benchmark
// loop that ran since start (a CPU() reading): on a shared machine the wall
// time says more about the neighbours than about the code.
func ReportCPU(b *testing.B, start time.Duration) {
	b.ReportMetric(float64((CPU()-start).Microseconds())/1000/float64(b.N), "cpu-ms/op")
}

// CPU is the CPU time this process used so far (user and system).
func CPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
