package rawjson

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestEachFieldRejectsBrokenObjects(t *testing.T) {
	for _, in := range []string{``, `[]`, `{`, `{"a"}`, `{"a":}`, `{"a":1,}`, `{"a":"x}`, `{"a":[1,2}`, `{"a":tru}`, `{"a":1 "b":2}`, `{a:1}`} {
		err := EachField([]byte(in), func(string, []byte) {})
		assert.Error(t, err, "%q", in)
	}
	var names []string
	require.NoError(t, EachField([]byte(" { } "), func(n string, _ []byte) { names = append(names, n) }))
	assert.Empty(t, names)
}

func TestEachElement(t *testing.T) {
	var got []string
	require.NoError(t, EachElement([]byte(` [ 1, "a]", {"b":[2]} , null ] `), func(v []byte) error {
		got = append(got, string(v))
		return nil
	}))
	assert.Equal(t, []string{`1`, `"a]"`, `{"b":[2]}`, `null`}, got)
	for _, in := range []string{``, `{}`, `[`, `[1,]`, `[1 2]`} {
		assert.Error(t, EachElement([]byte(in), func([]byte) error { return nil }), "%q", in)
	}
}

func TestStringMatchesEncodingJSON(t *testing.T) {
	for _, in := range []string{`"plain"`, `"qu\"ote"`, `"\u00e6\n"`, `"Ærø"`, `""`} {
		var want string
		require.NoError(t, json.Unmarshal([]byte(in), &want))
		got, err := String([]byte(in))
		require.NoError(t, err)
		assert.Equal(t, want, got, in)
	}
	_, err := String([]byte(`12`))
	assert.Error(t, err)
}

func TestAppendString(t *testing.T) {
	for _, s := range []string{"plain", `qu"ote`, `back\slash`, "new\nline", "tab\t", "ctl\x01", "Ærø Østfold", "bad\xffutf8"} {
		var back string
		assert.NoError(t, json.Unmarshal(AppendString(nil, s), &back), s)
		want, _ := json.Marshal(s)
		var wantBack string
		_ = json.Unmarshal(want, &wantBack)
		assert.Equal(t, wantBack, back, s)
	}
}
