package server

import (
	"net/http"
	"strconv"
)

// themeAPIRoutes lets moderators manage the forum's themes from a program,
// as on /moderation/themes: create, rename, reorder, archive (a theme is
// archived, never deleted, because threads stay in it).
func (s *Server) themeAPIRoutes(mux *routeTable) {
	s.apiCreateOrUpdate(mux, "/api/v1/themes", s.apiThemeSave)
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
	s.answerFormSave(w, r, f, status, &t, func() error {
		return failTakenSlug(f, s.store.SaveTheme(r.Context(), currentUser(r).ID, &t))
	})
}
