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

// Data is the frame's JSON, for tests and benchmarks.
func (f *Frame) Data() []byte { return f.data }
