package ui

import (
	"context"

	"repdesk/localdb/demo"
)

// demoGuardShots is the screenshot of a sign-in refused because the
// database holds demo data (the screenshots run on a demo book). The
// screenshots run without a sync service, so the refusal is read from the
// guard the sign-in runs, at once: screenshots only.
func demoGuardShots(a *App) []shot {
	return []shot{{name: "settings-demo-refused", prepare: func() {
		a.showID("settings")
		s := a.settings
		s.server.SetText("https://repdesk.example.com")
		s.token.SetText("token-from-the-admin")
		if err := demo.GuardConnect(context.Background(), a.store); err != nil {
			s.signInFailed(err)
		}
	}, undo: func() {
		s := a.settings
		s.server.SetText(a.fa.Preferences().String(prefServer))
		s.token.SetText("")
		s.result.SetText("")
	}}}
}
