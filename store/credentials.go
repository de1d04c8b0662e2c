package store

import (
	"context"
	"fmt"

	"github.com/jmoiron/sqlx"
)

// Credential is how a long-lived connection signed in: a session id or an
// API token, both as stored hashes.
type Credential struct {
	SessionID string
	TokenHash string
}

// CheckCredentials returns, for each credential still valid, the account's
// current state, in a few queries whatever their number: live connections
// ask this every few seconds, so that a sign-out, a revoked token or a
// suspension ends them quickly. Missing from the map means no longer valid.
func (s *Store) CheckCredentials(ctx context.Context, creds []Credential) (map[Credential]*User, error) {
	var sessions, tokens []string
	for _, c := range creds {
		if c.SessionID != "" {
			sessions = append(sessions, c.SessionID)
		} else if c.TokenHash != "" {
			tokens = append(tokens, c.TokenHash)
		}
	}
	owners := map[Credential]int64{}
	type row struct {
		Key    string `db:"k"`
		UserID int64  `db:"user_id"`
	}
	lookup := func(query string, keys []string, cred func(string) Credential, more ...any) error {
		for start := 0; start < len(keys); start += inListChunk {
			q, args, err := sqlx.In(query, append([]any{keys[start:min(start+inListChunk, len(keys))]}, more...)...)
			if err != nil {
				return err
			}
			var rows []row
			if err := s.selectAll(ctx, s.db, &rows, q, args...); err != nil {
				return err
			}
			for _, r := range rows {
				owners[cred(r.Key)] = r.UserID
			}
		}
		return nil
	}
	if err := lookup(`SELECT id AS k, user_id FROM sessions WHERE id IN (?) AND expires_at > ?`, sessions,
		func(k string) Credential { return Credential{SessionID: k} }, s.now()); err != nil {
		return nil, fmt.Errorf("check credentials: %w", err)
	}
	if err := lookup(`SELECT token_hash AS k, user_id FROM api_tokens WHERE token_hash IN (?) AND revoked_at IS NULL`, tokens,
		func(k string) Credential { return Credential{TokenHash: k} }); err != nil {
		return nil, fmt.Errorf("check credentials: %w", err)
	}
	users, err := s.usersByID(ctx, owners)
	if err != nil {
		return nil, fmt.Errorf("check credentials: %w", err)
	}
	out := make(map[Credential]*User, len(owners))
	for c, id := range owners {
		if u := users[id]; u != nil && u.Status != StatusSuspended && (c.TokenHash == "" || u.Active()) {
			out[c] = u
		}
	}
	return out, nil
}

func (s *Store) usersByID(ctx context.Context, owners map[Credential]int64) (map[int64]*User, error) {
	seen := map[int64]bool{}
	var ids []int64
	for _, id := range owners {
		if !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	users := make(map[int64]*User, len(ids))
	for start := 0; start < len(ids); start += inListChunk {
		q, args, err := sqlx.In(userSelect+` WHERE u.id IN (?)`, ids[start:min(start+inListChunk, len(ids))])
		if err != nil {
			return nil, err
		}
		var list []User
		if err := s.selectAll(ctx, s.db, &list, q, args...); err != nil {
			return nil, err
		}
		for i := range list {
			users[list[i].ID] = &list[i]
		}
	}
	return users, nil
}
