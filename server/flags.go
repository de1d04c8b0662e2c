package server

import (
	"errors"
	"net/http"
	"strings"

	"ideasx/server/markdown"
	"ideasx/store"
)

var flagReasons = []string{"spam", "offensive", "off_topic", "confidential", "other"}

// postFlag reports a post to the moderators.
func (s *Server) postFlag(w http.ResponseWriter, r *http.Request) {
	p, t, ok := s.loadPost(w, r)
	if !ok {
		return
	}
	f := s.parseForm(w, r)
	if f == nil {
		return
	}
	reason := f.choice("reason", true, flagReasons...)
	if note := f.text("note", false, 500); note != "" && reason != "" {
		reason += ": " + note
	}
	if !f.ok() {
		s.fail(w, r, http.StatusUnprocessableEntity, "invalid_reason", "error_flag_reason")
		return
	}
	err := s.store.FlagPost(r.Context(), currentUser(r), p.ID, reason)
	switch {
	case errors.Is(err, store.ErrConflict):
		s.redirectWithFlash(w, r, postAnchor(t, p), "flash_flag_already")
	case errors.Is(err, store.ErrNotFound):
		s.notFound(w, r)
	case err != nil:
		s.serverError(w, r, err)
	default:
		s.redirectWithFlash(w, r, postAnchor(t, p), "flash_flag_sent")
	}
}

type flagView struct {
	store.Flag
	Excerpt   string
	ThreadURL string
	// ReasonText is the reason in the reader's language, with the reporter's note.
	ReasonText string
}

func (s *Server) flagQueue(w http.ResponseWriter, r *http.Request) {
	flags, err := s.store.OpenFlags(r.Context())
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	v := s.newView(w, r, "flags_title")
	views := make([]flagView, len(flags))
	for i, f := range flags {
		t := store.Thread{ID: f.ThreadID, Title: f.ThreadTitle}
		views[i] = flagView{Flag: f, Excerpt: markdown.Excerpt(f.PostBody, 300), ThreadURL: postAnchor(&t, &store.Post{ID: f.PostID}), ReasonText: f.Reason}
		reason, note, _ := strings.Cut(f.Reason, ": ")
		for _, known := range flagReasons {
			if reason == known {
				views[i].ReasonText = v.T("flag_reason_" + known)
				if note != "" {
					views[i].ReasonText += " — " + note
				}
			}
		}
	}
	v.Data = map[string]any{"Flags": views, "Actions": store.FlagActions}
	s.render(w, r, http.StatusOK, "flags", v)
}

func (s *Server) flagResolve(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		s.notFound(w, r)
		return
	}
	f := s.parseForm(w, r)
	if f == nil {
		return
	}
	action := store.FlagAction(f.choice("action", true, string(store.FlagDismiss), string(store.FlagHidePost), string(store.FlagLock), string(store.FlagSuspend)))
	if !f.ok() {
		s.fail(w, r, http.StatusUnprocessableEntity, "invalid_action", "error_choice")
		return
	}
	err := s.store.ResolveFlag(r.Context(), currentUser(r), id, action)
	switch {
	case errors.Is(err, store.ErrNotFound):
		s.redirectWithFlash(w, r, "/moderation/flags", "flash_already_handled")
	case err != nil:
		s.serverError(w, r, err)
	default:
		s.redirectWithFlash(w, r, "/moderation/flags", "flash_flag_resolved")
	}
}
