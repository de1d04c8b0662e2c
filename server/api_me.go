package server

import (
	"net/http"
	"net/url"

	"ideasx/server/i18n"
)

// apiMeInput is what PATCH /api/v1/me may change, as the account page's
// profile form does; a property left out keeps its value.
type apiMeInput struct {
	Name     *string `json:"name"`
	Locale   *string `json:"locale"`
	TimeZone *string `json:"time_zone"`
}

// apiMeUpdate changes one's own name, language or time zone with the
// account page's checks; errors name the JSON property.
func (s *Server) apiMeUpdate(w http.ResponseWriter, r *http.Request) {
	u := currentUser(r)
	var in apiMeInput
	if !s.decodeJSON(w, r, &in) {
		return
	}
	v := url.Values{"name": {u.Name}, "locale": {u.Locale}, "time_zone": {u.TimeZone}}
	for field, p := range map[string]*string{"name": in.Name, "locale": in.Locale, "time_zone": in.TimeZone} {
		if p != nil {
			v.Set(field, *p)
		}
	}
	f := &form{values: v, errors: map[string]string{}, l: s.localizer(r)}
	name := f.text("name", true, 100)
	locale := f.choice("locale", false, i18n.Languages...)
	zone := f.timeZone("time_zone")
	if !f.ok() {
		s.apiValidation(w, r, f)
		return
	}
	if err := s.store.SaveProfile(r.Context(), u.ID, name, locale, zone); err != nil {
		s.serverError(w, r, err)
		return
	}
	me, err := s.store.UserByID(r.Context(), u.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if locale == "" {
		locale = s.lang(r)
	}
	writeJSON(w, http.StatusOK, toAPIUser(me, locale))
}
