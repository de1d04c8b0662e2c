package server

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"ideasx/store"
)

// organisationAPIRoutes are the moderators' API for organisations. Edits
// and merges go through the functions the pages use, so both leave the
// same audit entries.
func (s *Server) organisationAPIRoutes(mux *routeTable) {
	s.api(mux, "GET /api/v1/organisations", s.moderator(s.apiOrganisationList))
	s.api(mux, "GET /api/v1/organisations/{id}", s.moderator(s.apiOrganisationShow))
	s.api(mux, "PATCH /api/v1/organisations/{id}", s.moderator(s.apiOrganisationUpdate))
	s.api(mux, "POST /api/v1/organisations/{id}/merge", s.moderator(s.apiOrganisationMerge))
}

// apiOrgDetail is an organisation as moderators see it.
type apiOrgDetail struct {
	ID           int64             `json:"id"`
	Name         string            `json:"name"`
	Kind         store.OrgKind     `json:"kind"`
	ClaimedKind  store.OrgKind     `json:"claimed_kind,omitempty"`
	Country      string            `json:"country"`
	SizeClass    string            `json:"size_class"`
	Sector       string            `json:"sector"`
	EmailDomains []string          `json:"email_domains"`
	Verified     bool              `json:"verified"`
	People       *int              `json:"people,omitempty"`
	Members      []store.OrgPerson `json:"members,omitempty"`
	CreatedAt    time.Time         `json:"created_at"`
}

func orgDetail(o *store.Organisation) apiOrgDetail {
	domains := o.Domains()
	if domains == nil {
		domains = []string{}
	}
	return apiOrgDetail{ID: o.ID, Name: o.Name, Kind: o.Kind, ClaimedKind: o.ClaimedKind, Country: o.Country,
		SizeClass: o.SizeClass, Sector: o.Sector, EmailDomains: domains, Verified: o.Verified, CreatedAt: o.CreatedAt}
}

func (s *Server) apiOrganisationList(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := s.apiForm(r, map[string]string{"kind": q.Get("kind"), "verified": q.Get("verified")})
	f.choice("kind", false, kindStrings()...)
	f.choice("verified", false, "yes", "no")
	limit, offset := apiLimitOffset(f, q, 50)
	if !f.ok() {
		s.apiValidation(w, r, f)
		return
	}
	filter := orgFilter(q)
	filter.Limit, filter.Offset = limit, offset
	orgs, total, err := s.store.ListOrganisations(r.Context(), filter)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	out := make([]apiOrgDetail, len(orgs))
	for i := range orgs {
		out[i] = orgDetail(&orgs[i].Organisation)
		out[i].People = &orgs[i].People
	}
	writeJSON(w, http.StatusOK, map[string]any{"organisations": out, "total": total})
}

func (s *Server) apiOrganisationShow(w http.ResponseWriter, r *http.Request) {
	o, ok := s.organisationFromPath(w, r)
	if ok {
		s.writeOrgDetail(w, r, http.StatusOK, o.ID)
	}
}

// writeOrgDetail answers with the organisation as it now is, its people included.
func (s *Server) writeOrgDetail(w http.ResponseWriter, r *http.Request, status int, id int64) {
	o, err := s.store.OrganisationByID(r.Context(), id)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	people, err := s.store.OrganisationPeople(r.Context(), id)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	d := orgDetail(o)
	n := len(people)
	d.People, d.Members = &n, people
	writeJSON(w, status, d)
}

// apiOrganisationInput is a partial edit: fields left out keep their value.
type apiOrganisationInput struct {
	Name         *string   `json:"name"`
	Kind         *string   `json:"kind"`
	Country      *string   `json:"country"`
	SizeClass    *string   `json:"size_class"`
	Sector       *string   `json:"sector"`
	EmailDomains *[]string `json:"email_domains"`
	Verified     *bool     `json:"verified"`
}

func (s *Server) apiOrganisationUpdate(w http.ResponseWriter, r *http.Request) {
	o, ok := s.organisationFromPath(w, r)
	if !ok {
		return
	}
	var in apiOrganisationInput
	if !s.decodeJSON(w, r, &in) {
		return
	}
	f := s.apiForm(r, nil)
	f.values = organisationValues(o)
	for name, v := range map[string]*string{"name": in.Name, "kind": in.Kind, "country": in.Country, "size_class": in.SizeClass, "sector": in.Sector} {
		if v != nil {
			f.values.Set(name, *v)
		}
	}
	if in.EmailDomains != nil {
		f.values.Set("email_domains", strings.Join(*in.EmailDomains, " "))
	}
	if in.Verified != nil {
		f.values.Set("verified", strconv.FormatBool(*in.Verified))
	}
	// A kind still claimed by a registration is settled by saying which it
	// is, never as a side effect of another change.
	if o.ClaimedKind != "" && in.Kind == nil {
		f.fail("kind", "error_org_kind_claimed")
	}
	edited := *o
	readOrganisationForm(f, &edited)
	if err := s.updateOrganisation(r, f, &edited); err != nil {
		s.serverError(w, r, err)
		return
	}
	if !f.ok() {
		s.apiValidation(w, r, f)
		return
	}
	s.writeOrgDetail(w, r, http.StatusOK, o.ID)
}

type apiMergeInput struct {
	Into int64 `json:"into"`
}

func (s *Server) apiOrganisationMerge(w http.ResponseWriter, r *http.Request) {
	o, ok := s.organisationFromPath(w, r)
	if !ok {
		return
	}
	var in apiMergeInput
	if !s.decodeJSON(w, r, &in) {
		return
	}
	into, ok := s.mergeOrganisation(w, r, s.apiForm(r, map[string]string{"into": strconv.FormatInt(in.Into, 10)}), o)
	if ok {
		s.writeOrgDetail(w, r, http.StatusOK, into)
	}
}
