package server

import (
	"net/http"
	"strconv"

	"ideasx/store"
)

func (s *Server) themeList(w http.ResponseWriter, r *http.Request) {
	s.renderThemes(w, r, s.newView(w, r, "themes_title"), http.StatusOK)
}

func (s *Server) renderThemes(w http.ResponseWriter, r *http.Request, v *view, status int) {
	themes, err := s.store.Themes(r.Context(), true)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	v.Data = map[string]any{"Themes": themes}
	s.render(w, r, status, "themes", v)
}

// themeSave creates a theme, or updates one when the form carries its id.
func (s *Server) themeSave(w http.ResponseWriter, r *http.Request) {
	f := s.parseForm(w, r)
	if f == nil {
		return
	}
	t := readThemeForm(f)
	id, err := f.optionalID("id")
	if err != nil {
		s.notFound(w, r)
		return
	}
	t.ID = id
	if f.ok() && s.savedNamed(w, r, f, s.store.SaveTheme(r.Context(), currentUser(r).ID, &t), "/moderation/themes", "flash_theme_saved") {
		return
	}
	v := s.newView(w, r, "themes_title")
	v.Form, v.Errors = f.values, f.errors
	s.renderThemes(w, r, v, http.StatusUnprocessableEntity)
}

// readThemeForm checks a theme's fields, from the page's form or the API's
// body (which sends archived as "on").
func readThemeForm(f *form) store.Theme {
	t := store.Theme{
		Slug:          f.slug("slug"),
		NameEN:        f.text("name_en", true, 100),
		NameFR:        f.text("name_fr", true, 100),
		NameES:        f.text("name_es", true, 100),
		DescriptionEN: f.text("description_en", false, 300),
		DescriptionFR: f.text("description_fr", false, 300),
		DescriptionES: f.text("description_es", false, 300),
		Archived:      f.values.Get("archived") == "on",
	}
	t.Position, _ = strconv.Atoi(f.values.Get("position"))
	return t
}
