package live

import (
	"context"
	"time"

	"ideasx/store"
)

// checkLoop checks the credentials of every connection every CheckEvery:
// whoever signed out, was suspended or lost a token is disconnected within
// that time even if no message told this instance.
func (h *Hub) checkLoop(ctx context.Context) {
	tick := time.NewTicker(h.opts.CheckEvery)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-tick.C:
			h.recheck(ctx, func(*Conn) bool { return true })
			h.limits.sweep(now)
		}
	}
}

// recheck checks the credentials of the connections that match.
func (h *Hub) recheck(ctx context.Context, match func(*Conn) bool) {
	h.mu.RLock()
	var conns []*Conn
	seen := map[store.Credential]bool{}
	var creds []store.Credential
	for c := range h.conns {
		// A visitor's connection has no credential to lose.
		if c.cred != (store.Credential{}) && match(c) {
			conns = append(conns, c)
			if !seen[c.cred] {
				seen[c.cred] = true
				creds = append(creds, c.cred)
			}
		}
	}
	h.mu.RUnlock()
	if len(creds) == 0 {
		return
	}
	valid, err := h.opts.Events.CheckCredentials(ctx, creds)
	if err != nil {
		h.opts.Log.Warn("live: check credentials", "error", err)
		return
	}
	for _, c := range conns {
		now, ok := valid[c.cred]
		before := c.User()
		switch {
		case !ok:
			c.user.Store(&store.User{ID: before.ID, Status: store.StatusSuspended})
			c.close(closeSignedOut, "signed out")
		case now.Role != before.Role || now.Status != before.Status:
			// Every event is checked against the new state from now on;
			// the client reconnects to have its topics checked again.
			c.user.Store(now)
			c.close(closeRightsChanged, "rights changed")
		default:
			c.user.Store(now)
		}
	}
}
