package server

import (
	"net/http"
	"strings"
)

// personShow is where an @mention leads: who the person is, for forum members.
func (s *Server) personShow(w http.ResponseWriter, r *http.Request) {
	users, err := s.store.UsersByHandles(r.Context(), []string{r.PathValue("handle")})
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	u, ok := users[strings.ToLower(r.PathValue("handle"))]
	if !ok || !u.CanReadForum() {
		s.notFound(w, r)
		return
	}
	v := s.newView(w, r, "")
	v.Title = u.Name
	v.Data = map[string]any{"Person": u, "Country": countryName(v.Lang(), u.OrgCountry)}
	s.render(w, r, http.StatusOK, "person", v)
}
