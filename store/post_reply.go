package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"
)

// createPost is CreatePost in a transaction of several statements:
// SQLite's cost no round trip.
func (sqliteDialect) createPost(ctx context.Context, s *Store, np NewPost) (*CommittedPost, error) {
	return s.createPostInTx(ctx, np)
}

// createPost writes a reply without files as one statement, which is its
// own transaction: the post, its mentions, its author's watch, the
// notifications and their mail, the thread's counters and the live events
// are data-modifying CTEs fed by the post's INSERT. Each statement of a
// transaction is a round trip that the author waits for, and a reply was
// nine; it is now this one and the diagnosis of a refusal. A reply with
// files takes the transaction, as on SQLite: they are checked and moved
// one by one.
func (postgresDialect) createPost(ctx context.Context, s *Store, np NewPost) (*CommittedPost, error) {
	if len(np.Attachments) > 0 {
		return s.createPostInTx(ctx, np)
	}
	now := s.now()
	query, args := replyQuery(np, now)
	var row replyRow
	err := s.dialect.translate(s.replies.stmts.get(ctx, s.replies.db, &row, query, args...))
	if isNoRows(err) {
		// Nothing written: say why, asked in the order the transaction's
		// path meets it.
		if err := s.checkQuote(ctx, s.db, np); err != nil {
			return nil, err
		}
		return nil, s.notOpen(ctx, s.db, np.ThreadID)
	}
	if err != nil {
		return nil, fmt.Errorf("create post: %w", err)
	}
	var numbered []struct {
		ID      int64  `json:"id"`
		Topic   string `json:"topic"`
		Seq     int64  `json:"seq"`
		Type    string `json:"type"`
		Payload string `json:"payload"`
	}
	// A reply touches no account, session or token: the credentials kept
	// for a second (credential_cache.go) stay good, and a client posting
	// reply after reply does not read its token again each time.
	s.writes.Add(1)
	c := &CommittedPost{Post: row.Post, Attribution: row.Attribution, ThreadHidden: row.Hidden}
	if err := json.Unmarshal([]byte(row.Events.String), &numbered); err != nil {
		// Saved, so no error: its author must not send it again. Live
		// clients catch up from the table at their next gap or reconnect,
		// as after a lost message.
		slog.Error("reply saved, its live events not read back", "post", c.Post.ID, "err", err)
		return c, nil
	}
	evs := make([]LiveEvent, len(numbered))
	for i, n := range numbered {
		evs[i] = LiveEvent{ID: n.ID, Topic: n.Topic, Seq: n.Seq, Type: n.Type, Payload: n.Payload, CreatedAt: now}
		if n.Type == "post.created" {
			committed := *c
			evs[i].Post = &committed
		}
	}
	s.events.deliver(evs)
	return c, nil
}

// replyRow is what the reply statement returns.
type replyRow struct {
	Post
	Attribution Attribution    `db:"thread_attribution"`
	Hidden      bool           `db:"thread_hidden"`
	Events      sql.NullString `db:"events"`
}

// replyQuery is the reply statement for np and its arguments.
func replyQuery(np NewPost, now time.Time) (string, []any) {
	mentions := bigintArray(np.Mentions)
	args := []any{np.Author.ID, np.Author.OrganisationID, np.Body, np.HTML, np.QuotePostID, now, FoldSearch(np.Body),
		np.ThreadID, np.Author.IsModerator(), np.QuotePostID, np.QuotePostID, mentions}
	args = append(args, firstKindsArgs(&np.Author.ID, &np.ThreadID, []any{mentions, np.ThreadID, np.ThreadID})...)
	args = append(args, now, now, now)
	return replySQL(), args
}

// replyCandidates are the people a reply may notify (firstKindsSQL's
// candidates): those it names, then the thread's watchers.
const replyCandidates = `SELECT m.user_id, 'mention' AS kind, 1 AS rank FROM unnest(CAST(? AS BIGINT[])) AS m (user_id)
		UNION ALL ` + postWatchers

// replySQL is the reply's statement. Its text is the same for every reply,
// and building it (the notification rights spelt out per role and kind)
// cost more CPU than the rest of the request's SQL: it is built once.
var replySQL = sync.OnceValue(func() string {
	return replyStatement(firstKindsText(postNoticeKinds, true, true, replyCandidates))
})

// replyStatement is the reply's one statement around first, the ranked
// notification candidates (firstKindsSQL). Every CTE hangs on p, so that
// a refused INSERT writes nothing at all. The events' payloads are written
// as encoding/json writes them from the maps of the transaction's path,
// so a live client cannot tell the two apart. Topics are locked in their
// bytewise order, the one every other change takes them in (number), so
// that changes cannot deadlock; the thread's row before them, as the
// transactions' path does.
func replyStatement(first string) string {
	eventJSON := `json_build_object('id', e.id, 'topic', e.topic, 'seq', e.seq, 'type', e.type, 'payload', e.payload)`
	return `WITH p AS (
		INSERT INTO posts (thread_id, author_id, organisation_id, body, html, quote_post_id, created_at, search_title, search_body)
		SELECT t.id, ?, ?, ?, ?, ?, ?, '', ? FROM threads t
		WHERE t.id = ? AND (? OR NOT (t.locked OR t.hidden))
		AND (CAST(? AS BIGINT) IS NULL OR EXISTS (SELECT 1 FROM posts q WHERE q.id = ? AND q.thread_id = t.id))` + postReturning + `),
	mention AS (INSERT INTO post_mentions (post_id, user_id) SELECT p.id, m.user_id FROM p, unnest(CAST(? AS BIGINT[])) AS m (user_id)
		ON CONFLICT (post_id, user_id) DO NOTHING),
	watch AS (INSERT INTO watches (user_id, target_type, target_id, level, created_at) SELECT p.author_id, 'thread', p.thread_id, 'watch', p.created_at FROM p
		ON CONFLICT (user_id, target_type, target_id) DO NOTHING),
	made AS (INSERT INTO notifications (user_id, kind, actor_id, thread_id, post_id, subject_id, created_at)
		SELECT f.user_id, f.kind, p.author_id, p.thread_id, p.id, NULL, p.created_at FROM p, (` + first + `) f WHERE f.n = 1
		RETURNING id, user_id, kind),
	mail AS (INSERT INTO mail_outbox (user_id, kind, notification_id, created_at, next_attempt_at)
		SELECT n.user_id, n.kind, n.id, ?, ? FROM made n WHERE ` + byMailSQL(postNoticeKinds) + `),
	thread AS (UPDATE threads SET post_count = post_count + 1, last_post_id = p.id, last_post_at = p.created_at, updated_at = p.created_at
		FROM p WHERE threads.id = p.thread_id RETURNING threads.id, threads.theme_id, threads.attribution, threads.hidden),
	ev AS (
		SELECT 0 AS ord, 'thread:' || p.thread_id AS topic, 'post.created' AS type,
			'{"post_id":' || p.id || ',"thread_id":' || p.thread_id || '}' AS payload FROM p
		UNION ALL SELECT 1, 'theme:' || t.theme_id, 'thread.updated', '{"theme_id":' || t.theme_id || ',"thread_id":' || t.id || '}' FROM thread t
		UNION ALL SELECT 2, 'forum', 'thread.updated', '{"theme_id":' || t.theme_id || ',"thread_id":' || t.id || '}' FROM thread t
		UNION ALL SELECT 3, 'user:' || m.user_id, 'notification',
			'{"kind":"' || m.kind || '","notification_id":' || m.id || ',"unread":' || (1 + (` + unreadOf("m.user_id") + `)) || '}' FROM made m),
	seq AS (INSERT INTO topic_seqs (topic, last_seq) SELECT topic, 1 FROM ev ORDER BY topic COLLATE "C"
		ON CONFLICT (topic) DO UPDATE SET last_seq = topic_seqs.last_seq + 1 RETURNING topic, last_seq),
	e AS (INSERT INTO live_events (topic, seq, type, payload, created_at)
		SELECT ev.topic, seq.last_seq, ev.type, ev.payload, ? FROM ev JOIN seq ON seq.topic = ev.topic RETURNING id, topic, seq, type, payload)
	SELECT p.*, t.attribution AS thread_attribution, t.hidden AS thread_hidden,
		(SELECT json_agg(` + eventJSON + ` ORDER BY ev.ord, e.topic) FROM e JOIN ev ON ev.topic = e.topic) AS events
	FROM p JOIN thread t ON t.id = p.thread_id`
}

// bigintArray writes ids as a Postgres array literal, for CAST(? AS BIGINT[]).
func bigintArray(ids []int64) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = strconv.FormatInt(id, 10)
	}
	return "{" + strings.Join(parts, ",") + "}"
}
