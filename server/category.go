package server

import (
	"errors"
	"net/http"
	"strconv"

	"ideasx/store"
)

func (s *Server) categoryList(w http.ResponseWriter, r *http.Request) {
	s.renderCategories(w, r, s.newView(w, r, "categories_title"), http.StatusOK)
}

func (s *Server) renderCategories(w http.ResponseWriter, r *http.Request, v *view, status int) {
	cats, err := s.store.Categories(r.Context())
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	v.Data = map[string]any{"Categories": cats}
	s.render(w, r, status, "categories", v)
}

// categorySave creates a category, or renames one when the form carries its id.
func (s *Server) categorySave(w http.ResponseWriter, r *http.Request) {
	f := s.parseForm(w, r)
	if f == nil {
		return
	}
	c := readCategoryForm(f)
	id, err := f.optionalID("id")
	if err != nil {
		s.notFound(w, r)
		return
	}
	c.ID = id
	if f.ok() && s.savedNamed(w, r, f, s.store.SaveCategory(r.Context(), currentUser(r).ID, &c), "/moderation/categories", "flash_category_saved") {
		return
	}
	v := s.newView(w, r, "categories_title")
	v.Form, v.Errors = f.values, f.errors
	s.renderCategories(w, r, v, http.StatusUnprocessableEntity)
}

// savedNamed answers the save of a row with a unique short name (a category,
// a theme): a taken name goes back to the form as a field error, which is
// the one case where it returns false and the caller shows the form again.
func (s *Server) savedNamed(w http.ResponseWriter, r *http.Request, f *form, err error, back, flash string) bool {
	err = failTakenSlug(f, err)
	switch {
	case !f.ok():
		return false
	case errors.Is(err, store.ErrNotFound):
		s.notFound(w, r)
	case err != nil:
		s.serverError(w, r, err)
	default:
		s.redirectWithFlash(w, r, back, flash)
	}
	return true
}

// readCategoryForm checks a category's fields, from the page's form or the API's body.
func readCategoryForm(f *form) store.Category {
	c := store.Category{
		Slug:   f.slug("slug"),
		NameEN: f.text("name_en", true, 100),
		NameFR: f.text("name_fr", true, 100),
		NameES: f.text("name_es", true, 100),
	}
	c.Position, _ = strconv.Atoi(f.values.Get("position"))
	return c
}

// failTakenSlug turns a short name already in use, the one rule only the
// database checks, into the slug field's error; any other error is returned.
func failTakenSlug(f *form, err error) error {
	if errors.Is(err, store.ErrConflict) {
		f.fail("slug", "error_slug_taken")
		return nil
	}
	return err
}
