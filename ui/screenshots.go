package ui

import (
	"errors"
	"fmt"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"

	"repdesk/localdb"
)

// screenshotSize is the window the screenshots show: a common laptop screen.
var screenshotSize = fyne.NewSize(1366, 768)

// Screenshots opens the real window, visits every screen in English and in
// German, saves what the window shows as dir/<lang>/<screen>.png, and quits.
// It keeps its preferences apart from the app's (its own app ID), so taking
// screenshots does not change the rep's last screen or language.
func Screenshots(store *localdb.Store, dir string, opts Options) error {
	fa := app.NewWithID(AppID + ".screenshots")
	fa.Preferences().SetBool(prefWelcomed, true)
	fa.Preferences().SetString(prefScreen, "today")
	fa.Preferences().SetString(prefLanguage, "en")
	fa.Preferences().SetString(prefTheme, themeLight)
	w := fa.NewWindow("RepDesk")
	a, err := newApp(fa, w, store, opts, fyne.Do)
	if err != nil {
		return err
	}
	defer a.close()
	w.Resize(screenshotSize)
	w.SetFixedSize(true)
	errc := make(chan error, 1)
	go func() {
		err := captureAll(a, dir)
		fyne.DoAndWait(fa.Quit)
		errc <- err
	}()
	w.ShowAndRun()
	return <-errc
}

// shot is one screenshot: prepare sets the scene, undo cleans up after it.
type shot struct {
	name    string
	prepare func()
	undo    func()
}

func captureAll(a *App, dir string) error {
	sample, err := writeSampleVCard()
	if err != nil {
		return err
	}
	defer os.RemoveAll(filepath.Dir(sample))
	for _, language := range []string{"en", "de"} {
		if err := ui(func() error {
			if err := a.setLanguage(language); err != nil {
				return err
			}
			a.rebuild()
			return nil
		}); err != nil {
			return err
		}
		for _, s := range screenshotPlan(a, sample, language == "en") {
			if err := ui(func() error { s.prepare(); return nil }); err != nil {
				return err
			}
			a.settle()
			var img image.Image
			fyne.DoAndWait(func() { img = a.win.Canvas().Capture() })
			if blank(img) {
				fyne.DoAndWait(func() { img = screenGrab(a.win) })
			}
			if err := savePNG(filepath.Join(dir, language, s.name+".png"), img); err != nil {
				return err
			}
			if s.undo != nil {
				fyne.DoAndWait(s.undo)
				a.settle()
			}
		}
	}
	return nil
}

// ui runs fn on the UI goroutine and waits for it.
func ui(fn func() error) error {
	var err error
	fyne.DoAndWait(func() { err = fn() })
	return err
}

// settle waits until background work is done and a few frames were drawn.
func (a *App) settle() {
	deadline := time.Now().Add(30 * time.Second)
	quiet := 0
	for quiet < 5 && time.Now().Before(deadline) {
		time.Sleep(60 * time.Millisecond)
		if a.jobs.Load() == 0 {
			quiet++
		} else {
			quiet = 0
		}
	}
	time.Sleep(250 * time.Millisecond)
}

func screenshotPlan(a *App, sample string, english bool) []shot {
	selectFirst := func(l *recordList) {
		if len(l.view) > 0 {
			l.list.Select(0)
		}
	}
	var welcome fyne.CanvasObject
	plan := []shot{
		{name: "welcome", prepare: func() {
			welcome = newWelcome(a)
			a.win.SetContent(welcome)
		}, undo: func() { a.win.SetContent(a.shell) }},
		{name: "today", prepare: func() { a.showID("today") }},
		{name: "dashboard", prepare: func() { a.showID("dashboard") }},
		{name: "contacts", prepare: func() {
			a.showID("contacts")
		}, undo: func() { selectFirst(a.contacts.list) }},
		{name: "contact", prepare: func() {}},
		{name: "contact-edit-invalid", prepare: func() {
			if b, ok := a.contacts.bundle.(*contactBundle); ok {
				cp := *b.contact
				a.contacts.openForm(a.contacts.editForm(&cp))
				f := a.contacts.form.(*contactForm)
				r := f.emails.add(pair{"max@", "work"})
				f.emails.checkRow(r)
				a.focus(r.entry)
			}
		}, undo: func() { a.contacts.closeForm() }},
		{name: "log-call", prepare: func() {
			if b, ok := a.contacts.bundle.(*contactBundle); ok {
				d := a.logCall(b.contact, openDeals(b.deals))
				d.outcome.SetSelected(outcomeName(localdb.OutcomeConnected))
				d.notes.SetText("Interested in the spring offer; wants a quote by Friday.")
			}
		}, undo: a.closeDialogs},
		{name: "search", prepare: func() {
			a.search.focus()
			for _, r := range "mül" {
				a.search.entry.TypedRune(r)
			}
		}, undo: func() {
			a.search.clear()
			a.win.Canvas().Unfocus()
		}},
		{name: "companies", prepare: func() { a.showID("companies") }, undo: nil},
		{name: "company", prepare: func() { selectFirst(a.companies.list) }},
		{name: "deals-board", prepare: func() { a.showID("deals") }},
		{name: "deals-list", prepare: func() { a.deals.mode.SetSelected(a.deals.mode.Options[1]) },
			undo: func() { a.deals.mode.SetSelected(a.deals.mode.Options[0]) }},
		{name: "deal", prepare: func() {
			if len(a.deals.data.deals) > 0 {
				a.deals.open(a.deals.data.deals[0].id)
			}
		}, undo: a.closeDialogs},
		{name: "visits", prepare: func() {
			a.showID("visits")
		}, undo: func() {
			if len(a.visits.visits) > 0 {
				a.visits.list.Select(0)
			}
		}},
		{name: "visit", prepare: func() {}},
		{name: "sync", prepare: func() { a.showID("sync") }},
		{name: "settings", prepare: func() { a.showID("settings") }},
		{name: "about", prepare: func() { a.showID("settings"); a.showAbout() }, undo: a.closeDialogs},
		{name: "import", prepare: func() {
			a.showID("contacts")
			a.importFiles([]string{sample})
		}, undo: a.closeDialogs},
	}
	plan = append(plan, salesShots(a)...)
	plan = append(plan, demoGuardShots(a)...)
	plan = append(plan, provisioningShots(a)...)
	plan = append(plan, duplicatesShots(a)...)
	plan = append(plan, visitShots(a)...)
	plan = append(plan, queueShots(a)...)
	if english {
		plan = append(plan, shot{name: "contacts-dark", prepare: func() {
			a.fa.Settings().SetTheme(repTheme{mode: themeDark})
			a.showID("contacts")
		}, undo: func() { a.fa.Settings().SetTheme(repTheme{mode: a.theme}) }})
	}
	return plan
}

// closeDialogs closes every open dialog without asking.
func (a *App) closeDialogs() {
	for len(a.dialogs) > 0 {
		a.dialogs[len(a.dialogs)-1].d.Hide()
	}
}

// blank reports whether img has no visible pixel, as Capture returns under
// Xvfb.
func blank(img image.Image) bool {
	if img == nil {
		return true
	}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y += 7 {
		for x := b.Min.X; x < b.Max.X; x += 7 {
			if _, _, _, a := img.At(x, y).RGBA(); a != 0 {
				return false
			}
		}
	}
	return true
}

func savePNG(path string, img image.Image) error {
	if img == nil {
		return errors.New("screenshot: the window gave no image")
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("screenshot: %w", err)
	}
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("screenshot: %w", err)
	}
	if err := png.Encode(f, img); err != nil {
		f.Close()
		return fmt.Errorf("screenshot %s: %w", path, err)
	}
	return f.Close()
}

// writeSampleVCard writes the vCard file the import screenshot checks: two
// good cards and a malformed one.
func writeSampleVCard() (string, error) {
	dir, err := os.MkdirTemp("", "repdesk-screenshot-")
	if err != nil {
		return "", fmt.Errorf("screenshot sample: %w", err)
	}
	path := filepath.Join(dir, "messe-kontakte.vcf")
	body := "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Greta Sommer\r\nN:Sommer;Greta;;;\r\nORG:Sommer Logistik GmbH\r\n" +
		"EMAIL;TYPE=work:greta.sommer@sommer-logistik.de\r\nTEL;TYPE=cell:+49 151 2345678\r\nEND:VCARD\r\n" +
		"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Luca Bianchi\r\nN:Bianchi;Luca;;;\r\nEMAIL:luca.bianchi@example.it\r\n" +
		"EMAIL:luca@@example\r\nEND:VCARD\r\n" +
		"BEGIN:VCARD\r\nVERSION:3.0\r\nN:;;;;\r\nNOTE:a card without a name\r\nEND:VCARD\r\n"
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		return "", fmt.Errorf("screenshot sample: %w", err)
	}
	return path, nil
}
