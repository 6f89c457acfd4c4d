package localdb

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"
)

// The hand-written journal encoding must write what json.Marshal of the
// fields map wrote before, byte for byte, so that journals and the hub see
// no difference.
func TestFieldsJSONMatchesMarshal(t *testing.T) {
	tests := []struct {
		name string
		rec  Record
	}{
		{"ascii", &Contact{FullName: "Anna Schmidt", Emails: []Email{{Address: "anna@example.com", Type: "work", Primary: true}}}},
		{"umlauts", &Contact{FullName: "Jürgen Müller", Notes: "Straße in Köln"}},
		{"escapes", &Contact{FullName: `Max "Maxi" Mustermann`, Notes: "line1\nline2\ttab\\ <b>&</b>\x01"}},
		{"line separators", &Contact{FullName: "a\u2028b\u2029c"}},
		{"invalid utf-8", &Contact{FullName: "bad \xff byte"}},
		{"ints and bools", &Deal{Title: "Wartungsvertrag", Amount: 1234567, Probability: 50, Tags: []string{"vip", "<new>"}}},
		{"bool", &Contact{FullName: "x", DoNotCall: true, Phones: []Phone{{Number: "+49 171 2345678", Type: "mobile", E164: "+491712345678"}}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sp := specOf(tc.rec)
			vals, err := sp.encode(tc.rec)
			require.NoError(t, err)
			want := map[string]json.RawMessage{}
			for i := range sp.cols {
				if i%3 == 1 && tc.name == "ascii" {
					continue // a subset, as a patch journals
				}
				want[sp.cols[i].name], err = sp.cols[i].fieldJSON(vals[i])
				require.NoError(t, err)
			}
			wantJSON, err := json.Marshal(want)
			require.NoError(t, err)
			got := sp.fieldsJSON(vals, func(i int) bool { return !(i%3 == 1 && tc.name == "ascii") })
			require.Equal(t, string(wantJSON), got)
		})
	}
}

// Confirmed field versions are stored as json.Marshal wrote them.
func TestVersionsJSONMatchesMarshal(t *testing.T) {
	for _, versions := range []map[string]int64{
		{}, {"full_name": 41}, {"tags": 7, "emails": 1 << 40, "a<b": -3, "ü": 0, "notes": 9},
	} {
		want, err := json.Marshal(versions)
		require.NoError(t, err)
		require.Equal(t, string(want), versionsJSON(versions))
	}
}
