package calls

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"repdesk/localdb"
)

// The stored phones are read without encoding/json when they are in the
// form it writes, and through it otherwise: the result is the same.
func TestDecodeStoredPhones(t *testing.T) {
	for _, tc := range []struct {
		name  string
		raw   string
		want  []localdb.Phone
		plain bool // read without encoding/json
	}{
		{"none", `[]`, nil, true},
		{"one", `[{"number":"+49 30 1234567","type":"work","e164":"+49301234567"}]`,
			[]localdb.Phone{{Number: "+49 30 1234567", Type: "work", E164: "+49301234567"}}, true},
		{"flags and empty fields left out", `[{"number":"0171 555"},{"number":"+49 89 1","type":"fax","primary":true,"flagged":true}]`,
			[]localdb.Phone{{Number: "0171 555"}, {Number: "+49 89 1", Type: "fax", Primary: true, Flagged: true}}, true},
		{"umlauts", `[{"number":"Zentrale Köln"}]`, []localdb.Phone{{Number: "Zentrale Köln"}}, true},
		{"escaped quote", `[{"number":"\"0800\" 123"}]`, []localdb.Phone{{Number: `"0800" 123`}}, false},
		{"escaped ampersand", `[{"number":"A\u0026B"}]`, []localdb.Phone{{Number: "A&B"}}, false},
		{"fields in another order", `[{"type":"mobile","number":"0171"}]`, []localdb.Phone{{Number: "0171", Type: "mobile"}}, false},
		{"spaces", `[ {"number":"0171"} ]`, []localdb.Phone{{Number: "0171"}}, false},
		{"false written out", `[{"number":"0171","primary":false}]`, []localdb.Phone{{Number: "0171"}}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, plain := readPlainPhones([]byte(tc.raw), nil)
			assert.Equal(t, tc.plain, plain)
			got, err := decodeStoredPhones([]byte(tc.raw), nil)
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
	_, err := decodeStoredPhones([]byte(`[{"number":`), nil)
	assert.Error(t, err, "a broken column is an error, not an empty list")
}

// Whatever the plain reader accepts, encoding/json reads the same way.
func FuzzDecodeStoredPhones(f *testing.F) {
	for _, p := range [][]localdb.Phone{
		{},
		{{Number: "+49 30 1234567", Type: "work", E164: "+49301234567", Primary: true}},
		{{Number: "<0800>", Flagged: true}, {Number: "x\\y", Type: "fax"}},
		{{Number: "\xff"}},
	} {
		b, err := json.Marshal(p)
		require.NoError(f, err)
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		plain, ok := readPlainPhones(raw, nil)
		if !ok {
			return
		}
		var want []localdb.Phone
		require.NoError(t, json.Unmarshal(raw, &want), "accepted %q", raw)
		if len(want) == 0 {
			assert.Empty(t, plain)
			return
		}
		assert.Equal(t, want, plain)
	})
}
