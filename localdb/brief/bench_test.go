package brief_test

import (
	"context"
	"io"
	"os"
	"testing"

	"repdesk/localdb/brief"
	"repdesk/localdb/demo/demotest"
)

func TestMain(m *testing.M) {
	code := m.Run()
	demotest.Cleanup()
	os.Exit(code)
}

// BenchmarkBrief loads and renders the brief of the visit whose company has
// the most contacts in the 100,000-contact demo data: the goal is under
// 300 ms.
func BenchmarkBrief(b *testing.B) {
	ctx := context.Background()
	st := demotest.Store(b, 100_000)
	var visitID string
	if err := st.DB().QueryRow(`SELECT v.id FROM visits v WHERE v.deleted = 0 AND v.company_id != ''
		ORDER BY (SELECT COUNT(*) FROM contacts c WHERE c.company_id = v.company_id) DESC, v.id LIMIT 1`).Scan(&visitID); err != nil {
		b.Fatal(err)
	}
	cpu := demotest.CPU()
	b.ResetTimer()
	for b.Loop() {
		br, err := brief.Load(ctx, st, visitID)
		if err != nil {
			b.Fatal(err)
		}
		if err := brief.Write(io.Discard, br, brief.Options{Lang: "de"}); err != nil {
			b.Fatal(err)
		}
	}
	demotest.ReportCPU(b, cpu)
}
