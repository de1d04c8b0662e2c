package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"ideasx/server/servertest"
	"ideasx/store"
	"ideasx/store/storetest"
)

type wsMessage struct {
	Type  string `json:"type"`
	Topic string `json:"topic"`
	Seq   int64  `json:"seq"`
}

// readWS reads messages until stop says so, or returns how the connection ended.
func readWS(t *testing.T, ws *websocket.Conn, stop func(wsMessage) bool) error {
	t.Helper()
	_ = ws.SetReadDeadline(time.Now().Add(10 * time.Second))
	for {
		_, data, err := ws.ReadMessage()
		if err != nil {
			return err
		}
		for _, line := range bytes.Split(data, []byte{'\n'}) {
			var m wsMessage
			if err := json.Unmarshal(line, &m); err != nil {
				t.Fatalf("bad message %q", line)
			}
			if stop(m) {
				return nil
			}
		}
	}
}

// TestWebsocketFloodIsClosed: through /ws, a member's connection sending
// subscribe and unsubscribe in a loop is closed with 1008 and counted in
// /metrics.
func TestWebsocketFloodIsClosed(t *testing.T) {
	t.Parallel()
	app := servertest.New(t, storetest.SQLite, nil)
	f := newLiveFixture(t, app, "record")
	ws, _, err := websocket.DefaultDialer.Dial(app.WSURL(), f.del.BrowserHeader())
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	topic := fmt.Sprintf("thread:%d", f.thread)
	go func() {
		for i := 0; ; i++ {
			typ := "subscribe"
			if i%2 == 1 {
				typ = "unsubscribe"
			}
			if ws.WriteJSON(map[string]string{"type": typ, "topic": topic}) != nil {
				return
			}
		}
	}()
	err = readWS(t, ws, func(wsMessage) bool { return false })
	var ce *websocket.CloseError
	if !errors.As(err, &ce) || ce.Code != websocket.ClosePolicyViolation {
		t.Fatalf("the flood ended with %v, want close code 1008", err)
	}
	if m := app.Client().Get("/metrics"); !bytes.Contains([]byte(m.Body), []byte("ideasx_ws_flood_closes_total 1\n")) {
		t.Fatalf("/metrics does not count the closing:\n%s", m.Body)
	}
}

// TestWebsocketReplayBudget: an anonymous connection asking for the
// documents topic from seq 0 again and again gets the events until its
// budget for the minute (IDEASX_WS_REPLAY_PER_MINUTE) is spent, then a
// reset instead.
func TestWebsocketReplayBudget(t *testing.T) {
	t.Parallel()
	app := servertest.New(t, storetest.SQLite, map[string]string{"IDEASX_WS_REPLAY_PER_MINUTE": "10"})
	for i := range 4 {
		d := &store.Document{Title: fmt.Sprintf("Programme %d", i), DocDate: time.Now(), Visibility: store.Public, Status: store.Published}
		if err := app.Store.SaveDocument(context.Background(), 0, d); err != nil {
			t.Fatal(err)
		}
	}
	ws, _, err := websocket.DefaultDialer.Dial(app.WSURL(), app.Client().BrowserHeader())
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	// catchUp asks for everything since 0; "subscribed" to thread:… marks
	// the end (a visitor may not follow a thread: an error then).
	catchUp := func() (last int64, events int, reset bool) {
		t.Helper()
		for _, m := range []map[string]any{
			{"type": "subscribe", "topic": "documents", "since": 0},
			{"type": "subscribe", "topic": "thread:1"},
		} {
			if err := ws.WriteJSON(m); err != nil {
				t.Fatal(err)
			}
		}
		if err := readWS(t, ws, func(m wsMessage) bool {
			switch {
			case m.Type == "subscribed" && m.Topic == "documents":
				last = m.Seq
			case m.Type == "reset" && m.Topic == "documents":
				reset = true
			case m.Topic == "documents" && m.Seq > 0:
				events++
			}
			return m.Topic == "thread:1"
		}); err != nil {
			t.Fatal(err)
		}
		return last, events, reset
	}
	last, events, reset := catchUp()
	if last < 4 || last > 10 || int64(events) != last || reset {
		t.Fatalf("first catch-up: %d events of %d (reset %v), want all of at least 4 and at most 10", events, last, reset)
	}
	for i := 2; int64(i)*last <= 10; i++ {
		if _, events, reset := catchUp(); int64(events) != last || reset {
			t.Fatalf("catch-up %d: %d events (reset %v), want %d", i, events, reset, last)
		}
	}
	if _, events, reset := catchUp(); events != 0 || !reset {
		t.Fatalf("past the budget: %d events (reset %v), want none and a reset", events, reset)
	}
}
