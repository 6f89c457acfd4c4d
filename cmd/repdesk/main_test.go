package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestNoLocaleNoise runs the real binary under the POSIX locale of Debian
// and container shells: a command's stderr must stay empty (Fyne would log
// that it cannot parse the locale "C").
func TestNoLocaleNoise(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := filepath.Join(t.TempDir(), "repdesk")
	build := exec.Command("go", "build", "-tags", "ci,migrated_fynedo", "-o", bin, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	out, err := build.CombinedOutput()
	require.NoError(t, err, "%s", out)

	for _, lang := range []string{"C.UTF-8", "POSIX.UTF-8", "C", "en_US.UTF-8", "de_DE.UTF-8", ""} {
		t.Run("LANG="+lang, func(t *testing.T) {
			cmd := exec.Command(bin, "--data", t.TempDir(), "version")
			cmd.Env = []string{"HOME=" + t.TempDir(), "LANG=" + lang}
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			require.NoError(t, cmd.Run())
			assert.Contains(t, stdout.String(), "repdesk ")
			assert.Empty(t, stderr.String())
		})
	}
}
