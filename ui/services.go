package ui

import (
	"context"
	"errors"
	"time"

	"repdesk/localdb"
)

// SyncStatus is what the sync indicator shows.
type SyncStatus struct {
	Server    string    // "" when no server is configured
	Online    bool      // the last contact with the server worked
	Syncing   bool      // a sync is running
	Pending   int       // local changes not yet pushed
	Conflicts int       // open conflicts waiting for a decision
	Rejected  int       // changes the server refused
	LastSync  time.Time // zero: never
	LastError string
	// Done and Total report the progress of a running sync (Total 0: unknown).
	Done, Total int
}

// SyncRun is one past sync.
type SyncRun struct {
	Started   time.Time
	Finished  time.Time
	Pushed    int
	Pulled    int
	Conflicts int
	Rejected  int
	Error     string
}

// RejectedChange is a local change the server refused, with its reason.
type RejectedChange struct {
	ID       string
	Entity   string // localdb entity name
	RecordID string
	Label    string // the record's name, for people
	Op       string // create, patch or delete
	Fields   []string
	Reason   string
	At       time.Time
}

// Conflict is one field (or one record, when Deleted) where the server and
// this machine disagree.
type Conflict struct {
	ID       string
	Entity   string
	RecordID string
	Label    string // the record's name
	Field    string // "" for a record deleted on the server
	Base     string // the value both sides started from
	Theirs   string
	Mine     string
	// TheirAuthor and TheirAt say who changed the server's value and when.
	TheirAuthor string
	TheirAt     time.Time
	// Deleted: an edit met a delete. MineDeleted says the delete was this
	// machine's (else the server's); Restore brings the record back with
	// the edit, KeepMine or TakeTheirs lets the respective side stand.
	Deleted     bool
	MineDeleted bool
}

// Resolutions of a conflict.
const (
	KeepMine   = "mine"
	TakeTheirs = "theirs"
	Restore    = "restore"
)

// SyncService is what the app needs from sync. Status and the list methods
// may do I/O: the app calls them off the UI goroutine.
type SyncService interface {
	Status() SyncStatus
	// Subscribe calls fn (from any goroutine) whenever the status changes.
	Subscribe(fn func(SyncStatus)) (cancel func())
	SyncNow(ctx context.Context) error
	// Login checks the server and token and stores them for later syncs.
	Login(ctx context.Context, server, token string) error
	// SetInterval sets the time between automatic syncs (0: manual only).
	SetInterval(d time.Duration)
	Runs(ctx context.Context, limit int) ([]SyncRun, error)
	Rejected(ctx context.Context) ([]RejectedChange, error)
	Conflicts(ctx context.Context) ([]Conflict, error)
	// Resolve decides a conflict: keep is KeepMine, TakeTheirs or Restore.
	Resolve(ctx context.Context, id, keep string) error
}

// ErrNoServer is returned by the offline sync service: no server configured.
var ErrNoServer = errors.New("no sync server configured")

// ErrUnavailable is returned by defaults for features this build lacks.
var ErrUnavailable = errors.New("not available in this build")

// offlineSync is the sync service of a machine without a server: it only
// counts what is waiting to be pushed.
type offlineSync struct{ store *localdb.Store }

func (o offlineSync) Status() SyncStatus {
	n, err := o.store.PendingCount(context.Background())
	st := SyncStatus{Pending: n}
	if err != nil {
		st.LastError = err.Error()
	}
	return st
}

func (offlineSync) Subscribe(func(SyncStatus)) func() { return func() {} }
func (offlineSync) SyncNow(context.Context) error     { return ErrNoServer }
func (offlineSync) Login(context.Context, string, string) error {
	return ErrUnavailable
}
func (offlineSync) SetInterval(time.Duration)                          {}
func (offlineSync) Runs(context.Context, int) ([]SyncRun, error)       { return nil, nil }
func (offlineSync) Rejected(context.Context) ([]RejectedChange, error) { return nil, nil }
func (offlineSync) Conflicts(context.Context) ([]Conflict, error)      { return nil, nil }
func (offlineSync) Resolve(context.Context, string, string) error      { return ErrNoServer }

// ImportReport is what an import did (or, from Preview, would do). The JSON
// names are those of the CLI's report.
type ImportReport struct {
	Files     int              `json:"files"`
	Cards     int              `json:"cards"`
	Created   int              `json:"created"`
	Merged    int              `json:"merged"`
	Unchanged int              `json:"unchanged"`
	Failed    int              `json:"failed"`
	Conflicts []ImportConflict `json:"conflicts"`
	Errors    []ImportError    `json:"errors"`
	// Warnings are things read but dropped or guessed; the card was imported.
	Warnings []ImportError `json:"warnings,omitempty"`
}

// ImportConflict is a field where an imported card disagreed with the
// stored contact.
type ImportConflict struct {
	ContactID string `json:"contact_id"`
	Field     string `json:"field"`
	Kept      string `json:"kept"`
	Incoming  string `json:"incoming"`
}

// ImportError is a card that could not be imported.
type ImportError struct {
	File    string `json:"file"`
	Card    int    `json:"card"`
	Line    int    `json:"line"`
	Message string `json:"message"`
}

// Importer imports vCard files. Both methods honour ctx's cancellation;
// Import calls progress (from its goroutine) as cards are done.
type Importer interface {
	Preview(ctx context.Context, files []string) (ImportReport, error)
	Import(ctx context.Context, files []string, progress func(done, total int)) (ImportReport, error)
}
