package live

import (
	"cmp"
	"context"
	"slices"
	"sync"
	"time"
)

const (
	presenceHeartbeat = 15 * time.Second
	// presenceTTL: an instance that vanished stops counting after this.
	presenceTTL = 3 * presenceHeartbeat
)

// presence knows who views each thread, across instances, without storing
// anything: each instance announces its own viewers of a topic when they
// change and every presenceHeartbeat, and forgets another instance's list
// when it is not renewed in time.
type presence struct {
	hub *Hub
	mu  sync.Mutex
	// local counts this instance's connections per topic and person.
	local map[string]map[int64]*localViewer
	// remote is each instance's last announcement per topic, this one's included.
	remote map[string]map[string]announcement
	// shown is the union last sent to this instance's clients per topic.
	shown map[string][]Viewer
}

type localViewer struct {
	Viewer
	conns int
}

type announcement struct {
	viewers []Viewer
	expires time.Time
}

func newPresence(h *Hub) *presence {
	return &presence{hub: h, local: map[string]map[int64]*localViewer{}, remote: map[string]map[string]announcement{}, shown: map[string][]Viewer{}}
}

// join counts c among the viewers of t and sends it the current list.
// Called with t.mu held.
func (p *presence) join(ctx context.Context, c *Conn, t *topic) {
	v := p.hub.opts.Rights.Viewer(c.User())
	p.mu.Lock()
	byUser := p.local[t.name]
	if byUser == nil {
		byUser = map[int64]*localViewer{}
		p.local[t.name] = byUser
	}
	lv := byUser[v.UserID]
	if lv == nil {
		lv = &localViewer{Viewer: v}
		byUser[v.UserID] = lv
	}
	lv.conns++
	changed := lv.conns == 1
	shown := p.shown[t.name]
	p.mu.Unlock()
	if changed {
		p.announce(t.name)
	} else if len(shown) > 0 {
		if view, err := p.hub.opts.Rights.RenderPresence(ctx, t.parsed, shown); err == nil {
			if f := view.For(c.User()); f != nil {
				c.enqueue(f)
			}
		}
	}
}

// leave uncounts c. Called with t.mu held.
func (p *presence) leave(c *Conn, t *topic) {
	id := c.User().ID
	p.mu.Lock()
	byUser := p.local[t.name]
	lv := byUser[id]
	if lv == nil {
		p.mu.Unlock()
		return
	}
	lv.conns--
	changed := lv.conns == 0
	if changed {
		delete(byUser, id)
		if len(byUser) == 0 {
			delete(p.local, t.name)
		}
	}
	p.mu.Unlock()
	if changed {
		p.announce(t.name)
	}
}

// announce tells every instance, this one first, who views topic here.
func (p *presence) announce(topic string) {
	p.mu.Lock()
	viewers := make([]Viewer, 0, len(p.local[topic]))
	for _, lv := range p.local[topic] {
		viewers = append(viewers, lv.Viewer)
	}
	p.mu.Unlock()
	m := Message{Kind: kindPresence, Origin: p.hub.opts.Instance, Topic: topic, Viewers: viewers}
	p.hub.local(m)
	p.hub.publish(m)
}

// announceAll renews every announcement of this instance.
func (p *presence) announceAll() {
	p.mu.Lock()
	var mine []string
	for name := range p.local {
		mine = append(mine, name)
	}
	p.mu.Unlock()
	for _, name := range mine {
		p.announce(name)
	}
}

// update records an announcement and, when the union changed, tells this
// instance's viewers of the topic. Runs on the dispatch goroutine.
func (p *presence) update(ctx context.Context, m Message) {
	p.mu.Lock()
	byOrigin := p.remote[m.Topic]
	if byOrigin == nil {
		byOrigin = map[string]announcement{}
		p.remote[m.Topic] = byOrigin
	}
	if len(m.Viewers) == 0 {
		delete(byOrigin, m.Origin)
	} else {
		byOrigin[m.Origin] = announcement{viewers: m.Viewers, expires: time.Now().Add(presenceTTL)}
	}
	p.mu.Unlock()
	p.refresh(ctx, m.Topic)
}

// refresh sends the topic's viewers to its subscribers here if they changed.
func (p *presence) refresh(ctx context.Context, name string) {
	p.mu.Lock()
	union := p.union(name)
	same := slices.Equal(union, p.shown[name])
	if len(union) == 0 {
		delete(p.shown, name)
		delete(p.remote, name)
	} else {
		p.shown[name] = union
	}
	p.mu.Unlock()
	t := p.hub.topic(name)
	if same || t == nil {
		return
	}
	view, err := p.hub.opts.Rights.RenderPresence(ctx, t.parsed, union)
	if err != nil {
		p.hub.opts.Log.Warn("live: render presence", "topic", name, "error", err)
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	for c := range t.subs {
		if f := view.For(c.User()); f != nil {
			c.enqueue(f)
		}
	}
}

// union lists each person once, in a stable order. Called with p.mu held.
func (p *presence) union(name string) []Viewer {
	seen := map[int64]bool{}
	var out []Viewer
	now := time.Now()
	for origin, a := range p.remote[name] {
		if now.After(a.expires) {
			delete(p.remote[name], origin)
			continue
		}
		for _, v := range a.viewers {
			if !seen[v.UserID] {
				seen[v.UserID] = true
				out = append(out, v)
			}
		}
	}
	slices.SortFunc(out, func(a, b Viewer) int { return cmp.Compare(a.UserID, b.UserID) })
	return out
}

// heartbeat renews this instance's announcements and expires those of
// instances that went quiet.
func (p *presence) heartbeat(ctx context.Context) {
	tick := time.NewTicker(presenceHeartbeat)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		p.announceAll()
		p.mu.Lock()
		var all []string
		for name := range p.remote {
			all = append(all, name)
		}
		p.mu.Unlock()
		for _, name := range all {
			p.refresh(ctx, name)
		}
	}
}

// typing tells the thread's other viewers, on every instance, that c types.
func (h *Hub) typing(c *Conn, topic string) {
	m := Message{Kind: kindTyping, Origin: h.opts.Instance, Topic: topic, Viewers: []Viewer{h.opts.Rights.Viewer(c.User())}}
	h.local(m)
	h.publish(m)
}

func (h *Hub) deliverTyping(ctx context.Context, m Message) {
	t := h.topic(m.Topic)
	if t == nil || len(m.Viewers) == 0 {
		return
	}
	who := m.Viewers[0]
	view, err := h.opts.Rights.RenderTyping(ctx, t.parsed, who)
	if err != nil {
		h.opts.Log.Warn("live: render typing", "topic", m.Topic, "error", err)
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	for c := range t.subs {
		if u := c.User(); u.ID != who.UserID {
			if f := view.For(u); f != nil {
				c.enqueue(f)
			}
		}
	}
}
