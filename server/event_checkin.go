package server

import (
	"errors"
	"net/http"

	"ideasx/store"
)

// Check-in at the door: the QR code on a registration's page carries a
// signed check-in link. An organiser's phone opens it (signing in first
// if need be) and sees who it is; the Confirm button marks them present.
// Opening the link changes nothing: a preview by a mail scanner or a
// second scan cannot check anyone in, and the POST is a same-origin form
// like every other (crossOriginProtection).

func (s *Server) checkInShow(w http.ResponseWriter, r *http.Request) {
	reg, e, ok := s.registrationFromToken(w, r, regTokenCheckIn)
	if !ok {
		return
	}
	v := s.newView(w, r, "checkin_title")
	v.Data = map[string]any{"Event": e, "Reg": reg, "Token": r.PathValue("token")}
	s.render(w, r, http.StatusOK, "event_checkin", v)
}

func (s *Server) checkInSave(w http.ResponseWriter, r *http.Request) {
	reg, e, ok := s.registrationFromToken(w, r, regTokenCheckIn)
	if !ok {
		return
	}
	if f := s.parseForm(w, r); f == nil {
		return
	}
	reg, already, err := s.store.CheckIn(r.Context(), currentUser(r).ID, reg.ID)
	v := s.newView(w, r, "checkin_title")
	data := map[string]any{"Event": e, "Reg": reg, "Token": r.PathValue("token")}
	v.Data = data
	switch {
	case errors.Is(err, store.ErrNotConfirmed):
		v.Errors = map[string]string{"form": v.T("checkin_not_confirmed")}
		s.render(w, r, http.StatusConflict, "event_checkin", v)
		return
	case err != nil:
		s.serverError(w, r, err)
		return
	}
	data["Done"], data["Already"] = true, already
	s.render(w, r, http.StatusOK, "event_checkin", v)
}
