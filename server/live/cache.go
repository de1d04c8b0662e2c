package live

import "sync"

// viewCache keeps the latest rendered events: a burst of clients catching
// up after a restart replays the same events, rendered once.
type viewCache struct {
	mu    sync.Mutex
	views map[int64]View
	ring  []int64
	next  int
}

func (c *viewCache) init(size int) {
	c.views = make(map[int64]View, size)
	c.ring = make([]int64, size)
}

func (c *viewCache) get(id int64) View {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.views[id]
}

func (c *viewCache) put(id int64, v View) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.views[id]; ok {
		return
	}
	delete(c.views, c.ring[c.next])
	c.ring[c.next] = id
	c.views[id] = v
	c.next = (c.next + 1) % len(c.ring)
}
