package live

import (
	"context"
	"errors"
	"net"
	"net/http"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/gorilla/websocket"

	"ideasx/store"
)

// Close codes sent to clients.
const (
	closeGoingAway = websocket.CloseGoingAway // the server is stopping: reconnect elsewhere
	closePolicy    = websocket.ClosePolicyViolation
	closeTooBig    = websocket.CloseMessageTooBig
	// closeBadData: a text message that is not UTF-8 (RFC 6455 §8.1).
	closeBadData = websocket.CloseInvalidFramePayloadData
	// closeRightsChanged asks the client to reconnect: its rights changed
	// and its subscriptions must be checked again.
	closeRightsChanged = 4001
	// closeSignedOut: the session or token behind the connection ended.
	closeSignedOut = 4401
)

const (
	readLimit = 4 << 10
	// writeWait is how long a write may wait for a client that does not
	// read: with the send buffer bounded, a client that far behind is
	// cut and catches up from its last seq when it returns.
	writeWait    = 5 * time.Second
	maxBadFrames = 10
	typingEvery  = 2 * time.Second
)

// sendBuffer bounds the kernel's send buffer of a connection. Linux grows
// it up to tcp_wmem's maximum (4 MiB) on a fast link, which is minutes of
// a busy thread: a phone on a bad line would fall that far behind while
// its writes still succeeded, and it would never be cut. Bounded, the
// writes of a client that cannot keep up block within seconds, its queue
// fills or writeWait passes, and it is cut, to catch up from its last seq
// when it returns. 32 KiB (the kernel doubles it) is still some hundred
// live messages in flight: only a client far behind blocks.
const sendBuffer = 32 << 10

func boundSendBuffer(c net.Conn) {
	if tc, ok := c.(interface{ SetWriteBuffer(int) error }); ok {
		_ = tc.SetWriteBuffer(sendBuffer)
	}
}

// upgrader keeps buffers small: most connections are idle, and a write
// buffer is borrowed from the pool only while writing.
//
// Per-message compression (permessage-deflate) stays off: it doubles the
// CPU of a message for a saving of a few hundred bytes (see
// BenchmarkWebsocketDeflate and the README), and gorilla/websocket applies
// the read limit to the compressed bytes, so a 4 KiB client message could
// inflate to megabytes.
var upgrader = websocket.Upgrader{
	ReadBufferSize:  512,
	WriteBufferSize: 4096,
	WriteBufferPool: &sync.Pool{},
	// The application checks the Origin before calling Serve, knowing
	// whether the client is a browser (cookie) or not (token).
	CheckOrigin: func(*http.Request) bool { return true },
}

// Conn is one client connection: a read loop, and a bounded queue that a
// writer goroutine empties. The writer runs only while there is something
// to write, so an idle connection costs one goroutine, not two.
type Conn struct {
	hub  *Hub
	ws   *websocket.Conn
	cred store.Credential
	user atomic.Pointer[store.User]

	// out guards everything up to done.
	out      sync.Mutex
	queue    []*Frame
	spare    []*Frame // the previous batch's array, reused
	writing  bool     // a writer goroutine runs
	pingDue  bool
	closeReq *closeRequest
	pinger   *time.Timer
	ended    bool
	// done is closed when nothing more will be written.
	done chan struct{}
	// lastWrite is when the writer last wrote messages; only the writer,
	// one at a time, uses it.
	lastWrite time.Time

	mu     sync.Mutex
	topics map[string]struct{}

	lastTyping time.Time
	// key names the client for the limits it shares with its other
	// connections (client_limits.go).
	key string
	// replayWarned: this connection's refused catch-up was logged; like
	// lastTyping, only its own message handling uses it.
	replayWarned bool
}

type closeRequest struct {
	code int
	text string
}

// User is the account behind the connection as last checked.
func (c *Conn) User() *store.User { return c.user.Load() }

// Serve upgrades the request and starts the connection, which runs on
// goroutines of its own until it ends. The caller has authenticated u by
// cred and checked the Origin.
func (h *Hub) Serve(w http.ResponseWriter, r *http.Request, u *store.User, cred store.Credential) {
	h.mu.RLock()
	closing := h.closing
	h.mu.RUnlock()
	if closing {
		http.Error(w, "shutting down", http.StatusServiceUnavailable)
		return
	}
	key := h.clientKey(r, u)
	if h.refusePaused(w, key) {
		return
	}
	ws, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		return // the upgrader has answered
	}
	boundSendBuffer(ws.NetConn())
	c := &Conn{hub: h, ws: ws, cred: cred, key: key, done: make(chan struct{}), topics: map[string]struct{}{}}
	c.user.Store(u)
	c.out.Lock()
	c.pinger = time.AfterFunc(h.opts.PingEvery, c.ping)
	c.out.Unlock()
	h.mu.Lock()
	h.conns[c] = struct{}{}
	h.mu.Unlock()
	h.metrics.connections.Inc()

	// The handler returns at once: net/http then lets go of what it keeps
	// for a request while its handler runs (a 4 KiB read buffer, a 4 KiB
	// write buffer, the request, the middleware's deep stack), about half
	// of what an idle connection would otherwise cost. The context keeps
	// the request's values but is not cancelled with it.
	go c.run(context.WithoutCancel(r.Context()))
}

// run reads the client's messages until the connection ends, then takes
// it out of the hub.
func (c *Conn) run(ctx context.Context) {
	h := c.hub
	// A signed-in person follows their own topic from the start; a visitor has none.
	subscribeOwn := func() {
		if id := c.User().ID; id > 0 {
			own := Topic{Kind: TopicUser, ID: id}
			h.subscribe(ctx, c, own.String(), own, nil)
		}
	}
	if c.apart(subscribeOwn) {
		c.readLoop(ctx)
	}

	for _, name := range c.topicNames() {
		h.unsubscribe(c, name)
	}
	h.mu.Lock()
	delete(h.conns, c)
	h.mu.Unlock()
	h.metrics.connections.Dec()
	c.close(websocket.CloseNormalClosure, "")
	<-c.done
}

func (c *Conn) readLoop(ctx context.Context) {
	pongWait := c.hub.opts.PingEvery*2 + 5*time.Second
	c.ws.SetReadLimit(readLimit)
	_ = c.ws.SetReadDeadline(time.Now().Add(pongWait))
	c.ws.SetPongHandler(func(string) error { return c.ws.SetReadDeadline(time.Now().Add(pongWait)) })
	bad := 0
	msgs := c.hub.newMessageLimiter()
	for {
		typ, data, err := c.ws.ReadMessage()
		if err != nil {
			if errors.Is(err, websocket.ErrReadLimit) {
				c.close(closeTooBig, "message too big")
			}
			return
		}
		now := time.Now()
		_ = c.ws.SetReadDeadline(now.Add(pongWait))
		// Counted before anything is decoded: a malformed message costs
		// the server too.
		if !allowMessage(msgs, now) {
			c.flooded()
			return
		}
		if typ != websocket.TextMessage {
			data = nil
		} else if !utf8.Valid(data) {
			// gorilla/websocket leaves this check to the application;
			// the RFC wants the connection failed, not the text guessed at.
			c.close(closeBadData, "text message is not UTF-8")
			return
		}
		var ok bool
		if !c.apart(func() { ok = c.handle(ctx, data) }) {
			return
		}
		if !ok {
			if bad++; bad > maxBadFrames {
				c.close(closePolicy, "too many bad messages")
				return
			}
		}
	}
}

// apart runs f on a goroutine of its own and waits for it. What a client
// asks (subscribing: the database, rendering) needs a deep stack; grown on
// the reader, which spends its life waiting on a read, it would stay as
// long as the connection (about 4 KiB more per idle connection).
//
// A panic in f closes this connection only, as net/http would have done
// for its handler; apart then reports false.
func (c *Conn) apart(f func()) bool {
	ok := false
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer func() {
			if p := recover(); p != nil {
				c.hub.opts.Log.Error("live: panic", "panic", p, "stack", string(debug.Stack()))
				c.close(websocket.CloseInternalServerErr, "internal error")
			}
		}()
		f()
		ok = true
	}()
	<-done
	return ok
}

// handle acts on one client message; false means it was malformed.
func (c *Conn) handle(ctx context.Context, data []byte) bool {
	m, err := decodeClient(data)
	if err != nil {
		code := "bad_request"
		if errors.Is(err, errBadTopic) {
			code = "bad_topic"
		} else if errors.Is(err, errUnknownTyp) {
			code = "unknown_type"
		}
		c.enqueue(plainFrame(serverMessage{Type: "error", Topic: m.Topic, Code: code, Message: err.Error()}))
		return false
	}
	parsed, _ := ParseTopic(m.Topic)
	switch m.Type {
	case typeSubscribe:
		c.hub.subscribe(ctx, c, m.Topic, parsed, m.Since)
	case typeUnsubscribe:
		c.hub.unsubscribe(c, m.Topic)
	case typeTyping:
		if parsed.Kind == TopicThread && c.hasTopic(m.Topic) && time.Since(c.lastTyping) >= typingEvery {
			c.lastTyping = time.Now()
			c.hub.typing(c, m.Topic)
		}
	}
	return true
}

// enqueue never blocks: a client whose queue is full is cut off, so that
// it slows nobody else; it catches up from its last seq when it returns.
func (c *Conn) enqueue(f *Frame) {
	c.out.Lock()
	if c.ended || c.closeReq != nil {
		c.out.Unlock()
		return
	}
	if len(c.queue) >= c.hub.opts.SendQueue {
		c.endLocked()
		c.out.Unlock()
		c.hub.metrics.dropped.Inc()
		c.hub.metrics.slow.Inc()
		// Closing the socket unblocks a write stuck on a client that
		// stopped reading.
		_ = c.ws.NetConn().Close()
		return
	}
	if c.queue == nil {
		c.queue, c.spare = c.spare, nil
	}
	c.queue = append(c.queue, f)
	c.wakeWriter()
	c.out.Unlock()
	c.hub.metrics.sent.Inc()
}

// close asks the writer to send a close frame and end the connection;
// what is still queued is dropped. The first request wins.
func (c *Conn) close(code int, text string) {
	c.out.Lock()
	defer c.out.Unlock()
	if c.ended || c.closeReq != nil {
		return
	}
	c.closeReq = &closeRequest{code, text}
	c.wakeWriter()
}

// ping runs every PingEvery: the client's pong keeps its read deadline.
func (c *Conn) ping() {
	c.out.Lock()
	defer c.out.Unlock()
	if c.ended || c.closeReq != nil {
		return
	}
	c.pingDue = true
	c.wakeWriter()
	c.pinger.Reset(c.hub.opts.PingEvery)
}

// wakeWriter starts a writer unless one runs. Called with c.out held.
func (c *Conn) wakeWriter() {
	if !c.writing {
		c.writing = true
		go c.writeLoop()
	}
}

// endLocked marks the connection as finished. Called with c.out held.
func (c *Conn) endLocked() {
	if c.ended {
		return
	}
	c.ended = true
	c.queue, c.spare = nil, nil
	c.pinger.Stop()
	close(c.done)
}

// writeLoop writes what is queued, all of it in one frame, until nothing
// is left; then it ends, and the next enqueue starts another. On a busy
// instance (Options.CoalesceAbove) it writes at most once per window:
// a message that comes long after the last write leaves at once, one that
// comes soon after waits for the rest of the window, and whatever else
// arrives meanwhile shares its frame. Waiting only when needed rather
// than before every write makes as few writes for a steady stream and
// halves the typical delay.
func (c *Conn) writeLoop() {
	if c.hub.busy.Load() {
		if wait := c.hub.opts.CoalesceWindow - time.Since(c.lastWrite); wait > 0 {
			time.Sleep(wait)
		}
	}
	for {
		c.out.Lock()
		if c.ended {
			c.out.Unlock()
			return
		}
		req, ping, batch := c.closeReq, c.pingDue, c.queue
		if req == nil && !ping && len(batch) == 0 {
			c.writing = false
			c.out.Unlock()
			return
		}
		c.pingDue, c.queue = false, nil
		c.out.Unlock()

		var err error
		if req != nil {
			_ = c.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(req.code, req.text), time.Now().Add(writeWait))
			err = errClosed
		}
		if err == nil && ping {
			err = c.ws.WriteControl(websocket.PingMessage, nil, time.Now().Add(writeWait))
		}
		if err == nil && len(batch) > 0 {
			err = c.write(batch)
			c.lastWrite = time.Now()
		}
		if err != nil {
			c.out.Lock()
			c.endLocked()
			c.out.Unlock()
			if req != nil {
				c.closeGently()
			} else {
				_ = c.ws.Close()
			}
			if ne, ok := err.(net.Error); ok && ne.Timeout() {
				c.hub.metrics.slow.Inc() // it stopped reading, or reads too slowly
			}
			return
		}
		clear(batch)
		c.out.Lock()
		if c.spare == nil && cap(batch) <= 16 {
			c.spare = batch[:0]
		}
		c.out.Unlock()
	}
}

var errClosed = errors.New("live: connection closed")

// closeLinger is how long a socket stays open after its close frame.
const closeLinger = 500 * time.Millisecond

// closeGently ends the socket after a close frame: first the sending side
// only, then, a moment later, the rest. Closing a socket with input still
// unread makes the kernel send a reset, which can reach the client before
// it read the close frame, and then it never learns why (1008, 4401…):
// the case of a client flooding us. net/http waits the same way
// (rstAvoidanceDelay).
func (c *Conn) closeGently() {
	if cw, ok := c.ws.NetConn().(interface{ CloseWrite() error }); ok && cw.CloseWrite() == nil {
		time.Sleep(closeLinger)
	}
	_ = c.ws.Close()
}

// write sends a batch, several messages in one frame, one per line.
func (c *Conn) write(batch []*Frame) error {
	_ = c.ws.SetWriteDeadline(time.Now().Add(writeWait))
	if len(batch) == 1 && batch[0].prepared != nil {
		return c.ws.WritePreparedMessage(batch[0].prepared)
	}
	w, err := c.ws.NextWriter(websocket.TextMessage)
	if err != nil {
		return err
	}
	for i, f := range batch {
		if i > 0 {
			_, _ = w.Write([]byte{'\n'})
		}
		_, _ = w.Write(f.data)
	}
	return w.Close()
}

func (c *Conn) addTopic(name string, max int) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.topics[name]; !ok && len(c.topics) >= max {
		return false
	}
	c.topics[name] = struct{}{}
	return true
}

func (c *Conn) removeTopic(name string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	_, ok := c.topics[name]
	delete(c.topics, name)
	return ok
}

func (c *Conn) hasTopic(name string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	_, ok := c.topics[name]
	return ok
}

func (c *Conn) topicNames() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]string, 0, len(c.topics))
	for name := range c.topics {
		out = append(out, name)
	}
	return out
}
