package server

import (
	"errors"
	"net/http"
	"time"

	"ideasx/server/auth"
	"ideasx/store"
)

func (s *Server) tokenAPIRoutes(mux *routeTable) {
	s.api(mux, "GET /api/v1/tokens", s.signedIn(s.apiTokenList))
	s.api(mux, "POST /api/v1/tokens", s.signedIn(s.sessionOnly(s.apiTokenCreate)))
	s.api(mux, "DELETE /api/v1/tokens/{id}", s.signedIn(s.apiTokenRevoke))
}

// sessionOnly refuses a request authenticated by an API token. A token that
// could make tokens would live on, through the ones it made, after it was
// revoked or the password changed: only the person, signed in, makes them,
// and only they change the password.
func (s *Server) sessionOnly(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if state(r).viaToken {
			s.fail(w, r, http.StatusForbidden, "session_required", "error_session_required")
			return
		}
		h(w, r)
	}
}

// apiToken is a token as its owner sees it; the secret itself only once, when made.
type apiToken struct {
	ID         int64      `json:"id"`
	Name       string     `json:"name"`
	Token      string     `json:"token,omitempty"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
	RevokedAt  *time.Time `json:"revoked_at"`
}

func toAPIToken(t *store.APIToken) apiToken {
	return apiToken{ID: t.ID, Name: t.Name, CreatedAt: t.CreatedAt, LastUsedAt: t.LastUsedAt, RevokedAt: t.RevokedAt}
}

func (s *Server) apiTokenList(w http.ResponseWriter, r *http.Request) {
	list, err := s.store.APITokens(r.Context(), currentUser(r).ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	out := make([]apiToken, len(list))
	for i := range list {
		out[i] = toAPIToken(&list[i])
	}
	writeJSON(w, http.StatusOK, map[string]any{"tokens": out})
}

func (s *Server) apiTokenCreate(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Name string `json:"name"`
	}
	if !s.decodeJSON(w, r, &in) {
		return
	}
	f := s.apiForm(r, map[string]string{"name": in.Name})
	name := f.text("name", true, maxTokenName)
	if !f.ok() {
		s.apiValidation(w, r, f)
		return
	}
	plain, hash := auth.NewToken(auth.APITokenPrefix)
	t, err := s.store.CreateAPIToken(r.Context(), currentUser(r).ID, name, hash)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	out := toAPIToken(t)
	out.Token = plain
	writeJSON(w, http.StatusCreated, out)
}

func (s *Server) apiTokenRevoke(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		s.notFound(w, r)
		return
	}
	err := s.store.RevokeAPIToken(r.Context(), currentUser(r).ID, id)
	if errors.Is(err, store.ErrNotFound) {
		s.notFound(w, r)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
