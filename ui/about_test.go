package ui

import (
	"testing"

	"fyne.io/fyne/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// withBuild gives the harness's app a stamped build, as main passes it.
func withBuild(h *harness, b BuildInfo) {
	h.app.buildInfo = b
	h.app.rebuild()
	h.idle()
}

func TestAboutShowsTheStampedBuild(t *testing.T) {
	stamped := BuildInfo{Version: "1.4.2", Commit: "9f3c2ab", BuildDate: "2026-11-27T15:07:46Z"}
	tests := []struct {
		name     string
		language string
		build    BuildInfo
		settings string // the version Settings shows
		want     []string
		copied   string
	}{
		{name: "stamped, English", language: "en", build: stamped, settings: "1.4.2",
			want:   []string{"About RepDesk", "1.4.2", "9f3c2ab", "Nov 27, 2026, 3:07 PM UTC"},
			copied: "repdesk 1.4.2 (commit 9f3c2ab, built 2026-11-27T15:07:46Z)"},
		{name: "stamped, German", language: "de", build: stamped, settings: "1.4.2",
			want:   []string{"Über RepDesk", "1.4.2", "9f3c2ab", "27.11.2026, 15:07 UTC"},
			copied: "repdesk 1.4.2 (commit 9f3c2ab, built 2026-11-27T15:07:46Z)"},
		{name: "go build without the Makefile", language: "en",
			build:    BuildInfo{Version: "dev", Commit: "unknown", BuildDate: "unknown"},
			settings: "development build",
			want:     []string{"development build", "unknown"},
			copied:   "repdesk dev (commit unknown, built unknown)"},
		{name: "unstamped, German", language: "de", build: BuildInfo{}, settings: "Entwicklungsversion",
			want:   []string{"Entwicklungsversion", "unbekannt"},
			copied: "repdesk unknown (commit unknown, built unknown)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, harnessOpts{language: tc.language, welcomed: true})
			withBuild(h, tc.build)
			h.app.showID("settings")
			h.idle()
			// Settings says the version at a glance.
			h.requireText(tc.settings)
			open, copyText := "About RepDesk…", "Copy version details"
			if tc.language == "de" {
				open, copyText = "Über RepDesk…", "Versionsangaben kopieren"
			}
			h.tap(open)
			for _, w := range tc.want {
				h.requireText(w)
			}
			require.Len(t, h.app.dialogs, 1, "the About dialog is open")

			h.tap(copyText)
			assert.Equal(t, tc.copied, h.app.fa.Clipboard().Content(), "what support gets pasted")

			h.key(fyne.KeyEscape)
			assert.Empty(t, h.app.dialogs, "Escape closes the About dialog")
		})
	}
}
