package localdb

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// SearchHit is one search result.
type SearchHit struct {
	Kind     string `json:"kind"` // contact, company or deal
	ID       string `json:"id"`
	Title    string `json:"title"`
	Subtitle string `json:"subtitle"`
	Email    string `json:"email,omitempty"`
	// Rank orders the hits: lower is better.
	Rank float64 `json:"rank"`
}

// SearchOptions narrows a search.
type SearchOptions struct {
	Kinds []string // entity names; empty means contacts, companies and deals
	Limit int      // default 50
}

// Search answers every keystroke, so it must stay fast on 100,000 contacts
// even for one typed letter, which matches most of them. Ranking every match
// (bm25) costs milliseconds per thousand matches, so Search instead asks
// FTS5 for bounded windows of the newest matches, tier by tier, and ranks
// only those:
//
//  1. names whose words are the typed words,
//  2. names whose words start with the typed words,
//  3. any field (company, e-mail, phone digits, city, tags, notes), once a
//     typed word has three characters; there, shorter words must be whole
//     words.
//
// A tier is asked only while the better tiers found fewer hits than the
// limit, so a hit from a lower tier never hides a better one. Within a tier,
// hits are ordered by how closely the typed words cover the matched words and
// by the field they matched (a name before a city before notes), then by
// title. Each tier is asked per kind, so that many contacts cannot crowd out
// a company.

// searchTier is one round of Search.
type searchTier struct {
	names bool // search_name (names only) rather than search (all fields)
	exact bool // whole words rather than prefixes
}

var searchTiers = []searchTier{{names: true, exact: true}, {names: true}, {}}

// minFieldTermRunes is the shortest word that is matched as a prefix against
// all fields; a shorter one matches too much to be useful there.
const minFieldTermRunes = 3

// queryTerm is one word of a search: as typed, its German transliteration
// when it has umlauts ("müller" -> "mueller"), and its folded form for
// ranking.
type queryTerm struct {
	text, spelled string
	folded        []string // fold(text), and fold(spelled) when set
}

// parseQuery splits what the rep typed into words; runs of digit groups
// ("0171 234") become one word so that a phone number typed with spaces
// finds the stored digits.
func parseQuery(query string) []queryTerm {
	var words []string
	digitRun := ""
	flush := func() {
		if digitRun != "" {
			words = append(words, digitRun)
			digitRun = ""
		}
	}
	for _, tok := range strings.FieldsFunc(norm.NFC.String(query), notWordRune) {
		if isDigits(tok) {
			digitRun += tok
			continue
		}
		flush()
		words = append(words, tok)
	}
	flush()
	terms := make([]queryTerm, len(words))
	for i, w := range words {
		t := queryTerm{text: w, spelled: spelledOut(w), folded: []string{fold(w)}}
		if t.spelled != "" {
			t.folded = append(t.folded, fold(t.spelled))
		}
		terms[i] = t
	}
	return terms
}

func notWordRune(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }

func isDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

// long reports whether the term is long enough to be matched as a prefix
// against all fields.
func (t queryTerm) long() bool { return utf8.RuneCountInString(t.text) >= minFieldTermRunes }

// matchExpr is the FTS5 query of terms for a tier: all words required, each
// a prefix unless the tier wants whole words (in the all-fields tier, the
// short ones: "de" of a pasted e-mail address must not match every word
// starting with "de"), each also in its transliteration.
func matchExpr(terms []queryTerm, tier searchTier) string {
	parts := make([]string, len(terms))
	for i, t := range terms {
		star := "*"
		if tier.exact || (!tier.names && !t.long()) {
			star = ""
		}
		parts[i] = `"` + t.text + `"` + star
		if t.spelled != "" {
			parts[i] = `(` + parts[i] + ` OR "` + t.spelled + `"` + star + `)`
		}
	}
	// An OR group needs an explicit AND next to it.
	return strings.Join(parts, " AND ")
}

// spelledOut returns the German transliteration (ä→ae, ß→ss) of s when it
// has one, so that "Mueller" finds "Müller" and the other way round; the
// tokenizer's diacritic folding already lets "Muller" find it.
func spelledOut(s string) string {
	if !strings.ContainsAny(s, "äöüÄÖÜß") {
		return ""
	}
	return umlautReplacer.Replace(s)
}

var umlautReplacer = strings.NewReplacer("ä", "ae", "ö", "oe", "ü", "ue", "Ä", "Ae", "Ö", "Oe", "Ü", "Ue", "ß", "ss")

// fold lowercases s and removes diacritics, like the FTS5 tokenizer does.
func fold(s string) string {
	ascii := true
	for i := 0; i < len(s) && ascii; i++ {
		ascii = s[i] < utf8.RuneSelf
	}
	if ascii {
		return strings.ToLower(s)
	}
	var b strings.Builder
	for _, r := range norm.NFD.String(s) {
		if !unicode.Is(unicode.Mn, r) {
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

// searchKinds are the entities Search looks in, by kind code.
func searchKinds(kinds []string) ([]*entitySpec, error) {
	if len(kinds) == 0 {
		kinds = []string{EntityCompany, EntityContact, EntityDeal}
	}
	var out []*entitySpec
	for _, k := range kinds {
		sp, ok := specsByName[k]
		if !ok || sp.kindCode == 0 {
			return nil, fmt.Errorf("%q is not searchable; search finds %s, %s and %s", k, EntityCompany, EntityContact, EntityDeal)
		}
		if !slices.Contains(out, sp) {
			out = append(out, sp)
		}
	}
	slices.SortFunc(out, func(a, b *entitySpec) int { return cmp.Compare(a.kindCode, b.kindCode) })
	return out, nil
}

// candidate is a search row with the fields ranking looks at.
type candidate struct {
	rowid                                                           int64
	kind, id, name, alt, company, emails, phones, city, tags, notes string
	tier                                                            int
	score                                                           float64
	sortTitle                                                       string
}

const (
	searchNameSQL = `SELECT s.rowid, s.kind, s.record_id, s.name, s.alt, s.company, s.emails, s.phones, s.city, s.tags, s.notes
		FROM search_name JOIN search s ON s.rowid = search_name.rowid
		WHERE search_name MATCH ? AND search_name.rowid >= ? AND search_name.rowid < ?
		ORDER BY search_name.rowid LIMIT ?`
	searchAllSQL = `SELECT rowid, kind, record_id, name, alt, company, emails, phones, city, tags, notes
		FROM search WHERE search MATCH ? AND rowid >= ? AND rowid < ? ORDER BY rowid LIMIT ?`
)

// Search finds contacts, companies and deals matching what the rep typed,
// best matches first. Every typed word must match the start of a word;
// `Müller` is found by `muller` and `mueller`, `+49 171 2345678` by
// `0171 234`.
func (s *Store) Search(ctx context.Context, query string, opts SearchOptions) ([]SearchHit, error) {
	terms := parseQuery(query)
	if len(terms) == 0 {
		return nil, nil
	}
	kinds, err := searchKinds(opts.Kinds)
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	limit := opts.Limit
	if limit <= 0 {
		limit = 50
	}
	longTerms := slices.ContainsFunc(terms, queryTerm.long)
	seen := map[int64]bool{}
	var found []*candidate
	for ti, tier := range searchTiers {
		if len(found) >= limit || (!tier.names && !longTerms) {
			break
		}
		if tier.exact && !longTerms {
			continue // one or two letters are hardly ever a whole name
		}
		q, expr := searchAllSQL, matchExpr(terms, tier)
		if tier.names {
			q = searchNameSQL
		}
		st, err := s.prepared(q)
		if err != nil {
			return nil, fmt.Errorf("search %q: %w", query, err)
		}
		w := searchWindow{ctx: ctx, st: st, expr: expr, tier: ti, limit: limit, seen: seen, found: found}
		// Ask for all kinds at once. Rows come by ascending kind code, so
		// when that window fills up, the kind of its last row and the kinds
		// after it may have more: they are asked alone, so that many
		// companies cannot crowd out the contacts (or deals).
		together := contiguous(kinds)
		full, last := false, 0
		if together {
			if full, last, err = w.ask(kinds[0].kindCode, kinds[len(kinds)-1].kindCode); err != nil {
				return nil, fmt.Errorf("search %q: %w", query, err)
			}
		}
		for _, sp := range kinds {
			if together && (!full || sp.kindCode < last || (sp.kindCode == last && w.count(last) >= limit)) {
				continue
			}
			if _, _, err := w.ask(sp.kindCode, sp.kindCode); err != nil {
				return nil, fmt.Errorf("search %q: %w", query, err)
			}
		}
		found = w.found
	}
	for _, c := range found {
		c.score = rankScore(terms, longTerms, c)
		c.sortTitle = fold(c.name)
	}
	slices.SortFunc(found, func(a, b *candidate) int {
		return cmp.Or(cmp.Compare(a.tier, b.tier), cmp.Compare(b.score, a.score),
			strings.Compare(a.sortTitle, b.sortTitle), strings.Compare(a.id, b.id))
	})
	hits := make([]SearchHit, 0, min(limit, len(found)))
	for _, c := range found[:min(limit, len(found))] {
		h := SearchHit{Kind: c.kind, ID: c.id, Title: c.name, Rank: float64(c.tier) - c.score}
		h.Subtitle = strings.Join(nonEmpty(strings.TrimSpace(c.company), strings.TrimSpace(c.city)), " · ")
		h.Email, _, _ = strings.Cut(c.emails, " ")
		hits = append(hits, h)
	}
	return hits, nil
}

// contiguous reports whether the kind codes of kinds (in ascending order)
// form one rowid range.
func contiguous(kinds []*entitySpec) bool {
	for i := 1; i < len(kinds); i++ {
		if kinds[i].kindCode != kinds[i-1].kindCode+1 {
			return false
		}
	}
	return true
}

// searchWindow collects the hits of one tier.
type searchWindow struct {
	ctx         context.Context
	st          *sql.Stmt
	expr        string
	tier, limit int
	seen        map[int64]bool
	found       []*candidate
}

// ask adds the newest matches of the kinds with codes from first to last.
// It reports whether the window was full and the kind code of its last row.
func (w *searchWindow) ask(first, last int) (full bool, lastKind int, err error) {
	want := w.limit
	for k := first; k <= last; k++ {
		want += w.count(k) // hits found already come again
	}
	lo, hi := int64(first)<<searchKindShift, int64(last+1)<<searchKindShift
	rows, err := w.st.QueryContext(w.ctx, w.expr, lo, hi, want)
	if err != nil {
		return false, 0, err
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		c := &candidate{tier: w.tier}
		if err := rows.Scan(&c.rowid, &c.kind, &c.id, &c.name, &c.alt, &c.company, &c.emails, &c.phones,
			&c.city, &c.tags, &c.notes); err != nil {
			return false, 0, err
		}
		n, lastKind = n+1, int(c.rowid>>searchKindShift)
		if !w.seen[c.rowid] {
			w.seen[c.rowid] = true
			w.found = append(w.found, c)
		}
	}
	return n == want, lastKind, rows.Err()
}

// count is the number of hits of a kind code found so far, in any tier.
func (w *searchWindow) count(kindCode int) int {
	n := 0
	for _, c := range w.found {
		if c.rowid>>searchKindShift == int64(kindCode) {
			n++
		}
	}
	return n
}

// fieldWeights rank hits of the all-fields tier by the field a word matched.
var fieldWeights = []float64{1, 0.6, 0.6, 0.5, 0.5, 0.4, 0.4, 0.2}

// fields are the candidate's texts in the order of fieldWeights.
func (c *candidate) fields() []string {
	return []string{c.name, c.alt, c.company, c.emails, c.phones, c.city, c.tags, c.notes}
}

// rankScore is in [0, 1]: how well the typed words cover the words of the
// hit's best fields. One- and two-letter queries say too little to rank by;
// their hits keep the order of their titles.
func rankScore(terms []queryTerm, longTerms bool, c *candidate) float64 {
	if !longTerms {
		return 0
	}
	fields := c.fields()
	if c.tier < len(searchTiers)-1 {
		fields = fields[:1] // the name tiers matched the name
	}
	words := make([][]string, len(fields))
	for i, f := range fields {
		words[i] = strings.FieldsFunc(fold(f), notWordRune)
	}
	var sum float64
	for _, t := range terms {
		best := 0.0
		for i, w := range words {
			if fieldWeights[i] > best {
				best = max(best, fieldWeights[i]*coverage(t, w))
			}
		}
		sum += best
	}
	return sum / float64(len(terms))
}

// coverage is the share of the shortest word that starts with the term: 1
// for the whole word, 0 when no word starts with it.
func coverage(t queryTerm, words []string) float64 {
	best := 0.0
	for _, word := range words {
		for _, f := range t.folded {
			if strings.HasPrefix(word, f) {
				best = max(best, float64(len(f))/float64(len(word)))
			}
		}
	}
	return best
}

func nonEmpty(ss ...string) []string {
	var out []string
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}
