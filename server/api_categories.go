package server

import (
	"errors"
	"net/http"
	"strconv"

	"ideasx/store"
)

// categoryAPIRoutes lets moderators manage the library's categories from a
// program, as on /moderation/categories: create, rename, reorder. Like the
// page, the API deletes none (documents stay filed under them).
func (s *Server) categoryAPIRoutes(mux *routeTable) {
	s.api(mux, "POST /api/v1/categories", s.moderator(s.apiCategoryCreate))
	s.api(mux, "PUT /api/v1/categories/{id}", s.moderator(s.apiCategoryUpdate))
}

// apiCategoryInput is a category as a client sends it.
type apiCategoryInput struct {
	Slug     string `json:"slug"`
	NameEN   string `json:"name_en"`
	NameFR   string `json:"name_fr"`
	NameES   string `json:"name_es"`
	Position int    `json:"position"`
}

func (s *Server) apiCategoryCreate(w http.ResponseWriter, r *http.Request) {
	s.apiCategorySave(w, r, 0, http.StatusCreated)
}

func (s *Server) apiCategoryUpdate(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		s.notFound(w, r)
		return
	}
	s.apiCategorySave(w, r, id, http.StatusOK)
}

func (s *Server) apiCategorySave(w http.ResponseWriter, r *http.Request, id int64, status int) {
	var in apiCategoryInput
	if !s.decodeJSON(w, r, &in) {
		return
	}
	f := &form{values: map[string][]string{"slug": {in.Slug}, "name_en": {in.NameEN}, "name_fr": {in.NameFR}, "name_es": {in.NameES},
		"position": {strconv.Itoa(in.Position)}}, errors: map[string]string{}, l: s.localizer(r)}
	c := readCategoryForm(f)
	c.ID = id
	if f.ok() {
		err := failTakenSlug(f, s.store.SaveCategory(r.Context(), currentUser(r).ID, &c))
		switch {
		case errors.Is(err, store.ErrNotFound):
			s.notFound(w, r)
			return
		case err != nil:
			s.serverError(w, r, err)
			return
		case f.ok():
			writeJSON(w, status, c)
			return
		}
	}
	s.apiValidation(w, r, f)
}
