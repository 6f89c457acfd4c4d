// Package dedupe finds likely duplicate contacts and companies and merges
// them. Finding compares records only within blocks that share a key (an
// e-mail address, a phone number, a company and a similar name, a company
// name and a city or website), never all pairs, so that it stays fast on
// hundreds of thousands of contacts. A merge is one transaction through the
// store's journal and is recorded as a DedupeDecision, which syncs.
package dedupe

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"repdesk/localdb"
)

// Reason kinds: why two records look like one.
const (
	ReasonEmail       = "email"        // the same e-mail address, letter case aside
	ReasonPhone       = "phone"        // the same phone number (E.164)
	ReasonName        = "name"         // near-identical names in the same company
	ReasonNameCity    = "name_city"    // companies: the same name without legal form, in the same city
	ReasonNameWebsite = "name_website" // companies: the same name without legal form and the same website domain
	ReasonWebsite     = "website"      // companies: the same website domain
)

// Reason is one piece of evidence for a pair; Value is what they share
// (the address, the number, the names).
type Reason struct {
	Kind  string `json:"kind"`
	Value string `json:"value"`
}

// Record is one side of a pair as the review shows it.
type Record struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	// Detail is the contact's company or the company's city.
	Detail string `json:"detail"`
}

// Pair is a likely duplicate. Keep is the older record, the one a merge
// keeps unless the rep says otherwise.
type Pair struct {
	Entity  string   `json:"entity"`
	Keep    Record   `json:"keep"`
	Other   Record   `json:"other"`
	Reasons []Reason `json:"reasons"`
	// Score is the confidence, 0 to 1: independent reasons add up.
	Score float64 `json:"score"`
}

// Evidence weights: how likely a reason alone means one person or company.
const (
	weightEmail       = 0.95
	weightPhone       = 0.8
	weightNameCompany = 0.9
	weightWebsite     = 0.6
	// nameThreshold is the least similarity of two folded, word-sorted
	// names that counts as near-identical: "Anna Schmidt"/"Ana Schmidt"
	// pass, "Anna Schmidt"/"Jana Schmitz" do not.
	nameThreshold = 0.85
	// maxBlock is the largest group sharing one key that is compared pair
	// by pair. Larger groups are keys shared by unrelated records (a
	// switchboard number, info@ of a chain, a company with hundreds of
	// contacts of one surname) and say nothing.
	maxBlock = 50
	// maxCompanyBlock is the largest company compared contact by contact
	// on names; larger companies are compared within each surname.
	maxCompanyBlock = 200
	// maxDomainBlock is the most companies one website domain alone pairs:
	// a domain shared by more is a group's or a host's, not one company's.
	maxDomainBlock = 10
)

// candidate is a record as finding needs it.
type candidate struct {
	id, created, name, detail string
	personKey                 []rune
	surname                   string
}

// pairKey identifies an unordered pair.
type pairKey struct{ a, b string }

func keyOf(a, b string) pairKey {
	if a > b {
		a, b = b, a
	}
	return pairKey{a, b}
}

// collector gathers the reasons of each pair.
type collector struct {
	entity   string
	cands    []candidate
	reasons  map[pairKey][]Reason
	order    []pairKey
	distinct map[pairKey]bool
}

func newCollector(entity string, cands []candidate, distinct map[pairKey]bool) *collector {
	return &collector{entity: entity, cands: cands, reasons: map[pairKey][]Reason{}, distinct: distinct}
}

// add records a reason for the pair of candidates i and j.
func (c *collector) add(i, j int, r Reason) {
	k := keyOf(c.cands[i].id, c.cands[j].id)
	if c.distinct[k] {
		return
	}
	rs, seen := c.reasons[k]
	if !seen {
		c.order = append(c.order, k)
	}
	if !c.has(i, j, r.Kind) {
		c.reasons[k] = append(rs, r)
	}
}

// has reports whether the pair of candidates i and j has a reason of kind.
func (c *collector) has(i, j int, kind string) bool {
	return slices.ContainsFunc(c.reasons[keyOf(c.cands[i].id, c.cands[j].id)], func(r Reason) bool { return r.Kind == kind })
}

// blocks calls fn for every pair within each group of candidates sharing a
// key; groups larger than limit are skipped.
func (c *collector) blocks(groups map[string][]int, limit int, fn func(key string, i, j int)) {
	for key, members := range groups {
		if len(members) < 2 || len(members) > limit {
			continue
		}
		for x := 0; x < len(members); x++ {
			for y := x + 1; y < len(members); y++ {
				fn(key, members[x], members[y])
			}
		}
	}
}

func weightOf(r Reason) float64 {
	switch r.Kind {
	case ReasonEmail:
		return weightEmail
	case ReasonPhone:
		return weightPhone
	case ReasonNameCity, ReasonNameWebsite:
		return weightNameCompany
	case ReasonWebsite:
		return weightWebsite
	default: // ReasonName: from 0.5 at the threshold to 0.8 for equal names
		return 0.5
	}
}

// pairs turns the collected reasons into scored pairs, best first.
func (c *collector) pairs(nameScore map[pairKey]float64) []Pair {
	byID := make(map[string]*candidate, len(c.cands))
	for i := range c.cands {
		byID[c.cands[i].id] = &c.cands[i]
	}
	out := make([]Pair, 0, len(c.order))
	for _, k := range c.order {
		a, b := byID[k.a], byID[k.b]
		if b.created < a.created || (b.created == a.created && b.id < a.id) {
			a, b = b, a
		}
		reasons := c.reasons[k]
		miss := 1.0
		for _, r := range reasons {
			w := weightOf(r)
			if r.Kind == ReasonName {
				w = nameScore[k]
			}
			miss *= 1 - w
		}
		slices.SortStableFunc(reasons, func(x, y Reason) int { return cmp.Compare(weightOf(y), weightOf(x)) })
		out = append(out, Pair{Entity: c.entity, Keep: Record{a.id, a.name, a.detail}, Other: Record{b.id, b.name, b.detail},
			Reasons: reasons, Score: float64(int((1-miss)*1000+0.5)) / 1000})
	}
	slices.SortFunc(out, func(x, y Pair) int {
		return cmp.Or(cmp.Compare(y.Score, x.Score), strings.Compare(x.Keep.Name, y.Keep.Name),
			strings.Compare(x.Keep.ID, y.Keep.ID), strings.Compare(x.Other.ID, y.Other.ID))
	})
	return out
}

// wholeTable selects the live records by reading the table in storage
// order: through the (deleted, name) index every row would be a random
// page read, several times slower for a whole table.
const wholeTable = "+deleted = 0"

// liveNames maps the ids of the live records of table to their nameCol.
func liveNames(ctx context.Context, s *localdb.Store, table, nameCol string) (map[string]string, error) {
	rows, err := s.DB().QueryContext(ctx, `SELECT id, `+nameCol+` FROM `+table+` WHERE `+wholeTable)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var id, name string
		if err := rows.Scan(&id, &name); err != nil {
			return nil, err
		}
		out[id] = name
	}
	return out, rows.Err()
}

// distinctPairs reads the pairs the rep said are not duplicates.
func distinctPairs(ctx context.Context, s *localdb.Store, entity string) (map[pairKey]bool, error) {
	rows, err := s.DB().QueryContext(ctx, `SELECT keep_id, other_id FROM dedupe_decisions
		WHERE kind = ? AND entity = ? AND deleted = 0`, localdb.DecisionDistinct, entity)
	if err != nil {
		return nil, fmt.Errorf("distinct pairs: %w", err)
	}
	defer rows.Close()
	out := map[pairKey]bool{}
	for rows.Next() {
		var a, b string
		if err := rows.Scan(&a, &b); err != nil {
			return nil, fmt.Errorf("distinct pairs: %w", err)
		}
		out[keyOf(a, b)] = true
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("distinct pairs: %w", err)
	}
	return out, nil
}

// FindContacts lists likely duplicate contacts: the same e-mail address,
// the same phone number, or near-identical names in the same company.
// Pairs the rep marked as not duplicates are left out.
func FindContacts(ctx context.Context, s *localdb.Store) ([]Pair, error) {
	distinct, err := distinctPairs(ctx, s, localdb.EntityContact)
	if err != nil {
		return nil, err
	}
	companyNames, err := liveNames(ctx, s, "companies", "name")
	if err != nil {
		return nil, fmt.Errorf("find duplicate contacts: %w", err)
	}
	rows, err := s.DB().QueryContext(ctx, `SELECT id, created_at, full_name, given_name, family_name,
			company_id, emails, phones FROM contacts WHERE `+wholeTable)
	if err != nil {
		return nil, fmt.Errorf("find duplicate contacts: %w", err)
	}
	defer rows.Close()
	var cands []candidate
	byEmail, byPhone := newKeyIndex(), newKeyIndex()
	byCompany := map[string][]int{}
	for rows.Next() {
		var c candidate
		var given, family, companyID, emailsJSON, phonesJSON string
		if err := rows.Scan(&c.id, &c.created, &c.name, &given, &family, &companyID, &emailsJSON, &phonesJSON); err != nil {
			return nil, fmt.Errorf("find duplicate contacts: %w", err)
		}
		c.detail = companyNames[companyID]
		i := len(cands)
		if emailsJSON != "[]" {
			err := listFields(emailsJSON, func(key, value string) {
				if k := emailKey(value); key == "address" && k != "" {
					byEmail.add(k, i)
				}
			}, func() {})
			if err != nil {
				return nil, fmt.Errorf("find duplicate contacts: contact %s: emails: %w", c.id, err)
			}
		}
		if phonesJSON != "[]" {
			var number, e164 string
			err := listFields(phonesJSON, func(key, value string) {
				switch key {
				case "number":
					number = value
				case "e164":
					e164 = value
				}
			}, func() {
				if k := phoneKey(e164, number); k != "" {
					byPhone.add(k, i)
				}
				number, e164 = "", ""
			})
			if err != nil {
				return nil, fmt.Errorf("find duplicate contacts: contact %s: phones: %w", c.id, err)
			}
		}
		if companyID != "" {
			// Given and family name leave the prefix ("Dr.") out; the full
			// name is the fallback for contacts known by one name.
			name := strings.TrimSpace(given + " " + family)
			if name == "" {
				name = c.name
			}
			c.personKey = []rune(personKey(name))
			c.surname = personKey(family)
			byCompany[companyID] = append(byCompany[companyID], i)
		}
		cands = append(cands, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find duplicate contacts: %w", err)
	}
	col := newCollector(localdb.EntityContact, cands, distinct)
	col.blocks(byEmail.shared, maxBlock, func(key string, i, j int) { col.add(i, j, Reason{ReasonEmail, key}) })
	col.blocks(byPhone.shared, maxBlock, func(key string, i, j int) { col.add(i, j, Reason{ReasonPhone, key}) })
	nameScore := map[pairKey]float64{}
	compareNames := func(_ string, i, j int) {
		a, b := &cands[i], &cands[j]
		if len(a.personKey) == 0 || len(b.personKey) == 0 {
			return
		}
		sim, ok := similar(a.personKey, b.personKey, nameThreshold)
		if !ok {
			return
		}
		k := keyOf(a.id, b.id)
		if distinct[k] {
			return
		}
		nameScore[k] = 0.5 + 0.3*(sim-nameThreshold)/(1-nameThreshold)
		col.add(i, j, Reason{ReasonName, a.name + " / " + b.name})
	}
	for _, members := range byCompany {
		if len(members) <= maxCompanyBlock {
			col.blocks(map[string][]int{"": members}, maxCompanyBlock, compareNames)
			continue
		}
		// A large company: compare within each folded surname only.
		bySurname := map[string][]int{}
		for _, i := range members {
			bySurname[cands[i].surname] = append(bySurname[cands[i].surname], i)
		}
		col.blocks(bySurname, maxCompanyBlock, compareNames)
	}
	return col.pairs(nameScore), nil
}

// keyIndex groups records by a key that most records have alone (an
// e-mail address, a phone number): only shared keys get a list.
type keyIndex struct {
	first  map[string]int
	shared map[string][]int
}

func newKeyIndex() *keyIndex {
	return &keyIndex{first: make(map[string]int, 1<<16), shared: map[string][]int{}}
}

// add files record i under key k; a record listing a key twice counts once.
func (x *keyIndex) add(k string, i int) {
	j, seen := x.first[k]
	if !seen {
		x.first[k] = i
		return
	}
	members := x.shared[k]
	if j == i || (len(members) > 0 && members[len(members)-1] == i) {
		return
	}
	if members == nil {
		members = []int{j}
	}
	x.shared[k] = append(members, i)
}

// FindCompanies lists likely duplicate companies: the same name without
// legal form (GmbH, AG, Inc., Ltd, ...) in the same city or with the same
// website domain, or the same website domain alone. Pairs the rep marked as
// not duplicates are left out.
func FindCompanies(ctx context.Context, s *localdb.Store) ([]Pair, error) {
	distinct, err := distinctPairs(ctx, s, localdb.EntityCompany)
	if err != nil {
		return nil, err
	}
	rows, err := s.DB().QueryContext(ctx, `SELECT id, created_at, name, city, website FROM companies WHERE `+wholeTable)
	if err != nil {
		return nil, fmt.Errorf("find duplicate companies: %w", err)
	}
	defer rows.Close()
	var cands []candidate
	byNameCity := map[string][]int{}
	byNameDomain := map[string][]int{}
	byDomain := map[string][]int{}
	for rows.Next() {
		var c candidate
		var website string
		if err := rows.Scan(&c.id, &c.created, &c.name, &c.detail, &website); err != nil {
			return nil, fmt.Errorf("find duplicate companies: %w", err)
		}
		i := len(cands)
		name := companyKey(c.name)
		if city := foldLetters(strings.TrimSpace(c.detail)); name != "" && city != "" {
			byNameCity[name+"\x00"+city] = append(byNameCity[name+"\x00"+city], i)
		}
		if domain := websiteDomain(website); domain != "" {
			byDomain[domain] = append(byDomain[domain], i)
			if name != "" {
				byNameDomain[name+"\x00"+domain] = append(byNameDomain[name+"\x00"+domain], i)
			}
		}
		cands = append(cands, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find duplicate companies: %w", err)
	}
	col := newCollector(localdb.EntityCompany, cands, distinct)
	col.blocks(byNameCity, maxBlock, func(_ string, i, j int) { col.add(i, j, Reason{ReasonNameCity, cands[i].detail}) })
	domainOf := func(key string) string { return key[strings.IndexByte(key, 0)+1:] }
	col.blocks(byNameDomain, maxBlock, func(key string, i, j int) { col.add(i, j, Reason{ReasonNameWebsite, domainOf(key)}) })
	col.blocks(byDomain, maxDomainBlock, func(key string, i, j int) {
		// The same name and domain says more than the domain alone.
		if !col.has(i, j, ReasonNameWebsite) {
			col.add(i, j, Reason{ReasonWebsite, key})
		}
	})
	return col.pairs(nil), nil
}

// listFields calls field for every string field of a stored JSON list of
// flat objects (e-mails, phones), and end after each object. Stored lists
// are what the store wrote, so a scan for quotes suffices, several times
// faster than decoding 100,000 lists; text with escapes goes through
// encoding/json instead.
func listFields(stored string, field func(key, value string), end func()) error {
	if strings.IndexByte(stored, '\\') >= 0 {
		var objs []map[string]any
		if err := json.Unmarshal([]byte(stored), &objs); err != nil {
			return err
		}
		for _, o := range objs {
			for k, v := range o {
				if s, ok := v.(string); ok {
					field(k, s)
				}
			}
			end()
		}
		return nil
	}
	for i := 0; i < len(stored); i++ {
		switch stored[i] {
		case '}':
			end()
		case '"':
			k := strings.IndexByte(stored[i+1:], '"')
			if k < 0 || i+k+3 >= len(stored) || stored[i+k+2] != ':' {
				return fmt.Errorf("malformed list %.40q", stored)
			}
			key := stored[i+1 : i+1+k]
			i += k + 3 // the value's first byte
			if stored[i] != '"' {
				continue // true, false, a number: no string
			}
			v := strings.IndexByte(stored[i+1:], '"')
			if v < 0 {
				return fmt.Errorf("malformed list %.40q", stored)
			}
			field(key, stored[i+1:i+1+v])
			i += v + 1
		}
	}
	return nil
}
