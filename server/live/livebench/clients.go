package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
)

// client is one websocket reader. Its goroutine alone writes recv; the
// fleet reads it after the goroutine has ended.
type client struct {
	inst int
	ws   *websocket.Conn
	recv []delivery
	last int64 // the last seq received
	// subscribed: the first "subscribed" was seen (its seq starts last);
	// reconnects: how many times the connection was made again.
	subscribed bool
	reconnects int
}

// delivery is one post.created received: the post and when.
type delivery struct {
	id int64
	at time.Duration // since bench.base
}

// fleet is the N clients. It keeps the client side lean: one goroutine
// and one reused buffer per connection, and a cheap look at each message
// instead of a full JSON decoding.
type fleet struct {
	base       time.Time
	topic      string
	subscribed []byte // `"topic":"thread:ID"`
	perClient  int    // expected deliveries per client, to size recv

	clients []*client
	wg      sync.WaitGroup
	closing atomic.Bool
	// With reconnect set, a client whose connection ends comes back (see
	// reconnect.go); mu orders that with close.
	reconnect *reconnector
	mu        sync.Mutex

	nSubscribed, fresh, dups, resets, errors, presence, other, unparsed atomic.Int64
	// ended counts connections that ended before the bench closed them.
	ended    atomic.Int64
	firstErr atomic.Pointer[string]
	// postBytes adds up the length of every post frame received: the
	// message size, compared between the systems (issue 17).
	postBytes atomic.Int64
	// cf, when set, makes the clients speak Centrifugo's protocol.
	cf *centrifugo
}

func newFleet(base time.Time, threadID int64, perClient int) *fleet {
	topic := fmt.Sprintf("thread:%d", threadID)
	return &fleet{base: base, topic: topic, subscribed: []byte(`"topic":"` + topic + `"`), perClient: perClient}
}

var dialer = &websocket.Dialer{
	HandshakeTimeout: 30 * time.Second,
	ReadBufferSize:   1024,
	WriteBufferSize:  512,
	WriteBufferPool:  &sync.Pool{},
}

// open connects n clients, client i to instance i mod len(urls), each
// subscribed to the topic, at most `parallel` handshakes at a time. It
// returns once all of them are connected and have sent their subscribe.
func (f *fleet) open(ctx context.Context, urls []string, token string, n, parallel int) error {
	header := http.Header{"Authorization": {"Bearer " + token}}
	sub, _ := json.Marshal(map[string]string{"type": "subscribe", "topic": f.topic})
	hello, path := [][]byte{sub}, "/ws"
	if f.cf != nil {
		header, hello, path = nil, f.cf.hello(), "/connection/websocket"
	}
	f.clients = make([]*client, n)
	sem := make(chan struct{}, parallel)
	var failed atomic.Int64
	var firstErr atomic.Pointer[string]
	var wg sync.WaitGroup
	for i := range n {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			wg.Wait()
			return ctx.Err()
		}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			c := &client{inst: i % len(urls), recv: make([]delivery, 0, f.perClient)}
			u := "ws" + strings.TrimPrefix(urls[c.inst], "http") + path
			var err error
			for attempt := range 5 {
				if attempt > 0 {
					time.Sleep(time.Duration(attempt) * 200 * time.Millisecond)
				}
				var resp *http.Response
				c.ws, resp, err = dialer.DialContext(ctx, u, header)
				if resp != nil && resp.Body != nil {
					resp.Body.Close()
				}
				if err == nil || ctx.Err() != nil {
					break
				}
			}
			for _, msg := range hello {
				if err == nil {
					err = c.ws.WriteMessage(websocket.TextMessage, msg)
				}
			}
			if err != nil {
				failed.Add(1)
				msg := err.Error()
				firstErr.CompareAndSwap(nil, &msg)
				if c.ws != nil {
					c.ws.Close()
				}
				return
			}
			f.clients[i] = c
			f.wg.Add(1)
			go f.read(c)
		}()
	}
	wg.Wait()
	if n := failed.Load(); n > 0 {
		return fmt.Errorf("%d connection(s) failed, the first: %s", n, *firstErr.Load())
	}
	return ctx.Err()
}

// waitSubscribed waits until every client has been told "subscribed".
func (f *fleet) waitSubscribed(ctx context.Context, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for f.nSubscribed.Load() < int64(len(f.clients)) {
		if e := f.firstErr.Load(); e != nil {
			return fmt.Errorf("a client was refused: %s", *e)
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("only %d of %d clients subscribed after %s (%d connections ended)", f.nSubscribed.Load(), len(f.clients), timeout, f.ended.Load())
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
	return nil
}

func (f *fleet) read(c *client) {
	defer f.wg.Done()
	buf := make([]byte, 0, 1024)
	for {
		_, r, err := c.ws.NextReader()
		if err == nil {
			buf, err = readAll(r, buf[:0])
		}
		if err != nil {
			if f.reconnect != nil && !f.closing.Load() && f.redial(c, err) {
				continue
			}
			if !f.closing.Load() {
				f.ended.Add(1)
				msg := "connection ended: " + err.Error()
				f.firstErr.CompareAndSwap(nil, &msg)
			}
			return
		}
		at := time.Since(f.base)
		for data := buf; len(data) > 0; {
			var line []byte
			line, data, _ = bytes.Cut(data, []byte{'\n'})
			if f.cf != nil {
				f.handleCentrifugo(c, line, at)
			} else {
				f.handle(c, line, at)
			}
		}
	}
}

// readAll reads a frame into buf, reusing its room.
func readAll(r io.Reader, buf []byte) ([]byte, error) {
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
	}
}

var (
	typePrefix = []byte(`{"type":"`)
	seqKey     = []byte(`"seq":`)
	dataIDKey  = []byte(`"data":{"id":`)
)

// handle looks at one server message. The server writes the type first,
// then the topic and seq, and the post's id first in its data; anything
// else is decoded fully.
func (f *fleet) handle(c *client, line []byte, at time.Duration) {
	typ, seq, id := peek(line)
	switch typ {
	case "post.created":
		if id <= 0 {
			f.unparsed.Add(1)
			return
		}
		c.recv = append(c.recv, delivery{id: id, at: at})
		f.postBytes.Add(int64(len(line)))
		// Events come in seq order; post ids need not (two replies
		// committed at once may take their seqs in the other order).
		if seq > c.last {
			c.last = seq
			f.fresh.Add(1)
		} else {
			f.dups.Add(1)
		}
	case "subscribed":
		if bytes.Contains(line, f.subscribed) && !c.subscribed {
			// Where the topic stood: a client that reconnects catches
			// up from here if no post came before it left.
			c.subscribed = true
			if seq, ok := numberAfter(line, seqKey); ok && seq > c.last {
				c.last = seq
			}
			f.nSubscribed.Add(1)
		}
	case "error":
		f.errors.Add(1)
		msg := string(line)
		f.firstErr.CompareAndSwap(nil, &msg)
	case "reset":
		f.resets.Add(1)
	case "presence", "typing":
		f.presence.Add(1)
	case "":
		f.unparsed.Add(1)
	default:
		f.other.Add(1)
	}
}

func peek(line []byte) (typ string, seq, id int64) {
	if rest, ok := bytes.CutPrefix(line, typePrefix); ok {
		if end := bytes.IndexByte(rest, '"'); end > 0 {
			typ = string(rest[:end])
			if typ != "post.created" {
				return typ, 0, 0
			}
			seq, sok := numberAfter(rest, seqKey)
			id, iok := numberAfter(rest, dataIDKey)
			if sok && iok {
				return typ, seq, id
			}
		}
	}
	var m struct {
		Type string `json:"type"`
		Seq  int64  `json:"seq"`
		Data struct {
			ID int64 `json:"id"`
		} `json:"data"`
	}
	if json.Unmarshal(line, &m) != nil {
		return "", 0, 0
	}
	return m.Type, m.Seq, m.Data.ID
}

// numberAfter reads the integer that follows the first key in b.
func numberAfter(b, key []byte) (int64, bool) {
	i := bytes.Index(b, key)
	if i < 0 {
		return 0, false
	}
	digits := b[i+len(key):]
	n := 0
	for n < len(digits) && digits[n] >= '0' && digits[n] <= '9' {
		n++
	}
	v, err := strconv.ParseInt(string(digits[:n]), 10, 64)
	return v, err == nil
}

// close ends every connection and waits for the readers.
func (f *fleet) close() {
	f.closing.Store(true)
	f.mu.Lock()
	for _, c := range f.clients {
		if c != nil {
			c.ws.Close()
		}
	}
	f.mu.Unlock()
	f.wg.Wait()
}
