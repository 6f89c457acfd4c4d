package ui

import (
	"context"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// syncScreen shows whether this machine's changes reached the server: the
// status, the last runs, the changes the server rejected and why, and the
// conflicts side by side to decide.
type syncScreen struct {
	a    *App
	root fyne.CanvasObject

	dot                              *statusDot
	state, server, pending, last     *widget.Label
	lastErr                          errorText
	connect                          *widget.Button
	tabs                             *container.AppTabs
	conflictsTab, rejectedTab, runsT *container.TabItem

	conflicts []Conflict
	rejected  []RejectedChange
	runs      []SyncRun
	cList     *keyList
	cSplit    *container.Split
	cBody     *fyne.Container
	compare   *fyne.Container
	rejBox    *fyne.Container
	runsBox   *fyne.Container
	selected  string

	slot    slot
	loaded  bool
	shownSt SyncStatus
}

type syncLists struct {
	conflicts []Conflict
	rejected  []RejectedChange
	runs      []SyncRun
}

func newSyncScreen(a *App) *syncScreen {
	s := &syncScreen{a: a, dot: newStatusDot()}
	s.state = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	s.state.SizeName = theme.SizeNameSubHeadingText
	s.server, s.pending, s.last = widget.NewLabel(""), widget.NewLabel(""), widget.NewLabel("")
	s.lastErr = newErrorText()
	s.connect = widget.NewButtonWithIcon(lang.L("Connect to a server…"), theme.LoginIcon(), func() { a.showID("settings") })
	syncBtn := widget.NewButtonWithIcon(lang.L("Sync now"), theme.ViewRefreshIcon(), a.syncNow)
	syncBtn.Importance = widget.HighImportance
	status := panel("", container.NewVBox(
		container.NewBorder(nil, nil, container.NewHBox(s.dot, s.state), container.NewHBox(s.connect, syncBtn)),
		labelled(lang.L("Server"), s.server),
		labelled(lang.L("Waiting"), s.pending),
		labelled(lang.L("Last sync"), s.last),
		s.lastErr,
	))

	s.cList = newKeyList(a, func() int { return len(s.conflicts) }, newRowItem, func(id widget.ListItemID, o fyne.CanvasObject) {
		c := s.conflicts[id]
		what := fieldName(c.Field)
		if c.Deleted {
			what = lang.L("deleted on the server")
		}
		updateRowItem(o, c.Label, joinNonEmpty(" · ", kindName(c.Entity), what))
	})
	s.cList.OnSelected = func(id widget.ListItemID) {
		s.cList.track(id)
		s.selected = s.conflicts[id].ID
		s.showConflict(s.conflicts[id])
	}
	s.compare = container.NewStack()
	s.cSplit = container.NewHSplit(s.cList, s.compare)
	s.cSplit.Offset = 0.3
	s.cBody = container.NewStack(s.cSplit)
	s.rejBox = container.NewVBox()
	s.runsBox = container.NewVBox()
	s.conflictsTab = container.NewTabItem(lang.L("Conflicts"), s.cBody)
	s.rejectedTab = container.NewTabItem(lang.L("Rejected changes"), container.NewVScroll(s.rejBox))
	s.runsT = container.NewTabItem(lang.L("Last runs"), container.NewVScroll(s.runsBox))
	s.tabs = container.NewAppTabs(s.conflictsTab, s.rejectedTab, s.runsT)
	s.root = container.NewBorder(container.NewVBox(heading(lang.L("Sync")), status), nil, nil, nil, s.tabs)
	s.statusChanged(a.statusSt)
	return s
}

func (s *syncScreen) id() string              { return "sync" }
func (s *syncScreen) label() string           { return lang.L("Sync") }
func (s *syncScreen) icon() fyne.Resource     { return theme.ViewRefreshIcon() }
func (s *syncScreen) view() fyne.CanvasObject { return s.root }
func (s *syncScreen) stop()                   { s.slot.stop() }
func (s *syncScreen) shown()                  { s.reload() }

func (s *syncScreen) changed(string) {}

// statusChanged updates the status panel, and the lists when a sync ended
// or the number of conflicts or rejections moved.
func (s *syncScreen) statusChanged(st SyncStatus) {
	prev := s.shownSt
	s.shownSt = st
	l := s.a.loc
	state, _ := s.a.statusTexts(st)
	s.state.SetText(state)
	switch {
	case st.Server == "":
		s.server.SetText(lang.L("No server configured. RepDesk works fully offline; connect a server to share changes with your team."))
		s.server.Wrapping = fyne.TextWrapWord
		s.connect.Show()
		s.dot.setColor(theme.ColorNameDisabled)
	default:
		s.server.SetText(st.Server)
		s.connect.Hide()
		if st.Online {
			s.dot.setColor(colorOK)
		} else {
			s.dot.setColor(theme.ColorNameDisabled)
		}
	}
	if st.Pending == 0 {
		s.pending.SetText(lang.L("Every change is on the server."))
		if st.Server == "" {
			s.pending.SetText(lang.L("No changes waiting."))
		}
	} else {
		s.pending.SetText(lang.N("{{.N}} change waiting", st.Pending, map[string]any{"N": l.number(int64(st.Pending))}))
	}
	s.last.SetText(l.ago(st.LastSync, s.a.now()))
	s.lastErr.set(st.LastError)
	s.conflictsTab.Text = lang.L("Conflicts") + " (" + l.number(int64(st.Conflicts)) + ")"
	s.rejectedTab.Text = lang.L("Rejected changes") + " (" + l.number(int64(st.Rejected)) + ")"
	s.tabs.Refresh()
	if s.loaded && (prev.Conflicts != st.Conflicts || prev.Rejected != st.Rejected || !prev.LastSync.Equal(st.LastSync)) {
		s.reload()
	}
}

func (s *syncScreen) reload() {
	run(s.a, &s.slot, func(ctx context.Context) (syncLists, error) {
		var l syncLists
		var err error
		if l.conflicts, err = s.a.sync.Conflicts(ctx); err != nil {
			return l, err
		}
		if l.rejected, err = s.a.sync.Rejected(ctx); err != nil {
			return l, err
		}
		l.runs, err = s.a.sync.Runs(ctx, 20)
		return l, err
	}, func(l syncLists, err error) {
		s.loaded = true
		if err != nil {
			s.lastErr.set(errorMessage(err))
			return
		}
		s.conflicts, s.rejected, s.runs = l.conflicts, l.rejected, l.runs
		s.renderConflicts()
		s.renderRejected()
		s.renderRuns()
	})
}

func (s *syncScreen) renderConflicts() {
	s.cList.Refresh()
	s.cList.UnselectAll()
	s.cList.selected = -1
	if len(s.conflicts) == 0 {
		s.cBody.Objects = []fyne.CanvasObject{emptyState(theme.ConfirmIcon(), lang.L("No conflicts"),
			lang.L("When you and someone else change the same field, you decide here which value stays."))}
		s.cBody.Refresh()
		return
	}
	s.cBody.Objects = []fyne.CanvasObject{s.cSplit}
	s.cBody.Refresh()
	for i, c := range s.conflicts {
		if c.ID == s.selected {
			s.cList.Select(i)
			return
		}
	}
	s.cList.Select(0)
}

// showConflict puts base, theirs and mine side by side.
func (s *syncScreen) showConflict(c Conflict) {
	a := s.a
	column := func(title, sub, value string) fyne.CanvasObject {
		v := wrapLabel(value)
		if value == "" {
			v = secondary(lang.L("(empty)"))
		}
		head := sectionTitle(title)
		return panel("", container.NewVBox(head, secondary(sub), widget.NewSeparator(), v))
	}
	theirsBy := joinNonEmpty(", ", c.TheirAuthor, a.loc.ago(c.TheirAt, a.now()))
	var body fyne.CanvasObject
	var buttons []fyne.CanvasObject
	if c.Deleted {
		who := firstNonEmpty(c.TheirAuthor, lang.L("Someone"))
		text := lang.L("{{.Who}} deleted this record on the server while you edited it here. Restore it with your changes, or let the delete stand.",
			map[string]any{"Who": who})
		edit, editBy, deleter := c.Mine, lang.L("your edit"), TakeTheirs
		if c.MineDeleted {
			text = lang.L("You deleted this record while {{.Who}} edited it on the server. Restore it with that edit, or keep it deleted.",
				map[string]any{"Who": who})
			edit, editBy, deleter = c.Theirs, theirsBy, KeepMine
		}
		body = container.NewVBox(wrapLabel(text), column(lang.L("Edit"), editBy, edit))
		restore := widget.NewButtonWithIcon(lang.L("Restore"), theme.ContentUndoIcon(), func() { s.resolve(c, Restore) })
		restore.Importance = widget.HighImportance
		buttons = []fyne.CanvasObject{widget.NewButtonWithIcon(lang.L("Accept delete"), theme.DeleteIcon(), func() { s.resolve(c, deleter) }), restore}
	} else {
		body = container.NewGridWithColumns(3,
			column(lang.L("Base"), lang.L("before both changes"), c.Base),
			column(lang.L("Theirs"), theirsBy, c.Theirs),
			column(lang.L("Mine"), lang.L("your change"), c.Mine))
		mine := widget.NewButtonWithIcon(lang.L("Keep mine"), theme.ConfirmIcon(), func() { s.resolve(c, KeepMine) })
		mine.Importance = widget.HighImportance
		buttons = []fyne.CanvasObject{widget.NewButtonWithIcon(lang.L("Take theirs"), theme.DownloadIcon(), func() { s.resolve(c, TakeTheirs) }), mine}
	}
	title := heading(c.Label)
	sub := secondary(joinNonEmpty(" · ", kindName(c.Entity), fieldName(c.Field)))
	s.compare.Objects = []fyne.CanvasObject{container.NewBorder(container.NewVBox(title, sub), container.NewHBox(buttons...), nil, nil,
		container.NewVScroll(body))}
	s.compare.Refresh()
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

func (s *syncScreen) resolve(c Conflict, keep string) {
	background(s.a, func(ctx context.Context) (none, error) {
		return none{}, s.a.sync.Resolve(ctx, c.ID, keep)
	}, func(_ none, err error) {
		if err != nil {
			s.a.showError(lang.L("Could not resolve the conflict"), err)
			return
		}
		s.selected = ""
		s.reload()
		s.a.changed(s, c.Entity)
	})
}

func (s *syncScreen) renderRejected() {
	s.rejBox.RemoveAll()
	for _, r := range s.rejected {
		title := sectionTitle(joinNonEmpty(" · ", r.Label, kindName(r.Entity), opName(r.Op)))
		lines := container.NewVBox(container.NewBorder(nil, nil, nil, secondary(s.a.loc.ago(r.At, s.a.now())), title))
		if len(r.Fields) > 0 {
			var names []string
			for _, f := range r.Fields {
				names = append(names, fieldName(f))
			}
			lines.Add(secondary(strings.Join(names, ", ")))
		}
		reason := wrapLabel(r.Reason)
		reason.Importance = widget.DangerImportance
		lines.Add(reason)
		s.rejBox.Add(panel("", lines))
	}
	if len(s.rejected) == 0 {
		s.rejBox.Add(emptyState(theme.ConfirmIcon(), lang.L("Nothing rejected"), lang.L("The server accepted every change sent so far.")))
	}
}

func opName(op string) string {
	switch op {
	case "create":
		return lang.L("created")
	case "delete":
		return lang.L("deleted")
	}
	return lang.L("changed")
}

func (s *syncScreen) renderRuns() {
	s.runsBox.RemoveAll()
	l := s.a.loc
	for _, r := range s.runs {
		text := lang.L("sent {{.Pushed}}, received {{.Pulled}}", map[string]any{"Pushed": l.number(int64(r.Pushed)), "Pulled": l.number(int64(r.Pulled))})
		if r.Conflicts > 0 {
			text += " · " + lang.N("{{.N}} conflict", r.Conflicts, map[string]any{"N": r.Conflicts})
		}
		if r.Rejected > 0 {
			text += " · " + lang.L("{{.N}} rejected", map[string]any{"N": r.Rejected})
		}
		icon := widget.NewIcon(theme.ConfirmIcon())
		line := container.NewVBox(container.NewBorder(nil, nil, nil, secondary(text), widget.NewLabel(l.dateTime(r.Started.Local()))))
		if r.Error != "" {
			icon.SetResource(theme.ErrorIcon())
			line.Add(newErrorLabel(r.Error))
		}
		s.runsBox.Add(container.NewBorder(nil, nil, icon, nil, line))
	}
	if len(s.runs) == 0 {
		s.runsBox.Add(emptyState(theme.HistoryIcon(), lang.L("No syncs yet"), lang.L("Runs appear here once a server is connected.")))
	}
}
