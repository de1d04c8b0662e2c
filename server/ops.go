package server

import (
	"context"
	"net/http"
	"time"
)

// healthz answers as long as the process serves HTTP.
func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// readyz asks each dependency; a load balancer stops sending traffic to an
// instance that cannot reach its database or broker.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	checks := map[string]string{}
	status := http.StatusOK
	for _, c := range s.ready {
		if err := c.Check(ctx); err != nil {
			s.log.WarnContext(ctx, "readiness check failed", "check", c.Name, "error", err)
			checks[c.Name] = "unavailable"
			status = http.StatusServiceUnavailable
		} else {
			checks[c.Name] = "ok"
		}
	}
	writeJSON(w, status, map[string]any{"status": map[bool]string{true: "ok", false: "unavailable"}[status == http.StatusOK], "checks": checks})
}
