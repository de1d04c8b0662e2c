package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
)

// CreatePasswordReset stores a reset link's token hash for userID.
// The mail that carries the link, when given, is queued with it.
func (s *Store) CreatePasswordReset(ctx context.Context, userID int64, hash string, ttl time.Duration, mail ...any) error {
	now := s.now()
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := s.exec(ctx, tx, `INSERT INTO password_resets (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)`,
			hash, userID, now, now.Add(ttl)); err != nil {
			return fmt.Errorf("create password reset: %w", err)
		}
		return s.queueAccountMails(ctx, tx, mail)
	})
}

// PasswordResetValid reports whether a reset link can still be used.
func (s *Store) PasswordResetValid(ctx context.Context, hash string) (bool, error) {
	var n int
	err := s.get(ctx, s.db, &n, `SELECT count(*) FROM password_resets r JOIN users u ON u.id = r.user_id
		WHERE r.token_hash = ? AND r.used_at IS NULL AND r.expires_at > ? AND u.status <> 'suspended'`, hash, s.now())
	if err != nil {
		return false, fmt.Errorf("password reset: %w", err)
	}
	return n == 1, nil
}

// ResetPassword uses a reset link once: it sets the new password, ends every
// session, revokes every API token and voids the account's other reset
// links. It returns the account.
func (s *Store) ResetPassword(ctx context.Context, hash, passwordHash string) (*User, error) {
	var userID int64
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		now := s.now()
		err := s.get(ctx, tx, &userID, `SELECT r.user_id FROM password_resets r JOIN users u ON u.id = r.user_id
			WHERE r.token_hash = ? AND r.used_at IS NULL AND r.expires_at > ? AND u.status <> 'suspended'`, hash, now)
		if isNoRows(err) {
			return ErrExpired
		}
		if err != nil {
			return fmt.Errorf("reset password: %w", err)
		}
		n, err := s.exec(ctx, tx, `UPDATE password_resets SET used_at = ? WHERE user_id = ? AND used_at IS NULL`, now, userID)
		if err != nil {
			return fmt.Errorf("reset password: %w", err)
		}
		if n == 0 {
			return ErrExpired
		}
		return s.setPassword(ctx, tx, userID, passwordHash, "")
	})
	if err != nil {
		return nil, err
	}
	return s.UserByID(ctx, userID)
}
