package ui

import (
	"context"
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"repdesk/localdb"
	"repdesk/localdb/forecast"
	"repdesk/sync/protocol"
)

// repPicker is the rep field of the open target dialog.
func (h *harness) repPicker() *widget.SelectEntry {
	h.t.Helper()
	for _, o := range h.objects() {
		if s, ok := o.(*widget.SelectEntry); ok {
			return s
		}
	}
	require.FailNow(h.t, "no rep field")
	return nil
}

// monthPicker is the month field of the open target dialog.
func (h *harness) monthPicker() *widget.Select {
	h.t.Helper()
	for _, o := range h.objects() {
		if s, ok := o.(*widget.Select); ok && len(s.Options) == 13 {
			return s
		}
	}
	require.FailNow(h.t, "no month field")
	return nil
}

// seedRepTargets gives anna and me (the harness's user) a target for March
// 2026 and each a deal won in it.
func seedRepTargets(t *testing.T, h *harness) {
	t.Helper()
	ctx := context.Background()
	for _, d := range []localdb.Deal{
		{Title: "Annas Abschluss", Stage: "Won", Amount: 500000, Meta: localdb.Meta{Owner: "anna"}},
		{Title: "Mein Abschluss", Stage: "Won", Amount: 250000},
	} {
		require.NoError(t, h.store.Create(ctx, &d))
	}
	require.NoError(t, h.store.Update(ctx, func(tx *localdb.Tx) error {
		if _, err := forecast.SetTarget(tx, "2026-03", "anna", 2000000, "EUR"); err != nil {
			return err
		}
		_, err := forecast.SetTarget(tx, "2026-03", "me", 1000000, "EUR")
		return err
	}))
}

func TestDashboardShowsEachRepsProgressToWhoMaySeeIt(t *testing.T) {
	for _, tc := range []struct {
		name, role, server string
		seesAnna           bool
	}{
		{name: "working alone", seesAnna: true},
		{name: "manager", role: protocol.RoleManager, server: "https://hub.example.com", seesAnna: true},
		{name: "rep", role: protocol.RoleRep, server: "https://hub.example.com"},
		{name: "signed in before roles were kept", server: "https://hub.example.com"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, harnessOpts{welcomed: true})
			ctx := context.Background()
			seedRepTargets(t, h)
			if tc.role != "" {
				require.NoError(t, h.store.SetSetting(ctx, localdb.SettingAccountRole, tc.role))
			}
			if tc.server != "" {
				require.NoError(t, h.store.SetSyncValue(ctx, localdb.SyncServer, tc.server))
			}
			h.app.showID("dashboard")
			h.idle()
			texts := h.chartTexts()
			assert.Contains(t, texts, "Targets by rep")
			assert.Contains(t, texts, "me (you)")
			assert.Contains(t, texts, "€2,500 of €10,000 · 25\u00a0% · forecast 25\u00a0%")
			if tc.seesAnna {
				assert.Contains(t, texts, "anna")
				assert.Contains(t, texts, "€5,000 of €20,000 · 25\u00a0% · forecast 25\u00a0%")
			} else {
				assert.NotContains(t, texts, "€20,000", "a rep sees only their own target")
			}
		})
	}
}

func TestSetTargetForARepAndMonth(t *testing.T) {
	h := newHarness(t, harnessOpts{welcomed: true})
	ctx := context.Background()
	seedRepTargets(t, h)
	h.app.showID("dashboard")
	h.idle()
	h.tap("Set target…")
	assert.Equal(t, "me", h.repPicker().Text, "the current rep")
	assert.Equal(t, "Mar 2026", h.monthPicker().Selected, "the current month")
	amount := h.app.win.Canvas().Focused().(*keyEntry)
	assert.Equal(t, "10,000", amount.Text, "my target there is")

	// Anna's target for April: none yet.
	h.repPicker().SetText("anna")
	h.monthPicker().SetSelected("Apr 2026")
	h.idle()
	assert.Empty(t, amount.Text)
	h.typeInto(amount, "0")
	test.Tap(h.button("Save"))
	h.idle()
	h.requireText("Amount: give an amount of more than zero, like 20,000.")
	h.typeInto(amount, "15,000")
	test.Tap(h.button("Save"))
	h.idle()
	targets, err := h.store.Targets(ctx, "2026-04")
	require.NoError(t, err)
	require.Len(t, targets, 1)
	assert.Equal(t, "anna", targets[0].Rep)
	assert.Equal(t, int64(1500000), targets[0].Amount)
	assert.Empty(t, h.app.dialogs, "the dialog closed")

	// A rep sets only their own.
	require.NoError(t, h.store.SetSetting(ctx, localdb.SettingAccountRole, protocol.RoleRep))
	h.app.dashboard.reload()
	h.idle()
	h.tap("Set target…")
	assert.True(t, h.repPicker().Disabled())
	assert.Equal(t, "me", h.repPicker().Text)
}

func TestSetTargetSpeaksGerman(t *testing.T) {
	h := newHarness(t, harnessOpts{welcomed: true, language: "de"})
	h.app.showID("dashboard")
	h.idle()
	assert.Contains(t, h.chartTexts(), "Für diesen Monat hat noch kein Vertriebler ein Ziel.")
	h.tap("Ziel setzen …")
	assert.Equal(t, "Mär 2026", h.monthPicker().Selected)
	test.Tap(h.button("Speichern"))
	h.idle()
	h.requireText("Betrag: Geben Sie einen Betrag über null ein, z. B. 20.000.")
}
