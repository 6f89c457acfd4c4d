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

func TestEqualValuesAndTags(t *testing.T) {
	assert.True(t, equalValues(json.RawMessage(`{"a":1,"b":2}`), json.RawMessage(`{"b":2,"a":1}`)))
	assert.True(t, equalValues(json.RawMessage(`1`), json.RawMessage(`1.0`)))
	assert.False(t, equalValues(json.RawMessage(`"1"`), json.RawMessage(`1`)))
	u, grew := unionTags(json.RawMessage(`["a","b"]`), json.RawMessage(`["b","c"]`))
	assert.True(t, grew)
	assert.JSONEq(t, `["a","b","c"]`, string(u))
	_, grew = unionTags(json.RawMessage(`["a","b"]`), json.RawMessage(`["b"]`))
	assert.False(t, grew)
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
