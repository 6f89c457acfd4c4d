package ui

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/storage"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"repdesk/localdb"
	"repdesk/localdb/visits"
)

// seedCompanies creates companies in the given cities (name → "postal city").
func (h *harness) seedCompanies(cos ...[3]string) map[string]string {
	h.t.Helper()
	ids := map[string]string{}
	for _, c := range cos {
		co := &localdb.Company{Name: c[0], PostalCode: c[1], City: c[2], Street: "Hauptstr. 1"}
		require.NoError(h.t, h.store.Create(context.Background(), co))
		ids[c[0]] = co.ID
	}
	return ids
}

// routeNames are the companies of the planner's route, in order.
func routeNames(p *planner) []string {
	var out []string
	for _, r := range p.stops {
		out = append(out, r.Company)
	}
	return out
}

func TestVisitPlannerAddFilterAndReorder(t *testing.T) {
	h := newHarness(t, harnessOpts{welcomed: true})
	h.seedCompanies([3]string{"Alpen Bau", "50667", "Köln"}, [3]string{"Brücken AG", "50670", "Köln"},
		[3]string{"Rhein Logistik", "53111", "Bonn"}, [3]string{"Spree Handel", "10115", "Berlin"})
	h.app.showID("visits")
	h.idle()
	h.tap("Day planner")
	p := h.app.visits.planner
	require.True(t, p.view.Visible())
	assert.Len(t, p.companies, 4, "every company before a filter")
	h.requireText("No visits on this day yet: add companies from the left.")

	// Filter by city prefix, then by postal code prefix.
	h.typeInto(p.filter, "Kö")
	assert.Equal(t, []string{"Alpen Bau", "Brücken AG"}, companyNames(p.companies))
	h.typeInto(p.filter, "531")
	assert.Equal(t, []string{"Rhein Logistik"}, companyNames(p.companies))
	h.typeInto(p.filter, "99")
	h.requireText("No company in this city or postal code.")

	// Add three companies to the day, in the order picked.
	for _, pick := range []struct{ filter, name string }{{"Köln", "Brücken AG"}, {"Bonn", "Rhein Logistik"}, {"Köln", "Alpen Bau"}} {
		h.typeInto(p.filter, pick.filter)
		for i, c := range p.companies {
			if c.Name == pick.name {
				p.coList.Select(i)
			}
		}
		h.tap("Add to day")
	}
	assert.Equal(t, []string{"Brücken AG", "Rhein Logistik", "Alpen Bau"}, routeNames(p))
	h.requireText("3 visits")
	first := p.stops[0].StartAt

	// Move Alpen Bau to the front: two taps on Earlier.
	p.route.Select(2)
	h.tap("Earlier")
	h.tap("Earlier")
	assert.Equal(t, []string{"Alpen Bau", "Brücken AG", "Rhein Logistik"}, routeNames(p))
	assert.Equal(t, 0, p.stopSel, "the moved visit stays selected")
	assert.True(t, h.button("Earlier").Disabled(), "the first visit cannot move earlier")
	assert.True(t, p.stops[0].StartAt.Equal(first), "it takes the day's first slot")

	// The order is kept in the store: reading the day again gives it back.
	from, to := visits.DayRange(testNow, time.Local)
	rows, err := visits.List(context.Background(), h.store, visits.Filter{Assignee: h.store.Owner(), From: from, To: to})
	require.NoError(t, err)
	var stored []string
	for _, r := range rows {
		stored = append(stored, r.Company)
	}
	assert.Equal(t, []string{"Alpen Bau", "Brücken AG", "Rhein Logistik"}, stored)

	// Another rep's day is empty; back to the list, the visits are there.
	h.typeInto(p.assignee, "somebody else")
	assert.Empty(t, p.stops)
	h.tap("Back to visits")
	assert.Len(t, h.app.visits.visits, 3)
}

// "Order route" puts the day's visits in travel order by postal code and
// says which visit kept its place for want of one.
func TestVisitPlannerOrdersTheRoute(t *testing.T) {
	h := newHarness(t, harnessOpts{welcomed: true})
	h.seedCompanies([3]string{"Alpen Bau", "50667", "Köln"}, [3]string{"Spree Handel", "10115", "Berlin"},
		[3]string{"Brücken AG", "50670", "Köln"}, [3]string{"Ohne Ort KG", "", ""}, [3]string{"Havel Werft", "14467", "Potsdam"})
	h.app.showID("visits")
	h.idle()
	h.tap("Day planner")
	p := h.app.visits.planner
	assert.True(t, h.button("Order route").Disabled(), "nothing to order on an empty day")
	for _, name := range []string{"Alpen Bau", "Spree Handel", "Brücken AG", "Ohne Ort KG", "Havel Werft"} {
		h.typeInto(p.filter, "")
		for i, c := range p.companies {
			if c.Name == name {
				p.coList.Select(i)
			}
		}
		h.tap("Add to day")
	}
	require.Equal(t, []string{"Alpen Bau", "Spree Handel", "Brücken AG", "Ohne Ort KG", "Havel Werft"}, routeNames(p))
	first := p.stops[0].StartAt

	h.tap("Order route")
	assert.Equal(t, []string{"Alpen Bau", "Brücken AG", "Spree Handel", "Ohne Ort KG", "Havel Werft"}, routeNames(p),
		"Köln together, then Berlin and Potsdam; the visit without an address stays fourth")
	assert.True(t, p.stops[0].StartAt.Equal(first), "the day starts when it did")
	for i := 1; i < len(p.stops); i++ {
		assert.Equal(t, 30*time.Minute, p.stops[i].StartAt.Sub(p.stops[i-1].EndAt), "travel time between visits")
	}
	h.requireText("5 visits")
	assert.True(t, p.ordered.Visible())
	h.requireText("Ordered by postal code and city, from the first visit. 1 visit without a postal code or city kept its place.")

	// Stored: reading the day again gives the new order.
	from, to := visits.DayRange(testNow, time.Local)
	rows, err := visits.List(context.Background(), h.store, visits.Filter{Assignee: h.store.Owner(), From: from, To: to})
	require.NoError(t, err)
	var stored []string
	for _, r := range rows {
		stored = append(stored, r.Company)
	}
	assert.Equal(t, routeNames(p), stored)

	// A move by hand afterwards drops the note.
	p.route.Select(4)
	h.tap("Earlier")
	assert.False(t, p.ordered.Visible())
}

func companyNames(cs []localdb.Company) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Name)
	}
	return out
}

func TestVisitReportDialogCreatesTasksAndMarksDone(t *testing.T) {
	h := newHarness(t, harnessOpts{welcomed: true})
	c := h.seedContact("Anna Bäcker", "Müller GmbH", "")
	v := &localdb.Visit{StartAt: testNow.Add(2 * time.Hour), CompanyID: c.CompanyID, ContactID: c.ID, Assignee: "jörg", Purpose: "Demo"}
	require.NoError(t, h.store.Create(context.Background(), v))
	h.app.showID("visits")
	h.idle()
	require.Len(t, h.app.visits.visits, 1)
	h.app.visits.list.Select(0)
	h.idle()
	h.tap("Write report")
	// Nothing picked: the outcome is asked for, nothing is saved.
	h.tap("Mark done")
	h.requireText("Pick how the visit went.")
	got, err := h.store.GetVisit(context.Background(), v.ID)
	require.NoError(t, err)
	assert.Equal(t, localdb.VisitPlanned, got.Status)

	rd := h.reportDialog()
	rd.outcome.SetSelected("Follow-up needed")
	h.typeInto(rd.notes, "Wants a quote.")
	h.typeInto(rd.steps, "Send the quote @ 2026-03-12\nbad line")
	h.tap("Mark done")
	h.requireText("Write each next step as: text @ date (bad line)")
	h.typeInto(rd.steps, "Send the quote @ 2026-03-12\nCall back @ 2026-03-16")
	h.tap("Mark done")

	got, err = h.store.GetVisit(context.Background(), v.ID)
	require.NoError(t, err)
	assert.Equal(t, localdb.VisitDone, got.Status)
	assert.Equal(t, localdb.VisitOutcomeFollowUp, got.Outcome)
	assert.Equal(t, "Wants a quote.", got.Report)
	tasks, err := h.store.Tasks(context.Background(), localdb.TaskFilter{ContactID: c.ID})
	require.NoError(t, err)
	require.Len(t, tasks, 2)
	assert.Equal(t, "Send the quote", tasks[0].Title)
	assert.Equal(t, time.Date(2026, 3, 12, 9, 0, 0, 0, time.Local), tasks[0].Due)
	h.requireText("Follow-up needed")
}

// reportDialog is the open visit report dialog.
func (h *harness) reportDialog() *reportDialog {
	h.t.Helper()
	require.NotEmpty(h.t, h.app.dialogs)
	d, ok := h.app.dialogs[len(h.app.dialogs)-1].ed.(*reportDialog)
	require.True(h.t, ok, "the top dialog is the visit report")
	return d
}

func TestVisitExportsWriteICSAndBrief(t *testing.T) {
	h := newHarness(t, harnessOpts{welcomed: true})
	c := h.seedContact("Jürgen Groß", "Öko-Bäckerei", "")
	v := &localdb.Visit{StartAt: testNow.Add(2 * time.Hour), CompanyID: c.CompanyID, ContactID: c.ID, Assignee: "jörg"}
	require.NoError(t, h.store.Create(context.Background(), v))
	h.app.showID("visits")
	h.idle()
	s := h.app.visits
	require.Len(t, s.visits, 1)
	assert.Equal(t, "visit-2026-03-10-oeko-baeckerei-juergen-gross.ics", fileName(s.visits[0], "ics"))

	dir := t.TempDir()
	for _, tc := range []struct {
		file    string
		produce func(context.Context, string) ([]byte, error)
		want    []byte
	}{
		{"v.ics", s.icsOf, []byte("BEGIN:VCALENDAR\r\n")},
		{"v.pdf", s.briefOf, []byte("%PDF-")},
	} {
		w, err := storage.Writer(storage.NewFileURI(filepath.Join(dir, tc.file)))
		require.NoError(t, err)
		var opened string
		s.writeFile(w, func(ctx context.Context) ([]byte, error) { return tc.produce(ctx, v.ID) }, func(u fyne.URI) { opened = u.Path() })
		h.idle()
		data, err := os.ReadFile(filepath.Join(dir, tc.file))
		require.NoError(t, err)
		assert.True(t, bytes.HasPrefix(data, tc.want), tc.file)
		assert.Equal(t, filepath.Join(dir, tc.file), opened)
		if tc.file == "v.ics" {
			assert.Contains(t, string(data), "UID:"+v.ID+"@visit.repdesk\r\n")
		}
	}
}
