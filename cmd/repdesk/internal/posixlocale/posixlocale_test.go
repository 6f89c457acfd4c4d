package posixlocale

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestFix(t *testing.T) {
	tests := []struct {
		name         string
		env          map[string]string
		wantLanguage string
	}{
		{"C.UTF-8", map[string]string{"LANG": "C.UTF-8"}, "en"},
		{"POSIX with encoding", map[string]string{"LC_ALL": "POSIX.utf8"}, "en"},
		{"LC_ALL wins over LANG", map[string]string{"LC_ALL": "C.UTF-8", "LANG": "de_DE.UTF-8"}, "en"},
		{"a real locale is left alone", map[string]string{"LANG": "de_DE.UTF-8"}, ""},
		{"LC_ALL real, LANG C", map[string]string{"LC_ALL": "de_DE.UTF-8", "LANG": "C.UTF-8"}, ""},
		{"plain C is understood already", map[string]string{"LANG": "C"}, ""},
		{"nothing set", map[string]string{}, ""},
		{"LANGUAGE chosen by the user stays", map[string]string{"LANG": "C.UTF-8", "LANGUAGE": "de"}, "de"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := map[string]string{}
			for k, v := range tt.env {
				env[k] = v
			}
			Fix(func(k string) string { return env[k] }, func(k, v string) error { env[k] = v; return nil })
			assert.Equal(t, tt.wantLanguage, env["LANGUAGE"])
		})
	}
}
