package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
)

// ErrTransition is returned for a status change the lifecycle does not allow.
var ErrTransition = errors.New("status change not allowed")

// CanTransition says whether a challenge may go from one status to another,
// and by whom: the author may accept an answer (or take the acceptance
// back); moderators may do that and also refer, close and reopen.
func CanTransition(from, to ChallengeStatus, isAuthor, isModerator bool) bool {
	switch {
	case from == StatusOpen && to == StatusAnswered, from == StatusAnswered && to == StatusOpen:
		return isAuthor || isModerator
	case to == StatusReferred:
		return isModerator && (from == StatusOpen || from == StatusAnswered)
	case to == StatusClosed:
		return isModerator && from != StatusClosed
	case from == StatusClosed && to == StatusOpen:
		return isModerator
	}
	return false
}

// StatusChange is one step of a challenge's history.
type StatusChange struct {
	ID         int64           `db:"id"`
	From       ChallengeStatus `db:"from_status"`
	To         ChallengeStatus `db:"to_status"`
	ActorID    int64           `db:"actor_id"`
	ActorName  string          `db:"actor_name"`
	Note       string          `db:"note"`
	EventID    *int64          `db:"event_id"`
	DocumentID *int64          `db:"document_id"`
	CreatedAt  time.Time       `db:"created_at"`
}

// StatusRequest asks for a status change. Answered needs the accepted post;
// referred needs an event or a document of the working group.
type StatusRequest struct {
	To             ChallengeStatus
	AcceptedPostID int64
	EventID        int64
	DocumentID     int64
	Note           string
}

// ErrReferralTarget is returned when a referral names no event or document, or an unknown one.
var ErrReferralTarget = errors.New("a referral needs an existing event or document")

// ChangeChallengeStatus moves a challenge through its lifecycle and records
// the step, its audit entry and its event in one transaction.
func (s *Store) ChangeChallengeStatus(ctx context.Context, actor *User, threadID int64, req StatusRequest) error {
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		return s.changeStatus(ctx, tx, actor, threadID, req, true)
	})
}

// changeStatus is ChangeChallengeStatus inside the caller's transaction.
// notify false leaves the author untold, for a caller that tells them of
// the same step in its own words (an outcome closing the challenge). A
// referral to an event also puts the challenge on that event's agenda.
func (s *Store) changeStatus(ctx context.Context, tx *sqlx.Tx, actor *User, threadID int64, req StatusRequest, notify bool) error {
	var t struct {
		Kind     ThreadKind      `db:"kind"`
		Status   ChallengeStatus `db:"status"`
		AuthorID int64           `db:"author_id"`
		ThemeID  int64           `db:"theme_id"`
	}
	if err := s.get(ctx, tx, &t, `SELECT kind, status, author_id, theme_id FROM threads WHERE id = ?`, threadID); err != nil {
		return fmt.Errorf("change status: %w", err)
	}
	if t.Kind != Challenge || !CanTransition(t.Status, req.To, actor.ID == t.AuthorID, actor.IsModerator()) {
		return ErrTransition
	}
	var accepted any
	switch req.To {
	case StatusAnswered:
		var n int
		if err := s.get(ctx, tx, &n, `SELECT count(*) FROM posts WHERE id = ? AND thread_id = ? AND deleted_at IS NULL AND hidden_at IS NULL
			AND id <> (SELECT MIN(id) FROM posts WHERE thread_id = ?)`, req.AcceptedPostID, threadID, threadID); err != nil {
			return fmt.Errorf("change status: %w", err)
		}
		if n == 0 {
			return fmt.Errorf("accepted reply: %w", ErrNotFound)
		}
		accepted = req.AcceptedPostID
	case StatusReferred:
		if err := s.checkReferral(ctx, tx, req); err != nil {
			return err
		}
		if req.EventID != 0 {
			if err := s.addAgendaItem(ctx, tx, actor.ID, req.EventID, threadID); err != nil {
				return err
			}
		}
	}
	now := s.now()
	q := `UPDATE threads SET status = ?, updated_at = ? WHERE id = ?`
	args := []any{req.To, now, threadID}
	if req.To == StatusAnswered || (req.To == StatusOpen && t.Status == StatusAnswered) {
		q = `UPDATE threads SET status = ?, accepted_post_id = ?, updated_at = ? WHERE id = ?`
		args = []any{req.To, accepted, now, threadID}
	}
	if _, err := s.exec(ctx, tx, q, args...); err != nil {
		return fmt.Errorf("change status: %w", err)
	}
	// Only a referral, a moderator's, links an event or a document.
	eventID, documentID := req.EventID, req.DocumentID
	if req.To != StatusReferred {
		eventID, documentID = 0, 0
	}
	changeID, err := s.insert(ctx, tx, `INSERT INTO thread_status_changes (thread_id, from_status, to_status, actor_id, note, event_id, document_id, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, threadID, t.Status, req.To, actor.ID, req.Note, nullID(eventID), nullID(documentID), now)
	if err != nil {
		return fmt.Errorf("change status: %w", err)
	}
	if actor.IsModerator() {
		if err := s.audit(ctx, tx, AuditEntry{ActorID: actor.ID, Action: "thread.status", TargetType: "thread", TargetID: threadID,
			Before: map[string]any{"status": t.Status}, After: map[string]any{"status": req.To}}); err != nil {
			return err
		}
	}
	// Each notice points at its change, so that it says what that
	// change was however the thread moves on before it is read or mailed.
	kind := NotifyStatus
	if req.To == StatusAnswered {
		kind = NotifyAccepted
	}
	if !notify {
		kind = ""
	}
	if kind != "" {
		if err := s.notifyUsers(ctx, tx, kind, ptr(actor.ID), ptr(threadID), ptr(req.AcceptedPostID), ptr(changeID),
			`SELECT author_id AS user_id FROM threads WHERE id = ?`, threadID); err != nil {
			return err
		}
	}
	if req.To == StatusAnswered {
		// The author of the accepted reply, unless they accepted it or
		// are the challenge's author, told just above.
		if err := s.notifyUsers(ctx, tx, NotifyAnswerAccepted, ptr(actor.ID), ptr(threadID), ptr(req.AcceptedPostID), ptr(changeID),
			`SELECT author_id AS user_id FROM posts WHERE id = ? AND author_id <> ?`, req.AcceptedPostID, t.AuthorID); err != nil {
			return err
		}
	}
	payload := map[string]any{"thread_id": threadID, "theme_id": t.ThemeID}
	for _, topic := range []string{fmt.Sprintf("thread:%d", threadID), fmt.Sprintf("theme:%d", t.ThemeID), "forum"} {
		if err := s.emit(ctx, tx, topic, "thread.updated", payload); err != nil {
			return err
		}
	}
	return nil
}

func (s *Store) checkReferral(ctx context.Context, tx *sqlx.Tx, req StatusRequest) error {
	if req.EventID == 0 && req.DocumentID == 0 {
		return ErrReferralTarget
	}
	for table, id := range map[string]int64{"events": req.EventID, "documents": req.DocumentID} {
		if id == 0 {
			continue
		}
		var n int
		if err := s.get(ctx, tx, &n, `SELECT count(*) FROM `+table+` WHERE id = ?`, id); err != nil {
			return fmt.Errorf("referral: %w", err)
		}
		if n == 0 {
			return ErrReferralTarget
		}
	}
	return nil
}

// StatusHistory lists a challenge's status changes, oldest first.
func (s *Store) StatusHistory(ctx context.Context, threadID int64) ([]StatusChange, error) {
	var out []StatusChange
	if err := s.selectAll(ctx, s.db, &out, `SELECT c.id, c.from_status, c.to_status, COALESCE(c.actor_id, 0) AS actor_id,
		COALESCE(u.name, '') AS actor_name, c.note, c.event_id, c.document_id, c.created_at
		FROM thread_status_changes c LEFT JOIN users u ON u.id = c.actor_id WHERE c.thread_id = ? ORDER BY c.id`, threadID); err != nil {
		return nil, fmt.Errorf("status history: %w", err)
	}
	return out, nil
}
