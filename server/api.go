package server

import (
	_ "embed"
	"net/http"

	"ideasx/store"
)

//go:embed openapi.json
var openAPIDocument []byte

// apiRoutesV1 is the JSON API's route table. Every route goes through api(),
// which records it for the test that holds the OpenAPI document to the code.
func (s *Server) apiRoutesV1(mux *routeTable) {
	s.api(mux, "GET /api/v1/openapi.json", http.HandlerFunc(s.apiOpenAPI))
	s.api(mux, "GET /api/v1/me", s.signedIn(s.apiMe))
	s.libraryAPIRoutes(mux)
	s.registrationAPIRoutes(mux)
	s.forumAPIRoutes(mux)
	s.notificationAPIRoutes(mux)
	s.consentAPIRoutes(mux)
	s.tokenAPIRoutes(mux)
	s.organisationAPIRoutes(mux)
	s.themeAPIRoutes(mux)
	s.categoryAPIRoutes(mux)
	s.curationAPIRoutes(mux)
}

func (s *Server) api(mux *routeTable, pattern string, h http.Handler) {
	s.apiRoutes = append(s.apiRoutes, pattern)
	mux.Handle(pattern, h)
}

func (s *Server) apiOpenAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Access-Control-Allow-Origin", "*")
	_, _ = w.Write(openAPIDocument)
}

// apiUser is an account as the API shows it to its owner.
type apiUser struct {
	ID           int64           `json:"id"`
	Email        string          `json:"email"`
	Name         string          `json:"name"`
	Role         store.Role      `json:"role"`
	Status       store.Status    `json:"status"`
	Locale       string          `json:"locale"`
	Organisation apiOrganisation `json:"organisation"`
}

type apiOrganisation struct {
	ID      int64         `json:"id"`
	Name    string        `json:"name"`
	Kind    store.OrgKind `json:"kind"`
	Country string        `json:"country"`
}

func (s *Server) apiMe(w http.ResponseWriter, r *http.Request) {
	u := currentUser(r)
	writeJSON(w, http.StatusOK, apiUser{
		ID: u.ID, Email: u.Email, Name: u.Name, Role: u.Role, Status: u.Status, Locale: s.lang(r),
		Organisation: apiOrganisation{ID: u.OrganisationID, Name: u.OrgName, Kind: u.OrgKind, Country: u.OrgCountry},
	})
}
