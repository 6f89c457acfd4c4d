package ui

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// importFiles imports vCard files: with none given it asks for one first.
func (a *App) importFiles(files []string) {
	if len(files) > 0 {
		newImportFlow(a, files)
		return
	}
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil {
			a.showError(lang.L("Could not open the file"), err)
			return
		}
		if r == nil {
			return // cancelled
		}
		path := r.URI().Path()
		r.Close()
		newImportFlow(a, []string{path})
	}, a.win)
	d.SetFilter(storage.NewExtensionFileFilter([]string{".vcf", ".VCF", ".vcard"}))
	d.SetConfirmText(lang.L("Check"))
	size := a.win.Canvas().Size()
	d.Resize(fyne.NewSize(min(900, size.Width-40), min(640, size.Height-40)))
	a.showDialog(d)
}

// importFlow is the import dialog: it checks the files first (a dry run
// whose report shows what would be created, merged, left alone and what
// fails), imports on request with a progress bar and Cancel, and ends with
// the report and every error.
type importFlow struct {
	a      *App
	files  []string
	d      *dialog.CustomDialog
	body   *fyne.Container
	stop   context.CancelFunc // ends the running step
	bar    *widget.ProgressBarInfinite
	action func()
	// expected is the number of cards the preview found: the progress bar's
	// end while the importer has not read them all yet.
	expected int // what Ctrl+S does in this phase
}

// importPreviewed is a report with the names of the contacts in conflict.
type importPreviewed struct {
	report ImportReport
	names  map[string]string
}

func newImportFlow(a *App, files []string) *importFlow {
	f := &importFlow{a: a, files: files}
	f.body = container.NewStack()
	f.d = dialog.NewCustomWithoutButtons(lang.L("Import vCards"), container.New(&column{w: 680}, f.body), a.win)
	a.showFormDialog(f.d, f)
	f.d.SetOnClosed(func() { f.stopWork() })
	size := a.win.Canvas().Size()
	f.d.Resize(fyne.NewSize(min(720, size.Width-40), min(560, size.Height-40)))
	f.check()
	return f
}

func (f *importFlow) save() {
	if f.action != nil {
		f.action()
	}
}

// cancel stops the running step, or closes the dialog.
func (f *importFlow) cancel() {
	f.stopWork()
	f.d.Hide()
}

func (f *importFlow) dirty() bool { return false }

func (f *importFlow) stopWork() {
	if f.bar != nil {
		f.bar.Stop()
	}
	if f.stop != nil {
		f.stop()
		f.stop = nil
	}
}

func (f *importFlow) show(content fyne.CanvasObject, buttons ...fyne.CanvasObject) {
	if f.bar != nil {
		f.bar.Stop() // the check's bar is replaced; it would animate on
		f.bar = nil
	}
	f.body.Objects = []fyne.CanvasObject{container.NewBorder(nil, container.NewVBox(widget.NewSeparator(), container.NewHBox(append([]fyne.CanvasObject{layout.NewSpacer()}, buttons...)...)), nil, nil, content)}
	f.body.Refresh()
}

func (f *importFlow) fileNames() string {
	var names []string
	for _, p := range f.files {
		names = append(names, filepath.Base(p))
	}
	return strings.Join(names, ", ")
}

// check runs the dry run.
func (f *importFlow) check() {
	ctx, cancel := context.WithCancel(f.a.ctx)
	f.stop = cancel
	f.action = nil
	bar := widget.NewProgressBarInfinite()
	f.show(container.NewVBox(
		sectionTitle(lang.N("Checking {{.N}} file…", len(f.files), map[string]any{"N": len(f.files)})),
		secondary(f.fileNames()), bar),
		widget.NewButtonWithIcon(lang.L("Cancel"), theme.CancelIcon(), f.cancelStep))
	f.bar = bar
	background(f.a, func(context.Context) (importPreviewed, error) {
		rep, err := f.a.imp.Preview(ctx, f.files)
		if err != nil {
			return importPreviewed{}, err
		}
		return f.withNames(ctx, rep)
	}, func(p importPreviewed, err error) {
		cancel()
		if errors.Is(err, context.Canceled) {
			return // closed meanwhile
		}
		if err != nil {
			f.failed(lang.L("The files could not be checked."), err)
			return
		}
		f.preview(p)
	})
}

// withNames looks up the names of the contacts a report's conflicts name.
func (f *importFlow) withNames(ctx context.Context, rep ImportReport) (importPreviewed, error) {
	var ids []string
	for _, c := range rep.Conflicts {
		ids = append(ids, c.ContactID)
	}
	names, err := contactNames(context.WithoutCancel(ctx), f.a.store.DB(), ids)
	return importPreviewed{rep, names}, err
}

// cancelStep cancels the running check and closes the dialog.
func (f *importFlow) cancelStep() {
	f.stopWork()
	f.d.Hide()
}

func (f *importFlow) failed(what string, err error) {
	f.action = f.d.Hide
	msg := newErrorLabel(errorMessage(err))
	f.show(container.NewVBox(sectionTitle(what), msg), widget.NewButton(lang.L("Close"), f.d.Hide))
}

func (f *importFlow) preview(p importPreviewed) {
	r := p.report
	f.expected = r.Cards
	start := widget.NewButtonWithIcon(lang.N("Import {{.N}} card", r.Cards-r.Failed, map[string]any{"N": f.a.loc.number(int64(r.Cards - r.Failed))}),
		theme.UploadIcon(), f.run)
	start.Importance = widget.HighImportance
	if r.Cards-r.Failed <= 0 {
		start.Disable()
		f.action = nil
	} else {
		f.action = f.run
	}
	intro := secondary(lang.L("Nothing is written yet. This is what the import would do:"))
	content := container.NewVBox(sectionTitle(f.fileNames()), intro, f.summary(r, true), f.details(r, p.names))
	f.show(container.NewVScroll(content), widget.NewButton(lang.L("Cancel"), f.d.Hide), start)
}

// summary shows the counts of a report as figures.
func (f *importFlow) summary(r ImportReport, preview bool) fyne.CanvasObject {
	l := f.a.loc
	created := lang.L("New")
	merged := lang.L("Merged")
	if !preview {
		created, merged = lang.L("Created"), lang.L("Merged")
	}
	return container.NewGridWithColumns(3,
		stat(lang.L("Cards"), l.number(int64(r.Cards)), lang.N("in {{.N}} file", r.Files, map[string]any{"N": r.Files})),
		stat(created, l.number(int64(r.Created)), lang.L("new contacts")),
		stat(merged, l.number(int64(r.Merged)), lang.L("into contacts you have")),
		stat(lang.L("Unchanged"), l.number(int64(r.Unchanged)), lang.L("already up to date")),
		stat(lang.L("Failed"), l.number(int64(r.Failed)), lang.L("cards with errors")),
		stat(lang.L("Conflicts"), l.number(int64(len(r.Conflicts))), lang.L("fields that differ")),
	)
}

// importListed is how many conflicts and errors the dialog lists.
const importListed = 200

// details lists the field conflicts and the errors of a report.
func (f *importFlow) details(r ImportReport, names map[string]string) fyne.CanvasObject {
	box := container.NewVBox()
	if len(r.Conflicts) > 0 {
		rows := container.NewVBox()
		for i, c := range r.Conflicts {
			if i == importListed {
				rows.Add(secondary(lang.L("… and {{.N}} more", map[string]any{"N": len(r.Conflicts) - importListed})))
				break
			}
			who := firstNonEmpty(names[c.ContactID], c.ContactID)
			line := wrapLabel(lang.L("{{.Who}}, {{.Field}}: keeps “{{.Kept}}”, the card says “{{.Incoming}}”",
				map[string]any{"Who": who, "Field": fieldName(c.Field), "Kept": c.Kept, "Incoming": c.Incoming}))
			rows.Add(line)
		}
		box.Add(panel(lang.L("Field conflicts (your value is kept)"), rows))
	}
	box.Add(problemList(lang.L("Errors"), r.Errors, true))
	box.Add(problemList(lang.L("Warnings (the cards were imported)"), r.Warnings, false))
	return box
}

// problemList lists errors or warnings of an import with where they are.
func problemList(title string, ps []ImportError, severe bool) fyne.CanvasObject {
	if len(ps) == 0 {
		return container.NewVBox()
	}
	rows := container.NewVBox()
	for i, e := range ps {
		if i == importListed {
			rows.Add(secondary(lang.L("… and {{.N}} more", map[string]any{"N": len(ps) - importListed})))
			break
		}
		where := filepath.Base(e.File)
		switch {
		case e.Card > 0 && e.Line > 0:
			where = lang.L("{{.File}}, card {{.Card}}, line {{.Line}}", map[string]any{"File": where, "Card": e.Card, "Line": e.Line})
		case e.Card > 0:
			where = lang.L("{{.File}}, card {{.Card}}", map[string]any{"File": where, "Card": e.Card})
		}
		l := wrapLabel(where + ": " + e.Message)
		if severe {
			l.Importance = widget.DangerImportance
		}
		rows.Add(l)
	}
	return panel(title, rows)
}

// run imports for real, with progress and Cancel.
func (f *importFlow) run() {
	ctx, cancel := context.WithCancel(f.a.ctx)
	f.stop = cancel
	f.action = nil
	bar := widget.NewProgressBar()
	counter := secondary(lang.L("Starting…"))
	cancelBtn := widget.NewButtonWithIcon(lang.L("Cancel"), theme.CancelIcon(), func() { cancel() })
	f.show(container.NewVBox(sectionTitle(lang.L("Importing…")), bar, counter), cancelBtn)
	expected := f.expected
	progress := throttle(100*time.Millisecond, func(done, total int) {
		total = max(total, expected)
		f.a.do(func() {
			if total > 0 {
				bar.SetValue(float64(done) / float64(total))
			}
			counter.SetText(lang.L("{{.Done}} of {{.Total}} cards", map[string]any{"Done": f.a.loc.number(int64(done)), "Total": f.a.loc.number(int64(total))}))
		})
	})
	type result struct {
		importPreviewed
		err error // of the import; the report may be partial
	}
	background(f.a, func(context.Context) (result, error) {
		rep, err := f.a.imp.Import(ctx, f.files, progress)
		p, nerr := f.withNames(ctx, rep)
		return result{p, err}, nerr
	}, func(r result, nerr error) {
		cancel()
		f.stop = nil
		f.a.changed(nil, "")
		err := r.err
		if err == nil {
			err = nerr
		}
		f.report(r.report, r.names, err)
	})
}

// throttle passes progress on at most every d (and always the last call).
func throttle(d time.Duration, fn func(done, total int)) func(done, total int) {
	var mu sync.Mutex
	var last time.Time
	return func(done, total int) {
		mu.Lock()
		now := time.Now()
		pass := done >= total || now.Sub(last) >= d
		if pass {
			last = now
		}
		mu.Unlock()
		if pass {
			fn(done, total)
		}
	}
}

func (f *importFlow) report(r ImportReport, names map[string]string, err error) {
	f.action = f.d.Hide
	head := sectionTitle(lang.L("Import finished"))
	var note fyne.CanvasObject = widget.NewLabel("")
	switch {
	case errors.Is(err, context.Canceled):
		head = sectionTitle(lang.L("Import cancelled"))
		note = secondary(lang.L("The cards imported before you cancelled are kept; importing the file again skips them."))
	case err != nil:
		head = sectionTitle(lang.L("Import stopped"))
		note = newErrorLabel(errorMessage(err))
	}
	closeBtn := widget.NewButton(lang.L("Close"), f.d.Hide)
	closeBtn.Importance = widget.HighImportance
	f.show(container.NewVScroll(container.NewVBox(head, note, f.summary(r, false), f.details(r, names))), closeBtn)
}
