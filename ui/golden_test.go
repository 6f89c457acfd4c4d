package ui

import (
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"repdesk/localdb"
)

// TestScreensRenderToMarkup keeps the main screens as markup goldens in
// testdata/markup (a changed layout shows as a diff; a new golden is
// written to testdata/failed/markup to be checked and promoted).
func TestScreensRenderToMarkup(t *testing.T) {
	conflicts := &fakeSync{status: SyncStatus{Server: "https://hub.example.com", Online: true, LastSync: testNow.Add(-12 * time.Minute), Pending: 4},
		conflicts: []Conflict{{ID: "c1", Entity: localdb.EntityContact, Label: "Jana Kurz", Field: "title", Base: "Einkauf",
			Theirs: "Leiterin Einkauf", Mine: "Einkäuferin", TheirAuthor: "Tom", TheirAt: testNow.Add(-time.Hour)}}}
	for _, tc := range []struct {
		name  string
		lang  string
		sync  SyncService
		setup func(h *harness)
	}{
		{name: "welcome", setup: nil},
		{name: "today", setup: func(h *harness) { h.app.showID("today") }},
		{name: "contacts", setup: func(h *harness) {
			h.app.showID("contacts")
			h.idle()
			h.app.contacts.list.list.Select(0)
		}},
		{name: "contact_edit", setup: func(h *harness) {
			h.app.showID("contacts")
			h.idle()
			h.app.contacts.list.list.Select(0)
			h.idle()
			h.tap("Edit")
		}},
		{name: "companies", setup: func(h *harness) {
			h.app.showID("companies")
			h.idle()
			h.app.companies.list.list.Select(0)
		}},
		{name: "deals_board", setup: func(h *harness) { h.app.showID("deals") }},
		{name: "deals_list", setup: func(h *harness) {
			h.app.showID("deals")
			h.idle()
			h.app.deals.mode.SetSelected("List")
		}},
		{name: "products", setup: func(h *harness) { h.app.showID("products") }},
		{name: "visits", setup: func(h *harness) {
			h.app.showID("visits")
			h.idle()
			h.app.visits.list.Select(0)
		}},
		{name: "sync_conflict", sync: conflicts, setup: func(h *harness) { h.app.showID("sync") }},
		{name: "settings", setup: func(h *harness) { h.app.showID("settings") }},
		{name: "contacts_de", lang: "de", setup: func(h *harness) {
			h.app.showID("contacts")
			h.idle()
			h.app.contacts.list.list.Select(0)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := harnessOpts{demo: 24, language: tc.lang, sync: tc.sync, dataDir: "/home/rep/.local/share/repdesk"}
			if tc.setup == nil {
				o.demo = 0 // the welcome shows on an empty book
			}
			h := newHarness(t, o)
			if tc.setup != nil {
				tc.setup(h)
			}
			h.idle()
			test.AssertRendersToMarkup(t, "markup/"+tc.name+".xml", h.win.Canvas())
		})
	}
}
