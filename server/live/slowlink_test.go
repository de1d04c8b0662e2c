package live

import (
	"context"
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"ideasx/server/live/liveclient"
	"ideasx/store"
)

// smallRights makes every event about the size of a reply's (1 KiB).
type smallRights struct{ bulkyRights }

func (smallRights) Render(_ context.Context, ev store.LiveEvent) (View, error) {
	f, err := NewEventFrame(ev.Type, ev.Topic, ev.Seq, map[string]string{"body": strings.Repeat("x", 1<<10)})
	return sameView{f}, err
}

// slowLink, once slow is set, reads 256 bytes every 50 ms (5 KiB/s), as
// a mobile line gone bad.
type slowLink struct {
	net.Conn
	slow *atomic.Bool
}

func (l *slowLink) Read(p []byte) (int, error) {
	if l.slow.Load() {
		time.Sleep(50 * time.Millisecond)
		p = p[:min(len(p), 256)]
	}
	return l.Conn.Read(p)
}

// TestClientOnASlowLinkIsCutWithinABoundedBacklog: a client that reads,
// but slower than its thread moves, is cut once a bounded backlog waits
// for it, not after the kernel has swallowed megabytes on its behalf (on
// loopback Linux lets the send buffer of a connection that keeps reading
// grow to 4 MiB: 4,000 replies, minutes of a busy thread). A reader that
// keeps up gets everything meanwhile.
func TestClientOnASlowLinkIsCutWithinABoundedBacklog(t *testing.T) {
	events := &memEvents{}
	h, url := serveHub(t, Options{Events: events, Rights: smallRights{}})
	const topic = "thread:1"

	var slowed atomic.Bool
	slowDialer := &websocket.Dialer{NetDialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := (&net.Dialer{}).DialContext(ctx, network, addr)
		return &slowLink{Conn: c, slow: &slowed}, err
	}}
	slow, _, err := slowDialer.Dial(url, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer slow.Close()
	if err := slow.WriteJSON(map[string]string{"type": "subscribe", "topic": topic}); err != nil {
		t.Fatal(err)
	}
	go func() {
		for {
			if _, _, err := slow.ReadMessage(); err != nil {
				return
			}
		}
	}()
	got := make(chan int64, 64)
	fast, _, err := liveclient.Dial(context.Background(), liveclient.Dialer{URLs: []string{url}, OnMessage: func(m liveclient.Message) {
		if m.Type == "post.created" {
			got <- m.Seq
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer fast.Close()
	_ = fast.Subscribe(topic, nil)
	waitFor(t, func() bool { return h.subscribers(topic) == 2 })

	// First both keep up, long enough for the kernel to grow the buffers
	// of a fast link; then one link turns slow and 2 MiB more are sent:
	// half of what an unbounded loopback buffer would hold by then.
	const fastFor, total = 2000, 4000
	cutAt := int64(0)
	for want := int64(1); want <= total; want++ {
		if want == fastFor {
			slowed.Store(true)
		}
		h.Publish([]store.LiveEvent{events.add(topic, "post.created")})
		select {
		case seq := <-got:
			if seq != want {
				t.Fatalf("the reading client got seq %d, want %d", seq, want)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("the reading client stalled at seq %d", want)
		}
		if cutAt == 0 && h.Stats().Connections == 1 {
			cutAt = want
		}
	}
	if cutAt == 0 {
		t.Fatalf("a client reading 5 KiB/s, sent %d messages of 1 KiB (2 MiB) since, is still connected", total-fastFor)
	}
	if cutAt < fastFor {
		t.Fatalf("cut at message %d, while it kept up", cutAt)
	}
	t.Logf("cut %d messages of 1 KiB after its link turned slow", cutAt-fastFor)
}
