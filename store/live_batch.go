package store

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// topicEvent is an event to be emitted, before it has its seq and id.
type topicEvent struct {
	Topic, Type string
	Payload     any
	// post goes with the event to the hub (LiveEvent.Post), not to the table.
	post *CommittedPost
}

// emitBatch bounds the topics numbered by one statement: a reply with many
// watchers must not make a statement of unbounded length, nor one
// prepared statement per number of watchers.
const emitBatch = 16

// emitAll records events as emit does, a batch of topics in one statement
// on Postgres (two on SQLite) instead of two per topic: a reply tells its
// thread, its theme, the forum and each person notified, and on Postgres
// each statement is a round trip that the reply's author waits for. The
// topics of one call must differ (one statement cannot move a topic's seq
// twice); events of one topic are emitted one by one, in order.
func (s *Store) emitAll(ctx context.Context, q querier, evs []topicEvent) error {
	for len(evs) > 0 {
		n := 0
		seen := map[string]bool{}
		for n < len(evs) && n < emitBatch && !seen[evs[n].Topic] {
			seen[evs[n].Topic] = true
			n++
		}
		if _, err := s.emitBatch(ctx, q, evs[:n]); err != nil {
			return err
		}
		evs = evs[n:]
	}
	return nil
}

// emitBatch records events of distinct topics, numbered and stored in as
// few statements as the engine allows (dialect numberEvents).
func (s *Store) emitBatch(ctx context.Context, q querier, evs []topicEvent) ([]LiveEvent, error) {
	now := s.now()
	out := make([]LiveEvent, len(evs))
	topics := make([]string, len(evs))
	for i, e := range evs {
		body, err := json.Marshal(e.Payload)
		if err != nil {
			return nil, fmt.Errorf("emit %s: %w", e.Type, err)
		}
		out[i] = LiveEvent{Topic: e.Topic, Type: e.Type, Payload: string(body), CreatedAt: now, Post: e.post}
		topics[i] = e.Topic
	}
	// Topics' rows are locked in the order of the VALUES: always the same
	// order, so that two replies telling the same people cannot deadlock.
	slices.Sort(topics)
	numbered, err := s.dialect.numberEvents(ctx, s, q, out, topics)
	if err != nil {
		return nil, fmt.Errorf("emit %s: %w", out[0].Type, err)
	}
	for i := range out {
		n, ok := numbered[out[i].Topic]
		if !ok {
			return nil, fmt.Errorf("emit %s: no seq for topic %s", out[i].Type, out[i].Topic)
		}
		out[i].ID, out[i].Seq = n.ID, n.Seq
	}
	s.writes.Add(1)
	for i := range out {
		s.events.add(q, out[i])
	}
	return out, nil
}

// numberedEvent is where an event was stored: its row and its topic's seq.
type numberedEvent struct {
	ID    int64  `db:"id"`
	Topic string `db:"topic"`
	Seq   int64  `db:"seq"`
}

// numberEvents takes the next seq of each topic and stores the events in
// one statement: the counters' upsert feeds the events' INSERT.
func (postgresDialect) numberEvents(ctx context.Context, s *Store, q querier, evs []LiveEvent, topics []string) (map[string]numberedEvent, error) {
	args := make([]any, 0, len(topics)+4*len(evs))
	for _, t := range topics {
		args = append(args, t)
	}
	for _, e := range evs {
		args = append(args, e.Topic, e.Type, e.Payload, e.CreatedAt)
	}
	var got []numberedEvent
	if err := s.selectAll(ctx, q, &got, `WITH n AS (INSERT INTO topic_seqs (topic, last_seq) VALUES `+rows("(?, 1)", len(topics))+`
		ON CONFLICT (topic) DO UPDATE SET last_seq = topic_seqs.last_seq + 1 RETURNING topic, last_seq)
		INSERT INTO live_events (topic, seq, type, payload, created_at)
		SELECT e.topic, n.last_seq, e.type, e.payload, e.created_at FROM (VALUES `+
		rows("(CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS TIMESTAMPTZ))", len(evs))+`) AS e (topic, type, payload, created_at)
		JOIN n ON n.topic = e.topic RETURNING id, topic, seq`, args...); err != nil {
		return nil, err
	}
	return byTopic(got), nil
}

// numberEvents takes the next seq of each topic, then stores the events:
// SQLite has no INSERT inside WITH, and its statements cost no round trip.
func (sqliteDialect) numberEvents(ctx context.Context, s *Store, q querier, evs []LiveEvent, topics []string) (map[string]numberedEvent, error) {
	args := make([]any, len(topics))
	for i, t := range topics {
		args[i] = t
	}
	var seqs []numberedEvent
	if err := s.selectAll(ctx, q, &seqs, `INSERT INTO topic_seqs (topic, last_seq) VALUES `+rows("(?, 1)", len(topics))+`
		ON CONFLICT (topic) DO UPDATE SET last_seq = topic_seqs.last_seq + 1 RETURNING topic, last_seq AS seq`, args...); err != nil {
		return nil, err
	}
	seqOf := byTopic(seqs)
	args = make([]any, 0, 5*len(evs))
	for _, e := range evs {
		args = append(args, e.Topic, seqOf[e.Topic].Seq, e.Type, e.Payload, e.CreatedAt)
	}
	var got []numberedEvent
	if err := s.selectAll(ctx, q, &got, `INSERT INTO live_events (topic, seq, type, payload, created_at) VALUES `+rows("(?, ?, ?, ?, ?)", len(evs))+
		` RETURNING id, topic, seq`, args...); err != nil {
		return nil, err
	}
	return byTopic(got), nil
}

func byTopic(evs []numberedEvent) map[string]numberedEvent {
	m := make(map[string]numberedEvent, len(evs))
	for _, e := range evs {
		m[e.Topic] = e
	}
	return m
}

// rows repeats a VALUES row n times, comma-separated.
func rows(row string, n int) string {
	return strings.TrimSuffix(strings.Repeat(row+", ", n), ", ")
}
