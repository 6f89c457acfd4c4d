package forecast_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"repdesk/localdb"
	"repdesk/localdb/demo/demotest"
	"repdesk/localdb/forecast"
)

func TestRepsAreDealOwnersAndTargetHolders(t *testing.T) {
	f := newFixture(t)
	var open time.Time // not closed
	f.deal(localdb.Deal{Title: "A", Meta: localdb.Meta{Owner: "jonas"}}, open)
	f.deal(localdb.Deal{Title: "B", Meta: localdb.Meta{Owner: "anna"}}, open)
	f.deal(localdb.Deal{Title: "C", Meta: localdb.Meta{Owner: "anna"}}, open)
	gone := f.deal(localdb.Deal{Title: "D", Meta: localdb.Meta{Owner: "gone"}}, open)
	require.NoError(t, f.s.Delete(ctx, localdb.EntityDeal, gone.ID))
	require.NoError(t, f.s.Update(ctx, func(tx *localdb.Tx) error {
		if _, err := forecast.SetTarget(tx, "2026-04", "Birgit", 100000, "EUR"); err != nil {
			return err
		}
		_, err := forecast.SetTarget(tx, "2026-03", "", 500000, "EUR") // the team: no rep
		return err
	}))
	reps, err := forecast.Reps(ctx, f.s)
	require.NoError(t, err)
	assert.Equal(t, []string{"anna", "Birgit", "jonas"}, reps)
}

// BenchmarkReps lists the reps the target dialog offers (100,000 contacts,
// 20,000 deals).
func BenchmarkReps(b *testing.B) {
	s := demotest.Store(b, 100_000)
	cpu := demotest.CPU()
	for b.Loop() {
		reps, err := forecast.Reps(ctx, s)
		if err != nil {
			b.Fatal(err)
		}
		if len(reps) == 0 {
			b.Fatal("no reps in the demo data set")
		}
	}
	demotest.ReportCPU(b, cpu)
}
