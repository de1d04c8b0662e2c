package server

import (
	"errors"
	"net/http"
	"net/url"
	"time"

	"ideasx/store"
)

// registrationAPIRoutes: one's own registration for a meeting, and the
// organisers' list and check-in, with the rights of the pages.
func (s *Server) registrationAPIRoutes(mux *routeTable) {
	s.api(mux, "GET /api/v1/events/{ref}/registration", s.signedIn(s.apiOwnRegistration))
	s.api(mux, "POST /api/v1/events/{ref}/registration", s.signedIn(s.apiRegister))
	s.api(mux, "DELETE /api/v1/events/{ref}/registration", s.signedIn(s.apiCancelOwnRegistration))
	s.api(mux, "GET /api/v1/events/{ref}/registrations", s.moderator(s.apiEventRegistrations))
	s.api(mux, "POST /api/v1/events/{ref}/registrations/{rid}/checkin", s.moderator(s.apiCheckIn))
	s.api(mux, "GET /api/v1/events/{ref}/registration-settings", s.moderator(s.apiRegistrationSettingsShow))
	s.api(mux, "PUT /api/v1/events/{ref}/registration-settings", s.moderator(s.apiRegistrationSettingsSave))
}

// apiRegistration is a registration as its holder sees it: the online link
// only once they may see it.
type apiRegistration struct {
	store.Registration
	WaitingPosition int        `json:"waiting_position,omitempty"`
	OnlineURL       string     `json:"online_url,omitempty"`
	OnlineLinkFrom  *time.Time `json:"online_link_from,omitempty"`
	// PageURL is the registration's page: details, QR code, cancelling.
	PageURL string `json:"page_url"`
}

func (s *Server) apiOwnView(r *http.Request, e *store.Event, reg *store.Registration) (*apiRegistration, error) {
	rs, err := s.store.RegistrationSettingsOf(r.Context(), e.ID)
	if err != nil {
		return nil, err
	}
	p := &registrationPanel{Event: e, Settings: rs, Loc: e.Location()}
	if err := s.fillOwn(r.Context(), p, reg); err != nil {
		return nil, err
	}
	out := &apiRegistration{Registration: *reg, WaitingPosition: p.WaitingPos, OnlineURL: p.OnlineURL, PageURL: s.cfg.BaseURL + p.OwnURL}
	if !p.OnlineFrom.IsZero() {
		out.OnlineLinkFrom = &p.OnlineFrom
	}
	return out, nil
}

// writeOwnView answers with reg as its holder sees it.
func (s *Server) writeOwnView(w http.ResponseWriter, r *http.Request, e *store.Event, reg *store.Registration, status int) {
	out, err := s.apiOwnView(r, e, reg)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	writeJSON(w, status, out)
}

// ownRegistration loads the caller's active registration for the event
// of the path; it has answered when ok is false.
func (s *Server) ownRegistration(w http.ResponseWriter, r *http.Request) (*store.Event, *store.Registration, bool) {
	e, ok := s.eventFromRef(w, r)
	if !ok {
		return nil, nil, false
	}
	reg, err := s.store.OwnRegistration(r.Context(), e.ID, currentUser(r).ID)
	if errors.Is(err, store.ErrNotFound) {
		s.apiError(w, r, http.StatusNotFound, "not_registered", "registration_none")
		return nil, nil, false
	}
	if err != nil {
		s.serverError(w, r, err)
		return nil, nil, false
	}
	return e, reg, true
}

func (s *Server) apiOwnRegistration(w http.ResponseWriter, r *http.Request) {
	e, reg, ok := s.ownRegistration(w, r)
	if !ok {
		return
	}
	s.writeOwnView(w, r, e, reg, http.StatusOK)
}

type apiRegistrationInput struct {
	Organisation   string `json:"organisation"`
	Attendance     string `json:"attendance"`
	Interpretation string `json:"interpretation"`
	Accessibility  string `json:"accessibility"`
}

func (s *Server) apiRegister(w http.ResponseWriter, r *http.Request) {
	e, ok := s.eventFromRef(w, r)
	if !ok {
		return
	}
	var in apiRegistrationInput
	if !s.decodeJSON(w, r, &in) {
		return
	}
	ctx := r.Context()
	u := currentUser(r)
	rs, err := s.store.RegistrationSettingsOf(ctx, e.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	v := url.Values{"organisation": {in.Organisation}, "attendance": {in.Attendance}, "interpretation": {in.Interpretation}, "accessibility": {in.Accessibility}}
	f := &form{values: v, errors: map[string]string{}, l: s.localizer(r)}
	reg := readRegistrationForm(f, u, e, rs)
	reg.Locale = s.lang(r)
	if !f.ok() {
		s.apiValidation(w, r, f)
		return
	}
	err = s.store.Register(ctx, reg, store.RegistrantKindOf(u))
	switch {
	case errors.Is(err, store.ErrNotFound):
		s.notFound(w, r)
		return
	case errors.Is(err, store.ErrConflict):
		s.apiError(w, r, http.StatusConflict, "already_registered", "registration_error_double")
		return
	case errors.Is(err, store.ErrRegistrationDeadline):
		s.apiError(w, r, http.StatusConflict, "deadline_passed", "registration_closed_deadline")
		return
	case errors.Is(err, store.ErrRegistrationClosed):
		s.apiError(w, r, http.StatusConflict, "registration_closed", "registration_closed")
		return
	case errors.Is(err, store.ErrRegistrationNotOpen):
		s.apiError(w, r, http.StatusForbidden, "not_open_to_you", "registration_not_open")
		return
	case err != nil:
		s.serverError(w, r, err)
		return
	}
	s.mailer.wake()
	s.writeOwnView(w, r, e, reg, http.StatusCreated)
}

func (s *Server) apiCancelOwnRegistration(w http.ResponseWriter, r *http.Request) {
	e, reg, ok := s.ownRegistration(w, r)
	if !ok {
		return
	}
	reg, _, err := s.store.CancelRegistration(r.Context(), currentUser(r).ID, reg.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.mailer.wake()
	s.writeOwnView(w, r, e, reg, http.StatusOK)
}

func (s *Server) apiEventRegistrations(w http.ResponseWriter, r *http.Request) {
	e, ok := s.eventFromRef(w, r)
	if !ok {
		return
	}
	rows, counts, err := s.registrationList(r, e.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	type apiRow struct {
		store.Registration
		WaitingPosition int `json:"waiting_position,omitempty"`
	}
	out := make([]apiRow, len(rows))
	for i, row := range rows {
		out[i] = apiRow{Registration: row.Registration, WaitingPosition: row.WaitingPos}
	}
	writeJSON(w, http.StatusOK, map[string]any{"registrations": out, "counts": counts})
}

func (s *Server) apiCheckIn(w http.ResponseWriter, r *http.Request) {
	e, ok := s.eventFromRef(w, r)
	if !ok {
		return
	}
	reg, ok := s.eventRegistrationRow(w, r, e)
	if !ok {
		return
	}
	reg, already, err := s.store.CheckIn(r.Context(), currentUser(r).ID, reg.ID)
	switch {
	case errors.Is(err, store.ErrNotConfirmed):
		s.apiError(w, r, http.StatusConflict, "not_confirmed", "checkin_not_confirmed")
		return
	case err != nil:
		s.serverError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"registration": reg, "already_checked_in": already})
}
