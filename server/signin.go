package server

import (
	"errors"
	"math"
	"net/http"
	"strconv"
	"time"

	"ideasx/server/auth"
	"ideasx/server/ratelimit"
	"ideasx/store"
)

func (s *Server) signinShow(w http.ResponseWriter, r *http.Request) {
	if u := currentUser(r); u != nil {
		http.Redirect(w, r, returnPath(r.URL.Query().Get("next"), landing(u)), http.StatusSeeOther)
		return
	}
	v := s.newView(w, r, "signin_title")
	// No page asked for stays empty: where to land depends on who signs in.
	v.Form.Set("next", returnPath(r.URL.Query().Get("next"), ""))
	s.render(w, r, http.StatusOK, "signin", v)
}

func (s *Server) signinSave(w http.ResponseWriter, r *http.Request) {
	f := s.parseForm(w, r)
	if f == nil {
		return
	}
	v := s.newView(w, r, "signin_title")
	v.Form = f.values
	email := store.NormalizeEmail(f.values.Get("email"))
	password := f.values.Get("password")
	if email == "" || password == "" {
		f.fail("form", "error_signin_missing")
		v.Errors = f.errors
		s.render(w, r, http.StatusUnprocessableEntity, "signin", v)
		return
	}
	// Both limits are checked before the password, and the per-account one
	// is keyed on the address typed, known or not, so it reveals nothing.
	if ok, wait := s.allow(r, s.limits.signinIP, s.clientIP(r)); !ok {
		s.tooMany(w, r, v, "signin", wait)
		return
	}
	if ok, wait := s.allow(r, s.limits.signinAccount, email); !ok {
		s.tooMany(w, r, v, "signin", wait)
		return
	}
	u, err := s.store.UserByEmail(r.Context(), email)
	switch {
	case errors.Is(err, store.ErrNotFound):
		auth.WasteTime(password)
		f.fail("form", "error_signin_failed")
	case err != nil:
		s.serverError(w, r, err)
		return
	case auth.CheckPassword(u.PasswordHash, password) != nil:
		f.fail("form", "error_signin_failed")
	case u.Status == store.StatusSuspended:
		f.fail("form", "error_account_suspended")
	}
	if !f.ok() {
		v.Errors = f.errors
		s.render(w, r, http.StatusUnprocessableEntity, "signin", v)
		return
	}
	if err := s.startSession(w, r, u); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.log.InfoContext(r.Context(), "signed in", "user_id", u.ID)
	http.Redirect(w, r, returnPath(f.values.Get("next"), landing(u)), http.StatusSeeOther)
}

// allow takes a token from lim for key, logging a refusal.
func (s *Server) allow(r *http.Request, lim *ratelimit.Limiter, key string) (bool, time.Duration) {
	ok, wait := lim.Allow(key)
	if !ok {
		s.log.WarnContext(r.Context(), "rate limited", "path", r.URL.Path, "ip", s.clientIP(r))
	}
	return ok, wait
}

// tooMany re-shows the form with a message saying how long to wait.
func (s *Server) tooMany(w http.ResponseWriter, r *http.Request, v *view, page string, wait time.Duration) {
	minutes := int(math.Ceil(wait.Minutes()))
	w.Header().Set("Retry-After", formatSeconds(wait))
	v.Errors["form"] = v.T("error_rate_limited", "Count", minutes)
	s.render(w, r, http.StatusTooManyRequests, page, v)
}

func formatSeconds(d time.Duration) string { return strconv.Itoa(int(math.Ceil(d.Seconds()))) }

func (s *Server) signout(w http.ResponseWriter, r *http.Request) {
	if id := state(r).sessionID; id != "" {
		if err := s.store.DeleteSession(r.Context(), id); err != nil {
			s.serverError(w, r, err)
			return
		}
	}
	s.clearSessionCookie(w)
	// Drafts of posts are kept in the browser (editor.js): on a shared
	// computer the next person must not find them. Storage only, not
	// the cache: clearing the cache can hold the page up for seconds.
	w.Header().Set("Clear-Site-Data", `"storage"`)
	s.redirectWithFlash(w, r, "/", "flash_signed_out")
}
