package hub

import (
	"encoding/json"
	"fmt"
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
