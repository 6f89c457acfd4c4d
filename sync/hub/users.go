package hub

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"repdesk/sync/protocol"
)

// Errors of user management and authentication.
var (
	ErrUserExists   = errors.New("user already exists")
	ErrUserNotFound = errors.New("user not found")
	ErrBadToken     = errors.New("unknown token")
	ErrRevoked      = errors.New("token revoked")
)

// User is a hub user: a rep, a manager or an admin.
type User struct {
	ID          int64     `json:"-"`
	Name        string    `json:"name"`
	Role        string    `json:"role"`
	Territories []string  `json:"territories"`
	CreatedAt   time.Time `json:"created_at"`
	Revoked     bool      `json:"revoked"`
	RevokedAt   time.Time `json:"revoked_at,omitzero"`
}

// SeesAll reports whether the user receives every record.
func (u *User) SeesAll() bool { return u.Role == protocol.RoleManager || u.Role == protocol.RoleAdmin }

// inScope reports whether a record of this owner, territory and assignee
// is the user's to read and write.
func (u *User) inScope(owner, territory, assignee string) bool {
	return u.SeesAll() || owner == u.Name || assignee == u.Name ||
		(territory != "" && slices.Contains(u.Territories, territory))
}

// firstTerritory is where the user's new records go when nothing else
// decides.
func (u *User) firstTerritory() string {
	if len(u.Territories) == 0 {
		return ""
	}
	return u.Territories[0]
}

// tokenPrefix marks RepDesk hub tokens so that a leaked one is recognisable.
const tokenPrefix = "rdh_"

func newToken() (string, error) {
	b := make([]byte, 32) // 256 bits
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return tokenPrefix + base64.RawURLEncoding.EncodeToString(b), nil
}

// hashToken is what the hub stores: a token has 256 random bits, so a plain
// SHA-256 cannot be reversed or guessed.
func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// AddUser creates a user and returns its token, the only time the token is
// known to the hub.
func (db *DB) AddUser(ctx context.Context, name, role string, territories []string) (string, error) {
	if err := validateUser(name, role, territories); err != nil {
		return "", fmt.Errorf("add user: %w", err)
	}
	if territories == nil {
		territories = []string{}
	}
	token, err := newToken()
	if err != nil {
		return "", fmt.Errorf("add user %s: %w", name, err)
	}
	terr, err := json.Marshal(territories)
	if err != nil {
		return "", fmt.Errorf("add user %s: %w", name, err)
	}
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return "", fmt.Errorf("add user %s: %w", name, err)
	}
	defer tx.Rollback()
	var n int
	if err := tx.QueryRowContext(ctx, db.q(`SELECT COUNT(*) FROM hub_users WHERE name = ?`), name).Scan(&n); err != nil {
		return "", fmt.Errorf("add user %s: %w", name, err)
	}
	if n > 0 {
		return "", fmt.Errorf("add user %s: %w", name, ErrUserExists)
	}
	if _, err := tx.ExecContext(ctx, db.q(`INSERT INTO hub_users (name, role, territories, token_hash, created_at) VALUES (?, ?, ?, ?, ?)`),
		name, role, string(terr), hashToken(token), formatTime(time.Now())); err != nil {
		return "", fmt.Errorf("add user %s: %w", name, err)
	}
	if err := tx.Commit(); err != nil {
		return "", fmt.Errorf("add user %s: %w", name, err)
	}
	return token, nil
}

func validateUser(name, role string, territories []string) error {
	switch {
	case strings.TrimSpace(name) == "" || name != strings.TrimSpace(name):
		return fmt.Errorf("user name %q: must be non-empty without surrounding spaces", name)
	case len(name) > 128:
		return fmt.Errorf("user name %q: longer than 128 bytes", name)
	case role != protocol.RoleRep && role != protocol.RoleManager && role != protocol.RoleAdmin:
		return fmt.Errorf("role %q: must be rep, manager or admin", role)
	}
	for _, t := range territories {
		if strings.TrimSpace(t) == "" || len(t) > 128 {
			return fmt.Errorf("territory %q: must be non-empty and at most 128 bytes", t)
		}
	}
	return nil
}

const userColumns = `id, name, role, territories, created_at, revoked_at`

func scanUser(row interface{ Scan(...any) error }) (User, error) {
	var u User
	var terr, created, revoked string
	if err := row.Scan(&u.ID, &u.Name, &u.Role, &terr, &created, &revoked); err != nil {
		return User{}, err
	}
	if err := json.Unmarshal([]byte(terr), &u.Territories); err != nil {
		return User{}, fmt.Errorf("territories of user %s: %w", u.Name, err)
	}
	var err error
	if u.CreatedAt, err = parseTime(created); err != nil {
		return User{}, err
	}
	if u.RevokedAt, err = parseTime(revoked); err != nil {
		return User{}, err
	}
	u.Revoked = revoked != ""
	return u, nil
}

// Users lists every user, revoked ones too, by name.
func (db *DB) Users(ctx context.Context) ([]User, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT `+userColumns+` FROM hub_users ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	defer rows.Close()
	var out []User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, fmt.Errorf("list users: %w", err)
		}
		out = append(out, u)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	return out, nil
}

// RevokeUser revokes the user's token at once: its next request gets 401.
func (db *DB) RevokeUser(ctx context.Context, name string) error {
	res, err := db.sql.ExecContext(ctx, db.q(`UPDATE hub_users SET revoked_at = ? WHERE name = ? AND revoked_at = ''`),
		formatTime(time.Now()), name)
	if err != nil {
		return fmt.Errorf("revoke user %s: %w", name, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("revoke user %s: %w", name, err)
	}
	if n == 0 {
		var exists int
		if err := db.sql.QueryRowContext(ctx, db.q(`SELECT COUNT(*) FROM hub_users WHERE name = ?`), name).Scan(&exists); err != nil {
			return fmt.Errorf("revoke user %s: %w", name, err)
		}
		if exists == 0 {
			return fmt.Errorf("revoke user %s: %w", name, ErrUserNotFound)
		}
	}
	return nil
}

// Authenticate returns the user a token belongs to.
func (db *DB) Authenticate(ctx context.Context, token string) (User, error) {
	row := db.sql.QueryRowContext(ctx, db.q(`SELECT `+userColumns+` FROM hub_users WHERE token_hash = ?`), hashToken(token))
	u, err := scanUser(row)
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, ErrBadToken
	}
	if err != nil {
		return User{}, fmt.Errorf("authenticate: %w", err)
	}
	if u.Revoked {
		return User{}, ErrRevoked
	}
	return u, nil
}
