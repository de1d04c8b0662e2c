package live

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// What a client may send (SPEC §4).
const (
	typeSubscribe   = "subscribe"
	typeUnsubscribe = "unsubscribe"
	typeTyping      = "typing"
)

// clientMessage is one frame from a client.
type clientMessage struct {
	Type  string `json:"type"`
	Topic string `json:"topic"`
	Since *int64 `json:"since"`
}

var (
	errBadFrame   = errors.New("the message is not a JSON object with a type")
	errBadTopic   = errors.New("unknown topic")
	errUnknownTyp = errors.New("unknown message type")
)

// decodeClient reads one client frame and checks its shape; what it may do
// is decided later, against the reader's rights.
func decodeClient(data []byte) (clientMessage, error) {
	var m clientMessage
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&m); err != nil || m.Type == "" {
		return m, errBadFrame
	}
	if dec.More() {
		return m, errBadFrame
	}
	switch m.Type {
	case typeSubscribe, typeUnsubscribe, typeTyping:
	default:
		return m, errUnknownTyp
	}
	if _, err := ParseTopic(m.Topic); err != nil {
		return m, err
	}
	if m.Since != nil && *m.Since < 0 {
		return m, errBadFrame
	}
	return m, nil
}

// Topic is a parsed topic name: "thread:42" is {Kind: "thread", ID: 42}.
type Topic struct {
	Kind string
	ID   int64
}

// Topic kinds of SPEC §4.
const (
	TopicThread    = "thread"
	TopicTheme     = "theme"
	TopicForum     = "forum"
	TopicDocuments = "documents"
	TopicUser      = "user"
	// TopicEvent is a meeting's page (issue 16): its programme and agenda.
	TopicEvent = "event"
)

// ParseTopic accepts only the topics of the spec, with positive ids.
func ParseTopic(name string) (Topic, error) {
	if len(name) > 40 {
		return Topic{}, errBadTopic
	}
	kind, rest, hasID := strings.Cut(name, ":")
	switch kind {
	case TopicForum, TopicDocuments:
		if hasID {
			return Topic{}, errBadTopic
		}
		return Topic{Kind: kind}, nil
	case TopicThread, TopicTheme, TopicUser, TopicEvent:
		id, err := strconv.ParseInt(rest, 10, 64)
		if !hasID || err != nil || id <= 0 || strconv.FormatInt(id, 10) != rest {
			return Topic{}, errBadTopic
		}
		return Topic{Kind: kind, ID: id}, nil
	}
	return Topic{}, errBadTopic
}

func (t Topic) String() string {
	if t.ID == 0 {
		return t.Kind
	}
	return fmt.Sprintf("%s:%d", t.Kind, t.ID)
}

// serverMessage is the envelope of everything the server sends.
type serverMessage struct {
	Type    string          `json:"type"`
	Topic   string          `json:"topic,omitempty"`
	Seq     int64           `json:"seq,omitempty"`
	Code    string          `json:"code,omitempty"`
	Message string          `json:"message,omitempty"`
	Data    json.RawMessage `json:"data,omitempty"`
}
