package server

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"runtime/debug"
	"strings"
	"time"

	"ideasx/store"
)

type ctxKey struct{}

// reqState travels in the request's context; middleware further in fills it
// (the signed-in user) and middleware further out reads it (for the log).
type reqState struct {
	id        string
	user      *store.User
	sessionID string
	viaToken  bool
	// tokenHash is the API token's hash when the request came with one.
	tokenHash string
	lang      string
	// urlLang is the language prefix of the address (/fr/…), if any.
	urlLang string
}

func state(r *http.Request) *reqState {
	if st, ok := r.Context().Value(ctxKey{}).(*reqState); ok {
		return st
	}
	return &reqState{}
}

// currentUser is the signed-in account, or nil.
func currentUser(r *http.Request) *store.User { return state(r).user }

func requestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var b [8]byte
		_, _ = rand.Read(b[:])
		st := &reqState{id: hex.EncodeToString(b[:])}
		w.Header().Set("X-Request-Id", st.id)
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), ctxKey{}, st)))
	})
}

// statusWriter remembers the status for logs and metrics. It passes Hijack
// and Flush through so that websockets and streaming still work behind it.
type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (w *statusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (w *statusWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	h, ok := w.ResponseWriter.(http.Hijacker)
	if !ok {
		return nil, nil, errors.New("hijack not supported")
	}
	if w.status == 0 {
		w.status = http.StatusSwitchingProtocols
	}
	return h.Hijack()
}

func wrap(w http.ResponseWriter) *statusWriter {
	if sw, ok := w.(*statusWriter); ok {
		return sw
	}
	return &statusWriter{ResponseWriter: w}
}

func (s *Server) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := wrap(w)
		next.ServeHTTP(sw, r)
		st := state(r)
		attrs := []any{"request_id", st.id, "method", r.Method, "path", r.URL.Path, "status", sw.status,
			"bytes", sw.bytes, "duration_ms", time.Since(start).Milliseconds(), "ip", s.clientIP(r)}
		if st.user != nil {
			attrs = append(attrs, "user_id", st.user.ID)
		}
		level := slog.LevelInfo
		if r.URL.Path == "/healthz" || r.URL.Path == "/readyz" || r.URL.Path == "/metrics" || strings.HasPrefix(r.URL.Path, "/static/") {
			level = slog.LevelDebug
		}
		s.log.Log(r.Context(), level, "request", attrs...)
	})
}

func (s *Server) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				s.log.ErrorContext(r.Context(), "panic", "request_id", state(r).id, "panic", p, "stack", string(debug.Stack()))
				s.serverError(w, r, errors.New("panic"))
			}
		}()
		next.ServeHTTP(w, r)
	})
}

func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "+
			"connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Frame-Options", "DENY")
		next.ServeHTTP(w, r)
	})
}

// crossOriginProtection refuses state-changing requests that a browser
// sends from another site (Sec-Fetch-Site / Origin checks from net/http).
// Non-browser clients, which send neither header, pass; they must hold a
// bearer token to change anything.
func (s *Server) crossOriginProtection(next http.Handler) http.Handler {
	cop := http.NewCrossOriginProtection()
	// A page opened at another allowed address posts its forms there, a
	// same-origin request that passes anyway; trusting those origins
	// matters where a proxy rewrites the Host that net/http compares the
	// Origin with.
	for _, o := range append([]string{s.origins.site}, s.origins.others...) {
		if err := cop.AddTrustedOrigin(o); err != nil {
			s.log.Warn("not a valid trusted origin", "origin", o, slog.Any("error", err))
		}
	}
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.fail(w, r, http.StatusForbidden, "cross_origin", "error_cross_origin")
	}))
	return cop.Handler(next)
}

// clientIP is the address rate limits and logs use: the person's, as told
// by the trusted proxies (see clientaddr).
func (s *Server) clientIP(r *http.Request) string {
	if s.cfg.TrustProxy {
		// The deprecated IDEASX_TRUST_PROXY, kept as it was for one release.
		if xff := r.Header.Get("X-Forwarded-For"); xff != "" {
			parts := strings.Split(xff, ",")
			return strings.TrimSpace(parts[len(parts)-1])
		}
		host, _, err := net.SplitHostPort(r.RemoteAddr)
		if err != nil {
			return r.RemoteAddr
		}
		return host
	}
	if len(s.cfg.TrustedProxies) == 0 && r.Header.Get("X-Forwarded-For") != "" {
		// The usual mistake behind a proxy: everyone shares its address, so
		// one person's failed sign-ins lock out the whole site.
		s.untrustedXFF.Do(func() {
			s.log.Warn("requests carry X-Forwarded-For but IDEASX_TRUSTED_PROXIES is empty: if they come through your reverse proxy, all users share its address for rate limits; set IDEASX_TRUSTED_PROXIES to its address or range",
				"peer", r.RemoteAddr)
		})
	}
	return s.cfg.TrustedProxies.Client(r)
}

func isAPI(r *http.Request) bool { return strings.HasPrefix(r.URL.Path, "/api/") }
