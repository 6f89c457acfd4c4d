package hub

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"repdesk/sync/protocol"
)

func TestCompact(t *testing.T) {
	tests := []struct{ in, want string }{
		{`"a b"`, `"a b"`},
		{`{ "a" : [1, 2] }`, `{"a":[1,2]}`},
		{`"quote \" then space"`, `"quote \" then space"`},
		{`["x\\", 1]`, `["x\\",1]`},
		{"[\n1\t]", `[1]`},
	}
	for _, tc := range tests {
		assert.Equal(t, tc.want, string(compact(json.RawMessage(tc.in))), tc.in)
	}
}

func TestEqualValues(t *testing.T) {
	assert.True(t, equalValues(json.RawMessage(`{"a":1,"b":2}`), json.RawMessage(`{"b":2,"a":1}`)))
	assert.True(t, equalValues(json.RawMessage(`1`), json.RawMessage(`1.0`)))
	assert.False(t, equalValues(json.RawMessage(`"1"`), json.RawMessage(`1`)))
}

func TestMergeTagSets(t *testing.T) {
	tests := []struct {
		name                 string
		base                 []string
		baseKnown            bool
		server, client, want []string
	}{
		{"removal here, addition there", []string{"x"}, true, []string{"x", "y"}, []string{}, []string{"y"}},
		{"both add", []string{"a"}, true, []string{"a", "b"}, []string{"a", "c"}, []string{"a", "b", "c"}},
		{"both remove the same", []string{"a", "b"}, true, []string{"a"}, []string{"a"}, []string{"a"}},
		{"server removed, client kept", []string{"a", "b"}, true, []string{"a"}, []string{"a", "b"}, []string{"a"}},
		{"client re-adds a tag the server removed", []string{"a"}, true, []string{}, []string{"a", "b"}, []string{"b"}},
		{"new field on both sides", nil, true, []string{"a"}, []string{"b"}, []string{"a", "b"}},
		{"base unknown: union", nil, false, []string{"a", "b"}, []string{"c"}, []string{"a", "b", "c"}},
		{"duplicates collapse", []string{}, true, []string{"a", "a"}, []string{"b", "b"}, []string{"a", "b"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, mergeTagSets(tc.base, tc.baseKnown, tc.server, tc.client))
		})
	}
}

// The hand decoder reads push bodies as encoding/json does.
func TestDecodePushRequestLikeEncodingJSON(t *testing.T) {
	body := `{"client_id":"0190b5c2-6a7e-7c1a-9a55-2f4c1b0e8d11","future":[1],"keep_outcomes_from":39,"mutations":[
	  {"mutation":41,"entity":"contact","id":"x","op":"create","fields":{"full_name":{"value":"Kari \"K\"","base":0},
	   "tags":{"value":["vip"],"base":7},"notes":{"value":null},"o":{"value":{"a":[1,{"b":"}"}]},"base":3}},"at":"2025-03-01T09:12:00.5Z"},
	  {"mutation":45,"entity":"deal","id":"y","op":"delete","base":1311},
	  {"mutation":46,"entity":"company","id":"z","op":"resolve","conflict":"c","resolution":"keep_mine","fields":null}]}`
	var want, got protocol.PushRequest
	require.NoError(t, json.Unmarshal([]byte(body), &want))
	require.NoError(t, decodePushRequest([]byte(body), &got))
	assert.Equal(t, want, got)
	for _, bad := range []string{`{"mutations":[{"mutation":"1"}]}`, `{"mutations":{}}`, `{"client_id":1}`, `{"keep_outcomes_from":"39"}`, `{"mutations":[`,
		`{"mutations":[{"fields":{"a":{"base":"x"}}}]}`, `{"mutations":[{"at":"yesterday"}]}`, `[]`} {
		var req protocol.PushRequest
		assert.Error(t, decodePushRequest([]byte(bad), &req), bad)
	}
}

func TestAppendPushResponseLikeEncodingJSON(t *testing.T) {
	resp := protocol.PushResponse{LastMutation: 47, Results: []protocol.MutationResult{
		{Number: 41, Status: protocol.StatusApplied, Seq: 1402, Versions: map[string]int64{"b": 1402, "a": 1}},
		{Number: 44, Status: protocol.StatusConflict, Seq: 1207, Versions: map[string]int64{"title": 1390},
			Conflicts: []protocol.Conflict{{ID: "c", Kind: protocol.ConflictField, Server: json.RawMessage(`"a"`), Client: json.RawMessage(`"b"`)}}},
		{Number: 45, Status: protocol.StatusRejected, Reason: `outside "your" scope`, Duplicate: true},
		{Number: 46, Status: protocol.StatusDuplicate},
		{Number: 47, Status: protocol.StatusApplied, Seq: 1409, Versions: map[string]int64{"tags": 1409},
			Values: map[string]json.RawMessage{"tags": json.RawMessage(`["vip","fair"]`)}},
	}}
	want, err := json.Marshal(resp)
	require.NoError(t, err)
	got, err := appendPushResponse(nil, &resp)
	require.NoError(t, err)
	assert.JSONEq(t, string(want), string(got))
}

// The decoder checks the JSON it reads in the same pass: a body that
// encoding/json refuses is refused, whatever member the error is in.
func TestDecodePushRequestRefusesInvalidJSON(t *testing.T) {
	for _, bad := range []string{
		`{"mutations":[{"mutation":01}]}`, `{"future":tru}`, "{\"future\":\"a\x01b\"}", `{"future":1,}`, `{"future" 1}`,
		`{"client_id":"x"}x`, `{"future":"\q"}`, `{"future":"\u12"}`, `{"future":-}`, `{"future":1.}`, `{"future":1e}`,
		`{"mutations":[{"fields":{"a":{"value":[1,]}}}]}`, `{"mutations":[{"fields":{"a":{"value":{"b"}}}}]}`,
		`{"mutations":[{"fields":{"a":{"value":"open}}}]}`, `{"future":[` + strings.Repeat("[", 20000) + `]}`, ``, ` `,
	} {
		require.False(t, json.Valid([]byte(bad)), bad)
		var req protocol.PushRequest
		assert.Error(t, decodePushRequest([]byte(bad), &req), bad)
	}
}

// FuzzDecodePushRequest: whatever the body, the decoder refuses what is
// not JSON and, when it accepts a body, reads what encoding/json reads.
func FuzzDecodePushRequest(f *testing.F) {
	f.Add(`{"client_id":"c","keep_outcomes_from":3,"mutations":[{"mutation":1,"entity":"contact","id":"x","op":"create",` +
		`"fields":{"full_name":{"value":"K\u00e4ri \"K\"","base":0},"tags":{"value":["a"],"base":null},"n":null},"at":"2025-03-01T09:12:00Z"}]}`)
	f.Add(`{"mutations":[{"mutation":2,"op":"delete","base":-0,"future":{"a":[1.5e+3,true,false,null,"\/"]}}]}`)
	f.Add(`{"mutations":null,"client_id":null}`)
	f.Fuzz(func(t *testing.T, body string) {
		var got protocol.PushRequest
		err := decodePushRequest([]byte(body), &got)
		if !json.Valid([]byte(body)) {
			require.Error(t, err)
			return
		}
		if err != nil {
			return // a member of the wrong type
		}
		if strings.ToLower(body) != body || strings.Contains(body, `\u`) || strings.ContainsFunc(body, func(r rune) bool { return r > unicode.MaxASCII }) {
			return // encoding/json matches member names case-insensitively
		}
		var want protocol.PushRequest
		if json.Unmarshal([]byte(body), &want) != nil {
			return
		}
		if len(want.Mutations) == 0 {
			want.Mutations, got.Mutations = nil, nil
		}
		assert.Equal(t, want, got)
	})
}

// A create's change keeps its fields as the JSON logged; a merge or a
// conflict of a later change in the same push reads a value from it.
func TestChangeRowFieldValue(t *testing.T) {
	logged := &changeRow{body: `{"full_name":"Kari","tags":["vip","north"]}`}
	v, ok := logged.fieldValue("tags")
	assert.True(t, ok)
	assert.JSONEq(t, `["vip","north"]`, string(v))
	_, ok = logged.fieldValue("notes")
	assert.False(t, ok)
	read := &changeRow{fields: map[string]json.RawMessage{"tags": json.RawMessage(`[]`)}}
	v, ok = read.fieldValue("tags")
	assert.True(t, ok)
	assert.Equal(t, `[]`, string(v))
	var never *changeRow
	_, ok = never.fieldValue("tags")
	assert.False(t, ok)
}

func TestIsStringArray(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{`[]`, true}, {`["vip"]`, true}, {`["vip","north","ä b"]`, true},
		// Escapes, spaces, other elements: encoding/json decides.
		{`["a\"b"]`, false}, {`[ "a" ]`, false}, {`[1]`, false}, {`["a",1]`, false}, {`[null]`, false},
		{`null`, false}, {`"a"`, false}, {`{}`, false},
	}
	for _, tc := range tests {
		assert.Equal(t, tc.want, isStringArray(json.RawMessage(tc.in)), tc.in)
	}
}
