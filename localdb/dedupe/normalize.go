package dedupe

import (
	"slices"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// foldLetters lowercases s and reduces every letter to plain ASCII where a
// German or international spelling has one: Müller, Mueller and Muller all
// become "muller". The umlaut transcriptions ae, oe and ue are folded too, so
// the rule is applied to both sides of a comparison alike.
func foldLetters(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range norm.NFD.String(strings.ToLower(s)) {
		switch {
		case unicode.Is(unicode.Mn, r):
			// Combining mark of a decomposed letter: ü became u + ¨.
		case r == 'ß':
			b.WriteString("ss")
		case r == 'ø':
			b.WriteByte('o')
		case r == 'ł':
			b.WriteByte('l')
		case r == 'ı':
			b.WriteByte('i')
		case r == 'æ':
			b.WriteString("ae")
		default:
			b.WriteRune(r)
		}
	}
	return umlautTranscriptions.Replace(b.String())
}

var umlautTranscriptions = strings.NewReplacer("ae", "a", "oe", "o", "ue", "u")

// tokens splits folded text into its words.
func tokens(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}

// honorifics are words of a name that do not tell people apart.
var honorifics = map[string]bool{"dr": true, "prof": true, "dipl": true, "ing": true, "herr": true, "frau": true,
	"mr": true, "mrs": true, "ms": true, "jr": true, "sr": true, "mag": true, "med": true}

// personKey is a person's name folded, without titles, its words sorted (so
// that "Müller, Hans" and "Hans Mueller" are the same key).
func personKey(name string) string {
	words := slices.DeleteFunc(tokens(foldLetters(strings.ReplaceAll(name, ".", " "))), func(w string) bool {
		return honorifics[w]
	})
	slices.Sort(words)
	return strings.Join(words, " ")
}

// legalForms are the words of a company name that say what kind of company
// it is rather than which one, after folding and with dots removed.
var legalForms = map[string]bool{
	"gmbh": true, "mbh": true, "ag": true, "kg": true, "kgaa": true, "ohg": true, "gbr": true, "ug": true,
	"se": true, "ev": true, "eg": true, "ek": true, "haftungsbeschrankt": true, "co": true, "cokg": true,
	"inc": true, "incorporated": true, "ltd": true, "limited": true, "llc": true, "llp": true, "lp": true,
	"plc": true, "corp": true, "corporation": true, "company": true, "sa": true, "sarl": true, "sas": true,
	"bv": true, "nv": true, "srl": true, "spa": true, "ab": true, "oy": true, "as": true, "pty": true,
}

// companyKey is a company's name folded and without its legal form: "Müller
// GmbH & Co. KG" and "Mueller KG" are both "muller". A name that is nothing
// but legal forms keeps them.
func companyKey(name string) string {
	all := tokens(foldLetters(strings.ReplaceAll(name, ".", "")))
	words := slices.DeleteFunc(slices.Clone(all), func(w string) bool { return legalForms[w] || w == "und" || w == "and" })
	if len(words) == 0 {
		words = all
	}
	return strings.Join(words, " ")
}

// emailKey is the form two spellings of one address share.
func emailKey(addr string) string {
	return strings.ToLower(strings.TrimPrefix(strings.TrimSpace(addr), "mailto:"))
}

// minPhoneDigits is the fewest digits a number without an E.164 form needs
// to be matched on its digits alone.
const minPhoneDigits = 7

// phoneKey is the E.164 form of a phone, or its digits when it has none.
func phoneKey(e164, number string) string {
	if e164 != "" {
		return e164
	}
	var b strings.Builder
	for _, r := range number {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	if b.Len() < minPhoneDigits {
		return ""
	}
	return b.String()
}

// websiteDomain is the host of a website without scheme, "www." and path.
func websiteDomain(site string) string {
	s := strings.ToLower(strings.TrimSpace(site))
	if i := strings.Index(s, "://"); i >= 0 {
		s = s[i+3:]
	}
	if i := strings.IndexAny(s, "/?#:"); i >= 0 {
		s = s[:i]
	}
	s = strings.TrimPrefix(s, "www.")
	if !strings.Contains(s, ".") {
		return ""
	}
	return s
}

// similarity is 1 minus the edit distance of a and b relative to the longer
// one: 1 for equal strings, 0 for nothing in common.
func similarity(a, b string) float64 {
	if a == b {
		return 1
	}
	ra, rb := []rune(a), []rune(b)
	longer := max(len(ra), len(rb))
	if longer == 0 {
		return 1
	}
	return 1 - float64(levenshtein(ra, rb))/float64(longer)
}

func levenshtein(a, b []rune) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
