package store

import (
	"sync"
	"sync/atomic"

	"github.com/jmoiron/sqlx"
)

// eventOutbox holds the events of each open transaction until it commits:
// a live client must never hear of a change that was rolled back.
type eventOutbox struct {
	mu      sync.Mutex
	pending map[*sqlx.Tx][]LiveEvent
	sink    atomic.Pointer[func([]LiveEvent)]
}

func (o *eventOutbox) add(q querier, ev LiveEvent) {
	tx, ok := q.(*sqlx.Tx)
	if !ok {
		o.deliver([]LiveEvent{ev})
		return
	}
	o.mu.Lock()
	if o.pending == nil {
		o.pending = map[*sqlx.Tx][]LiveEvent{}
	}
	o.pending[tx] = append(o.pending[tx], ev)
	o.mu.Unlock()
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
