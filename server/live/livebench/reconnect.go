package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
)

// reconnector brings back a client whose connection ended, as the site's
// page does (frontend/static/js/live.js): after a back-off with jitter,
// 0.5–1 s first, doubling up to 30 s, and catching up with `since` (the
// last seq it had), so that nothing is lost and nothing comes twice.
type reconnector struct {
	url    string // ws://…/ws, the proxy's with -chaos sigterm
	header http.Header
	giveUp time.Duration

	reconnected atomic.Int64 // connections made again
	mu          sync.Mutex
	ends        map[string]int // why connections ended: a close code or an error
	failures    map[string]int // failed attempts to connect again, by kind
}

func newReconnector(url, token string, giveUp time.Duration) *reconnector {
	return &reconnector{url: url, header: http.Header{"Authorization": {"Bearer " + token}}, giveUp: giveUp,
		ends: map[string]int{}, failures: map[string]int{}}
}

func (r *reconnector) count(m map[string]int, kind string) {
	r.mu.Lock()
	m[kind]++
	r.mu.Unlock()
}

// redial is called by c's reader when its connection ended with cause. It
// reconnects, subscribes again from c.last and swaps c.ws; false means the
// bench is closing or the client gave up.
func (f *fleet) redial(c *client, cause error) bool {
	r := f.reconnect
	r.count(r.ends, endKind(cause))
	c.ws.Close()
	sub, _ := json.Marshal(map[string]any{"type": "subscribe", "topic": f.topic, "since": c.last})
	deadline := time.Now().Add(r.giveUp)
	for attempt := 0; time.Now().Before(deadline); attempt++ {
		ceiling := min(30*time.Second, time.Second<<min(attempt, 5))
		time.Sleep(ceiling/2 + rand.N(ceiling/2))
		if f.closing.Load() {
			return false
		}
		ws, resp, err := dialer.Dial(r.url, r.header)
		if resp != nil && resp.Body != nil {
			resp.Body.Close()
		}
		if err == nil {
			err = ws.WriteMessage(websocket.TextMessage, sub)
			if err != nil {
				ws.Close()
			}
		}
		if err != nil {
			r.count(r.failures, dialKind(err, resp))
			continue
		}
		f.mu.Lock()
		if f.closing.Load() {
			f.mu.Unlock()
			ws.Close()
			return false
		}
		c.ws = ws
		f.mu.Unlock()
		c.reconnects++
		r.reconnected.Add(1)
		return true
	}
	return false
}

// endKind names why a connection ended: "close 1001 going away" for the
// server's goodbye on SIGTERM, the error otherwise.
func endKind(err error) string {
	var ce *websocket.CloseError
	if errors.As(err, &ce) {
		return fmt.Sprintf("close %d %s", ce.Code, closeNames[ce.Code])
	}
	return errKind(err)
}

var closeNames = map[int]string{websocket.CloseNormalClosure: "normal", websocket.CloseGoingAway: "going away",
	websocket.CloseAbnormalClosure: "abnormal (no close frame)", websocket.CloseTryAgainLater: "try again later"}

func dialKind(err error, resp *http.Response) string {
	if resp != nil {
		return fmt.Sprintf("upgrade answered %d", resp.StatusCode)
	}
	return errKind(err)
}

// errKind shortens a transport error to its kind: the same failure on two
// connections reads the same.
func errKind(err error) string {
	s := err.Error()
	for _, k := range []string{"connection refused", "connection reset by peer", "broken pipe", "unexpected EOF", "EOF",
		"timeout", "deadline exceeded", "server closed idle connection", "use of closed network connection"} {
		if strings.Contains(s, k) {
			return k
		}
	}
	if len(s) > 80 {
		s = s[:80]
	}
	return s
}

// kinds lists counts by kind, most frequent first: "12 EOF, 3 timeout".
func kinds(m map[string]int) string {
	if len(m) == 0 {
		return "none"
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if m[keys[i]] != m[keys[j]] {
			return m[keys[i]] > m[keys[j]]
		}
		return keys[i] < keys[j]
	})
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%d %s", m[k], k)
	}
	return strings.Join(parts, ", ")
}
