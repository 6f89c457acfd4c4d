// Package importer merges vCard files into the local store and exports
// contacts as vCards.
//
// A card either creates a contact or is merged into the contact it matches
// (by UID, else by e-mail, else by E.164 phone plus family name), so that
// importing the same file twice creates nothing the second time. Every write
// goes through localdb's transactions, so imported contacts are journaled for
// sync and indexed for search like typed ones. Cards are written in batches,
// one transaction each: a batch is whole or absent, never half-written, and an
// interrupted import can simply be run again.
package importer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"

	"repdesk/localdb"
	"repdesk/localdb/vcard"
)

// DefaultBatchSize is the number of cards written per transaction when
// Options.BatchSize is 0: large enough that the per-transaction cost
// (commit, search index flush) is spread thin, small enough that a batch
// stays a few MB of memory and a cancelled import stops soon.
const DefaultBatchSize = 2000

// Source is one input: a file's contents and the name the report uses for
// it (its path, or "-" for standard input).
type Source struct {
	Name string
	R    io.Reader
}

// Options configure an Importer.
type Options struct {
	// Region is the country (ISO 3166 code such as "DE") in which phone
	// numbers without a country code are read. Empty: the store's region.
	// When it differs from the store's region, such numbers are stored in
	// international form so that the store reads them the same way.
	Region string
	// DryRun runs the same matching and merging in a transaction that is
	// rolled back: the report says what would happen, nothing is written.
	DryRun bool
	// BatchSize is the number of cards per transaction (0: DefaultBatchSize).
	BatchSize int
	// Progress, when set, is called after every batch and at the end, on the
	// goroutine that called Import.
	Progress func(Progress)
	// MaxPhotoSize limits an inline photo in bytes (0: the vcard default); a
	// larger one is dropped with a warning.
	MaxPhotoSize int
}

// Progress is reported after every batch.
type Progress struct {
	Files     int    // files started
	File      string // the file being read
	Cards     int    // cards read so far
	Done      int    // cards written (in a dry run: processed) in finished batches
	Created   int
	Merged    int
	Unchanged int
	Failed    int
}

// Report says what an import did (or, in a dry run, would do).
type Report struct {
	Files     int        `json:"files"`
	Cards     int        `json:"cards"`
	Created   int        `json:"created"`
	Merged    int        `json:"merged"`
	Unchanged int        `json:"unchanged"`
	Failed    int        `json:"failed"`
	Conflicts []Conflict `json:"conflicts"`
	Errors    []Problem  `json:"errors"`
	// Warnings are things read but dropped or guessed (a photo too large, an
	// e-mail address that is not one); the card itself was imported.
	Warnings []Problem `json:"warnings,omitempty"`
	// Cancelled is set when the context ended the import early; the batches
	// written before stay, and running the import again completes it.
	Cancelled bool `json:"cancelled,omitempty"`
	DryRun    bool `json:"-"`
}

// Conflict is a field that the card and the matched contact both have, with
// different values: the contact keeps the rep's value.
type Conflict struct {
	ContactID string `json:"contact_id"`
	Field     string `json:"field"`
	Kept      string `json:"kept"`
	Incoming  string `json:"incoming"`
}

// Problem is a card (or a whole file, Card 0) that could not be read or
// written, or a warning about one.
type Problem struct {
	File    string `json:"file"`
	Card    int    `json:"card"`
	Line    int    `json:"line"`
	Message string `json:"message"`
}

func (p Problem) String() string {
	loc := p.File
	if p.Line > 0 {
		loc += fmt.Sprintf(":%d", p.Line)
	}
	if p.Card > 0 {
		return fmt.Sprintf("%s: card %d: %s", loc, p.Card, p.Message)
	}
	return loc + ": " + p.Message
}

// Importer imports vCard files into one store.
type Importer struct {
	store *localdb.Store
	opts  Options
}

// New returns an Importer writing to store.
func New(store *localdb.Store, opts Options) *Importer {
	if opts.BatchSize <= 0 {
		opts.BatchSize = DefaultBatchSize
	}
	return &Importer{store: store, opts: opts}
}

// errRollback ends the transaction of a dry run.
var errRollback = errors.New("dry run: roll back")

// Import reads every card of files, in order, and creates or merges a
// contact for each. The report is returned also with an error, and then
// counts the batches that were committed. When ctx ends, the import stops
// after the batch being written (Report.Cancelled).
func (im *Importer) Import(ctx context.Context, files []Source) (*Report, error) {
	rep := &Report{Conflicts: []Conflict{}, Errors: []Problem{}, DryRun: im.opts.DryRun}
	idx, err := loadIndex(ctx, im.store)
	if err != nil {
		return rep, fmt.Errorf("import: %w", err)
	}
	r := &run{im: im, idx: idx, rep: rep}
	// A batch being written is finished even when ctx ends meanwhile; ctx is
	// checked between batches.
	writeCtx := context.WithoutCancel(ctx)
	if !im.opts.DryRun {
		r.inTx = func(fn func(*localdb.Tx) error) error { return im.store.Update(writeCtx, fn) }
		return rep, r.loop(ctx, files)
	}
	err = im.store.Update(writeCtx, func(t *localdb.Tx) error {
		r.inTx = func(fn func(*localdb.Tx) error) error { return fn(t) }
		if err := r.loop(ctx, files); err != nil {
			return err
		}
		return errRollback
	})
	if errors.Is(err, errRollback) {
		err = nil
	}
	return rep, err
}

// run is the state of one Import.
type run struct {
	im   *Importer
	idx  *index
	rep  *Report
	inTx func(func(*localdb.Tx) error) error
	file string
	read atomic.Int64 // cards the reader goroutine has read
	// matched holds the contacts that the cards of the batch being written
	// matched when it started, updated as they are merged.
	matched map[string]*localdb.Contact
	// creates queues the contacts that cards of the batch being written
	// create, and writes them with a few statements per few hundred.
	creates *localdb.ContactBatch
}

// loop consumes what the reader goroutine produces and writes it batch by
// batch. Reading, decoding, mapping and phone parsing run on that goroutine,
// so that they overlap with the database work here.
func (r *run) loop(ctx context.Context, files []Source) error {
	readCtx, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	chunks := make(chan []item, 4)
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer close(chunks)
		r.produce(readCtx, files, chunks)
	}()
	defer func() {
		stop()
		for range chunks { // let the reader see the cancellation and end
		}
		wg.Wait()
	}()

	batch := make([]item, 0, r.im.opts.BatchSize)
	cards := 0
	for chunk := range chunks {
		for _, it := range chunk {
			if it.kind == itemCard {
				cards++
			}
			batch = append(batch, it)
			if cards == r.im.opts.BatchSize {
				if err := r.flush(batch); err != nil {
					return err
				}
				batch, cards = batch[:0], 0
				if ctx.Err() != nil {
					r.rep.Cancelled = true
					r.progress()
					return nil
				}
			}
		}
	}
	if ctx.Err() != nil {
		// The reader stopped early: what it sent last may be incomplete.
		r.rep.Cancelled = true
		r.progress()
		return nil
	}
	if len(batch) == 0 {
		r.progress() // flush reports the last batch otherwise
		return nil
	}
	return r.flush(batch)
}

// flush writes one batch in one transaction and, once it is committed,
// counts it in the report.
func (r *run) flush(batch []item) error {
	if len(batch) == 0 {
		return nil
	}
	delta := &Report{}
	err := r.inTx(func(t *localdb.Tx) error {
		*delta = Report{}
		r.idx.begin()
		if err := r.preload(t, batch); err != nil {
			return err
		}
		r.creates = t.ContactBatch()
		for i := range batch {
			if err := r.apply(t, &batch[i], delta); err != nil {
				return err
			}
			// Written or queued: the batch need not keep the contact, which
			// is most of a 100,000-card import's memory in flight.
			batch[i].contact, batch[i].prepared = nil, nil
		}
		return r.creates.Flush()
	})
	if err != nil {
		r.idx.rollback()
		return fmt.Errorf("import: %w", err)
	}
	r.idx.commit()
	rep := r.rep
	rep.Files += delta.Files
	rep.Cards += delta.Cards
	rep.Created += delta.Created
	rep.Merged += delta.Merged
	rep.Unchanged += delta.Unchanged
	rep.Failed += delta.Failed
	rep.Conflicts = append(rep.Conflicts, delta.Conflicts...)
	rep.Errors = append(rep.Errors, delta.Errors...)
	rep.Warnings = append(rep.Warnings, delta.Warnings...)
	r.progress()
	return nil
}

// preload reads the contacts that the batch's cards match, with one query
// per 500 instead of one per card. Contacts that cards of this batch create
// are read when needed.
func (r *run) preload(t *localdb.Tx, batch []item) error {
	ids := make([]string, 0, len(batch))
	for i := range batch {
		if batch[i].kind == itemCard && batch[i].err == "" {
			if id := r.idx.match(&batch[i].keys); id != "" {
				ids = append(ids, id)
			}
		}
	}
	var err error
	r.matched, err = t.ContactsByID(ids)
	return err
}

func (r *run) progress() {
	if r.im.opts.Progress == nil {
		return
	}
	rep := r.rep
	r.im.opts.Progress(Progress{Files: rep.Files, File: r.file, Cards: int(r.read.Load()), Done: rep.Cards,
		Created: rep.Created, Merged: rep.Merged, Unchanged: rep.Unchanged, Failed: rep.Failed})
}

// apply writes one item of a batch.
func (r *run) apply(t *localdb.Tx, it *item, delta *Report) error {
	switch it.kind {
	case itemFile:
		delta.Files++
		r.file = it.file
		return nil
	case itemFileError:
		delta.Errors = append(delta.Errors, Problem{File: it.file, Message: it.err})
		return nil
	}
	delta.Cards++
	delta.Warnings = append(delta.Warnings, it.warnings...)
	if it.err != "" {
		delta.Failed++
		delta.Errors = append(delta.Errors, Problem{File: it.file, Card: it.card, Line: it.line, Message: it.err})
		return nil
	}
	outcome, err := r.write(t, it, delta)
	var verr *localdb.ValidationError
	switch {
	case errors.As(err, &verr):
		delta.Failed++
		delta.Errors = append(delta.Errors, Problem{File: it.file, Card: it.card, Line: it.line, Message: verr.Error()})
		return nil
	case err != nil:
		return fmt.Errorf("%s: card %d at line %d: %w", it.file, it.card, it.line, err)
	}
	switch outcome {
	case created:
		delta.Created++
	case merged:
		delta.Merged++
	default:
		delta.Unchanged++
	}
	return nil
}

type outcome int

const (
	unchanged outcome = iota
	created
	merged
)

// write creates the card's contact or merges the card into the contact it
// matches.
func (r *run) write(t *localdb.Tx, it *item, delta *Report) (outcome, error) {
	if id := r.idx.match(&it.keys); id != "" {
		// The contact may be one that a card of this batch created: it has
		// to be written before it can be read or merged into.
		if err := r.creates.Flush(); err != nil {
			return unchanged, err
		}
		cur, err := r.matched[id], error(nil)
		if cur == nil {
			cur, err = t.GetContact(id)
		}
		switch {
		case err == nil && it.keys.in(cur):
			return r.merge(t, cur, it, delta)
		case err != nil && !errors.Is(err, localdb.ErrNotFound):
			return unchanged, err
		}
		// Deleted since the index was built, or a hash collision: the card
		// makes a new contact.
	}
	companyID, err := r.companyID(t, it.company)
	if err != nil {
		return unchanged, err
	}
	c, err := r.creates.CreatePrepared(it.prepared, companyID)
	if err != nil {
		return unchanged, err
	}
	r.idx.addContact(c)
	return created, nil
}

// merge merges the card into cur and writes what changed.
func (r *run) merge(t *localdb.Tx, cur *localdb.Contact, it *item, delta *Report) (outcome, error) {
	m := mergeCard(cur, it.contact, it.company)
	delta.Conflicts = append(delta.Conflicts, m.conflicts...)
	if !m.changed && !m.setCompany {
		return unchanged, nil
	}
	if m.setCompany {
		id, err := r.companyID(t, it.company)
		if err != nil {
			return unchanged, err
		}
		cur.CompanyID = id
	}
	if err := t.UpdateContact(cur); err != nil {
		delete(r.matched, cur.ID) // merged in memory only
		return unchanged, err
	}
	r.idx.addContact(cur)
	return merged, nil
}

// companyID finds the company named name (case-insensitively) or creates it
// in t.
func (r *run) companyID(t *localdb.Tx, name string) (string, error) {
	if name == "" {
		return "", nil
	}
	if id, ok := r.idx.company(name); ok {
		return id, nil
	}
	co := &localdb.Company{Name: name}
	if err := t.Create(co); err != nil {
		return "", err
	}
	r.idx.addCompany(co.ID, co.Name)
	return co.ID, nil
}

// readerOptions are the vcard reader's options for this import.
func (im *Importer) readerOptions() []vcard.Option {
	if im.opts.MaxPhotoSize > 0 {
		return []vcard.Option{vcard.WithMaxPhotoSize(im.opts.MaxPhotoSize)}
	}
	return nil
}
