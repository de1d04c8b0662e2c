package server

import (
	"net/http"

	"ideasx/store"
)

// apiNotificationPrefs are one's notification settings: a channel for each
// kind one may set (the moderators' own kinds only for moderators) and how
// often the digest comes.
type apiNotificationPrefs struct {
	Channels map[store.NotificationKind]store.Channel `json:"channels"`
	Digest   string                                   `json:"digest"`
}

// writePrefs answers with me's settings as they now are.
func (s *Server) writePrefs(w http.ResponseWriter, r *http.Request, me *store.User) {
	prefs, err := s.store.Prefs(r.Context(), me.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	out := apiNotificationPrefs{Channels: map[store.NotificationKind]store.Channel{}, Digest: prefs.Digest}
	for _, k := range notificationKinds(me) {
		out.Channels[k] = prefs.Channels[k]
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) apiNotificationPrefs(w http.ResponseWriter, r *http.Request) {
	s.writePrefs(w, r, currentUser(r))
}

// apiNotificationPrefsSave changes some settings; what is left out keeps
// its value, as on the page.
func (s *Server) apiNotificationPrefsSave(w http.ResponseWriter, r *http.Request) {
	me := currentUser(r)
	var in struct {
		Channels map[string]string `json:"channels"`
		Digest   *string           `json:"digest"`
	}
	if !s.decodeJSON(w, r, &in) {
		return
	}
	f := s.apiForm(r, nil)
	if in.Digest != nil {
		f.values.Set("digest", orMistake(*in.Digest))
	}
	props := map[string]string{}
	for _, k := range notificationKinds(me) {
		props["channel_"+string(k)] = "channels." + string(k)
	}
	for k, c := range in.Channels {
		if _, ok := props["channel_"+k]; !ok {
			// A kind that does not exist, or that is not the caller's to set.
			f.fail("channels."+k, "error_choice")
			continue
		}
		f.values.Set("channel_"+k, orMistake(c))
	}
	chosen, digest := readPrefs(f.as(props), me)
	if !f.ok() {
		s.apiValidation(w, r, f)
		return
	}
	if err := s.store.SetPrefs(r.Context(), me.ID, chosen, digest); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.writePrefs(w, r, me)
}

// orMistake keeps an empty value sent in JSON from reading as a choice
// left out: the page's form sends an empty one for "keep", a client that
// sends "" has made a mistake.
func orMistake(v string) string {
	if v == "" {
		return "-"
	}
	return v
}
