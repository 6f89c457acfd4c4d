package ui

import (
	"fmt"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// BuildInfo says which build of RepDesk runs: stamped at link time (make
// build, make dist) and shown in the About dialog, so that a rep can tell
// support exactly what they have.
type BuildInfo struct {
	Version   string // "0.1.0"; "dev" when built without the Makefile
	Commit    string // short git commit
	BuildDate string // RFC 3339, UTC
}

// String is the one line `repdesk version` prints too.
func (b BuildInfo) String() string {
	return fmt.Sprintf("repdesk %s (commit %s, built %s)", orUnknown(b.Version), orUnknown(b.Commit), orUnknown(b.BuildDate))
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}

// builtText is the build date in the rep's language ("Nov 27, 2026, 3:07 AM
// UTC"), or as stamped when it is not a date.
func (a *App) builtText() string {
	t, err := time.Parse(time.RFC3339, a.buildInfo.BuildDate)
	if err != nil {
		if a.buildInfo.BuildDate == "" || a.buildInfo.BuildDate == "unknown" {
			return lang.L("unknown")
		}
		return a.buildInfo.BuildDate
	}
	return a.loc.dateTime(t.UTC()) + " UTC"
}

// versionText is the version, marked as a development build where it is one.
func (a *App) versionText() string {
	switch a.buildInfo.Version {
	case "", "dev":
		return lang.L("development build")
	}
	return a.buildInfo.Version
}

// aboutPanel is the About section of Settings: the version at a glance and
// the button to the About dialog.
func (a *App) aboutPanel() fyne.CanvasObject {
	open := widget.NewButtonWithIcon(lang.L("About RepDesk…"), theme.InfoIcon(), a.showAbout)
	return panel(lang.L("About"), settingRow(lang.L("Version"),
		container.NewBorder(nil, nil, nil, open, widget.NewLabel(a.versionText()))))
}

// showAbout opens the About dialog: version, commit and build date, and a
// button that copies them for a support request.
func (a *App) showAbout() {
	b := a.buildInfo
	commit := b.Commit
	if commit == "" || commit == "unknown" {
		commit = lang.L("unknown")
	}
	facts := container.NewVBox(
		aboutRow(lang.L("Version"), a.versionText()),
		aboutRow(lang.L("Commit"), commit),
		aboutRow(lang.L("Built"), a.builtText()),
	)
	copied := secondary("")
	copyBtn := widget.NewButtonWithIcon(lang.L("Copy version details"), theme.ContentCopyIcon(), func() {
		a.fa.Clipboard().SetContent(b.String())
		copied.SetText(lang.L("Copied."))
	})
	copyBtn.Importance = widget.LowImportance
	name := heading("RepDesk")
	tagline := wrapLabel(lang.L("The offline-first workstation for sales reps."))
	logo := container.NewGridWrap(fyne.NewSquareSize(64), widget.NewIcon(a.fa.Icon()))
	body := container.NewBorder(nil, nil, container.NewVBox(logo), nil,
		container.NewVBox(name, tagline, widget.NewSeparator(), facts, container.NewHBox(copyBtn, copied)))
	d := dialog.NewCustom(lang.L("About RepDesk"), lang.L("Close"), container.New(&column{w: 460}, body), a.win)
	a.showDialog(d)
}

// aboutRow is one fact of the About dialog: a caption and its value.
func aboutRow(caption, value string) fyne.CanvasObject {
	c := widget.NewLabelWithStyle(caption, fyne.TextAlignTrailing, fyne.TextStyle{})
	c.Importance = widget.LowImportance
	v := widget.NewLabel(value)
	return container.NewBorder(nil, nil, container.New(&fixedWidth{w: 90}, container.NewVBox(c)), nil, v)
}
