package server

import (
	"errors"
	"net/http"

	"ideasx/server/auth"
	"ideasx/store"
)

// registrationKinds are the organisation kinds a person may claim when
// asking for an account; the secretariat's accounts come by invitation.
var registrationKinds = []string{string(store.OrgBusiness), string(store.OrgMember), string(store.OrgObserver)}

func (s *Server) registerShow(w http.ResponseWriter, r *http.Request) {
	v := s.newView(w, r, "register_title")
	v.Data = s.registerData(r)
	s.render(w, r, http.StatusOK, "register", v)
}

func (s *Server) registerData(r *http.Request) map[string]any {
	return map[string]any{"Countries": countries(s.lang(r)), "Kinds": registrationKinds, "Sizes": store.SizeClasses}
}

// registerSave creates a pending account. Whether the address was already
// registered is never shown on the page (that would tell anyone who has an
// account); the owner of the address is told by e-mail instead.
func (s *Server) registerSave(w http.ResponseWriter, r *http.Request) {
	f := s.parseForm(w, r)
	if f == nil {
		return
	}
	v := s.newView(w, r, "register_title")
	v.Form = f.values
	v.Data = s.registerData(r)
	name := f.text("name", true, 100)
	email := f.email("email")
	password := f.newPassword("password", "password_confirm")
	org := store.Organisation{
		Name:    f.text("organisation", true, 150),
		Kind:    store.OrgKind(f.choice("org_kind", true, registrationKinds...)),
		Country: f.country("country", true),
		Sector:  f.text("sector", false, 100),
	}
	if org.Kind == store.OrgBusiness {
		org.SizeClass = f.choice("size_class", true, store.SizeClasses...)
	}
	if !f.ok() {
		v.Errors = f.errors
		s.render(w, r, http.StatusUnprocessableEntity, "register", v)
		return
	}
	if ok, wait := s.allow(r, s.limits.registerIP, s.clientIP(r)); !ok {
		s.tooMany(w, r, v, "register", wait)
		return
	}
	hash, err := auth.HashPassword(password)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	l := s.localizer(r)
	welcome, err := s.accountMail(l, email, name, "register", "mail_register_subject", map[string]string{"SigninURL": s.cfg.BaseURL + "/signin"})
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	// The organisation's kind and country are a claim: naming an existing
	// organisation asks to join it, and a new one is a business until a
	// moderator confirms the kind (README, "Organisations").
	_, err = s.store.RegisterUser(r.Context(), store.NewUser{
		Email: email, Name: name, Role: store.RolePending, Status: store.StatusPending, Locale: l.Lang(), PasswordHash: hash,
		TimeZone: guessedZone(f),
	}, org, welcome)
	switch {
	case errors.Is(err, store.ErrConflict):
		existing, lookupErr := s.store.UserByEmail(r.Context(), email)
		if ok, _ := s.limits.registerAccount.Allow(email); ok && lookupErr == nil {
			s.queueMailAgain(r, existing)
		}
	case err != nil:
		s.serverError(w, r, err)
		return
	}
	s.mailer.wake()
	done := s.newView(w, r, "register_done_title")
	done.Data = map[string]any{"Email": email}
	s.render(w, r, http.StatusOK, "register_done", done)
}

// queueMailAgain tells the owner of an address that someone tried to
// register it again; nothing else is written, so the mail is queued alone.
func (s *Server) queueMailAgain(r *http.Request, existing *store.User) {
	m, err := s.accountMail(s.tr.For(existing.Locale), existing.Email, existing.Name, "existing_account", "mail_register_again_subject",
		map[string]string{"ResetURL": s.cfg.BaseURL + "/reset", "SigninURL": s.cfg.BaseURL + "/signin"})
	if err == nil {
		err = s.store.QueueAccountMail(r.Context(), m)
	}
	if err != nil {
		s.log.ErrorContext(r.Context(), "mail to an address registering again", "error", err)
	}
}
