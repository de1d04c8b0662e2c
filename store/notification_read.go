package store

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/jmoiron/sqlx"
)

// NotificationView is a notification with what a page or a mail needs to
// say it: the thread, the post's state, who acted. Names are raw; the
// server applies the attribution rules.
type NotificationView struct {
	Notification
	ThreadTitle       *string      `db:"thread_title"`
	ThreadAttribution *Attribution `db:"thread_attribution"`
	ThreadHidden      *bool        `db:"thread_hidden"`
	ThreadAuthorID    *int64       `db:"thread_author_id"`
	ThreadStatus      *string      `db:"thread_status"`
	PostBody          *string      `db:"post_body"`
	PostRemoved       bool         `db:"post_removed"`
	PostAuthorID      *int64       `db:"post_author_id"`
	ActorName         *string      `db:"actor_name"`
	ActorOrg          *string      `db:"actor_org"`
	ActorOrgKind      *OrgKind     `db:"actor_org_kind"`
	SubjectName       *string      `db:"subject_name"`
	// SubjectTitle is the title of the curated document a consent notice is about.
	SubjectTitle *string `db:"subject_title"`
	// Change is the status change a status or acceptance notice is about,
	// as recorded when it was made (the thread's status may have moved on).
	Change NoticeChange `db:"change"`
}

// NoticeChange is the status change a notification tells of.
type NoticeChange struct {
	From       *ChallengeStatus `db:"from_status"`
	To         *ChallengeStatus `db:"to_status"`
	EventID    *int64           `db:"event_id"`
	DocumentID *int64           `db:"document_id"`
	Note       *string          `db:"note"`
}

const notificationSelect = `SELECT n.id, n.user_id, n.kind, n.actor_id, n.thread_id, n.post_id, n.subject_id, n.created_at, n.read_at,
	t.title AS thread_title, t.attribution AS thread_attribution, t.hidden AS thread_hidden, t.author_id AS thread_author_id, t.status AS thread_status,
	p.body AS post_body, (p.deleted_at IS NOT NULL OR p.hidden_at IS NOT NULL) AS post_removed, p.author_id AS post_author_id,
	a.name AS actor_name, ao.name AS actor_org, ao.kind AS actor_org_kind,
	CASE WHEN n.kind = 'pending_account' THEN (SELECT name FROM users WHERE id = n.subject_id) END AS subject_name,
	CASE WHEN n.kind IN ('consent_request', 'consents_given', 'consent_declined') THEN (SELECT title FROM documents WHERE id = n.subject_id) END AS subject_title,
	sc.from_status AS "change.from_status", sc.to_status AS "change.to_status", sc.event_id AS "change.event_id",
	sc.document_id AS "change.document_id", sc.note AS "change.note"
	FROM notifications n
	JOIN users u ON u.id = n.user_id
	LEFT JOIN threads t ON t.id = n.thread_id
	LEFT JOIN posts p ON p.id = n.post_id
	LEFT JOIN users a ON a.id = n.actor_id
	LEFT JOIN organisations ao ON ao.id = a.organisation_id
	LEFT JOIN thread_status_changes sc ON n.kind IN ('status', 'accepted', 'answer_accepted') AND sc.id = n.subject_id`

// Notifications lists a person's notifications, unread first, newest first
// within each, at most limit, skipping the first offset (a person's own
// list is short: paging it by offset is cheap). Like every read of
// notifications here it leaves out those the person may not see now
// (MaySeeNotification), in SQL, so that pages and counts agree.
func (s *Store) Notifications(ctx context.Context, userID int64, limit, offset int) ([]NotificationView, error) {
	var out []NotificationView
	if err := s.selectAll(ctx, s.db, &out, notificationSelect+` WHERE n.user_id = ? AND `+notificationVisible+`
		ORDER BY CASE WHEN n.read_at IS NULL THEN 0 ELSE 1 END, n.id DESC LIMIT ? OFFSET ?`, userID, limit, offset); err != nil {
		return nil, fmt.Errorf("notifications: %w", err)
	}
	return out, nil
}

// NotificationByID loads one notification of its owner, if they may see it now.
func (s *Store) NotificationByID(ctx context.Context, userID, id int64) (*NotificationView, error) {
	var n NotificationView
	if err := s.get(ctx, s.db, &n, notificationSelect+` WHERE n.id = ? AND n.user_id = ? AND `+notificationVisible, id, userID); err != nil {
		return nil, fmt.Errorf("notification: %w", err)
	}
	return &n, nil
}

// UnreadNotifications counts a person's unread notifications that they may see now.
func (s *Store) UnreadNotifications(ctx context.Context, userID int64) (int, error) {
	return s.unreadCount(ctx, s.db, userID)
}

// unreadSQL counts the unread notifications the account given as its one
// argument may see now.
var unreadSQL = unreadOf("?")

// unreadOf counts the unread notifications that the account user (a
// placeholder or a column) may see now.
func unreadOf(user string) string {
	return `SELECT COALESCE((SELECT c.unread FROM (` + unreadCountsSQL(`n.user_id = `+user) + `) c), 0)`
}

// unreadCountsSQL gives (user_id, unread) for each account that cond picks
// among the unread counts n (n.user_id) and has unread ones it may see
// now: the counts per kind that triggers keep (migration 0020), summed
// over the kinds the account may see, its rights asked once per kind.
func unreadCountsSQL(cond string) string {
	return `SELECT n.user_id, CAST(sum(n.unread) AS INTEGER) AS unread FROM notification_unread n JOIN users u ON u.id = n.user_id
		WHERE ` + cond + ` AND n.unread > 0 AND ` + audienceSQL(NotificationKinds, "n.kind") + ` GROUP BY n.user_id`
}

func (s *Store) unreadCount(ctx context.Context, q querier, userID int64) (int, error) {
	var n int
	if err := s.get(ctx, q, &n, unreadSQL, userID); err != nil {
		return 0, fmt.Errorf("unread notifications: %w", err)
	}
	return n, nil
}

// unreadCounts is unreadCount for several people at once.
func (s *Store) unreadCounts(ctx context.Context, q querier, userIDs []int64) (map[int64]int, error) {
	out := make(map[int64]int, len(userIDs))
	for chunk := range slices.Chunk(userIDs, inListChunk) {
		query, args, err := sqlx.In(unreadCountsSQL(`n.user_id IN (?)`), chunk)
		if err != nil {
			return nil, fmt.Errorf("unread notifications: %w", err)
		}
		var counts []struct {
			UserID int64 `db:"user_id"`
			Unread int   `db:"unread"`
		}
		if err := s.selectAll(ctx, q, &counts, query, args...); err != nil {
			return nil, fmt.Errorf("unread notifications: %w", err)
		}
		for _, c := range counts {
			out[c.UserID] = c.Unread
		}
	}
	return out, nil
}

// MarkNotificationsRead marks one notification (id > 0) or all of a
// person's as read, and tells their other pages so the badge follows.
// Those the person may not see now stay as they were: were the rights to
// come back, what was never read shows as unread.
func (s *Store) MarkNotificationsRead(ctx context.Context, userID, id int64) error {
	visible := `SELECT n.id FROM notifications n JOIN users u ON u.id = n.user_id WHERE n.user_id = ? AND ` + notificationVisible
	q, args := `UPDATE notifications SET read_at = ? WHERE user_id = ? AND read_at IS NULL AND id IN (`+visible+`)`, []any{s.now(), userID, userID}
	if id > 0 {
		q += ` AND id = ?`
		args = append(args, id)
	}
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		// The person's topic is taken before the counts that the UPDATE's
		// trigger moves, in the order a reply takes them: otherwise a
		// reply notifying them meanwhile could deadlock with this.
		if _, err := s.exec(ctx, tx, `INSERT INTO topic_seqs (topic, last_seq) VALUES (?, 0)
			ON CONFLICT (topic) DO UPDATE SET last_seq = topic_seqs.last_seq`, fmt.Sprintf("user:%d", userID)); err != nil {
			return fmt.Errorf("mark read: %w", err)
		}
		n, err := s.exec(ctx, tx, q, args...)
		if err != nil {
			return fmt.Errorf("mark read: %w", err)
		}
		if n == 0 {
			return nil
		}
		return s.emitUnread(ctx, tx, userID, "notification.read", id, "")
	})
}

// NotificationPrefs is a person's channel per kind (defaults filled in) and digest frequency.
type NotificationPrefs struct {
	Channels map[NotificationKind]Channel
	Digest   string
}

// Digest frequencies.
var DigestFrequencies = []string{"daily", "weekly", "off"}

// Prefs loads a person's notification choices.
func (s *Store) Prefs(ctx context.Context, userID int64) (*NotificationPrefs, error) {
	p := &NotificationPrefs{Channels: map[NotificationKind]Channel{}}
	for _, k := range NotificationKinds {
		p.Channels[k] = DefaultChannel(k)
	}
	var rows []struct {
		Kind    NotificationKind `db:"kind"`
		Channel Channel          `db:"channel"`
	}
	if err := s.selectAll(ctx, s.db, &rows, `SELECT kind, channel FROM notification_prefs WHERE user_id = ?`, userID); err != nil {
		return nil, fmt.Errorf("prefs: %w", err)
	}
	for _, r := range rows {
		p.Channels[r.Kind] = r.Channel
	}
	if err := s.get(ctx, s.db, &p.Digest, `SELECT digest FROM users WHERE id = ?`, userID); err != nil {
		return nil, fmt.Errorf("prefs: %w", err)
	}
	return p, nil
}

// SetPref sets one kind's channel. The settings form sends every kind, so
// a choice equal to the default is not stored: it could not be told from
// a default left untouched, and the person follows the default if it
// changes (migration 0011 did the same to the rows stored before).
func (s *Store) SetPref(ctx context.Context, userID int64, kind NotificationKind, ch Channel) error {
	return s.setPref(ctx, s.db, userID, kind, ch)
}

// SetPrefs saves a settings form (the page's or the API's) at once: the
// chosen kinds' channels and, when not empty, the digest's frequency.
func (s *Store) SetPrefs(ctx context.Context, userID int64, channels map[NotificationKind]Channel, digest string) error {
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		for k, c := range channels {
			if err := s.setPref(ctx, tx, userID, k, c); err != nil {
				return err
			}
		}
		if digest == "" {
			return nil
		}
		return s.setDigest(ctx, tx, userID, digest)
	})
}

func (s *Store) setPref(ctx context.Context, q querier, userID int64, kind NotificationKind, ch Channel) error {
	query, args := `INSERT INTO notification_prefs (user_id, kind, channel) VALUES (?, ?, ?)
		ON CONFLICT (user_id, kind) DO UPDATE SET channel = excluded.channel`, []any{userID, kind, ch}
	if ch == DefaultChannel(kind) {
		query, args = `DELETE FROM notification_prefs WHERE user_id = ? AND kind = ?`, []any{userID, kind}
	}
	if _, err := s.exec(ctx, q, query, args...); err != nil {
		return fmt.Errorf("set pref: %w", err)
	}
	return nil
}

// SetDigest sets how often the digest comes ("daily", "weekly", "off").
func (s *Store) SetDigest(ctx context.Context, userID int64, freq string) error {
	return s.setDigest(ctx, s.db, userID, freq)
}

func (s *Store) setDigest(ctx context.Context, q querier, userID int64, freq string) error {
	if _, err := s.exec(ctx, q, `UPDATE users SET digest = ? WHERE id = ?`, freq, userID); err != nil {
		return fmt.Errorf("set digest: %w", err)
	}
	return nil
}

// DigestItems are the notifications a digest covers: those of kinds the
// person receives by digest, created in [from, to); account requests and
// flags go to the moderation summary instead (moderation true), and only
// there. A notice already mailed at once (the person chose otherwise since)
// is not told twice.
func (s *Store) DigestItems(ctx context.Context, userID int64, from, to time.Time, moderation bool) ([]NotificationView, error) {
	prefs, err := s.Prefs(ctx, userID)
	if err != nil {
		return nil, err
	}
	var all []NotificationView
	if err := s.selectAll(ctx, s.db, &all, notificationSelect+` WHERE n.user_id = ? AND `+notificationVisible+` AND n.created_at >= ? AND n.created_at < ?
		AND NOT EXISTS (SELECT 1 FROM mail_outbox o WHERE o.notification_id = n.id)
		ORDER BY n.thread_id, n.id`, userID, from, to); err != nil {
		return nil, fmt.Errorf("digest items: %w", err)
	}
	out := all[:0]
	for _, n := range all {
		if prefs.Channels[n.Kind] == ChannelDigest && n.Kind.InModerationSummary() == moderation {
			out = append(out, n)
		}
	}
	return out, nil
}
