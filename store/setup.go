package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
)

// ErrSetupDone is returned when the first admin already exists.
var ErrSetupDone = fmt.Errorf("setup already done: %w", ErrExpired)

// CreateSetupToken stores the hash of a one-time link that creates the first admin.
func (s *Store) CreateSetupToken(ctx context.Context, hash string, ttl time.Duration) error {
	now := s.now()
	if _, err := s.exec(ctx, s.db, `INSERT INTO setup_tokens (token_hash, created_at, expires_at) VALUES (?, ?, ?)`, hash, now, now.Add(ttl)); err != nil {
		return fmt.Errorf("create setup token: %w", err)
	}
	return nil
}

// SetupTokenValid reports whether the setup link can still create the first admin.
func (s *Store) SetupTokenValid(ctx context.Context, hash string) (bool, error) {
	var n int
	err := s.get(ctx, s.db, &n, `SELECT count(*) FROM setup_tokens WHERE token_hash = ? AND used_at IS NULL AND expires_at > ?
		AND NOT EXISTS (SELECT 1 FROM users WHERE role = 'admin')`, hash, s.now())
	if err != nil {
		return false, fmt.Errorf("setup token: %w", err)
	}
	return n == 1, nil
}

// CompleteSetup creates the first admin through the setup link. It consumes
// every unused setup link at once, so that two people racing with links
// printed by two instances cannot both become the first admin.
func (s *Store) CompleteSetup(ctx context.Context, hash string, nu NewUser, org Organisation) (*User, error) {
	var id int64
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		now := s.now()
		var consumed []struct {
			Hash      string    `db:"token_hash"`
			ExpiresAt time.Time `db:"expires_at"`
		}
		if err := s.selectAll(ctx, tx, &consumed, `UPDATE setup_tokens SET used_at = ? WHERE used_at IS NULL RETURNING token_hash, expires_at`, now); err != nil {
			return fmt.Errorf("complete setup: %w", err)
		}
		valid := false
		for _, c := range consumed {
			if c.Hash == hash && c.ExpiresAt.After(now) {
				valid = true
			}
		}
		if !valid {
			return ErrExpired
		}
		var admins int
		if err := s.get(ctx, tx, &admins, `SELECT count(*) FROM users WHERE role = 'admin'`); err != nil {
			return fmt.Errorf("complete setup: %w", err)
		}
		if admins > 0 {
			return ErrSetupDone
		}
		nu.Role, nu.Status = RoleAdmin, StatusActive
		var err error
		id, err = s.createUserInOrg(ctx, tx, nu, org)
		return err
	})
	if err != nil {
		return nil, err
	}
	return s.UserByID(ctx, id)
}
