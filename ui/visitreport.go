package ui

import (
	"bytes"
	"context"
	"fmt"
	"net/url"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"repdesk/localdb"
	"repdesk/localdb/brief"
	"repdesk/localdb/visits"
)

// visitOutcomeName is a visit outcome in the UI's language.
func visitOutcomeName(o string) string {
	switch o {
	case localdb.VisitOutcomePositive:
		return lang.L("Positive")
	case localdb.VisitOutcomeNeutral:
		return lang.L("Neutral")
	case localdb.VisitOutcomeNegative:
		return lang.L("Negative")
	case localdb.VisitOutcomeNoShow:
		return lang.L("Customer not there")
	case localdb.VisitOutcomeFollowUp:
		return lang.L("Follow-up needed")
	}
	return o
}

// reportDialog asks for a visit report: the outcome, notes and next steps,
// one per line as "text @ date".
type reportDialog struct {
	*formDialog
	outcome  *widget.Select
	notes    *keyEntry
	steps    *keyEntry
	outErr   errorText
	stepsErr errorText
}

func newReportDialog(a *App, notes string) *reportDialog {
	d := &reportDialog{outErr: newErrorText(), stepsErr: newErrorText()}
	var names []string
	for _, o := range localdb.VisitOutcomes {
		names = append(names, visitOutcomeName(o))
	}
	d.outcome = widget.NewSelect(names, nil)
	d.notes = newMultiLineEntry(a)
	d.notes.SetMinRowsVisible(5)
	d.notes.SetText(notes)
	d.steps = newMultiLineEntry(a)
	d.steps.SetMinRowsVisible(3)
	d.steps.SetPlaceHolder(lang.L("One per line: Send the offer @ {{.Date}}",
		map[string]any{"Date": a.loc.dateInput(a.now().AddDate(0, 0, 3))}))
	d.formDialog = a.newFormDialog(lang.L("Visit report"), formGrid(
		newField(lang.L("Outcome"), container.NewVBox(d.outcome, d.outErr)),
		newField(lang.L("Notes"), d.notes),
		newField(lang.L("Next steps"), container.NewVBox(d.steps, d.stepsErr)),
	), lang.L("Mark done"))
	d.isDirty = func() bool { return d.notes.Text != notes || d.steps.Text != "" || d.outcome.SelectedIndex() >= 0 }
	d.self = d
	return d
}

// read checks the form and returns the report; false marks what is wrong.
func (d *reportDialog) read() (visits.Report, bool) {
	r := visits.Report{Notes: d.notes.Text}
	ok := true
	d.outErr.set("")
	if i := d.outcome.SelectedIndex(); i < 0 {
		d.outErr.set(lang.L("Pick how the visit went."))
		ok = false
	} else {
		r.Outcome = localdb.VisitOutcomes[i]
	}
	d.stepsErr.set("")
	for _, line := range strings.Split(d.steps.Text, "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		step, err := d.parseStep(line)
		if err != nil {
			d.stepsErr.set(lang.L("Write each next step as: text @ date ({{.Line}})", map[string]any{"Line": strings.TrimSpace(line)}))
			ok = false
			continue
		}
		r.NextSteps = append(r.NextSteps, step)
	}
	return r, ok
}

// parseStep reads "text @ date" with the date as the language writes it.
func (d *reportDialog) parseStep(line string) (visits.NextStep, error) {
	i := strings.LastIndex(line, "@")
	if i < 0 {
		return visits.NextStep{}, fmt.Errorf("no @ in %q", line)
	}
	title := strings.TrimSpace(line[:i])
	day, err := d.a.loc.parseDate(strings.TrimSpace(line[i+1:]))
	if err != nil || day.IsZero() || title == "" {
		return visits.NextStep{}, fmt.Errorf("next step %q", line)
	}
	return visits.NextStep{Title: title, Due: time.Date(day.Year(), day.Month(), day.Day(), 9, 0, 0, 0, time.Local)}, nil
}

// saveAs asks where to save a file named name and writes what produce makes
// there in the background; opened runs with the file afterwards.
func (s *visitsScreen) saveAs(name string, produce func(ctx context.Context) ([]byte, error), opened func(fyne.URI)) {
	a := s.a
	d := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		if err != nil {
			a.showError(lang.L("Could not save the file"), err)
			return
		}
		if w == nil {
			return // cancelled
		}
		s.writeFile(w, produce, opened)
	}, a.win)
	d.SetFileName(name)
	d.Resize(fyne.NewSize(900, 600))
	d.Show()
}

// writeFile makes the file's content and writes it to w, off the UI
// goroutine.
func (s *visitsScreen) writeFile(w fyne.URIWriteCloser, produce func(ctx context.Context) ([]byte, error), opened func(fyne.URI)) {
	a := s.a
	background(a, func(ctx context.Context) (none, error) {
		data, err := produce(ctx)
		if err != nil {
			w.Close()
			return none{}, err
		}
		if _, err := w.Write(data); err != nil {
			w.Close()
			return none{}, err
		}
		return none{}, w.Close()
	}, func(_ none, err error) {
		if err != nil {
			a.showError(lang.L("Could not save the file"), err)
			return
		}
		if opened != nil {
			opened(w.URI())
		}
	})
}

// icsOf is the calendar file of one visit.
func (s *visitsScreen) icsOf(ctx context.Context, id string) ([]byte, error) {
	rows, err := visits.List(ctx, s.a.store, visits.Filter{IDs: []string{id}})
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	err = visits.WriteICS(&buf, rows, lang.L("Visits"), time.Local, time.Now())
	return buf.Bytes(), err
}

// briefOf is the PDF brief of one visit in the UI's language.
func (s *visitsScreen) briefOf(ctx context.Context, id string) ([]byte, error) {
	b, err := brief.Load(ctx, s.a.store, id)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	err = brief.Write(&buf, b, brief.Options{Lang: s.a.language, Location: time.Local})
	return buf.Bytes(), err
}

func (s *visitsScreen) exportICS(v visitRow) {
	s.saveAs(fileName(v, "ics"), func(ctx context.Context) ([]byte, error) { return s.icsOf(ctx, v.ID) }, nil)
}

// exportBrief saves the brief and opens it in the system's PDF viewer.
func (s *visitsScreen) exportBrief(v visitRow) {
	s.saveAs(fileName(v, "pdf"), func(ctx context.Context) ([]byte, error) { return s.briefOf(ctx, v.ID) }, s.openFile)
}

func (s *visitsScreen) openFile(u fyne.URI) {
	if u.Scheme() != "file" {
		return
	}
	if err := s.a.fa.OpenURL(&url.URL{Scheme: "file", Path: u.Path()}); err != nil {
		s.a.showError(lang.L("Could not open the file"), err)
	}
}

// fileName is "visit-2026-12-01-mueller-soehne.ics": the day and the
// company, safe on every file system.
func fileName(v visitRow, ext string) string {
	slug := strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			return r
		case r == 'ä', r == 'ö', r == 'ü', r == 'ß':
			return r
		}
		return '-'
	}, strings.ToLower(joinNonEmpty(" ", v.company, v.contact)))
	slug = strings.NewReplacer("ä", "ae", "ö", "oe", "ü", "ue", "ß", "ss").Replace(slug)
	for strings.Contains(slug, "--") {
		slug = strings.ReplaceAll(slug, "--", "-")
	}
	slug = strings.Trim(slug, "-")
	return "visit-" + v.StartAt.Local().Format("2006-01-02") + "-" + slug + "." + ext
}
