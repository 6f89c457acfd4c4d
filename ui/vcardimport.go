package ui

import (
	"context"
	"fmt"
	"os"

	"repdesk/localdb"
	"repdesk/localdb/importer"
)

// storeImporter is the default Importer: localdb/importer reading the files
// into the app's store (a dry run for Preview).
type storeImporter struct{ store *localdb.Store }

func (s storeImporter) Preview(ctx context.Context, files []string) (ImportReport, error) {
	return s.run(ctx, files, importer.Options{DryRun: true})
}

func (s storeImporter) Import(ctx context.Context, files []string, progress func(done, total int)) (ImportReport, error) {
	return s.run(ctx, files, importer.Options{Progress: func(p importer.Progress) { progress(p.Done, p.Cards) }})
}

func (s storeImporter) run(ctx context.Context, files []string, opts importer.Options) (ImportReport, error) {
	var sources []importer.Source
	for _, name := range files {
		f, err := os.Open(name)
		if err != nil {
			for _, src := range sources {
				src.R.(*os.File).Close()
			}
			return ImportReport{}, fmt.Errorf("import: %w", err)
		}
		sources = append(sources, importer.Source{Name: name, R: f})
	}
	defer func() {
		for _, src := range sources {
			src.R.(*os.File).Close()
		}
	}()
	rep, err := importer.New(s.store, opts).Import(ctx, sources)
	out := ImportReport{Files: rep.Files, Cards: rep.Cards, Created: rep.Created, Merged: rep.Merged,
		Unchanged: rep.Unchanged, Failed: rep.Failed}
	for _, c := range rep.Conflicts {
		out.Conflicts = append(out.Conflicts, ImportConflict(c))
	}
	for _, p := range rep.Errors {
		out.Errors = append(out.Errors, ImportError(p))
	}
	for _, p := range rep.Warnings {
		out.Warnings = append(out.Warnings, ImportError(p))
	}
	if err == nil && rep.Cancelled {
		err = context.Canceled
	}
	return out, err
}
