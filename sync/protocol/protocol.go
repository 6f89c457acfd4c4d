// Package protocol holds the wire types and endpoint paths of RepDesk sync,
// shared by the hub (sync/hub) and the client (sync/client). The document
// docs/sync-protocol.md describes the rules; this package is its Go form.
package protocol

import (
	"encoding/json"
	"time"
)

// Version is the protocol version this code speaks. MinVersion is the oldest
// client version the hub still serves; older clients get 426. Version 2
// added, all optional and ignored by version 1 clients: the original
// outcome of duplicates (MutationResult.Duplicate), values the hub stored
// instead of the sent ones (MutationResult.Values), three-way tag merges,
// and own changes left out of pulls (the pull's client_id, Record.Own).
// Version 3 added PushRequest.KeepOutcomesFrom, so that a client may send
// its next batch before it has stored the answer to the previous one.
const (
	Version    = 3
	MinVersion = 1
)

// HTTP headers.
const (
	// HeaderVersion carries the client's protocol version on every request
	// and the hub's on every response.
	HeaderVersion = "X-RepDesk-Protocol"
	// HeaderAuthorization carries "Bearer <token>".
	HeaderAuthorization = "Authorization"
)

// Endpoint paths. All but PathHealth need a bearer token and HeaderVersion.
const (
	PathHealth   = "/healthz"
	PathMe       = "/v1/me"
	PathPush     = "/v1/push"
	PathPull     = "/v1/pull"
	PathSnapshot = "/v1/snapshot"
)

// Entities the hub has rules for. Others (from newer clients) are stored as
// given and follow the generic rules.
const (
	EntityCompany  = "company"
	EntityContact  = "contact"
	EntityDeal     = "deal"
	EntityActivity = "activity"
	EntityTask     = "task"
	EntityVisit    = "visit"
)

// Fields with meaning for the hub.
const (
	FieldTerritory = "territory" // of a company: the territory it and its dependants belong to
	FieldCompanyID = "company_id"
	FieldContactID = "contact_id"
	FieldTags      = "tags" // a set of strings: concurrent changes are united
	// FieldAssignee names the hub user a record is assigned to (a visit's
	// field rep): that user receives and may change it, whatever its
	// territory. The value is the user's hub name, matched exactly.
	FieldAssignee = "assignee"
)

// ReservedFields are record metadata, never sent as fields of a mutation.
var ReservedFields = map[string]bool{
	"id": true, "created_at": true, "updated_at": true, "owner": true, "deleted": true,
	"seq": true, "version": true, "versions": true,
}

// Roles of hub users.
const (
	RoleRep     = "rep"
	RoleManager = "manager"
	RoleAdmin   = "admin"
)

// Mutation operations.
const (
	OpCreate  = "create"  // new record; on an existing id it is a patch
	OpPatch   = "patch"   // change some fields; on a missing id it is a create
	OpDelete  = "delete"  // tombstone the record; on a missing or deleted id a no-op
	OpRestore = "restore" // undo a delete, then apply Fields as a patch
	OpResolve = "resolve" // mark the conflict named by Conflict resolved
)

// Mutation result statuses.
const (
	StatusApplied   = "applied"   // processed; every field was applied, merged or already equal
	StatusConflict  = "conflict"  // processed; Conflicts lists what the hub did not apply
	StatusDuplicate = "duplicate" // skipped: its number is not above the client's last applied number
	StatusRejected  = "rejected"  // processed, never applicable: Reason says why
)

// Change operations in pulls.
const (
	ChangeUpsert = "upsert" // the record's full current state
	ChangeDelete = "delete" // deleted on the hub: keep a tombstone
	ChangeRemove = "remove" // left this user's scope: drop it locally, it is not deleted
)

// Conflict kinds.
const (
	ConflictField      = "field"       // two different values for one field
	ConflictEditDelete = "edit_delete" // an edit met a delete; the delete stands
)

// Resolutions a client may name when it resolves a conflict (informational).
const (
	ResolutionKeepMine  = "keep_mine"
	ResolutionTakeTheir = "take_theirs"
	ResolutionRestore   = "restore"
)

// Limits the hub enforces by default (see the document for the answers).
const (
	DefaultMaxBodyBytes  = 64 << 20
	DefaultMaxBatch      = 10000
	DefaultMaxValueBytes = 1 << 20
	MaxFieldsPerRecord   = 256
	MaxNameLen           = 64
	DefaultPullLimit     = 1000
	MaxPullLimit         = 10000
	DefaultSnapshotLimit = 20000
	MaxSnapshotLimit     = 100000
)

// FieldChange is the new value of one field and the field version the
// client last saw (0 if it never saw the field).
type FieldChange struct {
	Value json.RawMessage `json:"value"`
	Base  int64           `json:"base"`
}

// Mutation is one entry of a client's journal.
type Mutation struct {
	// Number is the client's mutation number; it only grows (gaps allowed).
	Number int64  `json:"mutation"`
	Entity string `json:"entity"`
	ID     string `json:"id"`
	Op     string `json:"op"`
	// Fields holds the changed fields of create, patch and restore.
	Fields map[string]FieldChange `json:"fields,omitempty"`
	// Base, for delete: the record version (Record.Seq) the client last saw.
	// Fields changed after it by others become an edit_delete conflict.
	Base int64 `json:"base,omitempty"`
	// Conflict, for resolve: the conflict's id. Resolution is informational.
	Conflict   string `json:"conflict,omitempty"`
	Resolution string `json:"resolution,omitempty"`
	// At is the client's clock when the change was made: shown, never
	// used for ordering.
	At time.Time `json:"at,omitzero"`
}

// PushRequest is the body of POST /v1/push.
type PushRequest struct {
	ClientID string `json:"client_id"`
	// KeepOutcomesFrom (version 3): the client has not yet stored the
	// answers to the mutations numbered from it, so the hub keeps their
	// outcomes although they are below the batch's first mutation. 0: the
	// client has stored every answer below the batch's first mutation.
	KeepOutcomesFrom int64      `json:"keep_outcomes_from,omitempty"`
	Mutations        []Mutation `json:"mutations"`
}

// MutationResult is the hub's answer for one mutation.
type MutationResult struct {
	Number int64  `json:"mutation"`
	Status string `json:"status"`
	// Duplicate: the mutation was processed by an earlier push (whose
	// answer the client lost); Status, Reason, Seq, Versions, Values and
	// Conflicts are those of that first processing. A hub that no longer
	// remembers it answers Status "duplicate" instead.
	Duplicate bool   `json:"duplicate,omitempty"`
	Reason    string `json:"reason,omitempty"`
	// Seq is the record's version after the mutation (0 for duplicate,
	// rejected, resolve, and no-ops on missing records).
	Seq int64 `json:"seq,omitempty"`
	// Versions holds, for every field the mutation named, the hub's field
	// version after the mutation.
	Versions map[string]int64 `json:"versions,omitempty"`
	// Values holds the fields the hub stored with another value than the
	// mutation sent (merged tags, a company's territory filled in), with
	// their versions in Versions: the client takes them as the hub's.
	Values    map[string]json.RawMessage `json:"values,omitempty"`
	Conflicts []Conflict                 `json:"conflicts,omitempty"`
}

// PushResponse is the answer to POST /v1/push.
type PushResponse struct {
	// LastMutation is the highest mutation number the hub has processed for
	// this client; every journal entry up to it may be marked pushed.
	LastMutation int64            `json:"last_mutation"`
	Results      []MutationResult `json:"results"`
}

// Record is a record's state as the hub sends it in pulls and snapshots.
type Record struct {
	Op        string    `json:"op"`
	Entity    string    `json:"entity"`
	ID        string    `json:"id"`
	Seq       int64     `json:"seq"`
	Owner     string    `json:"owner,omitempty"`
	Territory string    `json:"territory,omitempty"`
	CreatedAt time.Time `json:"created_at,omitzero"`
	UpdatedAt time.Time `json:"updated_at,omitzero"`
	// Fields is sent with upsert; Versions with upsert and delete (a
	// restore names the versions of the tombstone's fields as its bases).
	Fields   map[string]json.RawMessage `json:"fields,omitempty"`
	Versions map[string]int64           `json:"versions,omitempty"`
	// Own (upsert, pulls that name a client_id): the record's last change
	// (at Seq) came from the pulling client. The fields it set, those whose
	// version is Seq, are left out of Fields: the client has their values
	// and takes only their versions.
	Own bool `json:"own,omitempty"`
}

// Conflict is a change the hub did not apply, kept for the rep to resolve.
type Conflict struct {
	ID       string `json:"id"`
	Seq      int64  `json:"seq"`
	Kind     string `json:"kind"`
	Entity   string `json:"entity"`
	RecordID string `json:"record_id"`
	// Field is the field of a field conflict; empty for edit_delete.
	Field string `json:"field,omitempty"`
	// Base is the value at BaseVersion when the hub still knows it.
	Base        json.RawMessage `json:"base,omitempty"`
	BaseVersion int64           `json:"base_version"`
	// Server is the value the hub kept. For edit_delete it is null when the
	// hub's side is the delete, else an object of the fields edited on the
	// hub that the client's delete covered.
	Server        json.RawMessage `json:"server"`
	ServerVersion int64           `json:"server_version"`
	ServerAuthor  string          `json:"server_author"`
	// Client is the value the client sent. For edit_delete it is null when
	// the client's side is the delete, else an object of the edited fields.
	Client       json.RawMessage `json:"client"`
	ClientAuthor string          `json:"client_author"`
	ClientID     string          `json:"client_id"`
	Mutation     int64           `json:"mutation"`
	CreatedAt    time.Time       `json:"created_at"`
	Resolved     bool            `json:"resolved,omitempty"`
	ResolvedBy   string          `json:"resolved_by,omitempty"`
	Resolution   string          `json:"resolution,omitempty"`
	ResolvedAt   time.Time       `json:"resolved_at,omitzero"`
}

// PullResponse is the answer to GET /v1/pull?cursor=N&limit=M.
type PullResponse struct {
	Changes   []Record   `json:"changes"`
	Conflicts []Conflict `json:"conflicts"`
	// Cursor is the cursor for the next pull; HasMore says to pull again
	// at once.
	Cursor  int64 `json:"cursor"`
	HasMore bool  `json:"has_more"`
}

// SnapshotPage is the answer to GET /v1/snapshot?after=A&until=U&limit=M.
type SnapshotPage struct {
	// Until is the snapshot's cursor: pass it back on every page, then pull
	// changes since it.
	Until   int64    `json:"until"`
	Records []Record `json:"records"`
	// Conflicts lists the open conflicts in scope; sent on the first page.
	Conflicts []Conflict `json:"conflicts"`
	NextAfter int64      `json:"next_after"`
	HasMore   bool       `json:"has_more"`
}

// Me is the answer to GET /v1/me.
type Me struct {
	User        string   `json:"user"`
	Role        string   `json:"role"`
	Territories []string `json:"territories"`
	Protocol    int      `json:"protocol"`
	MinProtocol int      `json:"min_protocol"`
}

// Error is the body of every non-2xx answer.
type Error struct {
	Error string `json:"error"`
}

// IsIdentifier reports whether s may name an entity or a field: lower-case
// ASCII letters, digits and underscores, starting with a letter, at most
// MaxNameLen bytes.
func IsIdentifier(s string) bool {
	if s == "" || len(s) > MaxNameLen || s[0] < 'a' || s[0] > 'z' {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '_' {
			return false
		}
	}
	return true
}

// IsRecordID reports whether s is a UUID in its canonical lower-case form
// (8-4-4-4-12 lower-case hex digits).
func IsRecordID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
				return false
			}
		}
	}
	return true
}
