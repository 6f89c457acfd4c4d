package calendar_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"repdesk/localdb/calendar"
)

// prop is one parsed content line.
type prop struct {
	name   string
	params map[string]string
	value  string
}

// component is a parsed BEGIN/END block.
type component struct {
	name  string
	props []prop
	subs  []*component
}

func (c *component) get(name string) (prop, bool) {
	for _, p := range c.props {
		if p.name == name {
			return p, true
		}
	}
	return prop{}, false
}

// parseICS is a small strict reader of what Write makes: it fails the test
// on a line not ended by CRLF, a physical line over 75 octets, a fold that
// splits a UTF-8 sequence, a bad content line or unbalanced BEGIN/END.
func parseICS(t *testing.T, data []byte) *component {
	t.Helper()
	require.True(t, bytes.HasSuffix(data, []byte("\r\n")), "the file ends with CRLF")
	physical := strings.Split(strings.TrimSuffix(string(data), "\r\n"), "\r\n")
	var logical []string
	for i, l := range physical {
		require.NotContains(t, l, "\n", "line %d: a bare LF", i+1)
		require.NotContains(t, l, "\r", "line %d: a bare CR", i+1)
		require.LessOrEqual(t, len(l), 75, "line %d is %d octets: %q", i+1, len(l), l)
		require.True(t, utf8.ValidString(l), "line %d splits a UTF-8 sequence: %q", i+1, l)
		if strings.HasPrefix(l, " ") {
			require.NotEmpty(t, logical, "line %d: a continuation first", i+1)
			logical[len(logical)-1] += l[1:]
			continue
		}
		logical = append(logical, l)
	}
	root := &component{name: "ROOT"}
	stack := []*component{root}
	for _, l := range logical {
		head, value, ok := strings.Cut(l, ":")
		require.True(t, ok, "no colon in %q", l)
		parts := strings.Split(head, ";")
		p := prop{name: parts[0], params: map[string]string{}, value: value}
		require.Regexp(t, `^[A-Z][A-Z0-9-]*$`, p.name)
		for _, kv := range parts[1:] {
			k, v, ok := strings.Cut(kv, "=")
			require.True(t, ok, "parameter %q in %q", kv, l)
			p.params[k] = v
		}
		top := stack[len(stack)-1]
		switch p.name {
		case "BEGIN":
			c := &component{name: value}
			top.subs = append(top.subs, c)
			stack = append(stack, c)
		case "END":
			require.Equal(t, top.name, value, "END does not close BEGIN")
			stack = stack[:len(stack)-1]
		default:
			top.props = append(top.props, p)
		}
	}
	require.Len(t, stack, 1, "unclosed BEGIN")
	require.Len(t, root.subs, 1)
	require.Equal(t, "VCALENDAR", root.subs[0].name)
	return root.subs[0]
}

// unescape undoes TEXT escaping strictly: an unknown escape fails.
func unescape(t *testing.T, s string) string {
	t.Helper()
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == ';' || c == ',' {
			t.Fatalf("unescaped %q in %q", c, s)
		}
		if c != '\\' {
			b.WriteByte(c)
			continue
		}
		i++
		require.Less(t, i, len(s), "a trailing backslash in %q", s)
		switch s[i] {
		case '\\', ';', ',':
			b.WriteByte(s[i])
		case 'n', 'N':
			b.WriteByte('\n')
		default:
			t.Fatalf("unknown escape \\%c in %q", s[i], s)
		}
	}
	return b.String()
}

func events(cal *component) []*component {
	var out []*component
	for _, c := range cal.subs {
		if c.name == "VEVENT" {
			out = append(out, c)
		}
	}
	return out
}

var berlin = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		panic(err)
	}
	return loc
}()

var stamp = time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC)

func write(t *testing.T, c calendar.Calendar) []byte {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, calendar.Write(&buf, c))
	return buf.Bytes()
}

func TestWriteRoundTrip(t *testing.T) {
	long := strings.Repeat("Größenänderung über Öffnungszeiten, Maße; Schlüssel\\Tür — 😀 ", 8)
	tests := []struct {
		name    string
		summary string
		desc    string
		loc     string
	}{
		{"plain", "Visit: ACME", "", "Main St 1, Springfield"},
		{"escaping", `Müller, Söhne; & Co \ KG`, "line one\nline two\r\nline three, with; all\\", "Große Str. 7, 50667 Köln"},
		{"long multibyte text folds on rune boundaries", long, long, long},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Date(2026, 12, 1, 10, 0, 0, 0, berlin)
			data := write(t, calendar.Calendar{Name: "Visits, Jörg", Location: berlin, Stamp: stamp, Events: []calendar.Event{{
				UID: "0190b5c2-6a7e-7c1a-9a55-2f4c1b0e8d11@visit.repdesk", Sequence: 2, Start: start, End: start.Add(90 * time.Minute),
				Summary: tc.summary, Description: tc.desc, Location: tc.loc}}})
			cal := parseICS(t, data)
			evs := events(cal)
			require.Len(t, evs, 1)
			ev := evs[0]
			s, _ := ev.get("SUMMARY")
			assert.Equal(t, tc.summary, unescape(t, s.value))
			if tc.desc != "" {
				d, ok := ev.get("DESCRIPTION")
				require.True(t, ok)
				want := strings.ReplaceAll(tc.desc, "\r\n", "\n")
				assert.Equal(t, want, unescape(t, d.value))
			}
			l, _ := ev.get("LOCATION")
			assert.Equal(t, tc.loc, unescape(t, l.value))
			name, _ := cal.get("X-WR-CALNAME")
			assert.Equal(t, "Visits, Jörg", unescape(t, name.value))
		})
	}
}

func TestWriteBerlinTimes(t *testing.T) {
	winter := time.Date(2026, 12, 1, 10, 0, 0, 0, berlin)
	summer := time.Date(2026, 7, 15, 14, 30, 0, 0, berlin)
	data := write(t, calendar.Calendar{Location: berlin, Stamp: stamp, Events: []calendar.Event{
		{UID: "a@x", Start: winter, End: winter.Add(time.Hour), Summary: "w"},
		{UID: "b@x", Start: summer, End: summer.Add(time.Hour), Summary: "s", Status: calendar.StatusCancelled, Sequence: 3},
	}})
	cal := parseICS(t, data)
	for _, p := range []string{"VERSION", "PRODID"} {
		_, ok := cal.get(p)
		assert.True(t, ok, p)
	}
	require.Len(t, cal.subs, 3)
	tz := cal.subs[0]
	require.Equal(t, "VTIMEZONE", tz.name)
	id, _ := tz.get("TZID")
	assert.Equal(t, "Europe/Berlin", id.value)
	assert.ElementsMatch(t, []string{"DAYLIGHT", "STANDARD"}, []string{tz.subs[0].name, tz.subs[1].name})

	evs := events(cal)
	require.Len(t, evs, 2)
	want := []struct{ start, end, status, seq string }{
		{"20261201T100000", "20261201T110000", "CONFIRMED", "0"},
		{"20260715T143000", "20260715T153000", "CANCELLED", "3"},
	}
	for i, ev := range evs {
		st, _ := ev.get("DTSTART")
		en, _ := ev.get("DTEND")
		assert.Equal(t, "Europe/Berlin", st.params["TZID"])
		assert.Equal(t, want[i].start, st.value, "wall-clock time in Berlin, summer and winter")
		assert.Equal(t, "Europe/Berlin", en.params["TZID"])
		assert.Equal(t, want[i].end, en.value)
		status, _ := ev.get("STATUS")
		assert.Equal(t, want[i].status, status.value)
		seq, _ := ev.get("SEQUENCE")
		assert.Equal(t, want[i].seq, seq.value)
		ds, _ := ev.get("DTSTAMP")
		assert.Equal(t, "20261127T080000Z", ds.value, "DTSTAMP in UTC")
	}
}

func TestWriteUTCOutsideBerlin(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	require.NoError(t, err)
	start := time.Date(2026, 12, 1, 10, 0, 0, 0, ny)
	for _, loc := range []*time.Location{ny, nil, time.UTC} {
		t.Run(fmt.Sprint(loc), func(t *testing.T) {
			cal := parseICS(t, write(t, calendar.Calendar{Location: loc, Stamp: stamp,
				Events: []calendar.Event{{UID: "a@x", Start: start, End: start.Add(time.Hour), Summary: "x"}}}))
			for _, c := range cal.subs {
				assert.NotEqual(t, "VTIMEZONE", c.name)
			}
			st, _ := events(cal)[0].get("DTSTART")
			assert.Empty(t, st.params)
			assert.Equal(t, "20261201T150000Z", st.value)
		})
	}
}

func TestWriteRefusesBadEvents(t *testing.T) {
	start := time.Date(2026, 12, 1, 10, 0, 0, 0, berlin)
	for name, ev := range map[string]calendar.Event{
		"no UID":           {Start: start, End: start.Add(time.Hour)},
		"end before start": {UID: "a@x", Start: start, End: start.Add(-time.Hour)},
	} {
		t.Run(name, func(t *testing.T) {
			var buf bytes.Buffer
			assert.Error(t, calendar.Write(&buf, calendar.Calendar{Events: []calendar.Event{ev}}))
		})
	}
}
