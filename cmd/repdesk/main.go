// Command repdesk is RepDesk: without arguments the desktop app, with a
// sub-command the command line (repdesk help).
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"runtime/debug"
	"sync/atomic"
	"syscall"

	"repdesk/cmd/repdesk/cli"
	_ "repdesk/cmd/repdesk/internal/posixlocale" // before Fyne reads the locale
	"repdesk/localdb"
	"repdesk/localdb/dedupe"
	"repdesk/localdb/demo"
	"repdesk/sync/client"
	"repdesk/ui"
)

func main() {
	debug.SetGCPercent(localdb.GCPercent)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Run(ctx, os.Args[1:], cli.Env{
		Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv,
		RunApp: runApp,
	})
	stop()
	os.Exit(code)
}

// firstStartDemoContacts is the size of the demo book `make run` opens with.
const firstStartDemoContacts = 2000

func runApp(ctx context.Context, store *localdb.Store, opts cli.AppOptions) error {
	if opts.SeedDemo {
		if err := seedFirstStart(ctx, store); err != nil {
			return err
		}
	}
	uiOpts := ui.Options{DataDir: opts.DataDir,
		Build:        ui.BuildInfo{Version: cli.Version, Commit: cli.Commit, BuildDate: cli.BuildDate},
		Provisioning: opts.Provisioning, ProvisionError: opts.ProvisionError}
	switch {
	case opts.ScreenshotsDir != "":
		return ui.Screenshots(store, opts.ScreenshotsDir, uiOpts)
	case opts.Measure:
		_, err := ui.Measure(store, uiOpts, os.Stdout)
		return err
	}
	// The sync loop runs for the life of the window: it syncs on its
	// interval, when the network returns and when the rep asks.
	rootCAs, err := opts.Provisioning.CertPool() // a self-hosted hub's CA
	if err != nil {
		return err
	}
	syncer := client.New(store, client.Options{DataDir: opts.DataDir, BackgroundIndex: true, RootCAs: rootCAs})
	loopCtx, stopLoop := context.WithCancel(ctx)
	defer stopLoop()
	defer syncer.Subscribe(followMergesAfterSync(loopCtx, store, syncer))()
	go syncer.Run(loopCtx)
	uiOpts.Sync = ui.ClientSync(syncer)
	return ui.Run(store, uiOpts)
}

// followMergesAfterSync returns a status subscriber that, when a sync ends,
// re-points links to records merged away on another client
// (a deal made here for a contact merged there) and syncs those at once.
func followMergesAfterSync(ctx context.Context, store *localdb.Store, syncer *client.Client) func(client.Status) {
	var syncing, following atomic.Bool
	return func(st client.Status) {
		if !syncing.Swap(st.Syncing) || st.Syncing || !following.CompareAndSwap(false, true) {
			return
		}
		go func() {
			defer following.Store(false)
			n, err := dedupe.FollowMerges(ctx, store)
			if err != nil {
				fmt.Fprintln(os.Stderr, "repdesk:", err)
			} else if n > 0 {
				syncer.Trigger()
			}
		}()
	}
}

// seedFirstStart fills a brand-new database with demo data, once: a rep who
// deleted the demo contacts does not get them back.
func seedFirstStart(ctx context.Context, store *localdb.Store) error {
	if _, err := store.Setting(ctx, "demo_offered"); err == nil {
		return nil
	}
	n, err := store.CountContacts(ctx)
	if err != nil {
		return err
	}
	if n == 0 {
		fmt.Fprintf(os.Stderr, "First start: creating %d demo contacts…\n", firstStartDemoContacts)
		if _, err := demo.Seed(ctx, store, demo.Options{Contacts: firstStartDemoContacts, Seed: 1}); err != nil {
			return err
		}
	}
	return store.SetSetting(ctx, "demo_offered", "yes")
}
