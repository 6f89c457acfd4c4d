package ui

import (
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2/lang"

	"repdesk/assets"
)

// Languages the app offers; "" follows the system.
var languages = []string{"", "en", "de"}

var (
	loadTranslationsOnce sync.Once
	loadTranslationsErr  error
	systemLocaleEnv      = map[string]string{}
)

// useLanguage makes lang.L answer in code ("en", "de"; "" for the system's
// language) and returns the locale to format numbers and dates with.
//
// Fyne's lang package picks the language from the system locale, which it
// reads on Linux and the BSDs from LANGUAGE, LC_ALL, LC_MESSAGES and LANG.
// Choosing a language overrides those variables for this process and reloads
// the translations, which makes lang choose again. On Windows and macOS the
// system language always wins; the formatting still follows the choice.
func useLanguage(code string) (locale, error) {
	loadTranslationsOnce.Do(func() {
		for _, k := range []string{"LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"} {
			systemLocaleEnv[k] = os.Getenv(k)
		}
		loadTranslationsErr = lang.AddTranslationsFS(assets.Translations, "translations")
	})
	if loadTranslationsErr != nil {
		return langEnglish, fmt.Errorf("load translations: %w", loadTranslationsErr)
	}
	for k, v := range systemLocaleEnv {
		if code != "" {
			v = map[string]string{"LANGUAGE": code, "LC_ALL": posixLocale(code)}[k]
		}
		if v == "" {
			os.Unsetenv(k)
		} else {
			os.Setenv(k, v)
		}
	}
	// Adding translations again re-reads the locale; the messages are the same.
	if err := lang.AddTranslationsFS(assets.Translations, "translations"); err != nil {
		return langEnglish, fmt.Errorf("load translations: %w", err)
	}
	if code == "" {
		return localeFor(lang.SystemLocale().LanguageString()), nil
	}
	return localeFor(code), nil
}

func posixLocale(code string) string {
	region := map[string]string{"en": "US", "de": "DE"}[code]
	return code + "_" + region + ".UTF-8"
}

// languageName is how a language choice is shown.
func languageName(code string) string {
	switch code {
	case "en":
		return "English"
	case "de":
		return "Deutsch"
	}
	return lang.L("System language")
}

// ago says how long ago t was, in words: "just now", "5 min ago",
// "yesterday", or the date.
func (l locale) ago(t, now time.Time) string {
	d := now.Sub(t)
	switch {
	case t.IsZero():
		return lang.L("never")
	case d < time.Minute:
		return lang.L("just now")
	case d < time.Hour:
		return lang.L("{{.N}} min ago", map[string]any{"N": int(d.Minutes())})
	case sameDay(t, now):
		return lang.L("today at {{.Time}}", map[string]any{"Time": l.clock(t)})
	case sameDay(t, now.AddDate(0, 0, -1)):
		return lang.L("yesterday at {{.Time}}", map[string]any{"Time": l.clock(t)})
	}
	return l.dateTime(t)
}

// day names a day relative to today: "Today", "Tomorrow", "Yesterday", or
// the date.
func (l locale) day(t, now time.Time) string {
	switch {
	case sameDay(t, now):
		return lang.L("Today")
	case sameDay(t, now.AddDate(0, 0, 1)):
		return lang.L("Tomorrow")
	case sameDay(t, now.AddDate(0, 0, -1)):
		return lang.L("Yesterday")
	}
	return l.date(t)
}

func sameDay(a, b time.Time) bool {
	a, b = a.Local(), b.Local()
	return a.Year() == b.Year() && a.YearDay() == b.YearDay()
}

// Known problem texts of localdb's ValidationError, so that they can be
// translated: the store speaks English.
func problemText(p string) string {
	if strings.HasPrefix(p, "must be one of ") {
		return lang.L("must be one of {{.List}}", map[string]any{"List": strings.TrimPrefix(p, "must be one of ")})
	}
	if strings.HasPrefix(p, "no such stage; stages are ") {
		return lang.L("no such stage; stages are {{.List}}", map[string]any{"List": strings.TrimPrefix(p, "no such stage; stages are ")})
	}
	if strings.HasPrefix(p, "no such ") {
		return lang.L("does not exist (any more)")
	}
	return lang.L(p)
}
