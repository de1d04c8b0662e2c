package store

import (
	"sync"
	"sync/atomic"

	"github.com/jmoiron/sqlx"
)

// eventOutbox holds the events of each open transaction until it commits:
// a live client must never hear of a change that was rolled back. They
// are numbered just before the commit (Store.numberPending), so that a
// transaction takes the topics it moves all at once, in one order.
type eventOutbox struct {
	mu      sync.Mutex
	pending map[*sqlx.Tx][]LiveEvent
	sink    atomic.Pointer[func([]LiveEvent)]
}

func (o *eventOutbox) queue(tx *sqlx.Tx, evs []LiveEvent) {
	o.mu.Lock()
	if o.pending == nil {
		o.pending = map[*sqlx.Tx][]LiveEvent{}
	}
	o.pending[tx] = append(o.pending[tx], evs...)
	o.mu.Unlock()
}

// queued is what tx has emitted so far, for numbering in place.
func (o *eventOutbox) queued(tx *sqlx.Tx) []LiveEvent {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.pending[tx]
}

// count is how many events of type typ on topic tx has emitted.
func (o *eventOutbox) count(tx *sqlx.Tx, topic, typ string) int {
	o.mu.Lock()
	defer o.mu.Unlock()
	n := 0
	for _, ev := range o.pending[tx] {
		if ev.Topic == topic && ev.Type == typ {
			n++
		}
	}
	return n
}

func (o *eventOutbox) take(tx *sqlx.Tx) []LiveEvent {
	o.mu.Lock()
	defer o.mu.Unlock()
	evs := o.pending[tx]
	delete(o.pending, tx)
	return evs
}

func (o *eventOutbox) publish(tx *sqlx.Tx) { o.deliver(o.take(tx)) }

func (o *eventOutbox) forget(tx *sqlx.Tx) { o.take(tx) }

func (o *eventOutbox) deliver(evs []LiveEvent) {
	if len(evs) == 0 {
		return
	}
	if sink := o.sink.Load(); sink != nil {
		(*sink)(evs)
	}
}

// OnEvents sets what is called with the events of each committed change, in
// the order they were emitted. It must not block: the caller is the request
// that made the change.
func (s *Store) OnEvents(fn func([]LiveEvent)) { s.events.sink.Store(&fn) }
