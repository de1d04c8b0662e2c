package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
)

// FlagAction is what a moderator does with a flag.
type FlagAction string

// Flag actions.
const (
	FlagDismiss  FlagAction = "dismiss"
	FlagHidePost FlagAction = "hide_post"
	FlagLock     FlagAction = "lock_thread"
	FlagSuspend  FlagAction = "suspend_author"
)

// FlagActions lists the actions in the order the queue offers them.
var FlagActions = []FlagAction{FlagDismiss, FlagHidePost, FlagLock, FlagSuspend}

// Flag is a report on a post, with what the queue shows about it.
type Flag struct {
	ID           int64     `db:"id"`
	PostID       int64     `db:"post_id"`
	ReporterID   int64     `db:"reporter_id"`
	ReporterName string    `db:"reporter_name"`
	Reason       string    `db:"reason"`
	CreatedAt    time.Time `db:"created_at"`
	ThreadID     int64     `db:"thread_id"`
	ThreadTitle  string    `db:"thread_title"`
	PostBody     string    `db:"post_body"`
	AuthorID     int64     `db:"author_id"`
	AuthorName   string    `db:"author_name"`
	// AuthorOrg and AuthorOrgKind are the post's organisation; Attribution
	// is its thread's mode, so that the server can attribute the post.
	AuthorOrg     string      `db:"author_org"`
	AuthorOrgKind OrgKind     `db:"author_org_kind"`
	Attribution   Attribution `db:"attribution"`
}

// FlagPost records a report. A person has at most one open flag per post (ErrConflict).
func (s *Store) FlagPost(ctx context.Context, reporter *User, postID int64, reason string) error {
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		var n int
		if err := s.get(ctx, tx, &n, `SELECT count(*) FROM posts WHERE id = ? AND deleted_at IS NULL AND hidden_at IS NULL`, postID); err != nil {
			return fmt.Errorf("flag: %w", err)
		}
		if n == 0 {
			return fmt.Errorf("flag: %w", ErrNotFound)
		}
		if err := s.get(ctx, tx, &n, `SELECT count(*) FROM flags WHERE post_id = ? AND reporter_id = ? AND resolved_at IS NULL`, postID, reporter.ID); err != nil {
			return fmt.Errorf("flag: %w", err)
		}
		if n > 0 {
			return fmt.Errorf("flag: %w", ErrConflict)
		}
		flagID, err := s.insert(ctx, tx, `INSERT INTO flags (post_id, reporter_id, reason, created_at) VALUES (?, ?, ?, ?)`, postID, reporter.ID, reason, s.now())
		if err != nil {
			return fmt.Errorf("flag: %w", err)
		}
		var threadID int64
		if err := s.get(ctx, tx, &threadID, `SELECT thread_id FROM posts WHERE id = ?`, postID); err != nil {
			return fmt.Errorf("flag: %w", err)
		}
		return s.notifyModerators(ctx, tx, NotifyNewFlag, reporter.ID, threadID, postID, flagID)
	})
}

// OpenFlags lists unresolved flags, oldest first.
func (s *Store) OpenFlags(ctx context.Context) ([]Flag, error) {
	var out []Flag
	if err := s.selectAll(ctx, s.db, &out, `SELECT f.id, f.post_id, f.reporter_id, r.name AS reporter_name, f.reason, f.created_at,
		p.thread_id, t.title AS thread_title, p.body AS post_body, p.author_id, a.name AS author_name,
		o.name AS author_org, o.kind AS author_org_kind, t.attribution
		FROM flags f JOIN posts p ON p.id = f.post_id JOIN threads t ON t.id = p.thread_id
		JOIN users r ON r.id = f.reporter_id JOIN users a ON a.id = p.author_id JOIN organisations o ON o.id = p.organisation_id
		WHERE f.resolved_at IS NULL ORDER BY f.created_at, f.id`); err != nil {
		return nil, fmt.Errorf("open flags: %w", err)
	}
	return out, nil
}

// ResolveFlag carries out a moderator's decision on a flag, and closes every
// open flag on the same post with it, in one transaction with its audit entry.
func (s *Store) ResolveFlag(ctx context.Context, actor *User, flagID int64, action FlagAction) error {
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		var f struct {
			PostID   int64 `db:"post_id"`
			ThreadID int64 `db:"thread_id"`
			AuthorID int64 `db:"author_id"`
		}
		if err := s.get(ctx, tx, &f, `SELECT f.post_id, p.thread_id, p.author_id FROM flags f JOIN posts p ON p.id = f.post_id
			WHERE f.id = ? AND f.resolved_at IS NULL`, flagID); err != nil {
			return fmt.Errorf("resolve flag: %w", err)
		}
		now := s.now()
		switch action {
		case FlagDismiss:
		case FlagHidePost:
			if _, err := s.exec(ctx, tx, `UPDATE posts SET hidden_at = ?, hidden_by = ? WHERE id = ?`, now, actor.ID, f.PostID); err != nil {
				return fmt.Errorf("hide post: %w", err)
			}
			if err := s.emit(ctx, tx, fmt.Sprintf("thread:%d", f.ThreadID), "post.deleted", map[string]any{"post_id": f.PostID, "thread_id": f.ThreadID}); err != nil {
				return err
			}
		case FlagLock:
			if _, err := s.exec(ctx, tx, `UPDATE threads SET locked = ?, updated_at = ? WHERE id = ?`, true, now, f.ThreadID); err != nil {
				return fmt.Errorf("lock thread: %w", err)
			}
			if err := s.emit(ctx, tx, fmt.Sprintf("thread:%d", f.ThreadID), "thread.updated", map[string]any{"thread_id": f.ThreadID}); err != nil {
				return err
			}
		case FlagSuspend:
			if _, err := s.exec(ctx, tx, `UPDATE users SET status = 'suspended', updated_at = ? WHERE id = ?`, now, f.AuthorID); err != nil {
				return fmt.Errorf("suspend author: %w", err)
			}
			if _, err := s.exec(ctx, tx, `DELETE FROM sessions WHERE user_id = ?`, f.AuthorID); err != nil {
				return fmt.Errorf("suspend author: %w", err)
			}
			if err := s.accountChanged(ctx, tx, f.AuthorID); err != nil {
				return err
			}
		default:
			return fmt.Errorf("flag action %q: %w", action, ErrNotFound)
		}
		if err := s.notifyUsers(ctx, tx, NotifyFlagHandled, ptr(actor.ID), ptr(f.ThreadID), ptr(f.PostID), ptr(flagID),
			`SELECT reporter_id AS user_id FROM flags WHERE post_id = ? AND resolved_at IS NULL`, f.PostID); err != nil {
			return err
		}
		if _, err := s.exec(ctx, tx, `UPDATE flags SET resolved_at = ?, resolved_by = ?, resolution = ? WHERE post_id = ? AND resolved_at IS NULL`,
			now, actor.ID, action, f.PostID); err != nil {
			return fmt.Errorf("resolve flag: %w", err)
		}
		return s.audit(ctx, tx, AuditEntry{ActorID: actor.ID, Action: "flag." + string(action), TargetType: "post", TargetID: f.PostID,
			After: map[string]any{"flag_id": flagID, "author_id": f.AuthorID}})
	})
}

// SetPostHidden hides a post by moderation, or shows it again.
func (s *Store) SetPostHidden(ctx context.Context, actor *User, postID int64, hidden bool) error {
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		var threadID int64
		if err := s.get(ctx, tx, &threadID, `SELECT thread_id FROM posts WHERE id = ?`, postID); err != nil {
			return fmt.Errorf("hide post: %w", err)
		}
		var at, by any
		typ := "post.updated"
		if hidden {
			at, by, typ = s.now(), actor.ID, "post.deleted"
		}
		if _, err := s.exec(ctx, tx, `UPDATE posts SET hidden_at = ?, hidden_by = ? WHERE id = ?`, at, by, postID); err != nil {
			return fmt.Errorf("hide post: %w", err)
		}
		if err := s.audit(ctx, tx, AuditEntry{ActorID: actor.ID, Action: "post.hide", TargetType: "post", TargetID: postID,
			Before: map[string]any{"hidden": !hidden}, After: map[string]any{"hidden": hidden}}); err != nil {
			return err
		}
		return s.emit(ctx, tx, fmt.Sprintf("thread:%d", threadID), typ, map[string]any{"post_id": postID, "thread_id": threadID})
	})
}
