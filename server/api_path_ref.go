package server

import "net/http"

// refAsID serves an API route written with {ref} to a handler that reads
// {id}. The OpenAPI document may name a path position only once (tools treat
// /documents/{ref} and /documents/{id} as one conflicting path), and {ref} is
// the name the reading routes need; the writing handlers, shared with the
// pages' /moderation/…/{id} routes, keep reading the number as "id".
func refAsID(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.SetPathValue("id", r.PathValue("ref"))
		h.ServeHTTP(w, r)
	})
}
