package store

import (
	"sync"
	"time"
)

// credentialCache keeps, for a second, the account behind a session or an
// API token as last read, and gives it again only while this process has
// written nothing since but replies (credentialGen) and the session has
// not expired. Every page and API call starts by reading its credential:
// on a busy thread page that was one of its two queries, and the database
// shares the two cores with the server (make bench-http: thread page,
// member, 2,817–3,408 req/s without it, 4,477–4,803 with it, on one
// machine in one sitting).
//
// A sign-out, a revoked token, a suspension or a change of role made by
// this process is a write, so it is seen at once here. Made by another
// instance, it is announced to every instance through the live broker
// (account.changed), and ForgetCredentials drops what was kept; should
// that message be lost (a broker outage), or the change come from the
// command line, it is seen within credentialCacheTTL: the bound that the
// visitors' page cache and the thread snapshots already keep, and shorter
// than the two seconds in which live connections check their credentials
// again.
type credentialCache struct {
	mu    sync.Mutex
	byKey map[string]cachedCredential
}

type cachedCredential struct {
	user    User
	session Session // for a session; zero for an API token
	gen     credentialGen
	expiry  time.Time
}

// credentialGen is what a kept credential was read after: the writes of
// this process but its replies (which touch no account), and the changes
// of accounts other instances announced.
type credentialGen struct{ accountWrites, forgotten uint64 }

func (s *Store) credentialGen() credentialGen {
	return credentialGen{s.accountWrites.Load(), s.credentialsForgotten.Load()}
}

// ForgetCredentials is told of a change to an account made by another
// instance: nothing read of any account before it is used again (such
// changes are rare). Counted rather than removed, so that a lookup
// already under way when it comes does not keep what it read.
func (s *Store) ForgetCredentials() {
	s.credentialsForgotten.Add(1)
}

const (
	credentialCacheTTL = time.Second
	// credentialsKept bounds the memory: past it the cache starts again
	// empty, which costs one query per person active in the next second.
	credentialsKept = 10_000
)

// get returns a copy of what key holds, if written at generation gen and
// still within its second at now.
func (c *credentialCache) get(key string, gen credentialGen, now time.Time) (cachedCredential, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.byKey[key]
	if !ok || e.gen != gen || !now.Before(e.expiry) {
		return cachedCredential{}, false
	}
	return e, true
}

// put keeps e under key. e.gen must be the generation read before the
// lookup that found it, so that a write made meanwhile leaves it unused.
func (c *credentialCache) put(key string, e cachedCredential) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.byKey == nil || len(c.byKey) >= credentialsKept {
		c.byKey = map[string]cachedCredential{}
	}
	c.byKey[key] = e
}
