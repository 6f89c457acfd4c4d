package vcard_test

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	govcard "github.com/emersion/go-vcard"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"repdesk/localdb/vcard"
)

var (
	benchDataOnce sync.Once
	benchData     map[string][]byte
)

// benchCards returns 10,000 generated cards of the version, made once.
func benchCards(b *testing.B, version string) []byte {
	b.Helper()
	benchDataOnce.Do(func() {
		benchData = map[string][]byte{}
		for _, v := range []string{"2.1", "3.0", "4.0"} {
			var buf bytes.Buffer
			if err := vcard.GenerateTestCards(&buf, 10_000, v, 42); err != nil {
				panic(err)
			}
			benchData[v] = buf.Bytes()
		}
	})
	return benchData[version]
}

func benchRead(b *testing.B, version string) {
	data := benchCards(b, version)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	cards := 0
	for b.Loop() {
		rd := vcard.NewReader(bytes.NewReader(data))
		for {
			_, err := rd.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			cards++
		}
	}
	b.ReportMetric(float64(cards)/b.Elapsed().Seconds(), "cards/s")
}

// BenchmarkRead10k parses and maps 10,000 15-property vCard 3.0 cards.
func BenchmarkRead10k(b *testing.B) { benchRead(b, "3.0") }

// BenchmarkRead10kQP21 does the same with Android-style 2.1 cards
// (quoted-printable UTF-8, soft line breaks, bare parameters).
func BenchmarkRead10kQP21(b *testing.B) { benchRead(b, "2.1") }

// BenchmarkRead10k40 does the same with vCard 4.0 cards.
func BenchmarkRead10k40(b *testing.B) { benchRead(b, "4.0") }

// BenchmarkGoVCardFloor decodes the same 3.0 data with plain go-vcard
// (no charset, no mapping), for comparison.
func BenchmarkGoVCardFloor(b *testing.B) {
	data := benchCards(b, "3.0")
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	cards := 0
	for b.Loop() {
		dec := govcard.NewDecoder(bytes.NewReader(data))
		for {
			_, err := dec.Decode()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			cards++
		}
	}
	b.ReportMetric(float64(cards)/b.Elapsed().Seconds(), "cards/s")
}

// BenchmarkRead100kStream reads 100,000 generated 3.0 cards (about 140 MB)
// from a file, so nothing holds the input in memory, and reports the peak
// heap above the heap in use before it started.
func BenchmarkRead100kStream(b *testing.B) {
	const n = 100_000
	path := filepath.Join(b.TempDir(), "100k.vcf")
	f, err := os.Create(path)
	require.NoError(b, err)
	require.NoError(b, vcard.GenerateTestCards(f, n, "3.0", 7))
	require.NoError(b, f.Close())
	b.ReportAllocs()
	var peak uint64
	for b.Loop() {
		f, err := os.Open(path)
		require.NoError(b, err)
		got, p := readCounting(b, f, 1000)
		f.Close()
		if got != n {
			b.Fatalf("read %d cards, want %d", got, n)
		}
		peak = max(peak, p)
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "cards/s")
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
}

// readCounting reads all cards of r and samples the heap every sampleEvery
// cards. It returns the cards read and the highest heap seen above the heap
// in use before (which holds, for one, the data of the other benchmarks).
func readCounting(tb testing.TB, r io.Reader, sampleEvery int) (int, uint64) {
	tb.Helper()
	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	base := ms.HeapInuse
	rd := vcard.NewReader(r)
	var peak uint64
	count := 0
	for {
		_, err := rd.Next()
		if errors.Is(err, io.EOF) {
			return count, peak
		}
		if err != nil {
			tb.Fatal(err)
		}
		count++
		if count%sampleEvery == 0 {
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapInuse-min(base, ms.HeapInuse))
		}
	}
}

// TestStreamingMemoryIsBounded reads 2,000 cards that each carry 128 KiB
// of (ignored) X- data, about 260 MB of input, and checks that the heap
// stays far below the input size: nothing holds more than one card.
func TestStreamingMemoryIsBounded(t *testing.T) {
	one := "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Big Card\r\nX-DATA:" + strings.Repeat("0123456789abcdef", 128<<10/16) + "\r\nEND:VCARD\r\n"
	const n = 2000

	pr, pw := io.Pipe()
	go func() {
		for range n {
			if _, err := io.WriteString(pw, one); err != nil {
				return
			}
		}
		pw.Close()
	}()
	defer pr.Close()
	count, peak := readCounting(t, pr, 50)
	assert.Equal(t, n, count)
	input := uint64(len(one)) * n
	assert.Greater(t, input, uint64(250<<20))
	assert.Less(t, peak, uint64(32<<20), "peak heap %d MiB for %d MiB of input", peak>>20, input>>20)
}
