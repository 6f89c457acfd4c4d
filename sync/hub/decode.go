package hub

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"
	"unicode/utf8"

	"repdesk/sync/internal/rawjson"
	"repdesk/sync/protocol"
)

// decodePushRequest reads a push body by hand, in one pass that checks the
// JSON as it goes: encoding/json spent a third of a 10,000-mutation push
// building maps through reflection, and a scanner that trusts a json.Valid
// run before it went over every field value six times. Field values stay
// slices of the body; names repeated in every mutation are allocated once
// per body. A member of the wrong type is an error, as with encoding/json;
// unknown members are checked and ignored.
func decodePushRequest(body []byte, req *protocol.PushRequest) error {
	d := pushDecoder{b: body, names: map[string]string{}}
	d.space()
	if d.i >= len(d.b) || d.b[d.i] != '{' {
		if _, err := d.value(); err != nil {
			return err
		}
		return rawjson.ErrNotObject
	}
	err := d.object(func(name []byte) error {
		if d.null() {
			return nil
		}
		var err error
		switch string(name) {
		case "client_id":
			req.ClientID, err = d.string(false)
		case "keep_outcomes_from":
			req.KeepOutcomesFrom, err = d.int()
		case "mutations":
			// A mutation takes at least a few hundred bytes of most bodies.
			req.Mutations = make([]protocol.Mutation, 0, len(body)/256+1)
			return d.array(func() error {
				req.Mutations = append(req.Mutations, protocol.Mutation{})
				if err := d.mutation(&req.Mutations[len(req.Mutations)-1]); err != nil {
					return fmt.Errorf("mutation %d: %w", len(req.Mutations), err)
				}
				return nil
			})
		default:
			_, err = d.value()
		}
		return memberError(name, err)
	})
	if err != nil {
		return err
	}
	if d.space(); d.i < len(d.b) {
		return d.syntaxError("after the top-level value")
	}
	return nil
}

func memberError(name []byte, err error) error {
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}

// pushDecoder reads a JSON body from position i.
type pushDecoder struct {
	b     []byte
	i     int
	depth int
	// names interns the strings every mutation repeats: field names,
	// entities, ops.
	names map[string]string
}

// maxDepth bounds nesting as encoding/json does: a body of brackets must
// not take the hub's stack.
const maxDepth = 10000

func (d *pushDecoder) syntaxError(what string) error {
	return fmt.Errorf("invalid JSON at byte %d: %s", d.i, what)
}

func (d *pushDecoder) space() {
	for d.i < len(d.b) {
		switch d.b[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

// null consumes a null value if one is next.
func (d *pushDecoder) null() bool {
	if len(d.b)-d.i >= 4 && string(d.b[d.i:d.i+4]) == "null" {
		d.i += 4
		return true
	}
	return false
}

// object reads an object, calling member with each name (valid only
// during the call) while the decoder stands at its value; member must read
// the value.
func (d *pushDecoder) object(member func(name []byte) error) error {
	if empty, err := d.open('{', '}', rawjson.ErrNotObject); empty || err != nil {
		return err
	}
	for {
		if d.i >= len(d.b) || d.b[d.i] != '"' {
			return d.syntaxError("want a member name")
		}
		start := d.i
		escaped, err := d.stringEnd()
		if err != nil {
			return err
		}
		name := d.b[start+1 : d.i-1]
		if escaped || !utf8.Valid(name) {
			s, err := rawjson.String(d.b[start:d.i]) // as encoding/json decodes it
			if err != nil {
				return err
			}
			name = []byte(s)
		}
		d.space()
		if d.i >= len(d.b) || d.b[d.i] != ':' {
			return d.syntaxError("want ':' after a member name")
		}
		d.i++
		d.space()
		if err := member(name); err != nil {
			return err
		}
		if done, err := d.next('}', "object"); done || err != nil {
			return err
		}
	}
}

// array reads an array, calling element while the decoder stands at each
// element; element must read it.
func (d *pushDecoder) array(element func() error) error {
	if empty, err := d.open('[', ']', rawjson.ErrNotArray); empty || err != nil {
		return err
	}
	for {
		if err := element(); err != nil {
			return err
		}
		if done, err := d.next(']', "array"); done || err != nil {
			return err
		}
	}
}

// open enters the object or array (opening, closing) that must stand at
// the decoder; another value is read and answered with wrong. It reports
// whether the container is empty, and then has left it already.
func (d *pushDecoder) open(opening, closing byte, wrong error) (empty bool, err error) {
	if d.i >= len(d.b) || d.b[d.i] != opening {
		if _, err := d.value(); err != nil {
			return false, err
		}
		return false, wrong
	}
	if d.depth++; d.depth > maxDepth {
		return false, d.syntaxError("nested too deeply")
	}
	d.i++
	d.space()
	if d.i < len(d.b) && d.b[d.i] == closing {
		d.i++
		d.depth--
		return true, nil
	}
	return false, nil
}

// next reads what follows a member or element of an object or array
// (what) and reports whether closing ended the container.
func (d *pushDecoder) next(closing byte, what string) (done bool, err error) {
	d.space()
	if d.i >= len(d.b) {
		return false, d.syntaxError(what + " not closed")
	}
	switch d.b[d.i] {
	case closing:
		d.i++
		d.depth--
		return true, nil
	case ',':
		d.i++
		d.space()
		return false, nil
	}
	return false, d.syntaxError("want ',' or '" + string(closing) + "' in an " + what)
}

// value reads any value and returns it as it is in the body.
func (d *pushDecoder) value() ([]byte, error) {
	start := d.i
	if d.i >= len(d.b) {
		return nil, d.syntaxError("want a value")
	}
	var err error
	switch c := d.b[d.i]; {
	case c == '{':
		err = d.object(func([]byte) error { _, err := d.value(); return err })
	case c == '[':
		err = d.array(func() error { _, err := d.value(); return err })
	case c == '"':
		_, err = d.stringEnd()
	case c == '-' || (c >= '0' && c <= '9'):
		err = d.number()
	case c == 't':
		err = d.literal("true")
	case c == 'f':
		err = d.literal("false")
	case c == 'n':
		err = d.literal("null")
	default:
		err = d.syntaxError("want a value")
	}
	if err != nil {
		return nil, err
	}
	return d.b[start:d.i], nil
}

func (d *pushDecoder) literal(word string) error {
	if len(d.b)-d.i < len(word) || string(d.b[d.i:d.i+len(word)]) != word {
		return d.syntaxError("want " + word)
	}
	d.i += len(word)
	return nil
}

// number reads a number by JSON's grammar.
func (d *pushDecoder) number() error {
	digits := func() int {
		n := 0
		for d.i < len(d.b) && d.b[d.i] >= '0' && d.b[d.i] <= '9' {
			d.i++
			n++
		}
		return n
	}
	if d.b[d.i] == '-' {
		d.i++
	}
	switch {
	case d.i < len(d.b) && d.b[d.i] == '0':
		d.i++
	case digits() == 0:
		return d.syntaxError("want a digit")
	}
	if d.i < len(d.b) && d.b[d.i] == '.' {
		d.i++
		if digits() == 0 {
			return d.syntaxError("want a digit after '.'")
		}
	}
	if d.i < len(d.b) && (d.b[d.i] == 'e' || d.b[d.i] == 'E') {
		d.i++
		if d.i < len(d.b) && (d.b[d.i] == '+' || d.b[d.i] == '-') {
			d.i++
		}
		if digits() == 0 {
			return d.syntaxError("want a digit in an exponent")
		}
	}
	return nil
}

// stringEnd reads a string and reports whether it holds escapes.
func (d *pushDecoder) stringEnd() (escaped bool, err error) {
	d.i++ // the opening quote
	for d.i < len(d.b) {
		c := d.b[d.i]
		switch {
		case c == '"':
			d.i++
			return escaped, nil
		case c < 0x20:
			return false, d.syntaxError("control character in a string")
		case c == '\\':
			escaped = true
			if d.i+1 >= len(d.b) {
				return false, d.syntaxError("string not closed")
			}
			switch d.b[d.i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				d.i += 2
			case 'u':
				if len(d.b)-d.i < 6 || !isHex(d.b[d.i+2]) || !isHex(d.b[d.i+3]) || !isHex(d.b[d.i+4]) || !isHex(d.b[d.i+5]) {
					return false, d.syntaxError("want four hex digits after \\u")
				}
				d.i += 6
			default:
				return false, d.syntaxError("unknown escape in a string")
			}
		default:
			d.i++
		}
	}
	return false, d.syntaxError("string not closed")
}

func isHex(c byte) bool { return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }

// string reads a string value; intern: it is one of the values every
// mutation repeats.
func (d *pushDecoder) string(intern bool) (string, error) {
	if d.i >= len(d.b) || d.b[d.i] != '"' {
		if _, err := d.value(); err != nil {
			return "", err
		}
		return "", errors.New("not a string")
	}
	start := d.i
	escaped, err := d.stringEnd()
	if err != nil {
		return "", err
	}
	raw := d.b[start:d.i]
	if escaped || !utf8.Valid(raw) {
		return rawjson.String(raw) // encoding/json unescapes and replaces bad UTF-8
	}
	raw = raw[1 : len(raw)-1]
	if !intern {
		return string(raw), nil
	}
	return d.intern(raw), nil
}

// intern returns b as a string, allocated once per body.
func (d *pushDecoder) intern(b []byte) string {
	if s, ok := d.names[string(b)]; ok {
		return s
	}
	s := string(b)
	d.names[s] = s
	return s
}

// int reads an integer.
func (d *pushDecoder) int() (int64, error) {
	v, err := d.value()
	if err != nil {
		return 0, err
	}
	return rawjson.Int(v)
}

func (d *pushDecoder) mutation(m *protocol.Mutation) error {
	return d.object(func(name []byte) error {
		if d.null() {
			return nil
		}
		var err error
		switch string(name) {
		case "mutation":
			m.Number, err = d.int()
		case "entity":
			m.Entity, err = d.string(true)
		case "id":
			m.ID, err = d.string(false)
		case "op":
			m.Op, err = d.string(true)
		case "base":
			m.Base, err = d.int()
		case "conflict":
			m.Conflict, err = d.string(false)
		case "resolution":
			m.Resolution, err = d.string(true)
		case "at":
			var s string
			if s, err = d.string(false); err == nil {
				m.At, err = time.Parse(time.RFC3339Nano, s)
			}
		case "fields":
			err = d.fields(m)
		default:
			_, err = d.value()
		}
		return memberError(name, err)
	})
}

func (d *pushDecoder) fields(m *protocol.Mutation) error {
	m.Fields = make(map[string]protocol.FieldChange, 16)
	return d.object(func(name []byte) error {
		field := d.intern(name)
		var fc protocol.FieldChange
		if !d.null() {
			err := d.object(func(k []byte) error {
				var err error
				switch string(k) {
				case "value":
					fc.Value, err = d.value()
				case "base":
					if !d.null() {
						fc.Base, err = d.int()
					}
				default:
					_, err = d.value()
				}
				return err
			})
			if err != nil {
				return fmt.Errorf("%s: %w", field, err)
			}
		}
		m.Fields[field] = fc
		return nil
	})
}

// appendPushResponse appends resp as JSON, by hand for the same reason:
// a push of 10,000 mutations answers 10,000 results.
func appendPushResponse(b []byte, resp *protocol.PushResponse) ([]byte, error) {
	b = append(b, `{"last_mutation":`...)
	b = strconv.AppendInt(b, resp.LastMutation, 10)
	b = append(b, `,"results":[`...)
	for i := range resp.Results {
		r := &resp.Results[i]
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"mutation":`...)
		b = strconv.AppendInt(b, r.Number, 10)
		b = append(b, `,"status":`...)
		b = rawjson.AppendString(b, r.Status)
		if r.Duplicate {
			b = append(b, `,"duplicate":true`...)
		}
		if r.Reason != "" {
			b = append(b, `,"reason":`...)
			b = rawjson.AppendString(b, r.Reason)
		}
		if r.Seq != 0 {
			b = append(b, `,"seq":`...)
			b = strconv.AppendInt(b, r.Seq, 10)
		}
		if len(r.Versions) > 0 {
			b = append(b, `,"versions":`...)
			b = appendVersions(b, r.Versions)
		}
		if len(r.Values) > 0 {
			b = append(b, `,"values":`...)
			b = appendFields(b, r.Values)
		}
		if len(r.Conflicts) > 0 {
			cj, err := json.Marshal(r.Conflicts)
			if err != nil {
				return nil, err
			}
			b = append(b, `,"conflicts":`...)
			b = append(b, cj...)
		}
		b = append(b, '}')
	}
	return append(b, "]}\n"...), nil
}
