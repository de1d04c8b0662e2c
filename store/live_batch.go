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

// emitAll records events as emit does, a batch of topics in two statements
// instead of two per topic: a reply tells its thread, its theme, the forum
// and each person notified, and on Postgres each statement is a round trip
// that the reply's author waits for. The topics of one call must differ
// (one statement cannot move a topic's seq twice); events of one topic
// are emitted one by one, in order.
func (s *Store) emitAll(ctx context.Context, q querier, evs []topicEvent) error {
	for len(evs) > 0 {
		n := 0
		seen := map[string]bool{}
		for n < len(evs) && n < emitBatch && !seen[evs[n].Topic] {
			seen[evs[n].Topic] = true
			n++
		}
		if err := s.emitBatch(ctx, q, evs[:n]); err != nil {
			return err
		}
		evs = evs[n:]
	}
	return nil
}

func (s *Store) emitBatch(ctx context.Context, q querier, evs []topicEvent) error {
	if len(evs) == 1 {
		_, err := s.emitEvent(ctx, q, evs[0])
		return err
	}
	now := s.now()
	out := make([]LiveEvent, len(evs))
	topics := make([]string, len(evs))
	for i, e := range evs {
		body, err := json.Marshal(e.Payload)
		if err != nil {
			return fmt.Errorf("emit %s: %w", e.Type, err)
		}
		out[i] = LiveEvent{Topic: e.Topic, Type: e.Type, Payload: string(body), CreatedAt: now, Post: e.post}
		topics[i] = e.Topic
	}
	// Topics' rows are locked in the order of the VALUES: always the same
	// order, so that two replies telling the same people cannot deadlock.
	slices.Sort(topics)
	seqArgs := make([]any, len(topics))
	for i, t := range topics {
		seqArgs[i] = t
	}
	var seqs []struct {
		Topic string `db:"topic"`
		Seq   int64  `db:"last_seq"`
	}
	if err := s.selectAll(ctx, q, &seqs, `INSERT INTO topic_seqs (topic, last_seq) VALUES `+rows("(?, 1)", len(evs))+`
		ON CONFLICT (topic) DO UPDATE SET last_seq = topic_seqs.last_seq + 1 RETURNING topic, last_seq`, seqArgs...); err != nil {
		return fmt.Errorf("emit: %w", err)
	}
	seqOf := make(map[string]int64, len(seqs))
	for _, r := range seqs {
		seqOf[r.Topic] = r.Seq
	}
	eventArgs := make([]any, 0, 5*len(evs))
	for i := range out {
		seq, ok := seqOf[out[i].Topic]
		if !ok {
			return fmt.Errorf("emit %s: no seq for topic %s", out[i].Type, out[i].Topic)
		}
		out[i].Seq = seq
		eventArgs = append(eventArgs, out[i].Topic, out[i].Seq, out[i].Type, out[i].Payload, out[i].CreatedAt)
	}
	var ids []struct {
		ID    int64  `db:"id"`
		Topic string `db:"topic"`
	}
	if err := s.selectAll(ctx, q, &ids, `INSERT INTO live_events (topic, seq, type, payload, created_at) VALUES `+rows("(?, ?, ?, ?, ?)", len(out))+
		` RETURNING id, topic`, eventArgs...); err != nil {
		return fmt.Errorf("emit: %w", err)
	}
	idOf := make(map[string]int64, len(ids))
	for _, r := range ids {
		idOf[r.Topic] = r.ID
	}
	s.writes.Add(1)
	for i := range out {
		out[i].ID = idOf[out[i].Topic]
		s.events.add(q, out[i])
	}
	return nil
}

// rows repeats a VALUES row n times, comma-separated.
func rows(row string, n int) string {
	return strings.TrimSuffix(strings.Repeat(row+", ", n), ", ")
}
