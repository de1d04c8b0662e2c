package store

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/jmoiron/sqlx"
)

// topicEvent is an event to be emitted, before it has its seq and id.
type topicEvent struct {
	Topic, Type string
	Payload     any
	// post goes with the event to the hub (LiveEvent.Post), not to the table.
	post *CommittedPost
}

// emitBatch bounds the topics numbered by one statement: a change that
// tells many people must not make a statement of unbounded length, nor
// one prepared statement per number of people.
const emitBatch = 16

// emitAll records events as emit does. Inside a transaction they wait for
// its commit (numberPending); otherwise they are numbered and sent now.
func (s *Store) emitAll(ctx context.Context, q querier, evs []topicEvent) error {
	now := s.now()
	out := make([]LiveEvent, len(evs))
	for i, e := range evs {
		body, err := json.Marshal(e.Payload)
		if err != nil {
			return fmt.Errorf("emit %s: %w", e.Type, err)
		}
		out[i] = LiveEvent{Topic: e.Topic, Type: e.Type, Payload: string(body), CreatedAt: now, Post: e.post}
	}
	if tx, ok := q.(*sqlx.Tx); ok {
		s.events.queue(tx, out)
		return nil
	}
	if err := s.number(ctx, q, out); err != nil {
		return err
	}
	s.events.deliver(out)
	return nil
}

// numberPending numbers the events tx emitted, just before its commit.
func (s *Store) numberPending(ctx context.Context, tx *sqlx.Tx) error {
	return s.number(ctx, tx, s.events.queued(tx))
}

// number gives each event, in place, the next seq of its topic and stores
// it, a batch of distinct topics per statement on Postgres (two on
// SQLite). The topics' rows are locked in topic order across the batches
// (a topic's later events start the next batch): every change takes them
// in that one order — a reply's one statement too — so that two changes
// telling the same people cannot deadlock. Events of one topic are
// numbered in the order they were emitted.
func (s *Store) number(ctx context.Context, q querier, evs []LiveEvent) error {
	order := make([]int, len(evs))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return strings.Compare(evs[a].Topic, evs[b].Topic) })
	for len(order) > 0 {
		n := 1
		for n < len(order) && n < emitBatch && evs[order[n]].Topic != evs[order[n-1]].Topic {
			n++
		}
		batch := make([]LiveEvent, n)
		topics := make([]string, n)
		for i, j := range order[:n] {
			batch[i], topics[i] = evs[j], evs[j].Topic
		}
		numbered, err := s.dialect.numberEvents(ctx, s, q, batch, topics)
		if err != nil {
			return fmt.Errorf("emit %s: %w", batch[0].Type, err)
		}
		for _, j := range order[:n] {
			got, ok := numbered[evs[j].Topic]
			if !ok {
				return fmt.Errorf("emit %s: no seq for topic %s", evs[j].Type, evs[j].Topic)
			}
			evs[j].ID, evs[j].Seq = got.ID, got.Seq
		}
		order = order[n:]
	}
	s.wrote()
	return nil
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
