// Package cli is RepDesk's command line: every sub-command of the repdesk
// binary except opening the window, which main wires in through Env.RunApp so
// that this package builds and tests without a display or cgo.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"repdesk/localdb"
	"repdesk/localdb/provision"
)

// Build information, stamped at link time (-ldflags "-X repdesk/cmd/repdesk/cli.Version=...").
var (
	Version   = "dev"
	Commit    = "unknown"
	BuildDate = "unknown"
)

// Exit codes: part of the public contract for scripts.
const (
	ExitOK          = 0
	ExitError       = 1
	ExitUsage       = 2
	ExitPartial     = 3 // import: some cards failed, the rest were imported
	ExitUnreachable = 4 // sync: the server cannot be reached
)

// AppOptions is what the desktop app needs from the command line.
type AppOptions struct {
	DataDir        string
	ScreenshotsDir string // non-empty: screenshot mode
	SeedDemo       bool   // seed demo data when the database is new
	Measure        bool   // measure start-up, search and memory, print them and quit
	// Provisioning is the administrator's provisioning (nil: none, or a
	// broken one, whose error is ProvisionError: the app says so).
	Provisioning   *provision.Provisioning
	ProvisionError error
}

// Env is the outside world of a run: streams, environment and the desktop app.
type Env struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	Getenv func(string) string
	// RunApp opens the desktop app (nil: not available in this build).
	RunApp func(ctx context.Context, store *localdb.Store, opts AppOptions) error
}

// usageError is a mistake in how the command was called (exit 2).
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return &usageError{fmt.Sprintf(format, args...)} }

// exitError carries a specific exit code.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// command is one sub-command.
type command struct {
	name    string
	summary string
	run     func(c *runCtx, args []string) error
}

// runCtx is what a command runs with.
type runCtx struct {
	ctx     context.Context
	env     Env
	dataDir string
	store   *localdb.Store

	provisionRead bool
	provision     *provision.Provisioning
	provisionErr  error
}

func (c *runCtx) out() io.Writer { return c.env.Stdout }

// open opens the local database, once.
func (c *runCtx) open() (*localdb.Store, error) {
	if c.store != nil {
		return c.store, nil
	}
	s, err := localdb.Open(c.dbPath())
	if err != nil {
		return nil, err
	}
	c.store = s
	if err := c.applyProvisioning(); err != nil {
		return nil, err
	}
	return s, nil
}

var commands []command

func init() {
	commands = []command{
		{"contacts", "add, list, show, edit and delete contacts", runContacts},
		{"companies", "add, list, show, edit and delete companies", runCompanies},
		{"deals", "add, list, show, move and delete deals", runDeals},
		{"log", "log a call, e-mail, meeting or note on a contact, company or deal", runLog},
		{"tasks", "list, add and complete tasks", runTasks},
		{"queue", "call queue: queue [filter flags] [--json]; queue next|log|save|filters|delete", runQueue},
		{"cadences", "call cadences: cadences list|save NAME --steps 0:call,2:email|enroll NAME CONTACT_ID...|stop CONTACT_ID|enrollments", runCadences},
		{"qualify", "qualify a lead: qualify CONTACT_ID --budget --authority --need --timeline (opens a Qualified deal)", runQualify},
		{"visits", "field visits: visits [list] [--assignee NAME] [--day DATE|--week YYYY-Www]; visits add|plan|order|report|ics", runVisits},
		{"brief", "the visit brief as PDF: brief VISIT_ID --out FILE.pdf", runBrief},
		{"search", "find contacts, companies and deals", runSearch},
		{"import", "import vCard files (merging, never duplicating)", runImport},
		{"export", "export contacts as vCards", runExport},
		{"demo", "fill the database with realistic demo data", runDemo},
		{"login", "connect to a sync server: login --server URL --token TOKEN", runLogin},
		{"sync", "send local changes to the sync server and fetch everyone else's", runSync},
		{"status", "show the sync server, pending changes, conflicts and the last sync", runStatus},
		{"conflicts", "list sync conflicts; conflicts resolve ID --keep mine|theirs", runConflicts},
		{"provision", "show the administrator's provisioning and where it came from", runProvision},
		{"backup", "write a consistent copy of the database: backup --out FILE", runBackup},
		{"restore", "replace the database by a backup, keeping the current one and its unsynced changes", runRestore},
		{"forecast", "weighted pipeline by stage and month, won this month, targets and progress", runForecast},
		{"targets", "set and list monthly sales targets: targets set --month 2026-12 --amount 50000EUR [--rep NAME]", runTargets},
		{"products", "add, list, edit and delete products of the catalog", runProducts},
		{"duplicates", "likely duplicate contacts or companies: duplicates [--companies] [--json]; duplicates distinct ID ID", runDuplicates},
		{"merge", "merge two duplicates: merge KEEP_ID OTHER_ID [--take FIELD,...]", runMerge},
		{"suggest", "suggest add-ons for a customer: suggest COMPANY_ID [--create SKU]", runSuggest},
		{"version", "print the version", runVersion},
		{"help", "show this help", runHelp},
	}
}

// Run executes the command line args (without the program name) and returns
// the exit code.
func Run(ctx context.Context, args []string, env Env) int {
	if env.Getenv == nil {
		env.Getenv = os.Getenv
	}
	err := run(ctx, args, env)
	if err == nil {
		return ExitOK
	}
	fmt.Fprintln(env.Stderr, "repdesk: "+oneLine(err.Error()))
	var ue *usageError
	var ee *exitError
	switch {
	case errors.As(err, &ue):
		return ExitUsage
	case errors.As(err, &ee):
		return ee.code
	}
	return ExitError
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func run(ctx context.Context, args []string, env Env) error {
	args, dataDir, err := takeDataDir(args, env)
	if err != nil {
		return err
	}
	c := &runCtx{ctx: ctx, env: env, dataDir: dataDir}
	defer func() {
		if c.store != nil {
			c.store.Close()
		}
	}()
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		return runApp(c, args)
	}
	for _, cmd := range commands {
		if cmd.name == args[0] {
			return cmd.run(c, args[1:])
		}
	}
	return usagef("unknown command %q (run 'repdesk help' for the list)", args[0])
}

// takeDataDir removes --data DIR from anywhere in args; REPDESK_DATA and the
// user's config directory are the fallbacks.
func takeDataDir(args []string, env Env) ([]string, string, error) {
	dir := env.Getenv("REPDESK_DATA")
	var rest []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--data" || a == "-data":
			if i+1 >= len(args) {
				return nil, "", usagef("--data needs a directory")
			}
			dir = args[i+1]
			i++
		case strings.HasPrefix(a, "--data="), strings.HasPrefix(a, "-data="):
			_, dir, _ = strings.Cut(a, "=")
		default:
			rest = append(rest, a)
		}
	}
	if dir == "" {
		cfg, err := os.UserConfigDir()
		if err != nil {
			return nil, "", fmt.Errorf("no data directory: give --data DIR or set REPDESK_DATA (%w)", err)
		}
		dir = filepath.Join(cfg, "repdesk")
	}
	return rest, dir, nil
}

func runApp(c *runCtx, args []string) error {
	fs := newFlags("repdesk")
	shots := fs.String("screenshots", "", "save a screenshot of every screen into `DIR` and quit")
	seed := fs.Bool("demo-on-first-start", false, "seed demo data when the database is new")
	measure := fs.Bool("measure", false, "measure start-up time, search keystrokes and memory, print them and quit")
	if _, err := parse(fs, args, 0, 0); err != nil {
		return err
	}
	if c.env.RunApp == nil {
		return errors.New("this build has no desktop app; use a sub-command (repdesk help)")
	}
	s, err := c.open()
	if err != nil {
		return err
	}
	return c.env.RunApp(c.ctx, s, AppOptions{DataDir: c.dataDir, ScreenshotsDir: *shots, SeedDemo: *seed, Measure: *measure,
		Provisioning: c.provisioning(), ProvisionError: c.provisionErr})
}

func runVersion(c *runCtx, args []string) error {
	fs := newFlags("repdesk version")
	asJSON := fs.Bool("json", false, "print JSON")
	if _, err := parse(fs, args, 0, 0); err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(c.out(), map[string]string{"version": Version, "commit": Commit, "build_date": BuildDate})
	}
	fmt.Fprintf(c.out(), "repdesk %s (commit %s, built %s)\n", Version, Commit, BuildDate)
	return nil
}

func runHelp(c *runCtx, args []string) error {
	w := c.out()
	fmt.Fprintln(w, "RepDesk — the offline-first workstation for sales reps.")
	fmt.Fprintln(w, "\nUsage: repdesk [--data DIR] [COMMAND] [ARGS] [FLAGS]")
	fmt.Fprintln(w, "Without a command, repdesk opens the desktop app.")
	fmt.Fprintln(w, "\nCommands:")
	cmds := append([]command(nil), commands...)
	sort.Slice(cmds, func(i, j int) bool { return cmds[i].name < cmds[j].name })
	for _, cmd := range cmds {
		fmt.Fprintf(w, "  %-10s %s\n", cmd.name, cmd.summary)
	}
	fmt.Fprintln(w, "\nEvery list, show and search takes --json. Flags may stand before or after arguments.")
	fmt.Fprintln(w, "Data directory: --data DIR, or REPDESK_DATA, or the user config directory + /repdesk.")
	fmt.Fprintln(w, "Exit status: 0 success, 1 error, 2 usage error, 3 import partly failed, 4 server unreachable.")
	return nil
}

// newFlags makes a flag set whose errors come back to us instead of exiting.
func newFlags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs
}

// parse parses flags that may stand before, between or after positional
// arguments, and checks the number of positional arguments (max < 0: any).
func parse(fs *flag.FlagSet, args []string, minPos, maxPos int) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, usagef("%s: flags: %s", fs.Name(), flagList(fs))
			}
			return nil, usagef("%s: %v", fs.Name(), err)
		}
		args = fs.Args()
		if len(args) == 0 {
			break
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
	switch {
	case len(pos) < minPos:
		return nil, usagef("%s: missing argument (flags: %s)", fs.Name(), flagList(fs))
	case maxPos >= 0 && len(pos) > maxPos:
		return nil, usagef("%s: unexpected argument %q", fs.Name(), pos[maxPos])
	}
	return pos, nil
}

func flagList(fs *flag.FlagSet) string {
	var names []string
	fs.VisitAll(func(f *flag.Flag) { names = append(names, "--"+f.Name) })
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, " ")
}

// stringList is a repeatable flag.
type stringList []string

func (l *stringList) String() string     { return strings.Join(*l, ",") }
func (l *stringList) Set(v string) error { *l = append(*l, v); return nil }

// setFlags records which flags were given, so that edit changes only those.
func setFlags(fs *flag.FlagSet) map[string]bool {
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	return set
}
