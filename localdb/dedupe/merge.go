package dedupe

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/google/uuid"

	"repdesk/localdb"
)

var (
	// ErrSameRecord is returned when a record is to be merged with itself.
	ErrSameRecord = errors.New("a record cannot be merged with itself")
	// ErrUnknownField is returned when a field to take is not a field of
	// the entity.
	ErrUnknownField = errors.New("unknown field")
)

// linkField is the column other records point at an entity with.
func linkField(entity string) (string, error) {
	switch entity {
	case localdb.EntityContact:
		return "contact_id", nil
	case localdb.EntityCompany:
		return "company_id", nil
	}
	return "", fmt.Errorf("merge: %q: only contacts and companies are merged", entity)
}

// fieldGroups are fields that only make sense together: taking one of them
// from the other record takes them all.
var fieldGroups = map[string][][]string{
	localdb.EntityContact: {{"full_name", "given_name", "family_name", "prefix", "suffix"}},
	localdb.EntityCompany: {{"street", "postal_code", "city", "region", "country"}},
}

// Group lists the fields that go with field of entity when a merge takes
// it from the other record (field alone for most).
func Group(entity, field string) []string { return groupOf(entity, field) }

func groupOf(entity, field string) []string {
	for _, g := range fieldGroups[entity] {
		if slices.Contains(g, field) {
			return g
		}
	}
	return []string{field}
}

// field is one stored field of a record, found by its column name.
type field struct {
	name  string
	index int
}

// fieldsOf lists the stored fields of rec's type in declaration order.
func fieldsOf(rec localdb.Record) []field {
	t := reflect.TypeOf(rec).Elem()
	var out []field
	for i := 0; i < t.NumField(); i++ {
		if name, _, _ := strings.Cut(t.Field(i).Tag.Get("db"), ","); name != "" {
			out = append(out, field{name, i})
		}
	}
	return out
}

// Fields lists the fields of entity a merge can take from the other record.
func Fields(entity string) ([]string, error) {
	rec, err := localdb.NewRecord(entity)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, f := range fieldsOf(rec) {
		out = append(out, f.name)
	}
	return out, nil
}

// FieldDiff is one field whose values differ between the two records of a
// pair, for the side-by-side review.
type FieldDiff struct {
	Field string `json:"field"`
	Keep  string `json:"keep"`
	Other string `json:"other"`
	// Default says which value a merge keeps without a choice: "keep",
	// "other" or "both" (lists are united).
	Default string `json:"default"`
}

// Default outcomes of a FieldDiff.
const (
	FromKeep  = "keep"
	FromOther = "other"
	FromBoth  = "both"
)

// mergeValues sets every field of keep as the merge leaves it: taken fields
// from other; lists united; empty values filled from other.
func mergeValues(entity string, keep, other localdb.Record, take map[string]bool) []FieldDiff {
	kv, ov := reflect.ValueOf(keep).Elem(), reflect.ValueOf(other).Elem()
	var diffs []FieldDiff
	fields := fieldsOf(keep)
	decided := map[string]string{}
	for _, f := range fields {
		if _, done := decided[f.name]; done {
			continue
		}
		group := groupOf(entity, f.name)
		outcome := FromKeep
		switch {
		case slices.ContainsFunc(group, func(n string) bool { return take[n] }):
			outcome = FromOther
		case kv.Field(f.index).Kind() == reflect.Slice && len(group) == 1 && kv.Field(f.index).Len() > 0 &&
			ov.Field(f.index).Len() > 0:
			outcome = FromBoth
		case allZero(kv, fields, group):
			outcome = FromOther
		}
		for _, n := range group {
			decided[n] = outcome
		}
	}
	for _, f := range fields {
		kf, of := kv.Field(f.index), ov.Field(f.index)
		before := display(kf)
		switch decided[f.name] {
		case FromOther:
			kf.Set(of)
		case FromBoth:
			kf.Set(unite(kf, of))
		}
		if before != display(of) {
			diffs = append(diffs, FieldDiff{Field: f.name, Keep: before, Other: display(of), Default: decided[f.name]})
		}
	}
	return diffs
}

// allZero reports whether every field of group is empty in v.
func allZero(v reflect.Value, fields []field, group []string) bool {
	for _, f := range fields {
		if slices.Contains(group, f.name) && !empty(v.Field(f.index)) {
			return false
		}
	}
	return true
}

// empty reports whether a field holds nothing: a zero value or a list
// without elements (reads give empty lists, not nil ones).
func empty(v reflect.Value) bool {
	if v.Kind() == reflect.Slice {
		return v.Len() == 0
	}
	return v.IsZero()
}

// unite returns the elements of a followed by those of b that a lacks,
// compared by what identifies them (an address, a number, a tag).
func unite(a, b reflect.Value) reflect.Value {
	out := reflect.MakeSlice(a.Type(), 0, a.Len()+b.Len())
	seen := map[string]bool{}
	for _, v := range []reflect.Value{a, b} {
		for i := 0; i < v.Len(); i++ {
			k := identity(v.Index(i).Interface())
			if seen[k] {
				continue
			}
			seen[k] = true
			out = reflect.Append(out, v.Index(i))
		}
	}
	return out
}

func identity(x any) string {
	switch v := x.(type) {
	case localdb.Email:
		return emailKey(v.Address)
	case localdb.Phone:
		if k := phoneKey(v.E164, v.Number); k != "" {
			return k
		}
		return v.Number
	case localdb.Address:
		return foldLetters(strings.Join([]string{v.Street, v.PostalCode, v.City, v.Country}, "|"))
	case string:
		return strings.ToLower(v)
	}
	return fmt.Sprint(x)
}

// display renders a field value for the review.
func display(v reflect.Value) string {
	switch v.Kind() {
	case reflect.String:
		return v.String()
	case reflect.Bool:
		if v.Bool() {
			return "yes"
		}
		return ""
	case reflect.Slice:
		parts := make([]string, 0, v.Len())
		for i := 0; i < v.Len(); i++ {
			switch e := v.Index(i).Interface().(type) {
			case localdb.Email:
				parts = append(parts, e.Address)
			case localdb.Phone:
				parts = append(parts, e.Number)
			case localdb.Address:
				parts = append(parts, strings.Join(slices.DeleteFunc([]string{e.Street, strings.TrimSpace(e.PostalCode + " " + e.City), e.Country},
					func(s string) bool { return s == "" }), ", "))
			default:
				parts = append(parts, fmt.Sprint(e))
			}
		}
		return strings.Join(parts, "; ")
	}
	if v.IsZero() {
		return ""
	}
	return fmt.Sprint(v.Interface())
}

// Comparison is a pair side by side: both records and the fields that
// differ, with what a merge without choices does to each.
type Comparison struct {
	Entity      string
	Keep, Other localdb.Record
	Diffs       []FieldDiff
}

// Compare reads two records of entity for the review.
func Compare(ctx context.Context, s *localdb.Store, entity, keepID, otherID string) (*Comparison, error) {
	keep, other, err := readPair(func(rec localdb.Record, id string) error { return s.Read(ctx, rec, id) },
		entity, keepID, otherID)
	if err != nil {
		return nil, err
	}
	merged, err := localdb.NewRecord(entity)
	if err != nil {
		return nil, err
	}
	reflect.ValueOf(merged).Elem().Set(reflect.ValueOf(keep).Elem())
	return &Comparison{Entity: entity, Keep: keep, Other: other, Diffs: mergeValues(entity, merged, other, nil)}, nil
}

// readPair reads the two live records of a merge with read.
func readPair(read func(localdb.Record, string) error, entity, keepID, otherID string) (keep, other localdb.Record, err error) {
	if keepID == otherID {
		return nil, nil, fmt.Errorf("merge %s %s: %w", entity, keepID, ErrSameRecord)
	}
	if _, err := linkField(entity); err != nil {
		return nil, nil, err
	}
	if keep, err = localdb.NewRecord(entity); err != nil {
		return nil, nil, err
	}
	if other, err = localdb.NewRecord(entity); err != nil {
		return nil, nil, err
	}
	if err := read(keep, keepID); err != nil {
		return nil, nil, fmt.Errorf("merge: record to keep: %w", err)
	}
	if err := read(other, otherID); err != nil {
		return nil, nil, fmt.Errorf("merge: record to merge: %w", err)
	}
	return keep, other, nil
}

// Result says what a merge did.
type Result struct {
	Entity  string `json:"entity"`
	KeepID  string `json:"keep_id"`
	OtherID string `json:"other_id"`
	// Fields are the fields of the kept record the merge changed.
	Fields []string `json:"fields"`
	// Repointed counts the records now pointing at the kept record, by
	// entity (deal, activity, task, visit, contact).
	Repointed map[string]int `json:"repointed"`
}

// Merge merges the record otherID of entity (contact or company) into
// keepID, in one transaction through the journal: keepID keeps its non-empty
// values, takes its empty ones and the fields named in take from otherID,
// and unites lists (e-mails, phones, addresses, tags); every record pointing
// at otherID (deals, activities, tasks, visits, and contacts of a company)
// then points at keepID; otherID is deleted, and the merge is recorded as a
// DedupeDecision so that other clients re-point links they made to otherID.
func Merge(ctx context.Context, s *localdb.Store, entity, keepID, otherID string, take []string) (Result, error) {
	res := Result{Entity: entity, KeepID: keepID, OtherID: otherID, Fields: []string{}, Repointed: map[string]int{}}
	known, err := Fields(entity)
	if err != nil {
		return res, fmt.Errorf("merge: %w", err)
	}
	takeSet := map[string]bool{}
	for _, f := range take {
		if !slices.Contains(known, f) {
			return res, fmt.Errorf("merge: take %q: %w: it is not a field of a %s (fields: %s)", f, ErrUnknownField, entity, strings.Join(known, ", "))
		}
		takeSet[f] = true
	}
	err = s.Update(ctx, func(t *localdb.Tx) error {
		keep, other, err := readPair(t.Read, entity, keepID, otherID)
		if err != nil {
			return err
		}
		before := reflect.ValueOf(keep).Elem().Interface()
		mergeValues(entity, keep, other, takeSet)
		after := reflect.ValueOf(keep).Elem()
		for _, f := range fieldsOf(keep) {
			if !reflect.DeepEqual(reflect.ValueOf(before).Field(f.index).Interface(), after.Field(f.index).Interface()) {
				res.Fields = append(res.Fields, f.name)
			}
		}
		if err := t.Save(keep); err != nil {
			return fmt.Errorf("merge: %w", err)
		}
		if res.Repointed, err = repoint(t, entity, map[string]string{otherID: keepID}); err != nil {
			return fmt.Errorf("merge: %w", err)
		}
		if err := t.Delete(entity, otherID); err != nil {
			return fmt.Errorf("merge: %w", err)
		}
		return recordMerge(t, entity, keepID, otherID)
	})
	return res, err
}

// repoint makes every live record that points at a key of into (by the
// entity's link field) point at its value instead, and counts them by entity.
func repoint(t *localdb.Tx, entity string, into map[string]string) (map[string]int, error) {
	field, err := linkField(entity)
	if err != nil {
		return nil, err
	}
	from := make([]string, 0, len(into))
	for id := range into {
		from = append(from, id)
	}
	slices.Sort(from)
	counts := map[string]int{}
	for _, e := range localdb.Entities() {
		if !localdb.HasField(e, field) || e == localdb.EntityDedupeDecision {
			continue
		}
		ids, err := t.LiveIDsWhere(e, field, from)
		if err != nil {
			return nil, err
		}
		for _, id := range ids {
			rec, err := localdb.NewRecord(e)
			if err != nil {
				return nil, err
			}
			if err := t.Read(rec, id); err != nil {
				return nil, err
			}
			if err := localdb.SetLink(rec, field, into[linkOf(rec, field)]); err != nil {
				return nil, err
			}
			if err := t.Save(rec); err != nil {
				return nil, fmt.Errorf("re-point %s %s: %w", e, id, err)
			}
			counts[e]++
		}
	}
	return counts, nil
}

// linkOf reads the link field (a column name) of rec.
func linkOf(rec localdb.Record, column string) string {
	for _, f := range fieldsOf(rec) {
		if f.name == column {
			return reflect.ValueOf(rec).Elem().Field(f.index).String()
		}
	}
	return ""
}

// decisionNamespace makes decision ids from what they decide, so that two
// clients deciding the same thing write the same record instead of two.
var decisionNamespace = uuid.MustParse("6d1f4c52-3b7e-4f0a-9a57-2f1d3c9e8b10")

func decisionID(kind, entity, a, b string) string {
	return uuid.NewSHA1(decisionNamespace, []byte(kind+"/"+entity+"/"+a+"/"+b)).String()
}

// recordMerge stores that otherID went into keepID.
func recordMerge(t *localdb.Tx, entity, keepID, otherID string) error {
	id := decisionID(localdb.DecisionMerged, entity, otherID, "")
	d := &localdb.DedupeDecision{}
	err := t.Read(d, id)
	switch {
	case errors.Is(err, localdb.ErrNotFound):
		d = &localdb.DedupeDecision{Meta: localdb.Meta{ID: id}, Entity: entity, Kind: localdb.DecisionMerged,
			KeepID: keepID, OtherID: otherID}
		err = t.Create(d)
	case err == nil:
		// Merged before, brought back by a restore, and merged again.
		d.KeepID = keepID
		err = t.Save(d)
	}
	if err != nil {
		return fmt.Errorf("merge: record the merge: %w", err)
	}
	return nil
}

// MarkDistinct records the rep's decision that a and b (contacts or
// companies) are not duplicates: the pair is not suggested again, here or on
// any other client.
func MarkDistinct(ctx context.Context, s *localdb.Store, entity, a, b string) error {
	if _, err := linkField(entity); err != nil {
		return err
	}
	if a == b {
		return fmt.Errorf("not a duplicate: %w", ErrSameRecord)
	}
	k := keyOf(a, b)
	id := decisionID(localdb.DecisionDistinct, entity, k.a, k.b)
	return s.Update(ctx, func(t *localdb.Tx) error {
		_, err := t.IsDeleted(localdb.EntityDedupeDecision, id)
		if err == nil {
			return nil // decided before
		}
		if !errors.Is(err, localdb.ErrNotFound) {
			return fmt.Errorf("not a duplicate: %w", err)
		}
		d := &localdb.DedupeDecision{Meta: localdb.Meta{ID: id}, Entity: entity, Kind: localdb.DecisionDistinct,
			KeepID: k.a, OtherID: k.b}
		if err := t.Create(d); err != nil {
			return fmt.Errorf("not a duplicate: %w", err)
		}
		return nil
	})
}

// FollowMerges re-points links to records that were merged away, on this
// client or on another one whose merge arrived by sync: a deal made offline
// for a contact that another rep merged meanwhile then follows the contact it
// went into (through any chain of merges). Each re-pointing is an ordinary
// journaled change; two clients doing the same one agree. It returns how
// many records it re-pointed; the app runs it after every sync.
func FollowMerges(ctx context.Context, s *localdb.Store) (int, error) {
	n := 0
	err := s.Update(ctx, func(t *localdb.Tx) error {
		for _, entity := range []string{localdb.EntityCompany, localdb.EntityContact} {
			into, err := mergeTargets(t, entity)
			if err != nil {
				return err
			}
			if len(into) == 0 {
				continue
			}
			counts, err := repoint(t, entity, into)
			if err != nil {
				return fmt.Errorf("follow merges: %w", err)
			}
			for _, c := range counts {
				n += c
			}
		}
		return nil
	})
	return n, err
}

// mergeTargets maps each merged-away record of entity that is still deleted
// to the live record it ended up in.
func mergeTargets(t *localdb.Tx, entity string) (map[string]string, error) {
	rows, err := t.SQL().QueryContext(t.Context(), `SELECT other_id, keep_id FROM dedupe_decisions
		WHERE kind = ? AND entity = ? AND deleted = 0`, localdb.DecisionMerged, entity)
	if err != nil {
		return nil, fmt.Errorf("follow merges: %w", err)
	}
	next := map[string]string{}
	for rows.Next() {
		var other, keep string
		if err := rows.Scan(&other, &keep); err != nil {
			rows.Close()
			return nil, fmt.Errorf("follow merges: %w", err)
		}
		next[other] = keep
	}
	err = rows.Err()
	rows.Close()
	if err != nil {
		return nil, fmt.Errorf("follow merges: %w", err)
	}
	into := map[string]string{}
	for other := range next {
		// A record brought back by a restore is live again: its links stay.
		if gone, err := deleted(t, entity, other); err != nil || !gone {
			if err != nil {
				return nil, err
			}
			continue
		}
		target := next[other]
		for hops := 0; hops < len(next); hops++ {
			gone, err := deleted(t, entity, target)
			if err != nil {
				return nil, err
			}
			if !gone {
				into[other] = target
				break
			}
			if target = next[target]; target == "" {
				break // merged into a record that was deleted: nothing to follow
			}
		}
	}
	return into, nil
}

// deleted reports whether a record is a tombstone; a record this client has
// never seen counts as deleted.
func deleted(t *localdb.Tx, entity, id string) (bool, error) {
	gone, err := t.IsDeleted(entity, id)
	if errors.Is(err, localdb.ErrNotFound) {
		return true, nil
	}
	if err != nil {
		return false, fmt.Errorf("follow merges: %w", err)
	}
	return gone, nil
}
