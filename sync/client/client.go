// Package client is RepDesk's sync client: it pushes the local journal to
// the hub and pulls the hub's changes into the local store (localdb), over
// REST and JSON with a bearer token (see docs/sync-protocol.md).
//
// A sync pushes every pending journal entry in batches, marking entries
// pushed only after the hub's answer, then pulls pages of changes, applying
// each page and advancing the cursor in one local transaction. The first
// sync, and a re-sync after a long time offline (410), load a paged,
// compressed snapshot instead; a re-sync keeps every unpushed local change.
// Every step can be cut off at any point (crash, network): the next sync
// converges, because pushes are idempotent by mutation number and pulls by
// cursor.
//
// Client is safe for concurrent use; syncs run one at a time. Run is the
// background loop of the desktop app.
package client

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/go-resty/resty/v2"

	"repdesk/localdb"
	"repdesk/sync/protocol"
)

// Options tune a Client; zero values take the defaults.
type Options struct {
	// DataDir holds the token file (DataDir/token, mode 0600).
	DataDir string
	// Timeout bounds one HTTP request, its body included (default 2 min).
	Timeout time.Duration
	// Retries is how often a request is retried after a network error, a
	// 5xx or a 429 (default 5; negative: never).
	Retries int
	// RetryWait and RetryMaxWait are the first and the longest wait
	// between retries (default 500 ms and 30 s); waits double with jitter.
	RetryWait, RetryMaxWait time.Duration
	// Interval is the time between Run's automatic syncs (default 5 min;
	// negative: only on demand).
	Interval time.Duration
	// ProbeWait and ProbeMaxWait bound the backoff of Run's /healthz probe
	// while offline (default 2 s and 2 min).
	ProbeWait, ProbeMaxWait time.Duration
	// PushBatch is the number of journal entries per push (default 2000).
	PushBatch int
	// PullLimit and SnapshotLimit are the page sizes of pulls and
	// snapshots (default 2000 and 5000: the first page, fetched before
	// anything can be stored, is the part of a first sync that does not
	// overlap; 100,000 contacts took 6.8–7.7 s in pages of 5000, 9.6–11.5 s
	// in pages of 20,000 on the same machine).
	PullLimit, SnapshotLimit int
	// BackgroundIndex leaves the search rows of the records a snapshot
	// loaded (a first sync, a re-sync) to Run, which writes them after the
	// sync while the records can be browsed already; else Sync writes them
	// before it returns.
	BackgroundIndex bool
	// Transport replaces the HTTP transport (tests, proxies).
	Transport http.RoundTripper
	// RootCAs are the certificate authorities trusted for the hub's TLS
	// certificate (a provisioned CA of a self-hosted hub); nil: the
	// system's. Ignored when Transport is set.
	RootCAs *x509.CertPool
	// Logger gets debug messages about requests and retries (default:
	// none). The token never appears in them.
	Logger *slog.Logger
}

func (o *Options) defaults() {
	if o.Timeout <= 0 {
		o.Timeout = 2 * time.Minute
	}
	switch {
	case o.Retries == 0:
		o.Retries = 5
	case o.Retries < 0:
		o.Retries = 0
	}
	if o.RetryWait <= 0 {
		o.RetryWait = 500 * time.Millisecond
	}
	if o.RetryMaxWait <= 0 {
		o.RetryMaxWait = 30 * time.Second
	}
	if o.RetryMaxWait < o.RetryWait {
		o.RetryMaxWait = o.RetryWait
	}
	if o.Interval == 0 {
		o.Interval = 5 * time.Minute
	}
	if o.ProbeWait <= 0 {
		o.ProbeWait = 2 * time.Second
	}
	if o.ProbeMaxWait <= 0 {
		o.ProbeMaxWait = 2 * time.Minute
	}
	if o.PushBatch <= 0 {
		o.PushBatch = 2000
	}
	o.PushBatch = min(o.PushBatch, protocol.DefaultMaxBatch)
	if o.PullLimit <= 0 {
		o.PullLimit = 2000
	}
	o.PullLimit = min(o.PullLimit, protocol.MaxPullLimit)
	if o.SnapshotLimit <= 0 {
		o.SnapshotLimit = 5000
	}
	o.SnapshotLimit = min(o.SnapshotLimit, protocol.MaxSnapshotLimit)
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
}

// Client syncs one local store with its hub.
type Client struct {
	store *localdb.Store
	opts  Options
	rc    *resty.Client
	log   *slog.Logger

	syncMu sync.Mutex // one sync (or resolution) at a time

	mu        sync.Mutex // guards the fields below
	online    bool
	syncing   bool
	indexing  bool
	lastError string
	done      int
	total     int
	subs      map[int]func(Status)
	nextSub   int
	interval  time.Duration

	wake     chan struct{} // Trigger: sync now
	reconfig chan struct{} // SetInterval: re-arm the timer

	hooks hooks
}

// hooks inject failures at crash points, for tests.
type hooks struct {
	// afterPushAnswer runs when the hub's answer to a push arrived (and
	// the next batch may be on its way), before the answer is stored: an
	// error simulates a crash that loses the answer.
	afterPushAnswer func() error
	// beforeCursor runs inside the transaction of a pulled page, after the
	// page is applied and before the cursor advances: an error simulates a
	// crash between the two.
	beforeCursor func() error
	// beforePull runs between a sync's push and its pull.
	beforePull func()
}

// New returns a client of store.
func New(store *localdb.Store, opts Options) *Client {
	opts.defaults()
	c := &Client{store: store, opts: opts, log: opts.Logger, subs: map[int]func(Status){},
		interval: opts.Interval, wake: make(chan struct{}, 1), reconfig: make(chan struct{}, 1)}
	c.rc = newResty(opts, protocol.Version)
	return c
}

// Store is the local store the client syncs.
func (c *Client) Store() *localdb.Store { return c.store }

// TokenFile is the file that holds the token in dataDir.
func TokenFile(dataDir string) string { return filepath.Join(dataDir, "token") }

// SaveToken writes the token to dataDir/token, readable by the user only.
// The file is replaced atomically.
func SaveToken(dataDir, token string) error {
	token = strings.TrimSpace(token)
	if token == "" {
		return errors.New("save token: the token is empty")
	}
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return fmt.Errorf("save token: %w", err)
	}
	f, err := os.CreateTemp(dataDir, ".token-*") // mode 0600
	if err != nil {
		return fmt.Errorf("save token: %w", err)
	}
	tmp := f.Name()
	defer os.Remove(tmp) // after a successful rename there is nothing to remove
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return fmt.Errorf("save token: %w", err)
	}
	if _, err := f.WriteString(token + "\n"); err != nil {
		f.Close()
		return fmt.Errorf("save token: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("save token: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("save token: %w", err)
	}
	if err := os.Rename(tmp, TokenFile(dataDir)); err != nil {
		return fmt.Errorf("save token: %w", err)
	}
	return nil
}

// LoadToken reads the token saved in dataDir; an error wrapping
// ErrNotConfigured when there is none. A token file readable by others is
// made private again.
func LoadToken(dataDir string) (string, error) {
	if dataDir == "" {
		return "", fmt.Errorf("read token: no data directory: %w", ErrNotConfigured)
	}
	name := TokenFile(dataDir)
	b, err := os.ReadFile(name)
	if errors.Is(err, os.ErrNotExist) {
		return "", fmt.Errorf("no token in %s: %w", name, ErrNotConfigured)
	}
	if err != nil {
		return "", fmt.Errorf("read token: %w", err)
	}
	if st, err := os.Stat(name); err == nil && st.Mode().Perm()&0o077 != 0 {
		if err := os.Chmod(name, 0o600); err != nil {
			return "", fmt.Errorf("token file %s is readable by others and cannot be made private: %w", name, err)
		}
	}
	token := strings.TrimSpace(string(b))
	if token == "" {
		return "", fmt.Errorf("token file %s is empty: %w", name, ErrNotConfigured)
	}
	return token, nil
}

// Server is the configured hub URL ("" when none).
func (c *Client) Server(ctx context.Context) (string, error) {
	s, err := c.store.SyncValue(ctx, localdb.SyncServer)
	if errors.Is(err, localdb.ErrNotFound) {
		return "", nil
	}
	return s, err
}

// session is what one sync talks to the hub with.
type session struct {
	api      *api
	clientID string
}

func (c *Client) session(ctx context.Context) (*session, error) {
	server, err := c.Server(ctx)
	if err != nil {
		return nil, err
	}
	if server == "" {
		return nil, ErrNotConfigured
	}
	token, err := LoadToken(c.opts.DataDir)
	if err != nil {
		return nil, err
	}
	id, err := c.store.ClientID(ctx)
	if err != nil {
		return nil, err
	}
	return &session{api: &api{rc: c.rc, server: server, token: token}, clientID: id}, nil
}

// Account is the hub account a Login checked.
type Account = protocol.Me

// Login checks server and token with the hub (GET /v1/me), then stores the
// server in the database and the token in DataDir/token. Switching to
// another hub or another user starts sync afresh (a new client id, a full
// snapshot); changes not yet pushed stay and go to the new hub.
func (c *Client) Login(ctx context.Context, server, token string) error {
	_, err := c.LoginAccount(ctx, server, token)
	return err
}

// LoginAccount is Login returning the account the token belongs to.
func (c *Client) LoginAccount(ctx context.Context, server, token string) (Account, error) {
	server, err := normalizeServer(server)
	if err != nil {
		return Account{}, fmt.Errorf("login: %w", err)
	}
	token = strings.TrimSpace(token)
	if token == "" {
		return Account{}, errors.New("login: the token is empty")
	}
	if c.opts.DataDir == "" {
		return Account{}, errors.New("login: no data directory to keep the token in")
	}
	c.syncMu.Lock()
	defer c.syncMu.Unlock()
	me, err := (&api{rc: c.rc, server: server, token: token}).me(ctx)
	c.noteContact(err)
	if err != nil {
		return Account{}, fmt.Errorf("login: %w", err)
	}
	oldServer, err := c.Server(ctx)
	if err != nil {
		return Account{}, fmt.Errorf("login: %w", err)
	}
	oldUser, err := c.store.SyncValue(ctx, localdb.SyncUser)
	if err != nil && !errors.Is(err, localdb.ErrNotFound) {
		return Account{}, fmt.Errorf("login: %w", err)
	}
	if oldServer != "" && (oldServer != server || (oldUser != "" && oldUser != me.User)) {
		if err := c.store.ResetSyncState(ctx); err != nil {
			return Account{}, fmt.Errorf("login: %w", err)
		}
	}
	if err := SaveToken(c.opts.DataDir, token); err != nil {
		return Account{}, fmt.Errorf("login: %w", err)
	}
	if err := c.store.SetSyncValue(ctx, localdb.SyncServer, server); err != nil {
		return Account{}, fmt.Errorf("login: %w", err)
	}
	if err := c.store.SetSyncValue(ctx, localdb.SyncUser, me.User); err != nil {
		return Account{}, fmt.Errorf("login: %w", err)
	}
	// This database's user is the hub user from now on: the hub names them
	// so as owner of their records and as assignee of the visits booked for
	// them, and the planner and a new visit start with that name.
	if err := c.store.SetSetting(ctx, localdb.SettingOwner, me.User); err != nil {
		return Account{}, fmt.Errorf("login: %w", err)
	}
	// Its role decides what the app shows offline (a manager sees every
	// rep's target, a rep their own).
	if err := c.store.SetSetting(ctx, localdb.SettingAccountRole, me.Role); err != nil {
		return Account{}, fmt.Errorf("login: %w", err)
	}
	c.publish()
	c.Trigger()
	return me, nil
}

// Probe asks the hub's /healthz once, without retries, and records the
// answer in the status.
func (c *Client) Probe(ctx context.Context, timeout time.Duration) error {
	server, err := c.Server(ctx)
	if err != nil {
		return err
	}
	if server == "" {
		return ErrNotConfigured
	}
	err = (&api{rc: c.rc, server: server}).health(ctx, timeout)
	c.noteContact(err)
	return err
}
