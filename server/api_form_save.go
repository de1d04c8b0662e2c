package server

import (
	"net/http"
)

// apiCreateOrUpdate routes POST base (a new record, 201) and PUT base/{id}
// (that record, 200) to save, for moderators: the themes' and categories'
// API, which share their pages' checks.
func (s *Server) apiCreateOrUpdate(mux *routeTable, base string, save func(w http.ResponseWriter, r *http.Request, id int64, status int)) {
	s.api(mux, "POST "+base, s.moderator(func(w http.ResponseWriter, r *http.Request) {
		save(w, r, 0, http.StatusCreated)
	}))
	s.api(mux, "PUT "+base+"/{id}", s.moderator(func(w http.ResponseWriter, r *http.Request) {
		id, ok := pathID(r)
		if !ok {
			s.notFound(w, r)
			return
		}
		save(w, r, id, http.StatusOK)
	}))
}

// answerFormSave ends an API save that went through a page's form: save
// runs only on valid input and may add a field's error (a short name in
// use); the answer is saved as JSON, the fields' errors, or 404 for a
// record that is not there.
func (s *Server) answerFormSave(w http.ResponseWriter, r *http.Request, f *form, status int, saved any, save func() error) {
	if !s.savedForm(w, r, f, save, func() { writeJSON(w, status, saved) }) {
		s.apiValidation(w, r, f)
	}
}
