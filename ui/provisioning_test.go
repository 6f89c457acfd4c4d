package ui

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"repdesk/localdb/provision"
)

func testProvisioning(t *testing.T, locked ...string) *provision.Provisioning {
	t.Helper()
	lockedJSON, err := json.Marshal(append([]string{}, locked...))
	require.NoError(t, err)
	p, err := provision.Parse([]byte(`{"server": "https://hub.krueger-bau.de", "organization": "Krüger Bau GmbH",
		"region": "AT", "currency": "CHF", "sync_interval": "45m", "locked": `+string(lockedJSON)+`}`), "embedded")
	require.NoError(t, err)
	return p
}

func TestProvisionedFirstStartAsksOnlyForToken(t *testing.T) {
	fake := &fakeSync{}
	h := newHarness(t, harnessOpts{sync: fake, prov: testProvisioning(t, provision.LockServer)})
	texts := h.texts()
	assert.Contains(t, texts, "Krüger Bau GmbH has set up RepDesk for https://hub.krueger-bau.de.")
	assert.Contains(t, texts, "Enter the sign-in token your administrator gave you.")
	assert.NotContains(t, texts, "Explore with demo data", "a provisioned app asks only for the token")
	assert.NotContains(t, texts, "Server URL")
	var entries []*keyEntry
	for _, o := range h.objects() {
		if e, ok := o.(*keyEntry); ok {
			entries = append(entries, e)
		}
	}
	require.Len(t, entries, 1, "one input: the token")
	assert.True(t, entries[0].Password)

	h.tap("Sign in")
	h.requireText("Enter your token first.")

	fake.loginErr = errors.New("sync server refused the token")
	h.typeInto(entries[0], "rdh_wrong")
	h.tap("Sign in")
	h.requireText("Sign-in failed: sync server refused the token")

	fake.loginErr = nil
	h.typeInto(entries[0], "rdh_right")
	h.tap("Sign in")
	assert.Nil(t, h.app.welcome, "signed in: the main window")
	assert.Equal(t, "https://hub.krueger-bau.de", fake.Status().Server, "signed in to the provisioned hub")
	assert.Equal(t, 1, fake.syncs, "the first sync starts at once")
	assert.Equal(t, "contacts", h.app.current().id())
}

func TestProvisionedSignedInSkipsTokenWelcome(t *testing.T) {
	fake := &fakeSync{status: SyncStatus{Server: "https://hub.krueger-bau.de"}}
	h := newHarness(t, harnessOpts{sync: fake, prov: testProvisioning(t), welcomed: true})
	assert.Nil(t, h.app.welcome)
	assert.NotContains(t, h.texts(), "Enter the sign-in token")
}

func TestLockedSettingsReadOnly(t *testing.T) {
	h := newHarness(t, harnessOpts{welcomed: true,
		prov: testProvisioning(t, provision.LockServer, provision.LockCurrency, provision.LockSyncInterval)})
	h.app.showID("settings")
	h.idle()
	texts := h.texts()
	var selects []*widget.Select
	for _, o := range h.objects() {
		if s, ok := o.(*widget.Select); ok {
			selects = append(selects, s)
		}
	}
	find := func(selected string) *widget.Select {
		for _, s := range selects {
			if s.Selected == selected {
				return s
			}
		}
		t.Fatalf("no select showing %q", selected)
		return nil
	}
	assert.True(t, find("CHF").Disabled(), "the currency is locked")
	assert.True(t, find("Every 45 minutes").Disabled(), "the sync interval is locked, and shown although the list lacks it")
	assert.False(t, find("DE").Disabled(), "the region is not locked")
	assert.Equal(t, "CHF", h.app.currency())
	assert.Equal(t, 3, strings.Count(texts, "Set by your administrator"))
	server := h.app.settings.server
	assert.Equal(t, "https://hub.krueger-bau.de", server.Text)
	assert.True(t, server.Disabled(), "the server is locked")
	test.Type(server, "https://elsewhere.example.com")
	assert.Equal(t, "https://hub.krueger-bau.de", server.Text, "typing into a locked setting changes nothing")
}

func TestUnlockedProvisioningIsDefault(t *testing.T) {
	h := newHarness(t, harnessOpts{welcomed: true, prov: testProvisioning(t)})
	h.app.showID("settings")
	h.idle()
	assert.NotContains(t, h.texts(), "Set by your administrator")
	assert.Equal(t, "CHF", h.app.currency(), "the provisioned currency is the default")
	assert.Equal(t, 45, h.app.syncMinutes())
	h.app.fa.Preferences().SetString(prefCurrency, "EUR")
	assert.Equal(t, "EUR", h.app.currency(), "the rep's own choice wins when not locked")
}

func TestBrokenProvisioningShown(t *testing.T) {
	h := newHarness(t, harnessOpts{welcomed: true,
		provErr: errors.New("provisioning /etc/repdesk/provisioning.json: region: \"XX\" is not a phone region")})
	texts := h.texts()
	assert.Contains(t, texts, "The provisioning file has a problem")
	assert.Contains(t, texts, `provisioning /etc/repdesk/provisioning.json: region: "XX" is not a phone region. RepDesk runs without it; please tell your administrator.`)
	assert.NotNil(t, h.app.settings, "the app started")
}

func TestProvisioningShotsParse(t *testing.T) {
	h := newHarness(t, harnessOpts{welcomed: true})
	shots := provisioningShots(h.app)
	require.Len(t, shots, 2)
	shots[0].prepare()
	h.idle()
	h.requireText("Krüger Bau GmbH has set up RepDesk for https://repdesk.krueger-bau.de.")
	shots[0].undo()
	shots[1].prepare()
	h.idle()
	h.requireText("Set by your administrator")
	shots[1].undo()
	h.idle()
	assert.NotContains(t, h.texts(), "Set by your administrator")
}
