package ui

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"repdesk/localdb"
)

func TestGlobalSearch(t *testing.T) {
	h := newHarness(t, harnessOpts{welcomed: true})
	c := h.seedContact("Jürgen Müller", "Müller Maschinenbau", "jm@mueller-mb.de")
	h.seedContact("Maria Schulz", "Schulz AG", "")
	h.shortcut(fyne.KeyK)
	s := h.app.search
	assert.Equal(t, fyne.Focusable(s.entry), h.win.Canvas().Focused(), "Ctrl+K focuses the search")

	// Each keystroke searches; an answer to an older keystroke that comes
	// late is dropped.
	s.entry.SetText("sch")
	s.entry.SetText("muel")
	h.idle()
	assert.Equal(t, "muel", s.applied)
	require.True(t, s.visible())
	var titles []string
	for _, hit := range s.hits {
		titles = append(titles, hit.Title+"/"+hit.Kind)
	}
	assert.ElementsMatch(t, []string{"Jürgen Müller/contact", "Müller Maschinenbau/company"}, titles)

	// Enter opens the selected (first) result.
	require.Equal(t, 0, s.list.selected)
	first := s.hits[0]
	h.key(fyne.KeyDown)
	h.key(fyne.KeyUp)
	h.key(fyne.KeyReturn)
	assert.False(t, s.visible(), "opening a result closes the panel")
	if first.Kind == localdb.EntityContact {
		assert.Equal(t, "contacts", h.app.current().id())
		assert.Equal(t, c.ID, h.app.contacts.shownID)
	} else {
		assert.Equal(t, "companies", h.app.current().id())
	}

	h.typeInto(s.entry, "zzzz")
	h.requireText("No matches for “zzzz”")
	h.key(fyne.KeyEscape)
	assert.False(t, s.visible(), "Escape closes the results")
	assert.Empty(t, s.entry.Text)
}

func TestMoveDealOnTheBoard(t *testing.T) {
	h := newHarness(t, harnessOpts{welcomed: true})
	ctx := context.Background()
	co := &localdb.Company{Name: "Kessler Bau"}
	require.NoError(t, h.store.Create(ctx, co))
	d := &localdb.Deal{Title: "Hallendach", CompanyID: co.ID, Amount: 4_000_000, ExpectedClose: "2026-05-01"}
	require.NoError(t, h.store.Create(ctx, d))
	require.NoError(t, h.store.Create(ctx, &localdb.Deal{Title: "Wartung", CompanyID: co.ID, Amount: 1_000_000}))
	h.app.showID("deals")
	h.idle()
	b := h.app.deals.board
	require.Len(t, b.cols, 6)
	lead, proposal := b.cols[0], b.cols[2]
	require.Len(t, lead.deals, 2)
	assert.Equal(t, "€50,000\nweighted €5,000", lead.totals.Text, "total and weighted total (10 %) per column")

	// Drag the card onto the Proposal column.
	card := newDealCard(b)
	card.set(lead.deals[0])
	require.Equal(t, "Hallendach", card.d.title)
	target := fyne.CurrentApp().Driver().AbsolutePositionForObject(proposal.bg).AddXY(20, 80)
	card.Dragged(&fyne.DragEvent{PointEvent: fyne.PointEvent{AbsolutePosition: target}})
	assert.True(t, b.ghost.Visible(), "the dragged card follows the pointer")
	card.DragEnd()
	h.idle()
	stored, err := h.store.GetDeal(ctx, d.ID)
	require.NoError(t, err)
	assert.Equal(t, "Proposal", stored.Stage)
	assert.EqualValues(t, 50, stored.Probability, "the stage's probability")
	require.Len(t, proposal.deals, 1)
	assert.Equal(t, "€40,000\nweighted €20,000", proposal.totals.Text)
	assert.Equal(t, "€10,000\nweighted €1,000", lead.totals.Text)

	// The card's menu moves it too.
	card.set(proposal.deals[0])
	card.TappedSecondary(&fyne.PointEvent{AbsolutePosition: target})
	h.idle()
	menu := h.win.Canvas().Overlays().Top()
	require.NotNil(t, menu)
	tapMenuItem(t, h, "Move to Won")
	stored, err = h.store.GetDeal(ctx, d.ID)
	require.NoError(t, err)
	assert.Equal(t, "Won", stored.Stage)
	assert.NotEmpty(t, stored.ClosedAt)
	assert.Equal(t, "€40,000\nclosed", b.cols[4].totals.Text, "closed stages show no weighted total")
	assert.Contains(t, h.app.deals.summary.Text, "1 open deal · €10,000 · weighted €1,000")
}

// tapMenuItem taps the item of the open pop-up menu with this label.
func tapMenuItem(t *testing.T, h *harness, label string) {
	t.Helper()
	for _, o := range h.objects() {
		tp, ok := o.(fyne.Tappable)
		w, isWidget := o.(fyne.Widget)
		if !ok || !isWidget {
			continue
		}
		for _, ch := range test.WidgetRenderer(w).Objects() {
			if textOf(ch) == label {
				test.Tap(tp)
				h.idle()
				return
			}
		}
	}
	t.Fatalf("no menu item %q", label)
}

// textOf is the text an object shows, if it is a text.
func textOf(o fyne.CanvasObject) string {
	switch w := o.(type) {
	case *widget.Label:
		return w.Text
	case *widget.Check:
		return w.Text
	case *widget.Button:
		return w.Text
	case *canvas.Text:
		return w.Text
	}
	return ""
}

func storageURI(path string) fyne.URI { return storage.NewFileURI(path) }

func contains(s, sub string) bool { return strings.Contains(s, sub) }

func TestDealListSortsByColumn(t *testing.T) {
	h := newHarness(t, harnessOpts{welcomed: true})
	ctx := context.Background()
	for _, d := range []*localdb.Deal{
		{Title: "Bravo", Amount: 300, ExpectedClose: "2026-06-01"},
		{Title: "alpha", Amount: 100, ExpectedClose: "2026-07-01"},
		{Title: "Charlie", Amount: 200},
	} {
		require.NoError(t, h.store.Create(ctx, d))
	}
	h.app.showID("deals")
	h.idle()
	h.app.deals.mode.SetSelected("List")
	tb := h.app.deals.table
	titles := func() []string {
		var out []string
		for _, d := range tb.deals {
			out = append(out, d.title)
		}
		return out
	}
	assert.Equal(t, []string{"Bravo", "alpha", "Charlie"}, titles(), "by expected close, open dates last")
	tb.sortBy(0)
	assert.Equal(t, []string{"alpha", "Bravo", "Charlie"}, titles())
	tb.sortBy(3)
	assert.Equal(t, []string{"alpha", "Charlie", "Bravo"}, titles())
	tb.sortBy(3)
	assert.Equal(t, []string{"Bravo", "Charlie", "alpha"}, titles(), "a second tap reverses")
}

func TestNewDealValidates(t *testing.T) {
	h := newHarness(t, harnessOpts{welcomed: true})
	h.app.showID("deals")
	h.idle()
	h.tap("New deal")
	f := h.app.dialogs[len(h.app.dialogs)-1].ed.(*dealForm)
	h.typeInto(f.amount, "zwölf")
	assert.Equal(t, "Not an amount; write it like 12,500.50.", f.fields["amount"].errMsg.Text)
	h.shortcut(fyne.KeyS)
	assert.Equal(t, "Required: give the deal a title.", f.fields["title"].errMsg.Text)
	require.Len(t, h.app.dialogs, 1, "the dialog stays open")

	h.typeInto(f.title, "Fuhrpark 2026")
	h.typeInto(f.amount, "12,500")
	h.typeInto(f.company.entry, "Neue Spedition")
	f.stage.SetSelected("Negotiation")
	assert.Equal(t, "75", f.prob.Text, "the stage sets its probability")
	h.shortcut(fyne.KeyS)
	assert.Empty(t, h.app.dialogs)
	deals, err := h.store.ListDeals(context.Background(), localdb.DealFilter{})
	require.NoError(t, err)
	require.Len(t, deals, 1)
	assert.Equal(t, "Fuhrpark 2026", deals[0].Title)
	assert.EqualValues(t, 1_250_000, deals[0].Amount)
	assert.Equal(t, "Negotiation", deals[0].Stage)
	assert.Equal(t, "Neue Spedition", deals[0].Company)
	assert.Len(t, h.app.deals.board.cols[3].deals, 1)
}

func testImportReport() ImportReport {
	return ImportReport{Files: 1, Cards: 3, Created: 1, Merged: 1, Failed: 1,
		Conflicts: []ImportConflict{{ContactID: "", Field: "title", Kept: "Einkauf", Incoming: "Leitung Einkauf"}},
		Errors:    []ImportError{{File: "/home/rep/messe.vcf", Card: 3, Line: 14, Message: "EMAIL \"not-an-address\": missing @"}}}
}

func TestImportWithAMalformedCard(t *testing.T) {
	fake := &fakeImporter{report: testImportReport()}
	h := newHarness(t, harnessOpts{importer: fake, welcomed: true})
	c := h.seedContact("Greta Sommer", "", "")
	fake.report.Conflicts[0].ContactID = c.ID
	file := filepath.Join(t.TempDir(), "messe.vcf")
	require.NoError(t, os.WriteFile(file, []byte("BEGIN:VCARD\r\n"), 0o600))

	h.app.dropped(fyne.NewPos(10, 10), []fyne.URI{storageURI(file)})
	h.idle()
	texts := h.texts()
	assert.Contains(t, texts, "Nothing is written yet. This is what the import would do:")
	assert.Contains(t, texts, "Greta Sommer, Title: keeps “Einkauf”, the card says “Leitung Einkauf”")
	assert.Contains(t, texts, "messe.vcf, card 3, line 14: EMAIL \"not-an-address\": missing @")
	h.tap("Import 2 cards")
	texts = h.texts()
	assert.Contains(t, texts, "Import finished")
	assert.Contains(t, texts, "messe.vcf, card 3, line 14: EMAIL \"not-an-address\": missing @", "the report lists the errors")
	h.tap("Close")
	assert.Empty(t, h.app.dialogs)
}

func TestImportCanBeCancelled(t *testing.T) {
	fake := &fakeImporter{report: testImportReport(), release: make(chan struct{}), started: make(chan struct{})}
	h := newHarness(t, harnessOpts{importer: fake, welcomed: true})
	h.app.importFiles([]string{"/tmp/big.vcf"})
	h.idle()
	test.Tap(h.button("Import 2 cards")) // no idle: the import runs until cancelled
	<-fake.started
	for h.app.jobs.Load() > 0 && !contains(h.texts(), "1 of 3 cards") {
		select {
		case fn := <-h.queue:
			fn()
		case <-time.After(time.Millisecond):
		}
	}
	h.requireText("1 of 3 cards")
	h.tap("Cancel")
	h.requireText("Import cancelled")
	h.requireText("The cards imported before you cancelled are kept; importing the file again skips them.")
}

func TestDroppingOtherFilesExplains(t *testing.T) {
	h := newHarness(t, harnessOpts{welcomed: true})
	h.app.dropped(fyne.NewPos(1, 1), []fyne.URI{storageURI("/tmp/photo.jpg")})
	h.requireText("Drop .vcf files to import contacts.")
}

func TestImportWithTheStoreImporter(t *testing.T) {
	h := newHarness(t, harnessOpts{welcomed: true})
	c := &localdb.Contact{FullName: "Luca Bianchi", Title: "Einkauf", Emails: []localdb.Email{{Address: "luca.bianchi@example.it"}}}
	require.NoError(t, h.store.CreateContact(context.Background(), c))
	h.app.showID("contacts")
	h.shortcut(fyne.KeyI)
	require.NotEmpty(t, h.app.dialogs, "Ctrl+I opens the file dialog")
	h.app.closeDialogs()

	h.app.importFiles([]string{"testdata/messe.vcf"})
	h.idle()
	texts := h.texts()
	assert.Contains(t, texts, "Luca Bianchi, Title: keeps “Einkauf”, the card says “Leitung Einkauf”")
	assert.Contains(t, texts, "messe.vcf, card 3, line 16: card has no name, organization, e-mail address or phone number")
	assert.Contains(t, texts, "messe.vcf, card 4, line 21: missing END:VCARD: the file ends inside this card")
	n, err := h.store.CountContacts(context.Background())
	require.NoError(t, err)
	assert.Equal(t, 1, n, "the preview writes nothing")

	h.tap("Import 2 cards")
	h.requireText("Import finished")
	n, err = h.store.CountContacts(context.Background())
	require.NoError(t, err)
	assert.Equal(t, 2, n, "Greta Sommer is new, Luca Bianchi merged")
	h.tap("Close")
	h.idle()
	assert.Len(t, h.app.contacts.list.view, 2, "the list shows the imported contact")
}

func TestResolveConflicts(t *testing.T) {
	fake := &fakeSync{status: SyncStatus{Server: "https://hub.example.com", Online: true, LastSync: testNow.Add(-5 * time.Minute), Pending: 3},
		conflicts: []Conflict{
			{ID: "c1", Entity: localdb.EntityContact, Label: "Jana Kurz", Field: "title", Base: "Einkauf",
				Theirs: "Leiterin Einkauf", Mine: "Einkäuferin", TheirAuthor: "Tom", TheirAt: testNow.Add(-time.Hour)},
			{ID: "c2", Entity: localdb.EntityCompany, Label: "Kessler Bau", Deleted: true, Mine: "phone: 0221 5550100", TheirAuthor: "Ute"},
		}}
	h := newHarness(t, harnessOpts{sync: fake, welcomed: true})
	texts := h.texts()
	assert.Contains(t, texts, "Online")
	assert.Contains(t, texts, "3 changes waiting · last sync 5 min ago")
	assert.Contains(t, texts, "2 conflicts", "the indicator shows open conflicts")

	h.tap("2 conflicts")
	assert.Equal(t, "sync", h.app.current().id())
	texts = h.texts()
	for _, want := range []string{"Jana Kurz", "Base", "Einkauf", "Theirs", "Tom, today at 8:30 AM", "Leiterin Einkauf", "Mine", "Einkäuferin"} {
		assert.Contains(t, texts, want)
	}
	tabs := h.app.syncView.tabs
	tabs.SelectIndex(1)
	h.requireText("the contact belongs to another territory")
	tabs.SelectIndex(2)
	h.requireText("sent 12, received 40")
	tabs.SelectIndex(0)
	h.tap("Keep mine")
	assert.Equal(t, map[string]string{"c1": KeepMine}, fake.resolved)

	// The delete conflict is next: restore the record with the local edit.
	texts = h.texts()
	assert.Contains(t, texts, "Ute deleted this record on the server while you edited it here.")
	h.tap("Restore")
	assert.Equal(t, Restore, fake.resolved["c2"])
	h.app.refreshStatus()
	h.idle()
	h.requireText("No conflicts")
	assert.NotContains(t, h.texts(), "2 conflicts")
}

func TestSyncKeysAndOfflineDefault(t *testing.T) {
	fake := &fakeSync{status: SyncStatus{Server: "https://hub.example.com", Online: true, Pending: 2}}
	h := newHarness(t, harnessOpts{sync: fake, welcomed: true})
	h.key(fyne.KeyF5)
	assert.Equal(t, 1, fake.syncs, "F5 syncs")
	h.requireText("all changes saved · last sync just now")

	// Without a server, Sync now explains how to connect instead of failing.
	h2 := newHarness(t, harnessOpts{welcomed: true})
	h2.key(fyne.KeyF5)
	h2.requireText("No server configured")
	h2.key(fyne.KeyEscape)
	assert.Empty(t, h2.app.dialogs, "Escape closes the dialog")
}

func TestSignInChecksTheServer(t *testing.T) {
	fake := &fakeSync{}
	h := newHarness(t, harnessOpts{sync: fake, welcomed: true})
	h.app.showID("settings")
	h.idle()
	s := h.app.settings
	h.typeInto(s.server, "hub.example.com")
	h.tap("Sign in")
	h.requireText("Write the full address, e.g. https://repdesk.example.com")
	h.typeInto(s.server, "https://hub.example.com")
	h.typeInto(s.token, "s3cret")
	h.tap("Sign in")
	h.requireText("Signed in to https://hub.example.com.")
	assert.Empty(t, s.token.Text, "the token is not kept in the form")
	assert.Equal(t, "https://hub.example.com", h.app.fa.Preferences().String(prefServer))
	assert.Empty(t, h.app.fa.Preferences().String("token"))
	assert.Equal(t, 1, fake.syncs, "signing in starts the first sync")
}

func TestWelcomeOffersDemoData(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	require.NotNil(t, h.app.welcome, "an empty book on first start shows the welcome")
	h.requireText("Welcome to RepDesk")
	h.tap("Explore with demo data")
	assert.Nil(t, h.app.welcome)
	n, err := h.store.CountContacts(context.Background())
	require.NoError(t, err)
	assert.Equal(t, welcomeDemoContacts, n)
	assert.Equal(t, "contacts", h.app.current().id())
	assert.Len(t, h.app.contacts.list.view, welcomeDemoContacts)
	assert.True(t, h.app.fa.Preferences().Bool(prefWelcomed))
}

func TestWindowRemembersScreenAndLanguageSwitch(t *testing.T) {
	h := newHarness(t, harnessOpts{demo: 20})
	// Ctrl+<position in the navigation> opens a screen.
	companies := slices.IndexFunc(h.app.screens, func(s screen) bool { return s.id() == "companies" })
	h.shortcut(fyne.KeyName(strconv.Itoa(companies + 1)))
	assert.Equal(t, "companies", h.app.current().id())
	assert.Equal(t, "companies", h.app.fa.Preferences().String(prefScreen))
	h.app.showID("settings")
	h.idle()
	// Switching the language rebuilds the window in German, on the same screen.
	require.NoError(t, h.app.setLanguage("de"))
	h.app.rebuild()
	h.idle()
	assert.Equal(t, "settings", h.app.current().id())
	h.requireText("Einstellungen")
}

func TestTaskCanBeAddedAndTickedOff(t *testing.T) {
	h := newHarness(t, harnessOpts{welcomed: true})
	c := h.seedContact("Rita Falk", "", "")
	h.app.openContact(c.ID)
	h.idle()
	h.tap("Task")
	f := h.app.dialogs[len(h.app.dialogs)-1].ed.(*formDialog)
	h.shortcut(fyne.KeyS)
	assert.Equal(t, "Please correct the marked fields.", f.banner.Text)
	h.typeInto(h.win.Canvas().Focused(), "Send the price list")
	h.shortcut(fyne.KeyS)
	assert.Empty(t, h.app.dialogs)
	tasks, err := h.store.Tasks(context.Background(), localdb.TaskFilter{ContactID: c.ID})
	require.NoError(t, err)
	require.Len(t, tasks, 1)
	assert.Equal(t, "Send the price list", tasks[0].Title)
	assert.True(t, sameDay(tasks[0].Due, testNow.AddDate(0, 0, 1)), "due tomorrow by default")

	h.app.showID("today")
	h.idle()
	h.requireText("Nothing due. Enjoy the calm, or plan the next calls.")
	h.app.openContact(c.ID)
	h.idle()
	h.requireText("Send the price list")
	var checks []*widget.Check
	for _, o := range h.objects() {
		if ch, ok := o.(*widget.Check); ok {
			checks = append(checks, ch)
		}
	}
	require.Len(t, checks, 1, "the task's check box")
	checks[0].SetChecked(true)
	h.idle()
	tasks, err = h.store.Tasks(context.Background(), localdb.TaskFilter{ContactID: c.ID})
	require.NoError(t, err)
	assert.Empty(t, tasks, "ticked off")
}
