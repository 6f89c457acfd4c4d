package ui

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"repdesk/localdb/demo"
	"repdesk/sync/client"
)

// ClientSync is the SyncService of a sync/client.Client; the caller runs
// the client's background loop (Client.Run).
func ClientSync(c *client.Client) SyncService { return clientSync{c} }

type clientSync struct{ c *client.Client }

func statusOf(st client.Status) SyncStatus {
	return SyncStatus{Server: st.Server, Online: st.Online, Syncing: st.Syncing || st.Indexing, Pending: st.Pending,
		Conflicts: st.Conflicts, Rejected: st.Rejected, LastSync: st.LastSync, LastError: st.LastError,
		Done: st.Done, Total: st.Total}
}

func (s clientSync) Status() SyncStatus { return statusOf(s.c.Status()) }

func (s clientSync) Subscribe(fn func(SyncStatus)) func() {
	return s.c.Subscribe(func(st client.Status) { fn(statusOf(st)) })
}

func (s clientSync) SyncNow(ctx context.Context) error {
	err := s.c.SyncNow(ctx)
	if errors.Is(err, client.ErrNotConfigured) {
		return fmt.Errorf("%w: %w", ErrNoServer, err)
	}
	return err
}

func (s clientSync) Login(ctx context.Context, server, token string) error {
	if err := demo.GuardConnect(ctx, s.c.Store()); err != nil {
		return err // errorMessage words demo.ErrDemoData in the rep's language
	}
	return s.c.Login(ctx, server, token)
}

func (s clientSync) SetInterval(d time.Duration) { s.c.SetInterval(d) }

func (s clientSync) Runs(ctx context.Context, limit int) ([]SyncRun, error) {
	runs, err := s.c.Runs(ctx, limit)
	out := make([]SyncRun, len(runs))
	for i, r := range runs {
		out[i] = SyncRun{Started: r.Started, Finished: r.Finished, Pushed: r.Pushed, Pulled: r.Pulled,
			Conflicts: r.Conflicts, Rejected: r.Rejected, Error: r.Error}
	}
	return out, err
}

func (s clientSync) Rejected(ctx context.Context) ([]RejectedChange, error) {
	rs, err := s.c.Rejected(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]RejectedChange, len(rs))
	for i, r := range rs {
		label, err := s.c.Store().RecordLabel(ctx, r.Entity, r.RecordID)
		if err != nil {
			return nil, err
		}
		out[i] = RejectedChange{ID: fmt.Sprint(r.Mutation), Entity: r.Entity, RecordID: r.RecordID, Label: label,
			Op: r.Op, Fields: r.Fields, Reason: r.Reason, At: r.At}
	}
	return out, nil
}

func (s clientSync) Conflicts(ctx context.Context) ([]Conflict, error) {
	cs, err := s.c.Conflicts(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]Conflict, len(cs))
	for i, c := range cs {
		out[i] = Conflict{ID: c.ID, Entity: c.Entity, RecordID: c.RecordID, Label: c.Label, Field: c.Field,
			Base: valueText(c.Base), Theirs: valueText(c.Theirs), Mine: valueText(c.Mine),
			TheirAuthor: c.TheirAuthor, TheirAt: c.At, Deleted: c.Deleted, MineDeleted: c.MineDeleted}
	}
	return out, nil
}

func (s clientSync) Resolve(ctx context.Context, id, keep string) error {
	return s.c.Resolve(ctx, id, keep)
}

// valueText shows a field's JSON value for people: a string as it is, a
// list one item a line, an object (the fields of an edit) as "field: value"
// lines; null is empty.
func valueText(v json.RawMessage) string {
	if len(v) == 0 || string(v) == "null" {
		return ""
	}
	var s string
	if json.Unmarshal(v, &s) == nil {
		return s
	}
	var obj map[string]json.RawMessage
	if json.Unmarshal(v, &obj) == nil {
		keys := slices.Sorted(maps.Keys(obj))
		var lines []string
		for _, k := range keys {
			lines = append(lines, fieldName(k)+": "+valueText(obj[k]))
		}
		return strings.Join(lines, "\n")
	}
	var list []json.RawMessage
	if json.Unmarshal(v, &list) == nil {
		var lines []string
		for _, item := range list {
			lines = append(lines, itemText(item))
		}
		return strings.Join(lines, "\n")
	}
	return string(v) // a number or a boolean
}

// itemText shows one item of a list field: an e-mail or phone by its
// address or number, anything else as its value.
func itemText(v json.RawMessage) string {
	var known struct {
		Address string `json:"address"`
		Number  string `json:"number"`
		Street  string `json:"street"`
		City    string `json:"city"`
	}
	if json.Unmarshal(v, &known) == nil {
		if t := joinNonEmpty(", ", known.Address, known.Number, known.Street, known.City); t != "" {
			return t
		}
	}
	return valueText(v)
}
