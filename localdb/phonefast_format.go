package localdb

import (
	"regexp"
	"regexp/syntax"

	"github.com/nyaruka/phonenumbers"
)

// Format(NATIONAL) picks the first of the region's number formats whose
// last leading-digits pattern matches at the start of the number and
// whose pattern matches the whole number, and replaces the pattern's match
// with the format, its first group preceded by the national prefix
// formatting rule (chooseFormattingPatternForNumber and
// formatNsnUsingPatternWithCarrier). That is a dozen regular expressions
// for a German mobile number. The metadata's patterns are all groups of
// digits, such as (\d{3})(\d{3,4}), and its leading-digits patterns all
// match finitely many digit strings, such as 3[02]|40|[68]9; the fast path
// reads them as that once, and decides by lengths and a digit trie; a
// region whose patterns are of another kind goes to phonenumbers.

// phoneFormat is a number format whose pattern is groups of digits.
type phoneFormat struct {
	groups     []digitGroup
	minDigits  int
	maxDigits  int
	hasLeading bool // it has a leading-digits pattern
	// output is the format with the national prefix formatting rule for
	// the first group, as regexp expands it: a byte below groupMarkers
	// stands for that group's digits, any other for itself.
	output []byte
}

// groupMarkers: the bytes below stand for groups in phoneFormat.output;
// no format or rule in the metadata has control characters.
const groupMarkers = 0x20

// digitGroup is a capturing group of min to max digits.
type digitGroup struct{ min, max int }

// leadingDigits is a trie of the digit strings the formats' leading-digits
// patterns match; each node has the formats whose pattern matches the
// digits on the way to it.
type leadingDigits struct{ nodes []leadingNode }

type leadingNode struct {
	next    [10]int32 // 0: no such child (the root is no one's child)
	formats uint64
}

// maxLeadingStrings bounds the digit strings one leading-digits pattern
// may stand for (the metadata's largest has about 11,000).
const maxLeadingStrings = 1 << 16

var firstGroup = regexp.MustCompile(`(\$\d)`) // phonenumbers.FIRST_GROUP_PATTERN

func buildFormats(formats []*phonenumbers.NumberFormat) ([]phoneFormat, leadingDigits, bool) {
	trie := leadingDigits{nodes: make([]leadingNode, 1)}
	if len(formats) > 64 {
		return nil, trie, false
	}
	out := make([]phoneFormat, 0, len(formats))
	for i, f := range formats {
		var pf phoneFormat
		var ok bool
		if pf.groups, ok = digitGroups(f.GetPattern()); !ok || len(pf.groups) >= groupMarkers-1 {
			return nil, trie, false
		}
		for _, g := range pf.groups {
			pf.minDigits += g.min
			pf.maxDigits += g.max
		}
		if ld := f.GetLeadingDigitsPattern(); len(ld) > 0 {
			// The last pattern is the most detailed one.
			strs, ok := digitStrings(ld[len(ld)-1])
			if !ok {
				return nil, trie, false
			}
			pf.hasLeading = true
			for _, s := range strs {
				trie.add(s, i)
			}
		}
		if pf.output, ok = formatOutput(f, len(pf.groups)); !ok {
			return nil, trie, false
		}
		out = append(out, pf)
	}
	return out, trie, true
}

func (t *leadingDigits) add(digits string, format int) {
	n := int32(0)
	for i := 0; i < len(digits); i++ {
		d := digits[i] - '0'
		if t.nodes[n].next[d] == 0 {
			t.nodes = append(t.nodes, leadingNode{})
			t.nodes[n].next[d] = int32(len(t.nodes) - 1)
		}
		n = t.nodes[n].next[d]
	}
	t.nodes[n].formats |= 1 << format
}

// match returns the formats whose leading-digits pattern matches at the
// start of number.
func (t *leadingDigits) match(number string) uint64 {
	n := int32(0)
	formats := t.nodes[0].formats
	for i := 0; i < len(number); i++ {
		if n = t.nodes[n].next[number[i]-'0']; n == 0 {
			break
		}
		formats |= t.nodes[n].formats
	}
	return formats
}

// formatOutput expands the format's template (formatNsnUsingPatternWithCarrier:
// the national prefix formatting rule replaces the format's first group
// reference) with regexp's own Expand, on a stand-in number whose
// group i is the single byte i, so that $1, ${1}, $0 and $$ mean what
// they mean to ReplaceAllString.
func formatOutput(f *phonenumbers.NumberFormat, groups int) ([]byte, bool) {
	template := f.GetFormat()
	if rule := f.GetNationalPrefixFormattingRule(); rule != "" {
		if loc := firstGroup.FindStringIndex(template); loc != nil {
			template = template[:loc[0]] + rule + template[loc[1]:]
		}
	}
	for i := 0; i < len(template); i++ {
		if template[i] < groupMarkers {
			return nil, false
		}
	}
	pattern := compileOrNil(f.GetPattern())
	if pattern == nil || pattern.NumSubexp() != groups {
		return nil, false
	}
	standIn := make([]byte, groups)
	match := []int{0, groups}
	for i := range groups {
		standIn[i] = byte(i + 1)
		match = append(match, i, i+1)
	}
	return pattern.Expand(nil, []byte(template), standIn, match), true
}

// formatNational is Format(NATIONAL) of a number without extension: the
// first format whose leading digits and pattern fit, else the number as
// it is.
func (r *phoneRules) formatNational(nsn string) string {
	leading := r.leading.match(nsn)
	for i := range r.formats {
		f := &r.formats[i]
		if (f.hasLeading && leading&(1<<i) == 0) || len(nsn) < f.minDigits || len(nsn) > f.maxDigits {
			continue
		}
		return f.format(nsn)
	}
	return nsn
}

// format writes nsn, which is all digits and of a length the pattern can
// match whole, in the format. ReplaceAllString finds the leftmost-first
// match, whose greedy groups each take as many digits as leave enough for
// the groups after them, and so end at the end of nsn.
func (f *phoneFormat) format(nsn string) string {
	var ends [groupMarkers]int
	pos, restMin := 0, f.minDigits
	for i, g := range f.groups {
		restMin -= g.min
		pos += min(g.max, len(nsn)-pos-restMin)
		ends[i+1] = pos
	}
	out := make([]byte, 0, len(f.output)+len(nsn))
	for _, c := range f.output {
		if c < groupMarkers {
			out = append(out, nsn[ends[c-1]:ends[c]]...)
		} else {
			out = append(out, c)
		}
	}
	return string(out)
}

// digitGroups reads a pattern made only of greedy capturing groups of
// digits, \d, \d{n} or \d{n,m}, and false for any other pattern.
func digitGroups(pattern string) ([]digitGroup, bool) {
	re, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		return nil, false
	}
	subs := []*syntax.Regexp{re}
	if re.Op == syntax.OpConcat {
		subs = re.Sub
	}
	var groups []digitGroup
	for _, s := range subs {
		if s.Op != syntax.OpCapture {
			return nil, false
		}
		g, body := digitGroup{1, 1}, s.Sub[0]
		if body.Op == syntax.OpRepeat {
			if body.Flags&syntax.NonGreedy != 0 || body.Min < 1 || body.Max < body.Min {
				return nil, false
			}
			g, body = digitGroup{body.Min, body.Max}, body.Sub[0]
		}
		if !isDigitClass(body) {
			return nil, false
		}
		groups = append(groups, g)
	}
	return groups, len(groups) > 0
}

func isDigitClass(re *syntax.Regexp) bool {
	return re.Op == syntax.OpCharClass && len(re.Rune) == 2 && re.Rune[0] == '0' && re.Rune[1] == '9'
}

// digitStrings returns the digit strings a leading-digits pattern matches,
// and false when it matches anything but finitely many (at most
// maxLeadingStrings) strings of ASCII digits.
func digitStrings(pattern string) ([]string, bool) {
	re, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		return nil, false
	}
	return expandDigits(re)
}

func expandDigits(re *syntax.Regexp) ([]string, bool) {
	switch re.Op {
	case syntax.OpEmptyMatch:
		return []string{""}, true
	case syntax.OpLiteral:
		s := make([]byte, 0, len(re.Rune))
		for _, r := range re.Rune {
			if r < '0' || r > '9' {
				return nil, false
			}
			s = append(s, byte(r))
		}
		return []string{string(s)}, true
	case syntax.OpCharClass:
		var out []string
		for i := 0; i < len(re.Rune); i += 2 {
			if re.Rune[i] < '0' || re.Rune[i+1] > '9' {
				return nil, false
			}
			for r := re.Rune[i]; r <= re.Rune[i+1]; r++ {
				out = append(out, string(r))
			}
		}
		return out, true
	case syntax.OpCapture:
		return expandDigits(re.Sub[0])
	case syntax.OpQuest:
		out, ok := expandDigits(re.Sub[0])
		return append(out, ""), ok
	case syntax.OpAlternate:
		var out []string
		for _, sub := range re.Sub {
			strs, ok := expandDigits(sub)
			if out = append(out, strs...); !ok || len(out) > maxLeadingStrings {
				return nil, false
			}
		}
		return out, true
	case syntax.OpConcat:
		out := []string{""}
		for _, sub := range re.Sub {
			strs, ok := expandDigits(sub)
			if out = concatDigits(out, strs); !ok || out == nil {
				return nil, false
			}
		}
		return out, true
	case syntax.OpRepeat:
		if re.Max < 0 {
			return nil, false
		}
		strs, ok := expandDigits(re.Sub[0])
		if !ok {
			return nil, false
		}
		var out []string
		times := []string{""} // the strings of k repetitions
		for k := 0; ; k++ {
			if k >= re.Min {
				out = append(out, times...)
			}
			if len(out) > maxLeadingStrings {
				return nil, false
			}
			if k == re.Max {
				return out, true
			}
			if times = concatDigits(times, strs); times == nil {
				return nil, false
			}
		}
	}
	return nil, false
}

// concatDigits is every a followed by every b, nil when that is more than
// maxLeadingStrings strings.
func concatDigits(as, bs []string) []string {
	if len(as)*len(bs) > maxLeadingStrings {
		return nil
	}
	out := make([]string, 0, len(as)*len(bs))
	for _, a := range as {
		for _, b := range bs {
			out = append(out, a+b)
		}
	}
	return out
}
