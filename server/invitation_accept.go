package server

import (
	"errors"
	"net/http"

	"ideasx/server/auth"
	"ideasx/store"
)

// loadInvitation finds the invitation of the link, or answers 410 when it
// cannot be used any more.
func (s *Server) loadInvitation(w http.ResponseWriter, r *http.Request) (*store.Invitation, string, bool) {
	hash := auth.HashToken(r.PathValue("token"))
	inv, err := s.store.InvitationByToken(r.Context(), hash)
	if errors.Is(err, store.ErrExpired) {
		s.fail(w, r, http.StatusGone, "link_expired", "error_invitation_expired")
		return nil, "", false
	}
	if err != nil {
		s.serverError(w, r, err)
		return nil, "", false
	}
	return inv, hash, true
}

func (s *Server) invitationShow(w http.ResponseWriter, r *http.Request) {
	inv, _, ok := s.loadInvitation(w, r)
	if !ok {
		return
	}
	v := s.newView(w, r, "invitation_title")
	v.Data = inv
	s.render(w, r, http.StatusOK, "invitation", v)
}

func (s *Server) invitationSave(w http.ResponseWriter, r *http.Request) {
	inv, hash, ok := s.loadInvitation(w, r)
	if !ok {
		return
	}
	f := s.parseForm(w, r)
	if f == nil {
		return
	}
	v := s.newView(w, r, "invitation_title")
	v.Form, v.Data = f.values, inv
	name := f.text("name", true, 100)
	password := f.newPassword("password", "password_confirm")
	if !f.ok() {
		v.Errors = f.errors
		s.render(w, r, http.StatusUnprocessableEntity, "invitation", v)
		return
	}
	pwHash, err := auth.HashPassword(password)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	u, err := s.store.AcceptInvitation(r.Context(), hash, store.NewUser{Name: name, Locale: s.lang(r), PasswordHash: pwHash, TimeZone: guessedZone(f)})
	switch {
	case errors.Is(err, store.ErrExpired):
		s.fail(w, r, http.StatusGone, "link_expired", "error_invitation_expired")
		return
	case errors.Is(err, store.ErrConflict):
		// The invitation names the address, so saying it is taken reveals nothing new.
		v.Errors["form"] = v.T("error_invitation_email_taken")
		s.render(w, r, http.StatusConflict, "invitation", v)
		return
	case err != nil:
		s.serverError(w, r, err)
		return
	}
	if err := s.startSession(w, r, u); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.redirectWithFlash(w, r, "/", "flash_welcome")
}
