package hub

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
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

func TestAppendString(t *testing.T) {
	for _, s := range []string{"plain", `qu"ote`, `back\slash`, "new\nline", "tab\t", "ctl\x01", "Ærø Østfold", "bad\xffutf8"} {
		var back string
		assert.NoError(t, json.Unmarshal(appendString(nil, s), &back), s)
		want, _ := json.Marshal(s)
		var wantBack string
		_ = json.Unmarshal(want, &wantBack)
		assert.Equal(t, wantBack, back, s)
	}
}
