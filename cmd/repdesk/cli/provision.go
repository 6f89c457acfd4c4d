package cli

import (
	"errors"
	"fmt"
	"strings"

	"repdesk/localdb/provision"
)

// provisionSources is where the provisioning is looked for; tests replace it.
var provisionSources = provision.DefaultSources

// provisioning finds the provisioning once: nil without one, or with a
// broken one (whose error is kept in provisionErr: the app still starts,
// unprovisioned, and says why).
func (c *runCtx) provisioning() *provision.Provisioning {
	if !c.provisionRead {
		c.provisionRead = true
		c.provision, c.provisionErr = provision.Find(provisionSources())
		if errors.Is(c.provisionErr, provision.ErrNotProvisioned) {
			c.provisionErr = nil
		}
	}
	return c.provision
}

// applyProvisioning writes the provisioned settings into the freshly opened
// store; a broken provisioning file is a warning on stderr, not a failure.
func (c *runCtx) applyProvisioning() error {
	p := c.provisioning()
	if c.provisionErr != nil {
		fmt.Fprintf(c.env.Stderr, "repdesk: warning: %s (running unprovisioned)\n", oneLine(c.provisionErr.Error()))
		return nil
	}
	if p == nil {
		return nil
	}
	return p.Apply(c.ctx, c.store)
}

// provisionJSON is the answer of repdesk provision --json.
type provisionJSON struct {
	Provisioned  bool              `json:"provisioned"`
	Source       string            `json:"source"`
	Searched     []string          `json:"searched"`
	Server       string            `json:"server"`
	Organization string            `json:"organization"`
	Region       string            `json:"region"`
	Currency     string            `json:"currency"`
	Stages       []provision.Stage `json:"stages"`
	SyncInterval string            `json:"sync_interval"`
	Locked       []string          `json:"locked"`
	CACerts      []string          `json:"ca_certs"` // subjects of the trusted CA certificates
}

func runProvision(c *runCtx, args []string) error {
	fs := newFlags("provision")
	asJSON := fs.Bool("json", false, "print JSON")
	if _, err := parse(fs, args, 0, 0); err != nil {
		return err
	}
	src := provisionSources()
	searched := append([]string{}, src.Paths...)
	if src.Embedded != "" {
		searched = append([]string{provision.SourceEmbedded}, searched...)
	}
	p := c.provisioning()
	if c.provisionErr != nil {
		return c.provisionErr
	}
	out := provisionJSON{Searched: searched, Stages: []provision.Stage{}, Locked: []string{}, CACerts: []string{}}
	if p != nil {
		out.Provisioned, out.Source = true, p.Source
		out.Server, out.Organization, out.Region, out.Currency = p.Server, p.Organization, p.Region, p.Currency
		if len(p.Stages) > 0 {
			out.Stages = p.Stages
		}
		if len(p.Locked) > 0 {
			out.Locked = p.Locked
		}
		if p.SyncInterval.Set {
			b, _ := p.SyncInterval.MarshalJSON()
			out.SyncInterval = strings.Trim(string(b), `"`)
		}
		subjects, err := caSubjects(p)
		if err != nil {
			return err
		}
		out.CACerts = subjects
	}
	if *asJSON {
		return writeJSON(c.out(), out)
	}
	w := c.out()
	if !out.Provisioned {
		fmt.Fprintf(w, "Not provisioned. Looked in: %s\n", strings.Join(searched, ", "))
		return nil
	}
	field(w, "Provisioning", out.Source)
	field(w, "Server", out.Server)
	field(w, "Organization", out.Organization)
	field(w, "Region", out.Region)
	field(w, "Currency", out.Currency)
	field(w, "Sync", out.SyncInterval)
	var stages []string
	for _, st := range out.Stages {
		s := fmt.Sprintf("%s %d%%", st.Name, st.Probability)
		if st.Closed != "" {
			s += " (" + st.Closed + ")"
		}
		stages = append(stages, s)
	}
	field(w, "Stages", strings.Join(stages, ", "))
	field(w, "Locked", strings.Join(out.Locked, ", "))
	field(w, "Trusted CA", strings.Join(out.CACerts, "; "))
	return nil
}

// caSubjects names the provisioned CA certificates.
func caSubjects(p *provision.Provisioning) ([]string, error) {
	certs, err := p.CACertificates()
	if err != nil {
		return nil, err
	}
	out := []string{}
	for _, cert := range certs {
		out = append(out, cert.Subject.String())
	}
	return out, nil
}
