package live

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"ideasx/server/live/liveclient"
	"ideasx/store"
)

// memEvents is an in-memory event store.
type memEvents struct {
	mu     sync.Mutex
	events map[string][]store.LiveEvent
	nextID int64
}

func (m *memEvents) add(topic, typ string) store.LiveEvent {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.events == nil {
		m.events = map[string][]store.LiveEvent{}
	}
	m.nextID++
	ev := store.LiveEvent{ID: m.nextID, Topic: topic, Seq: int64(len(m.events[topic]) + 1), Type: typ, Payload: "{}"}
	m.events[topic] = append(m.events[topic], ev)
	return ev
}

func (m *memEvents) EventsSince(_ context.Context, topic string, seq int64, limit int) ([]store.LiveEvent, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []store.LiveEvent
	for _, ev := range m.events[topic] {
		if ev.Seq > seq && len(out) < limit {
			out = append(out, ev)
		}
	}
	return out, nil
}

func (m *memEvents) TopicSeqs(_ context.Context, topics []string) (map[string]int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := map[string]int64{}
	for _, t := range topics {
		if n := len(m.events[t]); n > 0 {
			out[t] = int64(n)
		}
	}
	return out, nil
}

func (m *memEvents) CheckCredentials(_ context.Context, creds []store.Credential) (map[store.Credential]*store.User, error) {
	out := map[store.Credential]*store.User{}
	for _, c := range creds {
		out[c] = member
	}
	return out, nil
}

var member = &store.User{ID: 7, Role: store.RoleMember, Status: store.StatusActive}

// bulkyRights lets everyone follow everything and makes every event big,
// so that a client that does not read fills its queue quickly.
type bulkyRights struct{}

type sameView struct{ f *Frame }

func (v sameView) For(*store.User) *Frame { return v.f }

func (bulkyRights) CanSubscribe(context.Context, *store.User, Topic) error { return nil }
func (bulkyRights) Render(_ context.Context, ev store.LiveEvent) (View, error) {
	f, err := NewEventFrame(ev.Type, ev.Topic, ev.Seq, map[string]string{"body": strings.Repeat("x", 32<<10)})
	return sameView{f}, err
}
func (bulkyRights) RenderPresence(_ context.Context, t Topic, v []Viewer) (View, error) {
	f, err := NewEventFrame("presence", t.String(), 0, map[string]int{"count": len(v)})
	return sameView{f}, err
}
func (bulkyRights) RenderTyping(_ context.Context, t Topic, v Viewer) (View, error) {
	f, err := NewEventFrame("typing", t.String(), 0, v)
	return sameView{f}, err
}
func (bulkyRights) Viewer(u *store.User) Viewer { return Viewer{UserID: u.ID, Name: "M"} }

// TestSlowClientIsCutOff: a client that stops reading is disconnected and
// the others still get every event.
func TestSlowClientIsCutOff(t *testing.T) {
	events := &memEvents{}
	h, url := serveHub(t, Options{Events: events, SendQueue: 16})
	const topic = "thread:1"

	slow, _, err := websocket.DefaultDialer.Dial(url, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer slow.Close()
	if err := slow.WriteJSON(map[string]string{"type": "subscribe", "topic": topic}); err != nil {
		t.Fatal(err)
	}
	got := make(chan int64, 1024)
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

	const total = 600 // 600 × 32 KiB: far more than socket buffers and the queue hold
	for want := int64(1); want <= total; want++ {
		h.Publish([]store.LiveEvent{events.add(topic, "post.created")})
		select {
		case seq := <-got:
			if seq != want {
				t.Fatalf("fast client got seq %d, want %d", seq, want)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("fast client stalled at seq %d", want)
		}
	}
	waitFor(t, func() bool { return h.Stats().Connections == 1 })
	// The slow client finds its connection ended, short of the events.
	_ = slow.SetReadDeadline(time.Now().Add(5 * time.Second))
	n := 0
	for {
		_, data, err := slow.ReadMessage()
		if err != nil {
			break
		}
		n += strings.Count(string(data), `"post.created"`)
	}
	if n >= total {
		t.Fatalf("the slow client got all %d events: it was never cut off", n)
	}
}

// TestGapsAreFilledFromTheStore: an event the broker never brought is
// read back from the store before the next one, in order.
func TestGapsAreFilledFromTheStore(t *testing.T) {
	events := &memEvents{}
	h, url := serveHub(t, Options{Events: events, SendQueue: 64})
	const topic = "thread:2"
	got := make(chan int64, 16)
	c, _, err := liveclient.Dial(context.Background(), liveclient.Dialer{URLs: []string{url}, OnMessage: func(m liveclient.Message) {
		if m.Type == "post.created" {
			got <- m.Seq
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.Subscribe(topic, nil)
	waitFor(t, func() bool { return h.subscribers(topic) == 1 })
	events.add(topic, "post.created") // committed, but its bell was lost
	second := events.add(topic, "post.created")
	h.Publish([]store.LiveEvent{second})
	h.Publish([]store.LiveEvent{second}) // and this one rang twice
	for want := int64(1); want <= 2; want++ {
		select {
		case seq := <-got:
			if seq != want {
				t.Fatalf("got seq %d, want %d", seq, want)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("no seq %d", want)
		}
	}
	select {
	case seq := <-got:
		t.Fatalf("duplicate delivery of seq %d", seq)
	case <-time.After(300 * time.Millisecond):
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for range 500 {
		if cond() {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("condition not met in 5s")
}

func (h *Hub) subscribers(name string) int {
	t := h.topic(name)
	if t == nil {
		return 0
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.subs)
}

func TestDecodeClient(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want error
	}{
		{`{"type":"subscribe","topic":"thread:42","since":12}`, nil},
		{`{"type":"unsubscribe","topic":"forum"}`, nil},
		{`{"type":"typing","topic":"thread:1"}`, nil},
		{`{"type":"subscribe","topic":"thread:0"}`, errBadTopic},
		{`{"type":"subscribe","topic":"thread:042"}`, errBadTopic},
		{`{"type":"subscribe","topic":"forum:1"}`, errBadTopic},
		{`{"type":"subscribe","topic":"secret"}`, errBadTopic},
		{`{"type":"subscribe","topic":"thread:1","since":-1}`, errBadFrame},
		{`{"type":"shout","topic":"forum"}`, errUnknownTyp},
		{`{"topic":"forum"}`, errBadFrame},
		{`not json`, errBadFrame},
		{`{"type":"subscribe","topic":"forum"} {}`, errBadFrame},
		{``, errBadFrame},
	} {
		if _, err := decodeClient([]byte(tc.in)); err != tc.want {
			t.Errorf("%s: got %v, want %v", tc.in, err, tc.want)
		}
	}
}

func FuzzDecodeClient(f *testing.F) {
	for _, s := range []string{`{"type":"subscribe","topic":"thread:42","since":1}`, `{"type":"typing","topic":"forum"}`, `[]`, `{"since":1e99}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := decodeClient(data)
		if err != nil {
			return
		}
		if _, perr := ParseTopic(m.Topic); perr != nil {
			t.Fatalf("accepted a bad topic %q", m.Topic)
		}
		if m.Type != typeSubscribe && m.Type != typeUnsubscribe && m.Type != typeTyping {
			t.Fatalf("accepted type %q", m.Type)
		}
		if got := fmt.Sprint(ParseTopic(m.Topic)); got == "" {
			t.Fatal("unprintable topic")
		}
	})
}

// TestPollRunsThroughSteadyTraffic: the database is polled on time even
// while this instance's own events keep arriving. During a broker outage
// that poll is the only way other instances' events get here; it used to
// wait for a pause in local traffic that a busy site never has.
func TestPollRunsThroughSteadyTraffic(t *testing.T) {
	events := &memEvents{}
	h, url := serveHub(t, Options{Events: events, PollEvery: 300 * time.Millisecond})
	const quiet, busy = "thread:3", "thread:4"
	got := make(chan int64, 4)
	c, _, err := liveclient.Dial(context.Background(), liveclient.Dialer{URLs: []string{url}, OnMessage: func(m liveclient.Message) {
		if m.Type == "post.created" && m.Topic == quiet {
			got <- m.Seq
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.Subscribe(quiet, nil)
	waitFor(t, func() bool { return h.subscribers(quiet) == 1 })

	stop := make(chan struct{})
	defer close(stop)
	go func() {
		for {
			select {
			case <-stop:
				return
			case <-time.After(50 * time.Millisecond):
				h.Publish([]store.LiveEvent{events.add(busy, "post.created")})
			}
		}
	}()
	events.add(quiet, "post.created") // made elsewhere; its bell never came
	select {
	case seq := <-got:
		if seq != 1 {
			t.Fatalf("got seq %d, want 1", seq)
		}
	case <-time.After(3 * time.Second):
		t.Fatal("the quiet topic's event was not found by polling within 3 s (poll every 300 ms)")
	}
}
