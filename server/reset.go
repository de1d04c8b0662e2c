package server

import (
	"errors"
	"net/http"
	"time"

	"ideasx/server/auth"
	"ideasx/server/i18n"
	"ideasx/store"
)

const resetLinkTTL = time.Hour

func (s *Server) resetRequestShow(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "reset_request", s.newView(w, r, "reset_title"))
}

// resetRequestSave mails a reset link when the address has an account, and
// says the same thing either way.
func (s *Server) resetRequestSave(w http.ResponseWriter, r *http.Request) {
	f := s.parseForm(w, r)
	if f == nil {
		return
	}
	v := s.newView(w, r, "reset_title")
	v.Form = f.values
	email := f.email("email")
	if !f.ok() {
		v.Errors = f.errors
		s.render(w, r, http.StatusUnprocessableEntity, "reset_request", v)
		return
	}
	if ok, wait := s.allow(r, s.limits.resetIP, s.clientIP(r)); !ok {
		s.tooMany(w, r, v, "reset_request", wait)
		return
	}
	// The per-address limit is silent: telling would reveal the account.
	if ok, _ := s.limits.resetAccount.Allow(email); ok {
		if err := s.mailResetLink(r, email); err != nil {
			s.serverError(w, r, err)
			return
		}
	}
	done := s.newView(w, r, "reset_title")
	done.Data = map[string]any{"Email": email}
	s.render(w, r, http.StatusOK, "reset_sent", done)
}

func (s *Server) mailResetLink(r *http.Request, email string) error {
	u, err := s.store.UserByEmail(r.Context(), email)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if u.Status == store.StatusSuspended {
		return nil
	}
	plain, hash := auth.NewToken("")
	// The account's language if it has one, else the page's the request
	// came from (an account made by invitation or import may have none).
	lang := u.Locale
	if !i18n.Supported(lang) {
		lang = s.lang(r)
	}
	m, err := s.accountMail(s.tr.For(lang), u.Email, u.Name, "reset", "mail_reset_subject",
		map[string]any{"URL": s.cfg.BaseURL + "/reset/" + plain, "Minutes": int(resetLinkTTL.Minutes())})
	if err != nil {
		return err
	}
	if err := s.store.CreatePasswordReset(r.Context(), u.ID, hash, resetLinkTTL, m); err != nil {
		return err
	}
	s.mailer.wake()
	return nil
}

func (s *Server) resetShow(w http.ResponseWriter, r *http.Request) {
	ok, err := s.store.PasswordResetValid(r.Context(), auth.HashToken(r.PathValue("token")))
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if !ok {
		s.fail(w, r, http.StatusGone, "link_expired", "error_link_expired")
		return
	}
	s.render(w, r, http.StatusOK, "reset", s.newView(w, r, "reset_choose_title"))
}

func (s *Server) resetSave(w http.ResponseWriter, r *http.Request) {
	f := s.parseForm(w, r)
	if f == nil {
		return
	}
	password := f.newPassword("password", "password_confirm")
	if !f.ok() {
		v := s.newView(w, r, "reset_choose_title")
		v.Errors = f.errors
		s.render(w, r, http.StatusUnprocessableEntity, "reset", v)
		return
	}
	hash, err := auth.HashPassword(password)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	u, err := s.store.ResetPassword(r.Context(), auth.HashToken(r.PathValue("token")), hash)
	if errors.Is(err, store.ErrExpired) {
		s.fail(w, r, http.StatusGone, "link_expired", "error_link_expired")
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.log.InfoContext(r.Context(), "password reset", "user_id", u.ID)
	s.redirectWithFlash(w, r, "/signin", "flash_password_reset")
}
