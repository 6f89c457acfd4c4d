package cli

import (
	"errors"
	"fmt"
	"time"

	"repdesk/localdb"
	"repdesk/localdb/demo"
)

func runDemo(c *runCtx, args []string) error {
	fs := newFlags("demo")
	n := fs.Int("contacts", 500, "number of contacts to create (`N`)")
	seed := fs.Uint64("seed", 1, "random seed; the same seed gives the same data")
	quiet := fs.Bool("quiet", false, "print no progress")
	upload := fs.Bool("upload-demo-data", false, "seed even though this database syncs with a server (the demo data goes to the team)")
	if _, err := parse(fs, args, 0, 0); err != nil {
		return err
	}
	if *n <= 0 {
		return usagef("demo: --contacts must be a positive number, not %d", *n)
	}
	s, err := c.open()
	if err != nil {
		return err
	}
	if !*upload {
		server, err := s.SyncValue(c.ctx, localdb.SyncServer)
		if err != nil && !errors.Is(err, localdb.ErrNotFound) {
			return err
		}
		if server != "" {
			return fmt.Errorf("demo: %w (%s); use another data directory (repdesk --data DIR demo) or pass --upload-demo-data", demo.ErrSignedIn, server)
		}
	}
	start := time.Now()
	opts := demo.Options{Contacts: *n, Seed: *seed}
	if !*quiet {
		opts.Progress = func(done, total int) {
			fmt.Fprintf(c.env.Stderr, "\rdemo data: %d/%d records", done, total)
		}
	}
	counts, err := demo.Seed(c.ctx, s, opts)
	if !*quiet {
		fmt.Fprintln(c.env.Stderr)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(c.out(), "created %d companies, %d contacts, %d deals, %d activities, %d tasks, %d visits, %d products, %d line items in %.1fs\n",
		counts.Companies, counts.Contacts, counts.Deals, counts.Activities, counts.Tasks, counts.Visits,
		counts.Products, counts.LineItems, time.Since(start).Seconds())
	return nil
}
