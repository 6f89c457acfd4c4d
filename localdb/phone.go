package localdb

import (
	"slices"
	"strings"
	"sync"
	"unicode"

	"github.com/nyaruka/phonenumbers"
)

// NormalizePhone returns the E.164 form of number, read in region when it has
// no country code. It returns "" when the number cannot be understood as a
// possible phone number; the number as entered is kept either way.
func NormalizePhone(number, region string) string {
	return parsePhone(number, region).e164
}

// phoneForms are the forms of one phone number that the store needs: E.164
// for matching, the national form and the national significant number for
// search. Empty when the number is not a possible phone number.
type phoneForms struct{ e164, national, nsn string }

// parsePhone parses number once and derives every form from that parse:
// on the fast path (phonefast.go) for the numbers people usually type,
// with phonenumbers for the rest. phonenumbers.Parse is regular-expression
// heavy (tens of microseconds), and a contact's phone is needed in several
// places of one write (normalizing, then the search row, which parses the
// E.164 form again), and an importer computes the E.164 form before that to
// match cards; the recent slow parses are therefore remembered, under the
// number as given and under its E.164 form. The fast path (under a
// microsecond) is not: caching its results held 6 MB of a 100,000-card
// import's heap for no gain.
func parsePhone(number, region string) phoneForms {
	if f, ok := fastPhoneForms(number, region); ok {
		return f
	}
	key := region + "\x00" + number
	if f, ok := phoneCache.get(key); ok {
		return f
	}
	f := phonenumbersForms(number, region)
	if f.e164 != "" {
		phoneCache.put(region+"\x00"+f.e164, f)
	}
	phoneCache.put(key, f)
	return f
}

// phonenumbersForms derives the forms with phonenumbers; the fast path
// must agree with it (phonefast_test.go).
func phonenumbersForms(number, region string) phoneForms {
	var f phoneForms
	n, err := phonenumbers.Parse(number, region)
	if err == nil && phonenumbers.IsPossibleNumber(n) {
		f.e164 = phonenumbers.Format(n, phonenumbers.E164)
		// The search forms are those of the number without its extension,
		// which the E.164 form leaves out too.
		n.Extension = nil
		f.national = phonenumbers.Format(n, phonenumbers.NATIONAL)
		f.nsn = phonenumbers.GetNationalSignificantNumber(n)
	}
	return f
}

// phoneCacheGeneration bounds the cache: it keeps the current and the
// previous generation of at most this many entries each, enough for the
// slow numbers of an import batch of thousands of cards whose phones are
// parsed for matching and then again when written.
const phoneCacheGeneration = 4096

type formsCache struct {
	mu        sync.Mutex
	cur, prev map[string]phoneForms
}

var phoneCache = &formsCache{cur: map[string]phoneForms{}}

func (c *formsCache) get(key string) (phoneForms, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if f, ok := c.cur[key]; ok {
		return f, true
	}
	f, ok := c.prev[key]
	if ok {
		c.putLocked(key, f)
	}
	return f, ok
}

func (c *formsCache) put(key string, f phoneForms) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.putLocked(key, f)
}

func (c *formsCache) putLocked(key string, f phoneForms) {
	if len(c.cur) >= phoneCacheGeneration {
		c.prev, c.cur = c.cur, make(map[string]phoneForms, phoneCacheGeneration)
	}
	c.cur[key] = f
}

// checkPhone rejects input that is not a phone number at all.
func checkPhone(number string) error {
	digits := 0
	for _, r := range number {
		switch {
		case unicode.IsDigit(r):
			digits++
		case unicode.IsLetter(r):
			// "ext" and "x" mark an extension; other letters are a mistake.
			if !strings.ContainsRune("extEXT", r) {
				return invalid("phone", number, "contains letters")
			}
		}
	}
	if digits < 3 {
		return invalid("phone", number, "too few digits for a phone number")
	}
	return nil
}

// phoneSearchTokens are the digit strings a phone is found by: its E.164
// digits, the national form with trunk prefix, and the digits as entered.
func phoneSearchTokens(p Phone, region string) []string {
	var out []string
	add := func(s string) {
		d := digitsOnly(s)
		if d != "" && !slices.Contains(out, d) {
			out = append(out, d)
		}
	}
	add(p.E164)
	if p.E164 != "" {
		f := parsePhone(p.E164, region)
		add(f.national)
		add(f.nsn)
	}
	add(p.Number)
	return out
}

func digitsOnly(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}
