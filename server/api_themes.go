package server

import (
	"errors"
	"net/http"
	"strconv"

	"ideasx/store"
)

// themeAPIRoutes lets moderators manage the forum's themes from a program,
// as on /moderation/themes: create, rename, reorder, archive (a theme is
// archived, never deleted, because threads stay in it).
func (s *Server) themeAPIRoutes(mux *routeTable) {
	s.api(mux, "POST /api/v1/themes", s.moderator(s.apiThemeCreate))
	s.api(mux, "PUT /api/v1/themes/{id}", s.moderator(s.apiThemeUpdate))
}

// apiThemeInput is a theme as a client sends it; it goes through the
// page's checks by way of form values.
type apiThemeInput struct {
	Slug          string `json:"slug"`
	NameEN        string `json:"name_en"`
	NameFR        string `json:"name_fr"`
	NameES        string `json:"name_es"`
	DescriptionEN string `json:"description_en"`
	DescriptionFR string `json:"description_fr"`
	DescriptionES string `json:"description_es"`
	Position      int    `json:"position"`
	Archived      bool   `json:"archived"`
}

func (s *Server) apiThemeCreate(w http.ResponseWriter, r *http.Request) {
	s.apiThemeSave(w, r, 0, http.StatusCreated)
}

func (s *Server) apiThemeUpdate(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		s.notFound(w, r)
		return
	}
	s.apiThemeSave(w, r, id, http.StatusOK)
}

func (s *Server) apiThemeSave(w http.ResponseWriter, r *http.Request, id int64, status int) {
	var in apiThemeInput
	if !s.decodeJSON(w, r, &in) {
		return
	}
	v := map[string][]string{"slug": {in.Slug}, "name_en": {in.NameEN}, "name_fr": {in.NameFR}, "name_es": {in.NameES},
		"description_en": {in.DescriptionEN}, "description_fr": {in.DescriptionFR}, "description_es": {in.DescriptionES},
		"position": {strconv.Itoa(in.Position)}}
	if in.Archived {
		v["archived"] = []string{"on"}
	}
	f := &form{values: v, errors: map[string]string{}, l: s.localizer(r)}
	t := readThemeForm(f)
	t.ID = id
	if f.ok() {
		err := failTakenSlug(f, s.store.SaveTheme(r.Context(), currentUser(r).ID, &t))
		switch {
		case errors.Is(err, store.ErrNotFound):
			s.notFound(w, r)
			return
		case err != nil:
			s.serverError(w, r, err)
			return
		case f.ok():
			writeJSON(w, status, t)
			return
		}
	}
	s.apiValidation(w, r, f)
}
