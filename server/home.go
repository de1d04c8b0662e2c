package server

import (
	"net/http"

	"ideasx/server/i18n"
	"ideasx/store"
)

func (s *Server) homeShow(w http.ResponseWriter, r *http.Request) {
	access := store.AccessFor(currentUser(r))
	docs, _, err := s.store.ListDocuments(r.Context(), store.DocFilter{Access: access, Limit: 4})
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	events, err := s.store.ListEvents(r.Context(), access, true, 3)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	dash, err := s.dashboard(r.Context())
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	v := s.newView(w, r, "home_title")
	v.Description = v.T("home_description")
	v.Data = map[string]any{"Documents": docs, "Events": events, "Dashboard": dash}
	s.render(w, r, http.StatusOK, "home", v)
}

// languageSave switches the interface language: for an account it is kept
// as its setting, for a visitor in a cookie. It is a form post so that it
// works without JavaScript and a link cannot change it behind one's back.
func (s *Server) languageSave(w http.ResponseWriter, r *http.Request) {
	f := s.parseForm(w, r)
	if f == nil {
		return
	}
	lang := i18n.ParseLang(f.values.Get("lang"))
	if lang == "" {
		s.fail(w, r, http.StatusBadRequest, "bad_language", "error_choice")
		return
	}
	http.SetCookie(w, &http.Cookie{Name: langCookie, Value: lang, Path: "/", MaxAge: 365 * 24 * 3600,
		HttpOnly: true, Secure: s.cfg.SecureCookies(), SameSite: http.SameSiteLaxMode})
	if u := currentUser(r); u != nil {
		if err := s.store.SetLocale(r.Context(), u.ID, lang); err != nil {
			s.serverError(w, r, err)
			return
		}
	}
	http.Redirect(w, r, returnPath(f.values.Get("next"), "/"), http.StatusSeeOther)
}
