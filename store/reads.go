package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/jmoiron/sqlx"
)

// MarkRead moves a person's read position in a thread forward to postID (never
// back), counts them as a viewer the first time, and records that their
// organisation has seen the thread, for the challenge's coverage.
func (s *Store) MarkRead(ctx context.Context, u *User, threadID, postID int64) error {
	// Most views are of posts already read: a read answers them without
	// a write transaction, which SQLite would have taken one at a time.
	var known struct {
		LastRead sql.NullInt64 `db:"last_read"`
		OrgRead  bool          `db:"org_read"`
	}
	if err := s.get(ctx, s.db, &known, `SELECT `+readStateSQL, u.ID, threadID, threadID, u.OrganisationID); err != nil {
		return fmt.Errorf("mark read: %w", err)
	}
	return s.MarkReadAfter(ctx, u, &ThreadReader{LastRead: known.LastRead.Int64, OrgRead: known.OrgRead}, threadID, postID)
}

// readStateSQL is a reader's position in a thread (last_read, NULL when
// none) and whether their organisation has read it (org_read); its
// arguments are the user, the thread, the thread and the organisation.
const readStateSQL = `(SELECT last_read_post_id FROM thread_reads WHERE user_id = ? AND thread_id = ?) AS last_read,
		EXISTS (SELECT 1 FROM thread_org_reads WHERE thread_id = ? AND organisation_id = ?) AS org_read`

// advanceRead writes what MarkReadAfter found missing.
func (s *Store) advanceRead(ctx context.Context, u *User, threadID, postID int64) error {
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		now := s.now()
		n, err := s.exec(ctx, tx, `UPDATE thread_reads SET last_read_post_id = ?, read_at = ? WHERE user_id = ? AND thread_id = ? AND last_read_post_id < ?`,
			postID, now, u.ID, threadID, postID)
		if err != nil {
			return fmt.Errorf("mark read: %w", err)
		}
		if n == 0 {
			inserted, err := s.exec(ctx, tx, `INSERT INTO thread_reads (user_id, thread_id, last_read_post_id, read_at) VALUES (?, ?, ?, ?)
				ON CONFLICT (user_id, thread_id) DO NOTHING`, u.ID, threadID, postID, now)
			if err != nil {
				return fmt.Errorf("mark read: %w", err)
			}
			if inserted == 1 {
				if _, err := s.exec(ctx, tx, `UPDATE threads SET view_count = view_count + 1 WHERE id = ?`, threadID); err != nil {
					return fmt.Errorf("mark read: %w", err)
				}
			}
		}
		if _, err := s.exec(ctx, tx, `INSERT INTO thread_org_reads (thread_id, organisation_id, first_read_at) VALUES (?, ?, ?)
			ON CONFLICT (thread_id, organisation_id) DO NOTHING`, threadID, u.OrganisationID, now); err != nil {
			return fmt.Errorf("mark read: %w", err)
		}
		return nil
	})
}

// Coverage says which member delegations have read a challenge and which have replied to it.
type Coverage struct {
	ReadBy     []Organisation
	AnsweredBy []Organisation
}

// ThreadCoverage lists the delegations (organisations of kind member) that
// read the thread and those with a reply still shown in it.
func (s *Store) ThreadCoverage(ctx context.Context, threadID int64) (*Coverage, error) {
	var c Coverage
	if err := s.selectAll(ctx, s.db, &c.ReadBy, `SELECT `+orgColumns+` FROM organisations WHERE kind = 'member'
		AND id IN (SELECT organisation_id FROM thread_org_reads WHERE thread_id = ?) ORDER BY name_key`, threadID); err != nil {
		return nil, fmt.Errorf("coverage: %w", err)
	}
	if err := s.selectAll(ctx, s.db, &c.AnsweredBy, `SELECT `+orgColumns+` FROM organisations WHERE kind = 'member'
		AND id IN (SELECT organisation_id FROM posts WHERE thread_id = ? AND deleted_at IS NULL AND hidden_at IS NULL
		AND id <> (SELECT MIN(id) FROM posts WHERE thread_id = ?)) ORDER BY name_key`, threadID, threadID); err != nil {
		return nil, fmt.Errorf("coverage: %w", err)
	}
	return &c, nil
}

// ReadPosition is the last post a person has read in a thread (0 when none).
func (s *Store) ReadPosition(ctx context.Context, userID, threadID int64) (int64, error) {
	var id int64
	err := s.get(ctx, s.db, &id, `SELECT last_read_post_id FROM thread_reads WHERE user_id = ? AND thread_id = ?`, userID, threadID)
	if isNoRows(err) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("read position: %w", err)
	}
	return id, nil
}
