package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"repdesk/localdb/importer"
	"repdesk/localdb/vcard"
)

func runExport(c *runCtx, args []string) error {
	fs := newFlags("export")
	version := fs.String("vcard-version", vcard.Version30, "vCard `VERSION` to write: 3.0 or 4.0")
	out := fs.String("out", "", "write to `FILE` instead of standard output")
	pos, err := parse(fs, args, 0, -1)
	if err != nil {
		return err
	}
	if *version != vcard.Version30 && *version != vcard.Version40 {
		return usagef("export: --vcard-version %q: want 3.0 or 4.0", *version)
	}
	s, err := c.open()
	if err != nil {
		return err
	}
	opts := importer.ExportOptions{Version: *version, Query: strings.Join(pos, " ")}
	if *out == "" {
		_, err := importer.Export(c.ctx, s, c.out(), opts)
		return err
	}
	n, err := exportToFile(c, *out, opts)
	if err != nil {
		return err
	}
	fmt.Fprintf(c.out(), "%d contacts written to %s\n", n, *out)
	return nil
}

// exportToFile writes the export to a temporary file beside path and renames
// it into place once complete, so that a crash never leaves half a file.
func exportToFile(c *runCtx, path string, opts importer.ExportOptions) (int, error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return 0, fmt.Errorf("export: %w", err)
	}
	done := false
	defer func() {
		if !done {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	n, err := importer.Export(c.ctx, c.store, tmp, opts)
	if err != nil {
		return 0, err
	}
	if err := tmp.Sync(); err != nil {
		return 0, fmt.Errorf("export: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return 0, fmt.Errorf("export: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		os.Remove(tmp.Name())
		done = true
		return 0, fmt.Errorf("export: %w", err)
	}
	done = true
	return n, nil
}
