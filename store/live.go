package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
)

// inListChunk bounds the ids bound into one IN (…) list.
const inListChunk = 500

// LiveEvent is one change a live client may need to see, kept in order per
// topic ("thread:42", "theme:3", "forum", "documents", "user:7").
type LiveEvent struct {
	ID        int64     `db:"id" json:"-"`
	Topic     string    `db:"topic" json:"topic"`
	Seq       int64     `db:"seq" json:"seq"`
	Type      string    `db:"type" json:"type"`
	Payload   string    `db:"payload" json:"-"`
	CreatedAt time.Time `db:"created_at" json:"-"`
	// Post is, for a post.created event written with its post at hand,
	// that post as its transaction committed it: the live hub draws its
	// readers' views from it without reading it back. It is never stored:
	// an event read again (a replay, a gap filled) is drawn from the
	// database as it stands then.
	Post *CommittedPost `db:"-" json:"-"`
}

// CommittedPost is a new post as committed, with what its readers' views
// need of its thread, read under the thread's row lock in the same
// transaction.
type CommittedPost struct {
	Post         Post        `json:"post"`
	Attribution  Attribution `json:"attribution"`
	ThreadHidden bool        `json:"thread_hidden"`
}

// emit records an event of the change it describes, with the next
// sequence number of its topic, taken at the commit of the transaction q
// (at once outside one). The upsert on topic_seqs serialises writers of
// one topic, so numbers never repeat or go back. What an event carries
// are ids: readers' views are built when it is sent, so that each gets
// only what they may read.
func (s *Store) emit(ctx context.Context, q querier, topic, typ string, payload any) error {
	return s.emitAll(ctx, q, []topicEvent{{Topic: topic, Type: typ, Payload: payload}})
}

// EventAccountChanged tells live connections of a person (topic
// "user:{id}") that their sessions, tokens, role or status changed, so
// that rights are checked again before anything else is sent to them.
const EventAccountChanged = "account.changed"

func (s *Store) accountChanged(ctx context.Context, q querier, userID int64) error {
	return s.emit(ctx, q, fmt.Sprintf("user:%d", userID), EventAccountChanged, map[string]any{"user_id": userID})
}

// EventsSince returns a topic's events after seq, oldest first, at most limit.
func (s *Store) EventsSince(ctx context.Context, topic string, seq int64, limit int) ([]LiveEvent, error) {
	var out []LiveEvent
	if err := s.selectAll(ctx, s.db, &out, `SELECT id, topic, seq, type, payload, created_at FROM live_events
		WHERE topic = ? AND seq > ? ORDER BY seq LIMIT ?`, topic, seq, limit); err != nil {
		return nil, fmt.Errorf("events since: %w", err)
	}
	return out, nil
}

// TopicSeq is the last sequence number of a topic (0 when it has none).
func (s *Store) TopicSeq(ctx context.Context, topic string) (int64, error) {
	var seq int64
	err := s.get(ctx, s.db, &seq, `SELECT last_seq FROM topic_seqs WHERE topic = ?`, topic)
	if isNoRows(err) {
		return 0, nil
	}
	return seq, err
}

// TopicSeqs is the last sequence number of each of the given topics that has any.
func (s *Store) TopicSeqs(ctx context.Context, topics []string) (map[string]int64, error) {
	out := make(map[string]int64, len(topics))
	for start := 0; start < len(topics); start += inListChunk {
		chunk := topics[start:min(start+inListChunk, len(topics))]
		query, args, err := sqlx.In(`SELECT topic, last_seq FROM topic_seqs WHERE topic IN (?)`, chunk)
		if err != nil {
			return nil, fmt.Errorf("topic seqs: %w", err)
		}
		var rows []struct {
			Topic string `db:"topic"`
			Seq   int64  `db:"last_seq"`
		}
		if err := s.selectAll(ctx, s.db, &rows, query, args...); err != nil {
			return nil, fmt.Errorf("topic seqs: %w", err)
		}
		for _, r := range rows {
			out[r.Topic] = r.Seq
		}
	}
	return out, nil
}

// PurgeEvents drops events older than the retention; a client that comes
// back later than that is told to reload instead of replaying.
func (s *Store) PurgeEvents(ctx context.Context, retention time.Duration) (int64, error) {
	n, err := s.exec(ctx, s.db, `DELETE FROM live_events WHERE created_at < ?`, s.now().Add(-retention))
	if err != nil {
		return 0, fmt.Errorf("purge events: %w", err)
	}
	return n, nil
}
