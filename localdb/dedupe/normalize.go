package dedupe

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// foldLetters lowercases s and reduces every letter to plain ASCII where a
// German or international spelling has one: Müller, Mueller and Muller all
// become "muller". The umlaut transcriptions ae, oe and ue are folded too
// (the rule applies to both sides of a comparison alike).
func foldLetters(s string) string {
	b := make([]byte, 0, len(s))
	for _, r := range s {
		if r >= utf8.RuneSelf {
			b = foldRune(b, r)
			continue
		}
		c := byte(r)
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c == 'e' && len(b) > 0 && (b[len(b)-1] == 'a' || b[len(b)-1] == 'o' || b[len(b)-1] == 'u') {
			continue // ae, oe, ue: the transcription of ä, ö, ü
		}
		b = append(b, c)
	}
	return string(b)
}

// foldRune appends the folded form of a letter beyond ASCII to b.
func foldRune(b []byte, r rune) []byte {
	if f, ok := latinFolds[r]; ok {
		return append(b, f...)
	}
	if unicode.Is(unicode.Mn, r) {
		return b // a combining mark of decomposed text: ü as u + ¨
	}
	// Another accented letter: its base letters, without marks.
	for _, d := range norm.NFD.String(string(unicode.ToLower(r))) {
		if !unicode.Is(unicode.Mn, d) {
			b = utf8.AppendRune(b, d)
		}
	}
	return b
}

// latinFolds are the letters of German and its neighbours, folded without
// a Unicode decomposition.
var latinFolds = map[rune]string{
	'ä': "a", 'ö': "o", 'ü': "u", 'Ä': "a", 'Ö': "o", 'Ü': "u", 'ß': "ss", 'ẞ': "ss",
	'é': "e", 'è': "e", 'ê': "e", 'ë': "e", 'É': "e", 'á': "a", 'à': "a", 'â': "a", 'å': "a", 'ó': "o", 'ò': "o",
	'ô': "o", 'ø': "o", 'Ø': "o", 'í': "i", 'ì': "i", 'î': "i", 'ï': "i", 'ı': "i", 'ú': "u", 'ù': "u", 'û': "u",
	'ç': "c", 'ñ': "n", 'ş': "s", 'š': "s", 'č': "c", 'ž': "z", 'ł': "l", 'ř': "r", 'ğ': "g", 'æ': "ae",
}

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

// similar reports whether a and b differ in at most the share 1-threshold
// of the longer one's letters, and how similar they are: 1 minus their edit
// distance relative to the longer one. Most pairs of names fail on their
// lengths alone or after a few rows of the distance table.
func similar(a, b []rune, threshold float64) (float64, bool) {
	longer := max(len(a), len(b))
	if longer == 0 {
		return 1, true
	}
	limit := int((1 - threshold) * float64(longer))
	if abs(len(a)-len(b)) > limit {
		return 0, false
	}
	d, ok := levenshteinWithin(a, b, limit)
	if !ok {
		return 0, false
	}
	return 1 - float64(d)/float64(longer), true
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// levenshteinWithin is the edit distance of a and b when it is at most
// limit; it stops as soon as no alignment can stay within it.
func levenshteinWithin(a, b []rune, limit int) (int, bool) {
	var buf [2][64]int
	prev, cur := buf[0][:0], buf[1][:0]
	if len(b)+1 > len(buf[0]) {
		prev, cur = make([]int, 0, len(b)+1), make([]int, 0, len(b)+1)
	}
	prev, cur = prev[:len(b)+1], cur[:len(b)+1]
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		best := cur[0]
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			best = min(best, cur[j])
		}
		if best > limit {
			return 0, false
		}
		prev, cur = cur, prev
	}
	return prev[len(b)], prev[len(b)] <= limit
}
