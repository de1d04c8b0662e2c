package live

import (
	"context"
	"errors"
)

// subscribe adds c to a topic after replaying what it missed since the
// given seq. Replay and the switch to live happen under the topic's lock,
// so no event falls between them and none comes twice.
func (h *Hub) subscribe(ctx context.Context, c *Conn, name string, parsed Topic, since *int64) {
	if err := h.opts.Rights.CanSubscribe(ctx, c.User(), parsed); err != nil {
		code, text := "forbidden", "You may not follow this topic."
		if !errors.Is(err, ErrForbidden) {
			code, text = "unavailable", "This topic cannot be followed right now."
			h.opts.Log.Warn("live: subscribe", "topic", name, "error", err)
		}
		c.enqueue(plainFrame(serverMessage{Type: "error", Topic: name, Code: code, Message: text}))
		return
	}
	if !c.addTopic(name, h.opts.MaxTopics) {
		c.enqueue(plainFrame(serverMessage{Type: "error", Topic: name, Code: "too_many_topics", Message: "Too many topics on one connection."}))
		return
	}
	t, err := h.joinTopic(ctx, name, parsed)
	if err != nil {
		c.removeTopic(name)
		h.opts.Log.Warn("live: subscribe", "topic", name, "error", err)
		c.enqueue(plainFrame(serverMessage{Type: "error", Topic: name, Code: "unavailable", Message: "This topic cannot be followed right now."}))
		return
	}
	defer t.mu.Unlock()
	c.enqueue(subscribedFrame(name, t.last))
	if since != nil {
		h.replay(ctx, c, t, *since)
	}
	if _, already := t.subs[c]; !already {
		t.subs[c] = struct{}{}
		h.metrics.subscriptions.Inc()
		if parsed.Kind == TopicThread {
			h.presence.join(ctx, c, t)
		}
	}
}

// joinTopic returns the topic, created if need be, locked.
func (h *Hub) joinTopic(ctx context.Context, name string, parsed Topic) (*topic, error) {
	for {
		h.mu.Lock()
		t := h.topics[name]
		if t == nil {
			t = &topic{name: name, parsed: parsed, subs: map[*Conn]struct{}{}, last: -1}
			h.topics[name] = t
		}
		h.mu.Unlock()
		t.mu.Lock()
		if t.dead {
			t.mu.Unlock()
			continue
		}
		if t.last < 0 {
			seqs, err := h.opts.Events.TopicSeqs(ctx, []string{name})
			if err != nil {
				h.dropIfEmpty(t)
				t.mu.Unlock()
				return nil, err
			}
			t.last = seqs[name]
		}
		return t, nil
	}
}

// replay queues for c the events after since, up to where the topic's
// other subscribers are. Called with t.mu held.
func (h *Hub) replay(ctx context.Context, c *Conn, t *topic, since int64) {
	if !h.replayAllowed(c, t, since) {
		return
	}
	if since == t.last {
		return
	}
	reset := plainFrame(serverMessage{Type: "reset", Topic: t.name})
	if since > t.last {
		// The client knows of events the database does not: it was restored.
		c.enqueue(reset)
		return
	}
	// Where the topic stands in the database, read before anything is
	// rendered: a cached view is reused only if nothing changed since.
	seqs, err := h.opts.Events.TopicSeqs(ctx, []string{t.name})
	if err != nil {
		h.opts.Log.Warn("live: replay", "topic", t.name, "error", err)
		c.enqueue(reset)
		return
	}
	now := seqs[t.name]
	evs, err := h.opts.Events.EventsSince(ctx, t.name, since, h.opts.MaxReplay+1)
	if err != nil {
		h.opts.Log.Warn("live: replay", "topic", t.name, "error", err)
		c.enqueue(reset)
		return
	}
	for len(evs) > 0 && evs[len(evs)-1].Seq > t.last {
		evs = evs[:len(evs)-1]
	}
	if len(evs) == 0 || evs[0].Seq != since+1 || len(evs) > h.opts.MaxReplay {
		c.enqueue(reset)
		return
	}
	h.metrics.replayed.Add(float64(len(evs)))
	u := c.User()
	var batch batchFrame
	for _, ev := range evs {
		v, err := h.view(ctx, ev, now)
		if err != nil {
			h.opts.Log.Warn("live: replay", "topic", t.name, "error", err)
			c.enqueue(reset)
			return
		}
		if f := v.For(u); f != nil {
			if full := batch.add(f); full != nil {
				c.enqueue(full)
			}
		}
	}
	if f := batch.frame(); f != nil {
		c.enqueue(f)
	}
}

// unsubscribe removes c from a topic; the last one out drops it.
func (h *Hub) unsubscribe(c *Conn, name string) {
	if !c.removeTopic(name) {
		return
	}
	t := h.topic(name)
	if t == nil {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if _, ok := t.subs[c]; ok {
		delete(t.subs, c)
		h.metrics.subscriptions.Dec()
		if t.parsed.Kind == TopicThread {
			h.presence.leave(c, t)
		}
	}
	h.dropIfEmpty(t)
}

// dropIfEmpty forgets a topic nobody here follows. Called with t.mu held.
func (h *Hub) dropIfEmpty(t *topic) {
	if len(t.subs) > 0 {
		return
	}
	h.mu.Lock()
	if h.topics[t.name] == t {
		delete(h.topics, t.name)
	}
	h.mu.Unlock()
	t.dead = true
}

// batchFrame joins replayed messages into frames of up to maxBatch bytes:
// the protocol lets one frame carry several messages, one per line, so a
// long catch-up does not fill the send queue.
type batchFrame struct{ buf []byte }

const maxBatch = 32 << 10

func (b *batchFrame) add(f *Frame) *Frame {
	var out *Frame
	if len(b.buf) > 0 && len(b.buf)+1+len(f.data) > maxBatch {
		out = b.frame()
	}
	if len(b.buf) > 0 {
		b.buf = append(b.buf, '\n')
	}
	b.buf = append(b.buf, f.data...)
	return out
}

func (b *batchFrame) frame() *Frame {
	if len(b.buf) == 0 {
		return nil
	}
	f := &Frame{data: b.buf}
	b.buf = nil
	return f
}
