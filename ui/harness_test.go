package ui

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"github.com/stretchr/testify/require"

	"repdesk/localdb"
	"repdesk/localdb/demo"
	"repdesk/localdb/provision"
)

// testNow is the fixed "now" of every UI test, so that "today" and "5 min
// ago" do not depend on when the tests run (TestMain makes the local time
// zone UTC, so neither does the clock time).
var testNow = time.Date(2026, 3, 10, 9, 30, 0, 0, time.UTC)

func TestMain(m *testing.M) {
	time.Local = time.UTC
	os.Exit(m.Run())
}

// harness runs the app on the test driver. The test goroutine is the UI
// goroutine: background work hands its results to a queue that idle runs
// here, so widget code never runs on another goroutine (the race detector
// would report it).
type harness struct {
	t     testing.TB
	store *localdb.Store
	app   *App
	win   fyne.Window
	queue chan func()
}

type harnessOpts struct {
	sync     SyncService
	importer Importer
	dataDir  string
	dbPath   string // an existing database (default: a new one)
	// syncFor makes the sync service on the harness's store.
	syncFor  func(*localdb.Store) SyncService
	language string // "en" unless set
	demo     int    // demo contacts to seed (0: none)
	welcomed bool   // false shows the welcome on an empty book
	// prov and provErr are the administrator's provisioning and a broken
	// provisioning file's error.
	prov    *provision.Provisioning
	provErr error
}

func newHarness(t testing.TB, o harnessOpts) *harness {
	t.Helper()
	t.Setenv("LANG", "en_US.UTF-8")
	fa := test.NewTempApp(t)
	dbPath := o.dbPath
	if dbPath == "" {
		dbPath = filepath.Join(t.TempDir(), "repdesk.db")
	}
	store, err := localdb.Open(dbPath, localdb.WithClock(func() time.Time { return testNow }))
	require.NoError(t, err)
	t.Cleanup(func() { store.Close() })
	if o.demo > 0 {
		_, err := demo.Seed(context.Background(), store, demo.Options{Contacts: o.demo, Seed: 7, Now: testNow})
		require.NoError(t, err)
	}
	if o.language == "" {
		o.language = "en"
	}
	fa.Preferences().SetString(prefLanguage, o.language)
	fa.Preferences().SetBool(prefWelcomed, o.welcomed || o.demo > 0)
	fa.Preferences().SetString(prefScreen, "today")
	w := fa.NewWindow("RepDesk")
	h := &harness{t: t, store: store, win: w, queue: make(chan func(), 1<<14)}
	if o.syncFor != nil {
		o.sync = o.syncFor(store)
	}
	a, err := newAppAt(fa, w, store, Options{Sync: o.sync, Importer: o.importer, DataDir: o.dataDir,
		Provisioning: o.prov, ProvisionError: o.provErr}, h.do, func() time.Time { return testNow })
	require.NoError(t, err)
	t.Cleanup(a.close)
	h.app = a
	w.Resize(fyne.NewSize(1366, 768))
	h.idle()
	t.Cleanup(func() { useLanguage("en") })
	return h
}

func (h *harness) do(fn func()) { h.queue <- fn }

// idle runs queued UI work until no background work is left.
func (h *harness) idle() {
	h.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		select {
		case fn := <-h.queue:
			fn()
			continue
		default:
		}
		if h.app.jobs.Load() == 0 {
			return
		}
		select {
		case fn := <-h.queue:
			fn()
		case <-time.After(5 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			h.t.Fatalf("background work did not finish (%d jobs)", h.app.jobs.Load())
		}
	}
}

// shortcut presses Ctrl+key.
func (h *harness) shortcut(key fyne.KeyName) {
	h.t.Helper()
	require.True(h.t, h.app.runShortcut(&desktop.CustomShortcut{KeyName: key, Modifier: fyne.KeyModifierShortcutDefault}), "shortcut %s", key)
	h.idle()
}

// key presses a key where the focus is (or on the window).
func (h *harness) key(name fyne.KeyName) {
	ev := &fyne.KeyEvent{Name: name}
	if f := h.win.Canvas().Focused(); f != nil {
		f.TypedKey(ev)
	} else {
		h.win.Canvas().(interface{ OnTypedKey() func(*fyne.KeyEvent) }).OnTypedKey()(ev)
	}
	h.idle()
}

// typeInto replaces the text of e as if typed.
func (h *harness) typeInto(e fyne.Focusable, text string) {
	h.t.Helper()
	if en, ok := e.(interface{ SetText(string) }); ok {
		en.SetText("")
	}
	h.win.Canvas().Focus(e)
	test.Type(e, text)
	h.idle()
}

// objects lists every visible object of the window and its dialogs.
func (h *harness) objects() []fyne.CanvasObject {
	var out []fyne.CanvasObject
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		if o == nil || !o.Visible() {
			return
		}
		out = append(out, o)
		switch c := o.(type) {
		case *fyne.Container:
			for _, ch := range c.Objects {
				walk(ch)
			}
		case fyne.Widget:
			for _, ch := range test.WidgetRenderer(c).Objects() {
				walk(ch)
			}
		}
	}
	walk(h.win.Canvas().Content())
	for _, o := range h.win.Canvas().Overlays().List() {
		walk(o)
	}
	return out
}

// texts is every visible text of the window, one per line.
func (h *harness) texts() string {
	var b strings.Builder
	for _, o := range h.objects() {
		switch w := o.(type) {
		case *widget.Label:
			b.WriteString(w.Text + "\n")
		case errorText:
			b.WriteString(w.Text + "\n")
		case *widget.Button:
			b.WriteString(w.Text + "\n")
		case *widget.Hyperlink:
			b.WriteString(w.Text + "\n")
		case *widget.Check:
			b.WriteString(w.Text + "\n")
		}
	}
	return b.String()
}

func (h *harness) requireText(text string) {
	h.t.Helper()
	require.Contains(h.t, h.texts(), text)
}

// button finds the visible button with this text.
func (h *harness) button(text string) *widget.Button {
	h.t.Helper()
	var found *widget.Button
	for _, o := range h.objects() {
		if b, ok := o.(*widget.Button); ok && b.Text == text {
			found = b // the last one: dialogs are on top
		}
	}
	require.NotNil(h.t, found, "no button %q in:\n%s", text, h.texts())
	return found
}

func (h *harness) tap(text string) {
	h.t.Helper()
	test.Tap(h.button(text))
	h.idle()
}

// seedContact creates a contact (and its company) directly in the store.
func (h *harness) seedContact(name, company, email string) *localdb.Contact {
	h.t.Helper()
	ctx := context.Background()
	c := &localdb.Contact{FullName: name}
	if email != "" {
		c.Emails = []localdb.Email{{Address: email, Type: "work"}}
	}
	if company != "" {
		co := &localdb.Company{Name: company, City: "Köln"}
		require.NoError(h.t, h.store.Create(ctx, co))
		c.CompanyID = co.ID
	}
	require.NoError(h.t, h.store.CreateContact(ctx, c))
	return c
}

// fakeSync is a SyncService with conflicts to resolve; it records calls.
type fakeSync struct {
	mu        sync.Mutex
	status    SyncStatus
	conflicts []Conflict
	resolved  map[string]string
	syncs     int
	subs      []func(SyncStatus)
	loginErr  error
}

func (f *fakeSync) Status() SyncStatus {
	f.mu.Lock()
	defer f.mu.Unlock()
	st := f.status
	st.Conflicts = len(f.conflicts)
	return st
}

func (f *fakeSync) Subscribe(fn func(SyncStatus)) func() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.subs = append(f.subs, fn)
	return func() {}
}

func (f *fakeSync) SyncNow(context.Context) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.syncs++
	f.status.LastSync = testNow
	f.status.Pending = 0
	return nil
}

func (f *fakeSync) Login(_ context.Context, server, _ string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.loginErr != nil {
		return f.loginErr
	}
	f.status.Server, f.status.Online = server, true
	return nil
}

func (f *fakeSync) SetInterval(time.Duration) {}

func (f *fakeSync) Runs(context.Context, int) ([]SyncRun, error) {
	return []SyncRun{{Started: testNow.Add(-time.Hour), Finished: testNow.Add(-time.Hour + 2*time.Second), Pushed: 12, Pulled: 40}}, nil
}

func (f *fakeSync) Rejected(context.Context) ([]RejectedChange, error) {
	return []RejectedChange{{ID: "r1", Entity: localdb.EntityContact, Label: "Jana Kurz", Op: "patch",
		Fields: []string{"email"}, Reason: "the contact belongs to another territory", At: testNow.Add(-2 * time.Hour)}}, nil
}

func (f *fakeSync) Conflicts(context.Context) ([]Conflict, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Conflict(nil), f.conflicts...), nil
}

func (f *fakeSync) Resolve(_ context.Context, id, keep string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.resolved == nil {
		f.resolved = map[string]string{}
	}
	f.resolved[id] = keep
	for i, c := range f.conflicts {
		if c.ID == id {
			f.conflicts = append(f.conflicts[:i], f.conflicts[i+1:]...)
			break
		}
	}
	return nil
}

// fakeImporter reports what a real importer would for a file with one
// malformed card; Import waits for release (or the cancel) when set.
type fakeImporter struct {
	report  ImportReport
	release chan struct{}
	started chan struct{}
}

func (f *fakeImporter) Preview(ctx context.Context, files []string) (ImportReport, error) {
	return f.report, ctx.Err()
}

func (f *fakeImporter) Import(ctx context.Context, files []string, progress func(done, total int)) (ImportReport, error) {
	progress(1, f.report.Cards)
	if f.started != nil {
		close(f.started)
	}
	if f.release != nil {
		select {
		case <-ctx.Done():
			r := f.report
			r.Created, r.Merged, r.Unchanged = 1, 0, 0
			return r, ctx.Err()
		case <-f.release:
		}
	}
	progress(f.report.Cards, f.report.Cards)
	return f.report, nil
}
