package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
)

// APIToken is a personal token for the JSON API and the websocket. Only its
// hash is stored; the plain token is shown once, when it is made.
type APIToken struct {
	ID         int64      `db:"id" json:"id"`
	UserID     int64      `db:"user_id" json:"-"`
	Name       string     `db:"name" json:"name"`
	CreatedAt  time.Time  `db:"created_at" json:"created_at"`
	LastUsedAt *time.Time `db:"last_used_at" json:"last_used_at"`
	RevokedAt  *time.Time `db:"revoked_at" json:"revoked_at"`
}

// CreateAPIToken stores a token hash for userID under a name of the person's choosing.
func (s *Store) CreateAPIToken(ctx context.Context, userID int64, name, hash string) (*APIToken, error) {
	t := APIToken{UserID: userID, Name: strings.TrimSpace(name), CreatedAt: s.now()}
	id, err := s.insert(ctx, s.db, `INSERT INTO api_tokens (user_id, name, token_hash, created_at) VALUES (?, ?, ?, ?)`,
		userID, t.Name, hash, t.CreatedAt)
	if err != nil {
		return nil, fmt.Errorf("create api token: %w", err)
	}
	t.ID = id
	return &t, nil
}

// APITokens lists a person's tokens, live ones first.
func (s *Store) APITokens(ctx context.Context, userID int64) ([]APIToken, error) {
	var out []APIToken
	err := s.selectAll(ctx, s.db, &out, `SELECT id, user_id, name, created_at, last_used_at, revoked_at FROM api_tokens
		WHERE user_id = ? ORDER BY (revoked_at IS NULL) DESC, created_at DESC, id DESC`, userID)
	if err != nil {
		return nil, fmt.Errorf("api tokens: %w", err)
	}
	return out, nil
}

// RevokeAPIToken revokes one of userID's tokens.
func (s *Store) RevokeAPIToken(ctx context.Context, userID, tokenID int64) error {
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		n, err := s.exec(ctx, tx, `UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND user_id = ? AND revoked_at IS NULL`,
			s.now(), tokenID, userID)
		if err != nil {
			return fmt.Errorf("revoke api token: %w", err)
		}
		if n == 0 {
			return fmt.Errorf("revoke api token: %w", ErrNotFound)
		}
		return s.accountChanged(ctx, tx, userID)
	})
}

// revokeAPITokens revokes every live token of userID, in tx; the caller
// tells the account's live connections (accountChanged).
func (s *Store) revokeAPITokens(ctx context.Context, tx *sqlx.Tx, userID int64) error {
	if _, err := s.exec(ctx, tx, `UPDATE api_tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL`, s.now(), userID); err != nil {
		return fmt.Errorf("revoke api tokens: %w", err)
	}
	return nil
}

// UserByAPIToken returns the active account behind a live token hash.
func (s *Store) UserByAPIToken(ctx context.Context, hash string) (*User, error) {
	gen, now := s.credentialGen(), s.now()
	if e, ok := s.credentials.get("token "+hash, gen, now); ok {
		return &e.user, nil
	}
	// The token and its account in one query: every API call starts here.
	var t struct {
		User
		TokenID    int64      `db:"token_id"`
		LastUsedAt *time.Time `db:"token_last_used_at"`
	}
	err := s.get(ctx, s.db, &t, `SELECT `+userColumns+`, t.id AS token_id, t.last_used_at AS token_last_used_at
		FROM api_tokens t JOIN users u ON u.id = t.user_id JOIN organisations o ON o.id = u.organisation_id
		WHERE t.token_hash = ? AND t.revoked_at IS NULL`, hash)
	if err != nil {
		return nil, fmt.Errorf("api token: %w", err)
	}
	u := &t.User
	if !u.Active() {
		return nil, fmt.Errorf("api token: %w", ErrNotFound)
	}
	// Recorded at most once a minute so that busy clients do not write on
	// every call (nor even ask the database to). A call that records it
	// writes, so what it read is kept from the next call on.
	if t.LastUsedAt != nil && t.LastUsedAt.After(now.Add(-time.Minute)) {
		s.credentials.put("token "+hash, cachedCredential{user: *u, gen: gen, expiry: now.Add(credentialCacheTTL)})
		return u, nil
	}
	if _, err := s.exec(ctx, s.db, `UPDATE api_tokens SET last_used_at = ? WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)`,
		now, t.TokenID, now.Add(-time.Minute)); err != nil {
		return nil, fmt.Errorf("api token: %w", err)
	}
	return u, nil
}
