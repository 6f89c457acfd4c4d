package brief_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"repdesk/localdb"
	"repdesk/localdb/brief"
	"repdesk/localdb/visits"
)

var berlin = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		panic(err)
	}
	return loc
}()

// visitDay is Tuesday, 1 December 2026, 10:00 in Berlin.
var visitDay = time.Date(2026, 12, 1, 10, 0, 0, 0, berlin)

// fixture is a customer with everything a brief shows, umlauts and a
// long note included.
type fixture struct {
	store   *localdb.Store
	visit   *localdb.Visit
	longest string
}

const longNote = "Geschäftsführer Jürgen Weiß bevorzugt Termine vormittags; Parkplätze gibt es hinter dem Gebäude. "

func newFixture(t *testing.T) fixture {
	t.Helper()
	ctx := context.Background()
	st, err := localdb.OpenTemp(t.TempDir(), localdb.WithOwner("inge"))
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, st.Close()) })
	f := fixture{store: st, longest: strings.Repeat(longNote, 60)}
	require.NoError(t, st.Update(ctx, func(tx *localdb.Tx) error {
		co := &localdb.Company{Name: "Müller & Söhne GmbH", Street: "Große Straße 7", PostalCode: "50667", City: "Köln",
			Country: "Deutschland", Industry: "Maschinenbau", Phone: "+49 221 123456", Notes: f.longest}
		if err := tx.Create(co); err != nil {
			return err
		}
		anna := &localdb.Contact{FullName: "Anna Bäcker", Title: "Einkaufsleiterin", CompanyID: co.ID,
			Phones: []localdb.Phone{{Number: "+49 221 987654"}, {Number: "+49 170 1111111", Flagged: true}},
			Emails: []localdb.Email{{Address: "anna@mueller.example"}}}
		otto := &localdb.Contact{FullName: "Otto Groß", CompanyID: co.ID, Phones: []localdb.Phone{{Number: "+49 221 555"}}}
		for _, c := range []*localdb.Contact{anna, otto} {
			if err := tx.Create(c); err != nil {
				return err
			}
		}
		for _, d := range []*localdb.Deal{
			{Title: "Fräsmaschine Ersatzteile", CompanyID: co.ID, Stage: "Proposal", Amount: 1234550, Currency: "EUR", ExpectedClose: "2026-12-20"},
			{Title: "Wartungsvertrag", CompanyID: co.ID, Stage: "Qualified", Amount: 50000, Currency: "EUR"},
			{Title: "Gewonnener Altauftrag", CompanyID: co.ID, Stage: "Won", Amount: 999900, Currency: "EUR"},
		} {
			if err := tx.Create(d); err != nil {
				return err
			}
		}
		for i := 1; i <= 12; i++ {
			a := &localdb.Activity{Kind: localdb.KindCall, Outcome: localdb.OutcomeConnected, ContactID: anna.ID,
				Subject: fmt.Sprintf("Gespräch Nr. %02d über Größen", i), OccurredAt: visitDay.AddDate(0, 0, -30+i)}
			if err := tx.Create(a); err != nil {
				return err
			}
		}
		for _, k := range []*localdb.Task{
			{Title: "Angebot für Überholung schicken", ContactID: anna.ID, Due: visitDay.AddDate(0, 0, 3)},
			{Title: "Muster mitbringen", CompanyID: co.ID, Due: visitDay.AddDate(0, 0, -1)},
			{Title: "Erledigte Aufgabe", CompanyID: co.ID, Done: true},
		} {
			if err := tx.Create(k); err != nil {
				return err
			}
		}
		var err error
		f.visit, err = visits.Book(tx, visits.Booking{CompanyID: co.ID, ContactID: anna.ID, Assignee: "Jörg",
			Start: visitDay, Duration: 90 * time.Minute, Purpose: "Jahresgespräch über Öko-Linie"})
		return err
	}))
	return f
}

// pdfText extracts the text of a PDF with pdftotext (poppler-utils, which
// `make test-deps` installs).
func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	bin, err := exec.LookPath("pdftotext")
	require.NoError(t, err, "pdftotext (poppler-utils) is needed to read the brief back: apt-get install poppler-utils")
	path := filepath.Join(t.TempDir(), "brief.pdf")
	require.NoError(t, os.WriteFile(path, pdf, 0o600))
	out, err := exec.Command(bin, "-layout", "-enc", "UTF-8", path, "-").Output()
	require.NoError(t, err)
	return string(out)
}

func render(t *testing.T, f fixture, lang string) (string, []byte) {
	t.Helper()
	b, err := brief.Load(context.Background(), f.store, f.visit.ID)
	require.NoError(t, err)
	var buf bytes.Buffer
	require.NoError(t, brief.Write(&buf, b, brief.Options{Lang: lang, Location: berlin, Now: visitDay.Add(-24 * time.Hour)}))
	return pdfText(t, buf.Bytes()), buf.Bytes()
}

// squash joins the lines of extracted text so that wrapped phrases match.
func squash(s string) string { return strings.Join(strings.Fields(s), " ") }

func TestBriefGermanContent(t *testing.T) {
	f := newFixture(t)
	text, pdf := render(t, f, "de")
	assert.True(t, bytes.HasPrefix(pdf, []byte("%PDF-")))
	flat := squash(text)
	for _, want := range []string{
		"Besuchsbriefing", "Müller & Söhne GmbH", "Anna Bäcker (Termin)", "Besuchsbriefing · Di 01.12.2026, 10:00–11:30", "Außendienst: Jörg",
		"Jahresgespräch über Öko-Linie", "Große Straße 7, 50667 Köln, Deutschland", "Maschinenbau",
		"+49 221 987654", "Otto Groß", "Einkaufsleiterin", "anna@mueller.example",
		"Fräsmaschine Ersatzteile", "Proposal", "12.345,50 €", "500,00 €", "12.845,50 €", "20.12.2026",
		"Letzte 10 Kontakte", "Gespräch Nr. 12 über Größen", "Gespräch Nr. 03 über Größen", "Anruf (erreicht)",
		"Angebot für Überholung schicken", "Muster mitbringen", "30.11.2026",
		"Notizen", "Geschäftsführer Jürgen Weiß bevorzugt Termine vormittags;",
	} {
		assert.Contains(t, flat, want)
	}
	for _, absent := range []string{
		"Gespräch Nr. 02", "Gespräch Nr. 01", // only the last ten interactions
		"Gewonnener Altauftrag", "9.999,00", // closed deals are not open
		"Erledigte Aufgabe", // done tasks are not open
		"+49 170 1111111",   // a number flagged wrong is left out
	} {
		assert.NotContains(t, flat, absent)
	}
	// The long note breaks onto further pages, with the page count.
	pages := strings.Count(text, "\f")
	assert.GreaterOrEqual(t, pages, 2, "the long note needs more than one page")
	assert.Contains(t, flat, fmt.Sprintf("Seite 2 von %d", pages))
	// Every word of the long note survives wrapping and page breaks.
	assert.Equal(t, 60, strings.Count(flat, squash(longNote)), "each repetition of the note is printed whole")
}

func TestBriefEnglish(t *testing.T) {
	f := newFixture(t)
	text, _ := render(t, f, "en")
	flat := squash(text)
	for _, want := range []string{"Visit brief", "Tue 2026-12-01, 10:00–11:30", "Field rep: Jörg", "Open deals",
		"€12,345.50", "Last 10 interactions", "Call (connected)", "Open tasks", "Page 1 of"} {
		assert.Contains(t, flat, want)
	}
}

func TestBriefContactVisitWithoutCompany(t *testing.T) {
	ctx := context.Background()
	st, err := localdb.OpenTemp(t.TempDir())
	require.NoError(t, err)
	defer st.Close()
	var v *localdb.Visit
	require.NoError(t, st.Update(ctx, func(tx *localdb.Tx) error {
		c := &localdb.Contact{FullName: "Zoë Ähnlich", Phones: []localdb.Phone{{Number: "+49 30 1"}}, Notes: "Mag Kaffee."}
		if err := tx.Create(c); err != nil {
			return err
		}
		v, err = visits.Book(tx, visits.Booking{ContactID: c.ID, Assignee: "jo", Start: visitDay})
		return err
	}))
	b, err := brief.Load(ctx, st, v.ID)
	require.NoError(t, err)
	assert.Nil(t, b.Company)
	var buf bytes.Buffer
	require.NoError(t, brief.Write(&buf, b, brief.Options{Lang: "de", Location: berlin}))
	flat := squash(pdfText(t, buf.Bytes()))
	assert.Contains(t, flat, "Zoë Ähnlich")
	assert.Contains(t, flat, "+49 30 1")
	assert.Contains(t, flat, "Mag Kaffee.")
	assert.Contains(t, flat, "Offene Verkaufschancen (0) Keine.")
}

func TestBriefUnknownVisit(t *testing.T) {
	st, err := localdb.OpenTemp(t.TempDir())
	require.NoError(t, err)
	defer st.Close()
	_, err = brief.Load(context.Background(), st, "0190b5c2-6a7e-7c1a-9a55-2f4c1b0e8d11")
	assert.ErrorIs(t, err, localdb.ErrNotFound)
}
