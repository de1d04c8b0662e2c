package server

import (
	"errors"
	"net/http"

	"ideasx/store"
)

// Visitors register with a name and an address and hold their seat at
// once, as on Eventbrite: the confirmation mail carries the link to the
// registration's page (details, QR code, cancelling), and the page they
// land on after registering is the same. An address typed by someone else
// gets one mail it can cancel from, no more; registrations from one
// address are rate-limited, and one address holds one registration per
// meeting. The alternative, a seat only once the mailed link is opened,
// would leave seats held by people who never look at the mail.

// readRegistrationForm reads what a person registering answers; u is the
// person (nil: a visitor, who gives a name and an address).
func readRegistrationForm(f *form, u *store.User, e *store.Event, rs *store.RegistrationSettings) *store.Registration {
	reg := &store.Registration{EventID: e.ID}
	if u == nil || u.ID == 0 {
		reg.Name = f.text("name", true, 200)
		reg.Email = f.email("email")
	} else {
		id := u.ID
		reg.UserID, reg.Name, reg.Email = &id, u.Name, u.Email
		if u.Active() {
			reg.OrgKind, reg.Country = string(u.OrgKind), u.OrgCountry
		}
	}
	if rs.AskOrganisation {
		reg.Organisation = f.text("organisation", false, 200)
	}
	if rs.AskAttendance {
		reg.Attendance = f.choice("attendance", false, store.AttendInPerson, store.AttendOnline)
	}
	if rs.AskInterpretation {
		reg.Interpretation = f.choice("interpretation", false, "en", "fr", "es")
	}
	if rs.AskAccessibility {
		reg.Accessibility = f.multiline("accessibility", 1000)
	}
	return reg
}

// registerError puts a refused registration into words on the form; ok is
// false for errors that are not the person's (answered already).
func registerError(f *form, err error) bool {
	switch {
	case errors.Is(err, store.ErrConflict):
		f.fail("form", "registration_error_double")
	case errors.Is(err, store.ErrRegistrationDeadline):
		f.fail("form", "registration_closed_deadline")
	case errors.Is(err, store.ErrRegistrationNotOpen):
		f.fail("form", "registration_not_open")
	case errors.Is(err, store.ErrRegistrationClosed):
		f.fail("form", "registration_closed")
	default:
		return false
	}
	return true
}

func (s *Server) eventRegister(w http.ResponseWriter, r *http.Request) {
	e, ok := s.eventFromRef(w, r)
	if !ok {
		return
	}
	f := s.parseForm(w, r)
	if f == nil {
		return
	}
	ctx := r.Context()
	u := currentUser(r)
	panel, err := s.registrationPanelFor(ctx, u, e)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if panel == nil {
		s.notFound(w, r)
		return
	}
	reg := readRegistrationForm(f, u, e, panel.Settings)
	reg.Locale = s.lang(r)
	if f.ok() && panel.Visitor {
		if ok, _ := s.allow(r, s.limits.eventRegisterIP, s.clientIP(r)); !ok {
			f.fail("form", "error_rate_limited", "Count", 1)
		}
	}
	if f.ok() {
		err := s.store.Register(ctx, reg, store.RegistrantKindOf(u))
		switch {
		case err == nil:
			s.mailer.wake()
			page, err := s.registrationPageURL(ctx, reg.ID)
			if err != nil {
				s.serverError(w, r, err)
				return
			}
			flash := "flash_registered"
			if reg.Status == store.RegistrationWaiting {
				flash = "flash_registered_waiting"
			}
			s.redirectWithFlash(w, r, page, flash)
			return
		case errors.Is(err, store.ErrNotFound):
			s.notFound(w, r)
			return
		case !registerError(f, err):
			s.serverError(w, r, err)
			return
		}
	}
	v := s.newView(w, r, "registration_title")
	v.Form, v.Errors = f.values, f.errors
	v.Data = map[string]any{"Event": e, "Registration": panel}
	s.render(w, r, http.StatusUnprocessableEntity, "event_register", v)
}
