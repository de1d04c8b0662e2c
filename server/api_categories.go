package server

import (
	"net/http"
	"strconv"
)

// categoryAPIRoutes lets moderators manage the library's categories from a
// program, as on /moderation/categories: create, rename, reorder. Like the
// page, the API deletes none (documents stay filed under them).
func (s *Server) categoryAPIRoutes(mux *routeTable) {
	s.apiCreateOrUpdate(mux, "/api/v1/categories", s.apiCategorySave)
}

// apiCategoryInput is a category as a client sends it.
type apiCategoryInput struct {
	Slug     string `json:"slug"`
	NameEN   string `json:"name_en"`
	NameFR   string `json:"name_fr"`
	NameES   string `json:"name_es"`
	Position int    `json:"position"`
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
	s.answerFormSave(w, r, f, status, &c, func() error {
		return failTakenSlug(f, s.store.SaveCategory(r.Context(), currentUser(r).ID, &c))
	})
}
