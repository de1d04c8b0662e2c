package server

import (
	"net/http"

	"ideasx/store"
)

// websocketUpgrade serves GET /ws (SPEC §4). Browsers are recognised by
// their Origin, which must be this site's; a client without one must bring
// an API token, so that no page elsewhere can ride a visitor's cookie.
// Visitors may connect too, for the public topics only.
func (s *Server) websocketUpgrade(w http.ResponseWriter, r *http.Request) {
	st := state(r)
	origin := r.Header.Get("Origin")
	if (origin == "" && !st.viaToken) || (origin != "" && origin != s.origin) {
		s.fail(w, r, http.StatusForbidden, "bad_origin", "error_forbidden")
		return
	}
	u := st.user
	if u == nil {
		u = &store.User{}
	}
	cred := store.Credential{SessionID: st.sessionID, TokenHash: st.tokenHash}
	s.hub.Serve(w, r, u, cred)
}
