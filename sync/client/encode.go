package client

import (
	"fmt"
	"slices"
	"strconv"
	"time"

	"repdesk/localdb"
	"repdesk/sync/internal/rawjson"
	"repdesk/sync/protocol"
)

// Pushes are encoded by hand: the journal holds each change's fields as a
// compact JSON object already, and copying its values beats decoding them
// into maps and encoding them again (a third of a 10,000-entry push).

// sentMutation is what the client remembers of a mutation it sent.
type sentMutation struct {
	op string
	// fields are the names of the fields it set, sorted.
	fields []string
}

// sets reports whether the mutation set the field.
func (m *sentMutation) sets(field string) bool {
	_, found := slices.BinarySearch(m.fields, field)
	return found
}

// appendPushRequest appends the push request for a batch of journal
// entries as protocol.PushRequest JSON; keepOutcomesFrom is its
// KeepOutcomesFrom (0: none).
func appendPushRequest(b []byte, clientID string, keepOutcomesFrom int64, batch []localdb.Outgoing) ([]byte, []sentMutation, error) {
	sent := make([]sentMutation, len(batch))
	b = append(b, `{"client_id":`...)
	b = rawjson.AppendString(b, clientID)
	if keepOutcomesFrom > 0 {
		b = append(b, `,"keep_outcomes_from":`...)
		b = strconv.AppendInt(b, keepOutcomesFrom, 10)
	}
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
	b = rawjson.AppendString(b, o.Entity)
	b = append(b, `,"id":`...)
	b = rawjson.AppendString(b, o.RecordID)
	b = append(b, `,"op":`...)
	b = rawjson.AppendString(b, o.Op)
	switch o.Op {
	case protocol.OpDelete:
		if o.RecordSeq != 0 {
			b = append(b, `,"base":`...)
			b = strconv.AppendInt(b, o.RecordSeq, 10)
		}
	case protocol.OpResolve:
		b = append(b, `,"conflict":`...)
		b = rawjson.AppendString(b, o.Conflict)
		if o.Resolution != "" {
			b = append(b, `,"resolution":`...)
			b = rawjson.AppendString(b, o.Resolution)
		}
	default:
		first := true
		err := rawjson.EachField(o.RawFields, func(name string, value []byte) {
			if first {
				b = append(b, `,"fields":{`...)
				first = false
			} else {
				b = append(b, ',')
			}
			b = rawjson.AppendString(b, name)
			b = append(b, `:{"value":`...)
			b = append(b, value...)
			b = append(b, `,"base":`...)
			b = strconv.AppendInt(b, o.Versions[name], 10)
			b = append(b, '}')
			sm.fields = append(sm.fields, name)
		})
		if err != nil {
			return nil, sm, fmt.Errorf("push: journal entry %d: fields: %w", o.Seq, err)
		}
		if !first {
			b = append(b, '}')
		}
		// The journal writes names sorted; one written otherwise still
		// must be found.
		if !slices.IsSorted(sm.fields) {
			slices.Sort(sm.fields)
		}
	}
	if !o.At.IsZero() {
		b = append(b, `,"at":"`...)
		b = o.At.UTC().AppendFormat(b, time.RFC3339Nano)
		b = append(b, '"')
	}
	return append(b, '}'), sm, nil
}
