package ui

import (
	"context"
	"errors"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"repdesk/localdb/provision"
)

// locked reports whether the administrator's provisioning locks setting
// name (provision.Lock...): Settings shows it read-only.
func (a *App) locked(name string) bool { return a.prov.Locks(name) }

// lockedNote is the note under a setting the administrator set.
func lockedNote() *widget.Label {
	return secondary(lang.L("Set by your administrator"))
}

// lockSetting makes a setting's input read-only when it is locked and
// returns it with the note under it.
func (a *App) lockSetting(name string, input fyne.Disableable, shown fyne.CanvasObject) fyne.CanvasObject {
	if !a.locked(name) {
		return shown
	}
	input.Disable()
	return container.NewVBox(shown, lockedNote())
}

// provisionedServer is the hub address the administrator provisioned ("":
// none).
func (a *App) provisionedServer() string {
	if a.prov == nil {
		return ""
	}
	return a.prov.Server
}

// syncMinutes is the sync interval in minutes: the administrator's when
// locked, else the rep's choice, else the provisioned default, else 15.
func (a *App) syncMinutes() int {
	provisioned, set := 15, false
	if a.prov != nil && a.prov.SyncInterval.Set {
		provisioned, set = int(a.prov.SyncInterval.Duration/time.Minute), true
	}
	if set && a.locked(provision.LockSyncInterval) {
		return provisioned
	}
	return a.fa.Preferences().IntWithFallback(prefInterval, provisioned)
}

// needsToken reports whether the app is provisioned for a hub but not
// signed in yet: the first start then asks only for the token. It asks the
// sync service, so it runs off the UI goroutine.
func (a *App) needsToken() bool {
	return a.provisionedServer() != "" && a.sync.Status().Server == ""
}

// showProvisionError says that the provisioning file is broken: the app
// runs unprovisioned, and the rep can tell the administrator what is wrong.
func (a *App) showProvisionError() {
	if a.provErr == nil {
		return
	}
	a.showError(lang.L("The provisioning file has a problem"),
		errors.New(lang.L("{{.Error}}. RepDesk runs without it; please tell your administrator.", map[string]any{"Error": a.provErr.Error()})))
}

// newTokenWelcome is the first start of a provisioned app: the hub is set
// by the administrator, so the rep only enters the token.
func newTokenWelcome(a *App) fyne.CanvasObject {
	server := a.provisionedServer()
	logo := widget.NewIcon(a.fa.Icon())
	title := widget.NewLabelWithStyle(lang.L("Welcome to RepDesk"), fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	title.SizeName = theme.SizeNameHeadingText
	intro := lang.L("Your administrator has set up RepDesk for {{.Server}}.", map[string]any{"Server": server})
	if a.prov.Organization != "" {
		intro = lang.L("{{.Organization}} has set up RepDesk for {{.Server}}.", map[string]any{"Organization": a.prov.Organization, "Server": server})
	}
	introLabel := widget.NewLabelWithStyle(intro, fyne.TextAlignCenter, fyne.TextStyle{})
	introLabel.Wrapping = fyne.TextWrapWord
	ask := widget.NewLabelWithStyle(lang.L("Enter the sign-in token your administrator gave you."), fyne.TextAlignCenter, fyne.TextStyle{})
	ask.Wrapping = fyne.TextWrapWord
	ask.Importance = widget.LowImportance

	token := newPasswordEntry(a)
	token.SetPlaceHolder(lang.L("sign-in token from your admin"))
	status := newErrorText()
	progress := widget.NewProgressBarInfinite()
	progress.Stop()
	progress.Hide()
	var signIn *widget.Button
	signIn = widget.NewButtonWithIcon(lang.L("Sign in"), theme.LoginIcon(), func() {
		if token.Text == "" {
			status.set(lang.L("Enter your token first."))
			return
		}
		signIn.Disable()
		status.set("")
		progress.Show()
		progress.Start()
		secret := token.Text
		background(a, func(ctx context.Context) (none, error) {
			ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
			defer cancel()
			return none{}, a.sync.Login(ctx, server, secret)
		}, func(_ none, err error) {
			progress.Stop()
			progress.Hide()
			signIn.Enable()
			if err != nil {
				status.set(lang.L("Sign-in failed: {{.Error}}", map[string]any{"Error": errorMessage(err)}))
				return
			}
			a.fa.Preferences().SetString(prefServer, server)
			a.leaveWelcome()
			a.refreshStatus()
			a.syncNow()
			a.showID("contacts")
		})
	})
	signIn.Importance = widget.HighImportance
	token.OnSubmitted = func(string) { signIn.OnTapped() }
	later := widget.NewButton(lang.L("Work offline for now"), func() {
		a.leaveWelcome()
		a.showID("contacts")
	})
	later.Importance = widget.LowImportance
	box := container.NewVBox(
		container.NewCenter(container.NewGridWrap(fyne.NewSquareSize(96), logo)),
		title, introLabel, widget.NewSeparator(), ask,
		panel("", container.NewBorder(nil, nil, nil, signIn, token)),
		progress, status.Label, container.NewCenter(later),
	)
	return container.NewCenter(container.New(&column{w: 560}, box))
}
