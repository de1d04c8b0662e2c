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
	s.api(mux, "GET /api/v1/asyncapi.json", http.HandlerFunc(s.apiAsyncAPI))
	s.api(mux, "GET /api/v1/me", s.signedIn(s.apiMe))
	s.api(mux, "PATCH /api/v1/me", s.signedIn(s.apiMeUpdate))
	s.libraryAPIRoutes(mux)
	s.registrationAPIRoutes(mux)
	s.forumAPIRoutes(mux)
	s.notificationAPIRoutes(mux)
	s.consentAPIRoutes(mux)
	s.tokenAPIRoutes(mux)
	s.organisationAPIRoutes(mux)
	s.accountAPIRoutes(mux)
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
	Handle       string          `json:"handle"`
	TimeZone     string          `json:"time_zone"`
	Organisation apiOrganisation `json:"organisation"`
}

type apiOrganisation struct {
	ID      int64         `json:"id"`
	Name    string        `json:"name"`
	Kind    store.OrgKind `json:"kind"`
	Country string        `json:"country"`
}

func (s *Server) apiMe(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, toAPIUser(currentUser(r), s.lang(r)))
}

// toAPIUser is u as its owner sees it; locale is the language in use.
func toAPIUser(u *store.User, locale string) apiUser {
	return apiUser{
		ID: u.ID, Email: u.Email, Name: u.Name, Role: u.Role, Status: u.Status, Locale: locale, Handle: u.Handle, TimeZone: u.TimeZone,
		Organisation: apiOrganisation{ID: u.OrganisationID, Name: u.OrgName, Kind: u.OrgKind, Country: u.OrgCountry},
	}
}
