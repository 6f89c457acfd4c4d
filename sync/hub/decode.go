package hub

import (
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"repdesk/sync/internal/rawjson"
	"repdesk/sync/protocol"
)

// decodePushRequest reads a push body by hand: encoding/json spent a third
// of a 10,000-mutation push building maps through reflection. The body is
// checked to be valid JSON first, so the scanner only follows its structure;
// field values stay slices of the body. A member of the wrong type is an
// error, as with encoding/json; unknown members are ignored.
func decodePushRequest(body []byte, req *protocol.PushRequest) error {
	if !json.Valid(body) {
		var v any
		if err := json.Unmarshal(body, &v); err != nil {
			return err // encoding/json says where
		}
		return rawjson.ErrNotObject
	}
	return rawjson.EachMember(body, func(name string, v []byte) error {
		if rawjson.IsNull(v) {
			return nil
		}
		switch name {
		case "client_id":
			s, err := rawjson.String(v)
			req.ClientID = s
			return memberError(name, err)
		case "keep_outcomes_from":
			n, err := rawjson.Int(v)
			req.KeepOutcomesFrom = n
			return memberError(name, err)
		case "mutations":
			return rawjson.EachElement(v, func(mv []byte) error {
				req.Mutations = append(req.Mutations, protocol.Mutation{})
				if err := decodeMutation(mv, &req.Mutations[len(req.Mutations)-1]); err != nil {
					return fmt.Errorf("mutation %d: %w", len(req.Mutations), err)
				}
				return nil
			})
		}
		return nil
	})
}

func memberError(name string, err error) error {
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}

func decodeMutation(obj []byte, m *protocol.Mutation) error {
	return rawjson.EachMember(obj, func(name string, v []byte) error {
		if rawjson.IsNull(v) {
			return nil
		}
		var err error
		switch name {
		case "mutation":
			m.Number, err = rawjson.Int(v)
		case "entity":
			m.Entity, err = rawjson.String(v)
		case "id":
			m.ID, err = rawjson.String(v)
		case "op":
			m.Op, err = rawjson.String(v)
		case "base":
			m.Base, err = rawjson.Int(v)
		case "conflict":
			m.Conflict, err = rawjson.String(v)
		case "resolution":
			m.Resolution, err = rawjson.String(v)
		case "at":
			var s string
			if s, err = rawjson.String(v); err == nil {
				m.At, err = time.Parse(time.RFC3339Nano, s)
			}
		case "fields":
			m.Fields = make(map[string]protocol.FieldChange, 16)
			err = rawjson.EachMember(v, func(field string, fv []byte) error {
				var fc protocol.FieldChange
				if err := rawjson.EachMember(fv, func(k string, x []byte) error {
					switch k {
					case "value":
						fc.Value = x
					case "base":
						if !rawjson.IsNull(x) {
							n, err := rawjson.Int(x)
							fc.Base = n
							return err
						}
					}
					return nil
				}); err != nil {
					return fmt.Errorf("%s: %w", field, err)
				}
				m.Fields[field] = fc
				return nil
			})
		}
		return memberError(name, err)
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
			b = append(b, encodeVersions(r.Versions)...)
		}
		if len(r.Values) > 0 {
			b = append(b, `,"values":`...)
			b = append(b, encodeFields(r.Values)...)
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
