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

// slowClient follows the thread like the others but reads one frame a
// second, with a small receive buffer, to see whether the server cuts it
// and whether the others notice (issue 12: a slow client is cut without
// raising the others' p99 by more than 10 %).
type slowClient struct {
	ws     *websocket.Conn
	frames atomic.Int64
	cutAt  atomic.Int64 // since bench.base, ns; 0 while connected
	closed atomic.Bool
	done   chan struct{}
}

var slowDialer = &websocket.Dialer{
	HandshakeTimeout: 30 * time.Second,
	NetDialContext: (&net.Dialer{Control: func(_, _ string, c syscall.RawConn) error {
		var serr error
		err := c.Control(func(fd uintptr) {
			serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096)
		})
		if err != nil {
			return err
		}
		return serr
	}}).DialContext,
}

func (b *bench) startSlowClient(ctx context.Context) (*slowClient, error) {
	u := "ws" + strings.TrimPrefix(b.instances[0].url, "http") + "/ws"
	ws, resp, err := slowDialer.DialContext(ctx, u, http.Header{"Authorization": {"Bearer " + b.readerToken}})
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
	s := &slowClient{ws: ws, done: make(chan struct{})}
	go func() {
		defer close(s.done)
		for {
			if _, _, err := ws.ReadMessage(); err != nil {
				if !s.closed.Load() { // the server ended it
					s.cutAt.Store(int64(time.Since(b.base)))
				}
				return
			}
			s.frames.Add(1)
			time.Sleep(time.Second)
		}
	}()
	return s, nil
}

// stop closes it if the server has not. It does not wait for the reader,
// which may be sleeping: the phase after it starts now.
func (s *slowClient) stop() {
	s.closed.Store(true)
	s.ws.Close()
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
