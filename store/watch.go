package store

import (
	"context"
	"fmt"

	"github.com/jmoiron/sqlx"
)

// Watch levels: watching brings notifications, muting silences a thread of a watched theme.
const (
	Watching = "watch"
	Muted    = "mute"
)

// SetWatch sets a person's level on a thread or theme ("watch", "mute"),
// or removes it when level is empty.
func (s *Store) SetWatch(ctx context.Context, userID int64, targetType string, targetID int64, level string) error {
	if targetType != "thread" && targetType != "theme" {
		return fmt.Errorf("watch %s: %w", targetType, ErrNotFound)
	}
	if _, err := s.exec(ctx, s.db, `DELETE FROM watches WHERE user_id = ? AND target_type = ? AND target_id = ?`, userID, targetType, targetID); err != nil {
		return fmt.Errorf("watch: %w", err)
	}
	if level == "" {
		return nil
	}
	if level != Watching && level != Muted {
		return fmt.Errorf("watch level %q: %w", level, ErrNotFound)
	}
	if _, err := s.exec(ctx, s.db, `INSERT INTO watches (user_id, target_type, target_id, level, created_at) VALUES (?, ?, ?, ?, ?)`,
		userID, targetType, targetID, level, s.now()); err != nil {
		return fmt.Errorf("watch: %w", err)
	}
	return nil
}

// WatchLevel is a person's level on a thread or theme ("" when none).
func (s *Store) WatchLevel(ctx context.Context, userID int64, targetType string, targetID int64) (string, error) {
	var level string
	err := s.get(ctx, s.db, &level, `SELECT level FROM watches WHERE user_id = ? AND target_type = ? AND target_id = ?`, userID, targetType, targetID)
	if isNoRows(err) {
		return "", nil
	}
	return level, err
}

// MoveThread puts a thread in another theme.
func (s *Store) MoveThread(ctx context.Context, actorID, threadID, themeID int64) error {
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		var from int64
		if err := s.get(ctx, tx, &from, `SELECT theme_id FROM threads WHERE id = ?`, threadID); err != nil {
			return fmt.Errorf("move thread: %w", err)
		}
		var n int
		if err := s.get(ctx, tx, &n, `SELECT count(*) FROM themes WHERE id = ? AND archived = ?`, themeID, false); err != nil {
			return fmt.Errorf("move thread: %w", err)
		}
		if n == 0 {
			return fmt.Errorf("move thread: theme: %w", ErrNotFound)
		}
		if _, err := s.exec(ctx, tx, `UPDATE threads SET theme_id = ?, updated_at = ? WHERE id = ?`, themeID, s.now(), threadID); err != nil {
			return fmt.Errorf("move thread: %w", err)
		}
		if err := s.audit(ctx, tx, AuditEntry{ActorID: actorID, Action: "thread.move", TargetType: "thread", TargetID: threadID,
			Before: map[string]any{"theme_id": from}, After: map[string]any{"theme_id": themeID}}); err != nil {
			return err
		}
		for _, topic := range []string{fmt.Sprintf("thread:%d", threadID), fmt.Sprintf("theme:%d", from), fmt.Sprintf("theme:%d", themeID), "forum"} {
			if err := s.emit(ctx, tx, topic, "thread.updated", map[string]any{"thread_id": threadID, "theme_id": themeID}); err != nil {
				return err
			}
		}
		return nil
	})
}
