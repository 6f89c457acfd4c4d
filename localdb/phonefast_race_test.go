//go:build race

package localdb

// Under the race detector phonenumbers is some thirty times slower; the
// differential test then reads a twentieth of its corpus, which still
// covers every region and way of writing, and leaves the full corpus to
// the ordinary test run.
func init() { phoneCorpusScale = 20 }
