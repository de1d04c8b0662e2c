// Package liveclient is a Go client of the live protocol (SPEC §4), for
// tests and the benchmark: it remembers the last seq of each topic and,
// when the connection drops, reconnects and catches up from there.
package liveclient

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// Message is one server message.
type Message struct {
	Type    string          `json:"type"`
	Topic   string          `json:"topic"`
	Seq     int64           `json:"seq"`
	Code    string          `json:"code"`
	Message string          `json:"message"`
	Data    json.RawMessage `json:"data"`
	// Received is when the frame arrived.
	Received time.Time `json:"-"`
}

// Dialer says how to reach the server.
type Dialer struct {
	// URLs are ws:// addresses of /ws; a reconnection tries the next one.
	URLs   []string
	Header http.Header
	// OnMessage, when set, sees every message (from the read goroutine).
	OnMessage func(Message)
	// Reconnect makes the client come back after a drop.
	Reconnect bool
}

// Client is one connection, reconnected as needed.
type Client struct {
	d      Dialer
	mu     sync.Mutex
	conn   *websocket.Conn
	seqs   map[string]int64
	topics []string
	msgs   chan Message
	closed chan struct{}
	once   sync.Once
	// Closes counts the close codes received, for tests.
	closes []int
}

// Dial connects; it fails when the first connection cannot be made.
func Dial(ctx context.Context, d Dialer) (*Client, *http.Response, error) {
	c := &Client{d: d, seqs: map[string]int64{}, msgs: make(chan Message, 4096), closed: make(chan struct{})}
	resp, err := c.connect(ctx, 0)
	if err != nil {
		return nil, resp, err
	}
	go c.run(0)
	return c, resp, nil
}

func (c *Client) connect(ctx context.Context, attempt int) (*http.Response, error) {
	url := c.d.URLs[attempt%len(c.d.URLs)]
	dialer := websocket.Dialer{HandshakeTimeout: 5 * time.Second, ReadBufferSize: 1024, WriteBufferSize: 1024}
	conn, resp, err := dialer.DialContext(ctx, url, c.d.Header)
	if err != nil {
		return resp, err
	}
	c.mu.Lock()
	c.conn = conn
	topics := append([]string(nil), c.topics...)
	seqs := make(map[string]int64, len(c.seqs))
	for k, v := range c.seqs {
		seqs[k] = v
	}
	c.mu.Unlock()
	for _, t := range topics {
		since := seqs[t]
		if err := conn.WriteJSON(map[string]any{"type": "subscribe", "topic": t, "since": since}); err != nil {
			return nil, err
		}
	}
	return resp, nil
}

// run reads until the connection ends, then reconnects with back-off.
func (c *Client) run(attempt int) {
	for {
		c.mu.Lock()
		conn := c.conn
		c.mu.Unlock()
		err := c.read(conn)
		var ce *websocket.CloseError
		if errors.As(err, &ce) {
			c.mu.Lock()
			c.closes = append(c.closes, ce.Code)
			c.mu.Unlock()
		}
		select {
		case <-c.closed:
			close(c.msgs)
			return
		default:
		}
		if !c.d.Reconnect {
			c.Close()
			close(c.msgs)
			return
		}
		backoff := 50 * time.Millisecond
		for {
			attempt++
			if _, err := c.connect(context.Background(), attempt); err == nil {
				break
			}
			select {
			case <-c.closed:
				close(c.msgs)
				return
			case <-time.After(backoff):
			}
			backoff = min(backoff*2, time.Second)
		}
	}
}

func (c *Client) read(conn *websocket.Conn) error {
	for {
		_, data, err := conn.ReadMessage()
		if err != nil {
			return err
		}
		now := time.Now()
		for _, line := range bytes.Split(data, []byte{'\n'}) {
			var m Message
			if json.Unmarshal(line, &m) != nil {
				continue
			}
			m.Received = now
			c.mu.Lock()
			// An event moves the topic's seq on. "subscribed" says where
			// the topic stands, which is where a client that had nothing
			// starts; after a reconnection it may be ahead of the events
			// still being replayed, and taking it then would skip them if
			// the connection dropped again before they came.
			known, had := c.seqs[m.Topic]
			if m.Seq > known && (strings.Contains(m.Type, ".") || (m.Type == "subscribed" && !had)) {
				c.seqs[m.Topic] = m.Seq
			}
			c.mu.Unlock()
			if c.d.OnMessage != nil {
				c.d.OnMessage(m)
				continue
			}
			select {
			case c.msgs <- m:
			default: // a test that stopped looking
			}
		}
	}
}

// Subscribe follows topic from now on, and again after each reconnection.
func (c *Client) Subscribe(topic string, since *int64) error {
	c.mu.Lock()
	c.topics = append(c.topics, topic)
	if since != nil {
		c.seqs[topic] = *since
	}
	conn := c.conn
	c.mu.Unlock()
	msg := map[string]any{"type": "subscribe", "topic": topic}
	if since != nil {
		msg["since"] = *since
	}
	return c.Send(conn, msg)
}

// Send writes one JSON message on the current connection.
func (c *Client) Send(conn *websocket.Conn, v any) error {
	if conn == nil {
		c.mu.Lock()
		conn = c.conn
		c.mu.Unlock()
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return conn.WriteJSON(v)
}

// SendRaw writes a frame as is.
func (c *Client) SendRaw(typ int, data []byte) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.conn.WriteMessage(typ, data)
}

// Next waits for the next message.
func (c *Client) Next(timeout time.Duration) (Message, bool) {
	select {
	case m, ok := <-c.msgs:
		return m, ok
	case <-time.After(timeout):
		return Message{}, false
	}
}

// Seq is the last seq seen on topic.
func (c *Client) Seq(topic string) int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.seqs[topic]
}

// CloseCodes are the close codes the server sent so far.
func (c *Client) CloseCodes() []int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]int(nil), c.closes...)
}

// Done is closed when the client stopped for good.
func (c *Client) Done() <-chan struct{} { return c.closed }

// Close ends the client.
func (c *Client) Close() {
	c.once.Do(func() {
		close(c.closed)
		c.mu.Lock()
		if c.conn != nil {
			_ = c.conn.Close()
		}
		c.mu.Unlock()
	})
}
