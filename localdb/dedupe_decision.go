package localdb

import (
	"fmt"
	"reflect"
)

// EntityDedupeDecision is the entity of DedupeDecision records.
const EntityDedupeDecision = "dedupe_decision"

// Kinds of DedupeDecision.
const (
	// DecisionMerged: OtherID was merged into KeepID and deleted.
	DecisionMerged = "merged"
	// DecisionDistinct: the rep said KeepID and OtherID are not duplicates.
	DecisionDistinct = "distinct"
)

// DedupeDecision is what a rep decided about a pair of possibly duplicate
// contacts or companies (Entity). It syncs, so that other installations
// follow a merge and do not suggest a rejected pair again.
type DedupeDecision struct {
	Meta
	Entity  string `json:"entity" db:"entity"`
	Kind    string `json:"kind" db:"kind"`
	KeepID  string `json:"keep_id" db:"keep_id"`
	OtherID string `json:"other_id" db:"other_id"`
}

func (d *DedupeDecision) validate() error {
	if err := oneOf("entity", d.Entity, []string{EntityContact, EntityCompany}); err != nil {
		return err
	}
	if err := oneOf("kind", d.Kind, []string{DecisionMerged, DecisionDistinct}); err != nil {
		return err
	}
	if d.KeepID == "" || d.OtherID == "" || d.KeepID == d.OtherID {
		return invalid("other_id", d.OtherID, "a decision needs two different records")
	}
	return nil
}

// NewRecord returns an empty record of entity (a *Contact for "contact", ...),
// for code that handles every entity alike.
func NewRecord(entity string) (Record, error) {
	sp, err := specNamed(entity)
	if err != nil {
		return nil, err
	}
	return newRecord(sp), nil
}

// SetLink sets the link field (a column such as contact_id) of rec to id.
func SetLink(rec Record, field, id string) error {
	sp := specOf(rec)
	c, ok := sp.byName[field]
	if !ok || c.kind != colText {
		return fmt.Errorf("%s has no link field %q", sp.name, field)
	}
	reflect.ValueOf(rec).Elem().Field(c.index).SetString(id)
	return nil
}

// LiveIDsWhere returns the ids of the live records of entity whose column
// field equals one of values; field must be a column of entity.
func (t *Tx) LiveIDsWhere(entity, field string, values []string) ([]string, error) {
	sp, err := specNamed(entity)
	if err != nil {
		return nil, err
	}
	if _, ok := sp.byName[field]; !ok {
		return nil, fmt.Errorf("%s has no field %q", entity, field)
	}
	var out []string
	const chunk = 500
	for start := 0; start < len(values); start += chunk {
		part := values[start:min(start+chunk, len(values))]
		args := make([]any, len(part))
		marks := make([]byte, 0, 2*len(part))
		for i, v := range part {
			args[i] = v
			if i > 0 {
				marks = append(marks, ',')
			}
			marks = append(marks, '?')
		}
		ids, err := t.ids(`SELECT id FROM `+sp.table+` WHERE deleted = 0 AND `+field+` IN (`+string(marks)+`) ORDER BY id`, args...)
		if err != nil {
			return nil, fmt.Errorf("%s by %s: %w", entity, field, err)
		}
		out = append(out, ids...)
	}
	return out, nil
}

// IsDeleted reports whether the record of entity with id is a tombstone;
// ErrNotFound when there is no such record at all.
func (t *Tx) IsDeleted(entity, id string) (bool, error) {
	sp, err := specNamed(entity)
	if err != nil {
		return false, err
	}
	h, err := t.load(sp, id)
	if err != nil {
		return false, err
	}
	return h.deleted != 0, nil
}
