package server

import (
	"net/http"
	"time"
)

func (s *Server) notificationAPIRoutes(mux *routeTable) {
	s.api(mux, "GET /api/v1/notifications", s.signedIn(s.apiNotifications))
	s.api(mux, "POST /api/v1/notifications/read", s.signedIn(s.apiNotificationsRead))
}

type apiNotification struct {
	ID        int64     `json:"id"`
	Kind      string    `json:"kind"`
	Text      string    `json:"text"`
	Excerpt   string    `json:"excerpt,omitempty"`
	URL       string    `json:"url,omitempty"`
	Unread    bool      `json:"unread"`
	CreatedAt time.Time `json:"created_at"`
}

// apiNotifications lists the caller's notifications as the centre shows
// them (the same rights and attribution), unread first.
func (s *Server) apiNotifications(w http.ResponseWriter, r *http.Request) {
	me := currentUser(r)
	list, err := s.store.Notifications(r.Context(), me.ID, notificationsPerPage, 0)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	l := s.localizer(r)
	out := make([]apiNotification, len(list))
	for i := range list {
		item := s.notificationItem(r.Context(), me, l, &list[i])
		out[i] = apiNotification{ID: item.ID, Kind: string(item.Kind), Text: item.Text, Excerpt: item.Excerpt, Unread: item.Unread, CreatedAt: item.CreatedAt}
		if item.Link != "" {
			out[i].URL = s.cfg.BaseURL + item.Link
		}
	}
	unread, err := s.store.UnreadNotifications(r.Context(), me.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"notifications": out, "unread": unread})
}

// apiNotificationsRead marks one notification ({"id": N}) or all ({}) as read.
func (s *Server) apiNotificationsRead(w http.ResponseWriter, r *http.Request) {
	var in struct {
		ID int64 `json:"id"`
	}
	if !s.decodeJSON(w, r, &in) {
		return
	}
	if in.ID < 0 {
		s.apiError(w, r, http.StatusUnprocessableEntity, "invalid_id", "error_choice")
		return
	}
	me := currentUser(r)
	if err := s.store.MarkNotificationsRead(r.Context(), me.ID, in.ID); err != nil {
		s.serverError(w, r, err)
		return
	}
	n, err := s.store.UnreadNotifications(r.Context(), me.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"unread": n})
}
