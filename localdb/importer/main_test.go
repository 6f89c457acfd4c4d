package importer

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"testing"

	"repdesk/localdb"
)

// The test binary doubles as a child process: the killed-import test and the
// memory benchmarks re-execute it with one of these variables set.
const (
	envChildImport = "IMPORTER_TEST_CHILD_IMPORT" // "DBDIR FILE BATCH": import, print progress
	envChildBench  = "IMPORTER_TEST_CHILD_BENCH"  // "MODE FILE DBDIR": one timed run, see bench_test.go
)

func TestMain(m *testing.M) {
	if spec := os.Getenv(envChildImport); spec != "" {
		os.Exit(childImport(spec))
	}
	if spec := os.Getenv(envChildBench); spec != "" {
		os.Exit(childBench(spec))
	}
	code := m.Run()
	if benchDir != "" {
		os.RemoveAll(benchDir)
	}
	os.Exit(code)
}

// childImport imports FILE into the database in DBDIR in batches of BATCH
// cards, printing "done N" after every committed batch.
func childImport(spec string) int {
	var dir, file, batch string
	if _, err := fmt.Sscan(spec, &dir, &file, &batch); err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		return 2
	}
	size, err := strconv.Atoi(batch)
	if err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		return 2
	}
	s, err := localdb.OpenTemp(dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		return 1
	}
	defer s.Close()
	f, err := os.Open(file)
	if err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		return 1
	}
	defer f.Close()
	im := New(s, Options{BatchSize: size, Progress: func(p Progress) { fmt.Printf("done %d\n", p.Done) }})
	if _, err := im.Import(context.Background(), []Source{{Name: file, R: f}}); err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		return 1
	}
	return 0
}
