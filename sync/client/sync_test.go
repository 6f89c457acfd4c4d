package client_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"repdesk/localdb"
	"repdesk/sync/hub/hubtest"
	"repdesk/sync/protocol"
)

func TestTwoDevicesConverge(t *testing.T) {
	hubtest.ForEachBackend(t, func(t *testing.T, backend string) {
		h := hubtest.New(t, hubtest.Options{Backend: backend})
		token := h.AddUser("anna", protocol.RoleRep, "north")
		laptop, desktop := newDevice(t, "laptop", nil), newDevice(t, "desktop", nil)
		laptop.login(h.URL, token)
		desktop.login(h.URL, token)

		co := &localdb.Company{Name: "Acme GmbH", City: "Hamburg"}
		require.NoError(t, laptop.store.Create(ctx, co))
		ct := &localdb.Contact{FullName: "Jana Berg", CompanyID: co.ID, Tags: []string{"vip"},
			Emails: []localdb.Email{{Address: "jana@acme.example", Primary: true}}}
		require.NoError(t, laptop.store.CreateContact(ctx, ct))
		res := laptop.sync()
		assert.Equal(t, 2, res.Pushed)
		assert.Zero(t, res.Pending)
		assert.Zero(t, laptop.pending())

		res = desktop.sync()
		assert.Equal(t, 2, res.Pulled)
		got := desktop.contact(ct.ID)
		assert.Equal(t, "Jana Berg", got.FullName)
		assert.Equal(t, "Acme GmbH", got.Company)
		assert.Equal(t, []string{"vip"}, got.Tags)
		assert.Equal(t, "jana@acme.example", got.Emails[0].Address)
		assert.Zero(t, desktop.pending(), "pulled changes are not journaled")
		hits, err := desktop.store.Search(ctx, "Berg", localdb.SearchOptions{})
		require.NoError(t, err)
		require.NotEmpty(t, hits, "pulled contacts are searchable")

		desktop.editContact(ct.ID, func(c *localdb.Contact) { c.Title = "Einkauf" })
		desktop.sync()
		laptop.sync()
		assert.Equal(t, "Einkauf", laptop.contact(ct.ID).Title)

		require.NoError(t, laptop.store.Delete(ctx, localdb.EntityContact, ct.ID))
		laptop.sync()
		desktop.sync()
		_, err = desktop.store.GetContact(ctx, ct.ID)
		assert.ErrorIs(t, err, localdb.ErrNotFound)

		st := desktop.client.Status()
		assert.Equal(t, h.URL, st.Server)
		assert.True(t, st.Online)
		assert.Zero(t, st.Pending)
		assert.False(t, st.LastSync.IsZero())
	})
}
