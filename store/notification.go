package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
)

// NotificationKind is what a notification is about.
type NotificationKind string

// Kinds of notification (SPEC §6).
const (
	NotifyThreadReply    NotificationKind = "thread_reply"    // a reply in a thread you started (and still watch)
	NotifyReply          NotificationKind = "reply"           // a reply in another thread you watch
	NotifyMention        NotificationKind = "mention"         // someone @mentioned you
	NotifyNewThread      NotificationKind = "new_thread"      // a new thread in a theme you watch
	NotifyStatus         NotificationKind = "status"          // your challenge changed status
	NotifyAccepted       NotificationKind = "accepted"        // an answer was accepted on your challenge
	NotifyAnswerAccepted NotificationKind = "answer_accepted" // your reply was accepted as the answer to a challenge
	NotifyApproved       NotificationKind = "approved"        // your account was approved
	NotifyFlagHandled    NotificationKind = "flag_handled"    // a flag you raised was handled
	NotifyPendingAccount NotificationKind = "pending_account" // moderators: an account awaits approval
	NotifyNewFlag        NotificationKind = "new_flag"        // moderators: a post was flagged
	// Curation (issue 13): a person quoted in a draft is asked to consent;
	// the moderator who drafted it hears when all agreed or one refused.
	NotifyConsentRequest  NotificationKind = "consent_request"
	NotifyConsentsGiven   NotificationKind = "consents_given"
	NotifyConsentDeclined NotificationKind = "consent_declined"
	// A meeting's outcome on your challenge, or on one your delegation answered (issue 16).
	NotifyOutcome NotificationKind = "outcome"
)

// NotificationKinds lists every kind, in the order the preferences show them.
var NotificationKinds = []NotificationKind{NotifyThreadReply, NotifyMention, NotifyReply, NotifyNewThread, NotifyStatus, NotifyAccepted,
	NotifyAnswerAccepted, NotifyApproved, NotifyFlagHandled, NotifyPendingAccount, NotifyNewFlag,
	NotifyConsentRequest, NotifyConsentsGiven, NotifyConsentDeclined, NotifyOutcome}

// Channel is how a person wants a kind of notification.
type Channel string

// Channels: in the app only, also by e-mail at once, also in the digest, or not at all.
const (
	ChannelInApp  Channel = "inapp"
	ChannelEmail  Channel = "email"
	ChannelDigest Channel = "digest"
	ChannelOff    Channel = "off"
)

// Channels lists every channel.
var Channels = []Channel{ChannelInApp, ChannelEmail, ChannelDigest, ChannelOff}

// DefaultChannel is the channel of a kind nobody chose for: what concerns
// you directly (replies to your own threads, mentions, your challenge, your
// answer, your account) comes by e-mail at once, and so does what a
// moderator must act on, since a registrant waits for it; what you merely
// follow (other watched threads, watched themes) waits for the digest.
// Only explicit choices are stored (SetPref), so a change here reaches
// everyone who never chose otherwise.
func DefaultChannel(k NotificationKind) Channel {
	switch k {
	case NotifyThreadReply, NotifyMention, NotifyStatus, NotifyAccepted, NotifyAnswerAccepted, NotifyApproved,
		NotifyPendingAccount, NotifyNewFlag, NotifyOutcome:
		return ChannelEmail
	// A draft waits on the consent answers, and its moderator on them: a
	// digest would hold the publication up for days.
	case NotifyConsentRequest, NotifyConsentsGiven, NotifyConsentDeclined:
		return ChannelEmail
	case NotifyReply, NotifyNewThread:
		return ChannelDigest
	}
	return ChannelInApp
}

// ModeratorOnly reports whether the kind is only for moderators.
func (k NotificationKind) ModeratorOnly() bool {
	return k == NotifyPendingAccount || k == NotifyNewFlag || k == NotifyConsentsGiven || k == NotifyConsentDeclined
}

// Notification is one thing a person should know.
type Notification struct {
	ID        int64            `db:"id" json:"id"`
	UserID    int64            `db:"user_id" json:"-"`
	Kind      NotificationKind `db:"kind" json:"kind"`
	ActorID   *int64           `db:"actor_id" json:"-"`
	ThreadID  *int64           `db:"thread_id" json:"thread_id,omitempty"`
	PostID    *int64           `db:"post_id" json:"post_id,omitempty"`
	SubjectID *int64           `db:"subject_id" json:"subject_id,omitempty"`
	CreatedAt time.Time        `db:"created_at" json:"created_at"`
	ReadAt    *time.Time       `db:"read_at" json:"read_at,omitempty"`
}

// notifyUsers records a notification of one kind for each listed account
// that may receive it, emits the live "notification" event of each and
// queues the e-mails of those who want them at once — all in tx, the
// caller's transaction, so a notification exists exactly when its cause does.
// recipients is a SELECT of user ids (aliased user_id) with its arguments;
// accounts that may not see the kind (MaySeeNotification), and hidden
// threads for non-moderators, are filtered here.
func (s *Store) notifyUsers(ctx context.Context, tx *sqlx.Tx, kind NotificationKind, actorID, threadID, postID, subjectID *int64,
	recipients string, args ...any) error {
	evs, err := s.notifyFirstKind(ctx, tx, []NotificationKind{kind}, actorID, threadID, postID, subjectID,
		`SELECT r.user_id, `+sqlLiteral(string(kind))+` AS kind, 1 AS rank FROM (`+recipients+`) r`, args...)
	if err != nil {
		return err
	}
	return s.emitAll(ctx, tx, evs)
}

// notifyFirstKind notifies each person once of something that concerns
// them in several ways: candidates is a SELECT of (user_id, kind, rank)
// rows, and each person gets the kind of lowest rank among those they may
// receive (MaySeeNotification, and not turned off). It makes, counts and
// queues them in one statement on Postgres, three on SQLite, whatever the
// number of kinds.
func (s *Store) notifyFirstKind(ctx context.Context, tx *sqlx.Tx, kinds []NotificationKind, actorID, threadID, postID, subjectID *int64,
	candidates string, args ...any) ([]topicEvent, error) {
	first, args := firstKindsSQL(kinds, actorID, threadID, candidates, args)
	insert := `INSERT INTO notifications (user_id, kind, actor_id, thread_id, post_id, subject_id, created_at)
		SELECT f.user_id, f.kind, ?, ?, ?, ?, ? FROM (` + first + `) f WHERE f.n = 1
		RETURNING id, user_id, kind`
	now := s.now()
	created, err := s.dialect.notify(ctx, s, tx, notifyStatement{
		insert: insert, args: append([]any{actorID, threadID, postID, subjectID, now}, args...),
		byMail: byMailSQL(kinds),
		now:    now,
	})
	if err != nil {
		return nil, fmt.Errorf("notify %s: %w", kinds[0], err)
	}
	// Each person's pages are told, with their unread count as of this
	// transaction.
	evs := make([]topicEvent, len(created))
	for i, n := range created {
		evs[i] = topicEvent{Topic: fmt.Sprintf("user:%d", n.UserID), Type: "notification",
			Payload: map[string]any{"notification_id": n.ID, "unread": n.Unread, "kind": n.Kind}}
	}
	return evs, nil
}

// firstKindsSQL selects, of candidates (a SELECT of user_id, kind, rank
// with its args), each person's rows that they may receive — they may see
// the kind now, have not turned it off, and are not the actor; a hidden
// thread's only if they moderate — numbered by rank in n: n = 1 is the
// kind they get.
func firstKindsSQL(kinds []NotificationKind, actorID, threadID *int64, candidates string, args []any) (string, []any) {
	return firstKindsText(kinds, actorID != nil, threadID != nil, candidates), firstKindsArgs(actorID, threadID, args)
}

// firstKindsText is firstKindsSQL's statement, which depends on whether
// there is an actor and a thread, not on which.
func firstKindsText(kinds []NotificationKind, withActor, withThread bool, candidates string) string {
	cond := audienceSQL(kinds, "c.kind")
	if withThread {
		cond += ` AND (u.role IN ('moderator', 'admin') OR NOT (SELECT hidden FROM threads WHERE id = ?))`
	}
	if withActor {
		cond += ` AND u.id <> ?`
	}
	return `SELECT c.user_id, c.kind, row_number() OVER (PARTITION BY c.user_id ORDER BY c.rank) AS n
		FROM (` + candidates + `) c JOIN users u ON u.id = c.user_id
		WHERE ` + cond + `
		AND COALESCE((SELECT channel FROM notification_prefs p WHERE p.user_id = c.user_id AND p.kind = c.kind), ` + defaultChannelSQL(kinds, "c.kind") + `) <> 'off'`
}

// firstKindsArgs is the candidates' args followed by firstKindsText's own.
func firstKindsArgs(actorID, threadID *int64, args []any) []any {
	if threadID != nil {
		args = append(args, *threadID)
	}
	if actorID != nil {
		args = append(args, *actorID)
	}
	return args
}

// byMailSQL is the condition on notification n, of one of kinds, that its
// mail leaves at once.
func byMailSQL(kinds []NotificationKind) string {
	return `COALESCE((SELECT channel FROM notification_prefs p WHERE p.user_id = n.user_id AND p.kind = n.kind), ` + defaultChannelSQL(kinds, "n.kind") + `) = 'email'`
}

// notifyStatement is the making of notifications: insert, an INSERT …
// RETURNING id, user_id, kind that makes at most one per person, with its
// args; byMail, the condition on notification n that its mail leaves at once.
type notifyStatement struct {
	insert string
	args   []any
	byMail string
	now    time.Time
}

// madeNotification is a notification just made, with its owner's unread
// count as of the transaction.
type madeNotification struct {
	ID     int64            `db:"id"`
	UserID int64            `db:"user_id"`
	Kind   NotificationKind `db:"kind"`
	Unread int              `db:"unread"`
}

// notify makes, counts and queues the notifications in one statement: the
// INSERT feeds the mail queue's, and each owner's unread count is what
// they had (the statement's snapshot), this one, and those this
// transaction made before, which the counts take at its commit (migration
// 0020): its events say how many. (Settling the counts here instead would
// take them before the topics, which the transaction takes at its commit:
// see number.)
func (postgresDialect) notify(ctx context.Context, s *Store, tx *sqlx.Tx, st notifyStatement) ([]madeNotification, error) {
	var made []madeNotification
	err := s.selectAll(ctx, tx, &made, `WITH made AS (`+st.insert+`),
		mail AS (INSERT INTO mail_outbox (user_id, kind, notification_id, created_at, next_attempt_at)
			SELECT n.user_id, n.kind, n.id, ?, ? FROM made n WHERE `+st.byMail+`)
		SELECT m.id, m.user_id, m.kind, 1 + (`+unreadOf("m.user_id")+`) AS unread FROM made m`,
		append(st.args, st.now, st.now)...)
	for i := range made {
		made[i].Unread += s.events.count(tx, fmt.Sprintf("user:%d", made[i].UserID), "notification")
	}
	return made, err
}

// notify makes the notifications, then counts the unread ones of those
// notified, then queues the mail: SQLite's statements cost no round trip.
func (sqliteDialect) notify(ctx context.Context, s *Store, tx *sqlx.Tx, st notifyStatement) ([]madeNotification, error) {
	var made []madeNotification
	if err := s.selectAll(ctx, tx, &made, st.insert, st.args...); err != nil || len(made) == 0 {
		return nil, err
	}
	ids, users := make([]int64, len(made)), make([]int64, len(made))
	for i, n := range made {
		ids[i], users[i] = n.ID, n.UserID
	}
	unread, err := s.unreadCounts(ctx, tx, users)
	if err != nil {
		return nil, err
	}
	for i := range made {
		made[i].Unread = unread[made[i].UserID]
	}
	query, args, err := sqlx.In(`INSERT INTO mail_outbox (user_id, kind, notification_id, created_at, next_attempt_at)
		SELECT n.user_id, n.kind, n.id, ?, ? FROM notifications n WHERE n.id IN (?) AND `+st.byMail, st.now, st.now, ids)
	if err != nil {
		return nil, err
	}
	if _, err := s.exec(ctx, tx, query, args...); err != nil {
		return nil, fmt.Errorf("queue mail: %w", err)
	}
	return made, nil
}

// defaultChannelSQL is DefaultChannel of the kind held in kindCol, one of kinds.
func defaultChannelSQL(kinds []NotificationKind, kindCol string) string {
	if len(kinds) == 1 {
		return sqlLiteral(string(DefaultChannel(kinds[0])))
	}
	var b strings.Builder
	b.WriteString("CASE " + kindCol)
	for _, k := range kinds {
		fmt.Fprintf(&b, " WHEN %s THEN %s", sqlLiteral(string(k)), sqlLiteral(string(DefaultChannel(k))))
	}
	b.WriteString(" END")
	return b.String()
}

// emitUnread tells a person's pages of a change to their notifications,
// with the unread count as of this transaction, so that a badge shows the
// right number even if it missed or doubled an event.
func (s *Store) emitUnread(ctx context.Context, q querier, userID int64, typ string, id int64, kind NotificationKind) error {
	unread, err := s.unreadCount(ctx, q, userID)
	if err != nil {
		return err
	}
	payload := map[string]any{"notification_id": id, "unread": unread}
	if kind != "" {
		payload["kind"] = kind
	}
	return s.emit(ctx, q, fmt.Sprintf("user:%d", userID), typ, payload)
}

func ptr(id int64) *int64 {
	if id == 0 {
		return nil
	}
	return &id
}

// notifyPost tells, of a new post, the people it mentions, the thread's
// author if they still watch it, and the others who watch it (not those
// who muted it, nor the post's author); each hears of it once, as the
// first of these that applies: the kinds have their own defaults. Their
// live events come back, for the post's own batch.
func (s *Store) notifyPost(ctx context.Context, tx *sqlx.Tx, authorID, threadID, postID int64) ([]topicEvent, error) {
	return s.notifyFirstKind(ctx, tx, postNoticeKinds, ptr(authorID), ptr(threadID), ptr(postID), nil,
		`SELECT user_id, 'mention' AS kind, 1 AS rank FROM post_mentions WHERE post_id = ?
		UNION ALL `+postWatchers, postID, threadID, threadID)
}

// postNoticeKinds are what a new post may be to each person, first first.
var postNoticeKinds = []NotificationKind{NotifyMention, NotifyThreadReply, NotifyReply}

// postWatchers are the candidates to hear of a new post in thread ? (given
// twice) for watching it: as its author (rank 2) or not (rank 3).
const postWatchers = `SELECT w.user_id, 'thread_reply' AS kind, 2 AS rank FROM watches w JOIN threads t ON t.id = w.target_id AND t.author_id = w.user_id
		WHERE w.target_type = 'thread' AND w.target_id = ? AND w.level = 'watch'
		UNION ALL
		SELECT w.user_id, 'reply' AS kind, 3 AS rank FROM watches w JOIN threads t ON t.id = w.target_id AND t.author_id <> w.user_id
		WHERE w.target_type = 'thread' AND w.target_id = ? AND w.level = 'watch'`

// notifyThread tells the watchers of a theme of a new thread in it.
func (s *Store) notifyThread(ctx context.Context, tx *sqlx.Tx, authorID, threadID, themeID int64) error {
	return s.notifyUsers(ctx, tx, NotifyNewThread, ptr(authorID), ptr(threadID), nil, nil,
		`SELECT user_id FROM watches WHERE target_type = 'theme' AND target_id = ? AND level = 'watch'`, themeID)
}

// notifyModerators tells every moderator of something awaiting them.
func (s *Store) notifyModerators(ctx context.Context, tx *sqlx.Tx, kind NotificationKind, actorID, threadID, postID, subjectID int64) error {
	return s.notifyUsers(ctx, tx, kind, ptr(actorID), ptr(threadID), ptr(postID), ptr(subjectID),
		`SELECT id AS user_id FROM users WHERE role IN ('moderator', 'admin')`)
}

// notifyUser tells one person.
func (s *Store) notifyUser(ctx context.Context, tx *sqlx.Tx, kind NotificationKind, userID, actorID, threadID, postID, subjectID int64) error {
	return s.notifyUsers(ctx, tx, kind, ptr(actorID), ptr(threadID), ptr(postID), ptr(subjectID),
		`SELECT id AS user_id FROM users WHERE id = ?`, userID)
}
