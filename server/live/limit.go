package live

import (
	"time"

	"golang.org/x/time/rate"
)

// Limits on what one connection may make the server do (issue 11): every
// client message costs database lookups (rights, topic sequence numbers,
// presence), and a catch-up costs a read and a frame per stored event, so
// a few connections in a loop could slow every page. The buckets come from
// golang.org/x/time/rate, as server/ratelimit's do.

// limitDefaults fills the limits left zero. Called after MaxTopics and
// MaxReplay have theirs.
func (o *Options) limitDefaults() {
	if o.MessageRate == 0 {
		// A page sends a handful of subscriptions when it connects and
		// "typing" at most every 3 s (frontend/static/js/live.js).
		o.MessageRate = 5
	}
	if o.MessageBurst <= 0 {
		// A client may follow MaxTopics topics and subscribes to all of
		// them again at once when it reconnects; refusing that would make
		// it reconnect for ever.
		o.MessageBurst = o.MaxTopics + 16
	}
	if o.ReplayPerMinute == 0 {
		// A page follows its own topic and its reader's: both can be as
		// far behind as a catch-up goes, after a laptop slept, and the
		// budget is shared by all the person's tabs and devices.
		o.ReplayPerMinute = 5 * o.MaxReplay
	}
}

// newMessageLimiter is the bucket of one connection's messages, or nil
// when messages are not limited.
func (h *Hub) newMessageLimiter() *rate.Limiter {
	if h.opts.MessageRate < 0 {
		return nil
	}
	return rate.NewLimiter(rate.Limit(h.opts.MessageRate), h.opts.MessageBurst)
}

// allowMessage takes a token for one message received at now.
func allowMessage(l *rate.Limiter, now time.Time) bool {
	return l == nil || l.AllowN(now, 1)
}

// flooded closes a connection that sent messages faster than allowed.
// Its messages are not answered meanwhile, so one line in the log per
// connection is all a flood writes there.
func (c *Conn) flooded() {
	c.hub.metrics.flooded.Inc()
	c.hub.limits.pause(c.key, time.Now())
	c.hub.opts.Log.Warn("live: client sent too many messages; connection closed",
		"user_id", c.User().ID, "remote_addr", c.ws.RemoteAddr().String(),
		"rate", c.hub.opts.MessageRate, "burst", c.hub.opts.MessageBurst, "paused", floodPause)
	c.close(closePolicy, "too many messages")
}

// replayAllowed takes from the replay budget of c's client (all its
// connections together: reconnecting does not refill it) the events a
// catch-up of t from since may read, and says whether it may go ahead.
// When the budget is spent, the client is sent "reset", the protocol's
// answer to a client too far behind: it reloads what it shows, so nothing
// is lost, and a client asking for old events in a loop costs a short
// frame each time. Called from replay with t.mu held, on c's own message
// handling.
func (h *Hub) replayAllowed(c *Conn, t *topic, since int64) bool {
	n := min(t.last-since, int64(h.opts.MaxReplay))
	if n <= 0 || h.opts.ReplayPerMinute < 0 {
		return true
	}
	if h.limits.takeReplay(c.key, time.Now(), int(n), h.opts.ReplayPerMinute) {
		return true
	}
	h.metrics.replayRefused.Inc()
	if !c.replayWarned {
		c.replayWarned = true
		h.opts.Log.Warn("live: replay budget of the client spent; catch-ups answered with reset",
			"user_id", c.User().ID, "remote_addr", c.ws.RemoteAddr().String(), "topic", t.name, "per_minute", h.opts.ReplayPerMinute)
	}
	c.enqueue(plainFrame(serverMessage{Type: "reset", Topic: t.name}))
	return false
}
