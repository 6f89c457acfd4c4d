package calls_test

import (
	"context"
	"os"
	"testing"
	"time"

	"repdesk/localdb"
	"repdesk/localdb/calls"
	"repdesk/localdb/demo/demotest"
)

func TestMain(m *testing.M) {
	code := m.Run()
	demotest.Cleanup()
	os.Exit(code)
}

// BenchmarkBuildQueue builds call queues on 100,000 demo contacts and
// 20,000 deals, as the queue screen and `repdesk queue` do.
func BenchmarkBuildQueue(b *testing.B) {
	s := demotest.Store(b, 100_000)
	for _, bc := range []struct {
		name   string
		filter localdb.QueueFilter
		limit  int // the queue screen shows 2000
	}{
		{"status=new", localdb.QueueFilter{LeadStatus: []string{localdb.LeadNew}}, 0},
		{"due-today", localdb.QueueFilter{DueToday: true}, 0},
		{"city=Berlin", localdb.QueueFilter{City: "Berlin"}, 0},
		{"postal=8", localdb.QueueFilter{PostalPrefix: "8"}, 0},
		{"tag+status+owner", localdb.QueueFilter{Tags: []string{"VIP"}, LeadStatus: []string{localdb.LeadNew, localdb.LeadContacted}, Owner: "me"}, 0},
		{"screen:everyone", localdb.QueueFilter{}, 2000},
	} {
		b.Run(bc.name, func(b *testing.B) {
			var n int
			cpu := demotest.CPU()
			for b.Loop() {
				q, err := calls.Build(context.Background(), s, bc.filter, calls.Options{Now: demotest.Now, Location: time.UTC, Limit: bc.limit})
				if err != nil {
					b.Fatal(err)
				}
				n = len(q)
			}
			demotest.ReportCPU(b, cpu)
			b.ReportMetric(float64(n), "entries")
		})
	}
}
