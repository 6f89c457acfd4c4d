// Package rawjson scans and writes JSON by hand for the sync hot paths
// (pushes of thousands of mutations, first syncs of 100,000 records), where
// encoding/json's reflection, second validation pass and copies of every
// value cost more than the work itself. Values stay slices of the input.
package rawjson

import (
	"encoding/json"
	"errors"
	"strconv"
	"unicode/utf8"
)

var ErrNotObject = errors.New("not a JSON object")

// EachField calls fn with the name and the raw value of each member of a
// JSON object, in order. Values are passed as they are.
func EachField(obj []byte, fn func(name string, value []byte)) error {
	i := skipSpace(obj, 0)
	if i >= len(obj) || obj[i] != '{' {
		return ErrNotObject
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
		name, err := String(obj[i:end])
		if err != nil {
			return err
		}
		i = skipSpace(obj, end)
		if i >= len(obj) || obj[i] != ':' {
			return ErrNotObject
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
			return ErrNotObject
		case obj[i] == '}':
			return nil
		case obj[i] != ',':
			return ErrNotObject
		}
		i = skipSpace(obj, i+1)
	}
}

// String decodes a JSON string (quotes included); the common string that
// needs no unescaping skips encoding/json.
func String(b []byte) (string, error) {
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

// EachElement calls fn with each raw element of a JSON array, in order.
func EachElement(arr []byte, fn func(value []byte) error) error {
	i := skipSpace(arr, 0)
	if i >= len(arr) || arr[i] != '[' {
		return ErrNotArray
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
			return ErrNotArray
		case arr[i] == ']':
			return nil
		case arr[i] != ',':
			return ErrNotArray
		}
		i = skipSpace(arr, i+1)
	}
}

var ErrNotArray = errors.New("not a JSON array")

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// stringEnd returns the index after the JSON string starting at i.
func stringEnd(b []byte, i int) (int, error) {
	if i >= len(b) || b[i] != '"' {
		return 0, ErrNotObject
	}
	for j := i + 1; j < len(b); j++ {
		switch b[j] {
		case '\\':
			j++
		case '"':
			return j + 1, nil
		}
	}
	return 0, ErrNotObject
}

// valueEnd returns the index after the JSON value starting at i.
func valueEnd(b []byte, i int) (int, error) {
	if i >= len(b) {
		return 0, ErrNotObject
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
		return 0, ErrNotObject
	default: // number, true, false, null
		j := i
		for j < len(b) && b[j] != ',' && b[j] != '}' && b[j] != ']' && b[j] != ' ' && b[j] != '\n' && b[j] != '\t' && b[j] != '\r' {
			j++
		}
		if j == i || !json.Valid(b[i:j]) {
			return 0, ErrNotObject
		}
		return j, nil
	}
}

const hexDigits = "0123456789abcdef"

// AppendString appends s as a JSON string.
func AppendString(b []byte, s string) []byte {
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

// EachMember is EachField that stops at fn's first error.
func EachMember(obj []byte, fn func(name string, value []byte) error) error {
	var ferr error
	err := EachField(obj, func(name string, value []byte) {
		if ferr == nil {
			ferr = fn(name, value)
		}
	})
	if ferr != nil {
		return ferr
	}
	return err
}

// IsNull reports whether a raw value is null (or missing).
func IsNull(v []byte) bool { return len(v) == 0 || string(v) == "null" }

// Int decodes an integer.
func Int(v []byte) (int64, error) {
	n, err := strconv.ParseInt(string(v), 10, 64)
	if err != nil {
		return 0, errors.New("not an integer: " + strconv.Quote(string(v[:min(len(v), 20)])))
	}
	return n, nil
}

// Bool decodes true or false.
func Bool(v []byte) (bool, error) {
	switch string(v) {
	case "true":
		return true, nil
	case "false":
		return false, nil
	}
	return false, errors.New("not a boolean: " + strconv.Quote(string(v[:min(len(v), 20)])))
}
