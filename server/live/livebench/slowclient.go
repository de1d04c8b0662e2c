package main

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/gorilla/websocket"
)

// slowClient follows the thread like the others but over a link that
// carries slowRate bytes a second, with a small receive buffer: a phone
// on a bad line (issue 12: a slow client is cut without raising the
// others' p99 by more than 10 %). Its slowness is counted in bytes, not
// frames: a connection's writer puts every message waiting for it into
// one frame, so a client reading one frame a second, whatever its size,
// keeps up with any rate (three runs showed it, README).
type slowClient struct {
	ws     *websocket.Conn
	frames atomic.Int64
	bytes  atomic.Int64
	// cutAt is when the server cut it (since bench.base, ns; 0: not cut),
	// as its instance's slow-disconnect counter tells: the client itself
	// learns of it only after reading, at its pace, what the kernel
	// already holds for it.
	cutAt  atomic.Int64
	closed atomic.Bool
	done   chan struct{}
}

// slowRate is how many bytes a second the slow client's link carries:
// about one live message (a reply's event is 1–2 KiB) a second.
const slowRate = 1024

func slowDialer(count *atomic.Int64) *websocket.Dialer {
	nd := &net.Dialer{Control: func(_, _ string, c syscall.RawConn) error {
		var serr error
		err := c.Control(func(fd uintptr) {
			serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096)
		})
		if err != nil {
			return err
		}
		return serr
	}}
	return &websocket.Dialer{
		HandshakeTimeout: 30 * time.Second,
		ReadBufferSize:   256,
		NetDialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			c, err := nd.DialContext(ctx, network, addr)
			if err != nil {
				return nil, err
			}
			return &throttledConn{Conn: c, rate: slowRate, count: count}, nil
		},
	}
}

// throttledConn reads at most rate bytes a second, as a slow link would:
// what it has not read stays in the kernel's buffers, then the server's.
type throttledConn struct {
	net.Conn
	rate  int
	count *atomic.Int64
	start time.Time
	read  int
}

func (t *throttledConn) Read(p []byte) (int, error) {
	if t.start.IsZero() {
		t.start = time.Now()
	}
	// Wait until the bytes read so far fit the rate, then read a slice of
	// at most a tenth of a second's worth.
	if due := t.start.Add(time.Duration(t.read) * time.Second / time.Duration(t.rate)); time.Until(due) > 0 {
		time.Sleep(time.Until(due))
	}
	if chunk := max(t.rate/10, 1); len(p) > chunk {
		p = p[:chunk]
	}
	n, err := t.Conn.Read(p)
	t.read += n
	t.count.Add(int64(n))
	return n, err
}

func (b *bench) startSlowClient(ctx context.Context) (*slowClient, error) {
	s := &slowClient{done: make(chan struct{})}
	u := "ws" + strings.TrimPrefix(b.instances[0].url, "http") + "/ws"
	ws, resp, err := slowDialer(&s.bytes).DialContext(ctx, u, http.Header{"Authorization": {"Bearer " + b.readerToken}})
	if resp != nil && resp.Body != nil {
		resp.Body.Close()
	}
	if err != nil {
		return nil, err
	}
	sub, _ := json.Marshal(map[string]string{"type": "subscribe", "topic": "thread:" + itoa(b.threadID)})
	if err := ws.WriteMessage(websocket.TextMessage, sub); err != nil {
		ws.Close()
		return nil, err
	}
	s.ws = ws
	go func() {
		defer close(s.done)
		for {
			if _, _, err := ws.ReadMessage(); err != nil {
				return
			}
			s.frames.Add(1)
		}
	}()
	go s.watchServer(ctx, b)
	return s, nil
}

// watchServer polls its instance's count of connections cut for not
// keeping up until one more is counted or the client is stopped.
func (s *slowClient) watchServer(ctx context.Context, b *bench) {
	const metric = "ideasx_ws_slow_disconnects_total"
	in := b.instances[0]
	before, ok := in.scrapeMetrics(ctx)[metric]
	if !ok {
		logf("instance %s does not report %s: the slow client's cut cannot be seen", in.name, metric)
		return
	}
	t := time.NewTicker(250 * time.Millisecond)
	defer t.Stop()
	for !s.closed.Load() {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if n, ok := in.scrapeMetrics(ctx)[metric]; ok && n > before {
			s.cutAt.Store(int64(time.Since(b.base)))
			return
		}
	}
}

// stop closes it if the server has not. It does not wait for the reader,
// which may be sleeping: the phase after it starts now.
func (s *slowClient) stop() {
	s.closed.Store(true)
	s.ws.Close()
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
