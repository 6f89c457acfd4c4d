package dedupe_test

import (
	"os"
	"testing"

	"repdesk/localdb/dedupe"
	"repdesk/localdb/demo/demotest"
)

func TestMain(m *testing.M) {
	code := m.Run()
	demotest.Cleanup()
	os.Exit(code)
}

// BenchmarkFindDuplicates finds duplicate contacts on the 100,000-contact
// demo set, as `repdesk duplicates` does.
func BenchmarkFindDuplicates(b *testing.B) {
	s := demotest.Store(b, 100_000)
	var pairs int
	cpu := demotest.CPU()
	for b.Loop() {
		ps, err := dedupe.FindContacts(ctx, s)
		if err != nil {
			b.Fatal(err)
		}
		pairs = len(ps)
	}
	demotest.ReportCPU(b, cpu)
	b.ReportMetric(float64(pairs), "pairs")
}

// BenchmarkFindDuplicateCompanies does the same for the set's 10,000
// companies (`repdesk duplicates --companies`).
func BenchmarkFindDuplicateCompanies(b *testing.B) {
	s := demotest.Store(b, 100_000)
	var pairs int
	cpu := demotest.CPU()
	for b.Loop() {
		ps, err := dedupe.FindCompanies(ctx, s)
		if err != nil {
			b.Fatal(err)
		}
		pairs = len(ps)
	}
	demotest.ReportCPU(b, cpu)
	b.ReportMetric(float64(pairs), "pairs")
}
