package server

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"ideasx/store"
)

// The organisers' registration settings of a meeting (who may register,
// deadline, seats, questions, when the online link appears), as on
// /moderation/events/{id}/registrations: same rights, same checks (the
// page's readSettingsForm), same audit entry (the store's).

// apiRegistrationSettings is the settings as a client reads them.
type apiRegistrationSettings struct {
	store.RegistrationSettings
	// Timezone is the meeting's, in which a local deadline is read.
	Timezone string `json:"timezone"`
}

// apiRegistrationSettingsInput replaces all the settings. Deadline is
// either a time with its offset (RFC 3339, as GET answers) or a local
// "2006-01-02T15:04" in the meeting's zone, as the page takes it; capacity
// and link_reveal_minutes left out mean no limit and the default.
type apiRegistrationSettingsInput struct {
	Enabled           bool    `json:"enabled"`
	OpenVisitors      bool    `json:"open_visitors"`
	OpenBusinesses    bool    `json:"open_businesses"`
	OpenMembers       bool    `json:"open_members"`
	Deadline          *string `json:"deadline"`
	Capacity          *int    `json:"capacity"`
	AskOrganisation   bool    `json:"ask_organisation"`
	AskAttendance     bool    `json:"ask_attendance"`
	AskInterpretation bool    `json:"ask_interpretation"`
	AskAccessibility  bool    `json:"ask_accessibility"`
	LinkRevealMinutes *int    `json:"link_reveal_minutes"`
}

func (s *Server) apiRegistrationSettingsShow(w http.ResponseWriter, r *http.Request) {
	e, ok := s.eventFromRef(w, r)
	if !ok {
		return
	}
	rs, err := s.store.RegistrationSettingsOf(r.Context(), e.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, apiRegistrationSettings{RegistrationSettings: *rs, Timezone: e.Timezone})
}

// settingsFormValues are in as the page's form would send them.
func settingsFormValues(in *apiRegistrationSettingsInput, e *store.Event) url.Values {
	v := url.Values{}
	for name, on := range map[string]bool{"enabled": in.Enabled, "open_visitors": in.OpenVisitors, "open_businesses": in.OpenBusinesses,
		"open_members": in.OpenMembers, "ask_organisation": in.AskOrganisation, "ask_attendance": in.AskAttendance,
		"ask_interpretation": in.AskInterpretation, "ask_accessibility": in.AskAccessibility} {
		if on {
			v.Set(name, "1")
		}
	}
	if in.Deadline != nil {
		d := *in.Deadline
		if t, err := time.Parse(time.RFC3339, d); err == nil {
			d = t.In(e.Location()).Format("2006-01-02T15:04")
		}
		v.Set("deadline", d)
	}
	if in.Capacity != nil {
		v.Set("capacity", strconv.Itoa(*in.Capacity))
	}
	if in.LinkRevealMinutes != nil {
		v.Set("link_reveal_minutes", strconv.Itoa(*in.LinkRevealMinutes))
	}
	return v
}

func (s *Server) apiRegistrationSettingsSave(w http.ResponseWriter, r *http.Request) {
	e, ok := s.eventFromRef(w, r)
	if !ok {
		return
	}
	var in apiRegistrationSettingsInput
	if !s.decodeJSON(w, r, &in) {
		return
	}
	f := &form{values: settingsFormValues(&in, e), errors: map[string]string{}, l: s.localizer(r)}
	rs := readSettingsForm(f, e)
	if !s.savedForm(w, r, f, func() error { return s.saveRegistrationSettings(r, f, rs) },
		func() { s.apiRegistrationSettingsShow(w, r) }) {
		s.apiValidation(w, r, f)
	}
}
