package server

import (
	"net/http"
	"strconv"
	"time"

	"ideasx/server/markdown"
	"ideasx/store"
)

// The moderators' part of the forum API. Each handler turns its JSON into the
// form the moderation pages send and goes through the same function, so that
// every action takes the same store call and leaves the same audit entry.

// apiFlag is an open flag in the moderators' queue. The flagged post's
// author is attributed as for any reader (moderators see who wrote).
type apiFlag struct {
	ID          int64     `json:"id"`
	PostID      int64     `json:"post_id"`
	ThreadID    int64     `json:"thread_id"`
	ThreadTitle string    `json:"thread_title"`
	Reason      string    `json:"reason"`
	Note        string    `json:"note,omitempty"`
	ReasonText  string    `json:"reason_text"`
	Excerpt     string    `json:"excerpt"`
	Author      apiAuthor `json:"author"`
	Reporter    apiPerson `json:"reporter"`
	CreatedAt   time.Time `json:"created_at"`
	URL         string    `json:"url"`
}

// apiPerson is an account named to moderators.
type apiPerson struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

func (s *Server) apiFlagQueue(w http.ResponseWriter, r *http.Request) {
	flags, err := s.store.OpenFlags(r.Context())
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	me, l := currentUser(r), s.localizer(r)
	out := make([]apiFlag, len(flags))
	for i, f := range flags {
		reason, note := splitFlagReason(f.Reason)
		t := store.Thread{ID: f.ThreadID, Title: f.ThreadTitle}
		b := attribute(me, f.Attribution, f.AuthorID, f.AuthorName, f.AuthorOrg, f.AuthorOrgKind)
		out[i] = apiFlag{ID: f.ID, PostID: f.PostID, ThreadID: f.ThreadID, ThreadTitle: f.ThreadTitle, Reason: reason, Note: note,
			ReasonText: flagReasonText(l, f.Reason), Excerpt: markdown.Excerpt(f.PostBody, 300), Author: authorJSON(b, f.AuthorOrgKind),
			Reporter: apiPerson{ID: f.ReporterID, Name: f.ReporterName}, CreatedAt: f.CreatedAt,
			URL: s.cfg.BaseURL + postAnchor(&t, &store.Post{ID: f.PostID})}
	}
	writeJSON(w, http.StatusOK, map[string]any{"flags": out, "actions": store.FlagActions})
}

type apiFlagResolveInput struct {
	Action string `json:"action"`
}

func (s *Server) apiFlagResolve(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		s.notFound(w, r)
		return
	}
	var in apiFlagResolveInput
	if !s.decodeJSON(w, r, &in) {
		return
	}
	s.resolveFlag(w, r, id, s.apiForm(r, map[string]string{"action": in.Action}))
}

type apiSwitchInput struct {
	Switch string `json:"switch"`
	On     *bool  `json:"on"`
}

// apiThreadSwitch pins, locks or hides a thread, or undoes it.
func (s *Server) apiThreadSwitch(w http.ResponseWriter, r *http.Request) {
	t, ok := s.threadFromPath(w, r, pathID)
	if !ok {
		return
	}
	var in apiSwitchInput
	if !s.decodeJSON(w, r, &in) {
		return
	}
	s.switchThread(w, r, t, s.apiForm(r, map[string]string{"switch": in.Switch, "on": formatBool(in.On)}))
}

type apiMoveInput struct {
	ThemeID int64 `json:"theme_id"`
}

// apiThreadMove puts a thread in another active theme.
func (s *Server) apiThreadMove(w http.ResponseWriter, r *http.Request) {
	t, ok := s.threadFromPath(w, r, pathID)
	if !ok {
		return
	}
	var in apiMoveInput
	if !s.decodeJSON(w, r, &in) {
		return
	}
	s.moveThread(w, r, t, s.apiForm(r, map[string]string{"theme": strconv.FormatInt(in.ThemeID, 10)}).as(threadProperties))
}

type apiAttributionInput struct {
	Attribution string `json:"attribution"`
}

// apiThreadAttribution changes how what is said in a thread may be quoted.
// The store call writes the audit entry.
func (s *Server) apiThreadAttribution(w http.ResponseWriter, r *http.Request) {
	t, ok := s.threadFromPath(w, r, pathID)
	if !ok {
		return
	}
	var in apiAttributionInput
	if !s.decodeJSON(w, r, &in) {
		return
	}
	s.changeAttribution(w, r, t, s.apiForm(r, map[string]string{"attribution": in.Attribution}))
}

// threadAttributionSave is the thread page's form for the same change.
func (s *Server) threadAttributionSave(w http.ResponseWriter, r *http.Request) {
	t, ok := s.threadFromPath(w, r, pathID)
	if !ok {
		return
	}
	if f := s.parseForm(w, r); f != nil {
		s.changeAttribution(w, r, t, f)
	}
}

func (s *Server) changeAttribution(w http.ResponseWriter, r *http.Request, t *store.Thread, f *form) {
	modes := make([]string, len(store.Attributions))
	for i, a := range store.Attributions {
		modes[i] = string(a)
	}
	mode := store.Attribution(f.choice("attribution", true, modes...))
	if !f.ok() {
		if isAPI(r) {
			s.apiValidation(w, r, f)
		} else {
			s.fail(w, r, http.StatusUnprocessableEntity, "invalid_choice", "error_choice")
		}
		return
	}
	if err := s.store.SetThreadAttribution(r.Context(), currentUser(r).ID, t.ID, mode); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.threadChanged(w, r, t, "flash_attribution_changed")
}
