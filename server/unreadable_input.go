package server

import (
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"
)

// refuseUnreadableInput answers 400 to an address whose path or query holds
// a NUL or bytes that are not UTF-8 (%00, %FF). No page or filter means
// them, and Postgres refuses them in any text parameter: passed on to a
// filter (?tag=%00), they were a 500.
func (s *Server) refuseUnreadableInput(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !readable(r.URL.Path) || !readableQuery(r.URL.RawQuery) {
			s.fail(w, r, http.StatusBadRequest, "bad_request", "error_unreadable_address")
			return
		}
		next.ServeHTTP(w, r)
	})
}

func readable(s string) bool { return utf8.ValidString(s) && !strings.ContainsRune(s, 0) }

// readableQuery checks every name and value as handlers will read them
// (r.URL.Query() drops what it cannot decode, so that is left to it).
func readableQuery(raw string) bool {
	if raw == "" {
		return true
	}
	q, _ := url.ParseQuery(raw)
	for k, vs := range q {
		if !readable(k) {
			return false
		}
		for _, v := range vs {
			if !readable(v) {
				return false
			}
		}
	}
	return true
}
