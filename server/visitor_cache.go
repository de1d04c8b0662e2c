package server

import (
	"bytes"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/sync/singleflight"

	"ideasx/server/i18n"
)

// visitorCache keeps, for about a second, the public pages as a visitor
// sees them: the library, the meetings, search, the feeds. Under load every
// visitor asking for /documents in the same second gets one rendering
// instead of each paying for four queries and a template (the issue's
// 3,000 req/s; see README, "Speed"). Members never use it: their pages
// carry their name, their unread count and their rights.
//
// Any write this process makes to the database (store.Writes) makes every
// kept page stale at once, so whoever publishes, edits or registers sees the
// result on their next page, and so do the visitors of this instance.
// Another instance's writes show here after at most visitorCacheTTL: the
// price of not asking the database on every hit, which is the point.
type visitorCache struct {
	mu      sync.Mutex
	entries map[string]*cachedPage
	flight  singleflight.Group
	// served counts the visitors' pages by result: "hit" from the cache,
	// "stale" from it while being rendered again, "miss" rendered.
	served *prometheus.CounterVec
}

type cachedPage struct {
	gen    uint64
	expiry time.Time
	status int
	header http.Header // what the handler set, over what the middleware had
	body   []byte
	// refreshing is set when a visitor renders the page again.
	refreshing bool
}

const (
	visitorCacheTTL = time.Second
	// visitorCacheStale bounds how long past its second a page is served
	// while it is rendered again.
	visitorCacheStale = 2 * time.Second
	// visitorCacheMax bounds the pages kept: distinct searches and filters
	// are unbounded, so past this the cache starts again empty.
	visitorCacheMax = 2048
	// visitorCacheBody leaves huge answers (a long feed) out of memory.
	visitorCacheBody = 1 << 20
)

func newVisitorCache(reg prometheus.Registerer) *visitorCache {
	c := &visitorCache{entries: map[string]*cachedPage{}, served: prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "ideasx_visitor_cache_total", Help: "Visitors' public pages by result: hit (from the one-second cache), stale (from it while rendered again) or miss (rendered).",
	}, []string{"result"})}
	reg.MustRegister(c.served)
	return c
}

// cacheable reports whether the request is a plain visitor's: signed out,
// with no cookie or header that a page would answer differently (a flash
// message, a stale session to clear, a token).
func cacheable(r *http.Request) bool {
	if r.Method != http.MethodGet || currentUser(r) != nil || r.Header.Get("Authorization") != "" {
		return false
	}
	for _, name := range []string{sessionCookie, flashCookie} {
		if _, err := r.Cookie(name); err == nil {
			return false
		}
	}
	return true
}

// visitorCached answers a visitor from the cache, or renders with h and keeps the page.
func (s *Server) visitorCached(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		c := s.visitors
		if !cacheable(r) {
			h(w, r)
			return
		}
		key := s.visitorKey(r)
		gen := s.store.Writes()
		if p, result := c.lookup(key, gen, s.store.Now()); p != nil {
			c.served.WithLabelValues(result).Inc()
			p.writeTo(w)
			return
		}
		// Visitors asking at once for a page that is not kept wait for one
		// rendering of it: otherwise every second under load, all of them
		// would render it together, and the slowest wait for all the others.
		rendered := false
		v, _, _ := c.flight.Do(key+" "+strconv.FormatUint(gen, 10), func() (any, error) {
			rendered = true
			rec := &pageRecorder{ResponseWriter: w, before: w.Header().Clone(), status: http.StatusOK}
			h(rec, r)
			p := rec.page(gen, s.store.Now())
			c.keep(key, p)
			return p, nil
		})
		if rendered {
			c.served.WithLabelValues("miss").Inc()
			return
		}
		if p := v.(*cachedPage); p != nil {
			c.served.WithLabelValues("hit").Inc()
			p.writeTo(w)
			return
		}
		h(w, r) // what the one rendering got may not be kept: an error, a redirect
	}
}

// visitorKey names what a visitor's page depends on beyond their being a
// visitor (the account, zone and flash are then the defaults): the address,
// with the language prefix the router took off, and the language, both as
// pages choose it (the switcher's cookie, then the browser's) and as the
// plain feeds do (the browser's alone).
func (s *Server) visitorKey(r *http.Request) string {
	return strings.Join([]string{urlLang(r), s.lang(r), i18n.Match(r.Header.Get("Accept-Language")), r.Host, r.URL.RequestURI()}, " ")
}

// lookup finds key's page for a reader who saw gen writes, at the store's
// time now (which tests move, and with it what is published). A page past its
// second is still served while one visitor renders it again ("stale"), but
// never one from before a write, nor one long past its second.
func (c *visitorCache) lookup(key string, gen uint64, now time.Time) (*cachedPage, string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	p := c.entries[key]
	switch {
	case p == nil || p.gen != gen || now.Sub(p.expiry) > visitorCacheStale:
		return nil, ""
	case now.Before(p.expiry):
		return p, "hit"
	case p.refreshing:
		return p, "stale"
	default:
		p.refreshing = true
		return nil, ""
	}
}

// keep replaces key's page with p, or forgets it when p may not be kept.
func (c *visitorCache) keep(key string, p *cachedPage) {
	if p == nil {
		c.mu.Lock()
		delete(c.entries, key)
		c.mu.Unlock()
		return
	}
	c.put(key, p)
}

func (c *visitorCache) put(key string, p *cachedPage) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.entries) >= visitorCacheMax {
		clear(c.entries)
	}
	c.entries[key] = p
}

func (p *cachedPage) writeTo(w http.ResponseWriter) {
	h := w.Header()
	for k, v := range p.header {
		h[k] = v
	}
	w.WriteHeader(p.status)
	_, _ = w.Write(p.body)
}

// pageRecorder passes an answer through while keeping a copy of it.
type pageRecorder struct {
	http.ResponseWriter
	before      http.Header
	sent        http.Header // at WriteHeader, before the layers outside add theirs
	status      int
	wroteHeader bool
	body        bytes.Buffer
	tooBig      bool
}

func (rec *pageRecorder) WriteHeader(status int) {
	if !rec.wroteHeader {
		rec.wroteHeader, rec.status = true, status
		// The handler's headers as it sent them: the compressor outside
		// adds its own (Content-Encoding for this client) as it writes.
		rec.sent = rec.ResponseWriter.Header().Clone()
	}
	rec.ResponseWriter.WriteHeader(status)
}

func (rec *pageRecorder) Write(b []byte) (int, error) {
	if !rec.wroteHeader {
		rec.WriteHeader(http.StatusOK)
	}
	if !rec.tooBig {
		if rec.body.Len()+len(b) > visitorCacheBody {
			rec.tooBig = true
			rec.body = bytes.Buffer{}
		} else {
			rec.body.Write(b)
		}
	}
	return rec.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection underneath.
func (rec *pageRecorder) Unwrap() http.ResponseWriter { return rec.ResponseWriter }

// page is what may be kept: a whole 200 that set no cookie, with the
// headers the handler added or changed.
func (rec *pageRecorder) page(gen uint64, now time.Time) *cachedPage {
	after := rec.sent
	if !rec.wroteHeader || rec.status != http.StatusOK || rec.tooBig || after.Get("Set-Cookie") != "" {
		return nil
	}
	set := http.Header{}
	for k, v := range after {
		if !slices.Equal(rec.before[k], v) {
			set[k] = slices.Clone(v)
		}
	}
	return &cachedPage{gen: gen, expiry: now.Add(visitorCacheTTL), status: rec.status, header: set,
		body: bytes.Clone(rec.body.Bytes())}
}
