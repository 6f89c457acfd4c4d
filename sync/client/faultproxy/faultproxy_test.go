package faultproxy

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestFaults(t *testing.T) {
	answer := strings.Repeat("0123456789", 100)
	for _, tc := range []struct {
		fault    Fault
		reached  int32 // requests the target saw
		status   int   // 0: the client gets an error
		fullBody bool
	}{
		{Pass, 1, 200, true},
		{DropRequest, 0, 0, false},
		{DropResponse, 1, 0, false},
		{Delay, 1, 200, true},
		{ServerError, 0, 500, false},
		{Unavailable, 0, 503, false},
		{Truncate, 1, 200, false},
		{Duplicate, 2, 200, true},
	} {
		t.Run(tc.fault.String(), func(t *testing.T) {
			var seen atomic.Int32
			target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				seen.Add(1)
				body, _ := io.ReadAll(r.Body)
				assert.Equal(t, "payload", string(body), "the body reaches the target")
				_, _ = io.WriteString(w, answer)
			}))
			t.Cleanup(target.Close)
			p, err := New(target.URL, 1)
			require.NoError(t, err)
			t.Cleanup(p.Close)
			p.SetRates(Rates{tc.fault: 1})
			if tc.fault == Pass {
				p.SetRates(nil)
			}
			tr := &http.Transport{DisableKeepAlives: true}
			resp, err := (&http.Client{Transport: tr}).Post(p.URL+"/v1/push", "text/plain", strings.NewReader("payload"))
			var body []byte
			if err == nil {
				body, err = io.ReadAll(resp.Body)
				resp.Body.Close()
			}
			assert.Equal(t, tc.reached, seen.Load(), "requests the target saw")
			switch {
			case tc.status == 0:
				assert.Error(t, err)
			case tc.fullBody:
				require.NoError(t, err)
				assert.Equal(t, tc.status, resp.StatusCode)
				assert.Equal(t, answer, string(body))
			case tc.fault == Truncate:
				assert.ErrorIs(t, err, io.ErrUnexpectedEOF)
			default:
				require.NoError(t, err)
				assert.Equal(t, tc.status, resp.StatusCode)
			}
			if tc.fault != Pass {
				assert.Equal(t, 1, p.Injected())
				assert.Equal(t, tc.fault.String()+"=1", p.Counts())
			}
		})
	}
}

func TestOnlyPathsAndSeeds(t *testing.T) {
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	t.Cleanup(target.Close)
	draw := func(seed uint64) []Fault {
		p, err := New(target.URL, seed)
		require.NoError(t, err)
		defer p.Close()
		p.SetRates(Rates{ServerError: 0.5})
		var out []Fault
		for range 20 {
			f, _ := p.decide(httptest.NewRequest(http.MethodGet, "/v1/pull", nil))
			out = append(out, f)
		}
		p.OnlyPaths("/v1/push")
		f, _ := p.decide(httptest.NewRequest(http.MethodGet, "/v1/pull", nil))
		assert.Equal(t, Pass, f, "paths not listed get no faults")
		return out
	}
	assert.Equal(t, draw(7), draw(7), "a seed replays the same faults")
	assert.NotEqual(t, draw(7), draw(8))
}
