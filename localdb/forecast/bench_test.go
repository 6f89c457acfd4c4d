package forecast_test

import (
	"os"
	"testing"

	"repdesk/localdb/demo/demotest"
	"repdesk/localdb/forecast"
)

func TestMain(m *testing.M) {
	code := m.Run()
	demotest.Cleanup()
	os.Exit(code)
}

// BenchmarkDashboard computes everything the dashboard shows on 100,000
// contacts and 20,000 deals: the open pipeline by stage and close month, won
// this month, the targets with their progress and this week's calls.
func BenchmarkDashboard(b *testing.B) {
	s := demotest.Store(b, 100_000)
	cpu := demotest.CPU()
	for b.Loop() {
		f, err := forecast.Compute(ctx, s, forecast.Options{Now: demotest.Now})
		if err != nil {
			b.Fatal(err)
		}
		if len(f.Open) == 0 || len(f.Targets) == 0 || f.Calls.Calls == 0 {
			b.Fatalf("the data set lacks what the dashboard shows: %+v", f)
		}
	}
	demotest.ReportCPU(b, cpu)
}
