package main

import (
	"context"
	"sync"
	"time"
)

// post is one reply sent: through which instance, its id, and when its
// request started and ended (since bench.base).
type post struct {
	inst        int
	id          int64
	start, done time.Duration
	err         error
}

// postReplies posts rate×duration replies at a fixed rate, whatever the
// time each request takes (an open loop), alternating between instances.
func (b *bench) postReplies(ctx context.Context) []post {
	total := int(b.cfg.rate * b.cfg.duration.Seconds())
	interval := time.Duration(float64(time.Second) / b.cfg.rate)
	posts := make([]post, total)
	t0 := time.Now()
	var wg sync.WaitGroup
	for i := range total {
		if d := time.Until(t0.Add(time.Duration(i) * interval)); d > 0 {
			select {
			case <-ctx.Done():
				posts = posts[:i]
				wg.Wait()
				return posts
			case <-time.After(d):
			}
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			p := &posts[i]
			p.inst = i % len(b.instances)
			p.start = time.Since(b.base)
			target := b.instances[p.inst]
			if b.front != nil {
				target = &instance{name: "proxy", url: b.front.url}
			}
			if b.cf != nil {
				p.id, p.err = b.cf.publish(ctx, target, i+1)
			} else {
				p.id, p.err = b.createPost(ctx, target, i+1)
			}
			p.done = time.Since(b.base)
		}()
	}
	wg.Wait()
	return posts
}
