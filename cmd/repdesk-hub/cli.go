package main

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"repdesk/sync/hub"
	"repdesk/sync/protocol"
)

// Exit codes.
const (
	exitOK      = 0
	exitRuntime = 1
	exitUsage   = 2
)

const usageText = `usage:
  repdesk-hub serve --db FILE|postgres://... [--addr 127.0.0.1:8088] [--tls-cert FILE --tls-key FILE]
                    [--retention 2160h] [--max-body BYTES] [--max-batch N] [--log-format json|text]
  repdesk-hub users add --db DB --name NAME --role rep|manager|admin [--territory T]...
  repdesk-hub users list --db DB [--json]
  repdesk-hub users revoke --db DB NAME
  repdesk-hub backup --db FILE --out FILE
  repdesk-hub restore --db FILE BACKUP [--json]      (stop the hub first)
  repdesk-hub migrate --from FILE --to postgres://... [--json]
  repdesk-hub version [--json]
--db defaults to $REPDESK_HUB_DB.
`

// Stamped at build time by the Makefile (-ldflags -X), like the app's.
var (
	Version   = "dev"
	Commit    = "unknown"
	BuildDate = "unknown"
)

// usageError is a mistake in the command line: exit code 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

// run runs the command line and returns the exit code; errors are one line
// on stderr.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	err := dispatch(ctx, args, stdout, stderr)
	var ue usageError
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, flag.ErrHelp):
		fmt.Fprint(stdout, usageText)
		return exitOK
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "repdesk-hub: %s (see repdesk-hub --help)\n", ue.msg)
		return exitUsage
	default:
		fmt.Fprintf(stderr, "repdesk-hub: %v\n", err)
		return exitRuntime
	}
}

func dispatch(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return usagef("no command: use serve, users, backup, restore, migrate or version")
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		return flag.ErrHelp
	case "serve":
		return serve(ctx, args[1:], stderr)
	case "backup":
		return backupCmd(ctx, args[1:], stdout)
	case "restore":
		return restoreCmd(ctx, args[1:], stdout)
	case "migrate":
		return migrateCmd(ctx, args[1:], stdout)
	case "version":
		return versionCmd(args[1:], stdout)
	case "users":
		if len(args) < 2 {
			return usagef("users: no sub-command: use add, list or revoke")
		}
		switch args[1] {
		case "add":
			return usersAdd(ctx, args[2:], stdout)
		case "list":
			return usersList(ctx, args[2:], stdout)
		case "revoke":
			return usersRevoke(ctx, args[2:])
		case "-h", "--help":
			return flag.ErrHelp
		}
		return usagef("users: unknown sub-command %q: use add, list or revoke", args[1])
	}
	return usagef("unknown command %q: use serve, users, backup, restore, migrate or version", args[0])
}

// flagSet returns a flag set that reports errors instead of printing.
func flagSet(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs
}

// newFlagSet returns a flagSet with --db taken from $REPDESK_HUB_DB by
// default.
func newFlagSet(name string) (*flag.FlagSet, *string) {
	fs := flagSet(name)
	db := fs.String("db", os.Getenv("REPDESK_HUB_DB"), "database: a SQLite file or a postgres:// URL")
	return fs, db
}

// parse parses flags that may stand before or after positional arguments
// and returns the positional ones.
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, usagef("%s: %v", fs.Name(), err)
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

func openDB(ctx context.Context, name, dsn string) (*hub.DB, error) {
	if dsn == "" {
		return nil, usagef("%s: no database: give --db or set REPDESK_HUB_DB", name)
	}
	return hub.Open(ctx, dsn)
}

// territories collects repeated --territory flags.
type territories []string

func (t *territories) String() string { return strings.Join(*t, ",") }

func (t *territories) Set(v string) error {
	*t = append(*t, v)
	return nil
}

func usersAdd(ctx context.Context, args []string, stdout io.Writer) error {
	fs, dsn := newFlagSet("users add")
	name := fs.String("name", "", "user name")
	role := fs.String("role", "", "rep, manager or admin")
	var terr territories
	fs.Var(&terr, "territory", "a territory of the user (repeatable)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	switch {
	case len(pos) > 0:
		return usagef("users add: unexpected argument %q", pos[0])
	case *name == "":
		return usagef("users add: --name is required")
	case *role != protocol.RoleRep && *role != protocol.RoleManager && *role != protocol.RoleAdmin:
		return usagef("users add: --role must be rep, manager or admin, not %q", *role)
	}
	db, err := openDB(ctx, "users add", *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	token, err := db.AddUser(ctx, *name, *role, terr)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(stdout, token)
	return err
}

func usersList(ctx context.Context, args []string, stdout io.Writer) error {
	fs, dsn := newFlagSet("users list")
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("users list: unexpected argument %q", pos[0])
	}
	db, err := openDB(ctx, "users list", *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	users, err := db.Users(ctx)
	if err != nil {
		return err
	}
	if *asJSON {
		if users == nil {
			users = []hub.User{}
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(users)
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tROLE\tTERRITORIES\tCREATED\tSTATUS")
	for _, u := range users {
		status := "active"
		if u.Revoked {
			status = "revoked " + u.RevokedAt.Format(time.DateOnly)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", u.Name, u.Role, strings.Join(u.Territories, ","), u.CreatedAt.Format(time.DateOnly), status)
	}
	return tw.Flush()
}

func usersRevoke(ctx context.Context, args []string) error {
	fs, dsn := newFlagSet("users revoke")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("users revoke: give exactly one user name")
	}
	db, err := openDB(ctx, "users revoke", *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	return db.RevokeUser(ctx, pos[0])
}

func serve(ctx context.Context, args []string, stderr io.Writer) error {
	fs, dsn := newFlagSet("serve")
	addr := fs.String("addr", "127.0.0.1:8088", "address to listen on")
	cert := fs.String("tls-cert", "", "TLS certificate file (PEM)")
	key := fs.String("tls-key", "", "TLS key file (PEM)")
	retention := fs.Duration("retention", 90*24*time.Hour, "how long tombstones and moves are kept for catching up; 0 keeps them forever")
	maxBody := fs.Int64("max-body", protocol.DefaultMaxBodyBytes, "largest request body in bytes")
	maxBatch := fs.Int("max-batch", protocol.DefaultMaxBatch, "most mutations in one push")
	logFormat := fs.String("log-format", "json", "log format: json or text")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	switch {
	case len(pos) > 0:
		return usagef("serve: unexpected argument %q", pos[0])
	case (*cert == "") != (*key == ""):
		return usagef("serve: --tls-cert and --tls-key go together")
	case *maxBody <= 0 || *maxBatch <= 0:
		return usagef("serve: --max-body and --max-batch must be positive")
	case *retention < 0:
		return usagef("serve: --retention must not be negative")
	}
	var handler slog.Handler
	switch *logFormat {
	case "json":
		handler = slog.NewJSONHandler(stderr, nil)
	case "text":
		handler = slog.NewTextHandler(stderr, nil)
	default:
		return usagef("serve: --log-format must be json or text, not %q", *logFormat)
	}
	log := slog.New(handler)

	db, err := openDB(ctx, "serve", *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	srv := &http.Server{
		Handler:           hub.NewServer(db, hub.Options{MaxBodyBytes: *maxBody, MaxBatch: *maxBatch, Logger: log}),
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(handler, slog.LevelWarn),
	}
	if *cert != "" {
		c, err := tls.LoadX509KeyPair(*cert, *key)
		if err != nil {
			return fmt.Errorf("serve: TLS: %w", err)
		}
		srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{c}, MinVersion: tls.VersionTLS12}
	}
	l, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	if srv.TLSConfig != nil {
		l = tls.NewListener(l, srv.TLSConfig)
	}
	scheme := map[bool]string{true: "https", false: "http"}[srv.TLSConfig != nil]
	log.Info("hub listening", slog.String("url", scheme+"://"+l.Addr().String()), slog.Bool("postgres", hub.IsPostgres(*dsn)),
		slog.String("version", Version), slog.String("commit", Commit))

	if *retention > 0 {
		go pruneLoop(ctx, db, *retention, log)
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(l) }()
	select {
	case err := <-served:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("serve: shutdown: %w", err)
	}
	log.Info("stopped")
	return nil
}

// pruneLoop prunes once at start and then hourly.
func pruneLoop(ctx context.Context, db *hub.DB, retention time.Duration, log *slog.Logger) {
	tick := time.NewTicker(time.Hour)
	defer tick.Stop()
	for {
		horizon, err := db.Prune(ctx, time.Now().Add(-retention))
		if err != nil && ctx.Err() == nil {
			log.Error("prune failed", slog.String("error", err.Error()))
		} else if err == nil {
			log.Debug("pruned", slog.Int64("horizon", horizon))
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// versionCmd prints the stamped version, so that an admin can tell which
// build a server runs before and after an upgrade.
func versionCmd(args []string, stdout io.Writer) error {
	fs := flagSet("version")
	asJSON := fs.Bool("json", false, "print JSON")
	rest, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return usagef("version: unexpected argument %q", rest[0])
	}
	if *asJSON {
		return json.NewEncoder(stdout).Encode(map[string]string{"version": Version, "commit": Commit, "build_date": BuildDate})
	}
	fmt.Fprintf(stdout, "repdesk-hub %s (commit %s, built %s)\n", Version, Commit, BuildDate)
	return nil
}
