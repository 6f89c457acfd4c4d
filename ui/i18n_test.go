package ui

import (
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"repdesk/assets"
)

// messages collects the first string argument of the calls to fn in the
// non-test Go files of dir: lang.L, lang.N and lang.X in the UI, invalid in
// localdb (its third argument, the problem text).
func messages(t *testing.T, dir string, match func(call *ast.CallExpr) ast.Expr) map[string]bool {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	require.NoError(t, err)
	out := map[string]bool{}
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		require.NoError(t, err)
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			if arg, ok := match(call).(*ast.BasicLit); ok && arg.Kind == token.STRING {
				s, err := strconv.Unquote(arg.Value)
				require.NoError(t, err)
				out[s] = true
			}
			return true
		})
	}
	return out
}

func langCalls(names ...string) func(*ast.CallExpr) ast.Expr {
	return func(call *ast.CallExpr) ast.Expr {
		sel, ok := call.Fun.(*ast.SelectorExpr)
		if !ok || len(call.Args) == 0 {
			return nil
		}
		if pkg, ok := sel.X.(*ast.Ident); ok && pkg.Name == "lang" {
			for _, n := range names {
				if sel.Sel.Name == n {
					return call.Args[0]
				}
			}
		}
		return nil
	}
}

func loadTranslations(t *testing.T, name string) map[string]json.RawMessage {
	t.Helper()
	raw, err := assets.Translations.ReadFile("translations/" + name)
	require.NoError(t, err)
	m := map[string]json.RawMessage{}
	require.NoError(t, json.Unmarshal(raw, &m), name)
	return m
}

func TestEveryStringIsTranslated(t *testing.T) {
	de := loadTranslations(t, "de.json")
	en := loadTranslations(t, "en.json")
	for s := range messages(t, ".", langCalls("L", "X")) {
		assert.Contains(t, de, s, "de.json lacks %q", s)
	}
	for s := range messages(t, ".", langCalls("N")) {
		for lang, m := range map[string]map[string]json.RawMessage{"de": de, "en": en} {
			var forms map[string]string
			require.Contains(t, m, s, "%s.json lacks the plural %q", lang, s)
			require.NoError(t, json.Unmarshal(m[s], &forms), "%s.json: %q needs one and other", lang, s)
			assert.NotEmpty(t, forms["one"], "%s.json: %q one", lang, s)
			assert.NotEmpty(t, forms["other"], "%s.json: %q other", lang, s)
		}
	}
	for _, stage := range []string{"Lead", "Qualified", "Proposal", "Negotiation", "Won", "Lost"} {
		assert.Contains(t, de, "stage."+stage)
		assert.Contains(t, en, "stage."+stage)
	}
	// The store explains validation errors in English; the app shows them
	// translated.
	problems := messages(t, "../localdb", func(call *ast.CallExpr) ast.Expr {
		if id, ok := call.Fun.(*ast.Ident); ok && id.Name == "invalid" && len(call.Args) == 3 {
			return call.Args[2]
		}
		return nil
	})
	require.NotEmpty(t, problems)
	for p := range problems {
		assert.Contains(t, de, p, "de.json lacks the store's problem %q", p)
	}
}

func TestGermanThroughout(t *testing.T) {
	h := newHarness(t, harnessOpts{language: "de", demo: 40})
	h.app.showID("contacts")
	h.idle()
	texts := h.texts()
	for _, want := range []string{"Kontakte", "Firmen", "Deals", "Besuche", "Einstellungen", "Neuer Kontakt",
		"40 Kontakte", "Offline", "Jetzt synchronisieren"} {
		assert.Contains(t, texts, want)
	}
	h.app.showID("deals")
	h.idle()
	assert.Contains(t, h.texts(), "Angebot", "stage names are translated")
	assert.Contains(t, h.app.deals.summary.Text, "€", "amounts in euro")
	assert.Contains(t, h.app.deals.summary.Text, "offene Deals")
}

func TestLocaleFormats(t *testing.T) {
	day := time.Date(2026, 3, 5, 14, 30, 0, 0, time.Local)
	for _, tc := range []struct {
		l                             locale
		number, money, cents, other   string
		date, clock, birthday, amount string
	}{
		{langEnglish, "1,234,567", "€12,500", "€12,500.50", "CHF\u00a099.05", "Mar 5, 2026", "2:30 PM", "Mar 5", "12,500.50"},
		{langGerman, "1.234.567", "12.500\u00a0€", "12.500,50\u00a0€", "99,05\u00a0CHF", "05.03.2026", "14:30", "05.03.", "12.500,50"},
	} {
		assert.Equal(t, tc.number, tc.l.number(1234567))
		assert.Equal(t, tc.money, tc.l.money(1250000, "EUR"))
		assert.Equal(t, tc.cents, tc.l.money(1250050, "EUR"))
		assert.Equal(t, tc.other, tc.l.money(9905, "CHF"))
		assert.Equal(t, tc.date, tc.l.date(day))
		assert.Equal(t, tc.clock, tc.l.clock(day))
		assert.Equal(t, tc.birthday, tc.l.birthday("--03-05"))
		assert.Equal(t, tc.amount, tc.l.amountInput(1250050))
	}
	assert.Equal(t, "-€5", langEnglish.money(-500, "EUR"))
}

func TestParseMoney(t *testing.T) {
	for _, tc := range []struct {
		l    locale
		in   string
		want int64
		ok   bool
	}{
		{langGerman, "12.500", 1250000, true},
		{langGerman, "12.500,50", 1250050, true},
		{langGerman, "12500,5", 1250050, true},
		{langGerman, "1.250.000 €", 125000000, true},
		{langEnglish, "12,500", 1250000, true},
		{langEnglish, "12,500.50", 1250050, true},
		{langEnglish, "€99.9", 9990, true},
		{langEnglish, "", 0, true},
		{langEnglish, "twelve", 0, false},
		{langEnglish, "1.234", 123400, true}, // three digits after a dot: thousands
		{langEnglish, "-5", 0, false},
	} {
		got, ok := tc.l.parseMoney(tc.in)
		assert.Equal(t, tc.ok, ok, "%s %q", tc.l, tc.in)
		if tc.ok {
			assert.Equal(t, tc.want, got, "%s %q", tc.l, tc.in)
		}
	}
}

func TestParseDateAndClock(t *testing.T) {
	want := time.Date(2026, 4, 7, 0, 0, 0, 0, time.Local)
	for _, in := range []string{"07.04.2026", "7.4.2026", "2026-04-07"} {
		got, err := langGerman.parseDate(in)
		require.NoError(t, err, in)
		assert.True(t, want.Equal(got), in)
	}
	_, err := langEnglish.parseDate("07.04.2026")
	assert.EqualError(t, err, "Not a date; write it as YYYY-MM-DD.")
	for in, want := range map[string]int{"14:30": 870, "9": 540, "0930": 570, "14.05": 845} {
		got, err := parseClock(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, got, in)
	}
	_, err = parseClock("25:00")
	assert.Error(t, err)
}

func TestFoldAndFilter(t *testing.T) {
	assert.Equal(t, "jurgen muller juergen mueller", foldText("Jürgen Müller"))
	rows := []row{
		{id: "1", title: "Jürgen Müller", fold: foldText("Jürgen Müller", "Köln") + " 01712345678"},
		{id: "2", title: "Åsa Öberg", fold: foldText("Åsa Öberg", "Malmö")},
		{id: "3", title: "Hans Strauß", fold: foldText("Hans Strauß")},
	}
	for q, want := range map[string][]int32{
		"müller": {0}, "mueller": {0}, "MULLER köln": {0}, "0171": {0}, "asa": {1}, "oberg malmo": {1},
		"strauss": {2}, "straus": {2}, "xyz": {},
	} {
		got, err := filterRows(t.Context(), rows, q)
		require.NoError(t, err)
		assert.Equal(t, want, got, q)
	}
}
