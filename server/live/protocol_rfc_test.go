package live

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// TestInvalidUTF8IsClosed1007: a text message that is not UTF-8 fails the
// connection with 1007 (RFC 6455 §8.1) instead of being read as JSON.
func TestInvalidUTF8IsClosed1007(t *testing.T) {
	_, url := serveHub(t, Options{})
	ws := dialHub(t, url)
	bad := []byte("{\"type\":\"subscribe\",\"topic\":\"forum\xff\"}")
	if err := ws.WriteMessage(websocket.TextMessage, bad); err != nil {
		t.Fatal(err)
	}
	err := readMessages(t, ws, func(serverMessage) bool { return false })
	var ce *websocket.CloseError
	if !errors.As(err, &ce) || ce.Code != websocket.CloseInvalidFramePayloadData {
		t.Fatalf("got %v, want close %d", err, websocket.CloseInvalidFramePayloadData)
	}
}

// TestBinaryIsNotCheckedForUTF8: the same bytes in a binary message are
// only a bad message (an error reply), not a broken connection.
func TestBinaryIsNotCheckedForUTF8(t *testing.T) {
	_, url := serveHub(t, Options{})
	ws := dialHub(t, url)
	if err := ws.WriteMessage(websocket.BinaryMessage, []byte{0xff, 0xfe}); err != nil {
		t.Fatal(err)
	}
	if err := readMessages(t, ws, func(m serverMessage) bool { return m.Type == "error" && m.Code == "bad_request" }); err != nil {
		t.Fatalf("got %v, want an error reply", err)
	}
}

// TestSubscribedCarriesSeqAtZero: "subscribed" says where the topic
// stands even before its first event, as 0, so that a client always has
// a since to reconnect with.
func TestSubscribedCarriesSeqAtZero(t *testing.T) {
	events := &memEvents{}
	events.add("thread:9", "post.created")
	_, url := serveHub(t, Options{Events: events})
	ws := dialHub(t, url)
	for _, topic := range []string{"thread:8", "thread:9"} {
		if err := ws.WriteJSON(map[string]string{"type": "subscribe", "topic": topic}); err != nil {
			t.Fatal(err)
		}
	}
	want := map[string]float64{"thread:8": 0, "thread:9": 1}
	got := map[string]any{}
	_ = ws.SetReadDeadline(time.Now().Add(10 * time.Second))
	for len(got) < len(want) {
		_, data, err := ws.ReadMessage()
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range bytes.Split(data, []byte{'\n'}) {
			var m map[string]any
			if err := json.Unmarshal(line, &m); err != nil {
				t.Fatalf("bad message %q: %v", line, err)
			}
			if topic, _ := m["topic"].(string); m["type"] == "subscribed" {
				if _, ok := want[topic]; ok {
					got[topic] = m["seq"]
				}
			}
		}
	}
	for topic, seq := range want {
		if got[topic] != seq {
			t.Errorf("subscribed to %s: seq %v, want %v", topic, got[topic], seq)
		}
	}
}
