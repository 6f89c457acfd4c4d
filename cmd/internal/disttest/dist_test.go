// Package disttest checks the packages `make dist` writes, as an admin and a
// rep would use them: it unpacks them, installs the Linux one, runs the
// binaries, reads the Windows executable's PE headers and signs it.
//
// It runs only from `make test-dist` (part of `make test`), which builds the
// packages into REPDESK_DIST_DIR first; plain `go test ./...` skips it.
package disttest

import (
	"archive/zip"
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"debug/elf"
	"debug/pe"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"image/png"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// build is what the Makefile says it stamped into this dist.
type build struct {
	dir, version, commit, date string
	provision                  string // the provisioning file embedded with PROVISION=
	statusBefore               string // `git status --porcelain` before make dist, if recorded
	repo                       string // the checkout
}

func distBuild(t *testing.T) build {
	t.Helper()
	b := build{
		dir:       os.Getenv("REPDESK_DIST_DIR"),
		version:   os.Getenv("REPDESK_DIST_VERSION"),
		commit:    os.Getenv("REPDESK_DIST_COMMIT"),
		date:      os.Getenv("REPDESK_DIST_BUILDDATE"),
		provision: os.Getenv("REPDESK_DIST_PROVISION"),
	}
	if b.dir == "" {
		t.Skip("REPDESK_DIST_DIR is not set: run make test-dist")
	}
	if before, err := os.ReadFile(filepath.Join(b.dir, "git-status-before")); err == nil {
		b.statusBefore = string(before)
	}
	require.NotEmpty(t, b.version, "REPDESK_DIST_VERSION")
	require.NotEmpty(t, b.commit, "REPDESK_DIST_COMMIT")
	require.NotEmpty(t, b.date, "REPDESK_DIST_BUILDDATE")
	repo, err := filepath.Abs("../../..")
	require.NoError(t, err)
	b.repo = repo
	return b
}

func (b build) path(name string) string {
	return filepath.Join(b.dir, strings.ReplaceAll(name, "VERSION", b.version))
}

// run runs a command in dir and returns its standard output.
func run(t *testing.T, dir string, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	require.NoError(t, err, "%s %s:\n%s%s", name, strings.Join(args, " "), out, stderr.Bytes())
	return string(out)
}

func TestLinuxArchiveInstallsAndRuns(t *testing.T) {
	b := distBuild(t)
	unpacked := t.TempDir()
	run(t, unpacked, "tar", "-xJf", b.path("repdesk-VERSION-linux-amd64.tar.xz"))

	// What fyne package puts in: the app under repdesk/, with its Makefile.
	var files []string
	require.NoError(t, filepath.WalkDir(unpacked, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(unpacked, p)
			files = append(files, rel)
		}
		return err
	}))
	pkg := filepath.Join(unpacked, "repdesk")
	require.FileExists(t, filepath.Join(pkg, "Makefile"), "files: %v", files)

	// An admin installs it the documented way.
	root := t.TempDir()
	run(t, pkg, "make", "install", "DESTDIR="+root, "PREFIX=/usr")
	bin := filepath.Join(root, "usr/bin/repdesk")
	fi, err := os.Stat(bin)
	require.NoError(t, err, "installed files: %v", files)
	assert.Equal(t, os.FileMode(0o755), fi.Mode().Perm(), "the binary is executable")

	desktop, err := os.ReadFile(filepath.Join(root, "usr/share/applications/com.repdesk.app.desktop"))
	require.NoError(t, err)
	entry := desktopEntry(string(desktop))
	assert.Equal(t, map[string]string{
		"Type":           "Application",
		"Name":           "RepDesk",
		"GenericName":    "Sales workstation",
		"Exec":           "repdesk",
		"Icon":           "com.repdesk.app",
		"Comment":        "Offline-first workstation for sales reps: contacts, deals, calls, visits",
		"Categories":     "Office;Network;",
		"Keywords":       "crm;sales;contacts;vcard;deals;",
		"StartupWMClass": "RepDesk",
	}, entry)

	icon, err := os.ReadFile(filepath.Join(root, "usr/share/pixmaps/com.repdesk.app.png"))
	require.NoError(t, err)
	want, err := os.ReadFile(filepath.Join(b.repo, "assets/icon.png"))
	require.NoError(t, err)
	assert.Equal(t, want, icon, "the app icon")
	_, err = png.Decode(bytes.NewReader(icon))
	require.NoError(t, err)

	// The installed binary says which build it is.
	data := t.TempDir()
	var v map[string]string
	require.NoError(t, json.Unmarshal([]byte(run(t, data, bin, "--data", data, "version", "--json")), &v))
	assert.Equal(t, map[string]string{"version": b.version, "commit": b.commit, "build_date": b.date}, v)
	assert.Equal(t, fmt.Sprintf("repdesk %s (commit %s, built %s)\n", b.version, b.commit, b.date),
		run(t, data, bin, "--data", data, "version"))

	if b.provision != "" {
		// The admin's provisioning.json travels inside the binary.
		var want, got map[string]any
		raw, err := os.ReadFile(b.provision)
		require.NoError(t, err)
		require.NoError(t, json.Unmarshal(raw, &want))
		require.NoError(t, json.Unmarshal([]byte(run(t, data, bin, "--data", data, "provision", "--json")), &got))
		assert.Equal(t, true, got["provisioned"])
		assert.Equal(t, "embedded", got["source"])
		assert.Equal(t, want["organization"], got["organization"])
		// The app keeps the hub's URL without a trailing slash.
		assert.Equal(t, strings.TrimSuffix(want["server"].(string), "/"), got["server"])
	}
}

// desktopEntry reads the [Desktop Entry] group of a .desktop file.
func desktopEntry(s string) map[string]string {
	m := map[string]string{}
	group := ""
	sc := bufio.NewScanner(strings.NewReader(s))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "" || strings.HasPrefix(line, "#"):
		case strings.HasPrefix(line, "["):
			group = line
		case group == "[Desktop Entry]":
			k, v, _ := strings.Cut(line, "=")
			m[k] = v
		}
	}
	return m
}

func TestWindowsZipHoldsAGUIExecutableWithIcon(t *testing.T) {
	b := distBuild(t)
	exe := unzipExe(t, b)

	f, err := pe.NewFile(bytes.NewReader(exe))
	require.NoError(t, err)
	defer f.Close()
	assert.Equal(t, uint16(pe.IMAGE_FILE_MACHINE_AMD64), f.Machine)
	oh, ok := f.OptionalHeader.(*pe.OptionalHeader64)
	require.True(t, ok, "PE32+ (64-bit optional header), got %T", f.OptionalHeader)
	assert.Equal(t, uint16(0x20b), oh.Magic, "PE32+ magic")
	assert.Equal(t, uint16(pe.IMAGE_SUBSYSTEM_WINDOWS_GUI), oh.Subsystem, "GUI subsystem: no console window")

	types := resourceTypes(t, f, oh)
	assert.Contains(t, types, uint32(14), "RT_GROUP_ICON: Explorer shows the app icon")
	assert.Contains(t, types, uint32(3), "RT_ICON")
	assert.Contains(t, types, uint32(16), "RT_VERSION: file properties name RepDesk")
	assert.Contains(t, types, uint32(24), "RT_MANIFEST")

	// The version stamp went into the binary that has the icon (fyne package
	// builds twice; the Makefile makes sure the second build is stamped).
	assert.True(t, bytes.Contains(exe, []byte(b.date)), "build date %s stamped", b.date)
	assert.True(t, bytes.Contains(exe, []byte(b.commit)), "commit %s stamped", b.commit)
	if b.provision != "" {
		raw, err := os.ReadFile(b.provision)
		require.NoError(t, err)
		assert.True(t, bytes.Contains(exe, []byte(base64.StdEncoding.EncodeToString(raw))), "provisioning embedded")
	}
}

func unzipExe(t *testing.T, b build) []byte {
	t.Helper()
	z, err := zip.OpenReader(b.path("repdesk-VERSION-windows-amd64.zip"))
	require.NoError(t, err)
	defer z.Close()
	var names []string
	var exe []byte
	for _, zf := range z.File {
		names = append(names, zf.Name)
		if zf.Name == "repdesk.exe" {
			r, err := zf.Open()
			require.NoError(t, err)
			exe, err = io.ReadAll(r)
			require.NoError(t, err)
			r.Close()
		}
	}
	assert.ElementsMatch(t, []string{"repdesk.exe", "LICENSE.txt"}, names)
	require.NotEmpty(t, exe, "repdesk.exe in the zip")
	return exe
}

// resourceTypes lists the type IDs at the root of the resource directory.
func resourceTypes(t *testing.T, f *pe.File, oh *pe.OptionalHeader64) []uint32 {
	t.Helper()
	dir := oh.DataDirectory[pe.IMAGE_DIRECTORY_ENTRY_RESOURCE]
	require.NotZero(t, dir.VirtualAddress, "the executable has resources")
	var rsrc []byte
	for _, s := range f.Sections {
		if dir.VirtualAddress >= s.VirtualAddress && dir.VirtualAddress < s.VirtualAddress+s.VirtualSize {
			data, err := s.Data()
			require.NoError(t, err)
			rsrc = data[dir.VirtualAddress-s.VirtualAddress:]
		}
	}
	require.GreaterOrEqual(t, len(rsrc), 16, "resource directory in a section")
	// IMAGE_RESOURCE_DIRECTORY: 12 bytes, then the counts of named and ID
	// entries; each entry is 8 bytes, the named ones first.
	named := int(binary.LittleEndian.Uint16(rsrc[12:]))
	ids := int(binary.LittleEndian.Uint16(rsrc[14:]))
	require.GreaterOrEqual(t, len(rsrc), 16+8*(named+ids))
	var types []uint32
	for i := named; i < named+ids; i++ {
		types = append(types, binary.LittleEndian.Uint32(rsrc[16+8*i:]))
	}
	return types
}

func TestWindowsExecutableSignsAndVerifies(t *testing.T) {
	b := distBuild(t)
	for _, tool := range []string{"openssl", "osslsigncode"} {
		_, err := exec.LookPath(tool)
		require.NoError(t, err, "%s is installed by make test-dist", tool)
	}
	work := t.TempDir()
	unsigned := filepath.Join(work, "unsigned.exe")
	require.NoError(t, os.WriteFile(unsigned, unzipExe(t, b), 0o644))

	// A throw-away code-signing certificate.
	cert, key := filepath.Join(work, "cert.pem"), filepath.Join(work, "key.pem")
	run(t, work, "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
		"-subj", "/CN=RepDesk Test Signing/O=RepDesk", "-addext", "extendedKeyUsage=codeSigning",
		"-keyout", key, "-out", cert)

	verify := func(exe string) (string, error) {
		out, err := exec.Command("osslsigncode", "verify", "-CAfile", cert, "-in", exe).CombinedOutput()
		return string(out), err
	}
	out, err := verify(unsigned)
	require.Error(t, err, "an unsigned executable does not verify:\n%s", out)

	// The Makefile's signing step, as make dist runs it with SIGN_CERT/SIGN_KEY.
	signed := filepath.Join(work, "repdesk.exe")
	run(t, b.repo, "make", "--no-print-directory", "dist-sign-exe",
		"SIGN_IN="+unsigned, "SIGN_OUT="+signed, "SIGN_CERT="+cert, "SIGN_KEY="+key)
	out, err = verify(signed)
	require.NoError(t, err, "osslsigncode verify:\n%s", out)
	assert.Contains(t, out, "Signature verification: ok")
	assert.Contains(t, out, "RepDesk Test Signing")

	f, err := pe.Open(signed)
	require.NoError(t, err)
	defer f.Close()
	oh := f.OptionalHeader.(*pe.OptionalHeader64)
	assert.Equal(t, uint16(pe.IMAGE_SUBSYSTEM_WINDOWS_GUI), oh.Subsystem, "still a GUI executable")
	assert.NotZero(t, oh.DataDirectory[pe.IMAGE_DIRECTORY_ENTRY_SECURITY].Size, "Authenticode signature table")
}

func TestHubIsStaticAndServes(t *testing.T) {
	b := distBuild(t)
	hub := b.path("repdesk-hub-VERSION-linux-amd64")
	f, err := elf.Open(hub)
	require.NoError(t, err)
	for _, p := range f.Progs {
		assert.NotEqual(t, elf.PT_INTERP, p.Type, "no dynamic loader: runs on any Linux")
	}
	libs, err := f.ImportedLibraries()
	require.NoError(t, err)
	assert.Empty(t, libs, "no shared libraries")
	f.Close()

	// The tarball carries the binary and its deployment files.
	unpacked := t.TempDir()
	run(t, unpacked, "tar", "-xJf", b.path("repdesk-hub-VERSION-linux-amd64.tar.xz"))
	dir := filepath.Join(unpacked, "repdesk-hub-"+b.version)
	for _, name := range []string{"repdesk-hub", "repdesk-hub.service", "Containerfile", "README.md", "LICENSE"} {
		assert.FileExists(t, filepath.Join(dir, name))
	}
	unit, err := os.ReadFile(filepath.Join(dir, "repdesk-hub.service"))
	require.NoError(t, err)
	for _, line := range []string{"DynamicUser=yes", "StateDirectory=repdesk-hub", "ProtectSystem=strict",
		"NoNewPrivileges=yes", "Restart=on-failure", "ExecStart=/usr/local/bin/repdesk-hub serve"} {
		assert.Contains(t, string(unit), line)
	}

	// It carries the same stamp as the app, so an admin can tell builds apart.
	var v map[string]string
	require.NoError(t, json.Unmarshal([]byte(run(t, dir, filepath.Join(dir, "repdesk-hub"), "version", "--json")), &v))
	assert.Equal(t, map[string]string{"version": b.version, "commit": b.commit, "build_date": b.date}, v)

	// It serves: start it on a free port and ask /healthz.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(dir, "repdesk-hub"), "serve",
		"--db", filepath.Join(t.TempDir(), "hub.db"), "--addr", "127.0.0.1:0")
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	stderr, err := cmd.StderrPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	defer cmd.Wait()
	var url string
	sc := bufio.NewScanner(stderr)
	for url == "" && sc.Scan() {
		var line struct{ Msg, URL string }
		if json.Unmarshal(sc.Bytes(), &line) == nil && line.Msg == "hub listening" {
			url = line.URL
		}
	}
	require.NotEmpty(t, url, "the hub says where it listens")
	go io.Copy(io.Discard, stderr)
	resp, err := http.Get(url + "/healthz")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	cancel()
}

func TestChecksumsMatch(t *testing.T) {
	b := distBuild(t)
	sums, err := os.ReadFile(b.path("SHA256SUMS"))
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSpace(string(sums)), "\n")
	require.Len(t, lines, 4)
	for _, line := range lines {
		sum, name, ok := strings.Cut(line, "  ")
		require.True(t, ok, line)
		data, err := os.ReadFile(b.path(name))
		require.NoError(t, err)
		got := sha256.Sum256(data)
		assert.Equal(t, sum, hex.EncodeToString(got[:]), name)
	}
}

// Packaging works on a copy: the checkout is as it was (fyne package bumps
// Build in FyneApp.toml and drops .syso, .exe, metadata and archive files).
func TestPackagingLeavesTheTreeAlone(t *testing.T) {
	b := distBuild(t)
	status := run(t, b.repo, "git", "status", "--porcelain", "--untracked-files=all")
	for _, line := range strings.Split(status, "\n") {
		for _, dropped := range []string{"FyneApp.toml", ".syso", "fyne_metadata_init.go", ".exe", "RepDesk.tar.xz", "FyneApp.ico"} {
			assert.NotContains(t, line, dropped, "make dist changed the checkout")
		}
	}
	if os.Getenv("CI") != "" && b.statusBefore != "" {
		// A clean clone: nothing at all changed (on a developer's machine
		// other edits may happen meanwhile).
		assert.Equal(t, b.statusBefore, status)
	}
}
