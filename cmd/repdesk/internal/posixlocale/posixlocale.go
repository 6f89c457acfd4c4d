// Package posixlocale keeps Fyne from complaining about the POSIX locale.
//
// Fyne's lang package reads the locale in its init and logs an error for
// "C.UTF-8" (the default of many Debian and container shells), which would
// put three lines of noise on the stderr of every command. Under such a
// locale this package sets LANGUAGE=en, which Fyne's locale lookup then uses,
// as gettext does.
//
// It must initialise before fyne.io/fyne/v2/lang. Go initialises packages in
// import-path order among those whose imports are done (Go 1.21+); this one
// imports only os, while lang imports text/template, whose path sorts after
// repdesk/..., so this one always comes first. TestNoLocaleNoise checks it.
package posixlocale

import (
	"os"
	"strings"
)

func init() { Fix(os.Getenv, os.Setenv) }

// Fix sets LANGUAGE=en when the locale in effect (LC_ALL, LC_MESSAGES, then
// LANG) is C or POSIX with an encoding, and LANGUAGE is unset; it reports
// whether it did.
func Fix(getenv func(string) string, setenv func(string, string) error) bool {
	var loc string
	for _, k := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if loc = getenv(k); loc != "" {
			break
		}
	}
	lang, _, hasEncoding := strings.Cut(loc, ".")
	if !hasEncoding || (lang != "C" && lang != "POSIX") || getenv("LANGUAGE") != "" {
		return false
	}
	return setenv("LANGUAGE", "en") == nil
}
