package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jmoiron/sqlx"
)

// ThreadKind is a challenge (an obstacle a business meets) or a discussion.
type ThreadKind string

// Thread kinds.
const (
	Challenge  ThreadKind = "challenge"
	Discussion ThreadKind = "discussion"
)

// Attribution says how what is said in a thread may be quoted (SPEC §3).
type Attribution string

// Attribution modes.
const (
	OnTheRecord      Attribution = "record"
	PersonalCapacity Attribution = "personal"
	ChathamHouse     Attribution = "chatham"
)

// Attributions lists the modes in order of openness.
var Attributions = []Attribution{OnTheRecord, PersonalCapacity, ChathamHouse}

// ChallengeStatus is where a challenge is in its lifecycle; discussions have none.
type ChallengeStatus string

// Challenge states.
const (
	StatusOpen     ChallengeStatus = "open"
	StatusAnswered ChallengeStatus = "answered"
	StatusReferred ChallengeStatus = "referred"
	StatusClosed   ChallengeStatus = "closed"
)

// Thread is a challenge or discussion with its counters, and the names of
// its author and organisation joined in. Whether a reader may see those
// names depends on Attribution; the server decides, not the store.
type Thread struct {
	ID             int64           `db:"id"`
	ThemeID        int64           `db:"theme_id"`
	Kind           ThreadKind      `db:"kind"`
	Title          string          `db:"title"`
	AuthorID       int64           `db:"author_id"`
	OrganisationID int64           `db:"organisation_id"`
	Attribution    Attribution     `db:"attribution"`
	Status         ChallengeStatus `db:"status"`
	Pinned         bool            `db:"pinned"`
	Locked         bool            `db:"locked"`
	Hidden         bool            `db:"hidden"`
	PostCount      int             `db:"post_count"`
	ViewCount      int64           `db:"view_count"`
	AcceptedPostID *int64          `db:"accepted_post_id"`
	LastPostID     *int64          `db:"last_post_id"`
	LastPostAt     time.Time       `db:"last_post_at"`
	CreatedAt      time.Time       `db:"created_at"`
	UpdatedAt      time.Time       `db:"updated_at"`
	AuthorName     string          `db:"author_name"`
	OrgName        string          `db:"org_name"`
	OrgKind        OrgKind         `db:"org_kind"`
	// LastReadPostID is the reader's read position (lists with a ReaderID only).
	LastReadPostID int64    `db:"last_read_post_id"`
	Tags           []string `db:"-"`
}

// Unread reports whether the thread has posts after the reader's position.
func (t *Thread) Unread() bool { return t.LastPostID != nil && *t.LastPostID > t.LastReadPostID }

const (
	threadColumns = `SELECT t.id, t.theme_id, t.kind, t.title, t.author_id, t.organisation_id, t.attribution, t.status, t.pinned,
	t.locked, t.hidden, t.post_count, t.view_count, t.accepted_post_id, t.last_post_id, t.last_post_at, t.created_at, t.updated_at,
	u.name AS author_name, o.name AS org_name, o.kind AS org_kind, COALESCE(r.last_read_post_id, 0) AS last_read_post_id`
	threadFrom = `
	FROM threads t JOIN users u ON u.id = t.author_id JOIN organisations o ON o.id = t.organisation_id
	LEFT JOIN thread_reads r ON r.thread_id = t.id AND r.user_id = ?`
	threadSelect = threadColumns + threadFrom
)

// Errors of the forum's rules.
var (
	ErrLocked        = errors.New("thread is locked")
	ErrThemeArchived = errors.New("theme is archived")
)

// NewThread is what starting a thread needs; HTML is the rendered Body.
type NewThread struct {
	ThemeID     int64
	Kind        ThreadKind
	Title       string
	Attribution Attribution
	Tags        []string
	Body, HTML  string
	Author      *User
	Mentions    []int64
	// Attachments are ids of the author's uploads for the opening post.
	Attachments []int64
}

// CreateThread starts a thread with its first post, makes its author watch
// it, and records the events live clients will see, all in one transaction,
// in which the thread is also read back (see CreatePost: an error after a
// confirmed commit would have it started twice).
func (s *Store) CreateThread(ctx context.Context, nt NewThread) (*Thread, error) {
	var t *Thread
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		var archived bool
		if err := s.get(ctx, tx, &archived, `SELECT archived FROM themes WHERE id = ?`, nt.ThemeID); err != nil {
			return fmt.Errorf("create thread: theme: %w", err)
		}
		if archived {
			return ErrThemeArchived
		}
		status := ChallengeStatus("")
		if nt.Kind == Challenge {
			status = StatusOpen
		}
		now := s.now()
		id, err := s.insert(ctx, tx, `INSERT INTO threads (theme_id, kind, title, author_id, organisation_id, attribution, status,
			post_count, last_post_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?)`,
			nt.ThemeID, nt.Kind, nt.Title, nt.Author.ID, nt.Author.OrganisationID, nt.Attribution, status, now, now, now)
		if err != nil {
			return fmt.Errorf("create thread: %w", err)
		}
		for _, tag := range normalizeTags(nt.Tags) {
			if _, err := s.exec(ctx, tx, `INSERT INTO thread_tags (thread_id, tag) VALUES (?, ?)`, id, tag); err != nil {
				return fmt.Errorf("thread tag: %w", err)
			}
		}
		if _, err := s.addPost(ctx, tx, NewPost{ThreadID: id, Author: nt.Author, Body: nt.Body, HTML: nt.HTML, Mentions: nt.Mentions,
			Attachments: nt.Attachments, openingTitle: nt.Title}, nil, false); err != nil {
			return err
		}
		if err := s.notifyThread(ctx, tx, nt.Author.ID, id, nt.ThemeID); err != nil {
			return err
		}
		if t, err = s.threadByID(ctx, tx, id); err != nil {
			return err
		}
		payload := map[string]any{"thread_id": id, "theme_id": nt.ThemeID}
		for _, topic := range []string{fmt.Sprintf("theme:%d", nt.ThemeID), "forum"} {
			if err := s.emit(ctx, tx, topic, "thread.created", payload); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return t, nil
}

// ThreadByID loads one thread with its tags.
func (s *Store) ThreadByID(ctx context.Context, id int64) (*Thread, error) {
	return s.threadByID(ctx, s.db, id)
}

func (s *Store) threadByID(ctx context.Context, q querier, id int64) (*Thread, error) {
	var row struct {
		Thread
		TagsJSON string `db:"tags_json"`
	}
	if err := s.get(ctx, q, &row, threadColumns+", "+s.dialect.threadTagsJSON()+threadFrom+` WHERE t.id = ?`, 0, id); err != nil {
		return nil, fmt.Errorf("thread: %w", err)
	}
	t := row.Thread
	if err := json.Unmarshal([]byte(row.TagsJSON), &t.Tags); err != nil {
		return nil, fmt.Errorf("thread tags: %w", err)
	}
	if len(t.Tags) == 0 {
		t.Tags = nil
	}
	slices.Sort(t.Tags)
	return &t, nil
}

// ThreadCursor marks where a page of threads ended, for keyset paging.
type ThreadCursor struct {
	LastPostAt time.Time
	ID         int64
}

// ThreadFilter selects a thread list.
type ThreadFilter struct {
	ThemeID  int64
	Kind     ThreadKind
	Status   ChallengeStatus
	AuthorID int64
	// NotAnsweredByOrg keeps threads with no visible post from this organisation.
	NotAnsweredByOrg int64
	// Pinned selects pinned threads only (true) or unpinned ones only (false).
	Pinned *bool
	// WithHidden includes hidden threads (moderators).
	WithHidden bool
	// ReaderID fills each thread's read position for this person.
	ReaderID int64
	// WatchedBy keeps threads this person watches, directly or by their
	// theme, except the ones they muted.
	WatchedBy int64
	After     *ThreadCursor
	Limit     int
}

// ListThreads returns threads by latest activity, walking an index from
// the cursor so that page 1,000 costs what page 1 costs.
func (s *Store) ListThreads(ctx context.Context, f ThreadFilter) ([]Thread, error) {
	w := where{}
	if !f.WithHidden {
		w.add(`t.hidden = ?`, false)
	}
	if f.ThemeID != 0 {
		w.add(`t.theme_id = ?`, f.ThemeID)
	}
	if f.Kind != "" {
		w.add(`t.kind = ?`, f.Kind)
	}
	if f.Status != "" {
		w.add(`t.status = ?`, f.Status)
	}
	if f.AuthorID != 0 {
		w.add(`t.author_id = ?`, f.AuthorID)
	}
	if f.Pinned != nil {
		w.add(`t.pinned = ?`, *f.Pinned)
	}
	if f.NotAnsweredByOrg != 0 {
		w.add(`NOT EXISTS (SELECT 1 FROM posts p WHERE p.thread_id = t.id AND p.organisation_id = ? AND p.deleted_at IS NULL
			AND p.hidden_at IS NULL AND p.id <> (SELECT MIN(p0.id) FROM posts p0 WHERE p0.thread_id = t.id))`, f.NotAnsweredByOrg)
	}
	if f.WatchedBy != 0 {
		w.add(`(EXISTS (SELECT 1 FROM watches x WHERE x.user_id = ? AND x.target_type = 'thread' AND x.target_id = t.id AND x.level = 'watch')
			OR (EXISTS (SELECT 1 FROM watches x WHERE x.user_id = ? AND x.target_type = 'theme' AND x.target_id = t.theme_id AND x.level = 'watch')
			AND NOT EXISTS (SELECT 1 FROM watches x WHERE x.user_id = ? AND x.target_type = 'thread' AND x.target_id = t.id AND x.level = 'mute')))`,
			f.WatchedBy, f.WatchedBy, f.WatchedBy)
	}
	if f.After != nil {
		// A row-value comparison lets both engines seek the index to the cursor
		// instead of scanning from the top; an OR of two comparisons does not.
		w.add(`(t.last_post_at, t.id) < (?, ?)`, f.After.LastPostAt.UTC(), f.After.ID)
	}
	if f.Limit <= 0 || f.Limit > 100 {
		f.Limit = 30
	}
	cond, args := w.sql()
	var out []Thread
	args = append([]any{f.ReaderID}, args...)
	if err := s.selectAll(ctx, s.db, &out, threadSelect+cond+` ORDER BY t.last_post_at DESC, t.id DESC LIMIT ?`, append(args, f.Limit)...); err != nil {
		return nil, fmt.Errorf("list threads: %w", err)
	}
	return out, nil
}

// ThreadSwitch is a moderator's on/off setting of a thread.
type ThreadSwitch string

// Thread switches.
const (
	SwitchPinned ThreadSwitch = "pinned"
	SwitchLocked ThreadSwitch = "locked"
	SwitchHidden ThreadSwitch = "hidden"
)

// SetThreadSwitch pins, locks or hides a thread (or undoes it), with its audit entry and event.
func (s *Store) SetThreadSwitch(ctx context.Context, actorID, threadID int64, sw ThreadSwitch, on bool) error {
	switch sw {
	case SwitchPinned, SwitchLocked, SwitchHidden:
	default:
		return fmt.Errorf("thread switch %q: %w", sw, ErrNotFound)
	}
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		var t struct {
			ThemeID int64 `db:"theme_id"`
			Before  bool  `db:"before"`
		}
		if err := s.get(ctx, tx, &t, `SELECT theme_id, `+string(sw)+` AS before FROM threads WHERE id = ?`, threadID); err != nil {
			return fmt.Errorf("thread %s: %w", sw, err)
		}
		if _, err := s.exec(ctx, tx, `UPDATE threads SET `+string(sw)+` = ?, updated_at = ? WHERE id = ?`, on, s.now(), threadID); err != nil {
			return fmt.Errorf("thread %s: %w", sw, err)
		}
		if err := s.audit(ctx, tx, AuditEntry{ActorID: actorID, Action: "thread." + string(sw), TargetType: "thread", TargetID: threadID,
			Before: map[string]any{string(sw): t.Before}, After: map[string]any{string(sw): on}}); err != nil {
			return err
		}
		if sw == SwitchHidden {
			if err := s.threadAgendasChanged(ctx, tx, threadID); err != nil {
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
	})
}

// SetThreadAttribution changes how what is said in a thread may be quoted
// (moderators), with its audit entry and event. An unknown mode is ErrNotFound.
func (s *Store) SetThreadAttribution(ctx context.Context, actorID, threadID int64, mode Attribution) error {
	if !slices.Contains(Attributions, mode) {
		return fmt.Errorf("thread attribution %q: %w", mode, ErrNotFound)
	}
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		var t struct {
			ThemeID int64       `db:"theme_id"`
			Before  Attribution `db:"attribution"`
		}
		if err := s.get(ctx, tx, &t, `SELECT theme_id, attribution FROM threads WHERE id = ?`, threadID); err != nil {
			return fmt.Errorf("thread attribution: %w", err)
		}
		if _, err := s.exec(ctx, tx, `UPDATE threads SET attribution = ?, updated_at = ? WHERE id = ?`, mode, s.now(), threadID); err != nil {
			return fmt.Errorf("thread attribution: %w", err)
		}
		if err := s.audit(ctx, tx, AuditEntry{ActorID: actorID, Action: "thread.attribution", TargetType: "thread", TargetID: threadID,
			Before: map[string]any{"attribution": t.Before}, After: map[string]any{"attribution": mode}}); err != nil {
			return err
		}
		// Who raised it, as agendas name them, follows the mode.
		if err := s.threadAgendasChanged(ctx, tx, threadID); err != nil {
			return err
		}
		payload := map[string]any{"thread_id": threadID, "theme_id": t.ThemeID}
		for _, topic := range []string{fmt.Sprintf("thread:%d", threadID), fmt.Sprintf("theme:%d", t.ThemeID), "forum"} {
			if err := s.emit(ctx, tx, topic, "thread.updated", payload); err != nil {
				return err
			}
		}
		return nil
	})
}
