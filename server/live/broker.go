package live

import (
	"context"
	"sync"

	"ideasx/store"
)

// Message kinds carried between instances.
const (
	kindEvent    = "event"
	kindPresence = "presence"
	kindTyping   = "typing"
	// kindHello: an instance (re)joined and asks the others to announce their viewers.
	kindHello = "hello"
)

// Message is what instances tell each other. An event carries its stored
// row (ids, not content), from which each instance builds what its readers
// may see, and a new post also itself as committed (store.CommittedPost),
// so that no instance reads it back before the first delivery. The
// database stays the one truth: an event sent again later (a replay, a
// gap filled) is drawn from it as it stands then. Instances trust what
// their broker carries, as they trust presence names from it: the broker
// (Redis) belongs to the deployment, not to its users.
type Message struct {
	Kind   string `json:"k"`
	Origin string `json:"o"`
	// At is when the origin handed the message to its broker queue, in
	// microseconds since 1970: the receiver's broker lag.
	At int64 `json:"at,omitempty"`
	// Event fields.
	ID      int64                `json:"id,omitempty"`
	Topic   string               `json:"t,omitempty"`
	Seq     int64                `json:"s,omitempty"`
	Type    string               `json:"ty,omitempty"`
	Payload string               `json:"p,omitempty"`
	Post    *store.CommittedPost `json:"post,omitempty"`
	// Presence: who this instance has on Topic. Typing: Viewers[0] types.
	Viewers []Viewer `json:"v,omitempty"`
}

// Viewer is a person on a page, as presence and typing name them; the
// attribution rules are applied per reader when the message is sent.
type Viewer struct {
	UserID  int64  `json:"id"`
	Name    string `json:"n"`
	Org     string `json:"o,omitempty"`
	OrgKind string `json:"k,omitempty"`
}

// Broker carries messages between the instances of one deployment.
type Broker interface {
	// Publish sends m to every instance, this one included. It may fail
	// (the hub has already delivered locally and catches up later).
	Publish(ctx context.Context, m Message) error
	// Run hands every message to deliver until ctx ends. It calls resync
	// after each (re)connection, when messages may have been missed.
	Run(ctx context.Context, deliver func(Message), resync func())
}

// MemoryBroker is the single-instance broker: publishing is delivering.
type MemoryBroker struct {
	mu      sync.RWMutex
	deliver func(Message)
}

// NewMemoryBroker makes the in-process broker.
func NewMemoryBroker() *MemoryBroker { return &MemoryBroker{} }

// Publish hands m straight to the running hub.
func (b *MemoryBroker) Publish(_ context.Context, m Message) error {
	b.mu.RLock()
	deliver := b.deliver
	b.mu.RUnlock()
	if deliver != nil {
		deliver(m)
	}
	return nil
}

// Run registers the hub and waits for the end.
func (b *MemoryBroker) Run(ctx context.Context, deliver func(Message), resync func()) {
	b.mu.Lock()
	b.deliver = deliver
	b.mu.Unlock()
	resync()
	<-ctx.Done()
	b.mu.Lock()
	b.deliver = nil
	b.mu.Unlock()
}
