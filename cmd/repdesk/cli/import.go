package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"repdesk/localdb/importer"
)

func runImport(c *runCtx, args []string) error {
	fs := newFlags("import")
	dryRun := fs.Bool("dry-run", false, "write nothing; report what would happen")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	region := fs.String("region", "", "read phone numbers without country code in `REGION` (ISO code such as DE; default: the database's)")
	files, err := parse(fs, args, 1, -1)
	if err != nil {
		return err
	}
	if r := *region; r != "" && !isCountryCode(r) {
		return usagef("import: --region %q: want a two-letter country code such as DE", *region)
	}
	// Open every file first, so that a wrong name stops the import before
	// anything was written.
	var sources []importer.Source
	defer func() {
		for _, src := range sources {
			if cl, ok := src.R.(io.Closer); ok && src.Name != "-" {
				cl.Close()
			}
		}
	}()
	stdin := 0
	for _, name := range files {
		if name == "-" {
			if stdin++; stdin > 1 {
				return usagef("import: standard input (-) can be read only once")
			}
			sources = append(sources, importer.Source{Name: "-", R: c.env.Stdin})
			continue
		}
		f, err := os.Open(name)
		if err != nil {
			return fmt.Errorf("import: %w", err)
		}
		sources = append(sources, importer.Source{Name: name, R: f})
	}
	s, err := c.open()
	if err != nil {
		return err
	}
	rep, err := importer.New(s, importer.Options{Region: *region, DryRun: *dryRun}).Import(c.ctx, sources)
	if err != nil {
		if rep.Cards > 0 {
			return fmt.Errorf("%w (%d cards were imported before; run the import again for the rest)", err, rep.Cards)
		}
		return err
	}
	if rep.Cards == 0 && len(rep.Errors) > 0 {
		// Nothing could be read: not a vCard file, or unreadable.
		return errors.New("import: " + rep.Errors[0].String())
	}
	if *asJSON {
		if err := writeJSON(c.out(), rep); err != nil {
			return err
		}
	} else {
		writeImportReport(c.out(), rep)
	}
	switch {
	case rep.Cancelled:
		return fmt.Errorf("import: cancelled after %d cards; run it again to import the rest", rep.Cards)
	case rep.Failed > 0 || len(rep.Errors) > 0:
		return &exitError{ExitPartial, fmt.Errorf("import: %d of %d cards failed, the rest were imported", rep.Failed, rep.Cards)}
	}
	return nil
}

// writeImportReport prints the report for a person: the counts one per
// line, then conflicts, errors and warnings.
func writeImportReport(w io.Writer, rep *importer.Report) {
	if rep.DryRun {
		fmt.Fprintln(w, "Dry run: nothing was written.")
	}
	for _, row := range []struct {
		label string
		n     int
	}{{"files", rep.Files}, {"cards", rep.Cards}, {"created", rep.Created}, {"merged", rep.Merged},
		{"unchanged", rep.Unchanged}, {"failed", rep.Failed}} {
		fmt.Fprintf(w, "%-10s %d\n", row.label+":", row.n)
	}
	if len(rep.Conflicts) > 0 {
		fmt.Fprintf(w, "\nConflicts (the existing value was kept):\n")
		for _, cf := range rep.Conflicts {
			fmt.Fprintf(w, "  contact %s: %s: kept %q, incoming %q\n", cf.ContactID, cf.Field, cf.Kept, cf.Incoming)
		}
	}
	if len(rep.Errors) > 0 {
		fmt.Fprintf(w, "\nErrors:\n")
		for _, p := range rep.Errors {
			fmt.Fprintf(w, "  %s\n", p)
		}
	}
	if len(rep.Warnings) > 0 {
		fmt.Fprintf(w, "\nWarnings:\n")
		for _, p := range rep.Warnings {
			fmt.Fprintf(w, "  %s\n", p)
		}
	}
}

func isCountryCode(s string) bool {
	return len(s) == 2 && strings.Trim(strings.ToUpper(s), "ABCDEFGHIJKLMNOPQRSTUVWXYZ") == ""
}
