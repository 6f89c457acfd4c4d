package localdb

import (
	"regexp"
	"strconv"
	"sync"

	"github.com/nyaruka/phonenumbers"
)

// The fast path reads the phone numbers people actually type ("+49 30
// 1234567", "+49 (0)30 1234-567", "030 1234567", "0049 30 ...", "(415)
// 555-0100") without phonenumbers.Parse, whose general input handling
// (extensions, letters, RFC 3966, Unicode digits) costs tens of
// microseconds a number in regular expressions. It retraces phonenumbers'
// own steps (parseHelper, IsPossibleNumber, Format, in phonenumbers v1.8.1)
// for that narrow input, on the library's own metadata: its regular
// expressions for prefixes and national numbers compiled once per region,
// its number formats read as digit groups (phonefast_format.go), so that
// it agrees with phonenumbers by construction. Whatever it does not
// retrace (letters, extensions, non-ASCII characters, too few digits,
// unknown country codes, non-geographic codes, errors) goes to
// phonenumbers. phonefast_test.go compares both on a large corpus, and
// FuzzPhoneFastPath on any input.

// The limits phonenumbers checks numbers against, by its names.
const (
	minNSNLength    = phonenumbers.MIN_LENGTH_FOR_NSN
	maxNSNLength    = phonenumbers.MAX_LENGTH_FOR_NSN
	maxCountryCodeN = phonenumbers.MAX_LENGTH_COUNTRY_CODE
)

var nonGeographicRegion = phonenumbers.REGION_CODE_FOR_NON_GEO_ENTITY

// fastPhoneForms returns the forms phonenumbersForms would return for
// number, and false when number is outside what it retraces.
func fastPhoneForms(number, region string) (phoneForms, bool) {
	var buf [maxPhoneDigits]byte
	digits, plus, ok := scanPhone(number, buf[:0])
	if !ok {
		return phoneForms{}, false
	}
	regionValid := region != "" && phonenumbers.GetSupportedRegions()[region]
	if !regionValid && !plus {
		// Without a country code the number cannot be read without a
		// region: Parse fails (ErrInvalidCountryCode).
		return phoneForms{}, true
	}
	var home *phoneRules // the default region's rules
	if regionValid {
		if home = rulesForRegion(region); home == nil {
			return phoneForms{}, false
		}
	}

	// maybeExtractCountryCode: a '+', the region's international prefix,
	// or the region's own country code, else the region's.
	var cc int
	var national []byte
	ccFound := true
	switch {
	case plus:
		if cc, national = splitCountryCode(digits); cc == 0 {
			return phoneForms{}, false
		}
	case home.hasIDD(digits):
		if cc, national = splitCountryCode(digits[home.iddLength(digits):]); cc == 0 {
			return phoneForms{}, false
		}
	default:
		cc, national, ccFound = home.ownCountryCode(digits)
	}

	// IsPossibleNumber and Format use the rules of the main region of the
	// country code, and so does parseHelper for a national number that
	// came with its country code, unless the region given has the same
	// code (which matters for regions sharing a code, such as CA and US).
	rules := home
	if main := phonenumbers.GetRegionCodeForCountryCode(cc); main != region {
		if rules = rulesForRegion(main); rules == nil {
			return phoneForms{}, false
		}
	}
	parseRules := home
	if ccFound {
		parseRules = rules
	}
	if len(national) < minNSNLength {
		return phoneForms{}, false
	}
	// The national prefix is dropped only when what remains still has a
	// possible length, else the number may be a valid short number.
	stripped := parseRules.stripNationalPrefix(national)
	switch parseRules.lengthResult(len(stripped)) {
	case phonenumbers.TOO_SHORT, phonenumbers.IS_POSSIBLE_LOCAL_ONLY, phonenumbers.INVALID_LENGTH:
	default:
		national = stripped
	}
	if len(national) < minNSNLength || len(national) > maxNSNLength {
		return phoneForms{}, false
	}

	// Parse kept the national number as digits with its leading zeros
	// (Italian leading zero), so the national significant number is the
	// digits themselves.
	nsn := string(national)
	if !rules.possible(len(nsn)) {
		return phoneForms{}, true
	}
	return phoneForms{
		e164:     "+" + strconv.Itoa(cc) + nsn,
		national: rules.formatNational(nsn),
		nsn:      nsn,
	}, true
}

// maxPhoneDigits bounds the digits the fast path reads: a country code
// and the longest national significant number, plus an international
// prefix of a few digits.
const maxPhoneDigits = maxCountryCodeN + maxNSNLength + 4

// scanPhone returns the digits of number and whether it starts with '+',
// and false unless number is made only of ASCII digits, spaces, the
// punctuation "()-./" and one leading '+', with at least three digits.
// For such input phonenumbers' own reading comes to the same digits:
// extractPossibleNumber drops what stands before the first '+' or digit
// and nothing else (its trailing-character pattern relies on Java's class
// intersection, which Go reads as a literal that never matches here),
// the number is viable (three digits or more), and no extension pattern
// matches without letters, '#', '~', ',' or ';'.
func scanPhone(number string, digits []byte) ([]byte, bool, bool) {
	if len(number) > phonenumbers.MAX_INPUT_STRING_LENGTH {
		return nil, false, false
	}
	plus, started := false, false
	for i := 0; i < len(number); i++ {
		switch c := number[i]; {
		case c >= '0' && c <= '9':
			if len(digits) == cap(digits) {
				return nil, false, false
			}
			digits = append(digits, c)
			started = true
		case c == '+':
			if started {
				return nil, false, false
			}
			plus, started = true, true
		case c == ' ' || c == '(' || c == ')' || c == '-' || c == '.' || c == '/':
		default:
			return nil, false, false
		}
	}
	// Two digits or fewer are not viable (Parse fails), and after a '+'
	// ErrTooShortAfterIDD; the fast path leaves both to phonenumbers.
	return digits, plus, len(digits) >= 3
}

// splitCountryCode is extractCountryCode: the shortest leading digits that
// are a country code the library knows. It returns 0 for a number that
// starts with 0, has fewer than three digits (ErrTooShortAfterIDD), or
// has no known code, and for the non-geographic codes (+800 and such),
// all of which the fast path leaves to phonenumbers.
func splitCountryCode(digits []byte) (int, []byte) {
	if len(digits) <= minNSNLength || digits[0] == '0' {
		return 0, nil
	}
	codes := phonenumbers.GetSupportedCallingCodes()
	cc := 0
	for i := 0; i < maxCountryCodeN && i < len(digits); i++ {
		cc = cc*10 + int(digits[i]-'0')
		if codes[cc] {
			if phonenumbers.GetRegionCodeForCountryCode(cc) == nonGeographicRegion {
				return 0, nil
			}
			return cc, digits[i+1:]
		}
	}
	return 0, nil
}

// phoneRules is one region's metadata, with its regular expressions
// compiled once, as phonenumbers' functions use them.
type phoneRules struct {
	cc       int
	ccDigits string
	// idd is the international prefix anchored at the start; iddLiteral is
	// the prefix itself when it is plain digits (most regions: "00", "011").
	idd        *regexp.Regexp
	iddLiteral string
	// nationalPrefix is the national prefix for parsing anchored at the
	// start (nil when the region has none), prefixLiteral the prefix itself
	// when it is plain digits without groups.
	nationalPrefix *regexp.Regexp
	prefixLiteral  string
	transform      string
	// nationalNumber is the general national number pattern, whole.
	nationalNumber *regexp.Regexp
	anyPattern     bool // the general pattern is empty: any length 2..17
	lengths, local []int32
	formats        []phoneFormat
	leading        leadingDigits // which formats' leading digits a number has
}

var (
	phoneRulesByRegion sync.Map // region code -> *phoneRules, nil when unsupported
	phoneMetadataOnce  sync.Once
	phoneMetadata      map[string]*phonenumbers.PhoneMetadata
)

// rulesForRegion returns the rules of a supported region, built on first
// use, and nil when the fast path cannot use the region's metadata.
func rulesForRegion(region string) *phoneRules {
	if r, ok := phoneRulesByRegion.Load(region); ok {
		return r.(*phoneRules)
	}
	phoneMetadataOnce.Do(loadPhoneMetadata)
	r := buildPhoneRules(phoneMetadata[region])
	actual, _ := phoneRulesByRegion.LoadOrStore(region, r)
	return actual.(*phoneRules)
}

// loadPhoneMetadata indexes the metadata phonenumbers itself reads (its
// MetadataCollection is parsed once, at the library's init) by region.
func loadPhoneMetadata() {
	phoneMetadata = map[string]*phonenumbers.PhoneMetadata{}
	coll, err := phonenumbers.MetadataCollection()
	if err != nil {
		return // every number then goes to phonenumbers
	}
	for _, m := range coll.GetMetadata() {
		if id := m.GetId(); id != nonGeographicRegion && phonenumbers.GetSupportedRegions()[id] {
			phoneMetadata[id] = m
		}
	}
}

func buildPhoneRules(m *phonenumbers.PhoneMetadata) *phoneRules {
	if m == nil {
		return nil
	}
	general := m.GetGeneralDesc()
	lengths := general.GetPossibleLength()
	if len(lengths) == 0 {
		return nil // testNumberLength would index an empty list
	}
	r := &phoneRules{
		cc:             int(m.GetCountryCode()),
		ccDigits:       strconv.Itoa(int(m.GetCountryCode())),
		transform:      m.GetNationalPrefixTransformRule(),
		nationalNumber: compileOrNil(`^(?:` + general.GetNationalNumberPattern() + `)$`),
		anyPattern:     general.GetNationalNumberPattern() == "",
		lengths:        lengths,
		local:          general.GetPossibleLengthLocalOnly(),
	}
	var ok bool
	if r.idd, r.iddLiteral, ok = compilePrefix(m.GetInternationalPrefix()); !ok || r.idd == nil {
		return nil
	}
	if r.nationalPrefix, r.prefixLiteral, ok = compilePrefix(m.GetNationalPrefixForParsing()); !ok {
		return nil
	}
	if r.nationalNumber == nil {
		return nil
	}
	if r.formats, r.leading, ok = buildFormats(m.GetNumberFormat()); !ok {
		return nil
	}
	return r
}

func compileOrNil(pattern string) *regexp.Regexp {
	re, err := regexp.Compile(pattern)
	if err != nil {
		return nil
	}
	return re
}

// compilePrefix compiles a prefix pattern anchored at the start, and
// returns the pattern itself too when it is plain digits. An empty pattern
// gives nil; false means the pattern does not compile.
func compilePrefix(pattern string) (*regexp.Regexp, string, bool) {
	if pattern == "" {
		return nil, "", true
	}
	re := compileOrNil(`^(?:` + pattern + `)`)
	if re == nil {
		return nil, "", false
	}
	literal := ""
	if isDigits(pattern) {
		literal = pattern
	}
	return re, literal, true
}

// hasIDD is parsePrefixAsIdd: digits start with the international prefix
// and the digit after it, if any, is not 0 (country codes never are).
func (r *phoneRules) hasIDD(digits []byte) bool {
	n := r.iddLength(digits)
	return n >= 0 && (n == len(digits) || digits[n] != '0')
}

// iddLength is the length of the international prefix digits start with,
// or -1.
func (r *phoneRules) iddLength(digits []byte) int {
	if r.iddLiteral != "" {
		if len(digits) >= len(r.iddLiteral) && string(digits[:len(r.iddLiteral)]) == r.iddLiteral {
			return len(r.iddLiteral)
		}
		return -1
	}
	if loc := r.idd.FindIndex(digits); loc != nil {
		return loc[1]
	}
	return -1
}

// ownCountryCode is maybeExtractCountryCode for a number without '+' or
// international prefix: a number that starts with the region's country
// code loses it when the rest, without national prefix, fits the region
// and the whole did not, or the whole is too long. found reports whether
// the code was taken from the number; the country code is the region's
// either way.
func (r *phoneRules) ownCountryCode(digits []byte) (cc int, national []byte, found bool) {
	if len(digits) < len(r.ccDigits) || string(digits[:len(r.ccDigits)]) != r.ccDigits {
		return r.cc, digits, false
	}
	potential := r.stripNationalPrefix(digits[len(r.ccDigits):])
	fullValid := r.nationalNumber.Match(digits)
	nationalValid := r.nationalNumber.Match(potential)
	if (!fullValid && nationalValid) || r.lengthResult(len(digits)) == phonenumbers.TOO_LONG {
		return r.cc, potential, true
	}
	return r.cc, digits, false
}

// stripNationalPrefix is maybeStripNationalPrefixAndCarrierCode without
// the carrier code (Parse drops it): it returns number without its
// national prefix, transformed where the region says so, or number itself
// when it has no such prefix or only number with the prefix fits the
// region's pattern.
func (r *phoneRules) stripNationalPrefix(number []byte) []byte {
	if len(number) == 0 || r.nationalPrefix == nil {
		return number
	}
	if r.prefixLiteral != "" && r.transform == "" {
		n := len(r.prefixLiteral)
		if len(number) < n || string(number[:n]) != r.prefixLiteral {
			return number
		}
		if r.nationalNumber.Match(number) && !r.nationalNumber.Match(number[n:]) {
			return number
		}
		return number[n:]
	}
	groups := r.nationalPrefix.FindSubmatchIndex(number)
	if groups == nil {
		return number
	}
	viableOriginal := r.nationalNumber.Match(number)
	lastGroup := len(groups)/2 - 1
	if r.transform == "" || groups[lastGroup*2] < 0 {
		if viableOriginal && !r.nationalNumber.Match(number[groups[1]:]) {
			return number
		}
		return number[groups[1]:]
	}
	transformed := r.nationalPrefix.ReplaceAll(number, []byte(r.transform))
	if viableOriginal && !r.nationalNumber.Match(transformed) {
		return number
	}
	return transformed
}

// lengthResult is testNumberLength for the general description.
func (r *phoneRules) lengthResult(n int) phonenumbers.ValidationResult {
	if r.lengths[0] == -1 {
		return phonenumbers.INVALID_LENGTH
	}
	l := int32(n)
	for _, local := range r.local {
		if local == l {
			return phonenumbers.IS_POSSIBLE_LOCAL_ONLY
		}
	}
	switch {
	case r.lengths[0] == l:
		return phonenumbers.IS_POSSIBLE
	case r.lengths[0] > l:
		return phonenumbers.TOO_SHORT
	case r.lengths[len(r.lengths)-1] < l:
		return phonenumbers.TOO_LONG
	}
	for _, possible := range r.lengths[1:] {
		if possible == l {
			return phonenumbers.IS_POSSIBLE
		}
	}
	return phonenumbers.INVALID_LENGTH
}

// possible is IsPossibleNumber for a national significant number of n
// digits (2..17) of the region's country code.
func (r *phoneRules) possible(n int) bool {
	if r.anyPattern {
		return true
	}
	res := r.lengthResult(n)
	return res == phonenumbers.IS_POSSIBLE || res == phonenumbers.IS_POSSIBLE_LOCAL_ONLY
}
