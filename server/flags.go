package server

import (
	"errors"
	"net/http"
	"slices"
	"strings"

	"ideasx/server/i18n"
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
	s.flagPost(w, r, p, t, f)
}

// flagPost records a checked report for the page or the API. A second open
// flag by the same person is a conflict for the API and a notice on the page.
func (s *Server) flagPost(w http.ResponseWriter, r *http.Request, p *store.Post, t *store.Thread, f *form) {
	reason := f.choice("reason", true, flagReasons...)
	if note := f.text("note", false, 500); note != "" && reason != "" {
		reason += ": " + note
	}
	if !f.ok() {
		s.formProblem(w, r, f, "invalid_reason", "error_flag_reason")
		return
	}
	err := s.store.FlagPost(r.Context(), currentUser(r), p.ID, reason)
	switch {
	case errors.Is(err, store.ErrConflict) && isAPI(r):
		s.apiError(w, r, http.StatusConflict, "already_flagged", "flash_flag_already")
	case errors.Is(err, store.ErrConflict):
		s.redirectWithFlash(w, r, postAnchor(t, p), "flash_flag_already")
	case errors.Is(err, store.ErrNotFound):
		s.notFound(w, r)
	case err != nil:
		s.serverError(w, r, err)
	case isAPI(r):
		writeJSON(w, http.StatusCreated, map[string]any{"post_id": p.ID, "flagged": true})
	default:
		s.redirectWithFlash(w, r, postAnchor(t, p), "flash_flag_sent")
	}
}

// flagReasonText is a flag's reason in the reader's language, with the
// reporter's note; a reason from before the list was fixed is shown as written.
func flagReasonText(l *i18n.Localizer, reason string) string {
	code, note := splitFlagReason(reason)
	if !slices.Contains(flagReasons, code) {
		return reason
	}
	text := l.T("flag_reason_" + code)
	if note != "" {
		text += " — " + note
	}
	return text
}

// splitFlagReason separates the reason stored as "spam: the note" into its code and note.
func splitFlagReason(reason string) (code, note string) {
	code, note, _ = strings.Cut(reason, ": ")
	return code, note
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
		views[i] = flagView{Flag: f, Excerpt: markdown.Excerpt(f.PostBody, 300), ThreadURL: postAnchor(&t, &store.Post{ID: f.PostID}),
			ReasonText: flagReasonText(v.Localizer, f.Reason)}
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
	s.resolveFlag(w, r, id, f)
}

// resolveFlag carries out a moderator's checked decision on a flag for the
// page or the API. A flag already handled is a notice on the page and a 404
// for the API.
func (s *Server) resolveFlag(w http.ResponseWriter, r *http.Request, id int64, f *form) {
	actions := make([]string, len(store.FlagActions))
	for i, a := range store.FlagActions {
		actions[i] = string(a)
	}
	action := store.FlagAction(f.choice("action", true, actions...))
	if !f.ok() {
		s.formProblem(w, r, f, "invalid_action", "error_choice")
		return
	}
	if (action == store.FlagHidePost || action == store.FlagSuspend) && !isAPI(r) && !s.confirmFlag(w, r, f, id, action) {
		return
	}
	err := s.store.ResolveFlag(r.Context(), currentUser(r), id, action)
	switch {
	case errors.Is(err, store.ErrNotFound) && isAPI(r):
		s.apiError(w, r, http.StatusNotFound, "not_found", "error_flag_handled")
	case errors.Is(err, store.ErrNotFound):
		s.redirectWithFlash(w, r, "/moderation/flags", "flash_already_handled")
	case err != nil:
		s.serverError(w, r, err)
	case isAPI(r):
		writeJSON(w, http.StatusOK, map[string]any{"flag_id": id, "action": action})
	default:
		s.redirectWithFlash(w, r, "/moderation/flags", "flash_flag_resolved")
	}
}

// confirmFlag asks before a flag hides a post or suspends its author, as
// the same actions elsewhere do. A flag no longer open asks nothing: the
// store then says it was already handled.
func (s *Server) confirmFlag(w http.ResponseWriter, r *http.Request, f *form, id int64, action store.FlagAction) bool {
	flags, err := s.store.OpenFlags(r.Context())
	if err != nil {
		s.serverError(w, r, err)
		return false
	}
	for _, fl := range flags {
		if fl.ID != id {
			continue
		}
		t := &store.Thread{ID: fl.ThreadID, Title: fl.ThreadTitle}
		if action == store.FlagHidePost {
			c := s.postConfirmation(r, t, &store.Post{ID: fl.PostID, Body: fl.PostBody}, "confirm_post_hide")
			c.Back = "/moderation/flags"
			return s.confirmed(w, r, c)
		}
		author, err := s.store.UserByID(r.Context(), fl.AuthorID)
		if err != nil {
			s.serverError(w, r, err)
			return false
		}
		return s.confirmed(w, r, suspendConfirmation(f, author, "/moderation/flags"))
	}
	return true
}
