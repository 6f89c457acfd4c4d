package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"

	"repdesk/sync/hub"
)

func backupCmd(ctx context.Context, args []string, stdout io.Writer) error {
	fs, dsn := newFlagSet("backup")
	out := fs.String("out", "", "write the backup to FILE (must not exist)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	switch {
	case len(pos) > 0:
		return usagef("backup: unexpected argument %q", pos[0])
	case *dsn == "":
		return usagef("backup: no database: give --db or set REPDESK_HUB_DB")
	case *out == "":
		return usagef("backup: give --out FILE")
	}
	if err := hub.Backup(ctx, *dsn, *out); err != nil {
		return err
	}
	_, err = fmt.Fprintf(stdout, "Backed up %s to %s.\n", *dsn, *out)
	return err
}

func restoreCmd(ctx context.Context, args []string, stdout io.Writer) error {
	fs, dsn := newFlagSet("restore")
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	switch {
	case len(pos) != 1:
		return usagef("restore: give the backup FILE")
	case *dsn == "":
		return usagef("restore: no database: give --db or set REPDESK_HUB_DB")
	}
	res, err := hub.Restore(ctx, *dsn, pos[0])
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(res)
	}
	fmt.Fprintf(stdout, "Restored %s into %s.\n", pos[0], *dsn)
	if res.Previous != "" {
		fmt.Fprintf(stdout, "The database it replaced is kept as %s.\n", res.Previous)
	}
	_, err = fmt.Fprintln(stdout, "Every client re-syncs once from a snapshot with its next sync; changes they have not pushed yet are kept.")
	return err
}

func migrateCmd(ctx context.Context, args []string, stdout io.Writer) error {
	fs, _ := newFlagSet("migrate")
	from := fs.String("from", "", "the SQLite hub database FILE to copy")
	to := fs.String("to", "", "the empty PostgreSQL database, postgres://...")
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	switch {
	case len(pos) > 0:
		return usagef("migrate: unexpected argument %q", pos[0])
	case *from == "" || *to == "":
		return usagef("migrate: give --from FILE and --to postgres://...")
	case !hub.IsPostgres(*to):
		return usagef("migrate: --to must be a postgres:// URL")
	}
	progress := func(tc hub.TableCount) { fmt.Fprintf(stdout, "%-14s %d rows\n", tc.Table, tc.Rows) }
	if *asJSON {
		progress = nil
	}
	counts, err := hub.Migrate(ctx, *from, *to, progress)
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(counts)
	}
	_, err = fmt.Fprintln(stdout, "Done. Start the hub with --db on the PostgreSQL URL; clients keep their tokens and cursors.")
	return err
}
