package cli

import (
	"fmt"
	"os"
	"path/filepath"

	"repdesk/localdb"
)

// dbPath is the database file of the data directory.
func (c *runCtx) dbPath() string { return filepath.Join(c.dataDir, "repdesk.db") }

// backupJSON is the answer of repdesk backup --json.
type backupJSON struct {
	File    string `json:"file"`
	Bytes   int64  `json:"bytes"`
	Pending int    `json:"pending"`
}

func runBackup(c *runCtx, args []string) error {
	fs := newFlags("backup")
	out := fs.String("out", "", "write the backup to `FILE` (must not exist)")
	asJSON := fs.Bool("json", false, "print JSON")
	if _, err := parse(fs, args, 0, 0); err != nil {
		return err
	}
	if *out == "" {
		return usagef("backup: give --out FILE")
	}
	s, err := c.open()
	if err != nil {
		return err
	}
	if err := s.Backup(c.ctx, *out); err != nil {
		return err
	}
	st, err := os.Stat(*out)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	pending, err := s.PendingCount(c.ctx)
	if err != nil {
		return err
	}
	res := backupJSON{File: *out, Bytes: st.Size(), Pending: pending}
	if *asJSON {
		return writeJSON(c.out(), res)
	}
	fmt.Fprintf(c.out(), "Backed up to %s (%s).\n", res.File, sizeText(res.Bytes))
	return nil
}

func runRestore(c *runCtx, args []string) error {
	fs := newFlags("restore")
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := parse(fs, args, 1, 1)
	if err != nil {
		return err
	}
	if c.store != nil {
		return fmt.Errorf("restore: the database is open") // run never opens it before a command
	}
	res, err := localdb.Restore(c.ctx, c.dbPath(), pos[0])
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(c.out(), res)
	}
	w := c.out()
	fmt.Fprintf(w, "Restored %s.\n", pos[0])
	if res.Previous != "" {
		fmt.Fprintf(w, "The database it replaced is kept as %s.\n", res.Previous)
	}
	if res.Carried > 0 {
		fmt.Fprintf(w, "%d changes not yet synced were carried over; they go to the server with the next sync.\n", res.Carried)
	}
	return nil
}

// sizeText is a byte count for people.
func sizeText(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}
