package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"repdesk/localdb"
	"repdesk/localdb/dedupe"
	"repdesk/localdb/demo"
	"repdesk/localdb/provision"
	"repdesk/sync/client"
)

// syncOptions are the sync client's options for a data directory; tests
// shorten the retries.
var syncOptions = func(dataDir string) client.Options {
	return client.Options{DataDir: dataDir, Retries: 3, RetryWait: 300 * time.Millisecond, RetryMaxWait: 5 * time.Second}
}

// syncClient opens the database and a sync client on it.
func (c *runCtx) syncClient() (*client.Client, error) {
	s, err := c.open()
	if err != nil {
		return nil, err
	}
	opts := syncOptions(c.dataDir)
	if opts.RootCAs, err = c.provisioning().CertPool(); err != nil {
		return nil, err
	}
	return client.New(s, opts), nil
}

// syncError gives errors of the sync client their exit code: 4 when the
// server cannot be reached.
func syncError(err error) error {
	if errors.Is(err, client.ErrUnreachable) {
		return &exitError{code: ExitUnreachable, err: err}
	}
	return err
}

func runLogin(c *runCtx, args []string) error {
	fs := newFlags("login")
	server := fs.String("server", "", "the sync server's `URL`, e.g. https://hub.example.com")
	token := fs.String("token", "", "the access `TOKEN` your administrator gave you")
	tokenFile := fs.String("token-file", "", "read the token from `FILE` (- for standard input)")
	withDemo := fs.Bool("upload-demo-data", false, "sign in even though this database holds demo data (it goes to the team)")
	if _, err := parse(fs, args, 0, 0); err != nil {
		return err
	}
	if (*token == "") == (*tokenFile == "") {
		return usagef("login: give --token TOKEN or --token-file FILE")
	}
	secret := *token
	if *tokenFile != "" {
		var b []byte
		var err error
		if *tokenFile == "-" {
			b, err = io.ReadAll(io.LimitReader(c.env.Stdin, 64<<10))
		} else {
			b, err = os.ReadFile(*tokenFile)
		}
		if err != nil {
			return fmt.Errorf("login: read token: %w", err)
		}
		secret = strings.TrimSpace(string(b))
		if secret == "" {
			return usagef("login: the token file %s is empty", *tokenFile)
		}
	}
	sc, err := c.syncClient()
	if err != nil {
		return err
	}
	p := c.provisioning()
	if *server != "" && p.Locks(provision.LockServer) && strings.TrimRight(*server, "/") != p.Server {
		return usagef("login: the server is %v: %s (leave out --server)", provision.ErrLocked, p.Server)
	}
	if *server == "" {
		if *server, err = sc.Server(c.ctx); err != nil {
			return err
		}
		if *server == "" && p != nil {
			*server = p.Server
		}
		if *server == "" {
			return usagef("login: give --server URL (no server is configured yet)")
		}
	}
	if !*withDemo {
		if err := demo.GuardConnect(c.ctx, sc.Store()); err != nil {
			return fmt.Errorf("login: %w; sign in from a fresh data directory (repdesk --data DIR login ...) or pass --upload-demo-data", err)
		}
	}
	me, err := sc.LoginAccount(c.ctx, *server, secret)
	if err != nil {
		return syncError(err)
	}
	stored, err := sc.Server(c.ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(c.out(), "Logged in to %s as %s (%s). Run repdesk sync to sync now.\n", stored, me.User, me.Role)
	return nil
}

func runSync(c *runCtx, args []string) error {
	fs := newFlags("sync")
	asJSON := fs.Bool("json", false, "print JSON")
	if _, err := parse(fs, args, 0, 0); err != nil {
		return err
	}
	sc, err := c.syncClient()
	if err != nil {
		return err
	}
	res, err := sc.Sync(c.ctx)
	if err != nil {
		if errors.Is(err, client.ErrUnreachable) {
			if n, perr := c.store.PendingCount(c.ctx); perr == nil {
				err = fmt.Errorf("%w; %d local changes are kept and go with the next sync", err, n)
			}
		}
		return syncError(err)
	}
	if res, err = followMerges(c, sc, res); err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(c.out(), res)
	}
	fmt.Fprintf(c.out(), "Pushed %d, pulled %d; %d new conflicts, %d rejected; %d pending.\n",
		res.Pushed, res.Pulled, res.Conflicts, res.Rejected, res.Pending)
	if res.Conflicts > 0 {
		fmt.Fprintln(c.out(), "See the conflicts with: repdesk conflicts")
	}
	if res.Rejected > 0 {
		fmt.Fprintln(c.out(), "The server refused some changes; the reasons are in the app's sync history.")
	}
	return nil
}

// statusJSON is the answer of repdesk status --json.
type statusJSON struct {
	Server    string     `json:"server"`
	Online    bool       `json:"online"`
	Pending   int        `json:"pending"`
	Conflicts int        `json:"conflicts"`
	LastSync  *time.Time `json:"last_sync"`
}

func runStatus(c *runCtx, args []string) error {
	fs := newFlags("status")
	asJSON := fs.Bool("json", false, "print JSON")
	if _, err := parse(fs, args, 0, 0); err != nil {
		return err
	}
	sc, err := c.syncClient()
	if err != nil {
		return err
	}
	server, err := sc.Server(c.ctx)
	if err != nil {
		return err
	}
	online := false
	if server != "" {
		online = sc.Probe(c.ctx, 5*time.Second) == nil
	}
	st := sc.Status()
	out := statusJSON{Server: server, Online: online, Pending: st.Pending, Conflicts: st.Conflicts}
	if !st.LastSync.IsZero() {
		t := st.LastSync.UTC()
		out.LastSync = &t
	}
	if *asJSON {
		return writeJSON(c.out(), out)
	}
	w := c.out()
	switch {
	case server == "":
		field(w, "Server", "none (repdesk login --server URL --token TOKEN)")
	case online:
		field(w, "Server", server+" (online)")
	default:
		field(w, "Server", server+" (cannot be reached)")
	}
	fmt.Fprintf(w, "%-13s %d\n", "Pending:", out.Pending)
	fmt.Fprintf(w, "%-13s %d\n", "Conflicts:", out.Conflicts)
	last := "never"
	if out.LastSync != nil {
		last = localTime(*out.LastSync)
	}
	field(w, "Last sync", last)
	if st.Rejected > 0 {
		fmt.Fprintf(w, "%-13s %d\n", "Rejected:", st.Rejected)
	}
	return nil
}

func runConflicts(c *runCtx, args []string) error {
	if len(args) > 0 && args[0] == "resolve" {
		return conflictsResolve(c, args[1:])
	}
	fs := newFlags("conflicts")
	asJSON := fs.Bool("json", false, "print JSON")
	if _, err := parse(fs, args, 0, 0); err != nil {
		return err
	}
	sc, err := c.syncClient()
	if err != nil {
		return err
	}
	cs, err := sc.Conflicts(c.ctx)
	if err != nil {
		return err
	}
	if *asJSON {
		if cs == nil {
			cs = []client.Conflict{}
		}
		return writeJSON(c.out(), cs)
	}
	if len(cs) == 0 {
		fmt.Fprintln(c.out(), "No open conflicts.")
		return nil
	}
	tb := newTable(c.out(), "ID", "RECORD", "FIELD", "MINE", "THEIRS", "BY")
	for _, cf := range cs {
		what, mine, theirs := cf.Field, string(cf.Mine), string(cf.Theirs)
		if cf.Deleted {
			what = "(deleted)"
			mine, theirs = deletedOr(cf.Mine), deletedOr(cf.Theirs)
		}
		tb.row(cf.ID, cf.Entity+" "+labelOr(cf.Label, cf.RecordID), what, mine, theirs, cf.TheirAuthor)
	}
	if err := tb.flush(); err != nil {
		return err
	}
	fmt.Fprintln(c.out(), "\nDecide with: repdesk conflicts resolve ID --keep mine|theirs (restore: bring a deleted record back with the edit)")
	return nil
}

func deletedOr(v []byte) string {
	if s := string(v); s != "null" && s != "" {
		return s
	}
	return "deleted"
}

func labelOr(label, id string) string {
	if label != "" {
		return label
	}
	return id
}

func conflictsResolve(c *runCtx, args []string) error {
	fs := newFlags("conflicts resolve")
	keep := fs.String("keep", "", "which side wins: mine, theirs, or restore (an edit that met a delete)")
	pos, err := parse(fs, args, 1, 1)
	if err != nil {
		return err
	}
	switch *keep {
	case client.KeepMine, client.KeepTheirs, client.KeepRestore:
	case "":
		return usagef("conflicts resolve: give --keep mine, theirs or restore")
	default:
		return usagef("conflicts resolve: --keep %q: want mine, theirs or restore", *keep)
	}
	sc, err := c.syncClient()
	if err != nil {
		return err
	}
	if err := sc.Resolve(c.ctx, pos[0], *keep); err != nil {
		if errors.Is(err, localdb.ErrNotFound) || errors.Is(err, localdb.ErrAmbiguous) {
			return usagef("%v (list them with: repdesk conflicts)", err)
		}
		return err
	}
	fmt.Fprintf(c.out(), "Resolved (%s); the decision goes to the server with the next sync.\n", *keep)
	return nil
}

// followMerges re-points links this machine made to records that another
// client merged away (they arrived with the sync) and sends them at once.
func followMerges(c *runCtx, sc *client.Client, res client.Result) (client.Result, error) {
	n, err := dedupe.FollowMerges(c.ctx, c.store)
	if err != nil || n == 0 {
		return res, err
	}
	more, err := sc.Sync(c.ctx)
	if err != nil {
		return res, syncError(err)
	}
	res.Pushed += more.Pushed
	res.Pulled += more.Pulled
	res.Conflicts += more.Conflicts
	res.Rejected += more.Rejected
	res.Pending = more.Pending
	return res, nil
}
