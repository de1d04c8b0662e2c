package server

import (
	"net/http"
	"strings"
)

// probedMethods are the methods the route tables use, in the order an
// Allow header lists them.
var probedMethods = []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete}

// noRoute answers what no pattern matched. ServeMux would answer 405 with
// Allow by itself when a path exists under other methods, but the catch-all
// "/" that gives unknown pages the site's 404 matches every method first;
// so noRoute asks the mux which methods the path has.
func (s *Server) noRoute(mux *http.ServeMux) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		allow := allowedMethods(mux, r)
		if len(allow) == 0 {
			s.notFound(w, r)
			return
		}
		w.Header().Set("Allow", strings.Join(allow, ", "))
		s.fail(w, r, http.StatusMethodNotAllowed, "method_not_allowed", "error_method_not_allowed")
	}
}

// allowedMethods lists the methods that reach a handler other than the
// catch-all for r's path.
func allowedMethods(mux *http.ServeMux, r *http.Request) []string {
	var allow []string
	for _, m := range probedMethods {
		if m == r.Method {
			continue
		}
		probe := r.Clone(r.Context())
		probe.Method = m
		if _, pattern := mux.Handler(probe); pattern != "" && pattern != catchAllPattern {
			allow = append(allow, m)
		}
	}
	return allow
}

// catchAllPattern is the pattern of the site's 404 page.
const catchAllPattern = "/"
