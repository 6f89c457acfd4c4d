package hub_test

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"repdesk/sync/hub/hubtest"
	"repdesk/sync/protocol"
)

// contactFields returns the fields of a realistic contact, about 600 bytes
// of JSON.
func contactFields(i int, companyID string) map[string]any {
	return map[string]any{
		"full_name": fmt.Sprintf("Kari Nordmann %06d", i), "given_name": "Kari", "family_name": fmt.Sprintf("Nordmann %06d", i),
		"title": "Head of Purchasing", "company_id": companyID,
		"emails": []map[string]any{{"address": fmt.Sprintf("kari.%06d@example.com", i), "type": "work", "primary": true}},
		"phones": []map[string]any{{"number": "+47 22 12 34 56", "type": "work", "e164": "+4722123456"},
			{"number": "+47 912 34 567", "type": "mobile", "e164": "+4791234567"}},
		"addresses":   []map[string]any{{"type": "work", "street": "Storgata 1", "postal_code": "0155", "city": "Oslo", "country": "NO"}},
		"tags":        []string{"key-account", "north"},
		"notes":       "Prefers calls before ten. Met at the Lillestrøm trade fair; interested in the spring range.",
		"lead_status": "qualified", "source": "trade fair", "website": "https://example.com", "birthday": "1980-04-12",
		"do_not_call": false,
	}
}

func contactBatch(c *hubtest.Client, n, offset int) []protocol.Mutation {
	ms := make([]protocol.Mutation, n)
	company := hubtest.NewID()
	for i := range ms {
		ms[i] = c.Create("contact", hubtest.NewID(), contactFields(offset+i, company))
	}
	return ms
}

func BenchmarkPush10k(b *testing.B) {
	h := hubtest.New(b, hubtest.Options{})
	token := h.AddUser("ann", protocol.RoleRep, "north")
	size, _ := json.Marshal(contactFields(0, hubtest.NewID()))
	b.ReportMetric(float64(len(size)), "bytes/contact")
	var cpu float64
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		c := h.Client(token)
		batch := contactBatch(c, 10000, i*10000)
		b.StartTimer()
		start := hubtest.CPUSeconds()
		resp, err := c.Push(ctx, batch...)
		cpu += hubtest.CPUSeconds() - start
		if err != nil {
			b.Fatal(err)
		}
		if resp.LastMutation != 10000 || resp.Results[9999].Status != protocol.StatusApplied {
			b.Fatalf("push: last %d, status %s", resp.LastMutation, resp.Results[9999].Status)
		}
	}
	b.ReportMetric(cpu/float64(b.N), "cpu-s/op")
}

// BenchmarkSnapshot100k serves a snapshot of 100,000 contacts over loopback
// HTTP with gzip. "one-page" reads and decompresses it as one page of
// 100,000; "paged" takes pages of the default size (decoding the records
// is the client's part: only each page's tail is read).
func BenchmarkSnapshot100k(b *testing.B) {
	h := hubtest.New(b, hubtest.Options{})
	token := h.AddUser("ann", protocol.RoleRep, "north")
	c := h.Client(token)
	var snapshotUntil int64
	for i := range 10 {
		resp, err := c.Push(ctx, contactBatch(c, 10000, i*10000)...)
		require.NoError(b, err)
		snapshotUntil = resp.Results[len(resp.Results)-1].Seq
	}
	get := func(b *testing.B, after, until int64, limit int, page *snapshotPage) int64 {
		req, err := http.NewRequest(http.MethodGet, fmt.Sprintf("%s%s?after=%d&until=%d&limit=%d", h.URL, protocol.PathSnapshot,
			after, until, limit), nil)
		require.NoError(b, err)
		req.Header.Set(protocol.HeaderVersion, "1")
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Accept-Encoding", "gzip")
		resp, err := http.DefaultTransport.RoundTrip(req)
		require.NoError(b, err)
		defer resp.Body.Close()
		require.Equal(b, http.StatusOK, resp.StatusCode)
		counter := &countingReader{r: resp.Body}
		zr, err := gzip.NewReader(counter)
		require.NoError(b, err)
		tail := &tailWriter{}
		_, err = io.Copy(tail, zr)
		require.NoError(b, err)
		if page != nil {
			// The page ends with ,"next_after":N,"has_more":B}.
			i := bytes.LastIndex(tail.buf, []byte(`,"next_after":`))
			require.GreaterOrEqual(b, i, 0)
			require.NoError(b, json.Unmarshal(append([]byte("{"), tail.buf[i+1:]...), page))
		}
		return counter.n
	}
	b.Run("one-page", func(b *testing.B) {
		var wire int64
		start := hubtest.CPUSeconds()
		for i := 0; i < b.N; i++ {
			wire = get(b, 0, 0, protocol.MaxSnapshotLimit, nil)
		}
		b.ReportMetric((hubtest.CPUSeconds()-start)/float64(b.N), "cpu-s/op")
		b.ReportMetric(float64(wire)/1e6, "MB-gzip")
	})
	b.Run("paged", func(b *testing.B) {
		start := hubtest.CPUSeconds()
		for i := 0; i < b.N; i++ {
			var after int64
			pages := 0
			for {
				var page snapshotPage
				get(b, after, snapshotUntil, protocol.DefaultSnapshotLimit, &page)
				pages++
				after = page.NextAfter
				if !page.HasMore {
					break
				}
			}
			if pages != 100000/protocol.DefaultSnapshotLimit {
				b.Fatalf("snapshot had %d pages", pages)
			}
		}
		b.ReportMetric((hubtest.CPUSeconds()-start)/float64(b.N), "cpu-s/op")
	})
}

// snapshotPage is the tail of a protocol.SnapshotPage.
type snapshotPage struct {
	NextAfter int64 `json:"next_after"`
	HasMore   bool  `json:"has_more"`
}

// tailWriter keeps the last bytes written to it.
type tailWriter struct{ buf []byte }

func (t *tailWriter) Write(p []byte) (int, error) {
	const keep = 256
	t.buf = append(t.buf, p[max(0, len(p)-keep):]...)
	if len(t.buf) > keep {
		t.buf = append(t.buf[:0], t.buf[len(t.buf)-keep:]...)
	}
	return len(p), nil
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// BenchmarkEmptyPull is a sync round with nothing new.
func BenchmarkEmptyPull(b *testing.B) {
	h := hubtest.New(b, hubtest.Options{})
	c := h.Client(h.AddUser("ann", protocol.RoleRep, "north"))
	_, err := c.Push(ctx, contactBatch(c, 1000, 0)...)
	require.NoError(b, err)
	_, err = c.Sync(ctx, 0)
	require.NoError(b, err)
	b.ResetTimer()
	start := hubtest.CPUSeconds()
	for i := 0; i < b.N; i++ {
		page, err := c.Pull(ctx, c.Cursor, 0)
		if err != nil || len(page.Changes) != 0 || page.HasMore {
			b.Fatalf("pull: %v, %d changes", err, len(page.Changes))
		}
	}
	b.ReportMetric((hubtest.CPUSeconds()-start)/float64(b.N)*1e3, "cpu-ms/op")
}
