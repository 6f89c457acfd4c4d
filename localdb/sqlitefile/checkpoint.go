package sqlitefile

import (
	"context"
	"time"
)

// SettleBurst is a background checkpointer's wait after a commit woke it:
// it waits delay, so that one checkpoint covers the commits of a burst (an
// import's batches, the batches of a push, typing), and takes the wake-ups
// those commits sent meanwhile. It reports false when stop ends first.
func SettleBurst(stop context.Context, wake <-chan struct{}, delay time.Duration) bool {
	t := time.NewTimer(delay)
	defer t.Stop()
	select {
	case <-stop.Done():
		return false
	case <-t.C:
	}
	select {
	case <-wake:
	default:
	}
	return true
}
