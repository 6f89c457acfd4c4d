package cli

import (
	"fmt"
	"strings"
	"time"
	"unicode"

	"repdesk/localdb"
	"repdesk/localdb/forecast"
)

func runForecast(c *runCtx, args []string) error {
	fs := newFlags("forecast")
	asJSON := fs.Bool("json", false, "print JSON")
	month := fs.String("month", "", "the month of won deals and targets, `YYYY-MM` (default: this month)")
	rep := fs.String("rep", "", "only this rep's deals, calls and target (`NAME`)")
	if _, err := parse(fs, args, 0, 0); err != nil {
		return err
	}
	if *month != "" {
		if _, err := time.Parse("2006-01", *month); err != nil {
			return usagef("forecast: --month %q: want YYYY-MM, e.g. 2026-12", *month)
		}
	}
	s, err := c.open()
	if err != nil {
		return err
	}
	f, err := forecast.Compute(c.ctx, s, forecast.Options{Month: *month, Rep: *rep})
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(c.out(), f)
	}
	w := c.out()
	fmt.Fprintf(w, "Weighted pipeline by stage (amount × probability)\n")
	t := newTable(w, "STAGE", "DEALS", "AMOUNT", "WEIGHTED")
	for _, st := range f.ByStage {
		totalRows(t, fmt.Sprintf("%s (%d%%)", st.Stage, st.Probability), st.Totals)
	}
	totalRows(t, "All open", f.Open)
	if err := t.flush(); err != nil {
		return err
	}
	fmt.Fprintf(w, "\nBy expected close month\n")
	t = newTable(w, "MONTH", "DEALS", "AMOUNT", "WEIGHTED")
	for _, m := range f.ByMonth {
		label := m.Month
		if label == "" {
			label = "no date"
		}
		totalRows(t, label, m.Totals)
	}
	if err := t.flush(); err != nil {
		return err
	}
	fmt.Fprintf(w, "\nWon in %s\n", f.Month)
	if len(f.Won) == 0 {
		fmt.Fprintln(w, "  nothing yet")
	}
	for _, x := range f.Won {
		fmt.Fprintf(w, "  %s in %d deals\n", money(x.Amount, x.Currency), x.Count)
	}
	fmt.Fprintf(w, "\nTargets for %s\n", f.Month)
	if len(f.Targets) == 0 {
		fmt.Fprintln(w, "  none set (repdesk targets set --month "+f.Month+" --amount 50000EUR)")
	}
	for _, p := range f.Targets {
		who := p.Rep
		if who == "" {
			who = "team"
		}
		fmt.Fprintf(w, "  %s: won %s of %s (%d%%), with the weighted pipeline %s (%d%%)\n", who,
			money(p.Won, p.Currency), money(p.Target, p.Currency), p.ProgressPct, money(p.Forecast, p.Currency), p.ForecastPct)
		if p.OtherCurrencies {
			fmt.Fprintf(w, "    (deals won in other currencies than %s are not counted)\n", p.Currency)
		}
	}
	fmt.Fprintf(w, "\nCalls in the week of %s: %d, %d connected (%.0f%%)\n", f.Calls.WeekStart, f.Calls.Calls,
		f.Calls.Connected, f.Calls.ConnectRate*100)
	return nil
}

// totalRows prints one row per currency of a group.
func totalRows(t *table, label string, totals []forecast.Total) {
	if len(totals) == 0 {
		t.row(label, "0", "–", "–")
	}
	for i, x := range totals {
		if i > 0 {
			label = ""
		}
		t.row(label, fmt.Sprint(x.Count), money(x.Amount, x.Currency), money(x.Weighted, x.Currency))
	}
}

func runTargets(c *runCtx, args []string) error {
	if len(args) == 0 {
		return usagef("targets: give set or list")
	}
	switch args[0] {
	case "set":
		return targetsSet(c, args[1:])
	case "list", "ls":
		return targetsList(c, args[1:])
	}
	return usagef("targets: unknown action %q (set, list)", args[0])
}

// parseMoney reads an amount with an optional currency code before or after
// it ("50000EUR", "EUR 50.000,00", "1200"); def is the currency without one.
func parseMoney(s, def string) (int64, string, error) {
	s = strings.TrimSpace(s)
	cur := def
	letters := strings.IndexFunc(s, unicode.IsLetter)
	if letters >= 0 {
		end := strings.LastIndexFunc(s, unicode.IsLetter) + 1
		code := strings.ToUpper(s[letters:end])
		if len(code) != 3 || strings.Trim(code, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != "" || (letters > 0 && end < len(s)) {
			return 0, "", fmt.Errorf("%q: want an amount and a three-letter currency, e.g. 50000EUR", s)
		}
		cur, s = code, s[:letters]+s[end:]
	}
	amount, err := parseAmount(s)
	if err != nil {
		return 0, "", err
	}
	return amount, strings.ToUpper(cur), nil
}

func targetsSet(c *runCtx, args []string) error {
	fs := newFlags("targets set")
	month := fs.String("month", "", "the month, `YYYY-MM`")
	amount := fs.String("amount", "", "the target, e.g. 50000EUR (default currency EUR)")
	rep := fs.String("rep", "", "the rep (`NAME`, as deal owners are named); none: the team's target")
	asJSON := fs.Bool("json", false, "print JSON")
	if _, err := parse(fs, args, 0, 0); err != nil {
		return err
	}
	if *month == "" || *amount == "" {
		return usagef("targets set: --month and --amount are required, e.g. --month 2026-12 --amount 50000EUR")
	}
	amt, cur, err := parseMoney(*amount, "EUR")
	if err != nil {
		return usagef("targets set: --amount %v", err)
	}
	s, err := c.open()
	if err != nil {
		return err
	}
	var g *localdb.Target
	err = s.Update(c.ctx, func(t *localdb.Tx) error {
		g, err = forecast.SetTarget(t, *month, *rep, amt, cur)
		return err
	})
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(c.out(), g)
	}
	fmt.Fprintln(c.out(), g.ID)
	return nil
}

func targetsList(c *runCtx, args []string) error {
	fs := newFlags("targets list")
	month := fs.String("month", "", "only this month (`YYYY-MM`)")
	asJSON := fs.Bool("json", false, "print JSON")
	if _, err := parse(fs, args, 0, 0); err != nil {
		return err
	}
	s, err := c.open()
	if err != nil {
		return err
	}
	gs, err := s.Targets(c.ctx, *month)
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(c.out(), nonNil(gs))
	}
	t := newTable(c.out(), "MONTH", "REP", "TARGET")
	for _, g := range gs {
		rep := g.Rep
		if rep == "" {
			rep = "team"
		}
		t.row(g.Month, rep, money(g.Amount, g.Currency))
	}
	return t.flush()
}
