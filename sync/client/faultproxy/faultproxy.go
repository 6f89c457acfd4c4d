// Package faultproxy is an HTTP proxy for tests that breaks requests on
// purpose: it drops connections before the target sees a request or after
// the target answered (so the target committed and the client never hears
// of it), delays, answers 500 or 503 itself, cuts answers short, and sends
// requests twice. Decisions come from a seeded generator, so that a test
// whose requests run one at a time sees the same faults on every run.
package faultproxy

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"
)

// Fault is what the proxy does to one request.
type Fault int

// Faults.
const (
	Pass         Fault = iota // forward and answer faithfully
	DropRequest               // close the connection; the target never sees the request
	DropResponse              // forward (the target commits), then close the connection without answering
	Delay                     // wait, then forward
	ServerError               // answer 500 without forwarding
	Unavailable               // answer 503 with Retry-After: 0 without forwarding
	Truncate                  // forward, then send the headers and half the body and close
	Duplicate                 // forward twice; answer with the second answer
	numFaults
)

var faultNames = [...]string{"pass", "drop-request", "drop-response", "delay", "500", "503", "truncate", "duplicate"}

func (f Fault) String() string {
	if f >= 0 && f < numFaults {
		return faultNames[f]
	}
	return fmt.Sprintf("fault(%d)", int(f))
}

// Rates are the probabilities of each fault per request; the rest passes.
type Rates map[Fault]float64

// Proxy forwards to one target through a loopback listener.
type Proxy struct {
	// URL is the proxy's base URL: give it to the client instead of the
	// target's.
	URL string

	target    *url.URL
	server    *httptest.Server
	transport *http.Transport
	maxDelay  time.Duration

	mu     sync.Mutex
	rng    *rand.Rand
	rates  Rates
	counts map[Fault]int
	paths  map[string]bool // only these paths get faults; empty: all
}

// New starts a proxy to target whose fault decisions follow seed. Faults
// are off until SetRates.
func New(target string, seed uint64) (*Proxy, error) {
	u, err := url.Parse(target)
	if err != nil {
		return nil, fmt.Errorf("faultproxy: target %q: %w", target, err)
	}
	p := &Proxy{target: u, rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), counts: map[Fault]int{},
		maxDelay: 30 * time.Millisecond, paths: map[string]bool{},
		// Compressed answers pass through as they are; a fresh connection per
		// request keeps target restarts from showing up as extra faults.
		transport: &http.Transport{DisableCompression: true, DisableKeepAlives: true}}
	p.server = httptest.NewServer(p)
	p.URL = p.server.URL
	return p, nil
}

// Close stops the proxy.
func (p *Proxy) Close() {
	p.server.Close()
	p.transport.CloseIdleConnections()
}

// SetRates sets the fault probabilities (nil: no faults).
func (p *Proxy) SetRates(r Rates) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.rates = r
}

// OnlyPaths limits faults to requests for these paths (none: every path).
func (p *Proxy) OnlyPaths(paths ...string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.paths = map[string]bool{}
	for _, s := range paths {
		p.paths[s] = true
	}
}

// Counts reports how often each fault was injected, e.g. "drop-response=3 truncate=1".
func (p *Proxy) Counts() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	var parts []string
	for f, n := range p.counts {
		if f != Pass {
			parts = append(parts, fmt.Sprintf("%s=%d", f, n))
		}
	}
	sort.Strings(parts)
	return strings.Join(parts, " ")
}

// Injected is the number of requests that got a fault.
func (p *Proxy) Injected() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := 0
	for f, c := range p.counts {
		if f != Pass {
			n += c
		}
	}
	return n
}

// decide draws the fault for one request, and a delay.
func (p *Proxy) decide(r *http.Request) (Fault, time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	f := Pass
	x := p.rng.Float64()
	delay := time.Duration(p.rng.Int64N(int64(p.maxDelay) + 1))
	if len(p.paths) == 0 || p.paths[r.URL.Path] {
		acc := 0.0
		for cand := Fault(1); cand < numFaults; cand++ {
			acc += p.rates[cand]
			if x < acc {
				f = cand
				break
			}
		}
	}
	p.counts[f]++
	return f, delay
}

// hopHeaders are not forwarded.
var hopHeaders = map[string]bool{"Connection": true, "Keep-Alive": true, "Proxy-Connection": true,
	"Transfer-Encoding": true, "Upgrade": true, "Te": true, "Trailer": true}

// ServeHTTP forwards one request, with its fault.
func (p *Proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, "faultproxy: read request: "+err.Error(), http.StatusBadGateway)
		return
	}
	fault, delay := p.decide(r)
	switch fault {
	case DropRequest:
		panic(http.ErrAbortHandler) // the server closes the connection
	case ServerError:
		writeJSONError(w, http.StatusInternalServerError, "injected internal error")
		return
	case Unavailable:
		w.Header().Set("Retry-After", "0")
		writeJSONError(w, http.StatusServiceUnavailable, "injected: unavailable")
		return
	case Delay:
		time.Sleep(delay)
	}
	resp, err := p.forward(r, body)
	if err == nil && fault == Duplicate {
		resp.Body.Close()
		resp, err = p.forward(r, body)
	}
	if err != nil {
		writeJSONError(w, http.StatusBadGateway, "faultproxy: target unreachable: "+err.Error())
		return
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(resp.Body)
	if err != nil {
		writeJSONError(w, http.StatusBadGateway, "faultproxy: read answer: "+err.Error())
		return
	}
	if fault == DropResponse {
		panic(http.ErrAbortHandler)
	}
	for k, vs := range resp.Header {
		if !hopHeaders[k] {
			w.Header()[k] = vs
		}
	}
	w.Header().Set("Content-Length", fmt.Sprint(len(answer)))
	w.WriteHeader(resp.StatusCode)
	if fault == Truncate && len(answer) > 1 {
		_, _ = w.Write(answer[:len(answer)/2])
		if f, ok := w.(http.Flusher); ok {
			f.Flush()
		}
		panic(http.ErrAbortHandler)
	}
	_, _ = w.Write(answer)
}

func (p *Proxy) forward(r *http.Request, body []byte) (*http.Response, error) {
	u := *p.target
	u.Path = strings.TrimSuffix(u.Path, "/") + r.URL.Path
	u.RawQuery = r.URL.RawQuery
	out, err := http.NewRequestWithContext(r.Context(), r.Method, u.String(), bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	for k, vs := range r.Header {
		if !hopHeaders[k] {
			out.Header[k] = vs
		}
	}
	return p.transport.RoundTrip(out)
}

func writeJSONError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	fmt.Fprintf(w, "{\"error\":%q}\n", msg)
}
