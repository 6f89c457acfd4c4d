package ui

import (
	"context"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"repdesk/localdb/demo"
)

// welcomeDemoContacts is the size of the demo book the welcome offers.
const welcomeDemoContacts = 500

// newWelcome is the first start on an empty book: try demo data, import
// vCards, or connect to a server, or just start. RepDesk is fully usable
// without a server.
func newWelcome(a *App) fyne.CanvasObject {
	if a.provisionedServer() != "" {
		return newTokenWelcome(a)
	}
	logo := widget.NewIcon(a.fa.Icon())
	title := widget.NewLabelWithStyle(lang.L("Welcome to RepDesk"), fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	title.SizeName = theme.SizeNameHeadingText
	intro := widget.NewLabelWithStyle(lang.L("Your contacts, companies and deals on this computer, online or not."), fyne.TextAlignCenter, fyne.TextStyle{})
	intro.Wrapping = fyne.TextWrapWord
	intro.Importance = widget.LowImportance

	progress := widget.NewProgressBar()
	progress.Hide()
	status := newErrorText()
	var choices []*widget.Button
	choice := func(icon fyne.Resource, head, text string, tapped func()) fyne.CanvasObject {
		b := widget.NewButtonWithIcon(head, icon, tapped)
		b.Alignment = widget.ButtonAlignLeading
		choices = append(choices, b)
		d := secondary(text)
		d.Wrapping = fyne.TextWrapWord
		return panel("", container.NewVBox(b, d))
	}
	demoChoice := choice(theme.MediaPlayIcon(), lang.L("Explore with demo data"),
		lang.L("{{.N}} made-up contacts with companies, deals, tasks and visits, to try everything out.", map[string]any{"N": welcomeDemoContacts}),
		func() {
			for _, b := range choices {
				b.Disable()
			}
			progress.Show()
			status.set("")
			background(a, func(ctx context.Context) (none, error) {
				_, err := demo.Seed(ctx, a.store, demo.Options{Contacts: welcomeDemoContacts, Progress: func(done, total int) {
					a.do(func() { progress.SetValue(float64(done) / float64(max(total, 1))) })
				}})
				return none{}, err
			}, func(_ none, err error) {
				if err != nil {
					progress.Hide()
					status.set(lang.L("Could not create the demo data: {{.Error}}", map[string]any{"Error": errorMessage(err)}))
					for _, b := range choices {
						b.Enable()
					}
					return
				}
				a.leaveWelcome()
				a.changed(nil, "")
				a.showID("contacts")
			})
		})
	importChoice := choice(theme.UploadIcon(), lang.L("Import your vCards"),
		lang.L("Bring in contacts exported from your phone, Outlook, Google or another CRM (.vcf files)."),
		func() {
			a.leaveWelcome()
			a.showID("contacts")
			a.importFiles(nil)
		})
	serverChoice := choice(theme.LoginIcon(), lang.L("Connect to your team's server"),
		lang.L("Sign in to share contacts and deals with your colleagues. You can do this later in Settings."),
		func() {
			a.leaveWelcome()
			a.showID("settings")
		})
	empty := widget.NewButton(lang.L("Start with an empty book"), func() {
		a.leaveWelcome()
		a.showID("contacts")
	})
	empty.Importance = widget.LowImportance
	box := container.NewVBox(
		container.NewCenter(container.NewGridWrap(fyne.NewSquareSize(96), logo)),
		title, intro, widget.NewSeparator(),
		demoChoice, importChoice, serverChoice,
		progress, status, container.NewCenter(empty),
	)
	return container.NewCenter(container.New(&column{w: 560}, box))
}
