package live

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"ideasx/store"
)

// panicRights panics when asked about thread:666, like a bug would.
type panicRights struct{ bulkyRights }

func (panicRights) CanSubscribe(_ context.Context, _ *store.User, t Topic) error {
	if t.ID == 666 {
		panic("boom")
	}
	return nil
}

func serveHub(t *testing.T, o Options) (*Hub, string) {
	t.Helper()
	if o.Events == nil {
		o.Events = &memEvents{}
	}
	o.Instance = "test"
	if o.Rights == nil {
		o.Rights = bulkyRights{}
	}
	h := NewHub(o)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { h.Run(ctx); close(done) }()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.Serve(w, r, member, store.Credential{SessionID: "s"})
	}))
	t.Cleanup(func() {
		sctx, c := context.WithTimeout(context.Background(), 2*time.Second)
		h.Shutdown(sctx)
		c()
		cancel()
		<-done
		srv.Close()
	})
	return h, "ws" + strings.TrimPrefix(srv.URL, "http")
}

// TestIdleConnectionIsPinged: the writer starts for pings too, while
// nothing else is sent.
func TestIdleConnectionIsPinged(t *testing.T) {
	_, url := serveHub(t, Options{PingEvery: 30 * time.Millisecond})
	ws, _, err := websocket.DefaultDialer.Dial(url, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	var pings atomic.Int32
	ws.SetPingHandler(func(string) error { pings.Add(1); return nil })
	go func() {
		for {
			if _, _, err := ws.ReadMessage(); err != nil {
				return
			}
		}
	}()
	deadline := time.Now().Add(5 * time.Second)
	for pings.Load() < 3 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := pings.Load(); n < 3 {
		t.Fatalf("%d pings in 5s, want at least 3", n)
	}
}

// TestPanicClosesOneConnection: a bug met while handling a client's
// message closes that connection (1011), not the server.
func TestPanicClosesOneConnection(t *testing.T) {
	h, url := serveHub(t, Options{Rights: panicRights{}})
	bad, _, err := websocket.DefaultDialer.Dial(url, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer bad.Close()
	if err := bad.WriteJSON(map[string]string{"type": "subscribe", "topic": "thread:666"}); err != nil {
		t.Fatal(err)
	}
	_ = bad.SetReadDeadline(time.Now().Add(5 * time.Second))
	for {
		_, _, err := bad.ReadMessage()
		var ce *websocket.CloseError
		if errors.As(err, &ce) {
			if ce.Code != websocket.CloseInternalServerErr {
				t.Fatalf("closed with %d, want %d", ce.Code, websocket.CloseInternalServerErr)
			}
			break
		}
		if err != nil {
			t.Fatalf("read: %v, want a close frame", err)
		}
	}

	good, _, err := websocket.DefaultDialer.Dial(url, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer good.Close()
	if err := good.WriteJSON(map[string]string{"type": "subscribe", "topic": "thread:1"}); err != nil {
		t.Fatal(err)
	}
	// A frame may carry several messages ("subscribed" to the reader's
	// own topic, then to thread:1): ReadJSON would read the first alone.
	if err := readMessages(t, good, func(m serverMessage) bool { return m.Type == "subscribed" && m.Topic == "thread:1" }); err != nil {
		t.Fatalf("read: %v", err)
	}
	// The first connection is gone from the hub.
	deadline := time.Now().Add(5 * time.Second)
	for h.Stats().Connections != 1 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := h.Stats().Connections; n != 1 {
		t.Fatalf("%d connections in the hub, want 1", n)
	}
}
