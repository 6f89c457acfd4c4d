// Package ui is RepDesk's desktop app, built with Fyne. It is the only
// package that imports Fyne.
//
// Threading: every widget is touched on the UI goroutine only. Work that
// reads or writes the database or the network runs in a goroutine (see run
// and background in async.go) and hands its result back through App.do,
// which is fyne.Do in the app.
package ui

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"repdesk/assets"
	"repdesk/localdb"
	"repdesk/localdb/demo"
	"repdesk/localdb/provision"
)

// AppID is the application ID of FyneApp.toml; Fyne keeps the preferences
// under it.
const AppID = "com.repdesk.app"

// Options configure the app. Nil services get defaults: sync reports "no
// server configured" and counts pending changes; import reads vCards into the
// store with localdb/importer.
type Options struct {
	DataDir  string // where the database and the app's files live, shown in Settings
	Sync     SyncService
	Importer Importer
	// Provisioning is the administrator's provisioning (nil: none);
	// ProvisionError a broken provisioning file, shown at start.
	Provisioning   *provision.Provisioning
	ProvisionError error
	Build          BuildInfo // version, commit and build date, shown in About
}

// Preference keys.
const (
	prefWidth    = "window.width"
	prefHeight   = "window.height"
	prefX        = "window.x"
	prefY        = "window.y"
	prefScreen   = "screen"
	prefLanguage = "language"
	prefTheme    = "theme"
	prefServer   = "sync.server"
	prefInterval = "sync.interval_minutes"
	prefCurrency = "currency"
	prefWelcomed = "welcomed"
)

// Run opens the main window and blocks until it is closed.
func Run(store *localdb.Store, opts Options) error {
	fa := app.NewWithID(AppID)
	w := fa.NewWindow("RepDesk")
	a, err := newApp(fa, w, store, opts, fyne.Do)
	if err != nil {
		return err
	}
	defer a.close()
	a.startBackground()
	w.SetMaster()
	// The window exists once the app runs; then it goes back where it was.
	fa.Lifecycle().SetOnStarted(a.restorePosition)
	w.ShowAndRun()
	return nil
}

// restorePosition moves the window to where it was last closed (where the
// platform lets us: X11 for now; Fyne has no API for it).
func (a *App) restorePosition() {
	prefs := a.fa.Preferences()
	x, y := prefs.IntWithFallback(prefX, -1), prefs.IntWithFallback(prefY, -1)
	if x >= 0 && y >= 0 {
		moveWindow(a.win, x, y)
	}
}

// App is the running desktop app: one window and its screens.
type App struct {
	fa      fyne.App
	win     fyne.Window
	store   *localdb.Store
	sync    SyncService
	imp     Importer
	dataDir string

	buildInfo BuildInfo

	// do runs a function on the UI goroutine (fyne.Do; a queue in tests).
	do  func(func())
	now func() time.Time
	// ctx ends when the app closes; background work derives from it.
	ctx    context.Context
	cancel context.CancelFunc
	// jobs counts background work whose result is not applied yet.
	jobs atomic.Int64

	loc      locale
	language string
	theme    string
	region   string // default phone region; the store's, changed in Settings
	prov     *provision.Provisioning
	provErr  error

	screens []screen
	cur     int
	nav     *keyList
	holder  *fyne.Container
	search  *globalSearch
	status  *syncIndicator
	// dialogs are the open dialogs, the top one last.
	dialogs  []openDialog
	welcome  fyne.CanvasObject
	shell    fyne.CanvasObject
	statusSt SyncStatus

	contacts   *contactsScreen
	companies  *companiesScreen
	deals      *dealsScreen
	products   *productsScreen
	visits     *visitsScreen
	syncView   *syncScreen
	settings   *settingsScreen
	today      *todayScreen
	dashboard  *dashboardScreen
	duplicates *duplicatesScreen
	queue      *queueScreen

	unsubscribe func()
	statusSlot  slot
	welcomeSlot slot

	// probe and observe serve Measure: probe runs when a frame is painted,
	// observe hears "list-loaded", "search:<query>" and "filter:<query>".
	probe   func()
	observe func(event string)
}

// editor is a form being edited: Ctrl+S saves it, Escape cancels it.
type editor interface {
	save()
	cancel()
	dirty() bool
}

// screen is one page of the main window.
type screen interface {
	id() string
	label() string
	icon() fyne.Resource
	view() fyne.CanvasObject
	// shown is called each time the screen is navigated to.
	shown()
	// changed says that records of entity ("" for any) changed elsewhere.
	changed(entity string)
}

func newApp(fa fyne.App, w fyne.Window, store *localdb.Store, opts Options, do func(func())) (*App, error) {
	return newAppAt(fa, w, store, opts, do, time.Now)
}

// newAppWithProbe is newApp for Measure.
func newAppWithProbe(fa fyne.App, w fyne.Window, store *localdb.Store, opts Options, probe func(), observe func(string)) (*App, error) {
	return newAppWith(&App{now: time.Now, probe: probe, observe: observe}, fa, w, store, opts, fyne.Do)
}

// newAppAt is newApp with a clock, for tests.
func newAppAt(fa fyne.App, w fyne.Window, store *localdb.Store, opts Options, do func(func()), now func() time.Time) (*App, error) {
	return newAppWith(&App{now: now}, fa, w, store, opts, do)
}

func newAppWith(a *App, fa fyne.App, w fyne.Window, store *localdb.Store, opts Options, do func(func())) (*App, error) {
	a.fa, a.win, a.store, a.sync, a.imp, a.dataDir, a.do = fa, w, store, opts.Sync, opts.Importer, opts.DataDir, do
	a.prov, a.provErr = opts.Provisioning, opts.ProvisionError
	a.buildInfo = opts.Build
	if a.sync == nil {
		a.sync = offlineSync{store}
	}
	if a.imp == nil {
		a.imp = storeImporter{store}
	}
	a.ctx, a.cancel = context.WithCancel(context.Background())
	a.region = store.Region()
	prefs := fa.Preferences()
	a.theme = prefs.String(prefTheme)
	fa.Settings().SetTheme(repTheme{mode: a.theme})
	fa.SetIcon(fyne.NewStaticResource("icon.png", assets.Icon))
	w.SetIcon(fa.Icon())
	if err := a.setLanguage(prefs.String(prefLanguage)); err != nil {
		return nil, err
	}
	a.sync.SetInterval(time.Duration(a.syncMinutes()) * time.Minute)
	a.build()
	a.showProvisionError()
	a.registerShortcuts()
	w.SetCloseIntercept(a.requestClose)
	w.SetOnDropped(a.dropped)
	w.Resize(fyne.NewSize(float32(prefs.FloatWithFallback(prefWidth, 1280)), float32(prefs.FloatWithFallback(prefHeight, 760))))
	a.refreshStatus()
	a.unsubscribe = a.sync.Subscribe(func(st SyncStatus) {
		a.do(func() { a.setStatus(st) })
	})
	return a, nil
}

func (a *App) setLanguage(code string) error {
	loc, err := useLanguage(code)
	if err != nil {
		return err
	}
	a.language, a.loc = code, loc
	return nil
}

// startBackground starts what only the real app needs: the clock that keeps
// "last sync 5 min ago" true.
func (a *App) startBackground() {
	go func() {
		t := time.NewTicker(30 * time.Second)
		defer t.Stop()
		for {
			select {
			case <-a.ctx.Done():
				return
			case <-t.C:
				a.do(a.refreshStatus)
			}
		}
	}()
}

func (a *App) close() {
	a.cancel()
	if a.unsubscribe != nil {
		a.unsubscribe()
	}
}

// build creates every screen and the shell around them in the current
// language; changing the language builds them again.
func (a *App) build() {
	a.contacts = newContactsScreen(a)
	a.companies = newCompaniesScreen(a)
	a.deals = newDealsScreen(a)
	a.products = newProductsScreen(a)
	a.visits = newVisitsScreen(a)
	a.syncView = newSyncScreen(a)
	a.settings = newSettingsScreen(a)
	a.today = newTodayScreen(a)
	a.dashboard = newDashboardScreen(a)
	a.queue = newQueueScreen(a)
	a.duplicates = newDuplicatesScreen(a)
	a.screens = []screen{a.today, a.dashboard, a.queue, a.contacts, a.companies, a.deals, a.products, a.visits, a.duplicates, a.syncView, a.settings}
	a.shell = a.buildShell()
	a.win.SetContent(a.shell)
	a.win.SetTitle("RepDesk")
	start := slices.IndexFunc(a.screens, func(s screen) bool { return s.id() == a.fa.Preferences().String(prefScreen) })
	a.cur = -1
	a.show(max(start, 0))
	a.setStatus(a.statusSt)
	if !a.fa.Preferences().Bool(prefWelcomed) {
		a.checkWelcome()
	}
}

// rebuild builds the window again, e.g. in another language, keeping the
// current screen.
func (a *App) rebuild() {
	for _, s := range a.screens {
		if c, ok := s.(interface{ stop() }); ok {
			c.stop()
		}
	}
	a.build()
}

func (a *App) buildShell() fyne.CanvasObject {
	a.search = newGlobalSearch(a)
	a.status = newSyncIndicator(a)
	a.holder = container.NewStack()

	a.nav = newKeyList(a, func() int { return len(a.screens) },
		func() fyne.CanvasObject {
			badge := widget.NewLabelWithStyle("", fyne.TextAlignTrailing, fyne.TextStyle{Bold: true})
			badge.Importance = widget.WarningImportance
			return container.NewBorder(nil, nil, widget.NewIcon(theme.HomeIcon()), badge, widget.NewLabel(""))
		},
		func(id widget.ListItemID, o fyne.CanvasObject) {
			c := o.(*fyne.Container)
			s := a.screens[id]
			c.Objects[0].(*widget.Label).SetText(s.label())
			c.Objects[1].(*widget.Icon).SetResource(s.icon())
			badge := c.Objects[2].(*widget.Label)
			badge.SetText("")
			if s.id() == "sync" && a.statusSt.Conflicts > 0 {
				badge.SetText(a.loc.number(int64(a.statusSt.Conflicts)))
			}
		})
	a.nav.OnSelected = func(id widget.ListItemID) {
		a.nav.track(id)
		a.activate(id)
	}
	importBtn := widget.NewButtonWithIcon(lang.L("Import vCards…"), theme.UploadIcon(), func() { a.importFiles(nil) })
	importBtn.Importance = widget.LowImportance
	importBtn.Alignment = widget.ButtonAlignLeading
	brand := widget.NewLabelWithStyle("RepDesk", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	brand.SizeName = theme.SizeNameSubHeadingText
	logo := widget.NewIcon(a.fa.Icon())
	brandRow := container.NewBorder(nil, nil, container.NewGridWrap(fyne.NewSquareSize(32), logo), nil, brand)
	sidebar := newSurface(container.NewBorder(container.NewVBox(brandRow, widget.NewSeparator()),
		container.NewVBox(widget.NewSeparator(), importBtn), nil, nil, a.nav), colorChrome)
	sidebar.radius = 0

	var probe fyne.CanvasObject
	if a.probe != nil {
		probe = paintProbe(a.probe)
	}
	bar := container.New(&topBar{detail: a.status.detail}, container.New(&maxWidth{w: 640}, a.search.entry), a.status.view())
	top := newSurface(container.NewBorder(nil, nil, probe, nil, bar), colorChrome)
	top.radius = 0
	body := container.NewStack(a.holder, a.search.overlay())
	main := container.NewBorder(top, nil, nil, nil, container.NewPadded(body))
	return container.NewBorder(nil, nil, container.New(&fixedWidth{w: 196}, sidebar), nil, main)
}

// show navigates to the screen at index i.
func (a *App) show(i int) {
	if a.nav.selected != i {
		a.nav.Select(i) // calls activate through OnSelected
		return
	}
	a.activate(i)
}

// showID navigates to the screen with this id.
func (a *App) showID(id string) {
	if i := slices.IndexFunc(a.screens, func(s screen) bool { return s.id() == id }); i >= 0 {
		a.show(i)
	}
}

func (a *App) activate(i int) {
	s := a.screens[i]
	if a.cur != i {
		a.cur = i
		a.holder.Objects = []fyne.CanvasObject{s.view()}
		a.holder.Refresh()
		a.fa.Preferences().SetString(prefScreen, s.id())
	}
	a.search.hide()
	s.shown()
}

func (a *App) current() screen { return a.screens[a.cur] }

// changed tells every screen but from (which updated itself) that records
// of entity changed ("" for any), and refreshes the sync indicator: there is
// something new to push.
func (a *App) changed(from screen, entity string) {
	for _, s := range a.screens {
		if s != from {
			s.changed(entity)
		}
	}
	a.refreshStatus()
}

// checkWelcome shows the welcome when the book is empty on first start.
func (a *App) checkWelcome() {
	run(a, &a.welcomeSlot, func(ctx context.Context) (bool, error) {
		if a.needsToken() { // a provisioned first start asks for the token, book or not
			return true, nil
		}
		var n int
		err := a.store.DB().QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM contacts WHERE deleted = 0) +
			(SELECT COUNT(*) FROM companies WHERE deleted = 0)`).Scan(&n)
		return n == 0, err
	}, func(empty bool, err error) {
		if err != nil || !empty {
			a.fa.Preferences().SetBool(prefWelcomed, true)
			return
		}
		a.welcome = newWelcome(a)
		a.win.SetContent(a.welcome)
	})
}

// note tells Measure what happened.
func (a *App) note(event string) {
	if a.observe != nil {
		a.observe(event)
	}
}

// leaveWelcome shows the main window after the welcome.
func (a *App) leaveWelcome() {
	a.fa.Preferences().SetBool(prefWelcomed, true)
	a.welcome = nil
	a.win.SetContent(a.shell)
}

// openDialog is a shown dialog; ed is its form, if it has one.
type openDialog struct {
	d  dialog.Dialog
	ed editor
}

// showDialog shows d and keeps track of it, so that Escape closes it.
func (a *App) showDialog(d dialog.Dialog) { a.showFormDialog(d, nil) }

// showFormDialog shows a dialog holding the form ed: Ctrl+S saves it and
// Escape cancels it (asking first when something was typed).
func (a *App) showFormDialog(d dialog.Dialog, ed editor) {
	a.dialogs = append(a.dialogs, openDialog{d, ed})
	d.SetOnClosed(func() {
		a.dialogs = slices.DeleteFunc(a.dialogs, func(o openDialog) bool { return o.d == d })
	})
	d.Show()
}

// showError reports a failed operation in a dialog.
func (a *App) showError(title string, err error) {
	msg := widget.NewLabel(errorMessage(err))
	msg.Wrapping = fyne.TextWrapWord
	d := dialog.NewCustom(title, lang.L("Close"), container.New(&column{w: 460}, msg), a.win)
	a.showDialog(d)
}

// errorMessage says what went wrong in the rep's language where it can.
func errorMessage(err error) string {
	var ve *localdb.ValidationError
	switch {
	case errors.As(err, &ve):
		return fieldName(ve.Field) + ": " + problemText(ve.Problem)
	case errors.Is(err, localdb.ErrStale):
		return lang.L("Someone changed this record meanwhile.")
	case errors.Is(err, localdb.ErrNotFound):
		return lang.L("This record no longer exists.")
	case errors.Is(err, ErrNoServer):
		return lang.L("No sync server is configured. Connect to one in Settings.")
	case errors.Is(err, ErrUnavailable):
		return lang.L("This feature is not available in this build.")
	case errors.Is(err, context.Canceled):
		return lang.L("Cancelled.")
	case errors.Is(err, demo.ErrDemoData):
		return lang.L("This database holds demo data, which would be uploaded to your team's server. Sign in from a fresh data directory: start RepDesk with --data DIR.")
	case errors.Is(err, demo.ErrSignedIn):
		return lang.L("This database syncs with a server; demo data would be uploaded to your team. Start RepDesk with another data directory (--data DIR) to try the demo.")
	}
	return err.Error()
}

// fieldName is how a stored field is called on screen.
func fieldName(f string) string {
	names := map[string]string{
		"full_name": lang.L("Name"), "email": lang.L("E-mail"), "phone": lang.L("Phone"),
		"phone type": lang.L("Phone type"), "birthday": lang.L("Birthday"), "lead_status": lang.L("Lead status"),
		"name": lang.L("Name"), "title": lang.L("Title"), "amount": lang.L("Amount"),
		"probability": lang.L("Probability"), "currency": lang.L("Currency"),
		"expected_close": lang.L("Expected close"), "stage": lang.L("Stage"), "company_id": lang.L("Company"),
		"contact_id": lang.L("Contact"), "start": lang.L("Start"), "end": lang.L("End"),
		"company": lang.L("Company"), "kind": lang.L("Kind"), "outcome": lang.L("Outcome"),
		"website": lang.L("Website"), "notes": lang.L("Notes"), "tags": lang.L("Tags"),
		"industry": lang.L("Industry"), "city": lang.L("City"), "street": lang.L("Street"),
		"postal_code": lang.L("Postal code"), "country": lang.L("Country"), "purpose": lang.L("Purpose"),
		"next_step": lang.L("Next step"), "status": lang.L("Status"), "report": lang.L("Report"),
	}
	if n, ok := names[f]; ok {
		return n
	}
	return f
}

// escape closes the top dialog, else hides the search results, else cancels
// the edit. It reports whether it did anything.
func (a *App) escape() bool {
	switch {
	case len(a.dialogs) > 0:
		if top := a.dialogs[len(a.dialogs)-1]; top.ed != nil {
			top.ed.cancel()
		} else {
			top.d.Hide()
		}
	case a.search.visible():
		a.search.clear()
	case a.editing() != nil:
		a.editing().cancel()
	default:
		return false
	}
	return true
}

// requestClose closes the window unless an unsaved edit would be lost.
func (a *App) requestClose() {
	closeNow := func() {
		size := a.win.Canvas().Size()
		a.fa.Preferences().SetFloat(prefWidth, float64(size.Width))
		a.fa.Preferences().SetFloat(prefHeight, float64(size.Height))
		if x, y, ok := windowPosition(a.win); ok {
			a.fa.Preferences().SetInt(prefX, x)
			a.fa.Preferences().SetInt(prefY, y)
		}
		a.cancel()
		a.win.Close()
	}
	if !slices.ContainsFunc(a.screens, func(s screen) bool {
		e, ok := s.(editingScreen)
		return ok && e.editing() != nil && e.editing().dirty()
	}) {
		closeNow()
		return
	}
	d := dialog.NewConfirm(lang.L("Discard changes?"), lang.L("You have unsaved changes. Close RepDesk and lose them?"),
		func(ok bool) {
			if ok {
				closeNow()
			}
		}, a.win)
	d.SetConfirmText(lang.L("Discard and close"))
	d.SetDismissText(lang.L("Keep editing"))
	a.showDialog(d)
}

// dropped imports .vcf files dropped onto the window.
func (a *App) dropped(_ fyne.Position, uris []fyne.URI) {
	var files []string
	for _, u := range uris {
		if u.Scheme() == "file" && (u.Extension() == ".vcf" || u.Extension() == ".VCF" || u.Extension() == ".vcard") {
			files = append(files, u.Path())
		}
	}
	if len(files) == 0 {
		a.showError(lang.L("Nothing to import"), errors.New(lang.L("Drop .vcf files to import contacts.")))
		return
	}
	a.importFiles(files)
}

// refreshStatus asks the sync service for its status, off the UI goroutine.
func (a *App) refreshStatus() {
	run(a, &a.statusSlot, func(context.Context) (SyncStatus, error) {
		return a.sync.Status(), nil
	}, func(st SyncStatus, _ error) { a.setStatus(st) })
}

func (a *App) setStatus(st SyncStatus) {
	prev := a.statusSt
	a.statusSt = st
	if a.status != nil {
		a.status.update(st)
	}
	if a.nav != nil && prev.Conflicts != st.Conflicts {
		a.nav.Refresh()
	}
	if a.syncView != nil {
		a.syncView.statusChanged(st)
	}
	// A finished sync may have pulled records from the server.
	if !prev.LastSync.IsZero() && st.LastSync.After(prev.LastSync) {
		for _, s := range a.screens {
			s.changed("")
		}
	}
}

// syncNow starts a sync unless one runs.
func (a *App) syncNow() {
	if a.statusSt.Syncing {
		return
	}
	a.statusSt.Syncing = true
	a.status.update(a.statusSt)
	background(a, func(ctx context.Context) (none, error) {
		return none{}, a.sync.SyncNow(ctx)
	}, func(_ none, err error) {
		a.statusSt.Syncing = false
		if errors.Is(err, ErrNoServer) {
			a.offerServer()
		} else if err != nil {
			a.statusSt.LastError = err.Error()
		}
		a.changed(nil, "")
	})
}

// offerServer explains that there is no server and offers Settings.
func (a *App) offerServer() {
	msg := widget.NewLabel(lang.L("RepDesk works fully offline. To share your changes with your team, connect to a RepDesk server in Settings."))
	msg.Wrapping = fyne.TextWrapWord
	d := dialog.NewCustomConfirm(lang.L("No server configured"), lang.L("Open Settings"), lang.L("Not now"),
		container.New(&column{w: 420}, msg), func(ok bool) {
			if ok {
				a.showID("settings")
			}
		}, a.win)
	a.showDialog(d)
}

// shortcut is one keyboard shortcut of the app.
type shortcut struct {
	key fyne.KeyName
	mod fyne.KeyModifier
	run func()
}

func (a *App) shortcuts() []shortcut {
	ctrl := fyne.KeyModifierShortcutDefault
	list := []shortcut{
		{fyne.KeyK, ctrl, a.search.focus},
		{fyne.KeyF, ctrl, a.search.focus},
		{fyne.KeyN, ctrl, a.newContact},
		{fyne.KeyS, ctrl, a.saveEdit},
		{fyne.KeyI, ctrl, func() { a.importFiles(nil) }},
		{fyne.KeyR, ctrl, a.syncNow},
	}
	for i := range min(len(a.screens), maxScreenShortcuts) {
		list = append(list, shortcut{fyne.KeyName(fmt.Sprint(i + 1)), ctrl, func() { a.show(i) }})
	}
	return list
}

// maxScreenShortcuts is the number of screens Ctrl+digit reaches: the keys
// 1 to 9.
const maxScreenShortcuts = 9

// registerShortcuts makes the shortcuts work when nothing is focused; focused
// entries and lists pass them on through runShortcut.
func (a *App) registerShortcuts() {
	for _, s := range a.shortcuts() {
		a.win.Canvas().AddShortcut(&desktop.CustomShortcut{KeyName: s.key, Modifier: s.mod}, func(fyne.Shortcut) { a.runShortcut(&desktop.CustomShortcut{KeyName: s.key, Modifier: s.mod}) })
	}
	a.win.Canvas().SetOnTypedKey(func(ev *fyne.KeyEvent) { a.globalKey(ev) })
}

// runShortcut runs the app's shortcut cs, if it is one.
func (a *App) runShortcut(cs *desktop.CustomShortcut) bool {
	for _, s := range a.shortcuts() {
		if s.key == cs.KeyName && s.mod == cs.Modifier {
			if a.welcome != nil && s.key != fyne.KeyI {
				return true // the welcome has its own buttons
			}
			s.run()
			return true
		}
	}
	return false
}

// globalKey handles the keys that work everywhere: F5 syncs, Escape closes
// or cancels.
func (a *App) globalKey(ev *fyne.KeyEvent) bool {
	switch ev.Name {
	case fyne.KeyF5:
		a.syncNow()
		return true
	case fyne.KeyEscape:
		return a.escape()
	}
	// A screen with keys of its own (the queue's 1–7) gets the keys typed
	// while no field has the focus and no dialog is open.
	if k, ok := a.current().(keyedScreen); ok && len(a.dialogs) == 0 && a.win.Canvas().Focused() == nil {
		return k.typedKey(ev)
	}
	return false
}

// keyedScreen is a screen with keys of its own.
type keyedScreen interface {
	typedKey(ev *fyne.KeyEvent) bool
}

func (a *App) saveEdit() {
	if e := a.editing(); e != nil {
		e.save()
	}
}

// editingScreen is a screen that may have a form open.
type editingScreen interface {
	editing() editor
}

// editing is the form Ctrl+S and Escape act on: the top dialog's, else the
// current screen's.
func (a *App) editing() editor {
	if len(a.dialogs) > 0 {
		return a.dialogs[len(a.dialogs)-1].ed
	}
	if e, ok := a.current().(editingScreen); ok {
		return e.editing()
	}
	return nil
}

// newContact opens the form for a new contact.
func (a *App) newContact() {
	a.showID("contacts")
	a.contacts.newContact("", "")
}

func (a *App) openContact(id string) {
	a.showID("contacts")
	a.contacts.open(id)
}

func (a *App) openCompany(id string) {
	a.showID("companies")
	a.companies.open(id)
}

func (a *App) openDeal(id string) {
	a.showID("deals")
	a.deals.open(id)
}

// focus gives keyboard focus to o.
func (a *App) focus(o fyne.Focusable) { a.win.Canvas().Focus(o) }
