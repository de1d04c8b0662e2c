package live

import (
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"ideasx/store"
)

// A connection's limits alone give a flooding client everything back when
// it reconnects. So what must outlast a connection is kept per client — a
// signed-in person, or a visitor's address — and shared by all of its
// connections: the replay budget, and a pause after a flood during which
// the client may not connect again. A person's other tabs are not a
// flood: the message bucket stays per connection, so only the flooder's
// own connection is cut, and a visitor behind an office's shared address
// never loses live updates unless someone there floods.

// floodPause is how long a client closed for flooding may not reconnect.
const floodPause = 30 * time.Second

// clientLimits holds, per client key, what is shared between its
// connections. Entries are made only when needed (a catch-up, a flood)
// and forgotten once they limit nothing.
type clientLimits struct {
	mu    sync.Mutex
	byKey map[string]*clientLimit
}

type clientLimit struct {
	replay *rate.Limiter // made at the first catch-up
	paused time.Time     // no new connection before then
	used   time.Time
}

// clientKey names who a connection is for its limits: the person, or the
// address of a visitor (Options.ClientAddr, as the rest of the server
// sees it behind a proxy).
func (h *Hub) clientKey(r *http.Request, u *store.User) string {
	if u.ID > 0 {
		return "user:" + strconv.FormatInt(u.ID, 10)
	}
	if h.opts.ClientAddr != nil {
		return "addr:" + h.opts.ClientAddr(r)
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	return "addr:" + host
}

// with runs fn on key's entry, made if need be, under the lock.
func (l *clientLimits) with(key string, now time.Time, fn func(*clientLimit)) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.byKey == nil {
		l.byKey = map[string]*clientLimit{}
	}
	e := l.byKey[key]
	if e == nil {
		e = &clientLimit{}
		l.byKey[key] = e
	}
	e.used = now
	fn(e)
}

// pausedFor is how long key must still wait before connecting (0: it may).
func (l *clientLimits) pausedFor(key string, now time.Time) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	if e := l.byKey[key]; e != nil && now.Before(e.paused) {
		return e.paused.Sub(now)
	}
	return 0
}

// pause keeps key from connecting for floodPause.
func (l *clientLimits) pause(key string, now time.Time) {
	l.with(key, now, func(e *clientLimit) { e.paused = now.Add(floodPause) })
}

// takeReplay takes n events from key's replay budget of perMinute.
func (l *clientLimits) takeReplay(key string, now time.Time, n, perMinute int) bool {
	ok := false
	l.with(key, now, func(e *clientLimit) {
		if e.replay == nil {
			e.replay = rate.NewLimiter(rate.Every(time.Minute/time.Duration(perMinute)), perMinute)
		}
		ok = e.replay.AllowN(now, n)
	})
	return ok
}

// sweep forgets the entries that limit nothing any more: not paused, and
// unused long enough for their replay budget to be whole again.
func (l *clientLimits) sweep(now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for key, e := range l.byKey {
		if now.After(e.paused) && now.Sub(e.used) > time.Minute {
			delete(l.byKey, key)
		}
	}
}

// refusePaused answers 429 to a client still paused after a flood, before
// any upgrade: its reconnection loop then costs no socket nor goroutine.
func (h *Hub) refusePaused(w http.ResponseWriter, key string) bool {
	wait := h.limits.pausedFor(key, time.Now())
	if wait <= 0 {
		return false
	}
	h.metrics.floodRefused.Inc()
	w.Header().Set("Retry-After", strconv.Itoa(int(wait.Round(time.Second)/time.Second)+1))
	http.Error(w, "too many messages; try again later", http.StatusTooManyRequests)
	return true
}
