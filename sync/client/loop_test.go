package client_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"repdesk/sync/client"
	"repdesk/sync/client/faultproxy"
	"repdesk/sync/hub/hubtest"
	"repdesk/sync/protocol"
)

// waitFor polls cond for up to 10 seconds.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting until %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestLoop(t *testing.T) {
	h := hubtest.New(t, hubtest.Options{Backend: hubtest.SQLite})
	token := h.AddUser("anna", protocol.RoleRep, "north")
	proxy, err := faultproxy.New(h.URL, 1)
	require.NoError(t, err)
	t.Cleanup(proxy.Close)
	d := newDevice(t, "laptop", func(o *client.Options) {
		o.Interval = time.Hour // only the start, triggers and the return of the hub sync
		o.ProbeWait, o.ProbeMaxWait = 10*time.Millisecond, 40*time.Millisecond
	})
	d.login(proxy.URL, token)
	other := newDevice(t, "desktop", nil)
	other.login(h.URL, token)

	var mu sync.Mutex
	var seen []client.Status
	unsubscribe := d.client.Subscribe(func(st client.Status) {
		mu.Lock()
		seen = append(seen, st)
		mu.Unlock()
	})
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		d.client.Run(runCtx)
		close(done)
	}()
	waitFor(t, "the first sync ran", func() bool { st := d.client.Status(); return !st.LastSync.IsZero() && !st.Syncing })

	d.addContact("Jana Berg")
	d.client.Trigger()
	waitFor(t, "a triggered sync pushed", func() bool { return d.client.Status().Pending == 0 })

	// Offline: the sync fails, the status says so, the change waits.
	proxy.SetRates(faultproxy.Rates{faultproxy.DropRequest: 1})
	d.addContact("Ole Hansen")
	d.client.Trigger()
	waitFor(t, "the loop noticed the hub is gone", func() bool {
		st := d.client.Status()
		return !st.Online && !st.Syncing && st.LastError != ""
	})
	st := d.client.Status()
	assert.Equal(t, 1, st.Pending)
	assert.Contains(t, st.LastError, "cannot be reached")

	// Back online: the probe finds the hub and the loop syncs at once,
	// without a trigger.
	proxy.SetRates(nil)
	waitFor(t, "the loop synced when the hub came back", func() bool {
		st := d.client.Status()
		return st.Online && st.Pending == 0 && st.LastError == ""
	})

	// A shorter interval brings other people's changes without a trigger.
	other.addContact("Kai Nord")
	other.sync()
	d.client.SetInterval(20 * time.Millisecond)
	waitFor(t, "a periodic sync pulled the other machine's contact", func() bool {
		n, err := d.store.CountContacts(ctx)
		return err == nil && n == 3
	})

	stop()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after its context ended")
	}
	unsubscribe()
	mu.Lock()
	defer mu.Unlock()
	var syncing, offline, progress bool
	for _, s := range seen {
		syncing = syncing || s.Syncing
		offline = offline || !s.Online
		progress = progress || (s.Syncing && s.Done > 0)
	}
	assert.True(t, syncing, "subscribers hear when a sync runs")
	assert.True(t, offline, "subscribers hear when the hub is gone")
	assert.True(t, progress, "subscribers hear the progress")
	n := len(seen)
	d.client.Trigger()
	_, err = d.client.Sync(ctx)
	require.NoError(t, err)
	assert.Equal(t, n, len(seen), "no calls after unsubscribing")
}
