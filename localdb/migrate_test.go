package localdb

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func openRaw(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", fileURI(path))
	require.NoError(t, err)
	return db
}

func appliedVersions(t *testing.T, db *sql.DB) []int {
	t.Helper()
	rows, err := db.Query(`SELECT version FROM schema_migrations ORDER BY version`)
	require.NoError(t, err)
	defer rows.Close()
	var vs []int
	for rows.Next() {
		var v int
		require.NoError(t, rows.Scan(&v))
		vs = append(vs, v)
	}
	require.NoError(t, rows.Err())
	return vs
}

// embeddedVersions lists the numbers of the embedded migrations. They may
// have gaps while a number given out is not yet committed.
func embeddedVersions(t *testing.T) []int {
	t.Helper()
	ms, err := loadMigrations()
	require.NoError(t, err)
	var vs []int
	for _, m := range ms {
		vs = append(vs, m.version)
	}
	return vs
}

// The rows the first release wrote for a company and one of its contacts:
// the tables of schema 1, the journal, and the search rows of its layout
// (rowid = rid * 4 + 1 for companies, + 2 for contacts).
const schema1Data = `
INSERT INTO companies (rid, id, created_at, updated_at, version, owner, name, city, tags)
VALUES (7, '0190b2a4-1111-7000-8000-000000000001', '2024-06-01T08:00:00.000000Z', '2024-06-02T08:00:00.000000Z', 2, 'anna',
        'Müller Bau GmbH', 'Göttingen', '["Kunde"]');
INSERT INTO contacts (rid, id, created_at, updated_at, version, owner, full_name, given_name, family_name, company_id,
                      emails, phones, lead_status)
VALUES (3, '0190b2a4-2222-7000-8000-000000000002', '2024-06-01T08:01:00.000000Z', '2024-06-01T08:01:00.000000Z', 1, 'anna',
        'Jürgen Müller', 'Jürgen', 'Müller', '0190b2a4-1111-7000-8000-000000000001',
        '[{"address":"j.mueller@mueller-bau.de"}]', '[{"number":"0171 2345678","type":"mobile","e164":"+491712345678"}]', 'qualified');
INSERT INTO journal (op_id, entity, record_id, op, fields, base_version, at) VALUES
  ('0190b2a4-3333-7000-8000-000000000003', 'company', '0190b2a4-1111-7000-8000-000000000001', 'create', '{"name":"Müller Bau"}', 0, '2024-06-01T08:00:00.000000Z'),
  ('0190b2a4-3333-7000-8000-000000000004', 'company', '0190b2a4-1111-7000-8000-000000000001', 'patch', '{"name":"Müller Bau GmbH"}', 1, '2024-06-02T08:00:00.000000Z'),
  ('0190b2a4-3333-7000-8000-000000000005', 'contact', '0190b2a4-2222-7000-8000-000000000002', 'create', '{"full_name":"Jürgen Müller"}', 0, '2024-06-01T08:01:00.000000Z');
INSERT INTO search (rowid, kind, record_id, name, alt, company, emails, phones, city, tags, notes) VALUES
  (29, 'company', '0190b2a4-1111-7000-8000-000000000001', 'Müller Bau GmbH', 'Mueller Bau GmbH Goettingen', '', '', '', ' Göttingen', 'Kunde', ''),
  (14, 'contact', '0190b2a4-2222-7000-8000-000000000002', 'Jürgen Müller', 'Juergen Mueller Mueller Bau GmbH ', 'Müller Bau GmbH',
   'j.mueller@mueller-bau.de', '491712345678 01712345678 1712345678', '', '', '');
`

func TestOpenUpgradesTheFirstSchema(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	db := openRaw(t, path)
	require.NoError(t, migrateTo(ctx, db, 1))
	assert.Equal(t, []int{1}, appliedVersions(t, db))
	_, err := db.Exec(schema1Data)
	require.NoError(t, err)
	require.NoError(t, db.Close())

	s, err := Open(path)
	require.NoError(t, err)
	defer s.Close()
	assert.Equal(t, embeddedVersions(t), appliedVersions(t, s.DB()), "every later migration applied and recorded")
	assert.Greater(t, SchemaVersion(), 1)

	c, err := s.GetContact(ctx, "0190b2a4-2222-7000-8000-000000000002")
	require.NoError(t, err)
	assert.Equal(t, "Jürgen Müller", c.FullName)
	assert.Equal(t, "Müller Bau GmbH", c.Company)
	assert.Equal(t, LeadQualified, c.LeadStatus)
	assert.Equal(t, "+491712345678", c.Phones[0].E164)
	assert.Empty(t, c.UID, "columns added later start empty")
	n, err := s.PendingCount(ctx)
	require.NoError(t, err)
	assert.Equal(t, 3, n, "the journal survives")

	for q, titles := range map[string][]string{
		"müller":    {"Müller Bau GmbH", "Jürgen Müller"},
		"mueller":   {"Müller Bau GmbH", "Jürgen Müller"},
		"jü":        {"Jürgen Müller"},
		"0171 234":  {"Jürgen Müller"},
		"göttingen": {"Müller Bau GmbH"},
	} {
		assert.ElementsMatch(t, titles, searchTitles(t, s, q, SearchOptions{}), "search %q in the upgraded index", q)
	}
	hits, err := s.Search(ctx, "müller", SearchOptions{Kinds: []string{EntityCompany}})
	require.NoError(t, err)
	require.Len(t, hits, 1)
	assert.Equal(t, EntityCompany, hits[0].Kind)

	// The upgraded rows are written and deleted like new ones.
	c.Title = "Bauleiter"
	require.NoError(t, s.UpdateContact(ctx, c))
	assert.EqualValues(t, 2, c.Version)
	assert.Contains(t, searchTitles(t, s, "bauleiter", SearchOptions{}), "Jürgen Müller")
	require.NoError(t, s.Delete(ctx, EntityCompany, "0190b2a4-1111-7000-8000-000000000001"))
	assert.Equal(t, []string{"Jürgen Müller"}, searchTitles(t, s, "müller", SearchOptions{}), "the company's migrated search rows are gone")
	fresh := &Contact{FullName: "Neu Müller"}
	require.NoError(t, s.CreateContact(ctx, fresh))
	assert.ElementsMatch(t, []string{"Jürgen Müller", "Neu Müller"}, searchTitles(t, s, "müller", SearchOptions{}))
}

func fileHash(t *testing.T, path string) [32]byte {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	return sha256.Sum256(b)
}

func TestOpenRefusesNewerSchema(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "newer.db")
	s, err := Open(path)
	require.NoError(t, err)
	require.NoError(t, s.CreateContact(ctx, &Contact{FullName: "Zukunft Schmidt"}))
	_, err = s.DB().Exec(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, 'from_the_future.sql', '2030-01-01T00:00:00Z')`,
		SchemaVersion()+1)
	require.NoError(t, err)
	require.NoError(t, s.Close())
	before := fileHash(t, path)

	_, err = Open(path)
	require.ErrorIs(t, err, ErrNewerSchema)
	assert.Contains(t, err.Error(), fmt.Sprintf("schema %d, this build knows %d", SchemaVersion()+1, SchemaVersion()))
	assert.Equal(t, before, fileHash(t, path), "the database is left untouched")

	db := openRaw(t, path)
	defer db.Close()
	var name string
	require.NoError(t, db.QueryRow(`SELECT full_name FROM contacts`).Scan(&name))
	assert.Equal(t, "Zukunft Schmidt", name)
}

func TestFailingMigrationRollsBackWhole(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "fail.db")
	s, err := Open(path)
	require.NoError(t, err)
	require.NoError(t, s.CreateContact(ctx, &Contact{FullName: "Bleibt Gleich", Notes: "vorher"}))
	require.NoError(t, s.Close())

	ms, err := loadMigrations()
	require.NoError(t, err)
	next := SchemaVersion() + 1
	broken := migration{version: next, name: fmt.Sprintf("%04d_broken.sql", next), sql: `
		CREATE TABLE extra (x TEXT);
		INSERT INTO extra VALUES ('half');
		ALTER TABLE contacts ADD COLUMN nickname TEXT NOT NULL DEFAULT '';
		UPDATE contacts SET notes = 'nachher';
		INSERT INTO no_such_table VALUES (1);`}
	db := openRaw(t, path)
	defer db.Close()
	err = applyMigrations(ctx, db, append(ms, broken), 0)
	require.Error(t, err)
	assert.Contains(t, err.Error(), broken.name)
	assert.Contains(t, err.Error(), "no such table: no_such_table")

	var n int
	require.NoError(t, db.QueryRow(`SELECT COUNT(*) FROM sqlite_schema WHERE name = 'extra'`).Scan(&n))
	assert.Zero(t, n, "the table it made is gone")
	require.NoError(t, db.QueryRow(`SELECT COUNT(*) FROM pragma_table_info('contacts') WHERE name = 'nickname'`).Scan(&n))
	assert.Zero(t, n, "the column it added is gone")
	var notes string
	require.NoError(t, db.QueryRow(`SELECT notes FROM contacts`).Scan(&notes))
	assert.Equal(t, "vorher", notes, "the rows it changed are as they were")
	assert.NotContains(t, appliedVersions(t, db), next)

	// Fixed, the same migration applies and is recorded once.
	fixed := broken
	fixed.sql = `ALTER TABLE contacts ADD COLUMN nickname TEXT NOT NULL DEFAULT '';
		UPDATE contacts SET nickname = 'BG';`
	require.NoError(t, applyMigrations(ctx, db, append(ms, fixed), 0))
	require.NoError(t, applyMigrations(ctx, db, append(ms, fixed), 0))
	assert.Contains(t, appliedVersions(t, db), next)
	var nick string
	require.NoError(t, db.QueryRow(`SELECT nickname FROM contacts`).Scan(&nick))
	assert.Equal(t, "BG", nick)
}

func TestMigrationsFillGaps(t *testing.T) {
	ctx := context.Background()
	db := openRaw(t, filepath.Join(t.TempDir(), "gaps.db"))
	defer db.Close()
	m := func(v int) migration {
		return migration{version: v, name: fmt.Sprintf("%04d_t%d.sql", v, v), sql: fmt.Sprintf(`CREATE TABLE t%d (x)`, v)}
	}
	// A build that lacks migration 2, which another branch added meanwhile.
	require.NoError(t, applyMigrations(ctx, db, []migration{m(1), m(3)}, 0))
	assert.Equal(t, []int{1, 3}, appliedVersions(t, db))
	require.NoError(t, applyMigrations(ctx, db, []migration{m(1), m(2), m(3)}, 0))
	assert.Equal(t, []int{1, 2, 3}, appliedVersions(t, db))
	require.NoError(t, applyMigrations(ctx, db, []migration{m(1), m(2), m(3), m(4)}, 3), "upto stops before 4")
	assert.Equal(t, []int{1, 2, 3}, appliedVersions(t, db))
	err := applyMigrations(ctx, db, []migration{m(1), m(2)}, 0)
	assert.ErrorIs(t, err, ErrNewerSchema)
}

func TestConcurrentOpensMigrateOnce(t *testing.T) {
	path := filepath.Join(t.TempDir(), "race.db")
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Go(func() {
			s, err := Open(path)
			if err == nil {
				err = s.Close()
			}
			errs[i] = err
		})
	}
	wg.Wait()
	for _, err := range errs {
		assert.NoError(t, err)
	}
	s, err := Open(path)
	require.NoError(t, err)
	defer s.Close()
	assert.Equal(t, embeddedVersions(t), appliedVersions(t, s.DB()))
}

func TestOpenAnyDirectoryName(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "Jürgen's Daten #1 (100%)?")
	s, err := Open(filepath.Join(dir, "repdesk.db"))
	require.NoError(t, err)
	require.NoError(t, s.Create(ctx, &Company{Name: "Pfad GmbH"}))
	require.NoError(t, s.Close())
	_, err = os.Stat(filepath.Join(dir, "repdesk.db"))
	require.NoError(t, err, "the file is where it was asked to be")
	s, err = Open(filepath.Join(dir, "repdesk.db"))
	require.NoError(t, err)
	defer s.Close()
	found, err := s.FindCompanyByName(ctx, "Pfad GmbH")
	require.NoError(t, err)
	assert.Equal(t, "Pfad GmbH", found.Name)
	var mode string
	require.NoError(t, s.DB().QueryRow(`PRAGMA journal_mode`).Scan(&mode))
	assert.Equal(t, "wal", mode)
	var fk, timeout int
	require.NoError(t, s.DB().QueryRow(`PRAGMA foreign_keys`).Scan(&fk))
	require.NoError(t, s.DB().QueryRow(`PRAGMA busy_timeout`).Scan(&timeout))
	assert.Equal(t, 1, fk)
	assert.Equal(t, 10000, timeout)
	info, err := os.Stat(dir)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o700), info.Mode().Perm(), "the data directory is the user's alone")
}
