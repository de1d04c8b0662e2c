package store

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
)

// ThreadReader is what one person's view of a thread page holds of their
// own, read in one statement: a busy thread's page asked the database six
// times per reader for these, which cost more than drawing the page.
// Being one statement, it is one consistent reading on either engine.
type ThreadReader struct {
	// ThreadSeq is where the thread's live topic stood, read before the
	// thread itself, so that the page asks for everything after it.
	ThreadSeq int64
	// UserSeq is where the person's live topic stood when Unread was counted.
	UserSeq int64
	Unread  int
	// LastRead is the last post they read in the thread (0 when none);
	// OrgRead, that their organisation counts as having seen it.
	LastRead int64
	OrgRead  bool
	Watch    string         // "", "watch" or "mute"
	Useful   map[int64]bool // the thread's posts they marked useful
}

// ReadThreadReader reads what u's page of thread threadID holds of u's own.
func (s *Store) ReadThreadReader(ctx context.Context, u *User, threadID int64) (*ThreadReader, error) {
	agg := "group_concat(r.post_id, ',')"
	if s.dialect.name() == "postgres" {
		agg = "string_agg(CAST(r.post_id AS TEXT), ',')"
	}
	var row struct {
		ThreadSeq sql.NullInt64  `db:"thread_seq"`
		UserSeq   sql.NullInt64  `db:"user_seq"`
		Unread    int            `db:"unread"`
		LastRead  sql.NullInt64  `db:"last_read"`
		OrgRead   bool           `db:"org_read"`
		Watch     sql.NullString `db:"watch"`
		Useful    sql.NullString `db:"useful"`
	}
	err := s.get(ctx, s.db, &row, `SELECT
		(SELECT last_seq FROM topic_seqs WHERE topic = ?) AS thread_seq,
		(SELECT last_seq FROM topic_seqs WHERE topic = ?) AS user_seq,
		(`+unreadSQL+`) AS unread,
		`+readStateSQL+`,
		(SELECT level FROM watches WHERE user_id = ? AND target_type = 'thread' AND target_id = ?) AS watch,
		(SELECT `+agg+` FROM reactions r JOIN posts p ON p.id = r.post_id
			WHERE r.user_id = ? AND p.thread_id = ? AND r.kind = 'useful') AS useful`,
		fmt.Sprintf("thread:%d", threadID), fmt.Sprintf("user:%d", u.ID), u.ID, u.ID, threadID,
		threadID, u.OrganisationID, u.ID, threadID, u.ID, threadID)
	if err != nil {
		return nil, fmt.Errorf("thread reader: %w", err)
	}
	tr := &ThreadReader{ThreadSeq: row.ThreadSeq.Int64, UserSeq: row.UserSeq.Int64, Unread: row.Unread,
		LastRead: row.LastRead.Int64, OrgRead: row.OrgRead, Watch: row.Watch.String, Useful: map[int64]bool{}}
	if row.Useful.String != "" {
		for _, f := range strings.Split(row.Useful.String, ",") {
			id, err := strconv.ParseInt(f, 10, 64)
			if err != nil {
				return nil, fmt.Errorf("thread reader: useful mark %q: %w", f, err)
			}
			tr.Useful[id] = true
		}
	}
	return tr, nil
}

// MarkReadAfter is MarkRead for a reader whose position tr already holds:
// most views are of posts already read, and then nothing is asked again.
func (s *Store) MarkReadAfter(ctx context.Context, u *User, tr *ThreadReader, threadID, postID int64) error {
	if tr.LastRead >= postID && tr.OrgRead {
		return nil
	}
	return s.advanceRead(ctx, u, threadID, postID)
}
