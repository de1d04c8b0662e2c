package server

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"ideasx/store"
)

const orgsPerPage = 50

// organisationRoutes are the moderators' pages for organisations.
func (s *Server) organisationRoutes(mux *routeTable) {
	mux.Handle("GET /moderation/organisations", s.moderator(s.organisationList))
	mux.Handle("GET /moderation/organisations/{id}", s.moderator(s.organisationShow))
	mux.Handle("POST /moderation/organisations/{id}", s.moderator(s.organisationSave))
	mux.Handle("POST /moderation/organisations/{id}/merge", s.moderator(s.organisationMerge))
}

// orgFilter reads the list's filters from a query string; unknown values
// are ignored, as on the other lists.
func orgFilter(q url.Values) store.OrgFilter {
	f := store.OrgFilter{Query: strings.TrimSpace(q.Get("q"))}
	if k := store.OrgKind(q.Get("kind")); k.Valid() {
		f.Kind = k
	}
	if v := q.Get("verified"); v == "yes" || v == "no" {
		f.Verified = v
	}
	return f
}

func (s *Server) organisationList(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	page := pageParam(q)
	filter := orgFilter(q)
	filter.Limit, filter.Offset = orgsPerPage, (page-1)*orgsPerPage
	orgs, total, err := s.store.ListOrganisations(r.Context(), filter)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	v := s.newView(w, r, "orgs_title")
	v.Form = url.Values{"q": {filter.Query}, "kind": {string(filter.Kind)}, "verified": {filter.Verified}}
	pageURL := pageLinks("/moderation/organisations", v.Form)
	data := map[string]any{"Organisations": orgs, "Total": total, "Kinds": store.OrgKinds}
	if page > 1 {
		data["PrevURL"] = pageURL(page - 1)
	}
	if page*orgsPerPage < total {
		data["NextURL"] = pageURL(page + 1)
	}
	v.Data = data
	s.render(w, r, http.StatusOK, "organisations", v)
}

// organisationFromPath loads the organisation a URL names, answering 404
// when there is none.
func (s *Server) organisationFromPath(w http.ResponseWriter, r *http.Request) (*store.Organisation, bool) {
	id, ok := pathID(r)
	if !ok {
		s.notFound(w, r)
		return nil, false
	}
	o, err := s.store.OrganisationByID(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		s.notFound(w, r)
		return nil, false
	}
	if err != nil {
		s.serverError(w, r, err)
		return nil, false
	}
	return o, true
}

func (s *Server) organisationShow(w http.ResponseWriter, r *http.Request) {
	o, ok := s.organisationFromPath(w, r)
	if !ok {
		return
	}
	v := s.newView(w, r, "")
	v.Form = organisationValues(o)
	s.renderOrganisation(w, r, v, http.StatusOK, o)
}

// organisationValues is an organisation as its edit form sends it.
func organisationValues(o *store.Organisation) url.Values {
	kind := o.Kind
	if o.ClaimedKind != "" {
		kind = o.ClaimedKind
	}
	v := url.Values{"name": {o.Name}, "kind": {string(kind)}, "country": {o.Country}, "size_class": {o.SizeClass},
		"sector": {o.Sector}, "email_domains": {strings.Join(o.Domains(), "\n")}}
	if o.Verified {
		v.Set("verified", "true")
	}
	return v
}

func (s *Server) renderOrganisation(w http.ResponseWriter, r *http.Request, v *view, status int, o *store.Organisation) {
	people, err := s.store.OrganisationPeople(r.Context(), o.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	all, err := s.store.Organisations(r.Context())
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	others := make([]store.Organisation, 0, len(all))
	for _, a := range all {
		if a.ID != o.ID {
			others = append(others, a)
		}
	}
	v.Title = o.Name
	v.Data = map[string]any{"Org": o, "People": people, "Others": others, "Kinds": store.OrgKinds,
		"Sizes": store.SizeClasses, "Countries": countries(v.Lang())}
	s.render(w, r, status, "organisation", v)
}

func (s *Server) organisationSave(w http.ResponseWriter, r *http.Request) {
	o, ok := s.organisationFromPath(w, r)
	if !ok {
		return
	}
	f := s.parseForm(w, r)
	if f == nil {
		return
	}
	edited := *o
	readOrganisationForm(f, &edited)
	if err := s.updateOrganisation(r, f, &edited); err != nil {
		s.serverError(w, r, err)
		return
	}
	if f.ok() {
		s.redirectWithFlash(w, r, "/moderation/organisations/"+itoa64(o.ID), "flash_org_saved")
		return
	}
	v := s.newView(w, r, "")
	v.Form, v.Errors = f.values, f.errors
	s.renderOrganisation(w, r, v, http.StatusUnprocessableEntity, o)
}

// updateOrganisation stores a checked edit; a name already taken becomes
// the form's error. The error returned is an internal one.
func (s *Server) updateOrganisation(r *http.Request, f *form, o *store.Organisation) error {
	if !f.ok() {
		return nil
	}
	err := s.store.UpdateOrganisation(r.Context(), currentUser(r).ID, o)
	if errors.Is(err, store.ErrConflict) {
		f.fail("name", "error_org_name_taken")
		return nil
	}
	return err
}

func (s *Server) organisationMerge(w http.ResponseWriter, r *http.Request) {
	o, ok := s.organisationFromPath(w, r)
	if !ok {
		return
	}
	f := s.parseForm(w, r)
	if f == nil {
		return
	}
	into, ok := s.mergeOrganisation(w, r, f, o)
	if !ok {
		return
	}
	s.redirectWithFlash(w, r, "/moderation/organisations/"+itoa64(into), "flash_org_merged")
}

// mergeOrganisation moves o into the organisation the form's "into" names.
// On failure it has answered (a form page, or the API's error).
func (s *Server) mergeOrganisation(w http.ResponseWriter, r *http.Request, f *form, o *store.Organisation) (int64, bool) {
	into, err := parseID(strings.TrimSpace(f.values.Get("into")))
	if err != nil {
		f.fail("into", "error_choice")
	} else if into == o.ID {
		f.fail("into", "error_org_merge_self")
	}
	if f.ok() {
		_, err = s.store.MergeOrganisations(r.Context(), currentUser(r).ID, o.ID, into)
		switch {
		case errors.Is(err, store.ErrNotFound):
			// Either side may have gone meanwhile; o was there a moment ago,
			// so the likelier one is the target.
			f.fail("into", "error_choice")
		case err != nil:
			s.serverError(w, r, err)
			return 0, false
		}
	}
	if !f.ok() {
		if isAPI(r) {
			s.apiValidation(w, r, f)
			return 0, false
		}
		v := s.newView(w, r, "")
		v.Form, v.Errors = organisationValues(o), f.errors
		v.Form.Set("into", f.values.Get("into"))
		s.renderOrganisation(w, r, v, http.StatusUnprocessableEntity, o)
		return 0, false
	}
	return into, true
}
