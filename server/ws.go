package server

import (
	"net/http"

	"ideasx/store"
)

// websocketUpgrade serves GET /ws (SPEC §4). Browsers are recognised by
// their Origin, which must be one of this site's (see originPolicy); a
// client without one must bring an API token, so that no page elsewhere
// can ride a visitor's cookie. Visitors may connect too, for the public
// topics only.
func (s *Server) websocketUpgrade(w http.ResponseWriter, r *http.Request) {
	st := state(r)
	origin := r.Header.Get("Origin")
	if (origin == "" && !st.viaToken) || (origin != "" && !s.origins.allows(origin)) {
		s.origins.refused(origin)
		// JSON whatever the path: the answer is read by programs, and by
		// people looking at the network panel.
		var body apiErrorBody
		body.Error.Code = "bad_origin"
		body.Error.Message = s.localizer(r).T("error_bad_origin", "Site", s.origins.site)
		writeJSON(w, http.StatusForbidden, body)
		return
	}
	u := st.user
	if u == nil {
		u = &store.User{}
	}
	cred := store.Credential{SessionID: st.sessionID, TokenHash: st.tokenHash}
	s.hub.Serve(w, r, u, cred)
}

// websocketCheck serves GET /ws/check?origin=…: whether a page at that
// origin may open the websocket. A browser cannot read why an upgrade
// failed, so the page asks here after a failed connection, to tell the
// reader that this address is the cause rather than a network fault.
// It says nothing that the refusal itself would not.
func (s *Server) websocketCheck(w http.ResponseWriter, r *http.Request) {
	origin := r.URL.Query().Get("origin")
	if origin == "" {
		origin = r.Header.Get("Origin")
	}
	if origin == "" {
		s.apiError(w, r, http.StatusBadRequest, "bad_request", "error_origin_missing")
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"allowed": s.origins.allows(origin), "site": s.origins.site})
}
