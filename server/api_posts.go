package server

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"ideasx/store"
)

// The forum API's writes on posts and on one's own reading of a thread. Each
// turns its JSON into the form the page sends and goes through the page's
// checks, so that both paths keep the same rules.

type apiPostEditInput struct {
	Body string `json:"body"`
	// Attachments, when given, is the post's new list of files: ids it
	// has and ids of the caller's uploads; absent, the files stay.
	Attachments *[]int64 `json:"attachments"`
}

// apiPostUpdate edits a post: its author or a moderator; earlier texts are kept.
func (s *Server) apiPostUpdate(w http.ResponseWriter, r *http.Request) {
	p, t, ok := s.loadPost(w, r)
	if !ok {
		return
	}
	if !mayChange(currentUser(r), p) {
		s.apiError(w, r, http.StatusForbidden, "forbidden", "error_forbidden")
		return
	}
	var in apiPostEditInput
	if !s.decodeJSON(w, r, &in) {
		return
	}
	f := s.apiForm(r, map[string]string{"body": in.Body})
	if in.Attachments != nil {
		f.values.Set("attachments_listed", "1")
		f.setIDs("attachments", *in.Attachments)
	}
	if err := s.editPost(r, p, f); err != nil {
		s.serverError(w, r, err)
		return
	}
	if !f.ok() {
		s.apiValidation(w, r, f)
		return
	}
	s.postChanged(w, r, t, p)
}

// apiRevision is an earlier text of a post; who replaced it is attributed
// like an author of the thread.
type apiRevision struct {
	ID        int64     `json:"id"`
	Body      string    `json:"body"`
	Editor    apiAuthor `json:"editor"`
	CreatedAt time.Time `json:"created_at"`
	// Attachments are the files the post had with this text.
	Attachments []apiAttachment `json:"attachments"`
}

// apiPostRevisions lists a post's earlier texts, newest first, for its author and moderators.
func (s *Server) apiPostRevisions(w http.ResponseWriter, r *http.Request) {
	p, t, ok := s.loadPost(w, r)
	if !ok {
		return
	}
	me := currentUser(r)
	if !mayChange(me, p) {
		s.apiError(w, r, http.StatusForbidden, "forbidden", "error_forbidden")
		return
	}
	revisions, err := s.store.PostRevisions(r.Context(), p.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	out := make([]apiRevision, len(revisions))
	for i, rev := range revisions {
		b := attribute(me, t.Attribution, rev.EditorID, rev.EditorName, rev.EditorOrg, rev.EditorOrgKind)
		out[i] = apiRevision{ID: rev.ID, Body: rev.Body, Editor: authorJSON(b, rev.EditorOrgKind), CreatedAt: rev.CreatedAt,
			Attachments: apiAttachmentsJSON(rev.Attachments)}
	}
	writeJSON(w, http.StatusOK, map[string]any{"post": apiPostJSON(s.viewPost(me, t, *p, false)), "revisions": out})
}

type apiFlagInput struct {
	Reason string `json:"reason"`
	Note   string `json:"note"`
}

// apiPostFlag reports a post to the moderators.
func (s *Server) apiPostFlag(w http.ResponseWriter, r *http.Request) {
	p, t, ok := s.loadPost(w, r)
	if !ok {
		return
	}
	var in apiFlagInput
	if !s.decodeJSON(w, r, &in) {
		return
	}
	s.flagPost(w, r, p, t, s.apiForm(r, map[string]string{"reason": in.Reason, "note": in.Note}))
}

type apiReadInput struct {
	PostID int64 `json:"post_id"`
}

// apiThreadRead moves the caller's read position in a thread forward to a
// post of it (never back: the answer gives the position it now has).
func (s *Server) apiThreadRead(w http.ResponseWriter, r *http.Request) {
	t, ok := s.threadFromPath(w, r, pathID)
	if !ok {
		return
	}
	var in apiReadInput
	if !s.decodeJSON(w, r, &in) {
		return
	}
	f := s.apiForm(r, nil)
	var p *store.Post
	if in.PostID == 0 {
		f.fail("post_id", "error_required")
	} else {
		var err error
		p, err = s.store.PostByID(r.Context(), in.PostID)
		switch {
		case errors.Is(err, store.ErrNotFound) || (err == nil && p.ThreadID != t.ID):
			f.fail("post_id", "error_read_post")
		case err != nil:
			s.serverError(w, r, err)
			return
		}
	}
	if !f.ok() {
		s.apiValidation(w, r, f)
		return
	}
	me := currentUser(r)
	if err := s.store.MarkRead(r.Context(), me, t.ID, p.ID); err != nil {
		s.serverError(w, r, err)
		return
	}
	pos, err := s.store.ReadPosition(r.Context(), me.ID, t.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"thread_id": t.ID, "last_read_post_id": pos})
}

type apiWatchInput struct {
	Level string `json:"level"`
}

// apiThreadWatch sets the caller's level on a thread: "watch", "mute", or "" for neither.
func (s *Server) apiThreadWatch(w http.ResponseWriter, r *http.Request) {
	t, ok := s.threadFromPath(w, r, pathID)
	if !ok {
		return
	}
	var in apiWatchInput
	if !s.decodeJSON(w, r, &in) {
		return
	}
	f := s.apiForm(r, map[string]string{"level": in.Level})
	if s.saveWatch(w, r, f, "thread", t.ID) {
		writeJSON(w, http.StatusOK, map[string]any{"thread_id": t.ID, "level": strings.TrimSpace(in.Level)})
	}
}

// apiForm is a JSON request's values as a form, for the checks the pages use.
func (s *Server) apiForm(r *http.Request, values map[string]string) *form {
	f := &form{values: map[string][]string{}, errors: map[string]string{}, l: s.localizer(r)}
	for k, v := range values {
		f.values.Set(k, v)
	}
	return f
}

// formatBool is how the pages' forms send a yes or no.
func formatBool(b *bool) string {
	if b == nil {
		return ""
	}
	return strconv.FormatBool(*b)
}
