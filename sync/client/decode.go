package client

import (
	"encoding/json"
	"fmt"
	"time"

	"repdesk/sync/internal/rawjson"
	"repdesk/sync/protocol"
)

// Pull and snapshot pages are decoded by hand: a first sync reads 100,000
// records, and encoding/json spends most of its time validating the body
// once more and copying every field value into a map of its own. Here the
// field values stay slices of the body (which the page keeps alive), and
// names and plain strings skip the string decoder.

// rawDecoder is implemented by answers that decode their body themselves.
type rawDecoder interface {
	decodeRaw(body []byte) error
}

func (p *wirePull) decodeRaw(b []byte) error {
	return rawjson.EachMember(b, func(name string, v []byte) error {
		switch name {
		case "changes":
			return decodeRecords(v, &p.Changes)
		case "conflicts":
			return json.Unmarshal(v, &p.Conflicts)
		case "cursor":
			return decodeInt(v, &p.Cursor)
		case "has_more":
			return decodeBool(v, &p.HasMore)
		}
		return nil
	})
}

func (p *wireSnapshot) decodeRaw(b []byte) error {
	return rawjson.EachMember(b, func(name string, v []byte) error {
		switch name {
		case "records":
			return decodeRecords(v, &p.Records)
		case "conflicts":
			return json.Unmarshal(v, &p.Conflicts)
		case "until":
			return decodeInt(v, &p.Until)
		case "next_after":
			return decodeInt(v, &p.NextAfter)
		case "has_more":
			return decodeBool(v, &p.HasMore)
		}
		return nil
	})
}

func decodeRecords(arr []byte, out *[]wireRecord) error {
	if rawjson.IsNull(arr) {
		return nil
	}
	recs := make([]wireRecord, 0, 256)
	fields := 16 // the previous record's number of fields: the next has as many, mostly
	err := rawjson.EachElement(arr, func(v []byte) error {
		recs = append(recs, wireRecord{})
		r := &recs[len(recs)-1]
		if n := len(recs); n > 1 {
			fields = len(recs[n-2].Fields)
		}
		if err := decodeRecord(v, r, fields); err != nil {
			return fmt.Errorf("record %d: %w", len(recs), err)
		}
		return nil
	})
	*out = recs
	return err
}

// decodeRecord decodes a record; fields is the number of fields expected,
// for the size of their map.
func decodeRecord(obj []byte, r *wireRecord, fields int) error {
	return rawjson.EachMember(obj, func(name string, v []byte) error {
		if rawjson.IsNull(v) {
			return nil
		}
		var err error
		switch name {
		case "op":
			r.Op, err = rawjson.String(v)
		case "entity":
			r.Entity, err = rawjson.String(v)
		case "id":
			r.ID, err = rawjson.String(v)
		case "seq":
			err = decodeInt(v, &r.Seq)
		case "owner":
			r.Owner, err = rawjson.String(v)
		case "created_at":
			r.CreatedAt, err = decodeTime(v)
		case "updated_at":
			r.UpdatedAt, err = decodeTime(v)
		case "fields":
			r.Fields = make(map[string]json.RawMessage, fields)
			err = rawjson.EachMember(v, func(field string, value []byte) error {
				r.Fields[field] = value
				return nil
			})
		case "versions":
			if len(v) == 0 || v[0] != '{' {
				return fmt.Errorf("versions: %w", rawjson.ErrNotObject)
			}
			r.Versions = v
		case "own":
			err = decodeBool(v, &r.Own)
		}
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		return nil
	})
}

func decodeInt(v []byte, out *int64) (err error) {
	*out, err = rawjson.Int(v)
	return err
}

func decodeBool(v []byte, out *bool) (err error) {
	*out, err = rawjson.Bool(v)
	return err
}

func decodeTime(v []byte) (time.Time, error) {
	s, err := rawjson.String(v)
	if err != nil {
		return time.Time{}, err
	}
	return time.Parse(time.RFC3339Nano, s)
}

// pushAnswer is protocol.PushResponse, decoded by hand: a push of 2,000
// mutations is answered with 2,000 results and their field versions.
type pushAnswer protocol.PushResponse

func (p *pushAnswer) decodeRaw(b []byte) error {
	return rawjson.EachMember(b, func(name string, v []byte) error {
		switch name {
		case "last_mutation":
			return decodeInt(v, &p.LastMutation)
		case "results":
			if rawjson.IsNull(v) {
				return nil
			}
			return rawjson.EachElement(v, func(rv []byte) error {
				p.Results = append(p.Results, protocol.MutationResult{})
				if err := decodeResult(rv, &p.Results[len(p.Results)-1]); err != nil {
					return fmt.Errorf("result %d: %w", len(p.Results), err)
				}
				return nil
			})
		}
		return nil
	})
}

func decodeResult(obj []byte, r *protocol.MutationResult) error {
	return rawjson.EachMember(obj, func(name string, v []byte) error {
		if rawjson.IsNull(v) {
			return nil
		}
		var err error
		switch name {
		case "mutation":
			err = decodeInt(v, &r.Number)
		case "status":
			r.Status, err = rawjson.String(v)
		case "duplicate":
			err = decodeBool(v, &r.Duplicate)
		case "reason":
			r.Reason, err = rawjson.String(v)
		case "seq":
			err = decodeInt(v, &r.Seq)
		case "versions":
			r.Versions = make(map[string]int64, 16)
			err = rawjson.EachMember(v, func(field string, fv []byte) error {
				n, err := rawjson.Int(fv)
				r.Versions[field] = n
				return err
			})
		case "values":
			r.Values = map[string]json.RawMessage{}
			err = rawjson.EachMember(v, func(field string, fv []byte) error {
				r.Values[field] = fv
				return nil
			})
		case "conflicts":
			err = json.Unmarshal(v, &r.Conflicts)
		}
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		return nil
	})
}
