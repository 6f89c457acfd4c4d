package ui

import (
	"strconv"
	"strings"
	"time"
)

// locale formats numbers, money and dates the way a language writes them.
// RepDesk speaks English and German; every other language formats as English.
type locale string

const (
	langEnglish locale = "en"
	langGerman  locale = "de"
)

func localeFor(lang string) locale {
	if strings.HasPrefix(strings.ToLower(lang), "de") {
		return langGerman
	}
	return langEnglish
}

func (l locale) separators() (thousands, decimal string) {
	if l == langGerman {
		return ".", ","
	}
	return ",", "."
}

// number writes an integer with thousands separators: 12,345 or 12.345.
func (l locale) number(n int64) string {
	th, _ := l.separators()
	neg := n < 0
	if neg {
		n = -n
	}
	s := strconv.FormatInt(n, 10)
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteString(th)
		}
		b.WriteRune(r)
	}
	return b.String()
}

// amountInput writes minor units for an amount field: "12,500" or
// "12.500,50".
func (l locale) amountInput(cents int64) string {
	_, dec := l.separators()
	s := l.number(cents / 100)
	if frac := cents % 100; frac != 0 {
		s += dec + strconv.FormatInt(100+frac, 10)[1:]
	}
	return s
}

var currencySymbols = map[string]string{"EUR": "€", "USD": "$", "GBP": "£", "JPY": "¥"}

// money writes an amount in minor units (cents): €12,500 and 12.500 € for
// whole amounts, €12,500.50 and 12.500,50 € otherwise.
func (l locale) money(cents int64, currency string) string {
	neg := cents < 0
	if neg {
		cents = -cents
	}
	s := l.amountInput(cents)
	sign := ""
	if neg {
		sign = "-"
	}
	sym, ok := currencySymbols[currency]
	if !ok {
		sym = currency
	}
	if l == langGerman {
		return sign + s + "\u00a0" + sym
	}
	if ok {
		return sign + sym + s
	}
	return sign + sym + "\u00a0" + s
}

// moneyParts writes a sum per currency, e.g. "€1,000 + $200".
func (l locale) moneyParts(sums map[string]int64, order []string) string {
	var parts []string
	for _, c := range order {
		if v, ok := sums[c]; ok {
			parts = append(parts, l.money(v, c))
		}
	}
	if len(parts) == 0 {
		return l.money(0, firstOr(order, "EUR"))
	}
	return strings.Join(parts, " + ")
}

func firstOr(xs []string, def string) string {
	if len(xs) > 0 {
		return xs[0]
	}
	return def
}

// parseMoney reads what a rep typed as an amount ("12.500,50", "12,500.50",
// "12500") into minor units. It accepts both separators in both languages:
// the last one is the decimal mark when one or two digits follow it, and a
// thousands separator otherwise.
func (l locale) parseMoney(s string) (int64, bool) {
	s = strings.TrimSpace(s)
	for _, sym := range []string{"€", "$", "£", "¥", "\u00a0", " "} {
		s = strings.ReplaceAll(s, sym, "")
	}
	if s == "" {
		return 0, true
	}
	whole, frac := s, ""
	if i := strings.LastIndexAny(s, ".,"); i >= 0 && len(s)-i-1 <= 2 {
		whole, frac = s[:i], s[i+1:]
	}
	whole = strings.NewReplacer(".", "", ",", "").Replace(whole)
	if whole == "" {
		whole = "0"
	}
	w, err := strconv.ParseInt(whole, 10, 64)
	if err != nil || w < 0 {
		return 0, false
	}
	var f int64
	switch len(frac) {
	case 0:
	case 1:
		f, err = strconv.ParseInt(frac, 10, 64)
		f *= 10
	case 2:
		f, err = strconv.ParseInt(frac, 10, 64)
	default:
		return 0, false
	}
	if err != nil || f < 0 {
		return 0, false
	}
	return w*100 + f, true
}

var monthsEN = [...]string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}

// date writes a day: "Mar 5, 2026" or "05.03.2026".
func (l locale) date(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	if l == langGerman {
		return t.Format("02.01.2006")
	}
	return monthsEN[t.Month()-1] + " " + strconv.Itoa(t.Day()) + ", " + strconv.Itoa(t.Year())
}

// shortDate writes a day without the year: "Mar 5" or "05.03.".
func (l locale) shortDate(t time.Time) string {
	if l == langGerman {
		return t.Format("02.01.")
	}
	return monthsEN[t.Month()-1] + " " + strconv.Itoa(t.Day())
}

// clock writes a time of day: "2:30 PM" or "14:30".
func (l locale) clock(t time.Time) string {
	if l == langGerman {
		return t.Format("15:04")
	}
	return t.Format("3:04 PM")
}

func (l locale) dateTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return l.date(t) + ", " + l.clock(t)
}

// isoDate writes a stored YYYY-MM-DD date for the language, or the text as
// stored when it is not such a date.
func (l locale) isoDate(s string) string {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return s
	}
	return l.date(t)
}

// percent writes a probability: "25 %".
func (l locale) percent(p int64) string { return strconv.FormatInt(p, 10) + "\u00a0%" }
