package live

import (
	"sync"
	"time"
)

// viewCache keeps the latest rendered events: a burst of clients catching
// up after a restart replays the same events, rendered once.
//
// A view shows its object as it was when rendered, and a replay must show
// it as the reader may see it now (a post hidden since, a thread switched
// to the Chatham House rule, a document restricted). So each view is
// stamped with its topic's sequence number as the database had it before
// the view was rendered, and is reused only while the topic is still
// there: every change to what an event shows writes an event on the same
// topic in the same transaction, so an unchanged sequence number means an
// unchanged view. maxViewAge bounds the rest (a renamed organisation
// writes no event on the forum's topics).
type viewCache struct {
	mu    sync.Mutex
	views map[int64]cachedView
	ring  []int64
	next  int
}

type cachedView struct {
	view  View
	stamp int64
	at    time.Time
}

const maxViewAge = 30 * time.Second

func (c *viewCache) init(size int) {
	c.views = make(map[int64]cachedView, size)
	c.ring = make([]int64, size)
}

// get returns the view of event id rendered when its topic stood at
// topicSeq, if there is one still fresh.
func (c *viewCache) get(id, topicSeq int64) View {
	c.mu.Lock()
	defer c.mu.Unlock()
	cv, ok := c.views[id]
	if !ok || cv.stamp != topicSeq || time.Since(cv.at) > maxViewAge {
		return nil
	}
	return cv.view
}

// put keeps v as the view of event id, rendered after the database's
// sequence number of its topic was read as topicSeq (or lower: a lower
// stamp is only reused less).
func (c *viewCache) put(id, topicSeq int64, v View) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.views[id]; !ok {
		delete(c.views, c.ring[c.next])
		c.ring[c.next] = id
		c.next = (c.next + 1) % len(c.ring)
	}
	c.views[id] = cachedView{view: v, stamp: topicSeq, at: time.Now()}
}
