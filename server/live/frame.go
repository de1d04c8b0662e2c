package live

import (
	"encoding/json"
	"fmt"

	"github.com/gorilla/websocket"
)

// Frame is one server message, encoded once whatever the number of its
// readers: a reply seen by five thousand clients is marshalled and framed
// one time.
type Frame struct {
	data     []byte
	prepared *websocket.PreparedMessage
	// Seq and Topic let a connection skip what it already has.
	Seq   int64
	Topic string
}

// NewEventFrame wraps an event's data for its readers.
func NewEventFrame(typ, topic string, seq int64, data any) (*Frame, error) {
	raw, err := json.Marshal(data)
	if err != nil {
		return nil, fmt.Errorf("live: encode %s: %w", typ, err)
	}
	return newFrame(serverMessage{Type: typ, Topic: topic, Seq: seq, Data: raw})
}

func newFrame(m serverMessage) (*Frame, error) {
	data, err := json.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("live: encode %s: %w", m.Type, err)
	}
	pm, err := websocket.NewPreparedMessage(websocket.TextMessage, data)
	if err != nil {
		return nil, err
	}
	return &Frame{data: data, prepared: pm, Seq: m.Seq, Topic: m.Topic}, nil
}

// plainFrame is a message for one connection only: not worth preparing.
func plainFrame(m serverMessage) *Frame {
	data, _ := json.Marshal(m)
	return &Frame{data: data, Topic: m.Topic, Seq: m.Seq}
}

// subscribedFrame confirms a subscription. Unlike the other messages it
// carries seq even at 0 (a topic with no event yet): clients take it as
// where they stand, to ask for what follows when they reconnect.
func subscribedFrame(topic string, seq int64) *Frame {
	data, _ := json.Marshal(struct {
		Type  string `json:"type"`
		Topic string `json:"topic"`
		Seq   int64  `json:"seq"`
	}{"subscribed", topic, seq})
	return &Frame{data: data, Topic: topic, Seq: seq}
}

// Data is the frame's JSON, for tests and benchmarks.
func (f *Frame) Data() []byte { return f.data }
