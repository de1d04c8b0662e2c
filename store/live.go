package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// LiveEvent is one change a live client may need to see, kept in order per
// topic ("thread:42", "theme:3", "forum", "documents", "user:7").
type LiveEvent struct {
	ID        int64     `db:"id" json:"-"`
	Topic     string    `db:"topic" json:"topic"`
	Seq       int64     `db:"seq" json:"seq"`
	Type      string    `db:"type" json:"type"`
	Payload   string    `db:"payload" json:"-"`
	CreatedAt time.Time `db:"created_at" json:"-"`
}

// emit records an event inside the transaction of the change it describes,
// with the next sequence number of its topic. The upsert on topic_seqs
// serialises writers of one topic, so numbers never repeat or go back.
// What an event carries are ids: readers' views are built when it is sent,
// so that each gets only what they may read.
func (s *Store) emit(ctx context.Context, q querier, topic, typ string, payload any) (*LiveEvent, error) {
	body, err := json.Marshal(payload)
	if err != nil {
		return nil, fmt.Errorf("emit %s: %w", typ, err)
	}
	ev := LiveEvent{Topic: topic, Type: typ, Payload: string(body), CreatedAt: s.now()}
	if err := s.get(ctx, q, &ev.Seq, `INSERT INTO topic_seqs (topic, last_seq) VALUES (?, 1)
		ON CONFLICT (topic) DO UPDATE SET last_seq = topic_seqs.last_seq + 1 RETURNING last_seq`, topic); err != nil {
		return nil, fmt.Errorf("emit %s: %w", typ, err)
	}
	id, err := s.insert(ctx, q, `INSERT INTO live_events (topic, seq, type, payload, created_at) VALUES (?, ?, ?, ?, ?)`,
		ev.Topic, ev.Seq, ev.Type, ev.Payload, ev.CreatedAt)
	if err != nil {
		return nil, fmt.Errorf("emit %s: %w", typ, err)
	}
	ev.ID = id
	return &ev, nil
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
