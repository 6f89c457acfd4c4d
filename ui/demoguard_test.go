package ui

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"repdesk/localdb"
	"repdesk/sync/client"
)

// TestSignInRefusesDemoDataInTheRepsLanguage: a database with demo data is
// not signed in to a team's server, and the app says why in German too.
func TestSignInRefusesDemoDataInTheRepsLanguage(t *testing.T) {
	for _, tc := range []struct {
		language, button, want string
	}{
		{"en", "Sign in", "Sign-in failed: This database holds demo data, which would be uploaded to your team's server. Sign in from a fresh data directory: start RepDesk with --data DIR."},
		{"de", "Anmelden", "Anmeldung fehlgeschlagen: Diese Datenbank enthält Demodaten, die auf den Server Ihres Teams hochgeladen würden. Melden Sie sich aus einem neuen Datenverzeichnis an: Starten Sie RepDesk mit --data VERZEICHNIS."},
	} {
		t.Run(tc.language, func(t *testing.T) {
			h := newHarness(t, harnessOpts{language: tc.language, demo: 5, syncFor: func(s *localdb.Store) SyncService {
				return ClientSync(client.New(s, client.Options{DataDir: t.TempDir(), Timeout: time.Second, Retries: 1}))
			}})
			h.app.showID("settings")
			h.idle()
			h.typeInto(h.app.settings.server, "https://hub.example.com")
			h.typeInto(h.app.settings.token, "secret")
			h.tap(tc.button)
			assert.Equal(t, tc.want, h.app.settings.result.Text)
		})
	}
}
