package client

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/go-resty/resty/v2"

	"repdesk/sync/protocol"
)

// Errors a sync can end with. Every error of the client wraps one of them
// or a *HubError.
var (
	// ErrNotConfigured: no server or no token; run repdesk login.
	ErrNotConfigured = errors.New("no sync server configured: run repdesk login --server URL --token TOKEN")
	// ErrUnreachable: the hub did not answer (network down, connection
	// refused, timeouts, 502/503/504, 429) even after retries. Nothing is
	// lost: the next sync carries on.
	ErrUnreachable = errors.New("sync server cannot be reached")
	// ErrUnauthorized: the hub refused the token (none, unknown, revoked).
	ErrUnauthorized = errors.New("sync server refused the token")
	// ErrForbidden: the hub refused this installation (client id of another user).
	ErrForbidden = errors.New("sync server refused this installation")
	// ErrOutdated: the hub needs a newer RepDesk (HTTP 426).
	ErrOutdated = errors.New("this RepDesk is too old for the sync server: update RepDesk")
	// errCursorExpired: the pull cursor is older than the hub keeps (410).
	errCursorExpired = errors.New("pull cursor expired")
)

// HubError is an answer of the hub other than 2xx.
type HubError struct {
	Op      string // what the client was doing, e.g. "push"
	Status  int
	Message string // the hub's explanation
}

func (e *HubError) Error() string {
	switch e.Status {
	case http.StatusUpgradeRequired:
		return fmt.Sprintf("%s: %v (the hub says: %s)", e.Op, ErrOutdated, e.Message)
	case http.StatusUnauthorized:
		return fmt.Sprintf("%s: %v: %s; run repdesk login with a valid token", e.Op, ErrUnauthorized, e.Message)
	}
	return fmt.Sprintf("%s: sync server answered %d %s: %s", e.Op, e.Status, http.StatusText(e.Status), e.Message)
}

// Unwrap maps the status to the client's sentinel errors.
func (e *HubError) Unwrap() error {
	switch e.Status {
	case http.StatusUnauthorized:
		return ErrUnauthorized
	case http.StatusForbidden:
		return ErrForbidden
	case http.StatusUpgradeRequired:
		return ErrOutdated
	case http.StatusGone:
		return errCursorExpired
	case http.StatusTooManyRequests, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return ErrUnreachable
	}
	return nil
}

// api talks HTTP to one hub through resty: timeouts, retries with capped
// exponential backoff and jitter on network errors, 5xx and 429 (honouring
// Retry-After), never on other 4xx. Retrying a push is safe: the hub skips
// mutation numbers it has applied.
type api struct {
	rc     *resty.Client
	server string
	token  string
}

// newResty builds the HTTP client shared by all requests of a Client.
func newResty(opts Options, version int) *resty.Client {
	rc := resty.New().
		SetTimeout(opts.Timeout).
		SetRetryCount(opts.Retries).
		SetRetryWaitTime(opts.RetryWait).
		SetRetryMaxWaitTime(opts.RetryMaxWait).
		AddRetryCondition(retryable).
		SetRetryAfter(retryAfter).
		SetLogger(restyLogger{opts.Logger}).
		SetHeader(protocol.HeaderVersion, strconv.Itoa(version)).
		SetHeader("User-Agent", "RepDesk-sync/"+strconv.Itoa(version))
	if opts.Transport != nil {
		rc.SetTransport(opts.Transport)
	} else if opts.RootCAs != nil {
		rc.SetTLSClientConfig(&tls.Config{RootCAs: opts.RootCAs, MinVersion: tls.VersionTLS12})
	}
	return rc
}

// retryable: network errors (including bodies cut short), 5xx and 429. A
// cancelled context stops resty before it asks.
func retryable(r *resty.Response, err error) bool {
	if err != nil {
		return true
	}
	c := r.StatusCode()
	return c == http.StatusTooManyRequests || c >= 500
}

// retryAfter honours a Retry-After header (seconds or an HTTP date); resty
// caps it at the longest retry wait. 0 means resty's own backoff.
func retryAfter(_ *resty.Client, r *resty.Response) (time.Duration, error) {
	if r == nil {
		return 0, nil
	}
	h := strings.TrimSpace(r.Header().Get("Retry-After"))
	if h == "" {
		return 0, nil
	}
	if secs, err := strconv.Atoi(h); err == nil && secs >= 0 {
		return time.Duration(secs) * time.Second, nil
	}
	if at, err := http.ParseTime(h); err == nil {
		return max(time.Until(at), time.Millisecond), nil
	}
	return 0, nil
}

// restyLogger sends resty's messages (retries, mostly) to slog at debug
// level. They never hold the token: resty logs no headers unless in debug
// mode, which stays off.
type restyLogger struct{ log *slog.Logger }

func (l restyLogger) Errorf(format string, v ...any) {
	l.log.Debug("http: " + fmt.Sprintf(format, v...))
}
func (l restyLogger) Warnf(format string, v ...any) {
	l.log.Debug("http: " + fmt.Sprintf(format, v...))
}
func (l restyLogger) Debugf(format string, v ...any) {
	l.log.Debug("http: " + fmt.Sprintf(format, v...))
}

// gzipThreshold: push bodies larger than this go compressed.
const gzipThreshold = 32 << 10

// requestBody is a request's JSON body, gzipped when large (see gzipBody).
type requestBody struct {
	data    []byte
	gzipped bool
}

// gzipBody compresses a body larger than gzipThreshold. A push compresses
// its next batch while the hub applies the current one, so that the
// compression is not on the way from one batch to the next.
func gzipBody(body []byte) (requestBody, error) {
	if len(body) <= gzipThreshold {
		return requestBody{data: body}, nil
	}
	var buf bytes.Buffer
	buf.Grow(len(body) / 4)
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestSpeed)
	if err != nil {
		return requestBody{}, fmt.Errorf("compress: %w", err)
	}
	if _, err := zw.Write(body); err != nil {
		return requestBody{}, fmt.Errorf("compress: %w", err)
	}
	if err := zw.Close(); err != nil {
		return requestBody{}, fmt.Errorf("compress: %w", err)
	}
	return requestBody{data: buf.Bytes(), gzipped: true}, nil
}

// do sends one request and decodes a 2xx JSON answer into out.
func (a *api) do(ctx context.Context, op, method, path string, query url.Values, body []byte, out any) error {
	var rb *requestBody
	if body != nil {
		b, err := gzipBody(body)
		if err != nil {
			return fmt.Errorf("%s: %w", op, err)
		}
		rb = &b
	}
	_, err := a.doVersion(ctx, op, method, path, query, rb, out)
	return err
}

// doVersion is do returning also the hub's protocol version, from the
// answer's header (0 if it names none).
func (a *api) doVersion(ctx context.Context, op, method, path string, query url.Values, body *requestBody, out any) (int, error) {
	req := a.rc.R().SetContext(ctx).SetAuthToken(a.token).SetHeader("Accept", "application/json")
	if query != nil {
		req.SetQueryParamsFromValues(query)
	}
	if body != nil {
		req.SetHeader("Content-Type", "application/json")
		if body.gzipped {
			req.SetHeader("Content-Encoding", "gzip")
		}
		req.SetBody(body.data)
	}
	resp, err := req.Execute(method, a.server+path)
	if err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return 0, fmt.Errorf("%s: %w", op, ctxErr)
		}
		return 0, fmt.Errorf("%s: %w: %v", op, ErrUnreachable, err)
	}
	if code := resp.StatusCode(); code/100 != 2 {
		var e protocol.Error
		if json.Unmarshal(resp.Body(), &e) != nil || e.Error == "" {
			e.Error = strings.TrimSpace(string(resp.Body()))
			if len(e.Error) > 200 {
				e.Error = e.Error[:200] + "…"
			}
		}
		return 0, &HubError{Op: op, Status: code, Message: e.Error}
	}
	version, _ := strconv.Atoi(resp.Header().Get(protocol.HeaderVersion))
	if out == nil {
		return version, nil
	}

	if d, ok := out.(rawDecoder); ok {
		err = d.decodeRaw(resp.Body())
	} else {
		err = json.Unmarshal(resp.Body(), out)
	}
	if err != nil {
		return 0, fmt.Errorf("%s: the hub's answer is not valid: %w", op, err)
	}
	return version, nil
}

// health asks /healthz once, without retries: the offline probe.
func (a *api) health(ctx context.Context, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, a.server+protocol.PathHealth, nil)
	if err != nil {
		return fmt.Errorf("health check: %w", err)
	}
	resp, err := a.rc.GetClient().Do(req)
	if err != nil {
		return fmt.Errorf("health check: %w: %v", ErrUnreachable, err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("health check: %w: status %d", ErrUnreachable, resp.StatusCode)
	}
	return nil
}

func (a *api) me(ctx context.Context) (protocol.Me, error) {
	var me protocol.Me
	err := a.do(ctx, "check account", http.MethodGet, protocol.PathMe, nil, nil, &me)
	return me, err
}

// push sends a push request (protocol.PushRequest as JSON, see gzipBody);
// it returns the answer and the protocol version of the hub that gave it.
func (a *api) push(ctx context.Context, body requestBody) (protocol.PushResponse, int, error) {
	var resp pushAnswer
	version, err := a.doVersion(ctx, "push", http.MethodPost, protocol.PathPush, nil, &body, &resp)
	return protocol.PushResponse(resp), version, err
}

// pull asks for the changes after cursor. Naming the client id lets the
// hub leave out the values of the client's own last changes.
func (a *api) pull(ctx context.Context, clientID string, cursor int64, limit int) (wirePull, error) {
	var resp wirePull
	q := url.Values{"client_id": {clientID}, "cursor": {strconv.FormatInt(cursor, 10)}, "limit": {strconv.Itoa(limit)}}
	err := a.do(ctx, "pull", http.MethodGet, protocol.PathPull, q, nil, &resp)
	return resp, err
}

func (a *api) snapshot(ctx context.Context, after, until int64, limit int) (wireSnapshot, error) {
	var page wireSnapshot
	q := url.Values{"after": {strconv.FormatInt(after, 10)}, "until": {strconv.FormatInt(until, 10)},
		"limit": {strconv.Itoa(limit)}}
	err := a.do(ctx, "snapshot", http.MethodGet, protocol.PathSnapshot, q, nil, &page)
	return page, err
}

// normalizeServer checks a server URL and returns it without a trailing
// slash.
func normalizeServer(server string) (string, error) {
	s := strings.TrimRight(strings.TrimSpace(server), "/")
	u, err := url.Parse(s)
	if err == nil && u.User != nil {
		// Not echoed: it may hold a password.
		return "", errors.New("server URL: put no user or password in it; the token authenticates")
	}
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("server %q: want an http:// or https:// URL such as https://hub.example.com", server)
	}
	return s, nil
}
