package localdb

import (
	"slices"
	"strings"
	"unicode"

	"github.com/nyaruka/phonenumbers"
)

// NormalizePhone returns the E.164 form of number, read in region when it has
// no country code. It returns "" when the number cannot be understood as a
// possible phone number; the number as entered is kept either way.
func NormalizePhone(number, region string) string {
	n, err := phonenumbers.Parse(number, region)
	if err != nil || !phonenumbers.IsPossibleNumber(n) {
		return ""
	}
	return phonenumbers.Format(n, phonenumbers.E164)
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
		if n, err := phonenumbers.Parse(p.E164, region); err == nil {
			add(phonenumbers.Format(n, phonenumbers.NATIONAL))
			add(phonenumbers.GetNationalSignificantNumber(n))
		}
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
