package localdb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// Setting keys kept in the database.
const (
	SettingOwner  = "owner"
	SettingRegion = "region"
	// SettingAccountRole is the role (rep, manager, admin) of the hub
	// account this database signed in with; "" before the first sign-in.
	SettingAccountRole = "account_role"
)

// loadSettings applies stored settings that no Option overrode.
func (s *Store) loadSettings(ctx context.Context) error {
	for key, dst := range map[string]*string{SettingOwner: &s.owner, SettingRegion: &s.region} {
		if s.explicit[key] {
			continue
		}
		v, err := s.Setting(ctx, key)
		if errors.Is(err, ErrNotFound) {
			continue
		}
		if err != nil {
			return err
		}
		s.settingsMu.Lock()
		*dst = v
		s.settingsMu.Unlock()
	}
	return nil
}

// Setting reads one stored setting; ErrNotFound when it was never set.
func (s *Store) Setting(ctx context.Context, key string) (string, error) {
	var v string
	err := s.db.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = ?`, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("setting %q: %w", key, ErrNotFound)
	}
	if err != nil {
		return "", fmt.Errorf("setting %q: %w", key, err)
	}
	return v, nil
}

// SetSetting stores one setting.
func (s *Store) SetSetting(ctx context.Context, key, value string) error {
	if _, err := s.db.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES (?, ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, value); err != nil {
		return fmt.Errorf("set setting %q: %w", key, err)
	}
	s.settingsMu.Lock()
	defer s.settingsMu.Unlock()
	switch key {
	case SettingOwner:
		s.owner = value
	case SettingRegion:
		s.region = value
	}
	return nil
}
