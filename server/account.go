package server

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"ideasx/server/auth"
	"ideasx/server/i18n"
	"ideasx/store"
)

func (s *Server) accountShow(w http.ResponseWriter, r *http.Request) {
	v := s.newView(w, r, "account_title")
	s.renderAccount(w, r, v, http.StatusOK, "")
}

// renderAccount shows the settings page; newToken is shown once, right after it is made.
func (s *Server) renderAccount(w http.ResponseWriter, r *http.Request, v *view, status int, newToken string) {
	u := currentUser(r)
	tokens, err := s.store.APITokens(r.Context(), u.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if v.Form.Get("name") == "" {
		v.Form.Set("name", u.Name)
		v.Form.Set("locale", u.Locale)
		v.Form.Set("time_zone", u.TimeZone)
	}
	v.Data = map[string]any{"Tokens": tokens, "NewToken": newToken, "Country": countryName(v.Lang(), u.OrgCountry),
		"CommonZones": commonZones, "ZoneExample": v.DateTime(time.Now(), v.Zone)}
	s.render(w, r, status, "account", v)
}

func (s *Server) profileSave(w http.ResponseWriter, r *http.Request) {
	f := s.parseForm(w, r)
	if f == nil {
		return
	}
	name := f.text("name", true, 100)
	locale := f.choice("locale", false, i18n.Languages...)
	zone := f.timeZone("time_zone")
	if !f.ok() {
		v := s.newView(w, r, "account_title")
		v.Form, v.Errors = f.values, f.errors
		s.renderAccount(w, r, v, http.StatusUnprocessableEntity, "")
		return
	}
	if err := s.store.SaveProfile(r.Context(), currentUser(r).ID, name, locale, zone); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.redirectWithFlash(w, r, "/account", "flash_profile_saved")
}

func (s *Server) passwordSave(w http.ResponseWriter, r *http.Request) {
	f := s.parseForm(w, r)
	if f == nil {
		return
	}
	u := currentUser(r)
	if auth.CheckPassword(u.PasswordHash, f.values.Get("current_password")) != nil {
		f.fail("current_password", "error_current_password")
	}
	password := f.newPassword("new_password", "new_password_confirm")
	if !f.ok() {
		v := s.newView(w, r, "account_title")
		v.Errors = f.errors
		s.renderAccount(w, r, v, http.StatusUnprocessableEntity, "")
		return
	}
	hash, err := auth.HashPassword(password)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	// Other sessions end and every API token is revoked: whoever might have
	// had the old password, or a token made with it, is shut out.
	if err := s.store.SetPassword(r.Context(), u.ID, hash, state(r).sessionID); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.redirectWithFlash(w, r, "/account", "flash_password_changed")
}

// maxTokenName is the longest name a token may be given.
const maxTokenName = 60

// tokenCreate makes a token from the account page; the route takes only a
// browser session (sessionOnly), never a token.
func (s *Server) tokenCreate(w http.ResponseWriter, r *http.Request) {
	f := s.parseForm(w, r)
	if f == nil {
		return
	}
	name := f.text("token_name", true, maxTokenName)
	v := s.newView(w, r, "account_title")
	if !f.ok() {
		v.Errors = f.errors
		s.renderAccount(w, r, v, http.StatusUnprocessableEntity, "")
		return
	}
	plain, hash := auth.NewToken(auth.APITokenPrefix)
	if _, err := s.store.CreateAPIToken(r.Context(), currentUser(r).ID, name, hash); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.renderAccount(w, r, v, http.StatusOK, plain)
}

func (s *Server) tokenRevoke(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		s.notFound(w, r)
		return
	}
	tokens, err := s.store.APITokens(r.Context(), currentUser(r).ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	// Only a live token of one's own is asked about; anything else is the
	// same 404 as before, confirmed or not.
	for _, t := range tokens {
		if t.ID == id && t.RevokedAt == nil {
			l := s.localizer(r)
			details := []confirmDetail{{l.T("field_token_name"), t.Name}, {l.T("created"), l.Date(t.CreatedAt)}}
			if !s.confirmed(w, r, confirmation{Question: "confirm_token_revoke", Effect: "confirm_token_revoke_effect",
				Button: "confirm_token_revoke_button", Details: details, Back: "/account"}) {
				return
			}
		}
	}
	err = s.store.RevokeAPIToken(r.Context(), currentUser(r).ID, id)
	if errors.Is(err, store.ErrNotFound) {
		s.notFound(w, r)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.redirectWithFlash(w, r, "/account", "flash_token_revoked")
}
