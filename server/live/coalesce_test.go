package live

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"ideasx/store"
)

// TestBusyInstanceCoalesces: above CoalesceAbove messages a second, what a
// connection is sent within CoalesceWindow leaves in one frame; every
// event still arrives, once and in order.
func TestBusyInstanceCoalesces(t *testing.T) {
	events := &memEvents{}
	h, url := serveHub(t, Options{Events: events, CoalesceAbove: 10, CoalesceWindow: 150 * time.Millisecond})
	const topic = "thread:1"
	ws, _, err := websocket.DefaultDialer.Dial(url, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	if err := ws.WriteJSON(map[string]string{"type": "subscribe", "topic": topic}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool { return h.subscribers(topic) == 1 })

	type frame struct{ seqs []int64 }
	frames := make(chan frame, 1024)
	go func() {
		defer close(frames)
		for {
			_, data, err := ws.ReadMessage()
			if err != nil {
				return
			}
			var f frame
			for _, line := range strings.Split(string(data), "\n") {
				var m serverMessage
				if err := json.Unmarshal([]byte(line), &m); err != nil {
					t.Errorf("bad line %q: %v", line, err)
					return
				}
				if m.Type == "post.created" {
					f.seqs = append(f.seqs, m.Seq)
				}
			}
			frames <- f
		}
	}()

	// 50 events a second for 2.5 seconds: more than 10 a second, so the
	// writer waits after the first whole second.
	const total = 125
	tick := time.NewTicker(20 * time.Millisecond)
	for range total {
		<-tick.C
		h.Publish([]store.LiveEvent{events.add(topic, "post.created")})
	}
	tick.Stop()

	next, joined := int64(1), 0
	deadline := time.After(10 * time.Second)
	for next <= total {
		select {
		case f, ok := <-frames:
			if !ok {
				t.Fatalf("connection ended at seq %d", next)
			}
			if len(f.seqs) > 1 {
				joined++
			}
			for _, seq := range f.seqs {
				if seq != next {
					t.Fatalf("got seq %d, want %d", seq, next)
				}
				next++
			}
		case <-deadline:
			t.Fatalf("stalled at seq %d", next)
		}
	}
	if joined == 0 {
		t.Fatal("no frame carried several events: the busy instance did not coalesce")
	}
}
