// Package ratelimit limits how often one key (an IP address, an account) may
// do something, with a token bucket per key from golang.org/x/time/rate.
package ratelimit

import (
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Limiter is a set of token buckets, one per key, forgotten when idle.
// Limits are per instance: behind a load balancer each instance counts on
// its own, which bounds an attacker to instances × burst.
type Limiter struct {
	mu        sync.Mutex
	every     rate.Limit
	burst     int
	idle      time.Duration
	buckets   map[string]*bucket
	lastSweep time.Time
}

type bucket struct {
	lim  *rate.Limiter
	seen time.Time
}

// New allows burst actions at once per key, then one per interval.
func New(interval time.Duration, burst int) *Limiter {
	return &Limiter{
		every:   rate.Every(interval),
		burst:   burst,
		idle:    interval * time.Duration(burst) * 2,
		buckets: map[string]*bucket{},
	}
}

// Allow takes one token from key's bucket. When none is left it returns
// false and how long until the next one.
func (l *Limiter) Allow(key string) (bool, time.Duration) {
	now := time.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	l.sweep(now)
	b, ok := l.buckets[key]
	if !ok {
		b = &bucket{lim: rate.NewLimiter(l.every, l.burst)}
		l.buckets[key] = b
	}
	b.seen = now
	r := b.lim.ReserveN(now, 1)
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return false, d
	}
	return true, 0
}

// sweep forgets buckets idle long enough to be full again, at most once a minute.
func (l *Limiter) sweep(now time.Time) {
	if now.Sub(l.lastSweep) < time.Minute {
		return
	}
	l.lastSweep = now
	for k, b := range l.buckets {
		if now.Sub(b.seen) > l.idle {
			delete(l.buckets, k)
		}
	}
}
