package server

import (
	"errors"
	"net/http"

	"ideasx/server/auth"
	"ideasx/store"
)

func (s *Server) setupShow(w http.ResponseWriter, r *http.Request) {
	ok, err := s.store.SetupTokenValid(r.Context(), auth.HashToken(r.PathValue("token")))
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if !ok {
		s.fail(w, r, http.StatusGone, "link_expired", "error_setup_expired")
		return
	}
	v := s.newView(w, r, "setup_title")
	v.Form.Set("organisation", v.T("setup_default_organisation"))
	v.Data = map[string]any{"Countries": countries(s.lang(r))}
	s.render(w, r, http.StatusOK, "setup", v)
}

// setupSave creates the first admin; the store makes sure only one request
// ever succeeds, however many setup links were printed.
func (s *Server) setupSave(w http.ResponseWriter, r *http.Request) {
	f := s.parseForm(w, r)
	if f == nil {
		return
	}
	v := s.newView(w, r, "setup_title")
	v.Form = f.values
	v.Data = map[string]any{"Countries": countries(s.lang(r))}
	name := f.text("name", true, 100)
	email := f.email("email")
	password := f.newPassword("password", "password_confirm")
	org := store.Organisation{Name: f.text("organisation", true, 150), Kind: store.OrgSecretariat, Country: f.country("country", false)}
	if !f.ok() {
		v.Errors = f.errors
		s.render(w, r, http.StatusUnprocessableEntity, "setup", v)
		return
	}
	hash, err := auth.HashPassword(password)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	u, err := s.store.CompleteSetup(r.Context(), auth.HashToken(r.PathValue("token")),
		store.NewUser{Email: email, Name: name, Locale: s.lang(r), PasswordHash: hash}, org)
	if errors.Is(err, store.ErrExpired) {
		s.fail(w, r, http.StatusGone, "link_expired", "error_setup_expired")
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.log.InfoContext(r.Context(), "first admin created", "user_id", u.ID)
	if err := s.startSession(w, r, u); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.redirectWithFlash(w, r, "/admin/users", "flash_setup_done")
}
