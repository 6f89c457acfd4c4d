package hubtest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"

	"github.com/google/uuid"

	"repdesk/sync/protocol"
)

// Client is a minimal protocol client: one installation of one user. It
// mirrors what it pulled in Records, so tests can compare books. It is not
// safe for concurrent use.
type Client struct {
	URL   string
	Token string
	// ID is the installation's client id.
	ID string
	// Protocol is the version sent in X-RepDesk-Protocol; a negative one
	// sends no header, as clients before the protocol did.
	Protocol int
	HTTP     *http.Client

	// Cursor is the cursor of the last pull.
	Cursor int64
	// Records holds the pulled records by entity and id, tombstones too.
	Records map[Key]protocol.Record
	// Conflicts holds the pulled conflicts by id.
	Conflicts map[string]protocol.Conflict

	number int64
}

// Key names a record.
type Key struct{ Entity, ID string }

// StatusError is a non-2xx answer of the hub.
type StatusError struct {
	Code    int
	Message string
}

func (e *StatusError) Error() string { return fmt.Sprintf("hub answered %d: %s", e.Code, e.Message) }

// NewClient returns a client with a fresh client id.
func NewClient(baseURL, token string) *Client {
	return &Client{URL: baseURL, Token: token, ID: uuid.Must(uuid.NewV7()).String(), Protocol: protocol.Version,
		HTTP: &http.Client{}, Records: map[Key]protocol.Record{}, Conflicts: map[string]protocol.Conflict{}}
}

// Next returns the next mutation number of this client.
func (c *Client) Next() int64 {
	c.number++
	return c.number
}

// Do sends a request and decodes a 2xx JSON answer into out; other answers
// are a *StatusError.
func (c *Client) Do(ctx context.Context, method, path string, body, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.URL+path, rd)
	if err != nil {
		return err
	}
	if c.Protocol >= 0 {
		req.Header.Set(protocol.HeaderVersion, strconv.Itoa(c.Protocol))
	}
	if c.Token != "" {
		req.Header.Set(protocol.HeaderAuthorization, "Bearer "+c.Token)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		var e protocol.Error
		b, _ := io.ReadAll(resp.Body)
		if json.Unmarshal(b, &e) != nil {
			e.Error = string(b)
		}
		return &StatusError{Code: resp.StatusCode, Message: e.Error}
	}
	if out == nil {
		return nil
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return fmt.Errorf("%s %s: decode answer: %w", method, path, err)
	}
	return nil
}

// Push sends mutations as one batch.
func (c *Client) Push(ctx context.Context, ms ...protocol.Mutation) (protocol.PushResponse, error) {
	var resp protocol.PushResponse
	err := c.Do(ctx, http.MethodPost, protocol.PathPush, protocol.PushRequest{ClientID: c.ID, Mutations: ms}, &resp)
	return resp, err
}

// Pull fetches one page of changes after cursor.
func (c *Client) Pull(ctx context.Context, cursor int64, limit int) (protocol.PullResponse, error) {
	var resp protocol.PullResponse
	q := url.Values{"cursor": {strconv.FormatInt(cursor, 10)}}
	if limit > 0 {
		q.Set("limit", strconv.Itoa(limit))
	}
	err := c.Do(ctx, http.MethodGet, protocol.PathPull+"?"+q.Encode(), nil, &resp)
	return resp, err
}

// Snapshot fetches one snapshot page.
func (c *Client) Snapshot(ctx context.Context, after, until int64, limit int) (protocol.SnapshotPage, error) {
	var page protocol.SnapshotPage
	q := url.Values{"after": {strconv.FormatInt(after, 10)}, "until": {strconv.FormatInt(until, 10)}}
	if limit > 0 {
		q.Set("limit", strconv.Itoa(limit))
	}
	err := c.Do(ctx, http.MethodGet, protocol.PathSnapshot+"?"+q.Encode(), nil, &page)
	return page, err
}

// Me asks who the token belongs to.
func (c *Client) Me(ctx context.Context) (protocol.Me, error) {
	var me protocol.Me
	err := c.Do(ctx, http.MethodGet, protocol.PathMe, nil, &me)
	return me, err
}

// Sync pulls pages of limit changes from Cursor until the hub has no more,
// applying them to Records and Conflicts. It returns the changes seen.
func (c *Client) Sync(ctx context.Context, limit int) ([]protocol.Record, error) {
	var seen []protocol.Record
	for {
		page, err := c.Pull(ctx, c.Cursor, limit)
		if err != nil {
			return seen, err
		}
		for _, r := range page.Changes {
			c.apply(r)
		}
		for _, cf := range page.Conflicts {
			c.Conflicts[cf.ID] = cf
		}
		seen = append(seen, page.Changes...)
		c.Cursor = page.Cursor
		if !page.HasMore {
			return seen, nil
		}
	}
}

func (c *Client) apply(r protocol.Record) {
	k := Key{r.Entity, r.ID}
	switch r.Op {
	case protocol.ChangeRemove:
		delete(c.Records, k)
	default:
		c.Records[k] = r
	}
}

// FullSync replaces Records with a snapshot in pages of limit records, then
// pulls the changes made since. It returns the number of snapshot pages.
func (c *Client) FullSync(ctx context.Context, limit int) (int, error) {
	c.Records = map[Key]protocol.Record{}
	c.Conflicts = map[string]protocol.Conflict{}
	var after, until int64
	pages := 0
	for {
		page, err := c.Snapshot(ctx, after, until, limit)
		if err != nil {
			return pages, err
		}
		pages++
		for _, r := range page.Records {
			c.apply(r)
		}
		for _, cf := range page.Conflicts {
			c.Conflicts[cf.ID] = cf
		}
		until, after = page.Until, page.NextAfter
		if !page.HasMore {
			break
		}
	}
	c.Cursor = until
	_, err := c.Sync(ctx, 0)
	return pages, err
}

// F is a field change: value and the field version the client saw.
func F(value any, base int64) protocol.FieldChange {
	b, err := json.Marshal(value)
	if err != nil {
		panic(fmt.Sprintf("hubtest.F: %v", err))
	}
	return protocol.FieldChange{Value: b, Base: base}
}

// Create returns a create mutation with the next number; values maps field
// names to Go values.
func (c *Client) Create(entity, id string, values map[string]any) protocol.Mutation {
	fields := make(map[string]protocol.FieldChange, len(values))
	for k, v := range values {
		fields[k] = F(v, 0)
	}
	return protocol.Mutation{Number: c.Next(), Entity: entity, ID: id, Op: protocol.OpCreate, Fields: fields}
}

// Patch returns a patch mutation with the next number whose bases are the
// field versions of the record as this client last pulled it.
func (c *Client) Patch(entity, id string, values map[string]any) protocol.Mutation {
	r := c.Records[Key{entity, id}]
	fields := make(map[string]protocol.FieldChange, len(values))
	for k, v := range values {
		fields[k] = F(v, r.Versions[k])
	}
	return protocol.Mutation{Number: c.Next(), Entity: entity, ID: id, Op: protocol.OpPatch, Fields: fields}
}

// Delete returns a delete mutation with the next number, based on the
// record's version as this client last pulled it.
func (c *Client) Delete(entity, id string) protocol.Mutation {
	return protocol.Mutation{Number: c.Next(), Entity: entity, ID: id, Op: protocol.OpDelete, Base: c.Records[Key{entity, id}].Seq}
}

// Value decodes a field of a pulled record into a Go value (nil if absent).
func (c *Client) Value(entity, id, field string) any {
	raw, ok := c.Records[Key{entity, id}].Fields[field]
	if !ok {
		return nil
	}
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		panic(fmt.Sprintf("hubtest.Value: %v", err))
	}
	return v
}

// NewID returns a fresh record id.
func NewID() string { return uuid.Must(uuid.NewV7()).String() }
