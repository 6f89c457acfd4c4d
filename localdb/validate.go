package localdb

import (
	"fmt"
	"net/mail"
	"slices"
	"strings"
	"time"
)

// ValidationError names the field, the offending value and what is wrong,
// e.g. `email "max@": missing domain`.
type ValidationError struct {
	Field   string
	Value   string
	Problem string
	// TakenBy names the record that has Value already, when the field must
	// be unique (a product's SKU), so that a screen can say it in the
	// rep's language.
	TakenBy string
}

func (e *ValidationError) Error() string {
	return fmt.Sprintf("%s %q: %s", e.Field, e.Value, e.Problem)
}

func invalid(field, value, problem string) error {
	return &ValidationError{Field: field, Value: value, Problem: problem}
}

// ValidateEmail checks one e-mail address.
func ValidateEmail(addr string) error {
	local, domain, found := strings.Cut(addr, "@")
	switch {
	case addr == "":
		return invalid("email", addr, "empty")
	case strings.ContainsAny(addr, " \t\r\n"):
		return invalid("email", addr, "contains white space")
	case !found:
		return invalid("email", addr, "missing @")
	case local == "":
		return invalid("email", addr, "missing the part before @")
	case domain == "":
		return invalid("email", addr, "missing domain")
	case strings.Contains(domain, "@"):
		return invalid("email", addr, "more than one @")
	case !strings.Contains(strings.Trim(domain, "."), "."):
		return invalid("email", addr, "domain has no dot")
	case strings.Contains(domain, ".."), strings.HasPrefix(domain, "."), strings.HasSuffix(domain, "."):
		return invalid("email", addr, "malformed domain")
	}
	if _, err := mail.ParseAddress(addr); err != nil {
		return invalid("email", addr, "not a valid address")
	}
	return nil
}

func oneOf(field, value string, allowed []string) error {
	if slices.Contains(allowed, value) {
		return nil
	}
	return invalid(field, value, "must be one of "+strings.Join(allowed, ", "))
}

// ValidateDate checks a YYYY-MM-DD date.
func ValidateDate(field, value string) error {
	if value == "" {
		return nil
	}
	if _, err := time.Parse(time.DateOnly, value); err != nil {
		return invalid(field, value, "not a date (YYYY-MM-DD)")
	}
	return nil
}

// ValidateBirthday accepts YYYY-MM-DD, or --MM-DD when the year is unknown.
func ValidateBirthday(value string) error {
	if value == "" {
		return nil
	}
	if rest, ok := strings.CutPrefix(value, "--"); ok {
		if _, err := time.Parse("2006-01-02", "2000-"+rest); err != nil || len(rest) != 5 {
			return invalid("birthday", value, "not a date (YYYY-MM-DD or --MM-DD)")
		}
		return nil
	}
	if _, err := time.Parse(time.DateOnly, value); err != nil {
		return invalid("birthday", value, "not a date (YYYY-MM-DD or --MM-DD)")
	}
	return nil
}

// tidyTags trims tags and drops empty and repeated ones (case-insensitive),
// keeping the first spelling.
func tidyTags(tags []string) []string {
	out := tags[:0:0]
	seen := map[string]bool{}
	for _, t := range tags {
		t = strings.TrimSpace(t)
		k := strings.ToLower(t)
		if t == "" || seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, t)
	}
	return out
}
