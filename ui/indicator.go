package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// syncIndicator is always in the top bar: online or offline, what waits to
// be pushed, when the last sync was, open conflicts, and Sync now.
type syncIndicator struct {
	a         *App
	dot       *statusDot
	state     *widget.Label
	detail    *widget.Label
	conflicts *widget.Button
	syncBtn   *widget.Button
	progress  *widget.ProgressBarInfinite
}

func newSyncIndicator(a *App) *syncIndicator {
	s := &syncIndicator{a: a, dot: newStatusDot()}
	s.state = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	s.detail = secondary("")
	s.conflicts = widget.NewButtonWithIcon("", theme.WarningIcon(), func() { a.showID("sync") })
	s.conflicts.Importance = widget.WarningImportance
	s.conflicts.Hide()
	s.syncBtn = widget.NewButtonWithIcon(lang.L("Sync now"), theme.ViewRefreshIcon(), a.syncNow)
	s.progress = widget.NewProgressBarInfinite()
	s.progress.Stop()
	s.progress.Hide()
	return s
}

// topBar lays out the search field and the sync indicator. The search
// field keeps at least searchMin; when the window is too narrow for both,
// the indicator drops its detail line (pending, last sync) first.
type topBar struct{ detail *widget.Label }

const searchMin = 320

func (t *topBar) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	search, status := objs[0], objs[1]
	if !t.detail.Visible() {
		t.detail.Show()
	}
	if size.Width-status.MinSize().Width < searchMin {
		t.detail.Hide()
	}
	sw := min(status.MinSize().Width, size.Width)
	status.Move(fyne.NewPos(size.Width-sw, 0))
	status.Resize(fyne.NewSize(sw, size.Height))
	search.Move(fyne.NewPos(0, 0))
	search.Resize(fyne.NewSize(max(size.Width-sw-theme.Padding(), 0), size.Height))
}

func (t *topBar) MinSize(objs []fyne.CanvasObject) fyne.Size {
	h := max(objs[0].MinSize().Height, objs[1].MinSize().Height)
	return fyne.NewSize(searchMin, h)
}

func (s *syncIndicator) view() fyne.CanvasObject {
	return container.NewHBox(s.dot, s.state, s.detail, s.conflicts, container.NewStack(s.syncBtn, s.progress))
}

// statusTexts is what the indicator says about st.
func (a *App) statusTexts(st SyncStatus) (state, detail string) {
	l := a.loc
	switch {
	case st.Syncing:
		state = lang.L("Syncing…")
		if st.Total > 0 {
			state = lang.L("Syncing {{.Done}} of {{.Total}}", map[string]any{"Done": l.number(int64(st.Done)), "Total": l.number(int64(st.Total))})
		}
	case st.Server == "":
		state = lang.L("Offline")
	case st.Online:
		state = lang.L("Online")
	default:
		state = lang.L("Offline")
	}
	var parts []string
	if st.Pending == 0 {
		parts = append(parts, lang.L("all changes saved"))
	} else {
		parts = append(parts, lang.N("{{.N}} change waiting", st.Pending, map[string]any{"N": l.number(int64(st.Pending))}))
	}
	if st.Server == "" {
		parts = append(parts, lang.L("no server"))
	} else if st.LastError != "" {
		parts = append(parts, lang.L("last sync failed"))
	} else {
		parts = append(parts, lang.L("last sync {{.When}}", map[string]any{"When": l.ago(st.LastSync, a.now())}))
	}
	detail = parts[0]
	for _, p := range parts[1:] {
		detail += " · " + p
	}
	return state, detail
}

func (s *syncIndicator) update(st SyncStatus) {
	state, detail := s.a.statusTexts(st)
	s.state.SetText(state)
	s.detail.SetText(detail)
	switch {
	case st.Syncing:
		s.dot.setColor(theme.ColorNamePrimary)
	case st.LastError != "" && st.Server != "":
		s.dot.setColor(theme.ColorNameError)
	case st.Server != "" && st.Online:
		s.dot.setColor(colorOK)
	default:
		s.dot.setColor(theme.ColorNameDisabled)
	}
	if st.Conflicts > 0 {
		s.conflicts.SetText(lang.N("{{.N}} conflict", st.Conflicts, map[string]any{"N": st.Conflicts}))
		s.conflicts.Show()
	} else {
		s.conflicts.Hide()
	}
	if st.Syncing {
		s.syncBtn.Hide()
		s.progress.Show()
		s.progress.Start()
	} else {
		s.progress.Stop()
		s.progress.Hide()
		s.syncBtn.Show()
	}
}
