package sales_test

import (
	"os"
	"testing"

	"repdesk/localdb/demo/demotest"
	"repdesk/localdb/sales"
)

func TestMain(m *testing.M) {
	code := m.Run()
	demotest.Cleanup()
	os.Exit(code)
}

// BenchmarkSuggest suggests add-ons for the customer with the most won
// deals, counting co-purchases over every won deal's line items (100,000
// contacts, 20,000 deals).
func BenchmarkSuggest(b *testing.B) {
	s := demotest.Store(b, 100_000)
	var company string
	if err := s.DB().QueryRow(`SELECT company_id FROM deals WHERE stage = 'Won' AND deleted = 0
		GROUP BY company_id ORDER BY COUNT(*) DESC, company_id LIMIT 1`).Scan(&company); err != nil {
		b.Fatal(err)
	}
	cpu := demotest.CPU()
	for b.Loop() {
		got, err := sales.Suggest(ctx, s, company, sales.SuggestOptions{})
		if err != nil {
			b.Fatal(err)
		}
		if len(got) == 0 {
			b.Fatal("no suggestions on the demo data set")
		}
	}
	demotest.ReportCPU(b, cpu)
}
