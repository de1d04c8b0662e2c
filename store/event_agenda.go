package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
)

// AgendaItem is a challenge on a meeting's agenda, with what the meeting
// concluded on it, and the facts of the challenge the agenda shows joined
// in. Whether a reader may see the names depends on Attribution; the
// server decides, as for threads.
type AgendaItem struct {
	ID       int64 `db:"id"`
	EventID  int64 `db:"event_id"`
	ThreadID int64 `db:"thread_id"`
	Position int   `db:"position"`
	// The outcome per language; empty where not written.
	OutcomeEN     string     `db:"outcome_en"`
	OutcomeFR     string     `db:"outcome_fr"`
	OutcomeES     string     `db:"outcome_es"`
	OutcomeBy     *int64     `db:"outcome_by"`
	OutcomeByName string     `db:"outcome_by_name"`
	OutcomeAt     *time.Time `db:"outcome_at"`
	OutcomePostID *int64     `db:"outcome_post_id"`
	CreatedAt     time.Time  `db:"created_at"`

	EventTitle    string          `db:"event_title"`
	EventStartsAt time.Time       `db:"event_starts_at"`
	ThreadTitle   string          `db:"thread_title"`
	ThreadStatus  ChallengeStatus `db:"thread_status"`
	ThreadHidden  bool            `db:"thread_hidden"`
	ThemeID       int64           `db:"theme_id"`
	Attribution   Attribution     `db:"attribution"`
	AuthorID      int64           `db:"author_id"`
	AuthorName    string          `db:"author_name"`
	OrgName       string          `db:"org_name"`
	OrgKind       OrgKind         `db:"org_kind"`
	OrgCountry    string          `db:"org_country"`
	// PublicDocID and PublicDocTitle name the public document curated from
	// the challenge, if one is published: only then does the agenda show
	// the item to the public.
	PublicDocID    *int64  `db:"public_doc_id"`
	PublicDocTitle *string `db:"public_doc_title"`
}

// HasOutcome reports whether the meeting's outcome is recorded.
func (a *AgendaItem) HasOutcome() bool { return a.OutcomeAt != nil }

// Outcomes lists the outcome's languages that are written, in the group's order.
func (a *AgendaItem) Outcomes() []LangText {
	var out []LangText
	for _, t := range []LangText{{"en", a.OutcomeEN}, {"fr", a.OutcomeFR}, {"es", a.OutcomeES}} {
		if t.Text != "" {
			out = append(out, t)
		}
	}
	return out
}

// LangText is a text in one language.
type LangText struct{ Lang, Text string }

// OutcomePostBody is the thread entry an outcome makes (Markdown): each
// language written, under its name in that language, in the group's order,
// so that the thread, its export, search and the API carry the same text.
func OutcomePostBody(en, fr, es string) string {
	var b strings.Builder
	for _, t := range []struct{ name, text string }{{"English", en}, {"Français", fr}, {"Español", es}} {
		if t.text == "" {
			continue
		}
		if b.Len() > 0 {
			b.WriteString("\n\n")
		}
		b.WriteString("**" + t.name + "**\n\n" + t.text)
	}
	return b.String()
}

// curatedDoc is the public document published from thread t, if any.
const curatedDoc = `(SELECT MIN(d.id) FROM documents d WHERE d.source_thread_id = t.id AND d.status = 'published' AND d.visibility = 'public')`

const agendaSelect = `SELECT a.id, a.event_id, a.thread_id, a.position, a.outcome_en, a.outcome_fr, a.outcome_es, a.outcome_by,
	COALESCE(ob.name, '') AS outcome_by_name, a.outcome_at, a.outcome_post_id, a.created_at,
	e.title AS event_title, e.starts_at AS event_starts_at,
	t.title AS thread_title, t.status AS thread_status, t.hidden AS thread_hidden, t.theme_id, t.attribution, t.author_id,
	u.name AS author_name, o.name AS org_name, o.kind AS org_kind, o.country AS org_country,
	` + curatedDoc + ` AS public_doc_id,
	(SELECT title FROM documents WHERE id = ` + curatedDoc + `) AS public_doc_title
	FROM event_agenda_items a JOIN events e ON e.id = a.event_id JOIN threads t ON t.id = a.thread_id
	JOIN users u ON u.id = t.author_id JOIN organisations o ON o.id = t.organisation_id
	LEFT JOIN users ob ON ob.id = a.outcome_by`

// agendaReadable limits items to what a reader may see: moderators all;
// forum readers those of visible threads; everyone else only those whose
// challenge became a published public document (curated), since a
// challenge is members-only until then.
func agendaReadable(w *where, a Access) {
	switch {
	case a.Curator:
	case a.Members:
		w.add(`t.hidden = ?`, false)
	default:
		w.add(`t.hidden = ?`, false)
		w.add(curatedDoc + ` IS NOT NULL`)
	}
	eventReadable(w, a)
}

// Errors of the agenda.
var (
	// ErrNotChallenge: only challenges go on a meeting's agenda.
	ErrNotChallenge = errors.New("only a challenge can be put on an agenda")
	// ErrOutcomeRecorded: the item's outcome is already recorded (and
	// posted into the thread); it is not recorded twice.
	ErrOutcomeRecorded = errors.New("the outcome of this agenda item is already recorded")
	// ErrOutcomeEmpty: an outcome needs a text in at least one language.
	ErrOutcomeEmpty = errors.New("an outcome needs a text in at least one language")
)

// EventAgenda lists the agenda of an event as reader a may see it, in order.
func (s *Store) EventAgenda(ctx context.Context, eventID int64, a Access) ([]AgendaItem, error) {
	w := where{}
	w.add(`a.event_id = ?`, eventID)
	agendaReadable(&w, a)
	cond, args := w.sql()
	var out []AgendaItem
	if err := s.selectAll(ctx, s.db, &out, agendaSelect+cond+` ORDER BY a.position, a.id`, args...); err != nil {
		return nil, fmt.Errorf("agenda: %w", err)
	}
	return out, nil
}

// ThreadAgenda lists the agenda items of a thread, on every meeting the
// reader may see, soonest meeting first.
func (s *Store) ThreadAgenda(ctx context.Context, threadID int64, a Access) ([]AgendaItem, error) {
	w := where{}
	w.add(`a.thread_id = ?`, threadID)
	agendaReadable(&w, a)
	cond, args := w.sql()
	var out []AgendaItem
	if err := s.selectAll(ctx, s.db, &out, agendaSelect+cond+` ORDER BY e.starts_at, a.id`, args...); err != nil {
		return nil, fmt.Errorf("thread agenda: %w", err)
	}
	return out, nil
}

// AgendaItemByID loads one item as reader a may see it.
func (s *Store) AgendaItemByID(ctx context.Context, id int64, a Access) (*AgendaItem, error) {
	w := where{}
	w.add(`a.id = ?`, id)
	agendaReadable(&w, a)
	cond, args := w.sql()
	var it AgendaItem
	if err := s.get(ctx, s.db, &it, agendaSelect+cond, args...); err != nil {
		return nil, fmt.Errorf("agenda item: %w", err)
	}
	return &it, nil
}

// OutcomeItem finds the agenda item whose outcome is post postID (ErrNotFound when none).
func (s *Store) OutcomeItem(ctx context.Context, postID int64) (*AgendaItem, error) {
	var it AgendaItem
	if err := s.get(ctx, s.db, &it, agendaSelect+` WHERE a.outcome_post_id = ?`, postID); err != nil {
		return nil, fmt.Errorf("outcome item: %w", err)
	}
	return &it, nil
}

// agendaChanged tells the event's live readers that its agenda changed.
// The event says no more than that: each reader's page fetches the agenda
// again with its own rights (a visitor must not learn of an item that only
// members may see, not even its id).
func (s *Store) agendaChanged(ctx context.Context, q querier, eventID int64) error {
	return s.emit(ctx, q, EventTopic(eventID), EventChanged, map[string]any{"event_id": eventID, "part": "agenda"})
}

// curatedAgendasChanged tells the pages of the meetings whose agenda holds
// the thread that document docID was drawn from: publishing it, or taking
// it back, shows or hides the item to the public.
func (s *Store) curatedAgendasChanged(ctx context.Context, q querier, docID int64) error {
	var events []int64
	if err := s.selectAll(ctx, q, &events, `SELECT DISTINCT a.event_id FROM event_agenda_items a
		JOIN documents d ON d.source_thread_id = a.thread_id WHERE d.id = ? ORDER BY a.event_id`, docID); err != nil {
		return fmt.Errorf("agenda of curated thread: %w", err)
	}
	for _, id := range events {
		if err := s.agendaChanged(ctx, q, id); err != nil {
			return err
		}
	}
	return nil
}

// threadAgendasChanged tells the pages of the meetings whose agenda holds
// thread threadID that what they show of it changed (hidden, or another
// attribution rule).
func (s *Store) threadAgendasChanged(ctx context.Context, q querier, threadID int64) error {
	var events []int64
	if err := s.selectAll(ctx, q, &events, `SELECT DISTINCT event_id FROM event_agenda_items WHERE thread_id = ? ORDER BY event_id`, threadID); err != nil {
		return fmt.Errorf("agenda of thread: %w", err)
	}
	for _, id := range events {
		if err := s.agendaChanged(ctx, q, id); err != nil {
			return err
		}
	}
	return nil
}

// EventTopic is the live topic of a meeting's page.
func EventTopic(eventID int64) string { return fmt.Sprintf("event:%d", eventID) }

// EventChanged is the live event of a change to a meeting's page (its
// programme or agenda): a signal to fetch the part again, with no content.
const EventChanged = "event.changed"

// addAgendaItem puts a thread at the end of an event's agenda, once: a
// second referral to the same meeting keeps the first item.
func (s *Store) addAgendaItem(ctx context.Context, tx *sqlx.Tx, actorID, eventID, threadID int64) error {
	var pos int
	if err := s.get(ctx, tx, &pos, `SELECT COALESCE(MAX(position), 0) + 1 FROM event_agenda_items WHERE event_id = ?`, eventID); err != nil {
		return fmt.Errorf("agenda add: %w", err)
	}
	n, err := s.exec(ctx, tx, `INSERT INTO event_agenda_items (event_id, thread_id, position, created_by, created_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (event_id, thread_id) DO NOTHING`, eventID, threadID, pos, nullID(actorID), s.now())
	if err != nil {
		return fmt.Errorf("agenda add: %w", err)
	}
	if n == 0 {
		return nil
	}
	if err := s.audit(ctx, tx, AuditEntry{ActorID: actorID, Action: "agenda.add", TargetType: "event", TargetID: eventID,
		After: map[string]any{"thread_id": threadID, "position": pos}}); err != nil {
		return err
	}
	return s.agendaChanged(ctx, tx, eventID)
}

// AddAgendaItem puts a challenge on a meeting's agenda. An open or answered
// challenge is referred to the meeting (the lifecycle step is recorded, and
// its author told, as when referring from the thread); one already referred
// or closed is only added. ErrConflict when it is on that agenda already.
func (s *Store) AddAgendaItem(ctx context.Context, actor *User, eventID, threadID int64) (*AgendaItem, error) {
	var id int64
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		var t struct {
			Kind   ThreadKind      `db:"kind"`
			Status ChallengeStatus `db:"status"`
		}
		if err := s.get(ctx, tx, &t, `SELECT kind, status FROM threads WHERE id = ?`, threadID); err != nil {
			return fmt.Errorf("agenda add: thread: %w", err)
		}
		if t.Kind != Challenge {
			return ErrNotChallenge
		}
		var n int
		if err := s.get(ctx, tx, &n, `SELECT count(*) FROM events WHERE id = ?`, eventID); err != nil {
			return fmt.Errorf("agenda add: %w", err)
		}
		if n == 0 {
			return fmt.Errorf("agenda add: event: %w", ErrNotFound)
		}
		if err := s.get(ctx, tx, &n, `SELECT count(*) FROM event_agenda_items WHERE event_id = ? AND thread_id = ?`, eventID, threadID); err != nil {
			return fmt.Errorf("agenda add: %w", err)
		}
		if n > 0 {
			return ErrConflict
		}
		if t.Status == StatusOpen || t.Status == StatusAnswered {
			if err := s.changeStatus(ctx, tx, actor, threadID, StatusRequest{To: StatusReferred, EventID: eventID}, true); err != nil {
				return err
			}
		} else if err := s.addAgendaItem(ctx, tx, actor.ID, eventID, threadID); err != nil {
			return err
		}
		return s.get(ctx, tx, &id, `SELECT id FROM event_agenda_items WHERE event_id = ? AND thread_id = ?`, eventID, threadID)
	})
	if err != nil {
		return nil, err
	}
	return s.AgendaItemByID(ctx, id, Access{Members: true, Curator: true})
}

// MoveAgendaItem puts an item at position (1 is first; past the end is
// last) and renumbers the others in their order.
func (s *Store) MoveAgendaItem(ctx context.Context, actorID, itemID int64, position int) error {
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		var eventID int64
		if err := s.get(ctx, tx, &eventID, `SELECT event_id FROM event_agenda_items WHERE id = ?`, itemID); err != nil {
			return fmt.Errorf("agenda move: %w", err)
		}
		var ids []int64
		if err := s.selectAll(ctx, tx, &ids, `SELECT id FROM event_agenda_items WHERE event_id = ? AND id <> ? ORDER BY position, id`, eventID, itemID); err != nil {
			return fmt.Errorf("agenda move: %w", err)
		}
		position = max(1, min(position, len(ids)+1))
		ids = append(ids[:position-1], append([]int64{itemID}, ids[position-1:]...)...)
		for i, id := range ids {
			if _, err := s.exec(ctx, tx, `UPDATE event_agenda_items SET position = ? WHERE id = ?`, i+1, id); err != nil {
				return fmt.Errorf("agenda move: %w", err)
			}
		}
		if err := s.audit(ctx, tx, AuditEntry{ActorID: actorID, Action: "agenda.move", TargetType: "event", TargetID: eventID,
			After: map[string]any{"item_id": itemID, "position": position}}); err != nil {
			return err
		}
		return s.agendaChanged(ctx, tx, eventID)
	})
}

// RemoveAgendaItem takes an item off its agenda. One whose outcome is
// recorded stays (ErrOutcomeRecorded): the outcome is in the thread, and
// the agenda is its record of where it came from. The challenge keeps its
// status: a referral is history, not undone.
func (s *Store) RemoveAgendaItem(ctx context.Context, actorID, itemID int64) error {
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		var it struct {
			EventID   int64      `db:"event_id"`
			ThreadID  int64      `db:"thread_id"`
			OutcomeAt *time.Time `db:"outcome_at"`
		}
		if err := s.get(ctx, tx, &it, `SELECT event_id, thread_id, outcome_at FROM event_agenda_items WHERE id = ?`, itemID); err != nil {
			return fmt.Errorf("agenda remove: %w", err)
		}
		if it.OutcomeAt != nil {
			return ErrOutcomeRecorded
		}
		if _, err := s.exec(ctx, tx, `DELETE FROM event_agenda_items WHERE id = ?`, itemID); err != nil {
			return fmt.Errorf("agenda remove: %w", err)
		}
		if err := s.audit(ctx, tx, AuditEntry{ActorID: actorID, Action: "agenda.remove", TargetType: "event", TargetID: it.EventID,
			Before: map[string]any{"item_id": itemID, "thread_id": it.ThreadID}}); err != nil {
			return err
		}
		return s.agendaChanged(ctx, tx, it.EventID)
	})
}

// OutcomeInput is what a moderator records after the meeting: the outcome
// in one or more languages, the thread entry made of them (Body, and HTML
// its rendering), and whether the challenge is closed with it.
type OutcomeInput struct {
	EN, FR, ES string
	Body, HTML string
	Close      bool
}

// RecordOutcome records what the meeting concluded on an item, in one
// transaction: the outcome is posted into the challenge's thread as its
// own entry (live like any reply), the challenge's author and the people
// of the delegations that answered it are told (outcome notice, mailed at
// once by default), the others who watch the thread hear of it as of a
// reply, and, with Close, the challenge is closed (its author told by the
// outcome notice alone). It returns the new post's id.
func (s *Store) RecordOutcome(ctx context.Context, actor *User, itemID int64, in OutcomeInput) (int64, error) {
	if in.EN == "" && in.FR == "" && in.ES == "" {
		return 0, ErrOutcomeEmpty
	}
	var postID int64
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		var it struct {
			EventID   int64           `db:"event_id"`
			ThreadID  int64           `db:"thread_id"`
			OutcomeAt *time.Time      `db:"outcome_at"`
			Status    ChallengeStatus `db:"status"`
			ThemeID   int64           `db:"theme_id"`
			AuthorID  int64           `db:"author_id"`
		}
		// The item's row is locked by the update below first, so that two
		// moderators recording at once do not both post.
		n, err := s.exec(ctx, tx, `UPDATE event_agenda_items SET outcome_at = outcome_at WHERE id = ?`, itemID)
		if err != nil {
			return fmt.Errorf("outcome: %w", err)
		}
		if n == 0 {
			return fmt.Errorf("outcome: %w", ErrNotFound)
		}
		if err := s.get(ctx, tx, &it, `SELECT a.event_id, a.thread_id, a.outcome_at, t.status, t.theme_id, t.author_id
			FROM event_agenda_items a JOIN threads t ON t.id = a.thread_id WHERE a.id = ?`, itemID); err != nil {
			return fmt.Errorf("outcome: %w", err)
		}
		if it.OutcomeAt != nil {
			return ErrOutcomeRecorded
		}
		if in.Close && !CanTransition(it.Status, StatusClosed, false, actor.IsModerator()) {
			return ErrTransition
		}
		if postID, err = s.addOutcomePost(ctx, tx, actor, it.ThreadID, in); err != nil {
			return err
		}
		now := s.now()
		if _, err := s.exec(ctx, tx, `UPDATE event_agenda_items SET outcome_en = ?, outcome_fr = ?, outcome_es = ?, outcome_by = ?, outcome_at = ?,
			outcome_post_id = ? WHERE id = ?`, in.EN, in.FR, in.ES, actor.ID, now, postID, itemID); err != nil {
			return fmt.Errorf("outcome: %w", err)
		}
		if err := s.notifyOutcome(ctx, tx, actor.ID, it.ThreadID, postID); err != nil {
			return err
		}
		if in.Close {
			if err := s.changeStatus(ctx, tx, actor, it.ThreadID, StatusRequest{To: StatusClosed}, false); err != nil {
				return err
			}
		}
		if err := s.audit(ctx, tx, AuditEntry{ActorID: actor.ID, Action: "agenda.outcome", TargetType: "thread", TargetID: it.ThreadID,
			After: map[string]any{"item_id": itemID, "event_id": it.EventID, "post_id": postID, "closed": in.Close}}); err != nil {
			return err
		}
		payload := map[string]any{"thread_id": it.ThreadID, "theme_id": it.ThemeID}
		for _, topic := range []string{fmt.Sprintf("theme:%d", it.ThemeID), "forum"} {
			if err := s.emit(ctx, tx, topic, "thread.updated", payload); err != nil {
				return err
			}
		}
		return s.agendaChanged(ctx, tx, it.EventID)
	})
	return postID, err
}

// addOutcomePost is addPost for an outcome: the same post, watch, search
// text, counters and live event, without the reply notices, which
// notifyOutcome sends in words of their own. A locked thread takes it:
// only moderators record outcomes.
func (s *Store) addOutcomePost(ctx context.Context, tx *sqlx.Tx, actor *User, threadID int64, in OutcomeInput) (int64, error) {
	now := s.now()
	id, err := s.insert(ctx, tx, `INSERT INTO posts (thread_id, author_id, organisation_id, body, html, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
		threadID, actor.ID, actor.OrganisationID, in.Body, in.HTML, now)
	if err != nil {
		return 0, fmt.Errorf("outcome post: %w", err)
	}
	if _, err := s.exec(ctx, tx, `INSERT INTO watches (user_id, target_type, target_id, level, created_at) VALUES (?, 'thread', ?, 'watch', ?)
		ON CONFLICT (user_id, target_type, target_id) DO NOTHING`, actor.ID, threadID, now); err != nil {
		return 0, fmt.Errorf("outcome post: watch: %w", err)
	}
	if err := s.indexPostText(ctx, tx, id); err != nil {
		return 0, err
	}
	if _, err := s.exec(ctx, tx, `UPDATE threads SET post_count = post_count + 1, last_post_id = ?, last_post_at = ?, updated_at = ? WHERE id = ?`,
		id, now, now, threadID); err != nil {
		return 0, fmt.Errorf("outcome post: %w", err)
	}
	if err := s.emit(ctx, tx, fmt.Sprintf("thread:%d", threadID), "post.created", map[string]any{"post_id": id, "thread_id": threadID, "outcome": true}); err != nil {
		return 0, err
	}
	return id, nil
}

// notifyOutcome tells the challenge's author and the people whose
// delegations answered it (their replies still shown) of the outcome, and
// the other watchers of the thread as of a reply.
func (s *Store) notifyOutcome(ctx context.Context, tx *sqlx.Tx, actorID, threadID, postID int64) error {
	if err := s.notifyUsers(ctx, tx, NotifyOutcome, ptr(actorID), ptr(threadID), ptr(postID), nil,
		`SELECT author_id AS user_id FROM threads WHERE id = ?
		UNION SELECT p.author_id AS user_id FROM posts p JOIN organisations o ON o.id = p.organisation_id
		WHERE p.thread_id = ? AND p.id <> ? AND o.kind = 'member' AND p.deleted_at IS NULL AND p.hidden_at IS NULL`, threadID, threadID, postID); err != nil {
		return err
	}
	return s.notifyUsers(ctx, tx, NotifyReply, ptr(actorID), ptr(threadID), ptr(postID), nil,
		`SELECT user_id FROM watches WHERE target_type = 'thread' AND target_id = ? AND level = 'watch'
		AND user_id NOT IN (SELECT user_id FROM notifications WHERE post_id = ? AND kind = 'outcome')`, threadID, postID)
}
