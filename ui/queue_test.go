package ui

import (
	"context"
	"fmt"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"repdesk/localdb"
	"repdesk/localdb/calls"
)

// seedCaller creates a contact with a phone and a call task due this
// morning, dueMinutes after 8:00.
func (h *harness) seedCaller(name string, dueMinutes int, dnc bool) *localdb.Contact {
	h.t.Helper()
	ctx := context.Background()
	c := &localdb.Contact{FullName: name, DoNotCall: dnc, Phones: []localdb.Phone{{Number: "+49 30 555010" + fmt.Sprint(dueMinutes), Type: localdb.PhoneWork}}}
	require.NoError(h.t, h.store.CreateContact(ctx, c))
	due := time.Date(testNow.Year(), testNow.Month(), testNow.Day(), 8, dueMinutes, 0, 0, time.Local)
	require.NoError(h.t, h.store.Create(ctx, &localdb.Task{Title: "Call " + name, Kind: localdb.TaskCall, Due: due, ContactID: c.ID}))
	return c
}

// TestWorkAQueueByKeys works through today's calls with the keys: a
// voicemail, a do-not-call contact passed over with the reason, a callback
// at a picked time, and the end of the queue.
func TestWorkAQueueByKeys(t *testing.T) {
	h := newHarness(t, harnessOpts{welcomed: true})
	anna := h.seedCaller("Anna Adler", 0, false)
	h.seedCaller("Bernd Bauer", 10, true)
	carla := h.seedCaller("Carla Conrad", 20, false)
	h.app.showID("queue")
	h.idle()
	s := h.app.queue
	require.Len(t, s.entries, 3, "calls due today is the default queue")
	h.requireText("3 contacts in the queue")
	h.requireText("Contact 1 of 3")
	assert.Equal(t, anna.ID, s.entries[s.cur].ContactID)

	h.key(fyne.Key2) // voicemail
	h.requireText("Skipped Bernd Bauer: do not call")
	h.requireText("Contact 3 of 3")
	assert.Equal(t, carla.ID, s.entries[s.cur].ContactID, "the do-not-call contact is passed over")
	tasks := openCalls(t, h, anna.ID)
	require.Len(t, tasks, 1, "the due call is done, the retry is new")
	assert.Equal(t, "Call Anna Adler again", tasks[0].Title)
	assert.True(t, calls.RetryAt(testNow, time.Local).Equal(tasks[0].Due), "retry due %s", tasks[0].Due)

	// Notes first; Escape leaves the field so that the keys log again.
	h.typeInto(s.notes, "Wants to talk after the trade fair")
	h.key(fyne.Key6) // goes to the notes field, not to the queue
	assert.Empty(t, h.app.dialogs)
	h.key(fyne.KeyEscape)
	assert.Nil(t, h.win.Canvas().Focused())
	h.key(fyne.Key6) // callback: asks when
	require.Len(t, h.app.dialogs, 1)
	h.requireText("Call back when?")
	h.typeInto(h.win.Canvas().Focused(), "14:30")
	h.tap("Log callback")
	assert.Empty(t, h.app.dialogs)
	h.requireText("Queue done")
	h.requireText("2 calls logged.")
	h.requireText("Skipped Bernd Bauer: do not call")

	tasks = openCalls(t, h, carla.ID)
	require.Len(t, tasks, 1)
	assert.Equal(t, "Call back Carla Conrad", tasks[0].Title)
	tomorrow := testNow.Local().AddDate(0, 0, 1)
	assert.True(t, time.Date(tomorrow.Year(), tomorrow.Month(), tomorrow.Day(), 14, 30, 0, 0, time.Local).Equal(tasks[0].Due),
		"callback due %s", tasks[0].Due)
	acts, err := h.store.Activities(context.Background(), localdb.ActivityFilter{ContactID: carla.ID})
	require.NoError(t, err)
	require.Len(t, acts, 1)
	assert.Equal(t, localdb.OutcomeCallback, acts[0].Outcome)
	assert.Equal(t, "Wants to talk after the trade fair", acts[0].Body, "the notes go with the call")

	// Built again, the queue holds only what is left to call.
	h.tap("Build again")
	require.Len(t, s.entries, 1)
	assert.Equal(t, "Bernd Bauer", s.entries[0].Name)
	h.requireText("Queue done")
}

func openCalls(t *testing.T, h *harness, contactID string) []localdb.Task {
	t.Helper()
	ts, err := h.store.Tasks(context.Background(), localdb.TaskFilter{ContactID: contactID, Kind: localdb.TaskCall})
	require.NoError(t, err)
	return ts
}

func TestQueueFromASavedFilterAndWrongNumber(t *testing.T) {
	h := newHarness(t, harnessOpts{welcomed: true})
	ctx := context.Background()
	co := &localdb.Company{Name: "Spree Logistik", City: "Berlin"}
	require.NoError(t, h.store.Create(ctx, co))
	jana := &localdb.Contact{FullName: "Jana Kurz", CompanyID: co.ID, Tags: []string{"VIP"},
		Phones: []localdb.Phone{{Number: "+49 30 1234567", Type: localdb.PhoneWork}, {Number: "+49 171 5550101", Type: localdb.PhoneMobile}}}
	require.NoError(t, h.store.CreateContact(ctx, jana))
	h.seedContact("Uwe Kraus", "Isar Bau", "")
	h.app.showID("queue")
	h.idle()
	s := h.app.queue
	s.due.SetChecked(false)
	h.typeInto(s.place, "berlin")
	h.typeInto(s.tag, "vip")
	h.tap("Save filter…")
	h.typeInto(h.win.Canvas().Focused(), "Berlin VIPs")
	h.tap("Save")
	filters, err := h.store.SavedFilters(ctx)
	require.NoError(t, err)
	require.Len(t, filters, 1)
	assert.Equal(t, localdb.QueueFilter{City: "berlin", Tags: []string{"vip"}}, filters[0].Filter)

	// Another filter, then the saved one again.
	h.typeInto(s.place, "")
	h.typeInto(s.tag, "")
	h.tap("Build queue")
	require.Len(t, s.entries, 2)
	s.saved.SetSelected("Berlin VIPs")
	h.idle()
	require.Len(t, s.entries, 1)
	h.requireText("Spree Logistik")
	h.win.Canvas().Unfocus()
	h.key(fyne.Key5) // wrong number: the dialled number is flagged
	stored, err := h.store.GetContact(ctx, jana.ID)
	require.NoError(t, err)
	assert.True(t, stored.Phones[0].Flagged)
	assert.False(t, stored.Phones[1].Flagged)
}

func TestQualifyALeadFromTheContact(t *testing.T) {
	h := newHarness(t, harnessOpts{welcomed: true})
	c := h.seedContact("Jana Kurz", "Spree Logistik", "")
	h.app.openContact(c.ID)
	h.idle()
	h.tap("Qualify lead…")
	f := h.app.dialogs[len(h.app.dialogs)-1].ed.(*formDialog)
	h.tap("Qualify and open deal")
	assert.Equal(t, "Please correct the marked fields.", f.banner.Text)
	h.requireText("Required to qualify the lead.")
	h.typeInto(h.win.Canvas().Focused(), "40k EUR")
	for _, text := range []string{"CFO decides", "Fleet tracking", "Q3 2026"} {
		h.win.Canvas().FocusNext()
		h.typeInto(h.win.Canvas().Focused(), text)
	}
	h.tap("Qualify and open deal")
	assert.Empty(t, h.app.dialogs)
	deals, err := h.store.ListDeals(context.Background(), localdb.DealFilter{ContactID: c.ID})
	require.NoError(t, err)
	require.Len(t, deals, 1)
	assert.Equal(t, "Qualified", deals[0].Stage)
	assert.Equal(t, "Spree Logistik: Fleet tracking", deals[0].Title)
	h.idle()
	h.requireText("Fleet tracking")
	h.requireText("Q3 2026")
	assert.NotContains(t, h.texts(), "Qualify lead…", "a qualified lead is not qualified again")
}
