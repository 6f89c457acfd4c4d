package client_test

import (
	"crypto/x509"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"repdesk/sync/client"
	"repdesk/sync/hub/hubtest"
)

// A self-hosted hub's certificate is signed by the company's own CA: the
// client trusts it only when the CA is given (a provisioned ca_cert).
func TestRootCAsTrustSelfHostedHub(t *testing.T) {
	h := hubtest.New(t, hubtest.Options{Backend: hubtest.SQLite})
	token := h.AddUser("anna", "rep")
	tlsHub := httptest.NewTLSServer(h.Server())
	defer tlsHub.Close()

	untrusting := newDevice(t, "untrusting", nil)
	err := untrusting.client.Login(ctx, tlsHub.URL, token)
	require.Error(t, err)
	assert.ErrorContains(t, err, "certificate")

	pool := x509.NewCertPool()
	pool.AddCert(tlsHub.Certificate())
	trusting := newDevice(t, "trusting", func(o *client.Options) { o.RootCAs = pool })
	trusting.login(tlsHub.URL, token)
	trusting.sync()
}
