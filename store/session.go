package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
)

// Session is a signed-in browser. Its ID is the hash of the cookie's token,
// so that a copy of the table does not let anyone sign in.
type Session struct {
	ID         string    `db:"id"`
	UserID     int64     `db:"user_id"`
	CreatedAt  time.Time `db:"created_at"`
	ExpiresAt  time.Time `db:"expires_at"`
	LastSeenAt time.Time `db:"last_seen_at"`
}

// CreateSession stores a new session for userID.
func (s *Store) CreateSession(ctx context.Context, id string, userID int64, ttl time.Duration, ip, userAgent string) error {
	now := s.now()
	if len(userAgent) > 255 {
		userAgent = userAgent[:255]
	}
	_, err := s.exec(ctx, s.db, `INSERT INTO sessions (id, user_id, created_at, expires_at, last_seen_at, ip, user_agent)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, id, userID, now, now.Add(ttl), now, ip, userAgent)
	if err != nil {
		return fmt.Errorf("create session: %w", err)
	}
	return nil
}

// SessionUser returns the live session with that id and its account. An
// expired session, or one whose account is suspended, gives ErrNotFound.
func (s *Store) SessionUser(ctx context.Context, id string) (*Session, *User, error) {
	gen, now := s.credentialGen(), s.now()
	if e, ok := s.credentials.get("session "+id, gen, now); ok && e.session.ExpiresAt.After(now) {
		return &e.session, &e.user, nil
	}
	// The session and its account in one query: every page starts here.
	var row struct {
		User
		SessionID         string    `db:"session_id"`
		SessionCreatedAt  time.Time `db:"session_created_at"`
		SessionExpiresAt  time.Time `db:"session_expires_at"`
		SessionLastSeenAt time.Time `db:"session_last_seen_at"`
	}
	err := s.get(ctx, s.db, &row, `SELECT `+userColumns+`, s.id AS session_id, s.created_at AS session_created_at,
		s.expires_at AS session_expires_at, s.last_seen_at AS session_last_seen_at
		FROM sessions s JOIN users u ON u.id = s.user_id JOIN organisations o ON o.id = u.organisation_id
		WHERE s.id = ? AND s.expires_at > ?`, id, now)
	if err != nil {
		return nil, nil, fmt.Errorf("session: %w", err)
	}
	u := &row.User
	if u.Status == StatusSuspended {
		return nil, nil, fmt.Errorf("session: %w", ErrNotFound)
	}
	sess := &Session{ID: row.SessionID, UserID: u.ID, CreatedAt: row.SessionCreatedAt, ExpiresAt: row.SessionExpiresAt, LastSeenAt: row.SessionLastSeenAt}
	s.credentials.put("session "+id, cachedCredential{user: *u, session: *sess, gen: gen, expiry: now.Add(credentialCacheTTL)})
	return sess, u, nil
}

// TouchSession slides the session's expiry; callers throttle it.
func (s *Store) TouchSession(ctx context.Context, id string, ttl time.Duration) error {
	now := s.now()
	if _, err := s.exec(ctx, s.db, `UPDATE sessions SET last_seen_at = ?, expires_at = ? WHERE id = ?`, now, now.Add(ttl), id); err != nil {
		return fmt.Errorf("touch session: %w", err)
	}
	if _, err := s.exec(ctx, s.db, `UPDATE users SET last_seen_at = ? WHERE id = (SELECT user_id FROM sessions WHERE id = ?)`, now, id); err != nil {
		return fmt.Errorf("touch session: %w", err)
	}
	return nil
}

// DeleteSession ends one session.
func (s *Store) DeleteSession(ctx context.Context, id string) error {
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		var userID int64
		err := s.get(ctx, tx, &userID, `DELETE FROM sessions WHERE id = ? RETURNING user_id`, id)
		if isNoRows(err) {
			return nil
		}
		if err != nil {
			return err
		}
		return s.accountChanged(ctx, tx, userID)
	})
	if err != nil {
		return fmt.Errorf("delete session: %w", err)
	}
	return nil
}

// PurgeExpired removes sessions and one-time links that can no longer be used.
func (s *Store) PurgeExpired(ctx context.Context) error {
	now := s.now()
	for _, q := range []string{
		`DELETE FROM sessions WHERE expires_at <= ?`,
		`DELETE FROM password_resets WHERE expires_at <= ?`,
	} {
		if _, err := s.exec(ctx, s.db, q, now); err != nil {
			return fmt.Errorf("purge expired: %w", err)
		}
	}
	return nil
}
