package localdb

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/nyaruka/phonenumbers"
	"github.com/stretchr/testify/require"

	"repdesk/localdb/vcard"
)

// The fast path must take the numbers people type and give exactly the
// forms phonenumbers gives.
func TestFastPhoneFormsTypicalNumbers(t *testing.T) {
	tests := []struct {
		number, region string
		want           phoneForms
	}{
		{"+49 30 1234567", "DE", phoneForms{"+49301234567", "030 1234567", "301234567"}},
		{"+49 (0)30 1234-567", "DE", phoneForms{"+49301234567", "030 1234567", "301234567"}},
		{"030 1234567", "DE", phoneForms{"+49301234567", "030 1234567", "301234567"}},
		{"0049 30 1234567", "DE", phoneForms{"+49301234567", "030 1234567", "301234567"}},
		{"+49 30 1234567", "", phoneForms{"+49301234567", "030 1234567", "301234567"}},
		{"+49 171 2345678", "DE", phoneForms{"+491712345678", "0171 2345678", "1712345678"}},
		{"+49 89 1234567", "US", phoneForms{"+49891234567", "089 1234567", "891234567"}},
		{"+1 (415) 555-0100", "US", phoneForms{"+14155550100", "(415) 555-0100", "4155550100"}},
		{"(415) 555-0100", "US", phoneForms{"+14155550100", "(415) 555-0100", "4155550100"}},
		{"1 415 555 0100", "US", phoneForms{"+14155550100", "(415) 555-0100", "4155550100"}},
		{"011 49 30 1234567", "US", phoneForms{"+49301234567", "030 1234567", "301234567"}},
		{"+44 20 7946 0958", "GB", phoneForms{"+442079460958", "020 7946 0958", "2079460958"}},
		{"+33 1 23 45 67 89", "FR", phoneForms{"+33123456789", "01 23 45 67 89", "123456789"}},
		{"+43 1 5880000", "AT", phoneForms{"+4315880000", "01 5880000", "15880000"}},
		{"+41 44 668 18 00", "CH", phoneForms{"+41446681800", "044 668 18 00", "446681800"}},
		{"+39 06 6982", "IT", phoneForms{"+39066982", "06 6982", "066982"}},
		{"+34 912 34 56 78", "ES", phoneForms{"+34912345678", "912 34 56 78", "912345678"}},
		{"+31 20 123 4567", "NL", phoneForms{"+31201234567", "020 123 4567", "201234567"}},
		// Not a possible number: too short for the US, and no region to
		// read a national number in.
		{"+1 415 55", "US", phoneForms{}},
		{"030 1234567", "", phoneForms{}},
	}
	for _, tt := range tests {
		t.Run(tt.number+"/"+tt.region, func(t *testing.T) {
			got, ok := fastPhoneForms(tt.number, tt.region)
			require.True(t, ok, "the fast path must take %q", tt.number)
			require.Equal(t, tt.want, got)
			require.Equal(t, phonenumbersForms(tt.number, tt.region), got)
		})
	}
}

// What the fast path does not retrace goes to phonenumbers.
func TestFastPhoneFormsFallsBack(t *testing.T) {
	for _, number := range []string{
		"+49 30 1234567 ext 12", "+1 415 555 0100 x12", "030 1234567;ext=1", "+49 30 1234567#",
		"1-800-FLOWERS", "+４９ ３０ １２３４５６７", "+800 1234 5678", "+0 30 1234567", "++49 30 1234567",
		"12", "tel:+49-30-1234567", "+49\t30 1234567", "030 1234567, 030 7654321",
	} {
		t.Run(number, func(t *testing.T) {
			_, ok := fastPhoneForms(number, "DE")
			require.False(t, ok)
			require.Equal(t, phonenumbersForms(number, "DE"), parsePhone(number, "DE"), "parsePhone must give phonenumbers' forms")
		})
	}
}

// The differential test runs both paths over a generated corpus: numbers of
// many regions in the usual ways of writing them, of every length around
// the possible ones, read in their own region, another one and none, and
// the phones of the vCard test generator and of the demo data's shape.
func TestFastPhoneFormsAgreesWithPhonenumbers(t *testing.T) {
	corpus := phoneCorpus(t, 15_000/phoneCorpusScale)
	require.Greater(t, len(corpus), 300_000/phoneCorpusScale)
	// phonenumbers takes tens of microseconds a number: the corpus is
	// shared out among the processors.
	workers := runtime.GOMAXPROCS(0)
	var fast atomic.Int64
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := w; i < len(corpus); i += workers {
				c := corpus[i]
				got, ok := fastPhoneForms(c.number, c.region)
				if !ok {
					continue
				}
				fast.Add(1)
				if want := phonenumbersForms(c.number, c.region); got != want {
					t.Errorf("fastPhoneForms(%q, %q) = %+v, phonenumbers gives %+v", c.number, c.region, got, want)
					return
				}
			}
		})
	}
	wg.Wait()
	// The corpus is made of well-formed numbers: nearly all of them must
	// take the fast path, else it would agree by never being taken.
	require.Greater(t, int(fast.Load()), len(corpus)*9/10, "fast path taken for %d of %d numbers", fast.Load(), len(corpus))
}

// phoneCorpusScale divides the corpus (phonefast_race_test.go).
var phoneCorpusScale = 1

type phoneCase struct{ number, region string }

// corpusRegions are the regions the corpus writes numbers of; the ones
// the brief names come first.
var corpusRegions = []string{"DE", "AT", "CH", "US", "GB", "FR", "NL", "IT", "ES", "BE", "PL", "CA", "AU", "BR", "MX", "RU", "IN", "JP"}

// phoneCorpus generates numbers: for each region, national significant
// numbers made from the region's example numbers with their last digits
// drawn at random and their length varied around the possible lengths,
// each written in several ways and read in several regions; plus the
// phones of GenerateTestCards and numbers of the demo generator's shape.
func phoneCorpus(t testing.TB, perRegion int) []phoneCase {
	rng := rand.New(rand.NewPCG(3, 14))
	var out []phoneCase
	for _, region := range corpusRegions {
		cc := phonenumbers.GetCountryCodeForRegion(region)
		starts := exampleStarts(region)
		require.NotEmpty(t, starts, region)
		nationalPrefix := phonenumbers.GetNddPrefixForRegion(region, true)
		idd := map[string]string{"US": "011", "CA": "011", "AU": "0011", "BR": "0021", "JP": "010", "RU": "810"}[region]
		if idd == "" {
			idd = "00"
		}
		readIn := []string{region, "", "DE", "US", "GB"}
		for range perRegion / 6 {
			nsn := randomNSN(rng, pickFrom(rng, starts))
			grouped := groupDigits(rng, nsn)
			cases := []string{
				fmt.Sprintf("+%d %s", cc, grouped),
				fmt.Sprintf("+%d (%s) %s", cc, nationalPrefix, grouped),
				nationalPrefix + " " + grouped,
				fmt.Sprintf("%s %d %s", idd, cc, grouped),
				fmt.Sprintf("%d %s", cc, grouped),
				grouped,
			}
			for _, number := range cases {
				out = append(out, phoneCase{number, pickFrom(rng, readIn)})
			}
		}
	}
	// The vCard test generator's phones, read as the importer reads them.
	var b bytes.Buffer
	require.NoError(t, vcard.GenerateTestCards(&b, 10_000/phoneCorpusScale, "3.0", 1))
	rd := vcard.NewReader(&b)
	for {
		c, err := rd.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		require.NoError(t, err)
		for _, p := range c.Phones {
			out = append(out, phoneCase{p.Number, "DE"})
		}
	}
	// The demo generator's shape: "+CC AREA NNNNNNN", mobiles "+CC 1XY NNNNNNN".
	demoAreas := []struct {
		cc    string
		areas []string
	}{
		{"49", []string{"30", "40", "89", "221", "69", "711", "211", "341", "351", "761"}},
		{"43", []string{"1", "316"}},
		{"41", []string{"44", "61"}},
	}
	for _, country := range demoAreas {
		for range 5_000 / phoneCorpusScale {
			out = append(out,
				phoneCase{fmt.Sprintf("+%s %s %d", country.cc, pickFrom(rng, country.areas), 100000+rng.IntN(8999999)), "DE"},
				phoneCase{fmt.Sprintf("+%s 1%d%d %07d", country.cc, 5+rng.IntN(3), rng.IntN(10), rng.IntN(10000000)), "DE"})
		}
	}
	return out
}

// numberStart is how a region's numbers begin, and how long they are.
type numberStart struct {
	prefix string
	length int
}

// exampleStarts are the first digits of the region's example numbers of
// every type, the starting points of realistic numbers.
func exampleStarts(region string) []numberStart {
	var out []numberStart
	for typ := phonenumbers.FIXED_LINE; typ <= phonenumbers.VOICEMAIL; typ++ {
		n := phonenumbers.GetExampleNumberForType(region, typ)
		if n == nil {
			continue
		}
		nsn := phonenumbers.GetNationalSignificantNumber(n)
		for keep := 1; keep <= 4 && keep < len(nsn); keep++ {
			out = append(out, numberStart{nsn[:keep], len(nsn)})
		}
	}
	return out
}

// randomNSN continues the start with random digits to its length give or
// take two.
func randomNSN(rng *rand.Rand, start numberStart) string {
	length := start.length + rng.IntN(5) - 2
	var b strings.Builder
	b.WriteString(start.prefix)
	for b.Len() < length {
		b.WriteByte(byte('0' + rng.IntN(10)))
	}
	return b.String()
}

func pickFrom[T any](rng *rand.Rand, xs []T) T { return xs[rng.IntN(len(xs))] }

// groupDigits writes digits in groups of one to four with the separators
// people use.
func groupDigits(rng *rand.Rand, digits string) string {
	var b strings.Builder
	for len(digits) > 0 {
		n := min(1+rng.IntN(4), len(digits))
		if b.Len() > 0 {
			b.WriteString(pickFrom(rng, []string{" ", " ", "-", "/", ".", " - "}))
		}
		b.WriteString(digits[:n])
		digits = digits[n:]
	}
	return b.String()
}

// FuzzPhoneFastPath checks that whenever the fast path takes a number, it
// gives the forms phonenumbers gives.
func FuzzPhoneFastPath(f *testing.F) {
	for _, seed := range []string{
		"+49 30 1234567", "+49 (0)30 1234-567", "030 1234567", "0049 30 1234567", "+1 (415) 555-0100",
		"(415) 555-0100", "+44 20 7946 0958", "+33 1 23 45 67 89", "+43 1 5880000", "+41 44 668 18 00",
		"1 415 555 0100", "49 30 1234567", "+39 06 6982", "+49 30 1234567 ext 12", "+800 1234 5678",
	} {
		for i := range phoneFuzzRegions {
			f.Add(seed, uint8(i))
		}
	}
	f.Fuzz(func(t *testing.T, number string, regionIndex uint8) {
		region := phoneFuzzRegions[int(regionIndex)%len(phoneFuzzRegions)]
		got, ok := fastPhoneForms(number, region)
		if !ok {
			return
		}
		if want := phonenumbersForms(number, region); got != want {
			t.Fatalf("fastPhoneForms(%q, %q) = %+v, phonenumbers gives %+v", number, region, got, want)
		}
	})
}

// phoneFuzzRegions include no region and ones that are not regions.
var phoneFuzzRegions = append([]string{"", "ZZ", "de", "001"}, corpusRegions...)

// BenchmarkParsePhone compares the fast path with phonenumbers on the
// numbers the importer and the demo data usually see, without the cache.
func BenchmarkParsePhone(b *testing.B) {
	numbers := []phoneCase{
		{"+49 89 1234567", "DE"}, {"+49 171 2345678", "DE"}, {"030 1234567", "DE"}, {"+49 (0)30 1234-567", "DE"},
		{"+43 1 5880000", "DE"}, {"+41 44 668 18 00", "DE"}, {"+1 (415) 555-0100", "DE"}, {"+44 20 7946 0958", "DE"},
	}
	for _, c := range numbers {
		if _, ok := fastPhoneForms(c.number, c.region); !ok {
			b.Fatalf("the fast path does not take %q", c.number)
		}
	}
	b.Run("fast", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			c := numbers[i%len(numbers)]
			fastPhoneForms(c.number, c.region)
		}
	})
	b.Run("phonenumbers", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			c := numbers[i%len(numbers)]
			phonenumbersForms(c.number, c.region)
		}
	})
}
