package live

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"

	"ideasx/store"
)

// Close codes sent to clients.
const (
	closeGoingAway = websocket.CloseGoingAway // the server is stopping: reconnect elsewhere
	closePolicy    = websocket.ClosePolicyViolation
	closeTooBig    = websocket.CloseMessageTooBig
	// closeRightsChanged asks the client to reconnect: its rights changed
	// and its subscriptions must be checked again.
	closeRightsChanged = 4001
	// closeSignedOut: the session or token behind the connection ended.
	closeSignedOut = 4401
)

const (
	readLimit    = 4 << 10
	writeWait    = 10 * time.Second
	maxBadFrames = 10
	typingEvery  = 2 * time.Second
)

// upgrader keeps buffers small: most connections are idle, and a write
// buffer is borrowed from the pool only while writing.
var upgrader = websocket.Upgrader{
	ReadBufferSize:  512,
	WriteBufferSize: 4096,
	WriteBufferPool: &sync.Pool{},
	// The application checks the Origin before calling Serve, knowing
	// whether the client is a browser (cookie) or not (token).
	CheckOrigin: func(*http.Request) bool { return true },
}

// Conn is one client connection: a read loop (the request's goroutine) and
// a write loop, joined by a bounded queue.
type Conn struct {
	hub  *Hub
	ws   *websocket.Conn
	cred store.Credential
	user atomic.Pointer[store.User]

	send    chan *Frame
	closing chan closeRequest
	done    chan struct{}
	once    sync.Once

	mu     sync.Mutex
	topics map[string]struct{}

	lastTyping time.Time
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
	ws, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		return // the upgrader has answered
	}
	c := &Conn{hub: h, ws: ws, cred: cred, send: make(chan *Frame, h.opts.SendQueue),
		closing: make(chan closeRequest, 1), done: make(chan struct{}), topics: map[string]struct{}{}}
	c.user.Store(u)
	h.mu.Lock()
	h.conns[c] = struct{}{}
	h.mu.Unlock()
	h.metrics.connections.Inc()

	go c.writeLoop()
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
	own := Topic{Kind: TopicUser, ID: c.User().ID}
	h.subscribe(ctx, c, own.String(), own, nil)
	c.readLoop(ctx)

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
	for {
		typ, data, err := c.ws.ReadMessage()
		if err != nil {
			if errors.Is(err, websocket.ErrReadLimit) {
				c.close(closeTooBig, "message too big")
			}
			return
		}
		_ = c.ws.SetReadDeadline(time.Now().Add(pongWait))
		if typ != websocket.TextMessage {
			data = nil
		}
		if !c.handle(ctx, data) {
			if bad++; bad > maxBadFrames {
				c.close(closePolicy, "too many bad messages")
				return
			}
		}
	}
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
	select {
	case <-c.done:
		return
	default:
	}
	select {
	case c.send <- f:
		c.hub.metrics.sent.Inc()
	default:
		c.hub.metrics.dropped.Inc()
		c.once.Do(func() {
			c.hub.metrics.slow.Inc()
			close(c.done)
			// Closing the socket unblocks a write stuck on a client that
			// stopped reading.
			_ = c.ws.NetConn().Close()
		})
	}
}

// close asks the write loop to send a close frame and end the connection.
func (c *Conn) close(code int, text string) {
	select {
	case c.closing <- closeRequest{code, text}:
	default:
	}
}

func (c *Conn) writeLoop() {
	ping := time.NewTicker(c.hub.opts.PingEvery)
	defer func() {
		ping.Stop()
		c.once.Do(func() { close(c.done) })
		_ = c.ws.Close()
	}()
	for {
		select {
		case <-c.done:
			return
		case f := <-c.send:
			if err := c.write(f); err != nil {
				return
			}
		case <-ping.C:
			if err := c.ws.WriteControl(websocket.PingMessage, nil, time.Now().Add(writeWait)); err != nil {
				return
			}
		case req := <-c.closing:
			_ = c.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(req.code, req.text), time.Now().Add(writeWait))
			return
		}
	}
}

// write sends f and, in the same frame, whatever else is already queued.
func (c *Conn) write(f *Frame) error {
	_ = c.ws.SetWriteDeadline(time.Now().Add(writeWait))
	if len(c.send) == 0 && f.prepared != nil {
		return c.ws.WritePreparedMessage(f.prepared)
	}
	w, err := c.ws.NextWriter(websocket.TextMessage)
	if err != nil {
		return err
	}
	_, _ = w.Write(f.data)
	for n := len(c.send); n > 0; n-- {
		_, _ = w.Write([]byte{'\n'})
		_, _ = w.Write((<-c.send).data)
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
