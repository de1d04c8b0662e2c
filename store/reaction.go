package store

import (
	"context"
	"fmt"

	"github.com/jmoiron/sqlx"
)

// ToggleUseful marks a post useful for a person, or takes the mark back.
// It returns whether the mark is now set.
func (s *Store) ToggleUseful(ctx context.Context, u *User, postID int64) (bool, error) {
	var set bool
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		var threadID int64
		if err := s.get(ctx, tx, &threadID, `SELECT thread_id FROM posts WHERE id = ? AND deleted_at IS NULL AND hidden_at IS NULL`, postID); err != nil {
			return fmt.Errorf("useful: %w", err)
		}
		n, err := s.exec(ctx, tx, `DELETE FROM reactions WHERE post_id = ? AND user_id = ? AND kind = 'useful'`, postID, u.ID)
		if err != nil {
			return fmt.Errorf("useful: %w", err)
		}
		if n == 0 {
			// Two clicks of one person at once (two tabs, a page and a
			// script) both find nothing to take back; the second insert
			// then meets the first's row and leaves it: the post is marked,
			// as both asked.
			if _, err := s.exec(ctx, tx, `INSERT INTO reactions (post_id, user_id, kind, created_at) VALUES (?, ?, 'useful', ?)
				ON CONFLICT (post_id, user_id, kind) DO NOTHING`, postID, u.ID, s.now()); err != nil {
				return fmt.Errorf("useful: %w", err)
			}
			set = true
		}
		err = s.emit(ctx, tx, fmt.Sprintf("thread:%d", threadID), "post.updated", map[string]any{"post_id": postID, "thread_id": threadID})
		return err
	})
	return set, err
}
