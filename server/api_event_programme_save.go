package server

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"ideasx/store"
)

// The programme over the API takes the same fields as the editor's forms
// and goes through the same checks: the JSON is turned into the form's
// values, so a rule changed for one holds for the other.

func (s *Server) apiProgrammeRoutes(mux *routeTable) {
	s.api(mux, "POST /api/v1/events/{ref}/sessions", refAsID(s.moderator(s.apiSessionCreate)))
	s.api(mux, "PUT /api/v1/events/{ref}/sessions/{sid}", refAsID(s.moderator(s.apiSessionUpdate)))
	s.api(mux, "DELETE /api/v1/events/{ref}/sessions/{sid}", refAsID(s.moderator(s.apiSessionDelete)))
	s.api(mux, "PUT /api/v1/events/{ref}/links", refAsID(s.moderator(s.apiEventLinksSave)))
}

type apiPersonInput struct {
	Role           string `json:"role"`
	Name           string `json:"name"`
	Handle         string `json:"handle"`
	Title          string `json:"title"`
	TitleFR        string `json:"title_fr"`
	TitleES        string `json:"title_es"`
	Organisation   string `json:"organisation"`
	OrganisationFR string `json:"organisation_fr"`
	OrganisationES string `json:"organisation_es"`
}

// apiSessionInput takes times as local "2006-01-02T15:04" in the meeting's
// zone, as the event input does.
type apiSessionInput struct {
	StartsAt      string           `json:"starts_at"`
	EndsAt        string           `json:"ends_at"`
	Title         string           `json:"title"`
	TitleFR       string           `json:"title_fr"`
	TitleES       string           `json:"title_es"`
	Description   string           `json:"description"`
	DescriptionFR string           `json:"description_fr"`
	DescriptionES string           `json:"description_es"`
	Venue         string           `json:"venue"`
	Languages     []string         `json:"languages"`
	People        []apiPersonInput `json:"people"`
}

func (in apiSessionInput) values() url.Values {
	v := url.Values{"starts": {in.StartsAt}, "ends": {in.EndsAt}, "title": {in.Title}, "title_fr": {in.TitleFR}, "title_es": {in.TitleES},
		"description": {in.Description}, "description_fr": {in.DescriptionFR}, "description_es": {in.DescriptionES},
		"venue": {in.Venue}, "languages": in.Languages, "rows": {strconv.Itoa(len(in.People))}}
	for i, p := range in.People {
		for field, value := range map[string]string{"role": p.Role, "name": p.Name, "account": p.Handle, "title": p.Title, "title_fr": p.TitleFR,
			"title_es": p.TitleES, "org": p.Organisation, "org_fr": p.OrganisationFR, "org_es": p.OrganisationES} {
			v.Set(rowField("p", i, field), value)
		}
	}
	return v
}

func (s *Server) apiSessionCreate(w http.ResponseWriter, r *http.Request) { s.apiSessionSave(w, r, 0) }

func (s *Server) apiSessionUpdate(w http.ResponseWriter, r *http.Request) {
	sid, err := parseID(r.PathValue("sid"))
	if err != nil {
		s.notFound(w, r)
		return
	}
	s.apiSessionSave(w, r, sid)
}

func (s *Server) apiSessionSave(w http.ResponseWriter, r *http.Request, sessionID int64) {
	e, ok := s.programmeEditor(w, r)
	if !ok {
		return
	}
	var in apiSessionInput
	if !s.decodeJSON(w, r, &in) {
		return
	}
	if len(in.People) > maxRows {
		s.apiError(w, r, http.StatusUnprocessableEntity, "invalid", "error_too_long", "Max", maxRows)
		return
	}
	f := (&form{values: in.values(), errors: map[string]string{}, l: s.localizer(r)}).as(sessionProperties)
	// The form skips a row left empty; a person sent without a name is a mistake to report.
	for i, p := range in.People {
		if strings.TrimSpace(p.Name) == "" {
			f.fail(rowField("p", i, "name"), "error_required")
		}
	}
	sess := &store.EventSession{ID: sessionID, EventID: e.ID}
	if err := s.readSessionForm(r, f, e, sess); err != nil {
		s.serverError(w, r, err)
		return
	}
	if f.ok() {
		err := s.store.SaveEventSession(r.Context(), currentUser(r).ID, sess)
		switch {
		case errors.Is(err, store.ErrNotFound):
			s.notFound(w, r)
			return
		case errors.Is(err, store.ErrMissingReference):
			f.fail("people", "error_account_unknown")
		case err != nil:
			s.serverError(w, r, err)
			return
		default:
			status := http.StatusOK
			if sessionID == 0 {
				status = http.StatusCreated
			}
			s.writeAPIEvent(w, r, status, e)
			return
		}
	}
	s.apiValidation(w, r, f)
}

func (s *Server) apiSessionDelete(w http.ResponseWriter, r *http.Request) {
	e, ok := s.programmeEditor(w, r)
	if !ok {
		return
	}
	sid, err := parseID(r.PathValue("sid"))
	if err != nil {
		s.notFound(w, r)
		return
	}
	err = s.store.DeleteEventSession(r.Context(), currentUser(r).ID, e.ID, sid)
	switch {
	case errors.Is(err, store.ErrNotFound):
		s.notFound(w, r)
	case err != nil:
		s.serverError(w, r, err)
	default:
		w.WriteHeader(http.StatusNoContent)
	}
}

type apiLinksInput struct {
	MainEventID  *int64 `json:"main_event_id"`
	CoOrganisers []struct {
		Name   string `json:"name"`
		NameFR string `json:"name_fr"`
		NameES string `json:"name_es"`
		URL    string `json:"url"`
	} `json:"co_organisers"`
}

// apiEventLinksSave replaces the co-organisers and sets (or, with null, clears) the main event.
func (s *Server) apiEventLinksSave(w http.ResponseWriter, r *http.Request) {
	e, ok := s.programmeEditor(w, r)
	if !ok {
		return
	}
	var in apiLinksInput
	if !s.decodeJSON(w, r, &in) {
		return
	}
	if len(in.CoOrganisers) > maxRows {
		s.apiError(w, r, http.StatusUnprocessableEntity, "invalid", "error_too_long", "Max", maxRows)
		return
	}
	f := (&form{values: url.Values{}, errors: map[string]string{}, l: s.localizer(r)}).as(linksProperties)
	var mainID int64
	if in.MainEventID != nil {
		mainID = *in.MainEventID
		if err := s.checkMainEvent(r, f, "main_event_id", mainID); err != nil {
			s.serverError(w, r, err)
			return
		}
	}
	var orgs []store.CoOrganiser
	for i, o := range in.CoOrganisers {
		field := func(name string) string { return rowField("o", i, name) }
		f.values.Set(field("name"), o.Name)
		f.values.Set(field("name_fr"), o.NameFR)
		f.values.Set(field("name_es"), o.NameES)
		f.values.Set(field("url"), o.URL)
		orgs = append(orgs, readCoOrganiser(f, i))
	}
	if !s.savedForm(w, r, f, func() error { return s.saveEventLinks(r, f, "main_event_id", e, mainID, orgs) }, func() {
		saved, err := s.store.EventByID(r.Context(), e.ID, store.AccessFor(currentUser(r)))
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		s.writeAPIEvent(w, r, http.StatusOK, saved)
	}) {
		s.apiValidation(w, r, f)
	}
}
