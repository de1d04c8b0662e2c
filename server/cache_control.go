package server

import (
	"bufio"
	"errors"
	"net"
	"net/http"
	"strings"
)

// hstsValue is sent on every response when the site is served over https:
// a year, subdomains included, as browsers need it to refuse a downgrade.
const hstsValue = "max-age=31536000; includeSubDomains"

// transportHeaders adds HSTS when the configured base URL is https (never on
// plain http, where it would lock a development site out of browsers), and
// keeps answers to signed-in requests out of shared caches.
//
// The default, chosen for safety: a response to a request that carries a
// session cookie or an Authorization header is "private" unless its handler
// already said "private" or "no-store". A handler's "public" is turned into
// "private" too, its other directives kept: such a reader's browser still
// caches static files and downloads for as long as before, and a proxy or
// CDN still caches them from visitors' requests, but no answer built for a
// signed-in reader can be stored where somebody else would be served it,
// even if a handler gets its own choice wrong. Handlers still say "private"
// or "no-store" themselves where the answer depends on who asks, since a
// visitor (no cookie) is not covered by this default.
func (s *Server) transportHeaders(next http.Handler) http.Handler {
	hsts := s.cfg.SecureCookies()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if hsts {
			w.Header().Set("Strict-Transport-Security", hstsValue)
		}
		if hasCredentials(r) {
			w = &privateWriter{ResponseWriter: w}
		}
		next.ServeHTTP(w, r)
	})
}

// hasCredentials reports whether the request could be answered for a
// particular person. A stale session cookie counts: the cookie alone is
// what a cache would have to tell apart.
func hasCredentials(r *http.Request) bool {
	if r.Header.Get("Authorization") != "" {
		return true
	}
	c, err := r.Cookie(sessionCookie)
	return err == nil && c.Value != ""
}

// privateCacheControl is what a signed-in reader's response carries, given
// what its handler set.
func privateCacheControl(cc string) string {
	var out []string
	for d := range strings.SplitSeq(cc, ",") {
		d = strings.TrimSpace(d)
		name, _, _ := strings.Cut(d, "=")
		switch strings.ToLower(name) {
		case "":
			continue
		case "private", "no-store":
			return cc
		case "public", "s-maxage", "proxy-revalidate":
			// Only shared caches read these, and they must not store this.
			continue
		}
		out = append(out, d)
	}
	return strings.Join(append([]string{"private"}, out...), ", ")
}

// privateWriter rewrites Cache-Control as the headers leave. It passes
// Flush and Hijack through (and Unwrap for http.ResponseController), so
// that downloads stream and websockets upgrade behind it.
type privateWriter struct {
	http.ResponseWriter
	done bool
}

func (w *privateWriter) seal() {
	if w.done {
		return
	}
	w.done = true
	h := w.Header()
	h.Set("Cache-Control", privateCacheControl(h.Get("Cache-Control")))
}

func (w *privateWriter) WriteHeader(code int) {
	if code >= 200 {
		w.seal()
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *privateWriter) Write(b []byte) (int, error) {
	w.seal()
	return w.ResponseWriter.Write(b)
}

func (w *privateWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (w *privateWriter) Flush() {
	w.seal()
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (w *privateWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	h, ok := w.ResponseWriter.(http.Hijacker)
	if !ok {
		return nil, nil, errors.New("hijack not supported")
	}
	return h.Hijack()
}

// privateRedirect is a redirect whose target depends on the reader's
// rights (a members-only item's canonical address carries its title):
// no shared cache may keep it, though a 301 is cacheable by default.
func privateRedirect(w http.ResponseWriter, r *http.Request, to string, code int) {
	w.Header().Set("Cache-Control", "private")
	http.Redirect(w, r, withURLLang(r, to), code)
}
