package importer

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	govcard "github.com/emersion/go-vcard"

	"repdesk/localdb"
	"repdesk/localdb/vcard"
)

// The benchmarks import generated files of 15-property cards (3.0, and 2.1
// quoted-printable as Android writes it) of 10,000 and 100,000 distinct
// people into a new database each time, and run the floor on the same file:
// go-vcard's Decoder plus a plain INSERT of each card's values into a simple
// table, in one transaction, without matching, journal or search index.
// cpu-s/op is the CPU time of a run (both goroutines of the import).
//
//	go test -tags ci,migrated_fynedo -run '^$' -bench . -count 5 ./localdb/importer
//
// x-floor is the import's time divided by the floor's. The 100,000-card runs
// happen in a child process each, so that peak-RSS-MB is that process's
// peak resident set (the whole test binary, SQLite's page cache included)
// and not the leftovers of earlier runs; the child collects garbage at
// localdb.GCPercent, as the repdesk binary does.

var benchSizes = []struct {
	name  string
	cards int
	child bool
}{{"10k", 10_000, false}, {"100k", 100_000, true}}

var benchVersions = []struct{ name, version string }{{"3.0", "3.0"}, {"2.1-QP", "2.1"}}

func BenchmarkImport(b *testing.B) { benchAll(b, "import") }

func BenchmarkFloor(b *testing.B) { benchAll(b, "floor") }

func benchAll(b *testing.B, mode string) {
	// Imports, and the floor beside them, run with the garbage collector's
	// target of the repdesk binary.
	defer debug.SetGCPercent(debug.SetGCPercent(localdb.GCPercent))
	for _, v := range benchVersions {
		for _, size := range benchSizes {
			b.Run(v.name+"/"+size.name, func(b *testing.B) {
				// The file is generated once per process, off the clock:
				// the first run used to include its writing.
				b.StopTimer()
				file := benchFile(b, size.cards, v.version)
				var rss int64
				var cpu, wall time.Duration
				for i := 0; i < b.N; i++ {
					dir := b.TempDir()
					if size.child {
						// The child times the import itself, from its open
						// database on, as runBench does here. The benchmark's
						// own clock runs too, for choosing b.N.
						b.StartTimer()
						childWall, childCPU, maxRSS := runChildBench(b, mode, file, dir)
						b.StopTimer()
						rss = max(rss, maxRSS)
						wall += childWall
						cpu += childCPU
						continue
					}
					before, started := cpuTime(), time.Time{}
					runBench(b, mode, file, dir, func() { started = time.Now(); b.StartTimer() })
					b.StopTimer()
					wall += time.Since(started)
					cpu += cpuTime() - before
				}
				perOp := wall / time.Duration(b.N)
				b.ReportMetric(float64(perOp.Nanoseconds()), "ns/op")
				b.ReportMetric(float64(size.cards)/perOp.Seconds(), "cards/s")
				// The machine's other load stretches the wall time; the CPU
				// time (both goroutines of the import) much less.
				b.ReportMetric(cpu.Seconds()/float64(b.N), "cpu-s/op")
				if rss > 0 {
					b.ReportMetric(float64(rss)/1024, "peak-RSS-MB")
				}
				if mode == "import" {
					b.ReportMetric(float64(perOp)/float64(floorTime(b, file)), "x-floor")
				}
			})
		}
	}
}

var (
	benchFilesMu sync.Mutex
	benchDir     string
	benchFiles   = map[string]string{}
	floorTimes   = map[string]time.Duration{}
)

// benchFile returns the path of a generated file, made once per process.
func benchFile(b *testing.B, cards int, version string) string {
	benchFilesMu.Lock()
	defer benchFilesMu.Unlock()
	key := fmt.Sprintf("%d-%s", cards, version)
	if p, ok := benchFiles[key]; ok {
		return p
	}
	if benchDir == "" {
		d, err := os.MkdirTemp("", "importer-bench-")
		if err != nil {
			b.Fatal(err)
		}
		benchDir = d // removed by TestMain
	}
	p := filepath.Join(benchDir, key+".vcf")
	f, err := os.Create(p)
	if err != nil {
		b.Fatal(err)
	}
	if err := vcard.GenerateTestCards(f, cards, version, 42); err != nil {
		b.Fatal(err)
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
	benchFiles[key] = p
	return p
}

// floorTime is the median of three floor runs on file, in this process.
func floorTime(b *testing.B, file string) time.Duration {
	benchFilesMu.Lock()
	defer benchFilesMu.Unlock()
	if d, ok := floorTimes[file]; ok {
		return d
	}
	var runs []time.Duration
	for range 3 {
		dir, err := os.MkdirTemp("", "importer-floor-")
		if err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		if err := floor(file, dir); err != nil {
			b.Fatal(err)
		}
		runs = append(runs, time.Since(start))
		os.RemoveAll(dir)
	}
	slices.Sort(runs)
	floorTimes[file] = runs[1]
	return runs[1]
}

// runBench runs one import or floor of file into a new database in dir;
// start is called once the database is open and the clock should run.
func runBench(b testing.TB, mode, file, dir string, start func()) {
	switch mode {
	case "floor":
		start()
		if err := floor(file, dir); err != nil {
			b.Fatal(err)
		}
	default:
		s, err := localdb.OpenTemp(dir)
		if err != nil {
			b.Fatal(err)
		}
		defer s.Close()
		f, err := os.Open(file)
		if err != nil {
			b.Fatal(err)
		}
		defer f.Close()
		start()
		rep, err := New(s, Options{}).Import(context.Background(), []Source{{Name: file, R: f}})
		if err != nil {
			b.Fatal(err)
		}
		if rep.Created == 0 || rep.Failed > 0 || rep.Merged > 0 {
			b.Fatalf("import of %s: %+v", file, tally(rep))
		}
	}
}

// cpuTime is the user and system CPU time of this process so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// runChildBench runs one import or floor in a child process and returns the
// time the run took (as the child measured it), the CPU time the child used
// and its peak resident set in KiB.
func runChildBench(b *testing.B, mode, file, dir string) (wall, cpu time.Duration, peakKiB int64) {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), fmt.Sprintf("%s=%s %s %s", envChildBench, mode, file, dir))
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		b.Fatalf("child %s: %v: %s", mode, err, out.String())
	}
	var secs float64
	var peak int64
	if _, err := fmt.Sscan(out.String(), &secs, &peak); err != nil {
		b.Fatalf("child %s: %v: %s", mode, err, out.String())
	}
	return time.Duration(secs * float64(time.Second)), cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime(), peak
}

// childBench is the child side of runChildBench: it prints the seconds the
// run took and the process's peak resident set in KiB. The peak is VmHWM of
// /proc/self/status, not the rusage maximum, which on Linux starts from the
// parent's peak: Go starts children with vfork, and exec carries the shared
// memory's high-water mark over.
func childBench(spec string) int {
	var mode, file, dir string
	if _, err := fmt.Sscan(spec, &mode, &file, &dir); err != nil {
		fmt.Println("child:", err)
		return 2
	}
	// The child measures the memory use of the repdesk binary: it runs with
	// its garbage collector's target.
	debug.SetGCPercent(localdb.GCPercent)
	var started time.Time
	runBench(childTB{}, mode, file, dir, func() { started = time.Now() })
	secs := time.Since(started).Seconds()
	peak, err := peakRSS()
	if err != nil {
		fmt.Println("child:", err)
		return 1
	}
	fmt.Println(secs, peak)
	return 0
}

// peakRSS reads VmHWM (KiB) from /proc/self/status.
func peakRSS() (int64, error) {
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(status), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			return strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
		}
	}
	return 0, errors.New("no VmHWM in /proc/self/status")
}

// childTB is the testing.TB of a child process: Fatal ends the process.
type childTB struct{ testing.TB }

func (childTB) Fatal(args ...any) { fmt.Println(args...); os.Exit(1) }
func (childTB) Fatalf(f string, args ...any) {
	fmt.Printf(f+"\n", args...)
	os.Exit(1)
}

// floor decodes file with go-vcard and inserts each card's values into a
// simple table in one transaction.
func floor(file, dir string) error {
	in, err := os.Open(file)
	if err != nil {
		return err
	}
	defer in.Close()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "floor.db")+
		"?_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)")
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := db.Exec(`CREATE TABLE cards (id INTEGER PRIMARY KEY, uid TEXT, fn TEXT, n TEXT, org TEXT,
		title TEXT, email1 TEXT, email2 TEXT, tel1 TEXT, tel2 TEXT, adr TEXT, bday TEXT, url TEXT, note TEXT,
		categories TEXT)`); err != nil {
		return err
	}
	tx, err := db.Begin()
	if err != nil {
		return err
	}
	defer tx.Rollback()
	st, err := tx.Prepare(`INSERT INTO cards (uid, fn, n, org, title, email1, email2, tel1, tel2, adr, bday, url,
		note, categories) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	dec := govcard.NewDecoder(in)
	for {
		c, err := dec.Decode()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		nth := func(k string, i int) string {
			if fs := c[k]; i < len(fs) {
				return fs[i].Value
			}
			return ""
		}
		if _, err := st.Exec(c.Value("UID"), c.Value("FN"), c.Value("N"), c.Value("ORG"), c.Value("TITLE"),
			nth("EMAIL", 0), nth("EMAIL", 1), nth("TEL", 0), nth("TEL", 1), c.Value("ADR"), c.Value("BDAY"),
			c.Value("URL"), c.Value("NOTE"), strings.Join(c.Values("CATEGORIES"), ",")); err != nil {
			return err
		}
	}
	return tx.Commit()
}
