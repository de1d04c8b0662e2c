package server

import (
	"bytes"
	"errors"
	"net/http"

	qrcode "github.com/skip2/go-qrcode"

	"ideasx/store"
)

// registrationFromToken loads the registration a signed link of purpose
// names, and its meeting; it has answered when ok is false. A link that
// was not signed here (forged, or cut short) is refused with a message
// that says so, and nothing is read or changed.
func (s *Server) registrationFromToken(w http.ResponseWriter, r *http.Request, purpose string) (*store.Registration, *store.Event, bool) {
	id, err := s.checkRegistrationToken(r.Context(), purpose, r.PathValue("token"))
	if errors.Is(err, errBadRegistrationToken) {
		s.fail(w, r, http.StatusForbidden, "invalid_link", "registration_link_invalid")
		return nil, nil, false
	}
	if err != nil {
		s.serverError(w, r, err)
		return nil, nil, false
	}
	reg, err := s.store.RegistrationByID(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		s.fail(w, r, http.StatusNotFound, "not_found", "registration_gone")
		return nil, nil, false
	}
	if err != nil {
		s.serverError(w, r, err)
		return nil, nil, false
	}
	// The signed link is the registrant's proof: the meeting is read as
	// its organisers see it, the online link left to revealedLink.
	e, err := s.store.EventByID(r.Context(), reg.EventID, store.Access{Members: true})
	if errors.Is(err, store.ErrNotFound) {
		s.fail(w, r, http.StatusNotFound, "not_found", "registration_gone")
		return nil, nil, false
	}
	if err != nil {
		s.serverError(w, r, err)
		return nil, nil, false
	}
	return reg, e, true
}

// registrationShow is a registration's own page: the confirmation, its QR
// code for the door, the online link when it is time, and cancelling.
func (s *Server) registrationShow(w http.ResponseWriter, r *http.Request) {
	reg, e, ok := s.registrationFromToken(w, r, regTokenManage)
	if !ok {
		return
	}
	ctx := r.Context()
	rs, err := s.store.RegistrationSettingsOf(ctx, e.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	p := &registrationPanel{Event: e, Settings: rs, Loc: e.Location(), SeatsLeft: -1}
	if err := s.fillOwn(ctx, p, reg); err != nil {
		s.serverError(w, r, err)
		return
	}
	v := s.newView(w, r, "registration_title")
	v.Title = v.T("registration_page_title", "Event", e.Title)
	v.Data = map[string]any{"Event": e, "Reg": reg, "Panel": p, "Token": r.PathValue("token")}
	s.render(w, r, http.StatusOK, "event_registration", v)
}

func (s *Server) registrationCancel(w http.ResponseWriter, r *http.Request) {
	reg, _, ok := s.registrationFromToken(w, r, regTokenManage)
	if !ok {
		return
	}
	if f := s.parseForm(w, r); f == nil {
		return
	}
	if _, _, err := s.store.CancelRegistration(r.Context(), actorID(r), reg.ID); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.mailer.wake()
	s.redirectWithFlash(w, r, "/registrations/"+r.PathValue("token"), "flash_registration_cancelled")
}

// registrationQR is the check-in QR code of a registration holding a seat,
// as a PNG: it carries the signed check-in link, which only an organiser
// can use.
func (s *Server) registrationQR(w http.ResponseWriter, r *http.Request) {
	reg, _, ok := s.registrationFromToken(w, r, regTokenManage)
	if !ok {
		return
	}
	if reg.Status != store.RegistrationConfirmed {
		s.notFound(w, r)
		return
	}
	link, err := s.checkInURL(r.Context(), reg.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	// Medium error correction reads well off a phone screen in a dim hall.
	png, err := qrcode.Encode(link, qrcode.Medium, 320)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "image/png")
	w.Header().Set("Cache-Control", "private, no-store")
	http.ServeContent(w, r, "", reg.UpdatedAt, bytes.NewReader(png))
}

// registrationInvite is the registration's calendar invitation, to add by hand.
func (s *Server) registrationInvite(w http.ResponseWriter, r *http.Request) {
	reg, _, ok := s.registrationFromToken(w, r, regTokenManage)
	if !ok {
		return
	}
	if reg.Status != store.RegistrationConfirmed {
		s.notFound(w, r)
		return
	}
	e, err := s.store.EventByID(r.Context(), reg.EventID, store.Access{Members: true})
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	rs, err := s.store.RegistrationSettingsOf(r.Context(), e.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	cal, _, err := s.invitation(s.localizer(r), e, reg, rs.ICSSequence, e.CancelledAt != nil)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/calendar; charset=utf-8; method=REQUEST")
	w.Header().Set("Content-Disposition", `attachment; filename="invite.ics"`)
	w.Header().Set("Cache-Control", "private, no-store")
	_, _ = w.Write([]byte(cal))
}

// actorID is the signed-in person's id for the audit log, 0 for a visitor.
func actorID(r *http.Request) int64 {
	if u := currentUser(r); u != nil {
		return u.ID
	}
	return 0
}
