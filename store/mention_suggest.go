package store

import (
	"context"
	"fmt"
	"strings"
)

// MentionQuery is what the editor asks when someone types "@" and a few letters.
type MentionQuery struct {
	// Text is what follows the "@"; empty lists people without filtering.
	Text string
	// ThreadID is the thread being answered; 0 for a new thread.
	ThreadID int64
	// WriterID is the person typing, never suggested to themselves.
	WriterID int64
	// HandlesOnly is for a writer under the Chatham House rule: people are
	// matched by handle alone, and only those whose handle the forum already
	// shows the writer: authors named in a thread not under the rule, and
	// people mentioned in a post. Nobody is ranked by having written in the
	// thread, which would tell who spoke under the rule.
	HandlesOnly bool
	// WithoutOrganisation leaves organisations out of the matching, for a
	// thread in personal capacity, whose names come without them.
	WithoutOrganisation bool
	// Limit caps the answer (1–20, default 8).
	Limit int
}

// MentionCandidate is a person the editor may suggest. The server decides
// which of the fields the writer is shown.
type MentionCandidate struct {
	ID      int64   `db:"id"`
	Handle  string  `db:"handle"`
	Name    string  `db:"name"`
	OrgName string  `db:"org_name"`
	OrgKind OrgKind `db:"org_kind"`
	// InThread: the person has a visible post in the thread (never set with HandlesOnly).
	InThread bool `db:"in_thread"`
}

// visiblePost is the condition for a post anyone in the forum may read, on alias p.
const visiblePost = `p.deleted_at IS NULL AND p.hidden_at IS NULL`

// SuggestMentions lists people who may read the forum, and so the thread,
// matching q: by handle, name or organisation (by handle alone with
// HandlesOnly), those who wrote in the thread first, then handles that
// start with the text, then by name.
func (s *Store) SuggestMentions(ctx context.Context, q MentionQuery) ([]MentionCandidate, error) {
	if q.Limit <= 0 || q.Limit > 20 {
		q.Limit = 8
	}
	text := strings.ToLower(strings.TrimSpace(q.Text))
	contains := likePattern(text)
	prefix := strings.TrimSuffix(contains, "%")[1:] + "%"
	var w where
	w.add(`u.status = 'active' AND u.role IN ('business', 'member', 'moderator', 'admin') AND u.handle <> '' AND u.id <> ?`, q.WriterID)
	inThread := `0`
	var inThreadArgs []any
	if q.HandlesOnly {
		w.add(`u.handle LIKE ? ESCAPE '\'`, contains)
		w.add(`(EXISTS (SELECT 1 FROM posts p JOIN threads t ON t.id = p.thread_id
				WHERE p.author_id = u.id AND `+visiblePost+` AND t.hidden = ? AND t.attribution <> 'chatham')
			OR EXISTS (SELECT 1 FROM post_mentions m JOIN posts p ON p.id = m.post_id JOIN threads t ON t.id = p.thread_id
				WHERE m.user_id = u.id AND `+visiblePost+` AND t.hidden = ?))`, false, false)
	} else {
		switch {
		case text == "":
		case q.WithoutOrganisation:
			w.add(`(u.handle LIKE ? ESCAPE '\' OR lower(u.name) LIKE ? ESCAPE '\')`, contains, contains)
		default:
			w.add(`(u.handle LIKE ? ESCAPE '\' OR lower(u.name) LIKE ? ESCAPE '\' OR o.name_key LIKE ? ESCAPE '\')`, contains, contains, contains)
		}
		if q.ThreadID != 0 {
			inThread = `CASE WHEN EXISTS (SELECT 1 FROM posts p WHERE p.thread_id = ? AND p.author_id = u.id AND ` + visiblePost + `) THEN 1 ELSE 0 END`
			inThreadArgs = []any{q.ThreadID}
		}
	}
	cond, args := w.sql()
	query := `SELECT u.id, u.handle, u.name, o.name AS org_name, o.kind AS org_kind, ` + inThread + ` AS in_thread
		FROM users u JOIN organisations o ON o.id = u.organisation_id` + cond + `
		ORDER BY in_thread DESC, CASE WHEN u.handle LIKE ? ESCAPE '\' THEN 0 ELSE 1 END, lower(u.name), u.id LIMIT ?`
	all := append(append(inThreadArgs, args...), prefix, q.Limit)
	var out []MentionCandidate
	if err := s.selectAll(ctx, s.db, &out, query, all...); err != nil {
		return nil, fmt.Errorf("suggest mentions: %w", err)
	}
	return out, nil
}
