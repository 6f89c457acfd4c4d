package ui

import (
	"repdesk/localdb/provision"
)

// sampleProvisioning is what the provisioning screenshots show: a company
// hub with the server, currency and sync interval locked.
const sampleProvisioning = `{"server": "https://repdesk.krueger-bau.de", "organization": "Krüger Bau GmbH",
	"region": "DE", "currency": "EUR", "sync_interval": "30m", "locked": ["server", "currency", "sync_interval"]}`

// provisioningShots are the screenshots of a provisioned app: the first
// start that asks only for the token, and Settings with locked settings.
func provisioningShots(a *App) []shot {
	sample, err := provision.Parse([]byte(sampleProvisioning), provision.SourceEmbedded)
	if err != nil {
		panic(err) // a constant: a test covers it
	}
	own := a.prov
	provisioned := func() {
		a.prov = sample
		a.rebuild()
	}
	unprovisioned := func() {
		a.prov = own
		a.rebuild()
	}
	return []shot{
		{name: "welcome-provisioned", prepare: func() {
			provisioned()
			a.win.SetContent(newTokenWelcome(a))
		}, undo: func() { a.win.SetContent(a.shell) }},
		{name: "settings-provisioned", prepare: func() { a.showID("settings") }, undo: unprovisioned},
	}
}
