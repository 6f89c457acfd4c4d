package hub

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"repdesk/sync/protocol"
)

// Options tune a Server; zero values take the protocol's defaults.
type Options struct {
	MaxBodyBytes  int64 // request body, after gzip decoding too
	MaxBatch      int   // mutations per push
	MaxValueBytes int   // one field value
	Logger        *slog.Logger
}

// Server serves the sync protocol over HTTP.
type Server struct {
	db   *DB
	opts Options
	log  *slog.Logger
	mux  *http.ServeMux
}

// NewServer returns a server on db.
func NewServer(db *DB, opts Options) *Server {
	if opts.MaxBodyBytes <= 0 {
		opts.MaxBodyBytes = protocol.DefaultMaxBodyBytes
	}
	if opts.MaxBatch <= 0 {
		opts.MaxBatch = protocol.DefaultMaxBatch
	}
	if opts.MaxValueBytes <= 0 {
		opts.MaxValueBytes = protocol.DefaultMaxValueBytes
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	s := &Server{db: db, opts: opts, log: opts.Logger, mux: http.NewServeMux()}
	s.mux.HandleFunc("GET "+protocol.PathHealth, s.handleHealth)
	s.mux.Handle("GET "+protocol.PathMe, s.authed(s.handleMe))
	s.mux.Handle("POST "+protocol.PathPush, s.authed(s.handlePush))
	s.mux.Handle("GET "+protocol.PathPull, s.authed(s.handlePull))
	s.mux.Handle("GET "+protocol.PathSnapshot, s.authed(s.handleSnapshot))
	return s
}

// ServeHTTP logs every request (never its headers: they hold the token).
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
	info := &requestInfo{}
	r = r.WithContext(context.WithValue(r.Context(), requestInfoKey{}, info))
	w.Header().Set(protocol.HeaderVersion, strconv.Itoa(protocol.Version))
	s.mux.ServeHTTP(rec, r)
	level := slog.LevelInfo
	if rec.status >= 500 {
		level = slog.LevelError
	}
	s.log.LogAttrs(r.Context(), level, "request", slog.String("method", r.Method), slog.String("path", r.URL.Path),
		slog.Int("status", rec.status), slog.Int64("bytes", rec.bytes), slog.String("user", info.user),
		slog.Duration("duration", time.Since(start)))
}

type statusRecorder struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (r *statusRecorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	n, err := r.ResponseWriter.Write(b)
	r.bytes += int64(n)
	return n, err
}

type requestInfoKey struct{}

// requestInfo carries what the log line needs from the handlers.
type requestInfo struct{ user string }

type userKey struct{}

func userFrom(ctx context.Context) User { return ctx.Value(userKey{}).(User) }

func writeError(w http.ResponseWriter, status int, format string, args ...any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(protocol.Error{Error: fmt.Sprintf(format, args...)})
}

// authed checks the client's protocol version (426 if too old) and its
// bearer token (401) before calling h.
func (s *Server) authed(h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v := r.Header.Get(protocol.HeaderVersion)
		if v == "" {
			writeError(w, http.StatusUpgradeRequired, "this client sends no %s header: it is too old for this hub (protocol %d); update RepDesk",
				protocol.HeaderVersion, protocol.Version)
			return
		}
		n, err := strconv.Atoi(v)
		if err != nil {
			writeError(w, http.StatusBadRequest, "header %s: %q is not a number", protocol.HeaderVersion, v)
			return
		}
		if n < protocol.MinVersion {
			writeError(w, http.StatusUpgradeRequired, "this client speaks sync protocol %d; this hub needs at least %d: update RepDesk",
				n, protocol.MinVersion)
			return
		}
		token, ok := strings.CutPrefix(r.Header.Get(protocol.HeaderAuthorization), "Bearer ")
		if !ok || token == "" {
			writeError(w, http.StatusUnauthorized, "no bearer token: send Authorization: Bearer <token>")
			return
		}
		u, err := s.db.Authenticate(r.Context(), token)
		switch {
		case errors.Is(err, ErrBadToken):
			writeError(w, http.StatusUnauthorized, "unknown token")
			return
		case errors.Is(err, ErrRevoked):
			writeError(w, http.StatusUnauthorized, "token revoked")
			return
		case err != nil:
			s.internalError(w, r, err)
			return
		}
		if info, ok := r.Context().Value(requestInfoKey{}).(*requestInfo); ok {
			info.user = u.Name
		}
		h(w, r.WithContext(context.WithValue(r.Context(), userKey{}, u)))
	})
}

func (s *Server) internalError(w http.ResponseWriter, r *http.Request, err error) {
	s.log.ErrorContext(r.Context(), "request failed", slog.String("path", r.URL.Path), slog.String("error", err.Error()))
	writeError(w, http.StatusInternalServerError, "internal error; see the hub's log")
}

func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request) {
	if err := s.db.sql.PingContext(r.Context()); err != nil {
		writeError(w, http.StatusServiceUnavailable, "database unavailable")
		return
	}
	w.Header().Set("Content-Type", "text/plain")
	_, _ = io.WriteString(w, "ok\n")
}

func (s *Server) handleMe(w http.ResponseWriter, r *http.Request) {
	u := userFrom(r.Context())
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(protocol.Me{User: u.Name, Role: u.Role, Territories: u.Territories,
		Protocol: protocol.Version, MinProtocol: protocol.MinVersion})
}

var errBodyTooLarge = errors.New("request body too large")

// limitedReader fails once more than n bytes were read.
type limitedReader struct {
	r io.Reader
	n int64
}

func (l *limitedReader) Read(p []byte) (int, error) {
	if l.n < 0 {
		return 0, errBodyTooLarge
	}
	if int64(len(p)) > l.n+1 {
		p = p[:l.n+1]
	}
	n, err := l.r.Read(p)
	l.n -= int64(n)
	if l.n < 0 {
		return n, errBodyTooLarge
	}
	return n, err
}

// pushBuffers and pushAnswers hold the buffers push bodies are read into
// and answers written in, for the next push: a push of 2,000 mutations
// reads and answers megabytes.
var (
	pushBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}
	pushAnswers = sync.Pool{New: func() any { return new([]byte) }}
)

// maxPooledPushBuffer: larger buffers (from a hub with a raised body limit)
// are left to the garbage collector.
const maxPooledPushBuffer = 64 << 20

// putPushBuffer keeps a body buffer for the next push unless it is outsized.
func putPushBuffer(b *bytes.Buffer) {
	if b.Cap() <= maxPooledPushBuffer {
		pushBuffers.Put(b)
	}
}

func (s *Server) handlePush(w http.ResponseWriter, r *http.Request) {
	var body io.Reader = &limitedReader{r: r.Body, n: s.opts.MaxBodyBytes}
	if strings.EqualFold(r.Header.Get("Content-Encoding"), "gzip") {
		zr, err := gzip.NewReader(body)
		if err != nil {
			writeError(w, http.StatusBadRequest, "push body: not gzip: %v", err)
			return
		}
		defer zr.Close()
		body = &limitedReader{r: zr, n: s.opts.MaxBodyBytes}
	}
	buf := pushBuffers.Get().(*bytes.Buffer)
	defer putPushBuffer(buf)
	buf.Reset()
	_, err := buf.ReadFrom(body)
	raw := buf.Bytes() // the request's values point into it until the answer is written
	if errors.Is(err, errBodyTooLarge) {
		writeError(w, http.StatusRequestEntityTooLarge, "push body exceeds the limit of %d bytes: send smaller batches", s.opts.MaxBodyBytes)
		return
	}
	if err != nil {
		writeError(w, http.StatusBadRequest, "push body cannot be read: %v", err)
		return
	}
	var req protocol.PushRequest
	if err := decodePushRequest(raw, &req); err != nil {
		writeError(w, http.StatusBadRequest, "push body is not a valid push request: %v", err)
		return
	}
	if !protocol.IsRecordID(req.ClientID) {
		writeError(w, http.StatusBadRequest, "client_id %q is not a lower-case UUID", req.ClientID)
		return
	}
	if len(req.Mutations) > s.opts.MaxBatch {
		writeError(w, http.StatusRequestEntityTooLarge, "batch has %d mutations; the limit is %d: send smaller batches",
			len(req.Mutations), s.opts.MaxBatch)
		return
	}
	u := userFrom(r.Context())
	resp, err := s.db.Push(r.Context(), u, req, s.opts.MaxValueBytes)
	if errors.Is(err, ErrForeignClient) {
		writeError(w, http.StatusForbidden, "client id %s belongs to another user", req.ClientID)
		return
	}
	if err != nil {
		s.internalError(w, r, err)
		return
	}
	answer := pushAnswers.Get().(*[]byte)
	out, err := appendPushResponse((*answer)[:0], &resp)
	defer func() {
		if cap(out) <= maxPooledPushBuffer {
			*answer = out
			pushAnswers.Put(answer)
		}
	}()
	if err != nil {
		s.internalError(w, r, err)
		return
	}
	s.writeJSON(w, r, func(w io.Writer) error {
		_, err := w.Write(out)
		return err
	})
}

// queryInt reads a non-negative integer query parameter.
func queryInt(r *http.Request, name string, def, maxVal int64) (int64, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("query parameter %s=%q: must be a non-negative integer", name, v)
	}
	if maxVal > 0 && n > maxVal {
		return 0, fmt.Errorf("query parameter %s=%d: at most %d", name, n, maxVal)
	}
	return n, nil
}

func (s *Server) handlePull(w http.ResponseWriter, r *http.Request) {
	cursor, err := queryInt(r, "cursor", 0, 0)
	if err != nil {
		writeError(w, http.StatusBadRequest, "%v", err)
		return
	}
	limit, err := queryInt(r, "limit", protocol.DefaultPullLimit, protocol.MaxPullLimit)
	if err == nil && limit == 0 {
		err = errors.New("query parameter limit: must be at least 1")
	}
	if err != nil {
		writeError(w, http.StatusBadRequest, "%v", err)
		return
	}
	clientID := r.URL.Query().Get("client_id")
	if clientID != "" && !protocol.IsRecordID(clientID) {
		writeError(w, http.StatusBadRequest, "query parameter client_id=%q: not a lower-case UUID", clientID)
		return
	}
	page, err := s.db.Pull(r.Context(), userFrom(r.Context()), clientID, cursor, int(limit))
	if errors.Is(err, ErrCursorExpired) {
		writeError(w, http.StatusGone, "%v", err)
		return
	}
	if errors.Is(err, ErrForeignClient) {
		writeError(w, http.StatusForbidden, "client id %s belongs to another user", clientID)
		return
	}
	if err != nil {
		s.internalError(w, r, err)
		return
	}
	s.writeJSON(w, r, page.Encode)
}

func (s *Server) handleSnapshot(w http.ResponseWriter, r *http.Request) {
	var after, until, limit int64
	var err error
	if after, err = queryInt(r, "after", 0, 0); err == nil {
		if until, err = queryInt(r, "until", 0, 0); err == nil {
			limit, err = queryInt(r, "limit", protocol.DefaultSnapshotLimit, protocol.MaxSnapshotLimit)
			if err == nil && limit == 0 {
				err = errors.New("query parameter limit: must be at least 1")
			}
		}
	}
	if err != nil {
		writeError(w, http.StatusBadRequest, "%v", err)
		return
	}
	snap, err := s.db.OpenSnapshot(r.Context(), userFrom(r.Context()), after, until, int(limit))
	if errors.Is(err, ErrCursorExpired) {
		writeError(w, http.StatusGone, "%v", err)
		return
	}
	if err != nil {
		s.internalError(w, r, err)
		return
	}
	defer snap.Close()
	s.writeJSON(w, r, func(w io.Writer) error { return snap.Encode(r.Context(), w) })
}

var gzipWriters = sync.Pool{New: func() any {
	zw, _ := gzip.NewWriterLevel(io.Discard, gzip.BestSpeed)
	return zw
}}

// writeJSON writes a 200 JSON answer, gzip-compressed when the client takes
// it. An error once the answer has started can only cut it short: the
// client sees a broken body, and the log says why.
func (s *Server) writeJSON(w http.ResponseWriter, r *http.Request, encode func(io.Writer) error) {
	w.Header().Set("Content-Type", "application/json")
	if !acceptsGzip(r) {
		if err := encode(w); err != nil {
			s.log.ErrorContext(r.Context(), "writing answer failed", slog.String("path", r.URL.Path), slog.String("error", err.Error()))
		}
		return
	}
	w.Header().Set("Content-Encoding", "gzip")
	w.Header().Add("Vary", "Accept-Encoding")
	zw := gzipWriters.Get().(*gzip.Writer)
	defer gzipWriters.Put(zw)
	zw.Reset(w)
	err := encode(zw)
	if err == nil {
		err = zw.Close()
	}
	if err != nil {
		s.log.ErrorContext(r.Context(), "writing answer failed", slog.String("path", r.URL.Path), slog.String("error", err.Error()))
	}
}

func acceptsGzip(r *http.Request) bool {
	for part := range strings.SplitSeq(r.Header.Get("Accept-Encoding"), ",") {
		name, _, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(name, "gzip") {
			return true
		}
	}
	return false
}
