package client

import (
	"encoding/json"
	"time"

	"repdesk/localdb"
	"repdesk/sync/protocol"
)

// Pull and snapshot answers are decoded into these mirrors of the protocol
// types, which keep each record's field versions as JSON: the store saves
// them as they come, so decoding them into maps would be wasted on a
// 100,000-record first sync.

// wireRecord is protocol.Record with raw versions.
type wireRecord struct {
	Op        string                     `json:"op"`
	Entity    string                     `json:"entity"`
	ID        string                     `json:"id"`
	Seq       int64                      `json:"seq"`
	Owner     string                     `json:"owner,omitempty"`
	CreatedAt time.Time                  `json:"created_at,omitzero"`
	UpdatedAt time.Time                  `json:"updated_at,omitzero"`
	Fields    map[string]json.RawMessage `json:"fields,omitempty"`
	Versions  json.RawMessage            `json:"versions,omitempty"`
	Own       bool                       `json:"own,omitempty"`
}

// wirePull is protocol.PullResponse with raw versions.
type wirePull struct {
	Changes   []wireRecord        `json:"changes"`
	Conflicts []protocol.Conflict `json:"conflicts"`
	Cursor    int64               `json:"cursor"`
	HasMore   bool                `json:"has_more"`
}

// wireSnapshot is protocol.SnapshotPage with raw versions.
type wireSnapshot struct {
	Until     int64               `json:"until"`
	Records   []wireRecord        `json:"records"`
	Conflicts []protocol.Conflict `json:"conflicts"`
	NextAfter int64               `json:"next_after"`
	HasMore   bool                `json:"has_more"`
}

func hubRecords(rs []wireRecord) []localdb.HubRecord {
	out := make([]localdb.HubRecord, len(rs))
	for i := range rs {
		r := &rs[i]
		out[i] = localdb.HubRecord{Op: r.Op, Entity: r.Entity, ID: r.ID, Seq: r.Seq, Owner: r.Owner,
			CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, Fields: r.Fields, RawVersions: r.Versions, Own: r.Own}
	}
	return out
}
