package store

import (
	"context"

	"github.com/jmoiron/sqlx"
)

// SetPasswordFor is SetPassword done to someone else's account (from the
// command line): no session is kept, and the audit log records who did it,
// never the password.
func (s *Store) SetPasswordFor(ctx context.Context, actorID, userID int64, hash string) error {
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		if err := s.setPassword(ctx, tx, userID, hash, ""); err != nil {
			return err
		}
		return s.audit(ctx, tx, AuditEntry{ActorID: actorID, Action: "user.password", TargetType: "user", TargetID: userID,
			After: map[string]any{"sessions": "ended", "api_tokens": "revoked"}})
	})
}
