package ui

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"repdesk/localdb"
	"repdesk/localdb/forecast"
	"repdesk/sync/protocol"
)

var iconDashboard = svgIcon("dashboard", "M3 13h4v8H3v-8zm7-6h4v14h-4V7zm7-4h4v18h-4V3z")

// dashboardScreen shows how the month goes: the pipeline by stage, the
// forecast against the target, the weighted forecast by month, this week's
// calls and each rep's progress towards their target, drawn as bar charts.
type dashboardScreen struct {
	*computedScreen[*dashboardData]
	data *dashboardData // the shown figures, for the target dialog
}

// dashboardData is what the dashboard shows: the forecast, the reps a
// target can be set for, who this is and whether they see every rep's
// target (a manager or admin, or someone working alone) or only their own.
type dashboardData struct {
	f       *forecast.Forecast
	reps    []string
	me      string
	seesAll bool
}

func newDashboardScreen(a *App) *dashboardScreen {
	s := &dashboardScreen{}
	s.computedScreen = newComputedScreen(a, s, func(ctx context.Context, now time.Time) (*dashboardData, error) {
		return loadDashboard(ctx, a.store, now)
	}, s.render)
	return s
}

func loadDashboard(ctx context.Context, st *localdb.Store, now time.Time) (*dashboardData, error) {
	f, err := forecast.Compute(ctx, st, forecast.Options{Now: now})
	if err != nil {
		return nil, err
	}
	reps, err := forecast.Reps(ctx, st)
	if err != nil {
		return nil, err
	}
	d := &dashboardData{f: f, reps: reps, me: st.Owner()}
	if !slices.Contains(d.reps, d.me) {
		d.reps = append([]string{d.me}, d.reps...)
	}
	role, err := st.Setting(ctx, localdb.SettingAccountRole)
	if err != nil && !errors.Is(err, localdb.ErrNotFound) {
		return nil, err
	}
	server, err := st.SyncValue(ctx, localdb.SyncServer)
	if err != nil && !errors.Is(err, localdb.ErrNotFound) {
		return nil, err
	}
	// Without a sign-in there is no team to hide targets from; a database
	// signed in before its role was kept counts as a rep's until the next
	// sign-in.
	d.seesAll = role == protocol.RoleManager || role == protocol.RoleAdmin || (role == "" && server == "")
	return d, nil
}

func (s *dashboardScreen) id() string          { return "dashboard" }
func (s *dashboardScreen) label() string       { return lang.L("Dashboard") }
func (s *dashboardScreen) icon() fyne.Resource { return iconDashboard }

// mainCurrency is the currency the charts draw: the rep's own when deals
// use it, else the one with the most money in play.
func (s *dashboardScreen) mainCurrency(f *forecast.Forecast) string {
	sums := map[string]int64{}
	for _, t := range append(slices.Clone(f.Open), f.Won...) {
		sums[t.Currency] += t.Amount
	}
	for _, p := range f.Targets {
		sums[p.Currency] += p.Target
	}
	if _, ok := sums[s.a.currency()]; ok || len(sums) == 0 {
		return s.a.currency()
	}
	best := ""
	for c, v := range sums {
		if best == "" || v > sums[best] || (v == sums[best] && c < best) {
			best = c
		}
	}
	return best
}

// in returns the total of currency cur among totals.
func in(totals []forecast.Total, cur string) forecast.Total {
	for _, t := range totals {
		if t.Currency == cur {
			return t
		}
	}
	return forecast.Total{Currency: cur}
}

// sumsOf maps totals to amount (or weighted) per currency.
func sumsOf(totals []forecast.Total, weighted bool) (map[string]int64, []string) {
	m := map[string]int64{}
	var order []string
	for _, t := range totals {
		m[t.Currency] = t.Amount
		if weighted {
			m[t.Currency] = wholeUnits(t.Weighted)
		}
		order = append(order, t.Currency)
	}
	return m, order
}

// wholeUnits rounds minor units to whole ones: a forecast has no cents.
func wholeUnits(cents int64) int64 { return (cents + 50) / 100 * 100 }

func (s *dashboardScreen) render(d *dashboardData) fyne.CanvasObject {
	a := s.a
	s.data = d
	f := d.f
	cur := s.mainCurrency(f)
	month, _ := time.Parse("2006-01", f.Month)
	open, openOrder := sumsOf(f.Open, false)
	weighted, _ := sumsOf(f.Open, true)
	won, wonOrder := sumsOf(f.Won, false)
	var openCount, wonCount int
	for _, t := range f.Open {
		openCount += t.Count
	}
	for _, t := range f.Won {
		wonCount += t.Count
	}
	stats := container.NewGridWithColumns(4,
		stat(lang.L("Open pipeline"), a.loc.moneyParts(open, openOrder), lang.N("{{.N}} open deal", openCount, map[string]any{"N": a.loc.number(int64(openCount))})),
		stat(lang.L("Weighted forecast"), a.loc.moneyParts(weighted, openOrder), lang.L("amount × probability")),
		stat(lang.L("Won this month"), a.loc.moneyParts(won, wonOrder), lang.N("{{.N}} deal won", wonCount, map[string]any{"N": a.loc.number(int64(wonCount))})),
		stat(lang.L("Calls this week"), a.loc.number(int64(f.Calls.Calls)),
			lang.L("{{.Rate}} connected", map[string]any{"Rate": a.loc.percent(int64(f.Calls.ConnectRate*100 + 0.5))})),
	)
	title := heading(lang.L("Dashboard") + " · " + a.loc.monthName(month))
	grid := container.NewGridWithColumns(2,
		panel(lang.L("Pipeline by stage"), s.stageChart(f, cur)),
		panel(lang.L("Forecast against target"), s.targetChart(f, cur)),
		panel(lang.L("Weighted forecast by close month"), s.monthChart(f, cur)),
		panel(lang.L("Calls this week"), s.callChart(f)),
	)
	body := container.NewVBox(grid, panel(lang.L("Targets by rep"), s.repChart(d)))
	return container.NewBorder(container.NewVBox(title, stats), nil, nil, nil, container.NewVScroll(body))
}

// shownTargets are the reps' targets of the month this user sees: every
// rep's for a manager, else their own.
func (d *dashboardData) shownTargets() []forecast.Progress {
	var out []forecast.Progress
	for _, p := range d.f.Targets {
		if p.Rep != "" && (d.seesAll || p.Rep == d.me) {
			out = append(out, p)
		}
	}
	return out
}

// repChartMax is the share of a target the rep chart's bars end at: far
// beyond it a bar would squeeze the others; its figure still says how far.
const repChartMax = 150

// repChart is each shown rep's progress as a share of their target: dark
// what is won, light the forecast, the line at 100 %.
func (s *dashboardScreen) repChart(d *dashboardData) fyne.CanvasObject {
	l := s.a.loc
	setBtn := widget.NewButtonWithIcon(lang.L("Set target…"), theme.DocumentCreateIcon(), s.setTarget)
	targets := d.shownTargets()
	if len(targets) == 0 {
		msg := lang.L("You have no target for this month.")
		if d.seesAll {
			msg = lang.L("No rep has a target for this month.")
		}
		return vbox(secondary(msg), container.NewHBox(setBtn))
	}
	var bars []bar
	for _, p := range targets {
		name := p.Rep
		if p.Rep == d.me {
			name = lang.L("{{.Rep}} (you)", map[string]any{"Rep": p.Rep})
		}
		bars = append(bars, bar{label: name, value: float64(min(p.ForecastPct, repChartMax)), inner: float64(min(p.ProgressPct, repChartMax)),
			text: lang.L("{{.Won}} of {{.Target}} · {{.Pct}} · forecast {{.Forecast}}", map[string]any{
				"Won": l.money(wholeUnits(p.Won), p.Currency), "Target": l.money(wholeUnits(p.Target), p.Currency),
				"Pct": l.percent(p.ProgressPct), "Forecast": l.percent(p.ForecastPct)})})
	}
	chart := newBarChart(bars)
	chart.marker, chart.scale = 100, repChartMax
	note := secondary(lang.L("Dark: won · light: forecast · line: the target"))
	return vbox(chart, note, container.NewHBox(setBtn))
}

// otherCurrencies notes the open pipeline in currencies the charts leave
// out: they are never added to the main one.
func (s *dashboardScreen) otherCurrencies(totals []forecast.Total, cur string) fyne.CanvasObject {
	m := map[string]int64{}
	var order []string
	for _, t := range totals {
		if t.Currency != cur && t.Amount != 0 {
			m[t.Currency] = t.Amount
			order = append(order, t.Currency)
		}
	}
	if len(order) == 0 {
		return nil
	}
	l := secondary(lang.L("Shown in {{.Currency}}; also open: {{.Other}}", map[string]any{"Currency": cur, "Other": s.a.loc.moneyParts(m, order)}))
	l.Wrapping = fyne.TextWrapWord
	return l
}

func vbox(objs ...fyne.CanvasObject) *fyne.Container {
	box := container.NewVBox()
	for _, o := range objs {
		if o != nil {
			box.Add(o)
		}
	}
	return box
}

func (s *dashboardScreen) stageChart(f *forecast.Forecast, cur string) fyne.CanvasObject {
	l := s.a.loc
	var bars []bar
	for _, st := range f.ByStage {
		t := in(st.Totals, cur)
		bars = append(bars, bar{label: stageName(st.Stage) + " (" + l.number(int64(t.Count)) + ")", value: float64(t.Amount), inner: float64(t.Weighted),
			text: l.money(wholeUnits(t.Amount), cur) + " · " + l.money(wholeUnits(t.Weighted), cur)})
	}
	if len(bars) == 0 {
		return secondary(lang.L("The pipeline has no open stages."))
	}
	return vbox(newBarChart(bars), secondary(lang.L("Light: amount · dark: weighted by probability")), s.otherCurrencies(f.Open, cur))
}

func (s *dashboardScreen) targetChart(f *forecast.Forecast, cur string) fyne.CanvasObject {
	l := s.a.loc
	setBtn := widget.NewButtonWithIcon(lang.L("Set target…"), theme.DocumentCreateIcon(), s.setTarget)
	var target *forecast.Progress
	for i := range f.Targets {
		if f.Targets[i].Rep == "" {
			target = &f.Targets[i]
		}
	}
	if target == nil {
		wonNow := in(f.Won, cur).Amount
		var open int64
		for _, m := range f.ByMonth {
			if m.Month == f.Month {
				open = in(m.Totals, cur).Weighted
			}
		}
		chart := newBarChart([]bar{
			{label: lang.L("Won"), value: float64(wonNow), text: l.money(wholeUnits(wonNow), cur), strong: true},
			{label: lang.L("Forecast"), value: float64(wonNow + open), inner: float64(wonNow), text: l.money(wholeUnits(wonNow+open), cur)},
		})
		return vbox(chart, secondary(lang.L("No target set for this month.")), container.NewHBox(setBtn))
	}
	who := lang.L("Team target")
	if target.Rep != "" {
		who = lang.L("Target of {{.Rep}}", map[string]any{"Rep": target.Rep})
	}
	chart := newBarChart([]bar{
		{label: who, value: float64(target.Target), text: l.money(wholeUnits(target.Target), target.Currency)},
		{label: lang.L("Won"), value: float64(target.Won), strong: true,
			text: l.money(wholeUnits(target.Won), target.Currency) + " · " + l.percent(target.ProgressPct)},
		{label: lang.L("Forecast"), value: float64(target.Forecast), inner: float64(target.Won),
			text: l.money(wholeUnits(target.Forecast), target.Currency) + " · " + l.percent(target.ForecastPct)},
	})
	chart.marker = float64(target.Target)
	note := lang.L("Forecast: won plus the weighted deals expected to close this month.")
	if target.OtherCurrencies {
		note += " " + lang.L("Deals won in other currencies do not count.")
	}
	n := secondary(note)
	n.Wrapping = fyne.TextWrapWord
	return vbox(chart, n, container.NewHBox(setBtn))
}

func (s *dashboardScreen) monthChart(f *forecast.Forecast, cur string) fyne.CanvasObject {
	l := s.a.loc
	var overdue, undated forecast.Total
	var bars []bar
	first, _ := time.Parse("2006-01", f.Month)
	shown := map[string]bool{}
	for i := range 6 {
		shown[first.AddDate(0, i, 0).Format("2006-01")] = true
	}
	byMonth := map[string]forecast.Total{}
	for _, m := range f.ByMonth {
		t := in(m.Totals, cur)
		switch {
		case m.Month == "":
			undated = t
		case m.Month < f.Month:
			overdue.Amount += t.Amount
			overdue.Weighted += t.Weighted
			overdue.Count += t.Count
		default:
			byMonth[m.Month] = t
		}
	}
	if overdue.Count > 0 {
		bars = append(bars, bar{label: lang.L("Overdue"), value: float64(overdue.Weighted), text: l.money(wholeUnits(overdue.Weighted), cur)})
	}
	for i := range 6 {
		m := first.AddDate(0, i, 0)
		t := byMonth[m.Format("2006-01")]
		bars = append(bars, bar{label: l.monthName(m), value: float64(t.Weighted), text: l.money(wholeUnits(t.Weighted), cur), strong: i == 0})
	}
	if undated.Count > 0 {
		bars = append(bars, bar{label: lang.L("No date"), value: float64(undated.Weighted), text: l.money(wholeUnits(undated.Weighted), cur)})
	}
	return vbox(newBarChart(bars), secondary(lang.L("Open deals by expected close, weighted by probability")))
}

func (s *dashboardScreen) callChart(f *forecast.Forecast) fyne.CanvasObject {
	l := s.a.loc
	var bars []bar
	for _, d := range f.Calls.Days {
		day, _ := time.Parse(time.DateOnly, d.Date)
		bars = append(bars, bar{label: l.weekday(day) + " " + l.shortDate(day), value: float64(d.Calls), inner: float64(d.Connected),
			text: lang.L("{{.Calls}} · {{.Connected}} connected", map[string]any{"Calls": l.number(int64(d.Calls)), "Connected": l.number(int64(d.Connected))})})
	}
	summary := lang.L("{{.Calls}} calls, {{.Connected}} connected: a connect rate of {{.Rate}}", map[string]any{
		"Calls": l.number(int64(f.Calls.Calls)), "Connected": l.number(int64(f.Calls.Connected)),
		"Rate": l.percent(int64(f.Calls.ConnectRate*100 + 0.5))})
	if f.Calls.Calls == 0 {
		summary = lang.L("No calls logged this week yet.")
	}
	return vbox(newBarChart(bars), secondary(summary))
}

// targetDialog sets a rep's (or the team's) target for a month: who, which
// month, how much. It opens on this user and the shown month, with the
// amount of the target there is; a rep sets only their own.
type targetDialog struct {
	s        *dashboardScreen
	d        *dialog.CustomDialog
	rep      *widget.SelectEntry
	month    *widget.Select
	months   []string // YYYY-MM of the month choices
	amount   *keyEntry
	currency *widget.Select
	problem  errorText
	slot     slot
	// targets are the targets of month loaded, read once per month chosen:
	// choosing another rep only looks them up.
	targets []localdb.Target
	loaded  string
}

// setTarget opens the target dialog.
func (s *dashboardScreen) setTarget() {
	a := s.a
	data := s.data
	if data == nil {
		data = &dashboardData{f: &forecast.Forecast{Month: a.now().Format("2006-01")}, me: a.store.Owner()}
	}
	t := &targetDialog{s: s, problem: newErrorText()}
	team := lang.L("Whole team")
	t.rep = widget.NewSelectEntry(append([]string{team}, data.reps...))
	t.rep.SetText(data.me)
	if !data.seesAll {
		t.rep.Disable()
	}
	first, _ := time.Parse("2006-01", data.f.Month)
	var names []string
	for i := -1; i < 12; i++ {
		m := first.AddDate(0, i, 0)
		t.months = append(t.months, m.Format("2006-01"))
		names = append(names, a.loc.monthName(m))
	}
	t.month = widget.NewSelect(names, nil)
	t.month.SetSelectedIndex(1)
	t.amount = newEntry(a)
	t.currency = widget.NewSelect(currencies, nil)
	t.currency.SetSelected(a.currency())
	t.rep.OnChanged = func(string) { t.showExisting() }
	t.month.OnChanged = func(string) { t.loadExisting() }
	t.amount.OnSubmitted = func(string) { t.save() }
	form := formGrid(
		newField(lang.L("Rep"), t.rep),
		newField(lang.L("Month"), t.month),
		newField(lang.L("Amount"), container.NewBorder(nil, nil, nil, container.New(&fixedWidth{w: 100}, t.currency), t.amount)),
	)
	note := secondary(lang.L("Won deals closed in the month count towards the target."))
	note.Wrapping = fyne.TextWrapWord
	cancel := widget.NewButtonWithIcon(lang.L("Cancel"), theme.CancelIcon(), func() { t.d.Hide() })
	save := widget.NewButtonWithIcon(lang.L("Save"), theme.DocumentSaveIcon(), t.save)
	save.Importance = widget.HighImportance
	t.d = dialog.NewCustomWithoutButtons(lang.L("Set target"), container.New(&column{w: 440}, container.NewVBox(form, t.problem, note)), a.win)
	t.d.SetButtons([]fyne.CanvasObject{cancel, save})
	t.d.SetOnClosed(t.slot.stop)
	a.showDialog(t.d)
	t.loadExisting()
	a.focus(t.amount)
}

// who is the rep the dialog is for ("" for the team).
func (t *targetDialog) who() string {
	r := strings.TrimSpace(t.rep.Text)
	if r == lang.L("Whole team") {
		return ""
	}
	return r
}

// loadExisting reads the chosen month's targets, then shows the chosen
// rep's.
func (t *targetDialog) loadExisting() {
	if t.month.SelectedIndex() < 0 {
		return
	}
	a, month := t.s.a, t.months[t.month.SelectedIndex()]
	run(a, &t.slot, func(ctx context.Context) ([]localdb.Target, error) {
		return a.store.Targets(ctx, month)
	}, func(list []localdb.Target, err error) {
		if err != nil {
			t.problem.set(errorMessage(err))
			return
		}
		t.targets, t.loaded = list, month
		t.showExisting()
	})
}

// showExisting puts the amount of the chosen rep's target in the chosen
// month into the dialog, or empties it when there is none. While the
// month's targets are being read it waits for them.
func (t *targetDialog) showExisting() {
	if i := t.month.SelectedIndex(); i < 0 || t.months[i] != t.loaded {
		return
	}
	rep := t.who()
	t.amount.SetText("")
	for _, g := range t.targets {
		if g.Rep == rep {
			t.amount.SetText(t.s.a.loc.amountInput(g.Amount))
			t.currency.SetSelected(g.Currency)
			break
		}
	}
}

func (t *targetDialog) save() {
	a := t.s.a
	cents, valid := a.loc.parseMoney(t.amount.Text)
	if !valid || cents <= 0 {
		t.problem.set(lang.L("Amount: give an amount of more than zero, like {{.Example}}.", map[string]any{"Example": a.loc.amountInput(2000000)}))
		a.focus(t.amount)
		return
	}
	t.problem.set("")
	month, rep, cur := t.months[t.month.SelectedIndex()], t.who(), t.currency.Selected
	background(a, func(ctx context.Context) (none, error) {
		return none{}, a.store.Update(ctx, func(tx *localdb.Tx) error {
			_, err := forecast.SetTarget(tx, month, rep, cents, cur)
			return err
		})
	}, func(_ none, err error) {
		if err != nil {
			t.problem.set(errorMessage(err))
			return
		}
		t.d.Hide()
		t.s.reload()
		a.changed(t.s, localdb.EntityTarget)
	})
}

var (
	monthsDE   = [...]string{"Jan", "Feb", "Mär", "Apr", "Mai", "Jun", "Jul", "Aug", "Sep", "Okt", "Nov", "Dez"}
	weekdaysEN = [...]string{"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"}
	weekdaysDE = [...]string{"So", "Mo", "Di", "Mi", "Do", "Fr", "Sa"}
)

// monthName writes a month as "Mar 2026" or "Mär 2026".
func (l locale) monthName(t time.Time) string {
	if l == langGerman {
		return monthsDE[t.Month()-1] + " " + strconv.Itoa(t.Year())
	}
	return monthsEN[t.Month()-1] + " " + strconv.Itoa(t.Year())
}

func (l locale) weekday(t time.Time) string {
	if l == langGerman {
		return weekdaysDE[t.Weekday()]
	}
	return weekdaysEN[t.Weekday()]
}
