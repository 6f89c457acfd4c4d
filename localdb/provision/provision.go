// Package provision reads the provisioning file an administrator hands out
// with RepDesk (provisioning.json): the hub's address, the organization, the
// default phone region and currency, the pipeline, the sync interval, the
// settings a rep may not change, and a CA certificate to trust for a
// self-hosted hub. It is found embedded in the binary (make dist
// PROVISION=FILE), beside the executable, or in the system-wide folder, in
// that order, and applied to the local store at every start.
package provision

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/nyaruka/phonenumbers"
	"golang.org/x/text/currency"

	"repdesk/localdb"
)

// Embedded is the provisioning JSON, base64 (standard encoding), set at
// build time: -ldflags "-X 'repdesk/localdb/provision.Embedded=...'".
var Embedded string

// FileName is the provisioning file's name beside the executable and in the
// system-wide folder.
const FileName = "provisioning.json"

// SourceEmbedded is the Source of a provisioning embedded in the binary.
const SourceEmbedded = "embedded"

// Names of the settings a provisioning can lock.
const (
	LockServer       = "server"
	LockRegion       = "region"
	LockCurrency     = "currency"
	LockSyncInterval = "sync_interval"
	LockStages       = "stages"
)

var lockable = []string{LockServer, LockRegion, LockCurrency, LockSyncInterval, LockStages}

// Store settings the provisioning writes (besides the region, which is
// localdb.SettingRegion).
const (
	SettingCurrency     = "currency"
	SettingSyncInterval = "sync_interval"
	SettingOrganization = "organization"
)

// ErrNotProvisioned is returned by Find when no provisioning exists.
var ErrNotProvisioned = errors.New("no provisioning")

// ErrLocked is returned when a rep tries to change a locked setting.
var ErrLocked = errors.New("set by your administrator")

// Stage is one pipeline stage.
type Stage struct {
	Name        string `json:"name"`
	Probability int64  `json:"probability"`
	// Closed is "won" or "lost" for the stages that end a deal.
	Closed string `json:"closed,omitempty"`
}

// Provisioning is the content of provisioning.json. Every field is
// optional; what is absent stays the rep's choice.
type Provisioning struct {
	Server       string   `json:"server,omitempty"`
	Organization string   `json:"organization,omitempty"`
	Region       string   `json:"region,omitempty"`
	Currency     string   `json:"currency,omitempty"`
	Stages       []Stage  `json:"stages,omitempty"`
	SyncInterval Duration `json:"sync_interval,omitzero"`
	Locked       []string `json:"locked,omitempty"`
	CACert       string   `json:"ca_cert,omitempty"`

	// Source is where it was read: "embedded" or the file's path.
	Source string `json:"-"`
}

// Duration is a time.Duration written as in Go ("15m", "1h"); "0" or
// "manual" means syncing only when the rep asks.
type Duration struct {
	time.Duration
	Set bool // given in the file (a zero duration is a choice too)
}

// IsZero reports whether the duration was not given.
func (d Duration) IsZero() bool { return !d.Set }

// MarshalJSON writes the duration as text.
func (d Duration) MarshalJSON() ([]byte, error) {
	if d.Duration == 0 {
		return json.Marshal("manual")
	}
	return json.Marshal(d.Duration.String())
}

// UnmarshalJSON reads "15m", "1h30m", "manual" or "0".
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return errors.New(`sync_interval: want a duration such as "15m" or "manual"`)
	}
	d.Set = true
	if s == "manual" || s == "0" {
		d.Duration = 0
		return nil
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf(`sync_interval: %q is not a duration such as "15m" or "manual"`, s)
	}
	if v < time.Minute || v > 24*time.Hour {
		return fmt.Errorf("sync_interval: %s: want between 1m and 24h, or manual", s)
	}
	d.Duration = v
	return nil
}

// Locks reports whether the administrator locked setting name.
func (p *Provisioning) Locks(name string) bool {
	return p != nil && slices.Contains(p.Locked, name)
}

// CheckChange refuses a change of a locked setting with ErrLocked.
func (p *Provisioning) CheckChange(name string) error {
	if p.Locks(name) {
		return fmt.Errorf("%s is %w (%s)", name, ErrLocked, p.Source)
	}
	return nil
}

// CertPool is the system's roots plus the provisioned CA certificate; nil
// when none is provisioned.
func (p *Provisioning) CertPool() (*x509.CertPool, error) {
	if p == nil || p.CACert == "" {
		return nil, nil
	}
	certs, err := p.CACertificates()
	if err != nil {
		return nil, err
	}
	pool, err := x509.SystemCertPool()
	if err != nil {
		pool = x509.NewCertPool()
	}
	for _, c := range certs {
		pool.AddCert(c)
	}
	return pool, nil
}

// CACertificates are the provisioned CA certificates (none without
// ca_cert).
func (p *Provisioning) CACertificates() ([]*x509.Certificate, error) {
	if p == nil || p.CACert == "" {
		return nil, nil
	}
	return parseCerts(p.CACert)
}

// LocalStages is the pipeline as the store keeps it.
func (p *Provisioning) LocalStages() []localdb.Stage {
	out := make([]localdb.Stage, len(p.Stages))
	for i, st := range p.Stages {
		out[i] = localdb.Stage{Name: st.Name, Position: i + 1, Probability: st.Probability, Closed: st.Closed}
	}
	return out
}

// Sources is where Find looks: the embedded text first, then each path.
type Sources struct {
	Embedded string
	Paths    []string
}

// DefaultSources is the embedded provisioning, a provisioning.json beside
// the executable, and the system-wide one (/etc/repdesk on Linux and macOS,
// %ProgramData%\RepDesk on Windows).
func DefaultSources() Sources {
	src := Sources{Embedded: Embedded}
	if exe, err := os.Executable(); err == nil {
		if real, err := filepath.EvalSymlinks(exe); err == nil {
			exe = real
		}
		src.Paths = append(src.Paths, filepath.Join(filepath.Dir(exe), FileName))
	}
	if runtime.GOOS == "windows" {
		pd := os.Getenv("ProgramData")
		if pd == "" {
			pd = `C:\ProgramData`
		}
		src.Paths = append(src.Paths, filepath.Join(pd, "RepDesk", FileName))
	} else {
		src.Paths = append(src.Paths, filepath.Join("/etc/repdesk", FileName))
	}
	return src
}

// Find returns the first provisioning of src: ErrNotProvisioned when there
// is none, or an error naming the source and the field when the first one
// found is broken (a broken file is not skipped for the next: the
// administrator meant it).
func Find(src Sources) (*Provisioning, error) {
	if src.Embedded != "" {
		b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(src.Embedded))
		if err != nil {
			return nil, fmt.Errorf("provisioning (embedded): not base64: %w", err)
		}
		return Parse(b, SourceEmbedded)
	}
	for _, path := range src.Paths {
		b, err := os.ReadFile(path)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("provisioning %s: %w", path, err)
		}
		return Parse(b, path)
	}
	return nil, ErrNotProvisioned
}

// Parse reads and checks a provisioning file's content strictly: unknown
// fields, a bad URL, an unknown region or currency, probabilities outside
// 0..100, unknown locked settings and bad PEM are errors naming source and
// field.
func Parse(b []byte, source string) (*Provisioning, error) {
	fail := func(field, format string, args ...any) error {
		return fmt.Errorf("provisioning %s: %s: %s", source, field, fmt.Sprintf(format, args...))
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var p Provisioning
	if err := dec.Decode(&p); err != nil {
		return nil, decodeError(source, b, dec, err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("provisioning %s: text after the JSON object", source)
	}
	p.Source = source
	if p.Server != "" {
		u, err := url.Parse(p.Server)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
			return nil, fail("server", "%q is not a hub address such as https://hub.example.com", p.Server)
		}
		p.Server = strings.TrimRight(p.Server, "/")
	}
	if p.Region != "" {
		p.Region = strings.ToUpper(p.Region)
		if !phonenumbers.GetSupportedRegions()[p.Region] {
			return nil, fail("region", "%q is not a phone region (an ISO 3166 code such as DE, AT or US)", p.Region)
		}
	}
	if p.Currency != "" {
		p.Currency = strings.ToUpper(p.Currency)
		if _, err := currency.ParseISO(p.Currency); err != nil || len(p.Currency) != 3 {
			return nil, fail("currency", "%q is not an ISO 4217 currency code such as EUR", p.Currency)
		}
	}
	seen := map[string]bool{}
	for i, st := range p.Stages {
		field := fmt.Sprintf("stages[%d]", i)
		name := strings.TrimSpace(st.Name)
		switch {
		case name == "":
			return nil, fail(field+".name", "a stage needs a name")
		case seen[strings.ToLower(name)]:
			return nil, fail(field+".name", "stage %q is listed twice", name)
		case st.Probability < 0 || st.Probability > 100:
			return nil, fail(field+".probability", "%d is outside 0..100", st.Probability)
		case st.Closed != "" && st.Closed != "won" && st.Closed != "lost":
			return nil, fail(field+".closed", "%q: want won, lost or nothing", st.Closed)
		}
		seen[strings.ToLower(name)] = true
		p.Stages[i].Name = name
	}
	for i, name := range p.Locked {
		field := fmt.Sprintf("locked[%d]", i)
		if !slices.Contains(lockable, name) {
			return nil, fail(field, "%q is not a setting that can be locked (%s)", name, strings.Join(lockable, ", "))
		}
		if !p.provides(name) {
			return nil, fail(field, "%q is locked but not set in this file", name)
		}
	}
	if p.CACert != "" {
		if _, err := parseCerts(p.CACert); err != nil {
			return nil, fail("ca_cert", "%v", err)
		}
	}
	return &p, nil
}

// provides reports whether the file sets the lockable setting name.
func (p *Provisioning) provides(name string) bool {
	switch name {
	case LockServer:
		return p.Server != ""
	case LockRegion:
		return p.Region != ""
	case LockCurrency:
		return p.Currency != ""
	case LockSyncInterval:
		return p.SyncInterval.Set
	case LockStages:
		return len(p.Stages) > 0
	}
	return false
}

// decodeError names the field or the line and column of a JSON error.
func decodeError(source string, b []byte, dec *json.Decoder, err error) error {
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	switch {
	case errors.As(err, &typeErr):
		return fmt.Errorf("provisioning %s: %s: want %s, not a JSON %s", source, typeErr.Field, typeErr.Type, typeErr.Value)
	case errors.As(err, &syntaxErr):
		line, col := lineCol(b, syntaxErr.Offset)
		return fmt.Errorf("provisioning %s: line %d, column %d: %v", source, line, col, err)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return fmt.Errorf("provisioning %s: unknown field %s (known: server, organization, region, currency, stages, sync_interval, locked, ca_cert)",
			source, strings.TrimPrefix(err.Error(), "json: unknown field "))
	case errors.Is(err, io.EOF):
		return fmt.Errorf("provisioning %s: the file is empty", source)
	}
	line, col := lineCol(b, dec.InputOffset())
	return fmt.Errorf("provisioning %s: line %d, column %d: %v", source, line, col, err)
}

func lineCol(b []byte, offset int64) (line, col int) {
	offset = min(offset, int64(len(b)))
	before := b[:offset]
	line = bytes.Count(before, []byte("\n")) + 1
	col = int(offset) - bytes.LastIndexByte(before, '\n') - 1
	return line, col
}

// parseCerts reads every certificate of a PEM text; at least one.
func parseCerts(text string) ([]*x509.Certificate, error) {
	rest := []byte(text)
	var out []*x509.Certificate
	for {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		if block.Type != "CERTIFICATE" {
			return nil, fmt.Errorf("a PEM block of type %q; want CERTIFICATE", block.Type)
		}
		c, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("certificate %d: %w", len(out)+1, err)
		}
		out = append(out, c)
	}
	if len(out) == 0 {
		return nil, errors.New("no PEM certificate (-----BEGIN CERTIFICATE-----) found")
	}
	if strings.TrimSpace(string(rest)) != "" {
		return nil, errors.New("text after the last certificate is not PEM")
	}
	return out, nil
}

// Apply writes the provisioned settings into the store: region, currency,
// organization, sync interval and the pipeline. It writes only what
// differs, so running it at every start changes nothing the second time.
// The hub address is not written: the rep's first sign-in takes it.
func (p *Provisioning) Apply(ctx context.Context, s *localdb.Store) error {
	settings := map[string]string{}
	if p.Region != "" {
		settings[localdb.SettingRegion] = p.Region
	}
	if p.Currency != "" {
		settings[SettingCurrency] = p.Currency
	}
	if p.Organization != "" {
		settings[SettingOrganization] = p.Organization
	}
	if p.SyncInterval.Set {
		settings[SettingSyncInterval] = p.SyncInterval.Duration.String()
	}
	for key, value := range settings {
		old, err := s.Setting(ctx, key)
		if err != nil && !errors.Is(err, localdb.ErrNotFound) {
			return fmt.Errorf("apply provisioning: %w", err)
		}
		if err == nil && old == value {
			continue
		}
		// A rep's own choice of an unlocked setting wins over the
		// provisioned default once made; the organization is not the rep's.
		if err == nil && key != SettingOrganization && !p.Locks(lockOf(key)) {
			continue
		}
		if err := s.SetSetting(ctx, key, value); err != nil {
			return fmt.Errorf("apply provisioning: %w", err)
		}
	}
	if len(p.Stages) > 0 {
		have, err := s.Stages(ctx)
		if err != nil {
			return fmt.Errorf("apply provisioning: %w", err)
		}
		if !slices.Equal(have, p.LocalStages()) {
			if err := s.SetStages(ctx, p.LocalStages()); err != nil {
				return fmt.Errorf("apply provisioning: %w", err)
			}
		}
	}
	return nil
}

// lockOf is the lock name of a store setting.
func lockOf(setting string) string {
	switch setting {
	case localdb.SettingRegion:
		return LockRegion
	case SettingCurrency:
		return LockCurrency
	case SettingSyncInterval:
		return LockSyncInterval
	}
	return ""
}
