package server

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"ideasx/server/auth"
	"ideasx/store"
)

const (
	sessionCookie = "ideasx_session"
	// Sessions slide forward on use, but the write is skipped when the last
	// one is this recent, so that reading pages does not write every time.
	sessionTouchEvery = 5 * time.Minute
)

// authenticate finds the account behind a bearer token or the session cookie.
func (s *Server) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		st := state(r)
		if authz := r.Header.Get("Authorization"); authz != "" {
			token, ok := strings.CutPrefix(authz, "Bearer ")
			if !ok || token == "" {
				s.apiError(w, r, http.StatusUnauthorized, "unauthorized", "error_bad_authorization")
				return
			}
			hash := auth.HashToken(strings.TrimSpace(token))
			u, err := s.store.UserByAPIToken(r.Context(), hash)
			if errors.Is(err, store.ErrNotFound) {
				s.apiError(w, r, http.StatusUnauthorized, "unauthorized", "error_bad_token")
				return
			}
			if err != nil {
				s.serverError(w, r, err)
				return
			}
			st.user, st.viaToken, st.tokenHash = u, true, hash
			next.ServeHTTP(w, r)
			return
		}
		if c, err := r.Cookie(sessionCookie); err == nil && c.Value != "" {
			id := auth.HashToken(c.Value)
			sess, u, err := s.store.SessionUser(r.Context(), id)
			switch {
			case err == nil:
				st.user, st.sessionID = u, id
				if time.Since(sess.LastSeenAt) > sessionTouchEvery {
					if err := s.store.TouchSession(r.Context(), id, s.cfg.SessionTTL); err != nil {
						s.log.WarnContext(r.Context(), "touch session", "error", err)
					}
				}
			case errors.Is(err, store.ErrNotFound):
				s.clearSessionCookie(w)
			default:
				s.serverError(w, r, err)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// startSession signs u in on a brand-new session id: whatever id the browser
// held before is dropped, so a planted cookie cannot be carried into the account.
func (s *Server) startSession(w http.ResponseWriter, r *http.Request, u *store.User) error {
	if old := state(r).sessionID; old != "" {
		_ = s.store.DeleteSession(r.Context(), old)
	}
	plain, hash := auth.NewToken("")
	if err := s.store.CreateSession(r.Context(), hash, u.ID, s.cfg.SessionTTL, s.clientIP(r), r.UserAgent()); err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{
		Name: sessionCookie, Value: plain, Path: "/", MaxAge: int(s.cfg.SessionTTL.Seconds()),
		HttpOnly: true, Secure: s.cfg.SecureCookies(), SameSite: http.SameSiteLaxMode,
	})
	st := state(r)
	st.user, st.sessionID = u, hash
	return nil
}

func (s *Server) clearSessionCookie(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: s.cfg.SecureCookies(), SameSite: http.SameSiteLaxMode})
}

// signedIn lets through any signed-in account; others are sent to sign in.
func (s *Server) signedIn(h http.HandlerFunc) http.Handler {
	return s.require(func(*store.User) bool { return true }, h)
}

// moderator lets through active moderators and admins.
func (s *Server) moderator(h http.HandlerFunc) http.Handler {
	return s.require((*store.User).IsModerator, h)
}

// admin lets through active admins.
func (s *Server) admin(h http.HandlerFunc) http.Handler {
	return s.require((*store.User).IsAdmin, h)
}

func (s *Server) require(allowed func(*store.User) bool, h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u := currentUser(r)
		if u == nil {
			if isAPI(r) {
				s.apiError(w, r, http.StatusUnauthorized, "unauthorized", "error_signin_required")
				return
			}
			http.Redirect(w, r, "/signin?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
			return
		}
		if !allowed(u) {
			s.fail(w, r, http.StatusForbidden, "forbidden", "error_forbidden")
			return
		}
		h(w, r)
	})
}
