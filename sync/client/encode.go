package client

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"
	"unicode/utf8"

	"repdesk/localdb"
	"repdesk/sync/protocol"
)

// Pushes are encoded by hand: the journal holds each change's fields as a
// compact JSON object already, and copying its values beats decoding them
// into maps and encoding them again (a third of a 10,000-entry push).

// sentMutation is what the client remembers of a mutation it sent.
type sentMutation struct {
	op     string
	fields map[string]bool
}

// appendPushRequest appends the push request for a batch of journal
// entries as protocol.PushRequest JSON.
func appendPushRequest(b []byte, clientID string, batch []localdb.Outgoing) ([]byte, []sentMutation, error) {
	sent := make([]sentMutation, len(batch))
	b = append(b, `{"client_id":`...)
	b = appendString(b, clientID)
	b = append(b, `,"mutations":[`...)
	for i := range batch {
		if i > 0 {
			b = append(b, ',')
		}
		var err error
		if b, sent[i], err = appendMutation(b, &batch[i]); err != nil {
			return nil, nil, err
		}
	}
	return append(b, "]}"...), sent, nil
}

// appendMutation appends one journal entry as protocol.Mutation JSON.
func appendMutation(b []byte, o *localdb.Outgoing) ([]byte, sentMutation, error) {
	sm := sentMutation{op: o.Op}
	b = append(b, `{"mutation":`...)
	b = strconv.AppendInt(b, o.Seq, 10)
	b = append(b, `,"entity":`...)
	b = appendString(b, o.Entity)
	b = append(b, `,"id":`...)
	b = appendString(b, o.RecordID)
	b = append(b, `,"op":`...)
	b = appendString(b, o.Op)
	switch o.Op {
	case protocol.OpDelete:
		if o.RecordSeq != 0 {
			b = append(b, `,"base":`...)
			b = strconv.AppendInt(b, o.RecordSeq, 10)
		}
	case protocol.OpResolve:
		b = append(b, `,"conflict":`...)
		b = appendString(b, o.Conflict)
		if o.Resolution != "" {
			b = append(b, `,"resolution":`...)
			b = appendString(b, o.Resolution)
		}
	default:
		first := true
		err := eachField(o.RawFields, func(name string, value []byte) {
			if first {
				b = append(b, `,"fields":{`...)
				first = false
			} else {
				b = append(b, ',')
			}
			b = appendString(b, name)
			b = append(b, `:{"value":`...)
			b = append(b, value...)
			b = append(b, `,"base":`...)
			b = strconv.AppendInt(b, o.Versions[name], 10)
			b = append(b, '}')
			if sm.fields == nil {
				sm.fields = map[string]bool{}
			}
			sm.fields[name] = true
		})
		if err != nil {
			return nil, sm, fmt.Errorf("push: journal entry %d: fields: %w", o.Seq, err)
		}
		if !first {
			b = append(b, '}')
		}
	}
	if !o.At.IsZero() {
		b = append(b, `,"at":"`...)
		b = o.At.UTC().AppendFormat(b, time.RFC3339Nano)
		b = append(b, '"')
	}
	return append(b, '}'), sm, nil
}

var errBadObject = errors.New("not a JSON object")

// eachField calls fn with the name and the raw value of each member of a
// JSON object, in order. Values are passed as they are.
func eachField(obj []byte, fn func(name string, value []byte)) error {
	i := skipSpace(obj, 0)
	if i >= len(obj) || obj[i] != '{' {
		return errBadObject
	}
	i = skipSpace(obj, i+1)
	if i < len(obj) && obj[i] == '}' {
		return nil
	}
	for {
		end, err := stringEnd(obj, i)
		if err != nil {
			return err
		}
		name, err := decodeString(obj[i:end])
		if err != nil {
			return err
		}
		i = skipSpace(obj, end)
		if i >= len(obj) || obj[i] != ':' {
			return errBadObject
		}
		i = skipSpace(obj, i+1)
		vend, err := valueEnd(obj, i)
		if err != nil {
			return err
		}
		fn(name, obj[i:vend])
		i = skipSpace(obj, vend)
		switch {
		case i >= len(obj):
			return errBadObject
		case obj[i] == '}':
			return nil
		case obj[i] != ',':
			return errBadObject
		}
		i = skipSpace(obj, i+1)
	}
}

// decodeString decodes a JSON string (quotes included), without the
// decoder for the common string that needs no unescaping.
func decodeString(b []byte) (string, error) {
	if n := len(b); n >= 2 && b[0] == '"' && b[n-1] == '"' {
		plain := true
		for _, c := range b[1 : n-1] {
			if c == '\\' || c < 0x20 || c == '"' {
				plain = false
				break
			}
		}
		if plain && utf8.Valid(b[1:n-1]) {
			return string(b[1 : n-1]), nil
		}
	}
	var s string
	err := json.Unmarshal(b, &s)
	return s, err
}

// eachElement calls fn with each raw element of a JSON array, in order.
func eachElement(arr []byte, fn func(value []byte) error) error {
	i := skipSpace(arr, 0)
	if i >= len(arr) || arr[i] != '[' {
		return errBadArray
	}
	i = skipSpace(arr, i+1)
	if i < len(arr) && arr[i] == ']' {
		return nil
	}
	for {
		end, err := valueEnd(arr, i)
		if err != nil {
			return err
		}
		if err := fn(arr[i:end]); err != nil {
			return err
		}
		i = skipSpace(arr, end)
		switch {
		case i >= len(arr):
			return errBadArray
		case arr[i] == ']':
			return nil
		case arr[i] != ',':
			return errBadArray
		}
		i = skipSpace(arr, i+1)
	}
}

var errBadArray = errors.New("not a JSON array")

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// stringEnd returns the index after the JSON string starting at i.
func stringEnd(b []byte, i int) (int, error) {
	if i >= len(b) || b[i] != '"' {
		return 0, errBadObject
	}
	for j := i + 1; j < len(b); j++ {
		switch b[j] {
		case '\\':
			j++
		case '"':
			return j + 1, nil
		}
	}
	return 0, errBadObject
}

// valueEnd returns the index after the JSON value starting at i.
func valueEnd(b []byte, i int) (int, error) {
	if i >= len(b) {
		return 0, errBadObject
	}
	switch b[i] {
	case '"':
		return stringEnd(b, i)
	case '{', '[':
		depth := 0
		for j := i; j < len(b); j++ {
			switch b[j] {
			case '"':
				end, err := stringEnd(b, j)
				if err != nil {
					return 0, err
				}
				j = end - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return j + 1, nil
				}
			}
		}
		return 0, errBadObject
	default: // number, true, false, null
		j := i
		for j < len(b) && b[j] != ',' && b[j] != '}' && b[j] != ']' && b[j] != ' ' && b[j] != '\n' && b[j] != '\t' && b[j] != '\r' {
			j++
		}
		if j == i || !json.Valid(b[i:j]) {
			return 0, errBadObject
		}
		return j, nil
	}
}

const hexDigits = "0123456789abcdef"

// appendString appends s as a JSON string.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			b = append(b, c)
			i++
			continue
		}
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size == 1 {
				b = append(b, `\ufffd`...)
			} else {
				b = append(b, s[i:i+size]...)
			}
			i += size
			continue
		}
		switch c {
		case '"', '\\':
			b = append(b, '\\', c)
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case '\t':
			b = append(b, '\\', 't')
		default:
			b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
		}
		i++
	}
	return append(b, '"')
}
