package server

import (
	"context"
	"net/http"
	"time"

	"ideasx/server/buildinfo"
)

// healthz answers as long as the process serves HTTP, and says which build
// answers, so an operator can tell which instances an upgrade has reached.
func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok", "version": buildinfo.Get().Version})
}

// readyz says whether the instance can serve: whether it reaches its
// database. The other dependencies (Redis) are reported in the body, in
// /metrics and in the log, but an instance without them still serves pages
// and takes posts, so they do not take it out of the load balancer.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	if s.stopping.Load() {
		writeJSON(w, http.StatusServiceUnavailable, map[string]any{"status": "shutting down"})
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	checks := map[string]string{}
	status := http.StatusOK
	for _, d := range s.deps.check(ctx) {
		if d.up {
			checks[d.name] = "ok"
			continue
		}
		// When, not why: the body is public, the error (with addresses) is in the log.
		checks[d.name] = "down since " + d.since.UTC().Format(time.RFC3339)
		if d.name == s.deps.database.Name {
			status = http.StatusServiceUnavailable
		}
	}
	writeJSON(w, status, map[string]any{"status": map[bool]string{true: "ok", false: "unavailable"}[status == http.StatusOK], "checks": checks})
}

// StopBeingReady makes /readyz answer 503 "shutting down" while everything
// else is served as before: the first step of a graceful stop, so that a
// load balancer checking readiness takes this instance out before its
// connections close, and no request sent meanwhile is refused.
func (s *Server) StopBeingReady() { s.stopping.Store(true) }
