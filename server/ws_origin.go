package server

import (
	"log/slog"
	"net"
	"net/url"
	"slices"
	"strings"
	"sync"

	"ideasx/server/config"
)

// maxWarnedOrigins bounds the memory of origins already logged: past it,
// the memory starts afresh, so that a client inventing origins costs
// one log line per request at worst, as the request log already does.
const maxWarnedOrigins = 100

// originPolicy decides which browser origins may open the websocket (and
// post forms, see crossOriginProtection): the base URL's, those of
// IDEASX_ALLOWED_ORIGINS, and, when the base URL was only guessed as
// http://localhost:PORT, the other loopback names of that port — someone
// trying the site on their machine types any of them.
type originPolicy struct {
	site    string // the base URL's origin, which people are sent to
	allowed map[string]bool
	others  []string // allowed besides site, sorted, for the log
	log     *slog.Logger

	mu     sync.Mutex
	warned map[string]bool
}

func newOriginPolicy(cfg *config.Config, log *slog.Logger) (*originPolicy, error) {
	site, err := config.CanonicalOrigin(cfg.BaseURL)
	if err != nil {
		// A base URL with a path is still a site: its origin is what counts.
		u, perr := url.Parse(cfg.BaseURL)
		if perr != nil {
			return nil, err
		}
		if site, err = config.CanonicalOrigin(u.Scheme + "://" + u.Host); err != nil {
			return nil, err
		}
	}
	p := &originPolicy{site: site, allowed: map[string]bool{site: true}, log: log, warned: map[string]bool{}}
	for _, o := range cfg.AllowedOrigins {
		p.allowed[o] = true
	}
	if cfg.BaseURLDefaulted {
		u, _ := url.Parse(site)
		for _, host := range []string{"localhost", "127.0.0.1", "::1"} {
			p.allowed["http://"+net.JoinHostPort(host, u.Port())] = true
		}
	}
	for o := range p.allowed {
		if o != site {
			p.others = append(p.others, o)
		}
	}
	slices.Sort(p.others)
	return p, nil
}

// allows reports whether a browser at origin (an Origin header) may connect.
func (p *originPolicy) allows(origin string) bool {
	o, err := config.CanonicalOrigin(origin)
	return err == nil && p.allowed[o]
}

// refused logs, once per origin, that an upgrade from origin was refused,
// with what would have been accepted and how to change it: a refusal is
// otherwise only a 403 in the request log, and the page just never updates.
func (p *originPolicy) refused(origin string) {
	if len(origin) > 200 {
		origin = origin[:200] // a header of any length is no origin; keep the log line short
	}
	p.mu.Lock()
	if p.warned[origin] {
		p.mu.Unlock()
		return
	}
	if len(p.warned) >= maxWarnedOrigins {
		clear(p.warned)
	}
	p.warned[origin] = true
	p.mu.Unlock()
	if origin == "" {
		p.log.Warn("websocket upgrade refused: no Origin header and no API token",
			"expected", p.site, "fix", "a browser always sends Origin; other clients must send Authorization: Bearer TOKEN")
		return
	}
	p.log.Warn("websocket upgrade refused: browser origin not allowed",
		"origin", origin, "expected", p.site, "also_allowed", strings.Join(p.others, ","),
		"fix", "set IDEASX_BASE_URL to the address people use, or add it to IDEASX_ALLOWED_ORIGINS")
}
