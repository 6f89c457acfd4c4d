package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"
	"unicode/utf8"

	"repdesk/localdb"
)

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// table prints aligned columns.
type table struct{ tw *tabwriter.Writer }

func newTable(w io.Writer, header ...string) *table {
	t := &table{tw: tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)}
	t.row(header...)
	return t
}

func (t *table) row(cells ...string) {
	for i, c := range cells {
		cells[i] = clip(strings.ReplaceAll(c, "\t", " "), 40)
	}
	fmt.Fprintln(t.tw, strings.Join(cells, "\t"))
}

func (t *table) flush() error { return t.tw.Flush() }

func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// field prints "Label: value" when value is not empty.
func field(w io.Writer, label, value string) {
	if strings.TrimSpace(value) != "" {
		fmt.Fprintf(w, "%-13s %s\n", label+":", value)
	}
}

// money formats minor units: 1234550 EUR -> "12345.50 EUR".
func money(amount int64, currency string) string {
	sign := ""
	if amount < 0 {
		sign, amount = "-", -amount
	}
	return fmt.Sprintf("%s%d.%02d %s", sign, amount/100, amount%100, currency)
}

func localTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Local().Format("2006-01-02 15:04")
}

// listAll is a list command without filters: it loads every record and
// prints them as JSON with --json, else as a table with header, a row each.
func listAll[T any](c *runCtx, name string, args []string, load func(*localdb.Store, context.Context) ([]T, error),
	header []string, row func(T) []string) error {
	fs := newFlags(name)
	asJSON := fs.Bool("json", false, "print JSON")
	if _, err := parse(fs, args, 0, 0); err != nil {
		return err
	}
	s, err := c.open()
	if err != nil {
		return err
	}
	recs, err := load(s, c.ctx)
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(c.out(), nonNil(recs))
	}
	t := newTable(c.out(), header...)
	for _, r := range recs {
		t.row(row(r)...)
	}
	return t.flush()
}
