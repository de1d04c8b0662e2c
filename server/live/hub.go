// Package live delivers stored events, and ephemeral presence and typing,
// to websocket clients, across server instances through a broker.
//
// The database is the truth: every event is a row written with the change
// it describes, numbered per topic. The broker only says "something new";
// each instance delivers to its own clients, in sequence order, and fills
// any gap from the database. A client that reconnects with the last seq it
// saw is replayed what it missed, so nothing is lost across a reconnect, a
// restart or a broker outage.
package live

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"ideasx/store"
)

// ErrForbidden is what Rights answers for a topic the reader may not follow.
var ErrForbidden = errors.New("live: forbidden")

// Rights is what the hub asks the application: who may follow what, and
// what each reader sees of an event.
type Rights interface {
	CanSubscribe(ctx context.Context, u *store.User, t Topic) error
	Render(ctx context.Context, ev store.LiveEvent) (View, error)
	RenderPresence(ctx context.Context, t Topic, viewers []Viewer) (View, error)
	RenderTyping(ctx context.Context, t Topic, who Viewer) (View, error)
	Viewer(u *store.User) Viewer
}

// View is an event made ready for its readers: For picks the frame a reader
// gets, or nil when they may not see it (checked at every send).
type View interface {
	For(u *store.User) *Frame
}

// Events is the stored side: the events themselves and the credentials of
// connected people.
type Events interface {
	EventsSince(ctx context.Context, topic string, seq int64, limit int) ([]store.LiveEvent, error)
	TopicSeqs(ctx context.Context, topics []string) (map[string]int64, error)
	CheckCredentials(ctx context.Context, creds []store.Credential) (map[store.Credential]*store.User, error)
}

// Options builds a hub. Zero durations and sizes take the defaults.
type Options struct {
	Events     Events
	Rights     Rights
	Broker     Broker
	Log        *slog.Logger
	Registerer prometheus.Registerer
	// Instance names this process among its peers on the broker.
	Instance string
	// SendQueue is how many frames a connection may have waiting; a client
	// that lets it fill is disconnected (it catches up when it comes back).
	SendQueue int
	// MaxReplay is the most events replayed to one subscriber; further
	// behind, the client is told to reload ("reset").
	MaxReplay int
	// CheckEvery is how often credentials of open connections are checked again.
	CheckEvery time.Duration
	// PollEvery is how often the database is asked for events the broker
	// did not bring; PollDegraded replaces it while the broker is failing.
	PollEvery, PollDegraded time.Duration
	PingEvery               time.Duration
	MaxTopics               int
	// Above CoalesceAbove messages a second queued by this instance, a
	// connection's writer waits CoalesceWindow before writing, so that
	// what arrives meanwhile leaves in the same frame: a busy instance
	// then makes fewer system calls per message, and its clients fewer
	// reads, for a delay nobody notices. A negative CoalesceAbove never
	// waits.
	CoalesceAbove  int
	CoalesceWindow time.Duration
	// A client may send MessageBurst messages at once, then MessageRate a
	// second on average; one that sends more is disconnected with 1008
	// (policy violation). A negative MessageRate sets no limit.
	MessageRate  float64
	MessageBurst int
	// ReplayPerMinute bounds the stored events replayed to one connection
	// in a minute (up to that many at once); a catch-up beyond it is
	// answered "reset". Below MaxReplay it also shortens the longest
	// catch-up. Negative sets no bound.
	ReplayPerMinute int
	// ClientAddr is a visitor's address as the server sees it (behind a
	// proxy, the forwarded one); nil takes the connection's.
	ClientAddr func(*http.Request) string
	// AccountChanged, if set, hears of every account.changed event, this
	// instance's and the others', before the person's connections are
	// checked again: the server forgets the credentials it keeps.
	AccountChanged func(userID int64)
}

func (o *Options) defaults() {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&o.CheckEvery, 2*time.Second)
	def(&o.PollEvery, 30*time.Second)
	def(&o.PollDegraded, time.Second)
	def(&o.PingEvery, 25*time.Second)
	if o.SendQueue <= 0 {
		o.SendQueue = 256
	}
	if o.MaxReplay <= 0 {
		o.MaxReplay = 1000
	}
	if o.MaxTopics <= 0 {
		o.MaxTopics = 64
	}
	if o.CoalesceAbove == 0 {
		o.CoalesceAbove = 20000
	}
	def(&o.CoalesceWindow, 100*time.Millisecond)
	o.limitDefaults()
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if o.Broker == nil {
		o.Broker = NewMemoryBroker()
	}
}

// Hub owns the subscription index and delivers to connections.
type Hub struct {
	opts     Options
	metrics  *metrics
	views    viewCache
	limits   clientLimits
	presence *presence

	mu      sync.RWMutex
	topics  map[string]*topic
	conns   map[*Conn]struct{}
	closing bool

	// inbox serialises everything to deliver, local and remote, in arrival order.
	inbox chan Message
	// outbox holds what is to be published, so that a slow or absent broker never holds up a request.
	outbox   chan Message
	brokerOK atomic.Bool
	// sentSec and sentCount count the messages queued in the current
	// second; busy says the last whole second had more than CoalesceAbove.
	sentSec, sentCount atomic.Int64
	busy               atomic.Bool
	resyncCh           chan struct{}
	stopped            chan struct{}
}

type topic struct {
	name   string
	parsed Topic
	mu     sync.Mutex
	subs   map[*Conn]struct{}
	// last is the last seq delivered here; everything up to it has been sent
	// to every subscriber, so a new one is replayed up to it and no further.
	last int64
	dead bool
}

// NewHub makes a hub; Run starts it.
func NewHub(o Options) *Hub {
	o.defaults()
	h := &Hub{
		opts: o, metrics: newMetrics(o.Registerer),
		topics: map[string]*topic{}, conns: map[*Conn]struct{}{},
		inbox: make(chan Message, 8192), outbox: make(chan Message, 8192),
		resyncCh: make(chan struct{}, 1), stopped: make(chan struct{}),
	}
	h.views.init(4096)
	h.presence = newPresence(h)
	if rb, ok := o.Broker.(*RedisBroker); ok {
		rb.metrics = h.metrics
	}
	return h
}

// Publish takes the events of a committed change. It never blocks: when
// the queues are full the events are found again by the next poll.
func (h *Hub) Publish(evs []store.LiveEvent) {
	for _, ev := range evs {
		m := Message{Kind: kindEvent, Origin: h.opts.Instance, ID: ev.ID, Topic: ev.Topic, Seq: ev.Seq, Type: ev.Type, Payload: ev.Payload, Post: ev.Post}
		h.local(m)
		if m.Post != nil && len(m.Post.Post.Attachments) > 0 {
			// Files keep fields (their previews) out of JSON: the other
			// instances read such a post from the database.
			m.Post = nil
		}
		h.publish(m)
	}
}

// local queues m for this instance's own clients.
func (h *Hub) local(m Message) {
	select {
	case h.inbox <- m:
	default:
		h.requestResync()
	}
}

// publish queues m for the other instances.
func (h *Hub) publish(m Message) {
	m.At = time.Now().UnixMicro()
	select {
	case h.outbox <- m:
	default:
		h.metrics.publishErrors.Inc()
	}
}

// fromBroker takes what the broker brings; this instance's own messages
// were delivered already.
func (h *Hub) fromBroker(m Message) {
	if m.Origin == h.opts.Instance {
		return
	}
	if m.At > 0 {
		h.metrics.lag.Observe(max(time.Since(time.UnixMicro(m.At)).Seconds(), 0))
	}
	h.local(m)
}

func (h *Hub) requestResync() {
	select {
	case h.resyncCh <- struct{}{}:
	default:
	}
}

// Run delivers until ctx ends.
func (h *Hub) Run(ctx context.Context) {
	defer close(h.stopped)
	var wg sync.WaitGroup
	wg.Add(4)
	go func() {
		defer wg.Done()
		h.opts.Broker.Run(ctx, h.fromBroker, h.connected)
	}()
	go func() { defer wg.Done(); h.publishLoop(ctx) }()
	go func() { defer wg.Done(); h.checkLoop(ctx) }()
	go func() { defer wg.Done(); h.presence.heartbeat(ctx) }()
	h.dispatchLoop(ctx)
	wg.Wait()
}

// connected runs at each broker (re)connection: what was published
// meanwhile is read from the database, and instances exchange who views what.
func (h *Hub) connected() {
	h.brokerOK.Store(true)
	h.requestResync()
	h.publish(Message{Kind: kindHello, Origin: h.opts.Instance})
	h.presence.announceAll()
}

func (h *Hub) publishLoop(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case m := <-h.outbox:
			start := time.Now()
			pctx, cancel := context.WithTimeout(ctx, 2*time.Second)
			err := h.opts.Broker.Publish(pctx, m)
			cancel()
			if err != nil {
				h.metrics.publishErrors.Inc()
				if h.brokerOK.Swap(false) {
					h.opts.Log.Warn("live: broker publish failed; polling the database until it is back", "error", err)
				}
				continue
			}
			h.metrics.publish.Observe(time.Since(start).Seconds())
		}
	}
}

// dispatchLoop delivers what arrives and polls the database on a clock of
// its own: a message arriving does not put the poll off, since while the
// broker is down a busy instance's own events never stop arriving, and the
// poll is then the only way the others' events get here.
func (h *Hub) dispatchLoop(ctx context.Context) {
	period := func() time.Duration {
		if h.brokerOK.Load() {
			return h.opts.PollEvery
		}
		return h.opts.PollDegraded
	}
	poll := time.NewTimer(period())
	defer poll.Stop()
	next := time.Now().Add(period())
	reschedule := func(d time.Duration) {
		poll.Reset(d) // Go 1.23 timers: no stale tick to drain
		next = time.Now().Add(d)
	}
	for {
		select {
		case <-ctx.Done():
			return
		case m := <-h.inbox:
			h.dispatch(ctx, m)
		case <-h.resyncCh:
			h.resync(ctx)
			reschedule(period())
		case <-poll.C:
			h.resync(ctx)
			reschedule(period())
		}
		// A broker that just failed shortens a long wait, never lengthens one.
		if p := period(); time.Until(next) > p {
			reschedule(p)
		}
	}
}

func (h *Hub) dispatch(ctx context.Context, m Message) {
	switch m.Kind {
	case kindEvent:
		if m.Type == store.EventAccountChanged {
			// Before anything that follows it is sent to this person.
			if t, err := ParseTopic(m.Topic); err == nil && t.Kind == TopicUser {
				if h.opts.AccountChanged != nil {
					h.opts.AccountChanged(t.ID)
				}
				h.recheck(ctx, func(c *Conn) bool { return c.User().ID == t.ID })
			}
		}
		if t := h.topic(m.Topic); t != nil {
			h.deliver(ctx, t, store.LiveEvent{ID: m.ID, Topic: m.Topic, Seq: m.Seq, Type: m.Type, Payload: m.Payload, Post: m.Post})
		}
	case kindPresence:
		h.presence.update(ctx, m)
	case kindTyping:
		h.deliverTyping(ctx, m)
	case kindHello:
		h.presence.announceAll()
	}
}

func (h *Hub) topic(name string) *topic {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return h.topics[name]
}

// deliver sends ev to the topic's subscribers, after whatever was missed
// before it; an event already delivered is skipped, which is how a reply
// reaches each client once however many ways it arrived.
func (h *Hub) deliver(ctx context.Context, t *topic, ev store.LiveEvent) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.dead || ev.Seq <= t.last {
		return
	}
	if ev.Seq > t.last+1 && !h.fill(ctx, t, ev.Seq-1) {
		return
	}
	h.send(ctx, t, ev)
}

// fill delivers the stored events after t.last up to target. Called with
// t.mu held. It reports false when the store could not be read (the next
// poll tries again).
func (h *Hub) fill(ctx context.Context, t *topic, target int64) bool {
	for t.last < target {
		evs, err := h.opts.Events.EventsSince(ctx, t.name, t.last, min(int(target-t.last), h.opts.MaxReplay))
		if err != nil {
			h.opts.Log.Warn("live: read missed events", "topic", t.name, "error", err)
			return false
		}
		if len(evs) == 0 || evs[0].Seq != t.last+1 {
			// Purged or never there: the subscribers' views cannot be
			// patched, they reload.
			h.resetAll(t, target)
			return true
		}
		h.metrics.replayed.Add(float64(len(evs)))
		for _, ev := range evs {
			if !h.send(ctx, t, ev) {
				return false
			}
		}
	}
	return true
}

func (h *Hub) resetAll(t *topic, seq int64) {
	f := plainFrame(serverMessage{Type: "reset", Topic: t.name})
	for c := range t.subs {
		c.enqueue(f)
	}
	t.last = seq
}

// send renders ev once and queues it to every subscriber allowed to see it.
// Called with t.mu held.
func (h *Hub) send(ctx context.Context, t *topic, ev store.LiveEvent) bool {
	// Rendered now, from what the database holds now: ev is committed, so
	// the topic stands at ev.Seq or further, and the view is stamped with
	// ev.Seq (a stamp too low is only reused less).
	v, err := h.render(ctx, ev, ev.Seq)
	if err != nil {
		h.opts.Log.Warn("live: render event", "topic", ev.Topic, "seq", ev.Seq, "type", ev.Type, "error", err)
		return false
	}
	n := 0
	for c := range t.subs {
		if f := v.For(c.User()); f != nil {
			c.enqueue(f)
			n++
		}
	}
	h.countSent(n)
	t.last = ev.Seq
	return true
}

// countSent adds n messages queued now to the rate that decides whether
// writers coalesce (Options.CoalesceAbove).
func (h *Hub) countSent(n int) {
	if h.opts.CoalesceAbove < 0 {
		return
	}
	now := time.Now().Unix()
	if sec := h.sentSec.Load(); sec != now && h.sentSec.CompareAndSwap(sec, now) {
		last := h.sentCount.Swap(0)
		h.busy.Store(sec == now-1 && last > int64(h.opts.CoalesceAbove))
	}
	h.sentCount.Add(int64(n))
}

// view is ev as its readers may see it now, when its topic stands at
// topicSeq in the database: rendered again unless the cache has a view
// from that same point.
func (h *Hub) view(ctx context.Context, ev store.LiveEvent, topicSeq int64) (View, error) {
	if v := h.views.get(ev.ID, topicSeq); v != nil {
		return v, nil
	}
	return h.render(ctx, ev, topicSeq)
}

// render builds ev's view from the database and caches it, stamped with
// the topic's seq read before rendering.
func (h *Hub) render(ctx context.Context, ev store.LiveEvent, topicSeq int64) (View, error) {
	v, err := h.opts.Rights.Render(ctx, ev)
	if err != nil {
		return nil, err
	}
	h.views.put(ev.ID, topicSeq, v)
	return v, nil
}

// resync asks the database where each followed topic stands and delivers
// anything the broker did not bring.
func (h *Hub) resync(ctx context.Context) {
	h.mu.RLock()
	names := make([]string, 0, len(h.topics))
	for name := range h.topics {
		names = append(names, name)
	}
	h.mu.RUnlock()
	if len(names) == 0 {
		return
	}
	seqs, err := h.opts.Events.TopicSeqs(ctx, names)
	if err != nil {
		h.opts.Log.Warn("live: resync", "error", err)
		return
	}
	for _, name := range names {
		t := h.topic(name)
		if t == nil {
			continue
		}
		t.mu.Lock()
		if !t.dead && seqs[name] > t.last {
			h.fill(ctx, t, seqs[name])
		}
		t.mu.Unlock()
	}
}

// Shutdown closes every connection with 1001 so that clients move to
// another instance, and waits for them to go, at most until ctx ends.
func (h *Hub) Shutdown(ctx context.Context) {
	h.mu.Lock()
	h.closing = true
	conns := make([]*Conn, 0, len(h.conns))
	for c := range h.conns {
		conns = append(conns, c)
	}
	h.mu.Unlock()
	for _, c := range conns {
		c.close(closeGoingAway, "server restarting")
	}
	for _, c := range conns {
		select {
		case <-c.done:
		case <-ctx.Done():
			return
		}
	}
}

// Stats are the hub's counts, for tests and the benchmark.
type Stats struct{ Connections, Topics int }

// Stats counts connections and topics now.
func (h *Hub) Stats() Stats {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return Stats{Connections: len(h.conns), Topics: len(h.topics)}
}
