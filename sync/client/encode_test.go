package client

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"repdesk/localdb"
	"repdesk/sync/protocol"
)

func TestAppendPushRequestDecodesAsTheProtocolSays(t *testing.T) {
	at := time.Date(2026, 3, 1, 9, 30, 0, 123456000, time.UTC)
	id := "01a21a4b-29a0-79c0-83a3-78c52b353270"
	change := func(seq int64, op string, fields string) localdb.Outgoing {
		return localdb.Outgoing{Change: localdb.Change{Seq: seq, Entity: "contact", RecordID: id, At: at}, Op: op,
			RawFields: json.RawMessage(fields)}
	}
	withVersions := func(o localdb.Outgoing, v map[string]int64, recordSeq int64) localdb.Outgoing {
		o.Versions, o.RecordSeq = v, recordSeq
		return o
	}
	resolve := change(7, protocol.OpResolve, "{}")
	resolve.Conflict, resolve.Resolution = "c-1", protocol.ResolutionKeepMine
	bare := change(8, protocol.OpResolve, "{}")
	bare.Conflict, bare.At = "c-2", time.Time{}
	for _, tc := range []struct {
		name string
		in   localdb.Outgoing
		want protocol.Mutation
	}{
		{"create with awkward values", change(1, protocol.OpCreate,
			`{"full_name":"Jürgen \"JJ\" Müller\\n","emails":[{"address":"j@x.example","primary":true}],"do_not_call":true,"duration_s":-12.5e3,"notes":"}{][,:"}`),
			protocol.Mutation{Number: 1, Entity: "contact", ID: id, Op: protocol.OpCreate, At: at, Fields: map[string]protocol.FieldChange{
				"full_name":   {Value: json.RawMessage(`"Jürgen \"JJ\" Müller\\n"`)},
				"emails":      {Value: json.RawMessage(`[{"address":"j@x.example","primary":true}]`)},
				"do_not_call": {Value: json.RawMessage(`true`)},
				"duration_s":  {Value: json.RawMessage(`-12.5e3`)},
				"notes":       {Value: json.RawMessage(`"}{][,:"`)},
			}}},
		{"patch with bases", withVersions(change(2, protocol.OpPatch, `{ "title" : "CFO" , "tags": [] }`), map[string]int64{"title": 41, "notes": 9}, 44),
			protocol.Mutation{Number: 2, Entity: "contact", ID: id, Op: protocol.OpPatch, At: at, Fields: map[string]protocol.FieldChange{
				"title": {Value: json.RawMessage(`"CFO"`), Base: 41},
				"tags":  {Value: json.RawMessage(`[]`)},
			}}},
		{"restore without fields", change(3, protocol.OpRestore, "{}"),
			protocol.Mutation{Number: 3, Entity: "contact", ID: id, Op: protocol.OpRestore, At: at}},
		{"delete", withVersions(change(4, protocol.OpDelete, "{}"), nil, 44),
			protocol.Mutation{Number: 4, Entity: "contact", ID: id, Op: protocol.OpDelete, Base: 44, At: at}},
		{"delete of a record never pulled", change(5, protocol.OpDelete, "{}"),
			protocol.Mutation{Number: 5, Entity: "contact", ID: id, Op: protocol.OpDelete, At: at}},
		{"resolve", resolve,
			protocol.Mutation{Number: 7, Entity: "contact", ID: id, Op: protocol.OpResolve, Conflict: "c-1", Resolution: "keep_mine", At: at}},
		{"resolve without resolution or time", bare,
			protocol.Mutation{Number: 8, Entity: "contact", ID: id, Op: protocol.OpResolve, Conflict: "c-2"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, sent, err := appendPushRequest(nil, "client-1", 0, []localdb.Outgoing{tc.in})
			require.NoError(t, err)
			require.True(t, json.Valid(b), "%s", b)
			var req protocol.PushRequest
			require.NoError(t, json.Unmarshal(b, &req))
			assert.Equal(t, "client-1", req.ClientID)
			require.Len(t, req.Mutations, 1)
			got := req.Mutations[0]
			assert.True(t, got.At.Equal(tc.want.At))
			got.At, tc.want.At = time.Time{}, time.Time{}
			assert.Equal(t, tc.want, got)
			assert.Equal(t, tc.in.Op, sent[0].op)
			assert.Len(t, sent[0].fields, len(tc.want.Fields))
			for name := range tc.want.Fields {
				assert.True(t, sent[0].sets(name), name)
			}
		})
	}
}

// The wire mirrors must read everything the protocol types carry.
func TestWireTypesMatchTheProtocol(t *testing.T) {
	at := time.Date(2026, 3, 1, 9, 30, 0, 0, time.UTC)
	rec := protocol.Record{Op: protocol.ChangeUpsert, Entity: "contact", ID: "id-1", Seq: 42, Owner: "anna", Territory: "north",
		CreatedAt: at, UpdatedAt: at.Add(time.Hour), Fields: map[string]json.RawMessage{"title": json.RawMessage(`"CFO"`)},
		Versions: map[string]int64{"title": 41}}
	cf := protocol.Conflict{ID: "c-1", Seq: 43, Kind: protocol.ConflictField, Entity: "contact", RecordID: "id-1", Field: "title",
		Server: json.RawMessage(`"CFO"`), Client: json.RawMessage(`"CEO"`), CreatedAt: at}
	b, err := json.Marshal(protocol.PullResponse{Changes: []protocol.Record{rec}, Conflicts: []protocol.Conflict{cf}, Cursor: 43, HasMore: true})
	require.NoError(t, err)
	var pull wirePull
	require.NoError(t, pull.decodeRaw(b))
	assert.Equal(t, int64(43), pull.Cursor)
	assert.True(t, pull.HasMore)
	assert.Equal(t, []protocol.Conflict{cf}, pull.Conflicts)
	require.Len(t, pull.Changes, 1)
	got := hubRecords(pull.Changes)[0]
	assert.Equal(t, localdb.HubRecord{Op: rec.Op, Entity: rec.Entity, ID: rec.ID, Seq: rec.Seq, Owner: rec.Owner,
		CreatedAt: rec.CreatedAt, UpdatedAt: rec.UpdatedAt, Fields: rec.Fields, RawVersions: json.RawMessage(`{"title":41}`)}, got)

	b, err = json.Marshal(protocol.SnapshotPage{Until: 50, Records: []protocol.Record{rec}, Conflicts: []protocol.Conflict{cf}, NextAfter: 42, HasMore: true})
	require.NoError(t, err)
	var page wireSnapshot
	require.NoError(t, page.decodeRaw(b))
	assert.Equal(t, wireSnapshot{Until: 50, Records: pull.Changes, Conflicts: []protocol.Conflict{cf}, NextAfter: 42, HasMore: true}, page)
}
