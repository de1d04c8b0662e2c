package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// A client closed with "going away" comes back and asks for what came
// after the last reply it had, so the run's loss and duplicate counts
// measure the server, not the bench.
func TestFleetReconnectsAndResumesFromItsLastSeq(t *testing.T) {
	var mu sync.Mutex
	var subscribes []map[string]any
	up := websocket.Upgrader{}
	conns := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer ws.Close()
		var sub map[string]any
		if ws.ReadJSON(&sub) != nil {
			return
		}
		mu.Lock()
		subscribes = append(subscribes, sub)
		conns++
		first := conns == 1
		mu.Unlock()
		send := func(s string) { _ = ws.WriteMessage(websocket.TextMessage, []byte(s)) }
		if first {
			send(`{"type":"subscribed","topic":"thread:1","seq":4}`)
			send(`{"type":"post.created","topic":"thread:1","seq":5,"data":{"id":50}}`)
			send(`{"type":"post.created","topic":"thread:1","seq":6,"data":{"id":60}}`)
			_ = ws.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseGoingAway, "shutting down"))
			time.Sleep(100 * time.Millisecond)
			return
		}
		// The other instance is further on; what the client missed is replayed.
		send(`{"type":"subscribed","topic":"thread:1","seq":7}`)
		send(`{"type":"post.created","topic":"thread:1","seq":7,"data":{"id":70}}`)
		_, _, _ = ws.ReadMessage() // until the bench closes
	}))
	defer srv.Close()

	wsURL := "ws" + strings.TrimPrefix(srv.URL, "http") + "/ws"
	f := newFleet(time.Now(), 1, 8)
	f.reconnect = newReconnector(wsURL, "token", 10*time.Second)
	if err := f.open(context.Background(), []string{srv.URL}, "token", 1, 1); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for f.fresh.Load() < 3 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	f.close()

	c := f.clients[0]
	var ids []int64
	for _, d := range c.recv {
		ids = append(ids, d.id)
	}
	if fmt.Sprint(ids) != "[50 60 70]" || f.dups.Load() != 0 {
		t.Errorf("received %v (%d duplicates), want [50 60 70] once each", ids, f.dups.Load())
	}
	mu.Lock()
	defer mu.Unlock()
	if len(subscribes) != 2 {
		t.Fatalf("%d subscribes, want the first and one after the reconnection: %v", len(subscribes), subscribes)
	}
	if since, ok := subscribes[1]["since"].(float64); !ok || since != 6 {
		t.Errorf("resubscribed with %v, want since 6 (the last seq it had)", subscribes[1])
	}
	if c.reconnects != 1 || f.reconnect.ends["close 1001 going away"] != 1 {
		b, _ := json.Marshal(f.reconnect.ends)
		t.Errorf("reconnects %d, ends %s; want one reconnection after a going-away close", c.reconnects, b)
	}
}
