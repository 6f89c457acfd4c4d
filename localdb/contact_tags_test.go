package localdb

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Migration 0011 fills contact_tags from the contacts already stored, so a
// tag filter finds them after the upgrade, and keeps it in step afterwards.
func TestContactTagsFilledOnUpgrade(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "before-tags.db")
	db := openRaw(t, path)
	require.NoError(t, migrateTo(ctx, db, 8))
	_, err := db.Exec(`INSERT INTO contacts (id, created_at, updated_at, deleted, full_name, tags) VALUES
		('c1', '2026-01-01T00:00:00.000000Z', '2026-01-01T00:00:00.000000Z', 0, 'Anna Alt', '["VIP","Messe"]'),
		('c2', '2026-01-01T00:00:00.000000Z', '2026-01-01T00:00:00.000000Z', 0, 'Bernd Alt', '["vip","VIP"]'),
		('c3', '2026-01-01T00:00:00.000000Z', '2026-01-01T00:00:00.000000Z', 1, 'Carla Gelöscht', '["VIP"]'),
		('c4', '2026-01-01T00:00:00.000000Z', '2026-01-01T00:00:00.000000Z', 0, 'Dora Ohne', '[]')`)
	require.NoError(t, err)
	require.NoError(t, db.Close())

	s, err := Open(path)
	require.NoError(t, err)
	defer s.Close()
	tagged := func(tag string) []string {
		t.Helper()
		cs, err := s.ListContacts(ctx, ContactFilter{Tag: tag})
		require.NoError(t, err)
		out := []string{}
		for _, c := range cs {
			out = append(out, c.FullName)
		}
		return out
	}
	assert.Equal(t, []string{"Anna Alt", "Bernd Alt"}, tagged("Vip"), "live contacts only, each once")
	assert.Equal(t, []string{"Anna Alt"}, tagged("messe"))
	assert.Equal(t, []string{}, tagged("Mes"), "part of a tag is no tag")

	dora, err := s.GetContact(ctx, "c4")
	require.NoError(t, err)
	dora.Tags = []string{"Messe"}
	require.NoError(t, s.UpdateContact(ctx, dora))
	assert.Equal(t, []string{"Anna Alt", "Dora Ohne"}, tagged("messe"), "kept in step after the upgrade")
}
