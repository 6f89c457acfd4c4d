package demo

import (
	"context"
	"errors"
	"fmt"

	"repdesk/localdb"
)

// settingDemoData marks a database that holds demo data. Demo records are
// journaled like a rep's own work, so connecting such a database to a team's
// hub would upload hundreds of invented companies and contacts.
const settingDemoData = "demo_data"

// ErrDemoData is returned when a database with demo data is about to be
// connected to a sync server.
var ErrDemoData = errors.New("this database holds demo data, which would be uploaded to your team's server")

// ErrSignedIn is returned when demo data would be written into a database
// that syncs with a server.
var ErrSignedIn = errors.New("this database syncs with a server; demo data would be uploaded to your team")

// HasDemoData reports whether Seed ever wrote into the store.
func HasDemoData(ctx context.Context, s *localdb.Store) (bool, error) {
	_, err := s.Setting(ctx, settingDemoData)
	switch {
	case errors.Is(err, localdb.ErrNotFound):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("demo data: %w", err)
	}
	return true, nil
}

// GuardConnect returns ErrDemoData when the store holds demo data, so that
// signing in to a server starts from a clean database instead.
func GuardConnect(ctx context.Context, s *localdb.Store) error {
	has, err := HasDemoData(ctx, s)
	if err != nil {
		return err
	}
	if has {
		return ErrDemoData
	}
	return nil
}

// markSeeded records that the store holds demo data, before the first
// record is written, so that an interrupted seed is marked too.
func markSeeded(ctx context.Context, s *localdb.Store) error {
	if err := s.SetSetting(ctx, settingDemoData, "yes"); err != nil {
		return fmt.Errorf("demo data: %w", err)
	}
	return nil
}
