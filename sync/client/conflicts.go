package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"time"

	"repdesk/localdb"
	"repdesk/sync/internal/rawjson"
	"repdesk/sync/protocol"
)

// Decisions on a conflict, as Resolve takes them.
const (
	KeepMine    = "mine"    // the value this machine stands for wins
	KeepTheirs  = "theirs"  // the other side's value wins
	KeepRestore = "restore" // an edit that met a delete: bring the record back with the edit
)

// ErrConflictClosed is returned when resolving a conflict that is no longer
// open.
var ErrConflictClosed = errors.New("conflict is already resolved")

// Conflict is a conflict as this machine sees it. Mine is the value this
// machine stands for: its own change when the conflict came from this
// installation, else the hub's value (which this machine shows). Theirs is
// the other side. For an edit that met a delete (Kind edit_delete) the
// deleting side is null and the editing side an object of the edited
// fields.
type Conflict struct {
	ID       string          `json:"id"`
	Kind     string          `json:"kind"` // field or edit_delete
	Entity   string          `json:"entity"`
	RecordID string          `json:"record_id"`
	Label    string          `json:"label"` // the record's name
	Field    string          `json:"field,omitempty"`
	Base     json.RawMessage `json:"base,omitempty"` // the value both started from, when the hub knows it
	Mine     json.RawMessage `json:"mine"`
	Theirs   json.RawMessage `json:"theirs"`
	// TheirAuthor is the hub user behind Theirs.
	TheirAuthor string `json:"their_author"`
	// Own: the conflict arose from a change made on this machine.
	Own bool `json:"own"`
	// Deleted: an edit met a delete; MineDeleted says which side deleted.
	Deleted     bool      `json:"deleted"`
	MineDeleted bool      `json:"mine_deleted,omitempty"`
	At          time.Time `json:"at"`
}

// Conflicts lists the conflicts waiting for a decision, oldest first.
func (c *Client) Conflicts(ctx context.Context) ([]Conflict, error) {
	stored, err := c.store.Conflicts(ctx, true)
	if err != nil {
		return nil, err
	}
	me, err := c.store.ClientID(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]Conflict, 0, len(stored))
	for i := range stored {
		cf, err := decodeConflict(&stored[i])
		if err != nil {
			return nil, err
		}
		v := viewOf(cf, me)
		if v.Label, err = c.store.RecordLabel(ctx, cf.Entity, cf.RecordID); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

func decodeConflict(s *localdb.StoredConflict) (*protocol.Conflict, error) {
	var cf protocol.Conflict
	if err := json.Unmarshal(s.Body, &cf); err != nil {
		return nil, fmt.Errorf("stored conflict %s: %w", s.ID, err)
	}
	return &cf, nil
}

func viewOf(cf *protocol.Conflict, me string) Conflict {
	v := Conflict{ID: cf.ID, Kind: cf.Kind, Entity: cf.Entity, RecordID: cf.RecordID, Field: cf.Field, Base: cf.Base,
		Own: cf.ClientID == me, Deleted: cf.Kind == protocol.ConflictEditDelete, At: cf.CreatedAt}
	if v.Own {
		v.Mine, v.Theirs, v.TheirAuthor = cf.Client, cf.Server, cf.ServerAuthor
	} else {
		v.Mine, v.Theirs, v.TheirAuthor = cf.Server, cf.Client, cf.ClientAuthor
	}
	v.Mine, v.Theirs = orNull(v.Mine), orNull(v.Theirs)
	v.MineDeleted = v.Deleted && rawjson.IsNull(v.Mine)
	return v
}

func orNull(v json.RawMessage) json.RawMessage {
	if len(v) == 0 {
		return json.RawMessage("null")
	}
	return v
}

// Resolve decides an open conflict (id or a unique prefix of it): keep is
// KeepMine, KeepTheirs or, for an edit that met a delete, KeepRestore. The
// decision is an ordinary local change, journaled (the winning value, a
// restore or a delete, as needed), followed by a resolve entry for the
// hub; the next sync sends both.
func (c *Client) Resolve(ctx context.Context, id, keep string) error {
	sc, err := c.store.FindConflict(ctx, id)
	if err != nil {
		return fmt.Errorf("resolve: %w", err)
	}
	if !sc.Open() {
		return fmt.Errorf("resolve %s: %w", sc.ID, ErrConflictClosed)
	}
	cf, err := decodeConflict(&sc)
	if err != nil {
		return fmt.Errorf("resolve: %w", err)
	}
	me, err := c.store.ClientID(ctx)
	if err != nil {
		return fmt.Errorf("resolve: %w", err)
	}
	own := cf.ClientID == me
	// Which side of the hub's record wins: the client's value or the hub's.
	var clientWins bool
	var resolution string
	switch keep {
	case KeepMine, protocol.ResolutionKeepMine:
		clientWins, resolution = own, protocol.ResolutionKeepMine
	case KeepTheirs, protocol.ResolutionTakeTheir:
		clientWins, resolution = !own, protocol.ResolutionTakeTheir
	case KeepRestore:
		if cf.Kind != protocol.ConflictEditDelete {
			return fmt.Errorf("resolve %s: restore is for an edit that met a delete; this conflict is about field %q: choose mine or theirs",
				cf.ID, cf.Field)
		}
		clientWins, resolution = !rawjson.IsNull(cf.Client), protocol.ResolutionRestore
	default:
		return fmt.Errorf("resolve %s: keep %q: want mine, theirs or restore", cf.ID, keep)
	}
	winner := cf.Server
	if clientWins {
		winner = cf.Client
	}
	err = c.store.Update(ctx, func(t *localdb.Tx) error {
		if err := applyDecision(t, cf, winner, clientWins); err != nil {
			return err
		}
		return t.ResolveConflict(cf.ID, cf.Entity, cf.RecordID, resolution)
	})
	if err != nil {
		return fmt.Errorf("resolve %s: %w", cf.ID, err)
	}
	c.publish()
	c.Trigger()
	return nil
}

// applyDecision makes the local record show the winning side.
func applyDecision(t *localdb.Tx, cf *protocol.Conflict, winner json.RawMessage, clientWins bool) error {
	local, deleted, err := t.FieldValues(cf.Entity, cf.RecordID)
	missing := errors.Is(err, localdb.ErrNotFound)
	if err != nil && !missing {
		return err
	}
	if cf.Kind == protocol.ConflictEditDelete {
		if rawjson.IsNull(winner) {
			// The delete wins.
			if missing || deleted {
				return nil
			}
			return t.Delete(cf.Entity, cf.RecordID)
		}
		var fields map[string]json.RawMessage
		if err := json.Unmarshal(winner, &fields); err != nil {
			return fmt.Errorf("edited fields of the conflict: %w", err)
		}
		return t.Restore(cf.Entity, cf.RecordID, fields)
	}
	if missing || deleted {
		return nil // the record is gone here: only the decision goes to the hub
	}
	fields := map[string]json.RawMessage{cf.Field: winner}
	if clientWins {
		// Based on the value the conflict reported: if the hub's value
		// changed again since, that is a new conflict, not an overwrite.
		return t.SetFields(cf.Entity, cf.RecordID, fields, map[string]int64{cf.Field: cf.ServerVersion})
	}
	if sameJSON(local[cf.Field], winner) {
		return nil // this machine shows the hub's value already
	}
	return t.SetFields(cf.Entity, cf.RecordID, fields, nil)
}

// sameJSON reports whether two JSON texts hold the same value.
func sameJSON(a, b json.RawMessage) bool {
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	return reflect.DeepEqual(x, y)
}

// Rejected lists the local changes the hub refused, newest first.
func (c *Client) Rejected(ctx context.Context) ([]localdb.RejectedChange, error) {
	return c.store.RejectedChanges(ctx)
}

// Runs lists the newest limit syncs, newest first.
func (c *Client) Runs(ctx context.Context, limit int) ([]localdb.SyncRun, error) {
	return c.store.SyncRuns(ctx, limit)
}
