package server

import (
	"errors"
	"net/http"
	"strconv"

	"ideasx/store"
)

// threadStatusSave moves a challenge through its lifecycle: the author or a
// moderator accepts a reply; a moderator refers it to the working group
// (an event or a document), closes or reopens it.
func (s *Server) threadStatusSave(w http.ResponseWriter, r *http.Request) {
	t, ok := s.threadFromPath(w, r, pathID)
	if !ok {
		return
	}
	f := s.parseForm(w, r)
	if f == nil {
		return
	}
	s.changeStatus(w, r, t, f)
}

// changeStatus carries out a checked status request for the page or the API.
func (s *Server) changeStatus(w http.ResponseWriter, r *http.Request, t *store.Thread, f *form) {
	to := store.ChallengeStatus(f.choice("to", true, string(store.StatusOpen), string(store.StatusAnswered), string(store.StatusReferred), string(store.StatusClosed)))
	if !f.ok() {
		s.fail(w, r, http.StatusUnprocessableEntity, "invalid_status", "error_choice")
		return
	}
	req := store.StatusRequest{To: to, Note: f.text("note", false, 500)}
	if !f.ok() {
		s.formProblem(w, r, f, "invalid_note", "error_status_note")
		return
	}
	req.AcceptedPostID, _ = strconv.ParseInt(f.values.Get("post"), 10, 64)
	req.EventID, _ = strconv.ParseInt(f.values.Get("event"), 10, 64)
	req.DocumentID, _ = strconv.ParseInt(f.values.Get("document"), 10, 64)
	// Only a referral links an event or a document, and only moderators
	// refer: a target sent with another change (an author accepting a
	// reply) would be stored as if a moderator had named it.
	if to != store.StatusReferred && (req.EventID != 0 || req.DocumentID != 0) {
		s.fail(w, r, http.StatusUnprocessableEntity, "referral_only", "error_referral_only")
		return
	}
	err := s.store.ChangeChallengeStatus(r.Context(), currentUser(r), t.ID, req)
	switch {
	case errors.Is(err, store.ErrTransition):
		s.fail(w, r, http.StatusConflict, "transition", "error_transition")
	case errors.Is(err, store.ErrReferralTarget), errors.Is(err, store.ErrMissingReference):
		s.fail(w, r, http.StatusUnprocessableEntity, "referral", "error_referral")
	case errors.Is(err, store.ErrNotFound):
		s.fail(w, r, http.StatusUnprocessableEntity, "accepted_post", "error_accept_post")
	case err != nil:
		s.serverError(w, r, err)
	case isAPI(r):
		writeJSON(w, http.StatusOK, map[string]any{"thread_id": t.ID, "status": to})
	default:
		flash := map[store.ChallengeStatus]string{store.StatusOpen: "flash_status_open", store.StatusAnswered: "flash_status_answered",
			store.StatusReferred: "flash_status_referred", store.StatusClosed: "flash_status_closed"}[to]
		s.redirectWithFlash(w, r, threadURL(t), flash)
	}
}

type apiStatusInput struct {
	To         string `json:"to"`
	PostID     int64  `json:"post_id"`
	EventID    int64  `json:"event_id"`
	DocumentID int64  `json:"document_id"`
	Note       string `json:"note"`
}

func (s *Server) apiThreadStatus(w http.ResponseWriter, r *http.Request) {
	t, ok := s.threadFromPath(w, r, pathID)
	if !ok {
		return
	}
	var in apiStatusInput
	if !s.decodeJSON(w, r, &in) {
		return
	}
	f := s.apiForm(r, map[string]string{"to": in.To, "post": strconv.FormatInt(in.PostID, 10), "event": strconv.FormatInt(in.EventID, 10),
		"document": strconv.FormatInt(in.DocumentID, 10), "note": in.Note}).as(statusProperties)
	s.changeStatus(w, r, t, f)
}
