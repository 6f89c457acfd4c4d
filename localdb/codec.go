package localdb

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"time"

	"golang.org/x/text/unicode/norm"
)

// The codec maps entity structs to table columns through their `db` tags, so
// that writing, diffing, journaling and applying remote changes are one
// generic mechanism instead of six hand-written copies.

type colKind int

const (
	colText colKind = iota
	colInt
	colBool
	colJSON
	colTime
)

type column struct {
	name  string
	index int
	kind  colKind
	typ   reflect.Type // the struct field's type
}

type entitySpec struct {
	name     string // entity name on the wire and in the journal
	table    string
	kindCode int // search rowid = kindCode << searchKindShift | rid; 0 means not searchable
	typ      reflect.Type
	cols     []column
	byName   map[string]*column

	selectSQL string // SELECT of meta and columns, without WHERE
	insertSQL string
	tagsCol   int // position in cols of the tags kept in contact_tags; -1: none
	// companyCol is the position in cols of company_id; -1: none.
	companyCol int
}

// Entity names.
const (
	EntityCompany  = "company"
	EntityContact  = "contact"
	EntityDeal     = "deal"
	EntityActivity = "activity"
	EntityTask     = "task"
	EntityVisit    = "visit"
)

var (
	specsByName = map[string]*entitySpec{}
	specsByType = map[reflect.Type]*entitySpec{}
)

func init() {
	// Search asks for the kinds in the order of their codes; the most
	// numerous comes last, so that it rarely needs asking again alone.
	register(EntityCompany, "companies", 1, Company{})
	register(EntityDeal, "deals", 2, Deal{})
	register(EntityContact, "contacts", 3, Contact{})
	register(EntityActivity, "activities", 0, Activity{})
	register(EntityTask, "tasks", 0, Task{})
	register(EntityVisit, "visits", 0, Visit{})
	register(EntityProduct, "products", 0, Product{})
	register(EntityLineItem, "line_items", 0, LineItem{})
	register(EntityTarget, "targets", 0, Target{})
	register(EntityDedupeDecision, "dedupe_decisions", 0, DedupeDecision{})
	register(EntitySavedFilter, "saved_filters", 0, SavedFilter{})
	register(EntityCadence, "cadences", 0, Cadence{})
	register(EntityEnrollment, "cadence_enrollments", 0, Enrollment{})
}

// Entities lists the entity names in dependency order (companies first).
func Entities() []string {
	return []string{EntityCompany, EntityContact, EntityDeal, EntityActivity, EntityTask, EntityVisit,
		EntityProduct, EntityLineItem, EntityTarget, EntityDedupeDecision, EntitySavedFilter, EntityCadence, EntityEnrollment}
}

const metaColumns = "rid, id, created_at, updated_at, version, deleted, owner"

func register(name, table string, kindCode int, zero any) {
	t := reflect.TypeOf(zero)
	sp := &entitySpec{name: name, table: table, kindCode: kindCode, typ: t, byName: map[string]*column{}}
	for i := 0; i < t.NumField(); i++ {
		tag := t.Field(i).Tag.Get("db")
		if tag == "" {
			continue
		}
		colName, opt, _ := strings.Cut(tag, ",")
		c := column{name: colName, index: i, typ: t.Field(i).Type}
		switch {
		case opt == "json":
			c.kind = colJSON
		case t.Field(i).Type == reflect.TypeOf(time.Time{}):
			c.kind = colTime
		case t.Field(i).Type.Kind() == reflect.Int64:
			c.kind = colInt
		case t.Field(i).Type.Kind() == reflect.Bool:
			c.kind = colBool
		case t.Field(i).Type.Kind() == reflect.String:
			c.kind = colText
		default:
			panic(fmt.Sprintf("localdb: %s.%s: unsupported column type", t.Name(), colName))
		}
		sp.cols = append(sp.cols, c)
	}
	names := make([]string, len(sp.cols))
	marks := make([]string, len(sp.cols))
	for i := range sp.cols {
		sp.byName[sp.cols[i].name] = &sp.cols[i]
		names[i] = sp.cols[i].name
		marks[i] = "?"
	}
	sp.selectSQL = "SELECT " + metaColumns + ", " + strings.Join(names, ", ") + " FROM " + table
	sp.insertSQL = "INSERT INTO " + table + " (id, created_at, updated_at, version, deleted, owner, " +
		strings.Join(names, ", ") + ") VALUES (?, ?, ?, ?, ?, ?, " + strings.Join(marks, ", ") + ")"
	sp.companyCol = slices.IndexFunc(sp.cols, func(c column) bool { return c.name == "company_id" })
	sp.tagsCol = -1
	if name == EntityContact {
		sp.tagsCol = slices.IndexFunc(sp.cols, func(c column) bool { return c.name == "tags" })
	}
	specsByName[name] = sp
	specsByType[t] = sp
}

func specOf(rec Record) *entitySpec {
	return specsByType[reflect.TypeOf(rec).Elem()]
}

func specNamed(entity string) (*entitySpec, error) {
	sp, ok := specsByName[entity]
	if !ok {
		return nil, fmt.Errorf("unknown entity %q", entity)
	}
	return sp, nil
}

// HasField reports whether entity has a column named field.
func HasField(entity, field string) bool {
	sp, ok := specsByName[entity]
	if !ok {
		return false
	}
	_, ok = sp.byName[field]
	return ok
}

// Record is implemented by pointers to the entity structs (*Contact, *Deal, ...).
type Record interface{ meta() *Meta }

func formatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	// Fixed width, so that stored times sort as text.
	return t.UTC().Format(timeLayout)
}

const timeLayout = "2006-01-02T15:04:05.000000Z"

func parseTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	return time.Parse(time.RFC3339Nano, s)
}

// encode returns the column values of rec as stored in SQLite (string or
// int64), in column order.
func (sp *entitySpec) encode(rec Record) ([]any, error) {
	v := reflect.ValueOf(rec).Elem()
	out := make([]any, len(sp.cols))
	for i, c := range sp.cols {
		f := v.Field(c.index)
		switch c.kind {
		case colText:
			out[i] = f.String()
		case colInt:
			out[i] = f.Int()
		case colBool:
			if f.Bool() {
				out[i] = int64(1)
			} else {
				out[i] = int64(0)
			}
		case colTime:
			out[i] = formatTime(f.Interface().(time.Time))
		case colJSON:
			s, err := encodeJSONColumn(f)
			if err != nil {
				return nil, fmt.Errorf("%s.%s: %w", sp.name, c.name, err)
			}
			out[i] = s
		}
	}
	return out, nil
}

func encodeJSONColumn(f reflect.Value) (string, error) {
	if f.Kind() == reflect.Slice && f.Len() == 0 {
		return "[]", nil
	}
	b, err := json.Marshal(f.Interface())
	if err != nil {
		return "", err
	}
	return string(b), nil
}

// composeStrings puts every string of rec's stored fields into Unicode NFC,
// the form that search, sorting and comparing with stored values expect;
// vCards from macOS bring decomposed umlauts.
func (sp *entitySpec) composeStrings(rec Record) {
	v := reflect.ValueOf(rec).Elem()
	for _, c := range sp.cols {
		composeValue(v.Field(c.index))
	}
}

func composeValue(v reflect.Value) {
	switch v.Kind() {
	case reflect.String:
		if s := v.String(); !norm.NFC.IsNormalString(s) {
			v.SetString(norm.NFC.String(s))
		}
	case reflect.Slice:
		for i := 0; i < v.Len(); i++ {
			composeValue(v.Index(i))
		}
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).IsExported() {
				composeValue(v.Field(i))
			}
		}
	}
}

// emptyLists makes the nil lists of rec empty ones, as reads return them.
func (sp *entitySpec) emptyLists(rec Record) {
	v := reflect.ValueOf(rec).Elem()
	for _, c := range sp.cols {
		if f := v.Field(c.index); c.kind == colJSON && f.Kind() == reflect.Slice && f.IsNil() {
			f.Set(reflect.MakeSlice(f.Type(), 0, 0))
		}
	}
}

// decodeInto sets the fields of rec from the stored column values.
func (sp *entitySpec) decodeInto(rec Record, vals []any) error {
	v := reflect.ValueOf(rec).Elem()
	for i, c := range sp.cols {
		f := v.Field(c.index)
		switch c.kind {
		case colText:
			f.SetString(vals[i].(string))
		case colInt:
			f.SetInt(vals[i].(int64))
		case colBool:
			f.SetBool(vals[i].(int64) != 0)
		case colTime:
			t, err := parseTime(vals[i].(string))
			if err != nil {
				return fmt.Errorf("%s.%s: %w", sp.name, c.name, err)
			}
			f.Set(reflect.ValueOf(t))
		case colJSON:
			p := reflect.New(f.Type())
			if err := json.Unmarshal([]byte(vals[i].(string)), p.Interface()); err != nil {
				return fmt.Errorf("%s.%s: %w", sp.name, c.name, err)
			}
			f.Set(p.Elem())
		}
	}
	return nil
}

// scanDest returns holders for a row of selectSQL: meta, then columns.
type rowHolder struct {
	rid                         int64
	id, created, updated, owner string
	version, deleted            int64
	vals                        []any
	ptrs                        []any
}

func (sp *entitySpec) newHolder() *rowHolder {
	h := &rowHolder{vals: make([]any, len(sp.cols))}
	h.ptrs = []any{&h.rid, &h.id, &h.created, &h.updated, &h.version, &h.deleted, &h.owner}
	for i, c := range sp.cols {
		switch c.kind {
		case colInt, colBool:
			var x int64
			h.vals[i] = &x
		default:
			var s string
			h.vals[i] = &s
		}
		h.ptrs = append(h.ptrs, h.vals[i])
	}
	return h
}

// values dereferences the column holders.
func (h *rowHolder) values() []any {
	out := make([]any, len(h.vals))
	for i, p := range h.vals {
		switch x := p.(type) {
		case *int64:
			out[i] = *x
		case *string:
			out[i] = *x
		}
	}
	return out
}

func (sp *entitySpec) fill(rec Record, h *rowHolder) error {
	m := rec.meta()
	m.ID = h.id
	m.Version = h.version
	m.Deleted = h.deleted != 0
	m.Owner = h.owner
	var err error
	if m.CreatedAt, err = parseTime(h.created); err != nil {
		return fmt.Errorf("%s %s: created_at: %w", sp.name, h.id, err)
	}
	if m.UpdatedAt, err = parseTime(h.updated); err != nil {
		return fmt.Errorf("%s %s: updated_at: %w", sp.name, h.id, err)
	}
	return sp.decodeInto(rec, h.values())
}

// fieldJSON renders a stored column value as the JSON value the journal and
// the sync protocol carry.
func (c *column) fieldJSON(v any) (json.RawMessage, error) {
	switch c.kind {
	case colJSON:
		return json.RawMessage(v.(string)), nil
	case colBool:
		if v.(int64) != 0 {
			return json.RawMessage("true"), nil
		}
		return json.RawMessage("false"), nil
	default:
		return json.Marshal(v)
	}
}

// storedValue converts a JSON field value from the wire into the value stored
// in the column, rejecting values of the wrong type.
func (c *column) storedValue(raw json.RawMessage) (any, error) {
	if len(raw) == 0 || string(raw) == "null" {
		switch c.kind {
		case colInt, colBool:
			return int64(0), nil
		case colJSON:
			return "[]", nil
		default:
			return "", nil
		}
	}
	switch c.kind {
	case colText:
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, fmt.Errorf("field %s: want a string: %w", c.name, err)
		}
		return s, nil
	case colTime:
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, fmt.Errorf("field %s: want a time string: %w", c.name, err)
		}
		t, err := parseTime(s)
		if err != nil {
			return nil, fmt.Errorf("field %s: %w", c.name, err)
		}
		return formatTime(t), nil
	case colInt:
		var n json.Number
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		if err := dec.Decode(&n); err != nil {
			return nil, fmt.Errorf("field %s: want a number: %w", c.name, err)
		}
		i, err := n.Int64()
		if err != nil {
			return nil, fmt.Errorf("field %s: want an integer: %w", c.name, err)
		}
		return i, nil
	case colBool:
		var b bool
		if err := json.Unmarshal(raw, &b); err != nil {
			return nil, fmt.Errorf("field %s: want true or false: %w", c.name, err)
		}
		if b {
			return int64(1), nil
		}
		return int64(0), nil
	case colJSON:
		// Decoded into the field's type and encoded again: a value of the
		// wrong shape is refused here instead of breaking every later read,
		// and the stored text is the one a local write produces, so that
		// comparing it finds real changes only.
		p := reflect.New(c.typ)
		if err := json.Unmarshal(raw, p.Interface()); err != nil {
			return nil, fmt.Errorf("field %s: %w", c.name, err)
		}
		s, err := encodeJSONColumn(p.Elem())
		if err != nil {
			return nil, fmt.Errorf("field %s: %w", c.name, err)
		}
		return s, nil
	}
	return nil, fmt.Errorf("field %s: unsupported", c.name)
}
