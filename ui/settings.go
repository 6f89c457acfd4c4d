package ui

import (
	"context"
	"fmt"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"repdesk/localdb"
	"repdesk/localdb/provision"
)

// Sync intervals offered, in minutes (0: only by hand).
var syncIntervals = []int{0, 5, 15, 30, 60}

// Phone regions offered as the default for numbers typed without a country
// code.
var phoneRegions = []string{"DE", "AT", "CH", "LI", "LU", "BE", "NL", "FR", "IT", "ES", "PT", "GB", "IE", "DK",
	"SE", "NO", "FI", "PL", "CZ", "US", "CA"}

// settingsScreen holds the server connection and the rep's preferences.
type settingsScreen struct {
	a      *App
	root   fyne.CanvasObject
	server *keyEntry
	token  *keyEntry
	login  *widget.Button
	result *widget.Label
	slot   slot
}

func (a *App) currency() string {
	if a.locked(provision.LockCurrency) {
		return a.prov.Currency
	}
	fallback := "EUR"
	if a.prov != nil && a.prov.Currency != "" {
		fallback = a.prov.Currency
	}
	return a.fa.Preferences().StringWithFallback(prefCurrency, fallback)
}

func newSettingsScreen(a *App) *settingsScreen {
	s := &settingsScreen{a: a}
	prefs := a.fa.Preferences()

	s.server = newEntry(a)
	s.server.SetPlaceHolder("https://repdesk.example.com")
	s.server.SetText(firstNonEmpty(prefs.String(prefServer), a.provisionedServer()))
	serverErr := newErrorText()
	s.server.OnChanged = func(string) { serverErr.set("") }
	s.token = newPasswordEntry(a)
	s.token.SetPlaceHolder(lang.L("sign-in token from your admin"))
	s.result = widget.NewLabel("")
	s.result.Wrapping = fyne.TextWrapWord
	s.login = widget.NewButtonWithIcon(lang.L("Sign in"), theme.LoginIcon(), func() {
		if msg := checkServerURL(s.server.Text); msg != "" {
			serverErr.set(msg)
			return
		}
		s.signIn()
	})
	s.login.Importance = widget.HighImportance
	serverPanel := panel(lang.L("Server"), container.NewVBox(
		settingRow(lang.L("Server URL"), a.lockSetting(provision.LockServer, s.server, container.NewVBox(s.server, serverErr))),
		settingRow(lang.L("Token"), s.token),
		settingRow("", container.NewBorder(nil, nil, nil, s.login, s.result))))

	var intervalNames []string
	intervals := syncIntervals
	if m := a.syncMinutes(); indexOfInt(intervals, m) < 0 { // an administrator's interval not in the list
		intervals = append(slices.Clone(intervals), m)
	}
	for _, m := range intervals {
		if m == 0 {
			intervalNames = append(intervalNames, lang.L("Only when I press Sync now"))
		} else {
			intervalNames = append(intervalNames, lang.L("Every {{.N}} minutes", map[string]any{"N": m}))
		}
	}
	interval := widget.NewSelect(intervalNames, nil)
	interval.SetSelectedIndex(max(0, indexOfInt(intervals, a.syncMinutes())))
	interval.OnChanged = func(string) {
		m := intervals[max(0, interval.SelectedIndex())]
		prefs.SetInt(prefInterval, m)
		a.sync.SetInterval(time.Duration(m) * time.Minute)
	}

	region := widget.NewSelect(phoneRegions, nil)
	region.SetSelected(a.region)
	regionNote := secondary("")
	regionNote.Hide()
	region.OnChanged = func(code string) {
		background(a, func(ctx context.Context) (none, error) {
			return none{}, a.store.SetSetting(ctx, localdb.SettingRegion, code)
		}, func(_ none, err error) {
			if err != nil {
				regionNote.SetText(errorMessage(err))
				return
			}
			a.region = code
			regionNote.SetText(lang.L("New numbers without a country code are read as {{.Region}}.", map[string]any{"Region": code}))
			regionNote.Show()
		})
	}
	currency := widget.NewSelect(currencies, func(c string) { prefs.SetString(prefCurrency, c) })
	currency.SetSelected(a.currency())

	var themeNames []string
	for _, t := range themes {
		themeNames = append(themeNames, themeName(t))
	}
	themeChoice := widget.NewRadioGroup(themeNames, nil)
	themeChoice.Horizontal, themeChoice.Required = true, true
	themeChoice.SetSelected(themeName(a.theme))
	themeChoice.OnChanged = func(name string) {
		t := themes[max(0, indexOf(themeNames, name))]
		if t == a.theme {
			return
		}
		a.theme = t
		prefs.SetString(prefTheme, t)
		a.fa.Settings().SetTheme(repTheme{mode: t})
	}
	var langNames []string
	for _, l := range languages {
		langNames = append(langNames, languageName(l))
	}
	language := widget.NewSelect(langNames, nil)
	language.SetSelected(languageName(a.language))
	language.OnChanged = func(name string) {
		code := languages[max(0, indexOf(langNames, name))]
		if code == a.language {
			return
		}
		prefs.SetString(prefLanguage, code)
		if err := a.setLanguage(code); err != nil {
			a.showError(lang.L("Could not change the language"), err)
			return
		}
		a.rebuild()
	}

	general := panel(lang.L("Sync and region"), container.NewVBox(
		settingRow(lang.L("Sync"), a.lockSetting(provision.LockSyncInterval, interval, interval)),
		settingRow(lang.L("Phone region"), a.lockSetting(provision.LockRegion, region, container.NewVBox(region, regionNote))),
		settingRow(lang.L("Currency"), a.lockSetting(provision.LockCurrency, currency, currency)),
	))
	look := panel(lang.L("Appearance"), container.NewVBox(
		settingRow(lang.L("Theme"), themeChoice),
		settingRow(lang.L("Language"), language),
	))
	data := panel(lang.L("Data"), container.NewVBox(
		settingRow(lang.L("Data folder"), wrapLabel(firstNonEmpty(a.dataDir, filepath.Dir(a.store.Path())))),
		settingRow("", wrapLabel(lang.L("Everything is stored on this computer first; the server gets a copy when you sync."))),
	))
	keys := panel(lang.L("Keyboard"), shortcutHelp())
	col := container.NewVBox(serverPanel, general, look, data, keys, a.aboutPanel())
	s.root = container.NewBorder(heading(lang.L("Settings")), nil, nil, nil,
		container.NewVScroll(container.New(&maxWidth{w: 820}, col)))
	return s
}

func (s *settingsScreen) id() string              { return "settings" }
func (s *settingsScreen) label() string           { return lang.L("Settings") }
func (s *settingsScreen) icon() fyne.Resource     { return theme.SettingsIcon() }
func (s *settingsScreen) view() fyne.CanvasObject { return s.root }
func (s *settingsScreen) shown()                  {}
func (s *settingsScreen) changed(string)          {}
func (s *settingsScreen) stop()                   { s.slot.stop() }

func themeName(t string) string {
	switch t {
	case themeLight:
		return lang.L("Light")
	case themeDark:
		return lang.L("Dark")
	}
	return lang.L("System")
}

func indexOfInt(xs []int, x int) int {
	for i, v := range xs {
		if v == x {
			return i
		}
	}
	return -1
}

// checkServerURL says what is wrong with a server address, or "".
func checkServerURL(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return lang.L("Required: the address of your RepDesk server.")
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return lang.L("Write the full address, e.g. https://repdesk.example.com")
	}
	return ""
}

// signIn checks the server and token (off the UI goroutine) and keeps the
// server address; the token goes to the sync service, never to the
// preferences.
func (s *settingsScreen) signIn() {
	server, token := strings.TrimSpace(s.server.Text), s.token.Text
	s.login.Disable()
	s.result.Importance = widget.MediumImportance
	s.result.SetText(lang.L("Checking the server…"))
	run(s.a, &s.slot, func(ctx context.Context) (none, error) {
		ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
		defer cancel()
		return none{}, s.a.sync.Login(ctx, server, token)
	}, func(_ none, err error) {
		s.login.Enable()
		if err != nil {
			s.signInFailed(err)
			return
		}
		s.a.fa.Preferences().SetString(prefServer, server)
		s.token.SetText("")
		s.result.Importance = widget.SuccessImportance
		s.result.SetText(lang.L("Signed in to {{.Server}}.", map[string]any{"Server": server}))
		s.a.refreshStatus()
		s.a.syncNow()
	})
}

// signInFailed says why signing in failed.
func (s *settingsScreen) signInFailed(err error) {
	s.result.Importance = widget.DangerImportance
	s.result.SetText(lang.L("Sign-in failed: {{.Error}}", map[string]any{"Error": errorMessage(err)}))
}

// settingRow is a setting with its label in a column of the same width in
// every panel, so that the panels line up.
func settingRow(label string, input fyne.CanvasObject) fyne.CanvasObject {
	return labelledRow(widget.NewLabelWithStyle(label, fyne.TextAlignTrailing, fyne.TextStyle{}), input)
}

func labelledRow(label *widget.Label, input fyne.CanvasObject) fyne.CanvasObject {
	return container.NewBorder(nil, nil, container.New(&fixedWidth{w: 150}, container.NewVBox(label)), nil, input)
}

// shortcutHelp lists the keyboard shortcuts.
func shortcutHelp() fyne.CanvasObject {
	ctrl := lang.L("Ctrl") // "Strg" on German keyboards
	rows := [][2]string{
		{ctrl + "+K, " + ctrl + "+F", lang.L("Search everything")},
		{ctrl + "+N", lang.L("New contact")},
		{ctrl + "+S", lang.L("Save the form")},
		{"Esc", lang.L("Close the dialog or cancel the edit")},
		{ctrl + "+I", lang.L("Import vCards")},
		{"F5, " + ctrl + "+R", lang.L("Sync now")},
		{ctrl + "+1 … " + ctrl + "+" + fmt.Sprint(maxScreenShortcuts), lang.L("Go to a screen")},
		{"↑ ↓ " + lang.L("Enter"), lang.L("Move through lists and open")},
	}
	box := container.NewVBox()
	for _, r := range rows {
		k := widget.NewLabelWithStyle(r[0], fyne.TextAlignTrailing, fyne.TextStyle{Monospace: true})
		box.Add(labelledRow(k, widget.NewLabel(r[1])))
	}
	return box
}
