package server

import (
	"context"
	"errors"
	"net/http"
	"time"

	"ideasx/store"
)

// registrationPanel is what the meeting page shows about registering
// (frontend/templates/layout/registration.html).
type registrationPanel struct {
	Event    *store.Event
	Settings *store.RegistrationSettings
	Counts   store.RegistrationCounts
	// SeatsLeft is -1 without a limit.
	SeatsLeft int
	// Open: the reader may register now; else ClosedID says why.
	Open     bool
	ClosedID string
	// SignInHint: closed to visitors, open to accounts.
	SignInHint bool
	// Visitor: the form asks for a name and an address.
	Visitor bool
	// Own is the reader's registration, with its page and what it reveals.
	Own        *store.Registration
	OwnURL     string
	WaitingPos int
	OnlineURL  string
	// OnlineFrom is when the link appears (zero when shown or none).
	OnlineFrom time.Time
	Loc        *time.Location
	Organiser  bool
}

// addRegistration puts the registration panel of e into the meeting
// page's data, when registration is on for it (or the reader organises it).
func (s *Server) addRegistration(r *http.Request, e *store.Event, data map[string]any) error {
	panel, err := s.registrationPanelFor(r.Context(), currentUser(r), e)
	if err != nil || panel == nil {
		return err
	}
	data["Registration"] = panel
	return nil
}

func (s *Server) registrationPanelFor(ctx context.Context, u *store.User, e *store.Event) (*registrationPanel, error) {
	rs, err := s.store.RegistrationSettingsOf(ctx, e.ID)
	if err != nil {
		return nil, err
	}
	organiser := u.IsModerator()
	if !rs.Enabled && !organiser {
		return nil, nil
	}
	counts, err := s.store.CountRegistrations(ctx, e.ID)
	if err != nil {
		return nil, err
	}
	p := &registrationPanel{Event: e, Settings: rs, Counts: counts, SeatsLeft: -1, Organiser: organiser, Loc: e.Location()}
	if rs.Capacity > 0 {
		p.SeatsLeft = max(rs.Capacity-counts.Confirmed, 0)
	}
	if u != nil && u.ID != 0 {
		own, err := s.store.OwnRegistration(ctx, e.ID, u.ID)
		switch {
		case errors.Is(err, store.ErrNotFound):
		case err != nil:
			return nil, err
		default:
			if err := s.fillOwn(ctx, p, own); err != nil {
				return nil, err
			}
		}
	}
	kind := store.RegistrantKindOf(u)
	now := s.store.Now()
	switch {
	case !rs.Enabled:
		p.ClosedID = "registration_off"
	case e.CancelledAt != nil:
		p.ClosedID = "registration_closed_cancelled"
	case !now.Before(e.StartsAt):
		p.ClosedID = "registration_closed_started"
	case rs.Deadline != nil && now.After(*rs.Deadline):
		p.ClosedID = "registration_closed_deadline"
	case !rs.OpenTo(kind):
		p.ClosedID = "registration_not_open"
		p.SignInHint = kind == store.RegistrantVisitor && (u == nil || u.ID == 0) && (rs.OpenBusinesses || rs.OpenMembers)
	default:
		p.Open = p.Own == nil
	}
	p.Visitor = u == nil || u.ID == 0
	return p, nil
}

// fillOwn adds a registration and what its holder may see to p.
func (s *Server) fillOwn(ctx context.Context, p *registrationPanel, own *store.Registration) error {
	p.Own = own
	url, err := s.registrationPageURL(ctx, own.ID)
	if err != nil {
		return err
	}
	p.OwnURL = url
	if p.WaitingPos, err = s.store.WaitingPosition(ctx, own); err != nil {
		return err
	}
	p.OnlineURL, p.OnlineFrom, err = s.revealedLink(ctx, p.Event, p.Settings, own)
	return err
}

// revealedLink is the online link for reg when its holder may see it now,
// else (when there is one) when they will, in the meeting's zone.
func (s *Server) revealedLink(ctx context.Context, e *store.Event, rs *store.RegistrationSettings, reg *store.Registration) (link string, from time.Time, err error) {
	if reg.Status != store.RegistrationConfirmed || e.CancelledAt != nil {
		return "", time.Time{}, nil
	}
	link, err = s.store.EventOnlineURL(ctx, e.ID)
	if err != nil || link == "" {
		return "", time.Time{}, err
	}
	if at := rs.LinkRevealAt(e); s.store.Now().Before(at) {
		return "", at, nil
	}
	return link, time.Time{}, nil
}

// registrationRoutes: registering for a meeting, a registration's own
// page (signed link), check-in at the door, the organisers' pages, and
// the public figures.
func (s *Server) registrationRoutes(mux *routeTable) {
	mux.HandleFunc("POST /events/{ref}/register", s.eventRegister)
	mux.HandleFunc("GET /events/figures", s.eventFiguresShow)
	mux.HandleFunc("GET /registrations/{token}", s.registrationShow)
	mux.HandleFunc("POST /registrations/{token}/cancel", s.registrationCancel)
	mux.HandleFunc("GET /registrations/{token}/qr.png", s.registrationQR)
	mux.HandleFunc("GET /registrations/{token}/invite.ics", s.registrationInvite)
	mux.Handle("GET /checkin/{token}", s.moderator(s.checkInShow))
	mux.Handle("POST /checkin/{token}", s.moderator(s.checkInSave))
	mux.Handle("GET /moderation/events/{id}/registrations", s.moderator(s.eventRegistrationsShow))
	mux.Handle("GET /moderation/events/{id}/registrations.csv", s.moderator(s.eventRegistrationsCSV))
	mux.Handle("GET /moderation/events/{id}/registrations/sheet", s.moderator(s.eventSignInSheet))
	mux.Handle("POST /moderation/events/{id}/registration-settings", s.moderator(s.eventRegistrationSettingsSave))
	mux.Handle("POST /moderation/events/{id}/registrations/message", s.moderator(s.eventRegistrantsMessage))
	mux.Handle("POST /moderation/events/{id}/registrations/{rid}/checkin", s.moderator(s.eventRegistrationCheckIn))
	mux.Handle("POST /moderation/events/{id}/registrations/{rid}/cancel", s.moderator(s.eventRegistrationCancelByOrganiser))
	mux.Handle("POST /moderation/events/{id}/cancel", s.moderator(s.eventCancel))
}
