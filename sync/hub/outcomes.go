package hub

import (
	"encoding/json"
	"fmt"

	"repdesk/sync/protocol"
)

// A client whose push answer was lost sends the same mutations again. The
// hub skips them, and answers each with the outcome of its first
// processing, kept in hub_outcomes: a rejection's reason, the conflicts it
// made, the values the hub merged. Without it the client would learn
// neither why a change was refused nor which values the hub stored.

// outcomeDetail is what hub_outcomes.detail keeps beside status and seq.
type outcomeDetail struct {
	Reason    string                     `json:"reason,omitempty"`
	Conflicts []string                   `json:"conflicts,omitempty"` // ids: answered as they are now
	Values    map[string]json.RawMessage `json:"values,omitempty"`
	// Versions holds the result's field versions other than seq (most are
	// seq: the fields the mutation set).
	Versions map[string]int64 `json:"versions,omitempty"`
}

// keepOutcome buffers the outcome of a processed mutation.
func (p *pusher) keepOutcome(m *protocol.Mutation, res *protocol.MutationResult) error {
	var d outcomeDetail
	d.Reason, d.Values = res.Reason, res.Values
	for _, c := range res.Conflicts {
		d.Conflicts = append(d.Conflicts, c.ID)
	}
	for name, v := range res.Versions {
		if v != res.Seq {
			if d.Versions == nil {
				d.Versions = map[string]int64{}
			}
			d.Versions[name] = v
		}
	}
	detail := ""
	if d.Reason != "" || len(d.Conflicts) > 0 || len(d.Values) > 0 || len(d.Versions) > 0 {
		b, err := json.Marshal(d)
		if err != nil {
			return fmt.Errorf("keep outcome: %w", err)
		}
		detail = string(b)
	}
	p.outcomeRows = append(p.outcomeRows, []any{p.clientID, m.Number, res.Status, res.Seq, detail})
	return nil
}

// storedOutcome is a row of hub_outcomes, with its conflicts as they are now.
type storedOutcome struct {
	status    string
	seq       int64
	detail    outcomeDetail
	conflicts []protocol.Conflict
}

// earlierOutcomes holds the kept outcomes of a push's duplicates.
type earlierOutcomes map[int64]*storedOutcome

// earlierOutcomes reads the kept outcomes of the mutations numbered at or
// below last, and the current state of the conflicts they made.
func (p *pusher) earlierOutcomes(ms []protocol.Mutation, last int64) (earlierOutcomes, error) {
	lo, hi := int64(-1), int64(-1)
	for _, m := range ms {
		if m.Number <= last {
			if lo < 0 || m.Number < lo {
				lo = m.Number
			}
			hi = max(hi, m.Number)
		}
	}
	if hi < 0 {
		return nil, nil
	}
	rows, err := p.query(`SELECT mutation, status, seq, detail FROM hub_outcomes WHERE client_id = ? AND mutation >= ? AND mutation <= ?`,
		p.clientID, lo, hi)
	if err != nil {
		return nil, fmt.Errorf("read outcomes: %w", err)
	}
	out := earlierOutcomes{}
	var ids []any
	for rows.Next() {
		var n int64
		var detail string
		o := &storedOutcome{}
		if err := rows.Scan(&n, &o.status, &o.seq, &detail); err != nil {
			rows.Close()
			return nil, fmt.Errorf("read outcomes: %w", err)
		}
		if detail != "" {
			if err := json.Unmarshal([]byte(detail), &o.detail); err != nil {
				rows.Close()
				return nil, fmt.Errorf("outcome of mutation %d: %w", n, err)
			}
		}
		for _, id := range o.detail.Conflicts {
			ids = append(ids, id)
		}
		out[n] = o
	}
	if err := rows.Close(); err != nil {
		return nil, fmt.Errorf("read outcomes: %w", err)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read outcomes: %w", err)
	}
	if len(ids) == 0 {
		return out, nil
	}
	// The conflicts as they are now: one may have been resolved since.
	// Pruned ones are left out.
	byID := map[string]protocol.Conflict{}
	const chunk = 500
	for start := 0; start < len(ids); start += chunk {
		part := ids[start:min(start+chunk, len(ids))]
		crows, err := p.query(`SELECT `+conflictColumns+` FROM hub_conflicts c WHERE c.id IN (`+placeholders(len(part))+`)`, part...)
		if err != nil {
			return nil, fmt.Errorf("read conflicts of outcomes: %w", err)
		}
		for crows.Next() {
			c, err := scanConflict(crows)
			if err != nil {
				crows.Close()
				return nil, fmt.Errorf("read conflicts of outcomes: %w", err)
			}
			byID[c.ID] = c
		}
		if err := crows.Close(); err != nil {
			return nil, err
		}
		if err := crows.Err(); err != nil {
			return nil, fmt.Errorf("read conflicts of outcomes: %w", err)
		}
	}
	for _, o := range out {
		for _, id := range o.detail.Conflicts {
			if c, ok := byID[id]; ok {
				o.conflicts = append(o.conflicts, c)
			}
		}
	}
	return out, nil
}

// answer is the result for a duplicate: its first outcome when kept, else
// a bare duplicate.
func (e earlierOutcomes) answer(m *protocol.Mutation) protocol.MutationResult {
	o, ok := e[m.Number]
	if !ok {
		return protocol.MutationResult{Number: m.Number, Status: protocol.StatusDuplicate}
	}
	res := protocol.MutationResult{Number: m.Number, Status: o.status, Duplicate: true, Reason: o.detail.Reason,
		Seq: o.seq, Values: o.detail.Values, Conflicts: o.conflicts}
	if o.status == protocol.StatusRejected {
		return res
	}
	// The same mutation again names the same fields; with the fields the
	// hub set, their versions were seq unless kept otherwise.
	if len(m.Fields) > 0 || len(o.detail.Values) > 0 || len(o.detail.Versions) > 0 {
		res.Versions = make(map[string]int64, len(m.Fields)+len(o.detail.Values))
		for name := range m.Fields {
			res.Versions[name] = o.seq
		}
		for name := range o.detail.Values {
			res.Versions[name] = o.seq
		}
		for name, v := range o.detail.Versions {
			res.Versions[name] = v
		}
	}
	return res
}
