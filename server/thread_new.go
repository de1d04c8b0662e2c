package server

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"ideasx/store"
)

// maxPostLen bounds a post: Markdown rendering slows down on very deep nesting.
const maxPostLen = 20000

var attributionValues = []string{string(store.OnTheRecord), string(store.PersonalCapacity), string(store.ChathamHouse)}

func (s *Server) threadNew(w http.ResponseWriter, r *http.Request) {
	v := s.newView(w, r, "thread_new_title")
	v.Form.Set("kind", string(store.Challenge))
	v.Form.Set("attribution", string(store.OnTheRecord))
	v.Form.Set("theme", r.URL.Query().Get("theme"))
	s.renderThreadForm(w, r, v, http.StatusOK)
}

func (s *Server) renderThreadForm(w http.ResponseWriter, r *http.Request, v *view, status int) {
	themes, err := s.store.Themes(r.Context(), false)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	// The browser keeps a draft per theme the person started from (editor.js);
	// the form carries it, so that choosing another theme keeps the same draft.
	draftTheme := v.Form.Get("draft_theme")
	if draftTheme == "" {
		draftTheme = v.Form.Get("theme")
	}
	if _, err := strconv.ParseInt(draftTheme, 10, 64); err != nil {
		draftTheme = "any"
	}
	v.Data = map[string]any{"Themes": themes, "Attributions": attributionValues, "DraftTheme": draftTheme, "MaxUploadMB": s.cfg.MaxUploadMB}
	s.render(w, r, status, "thread_form", v)
}

func (s *Server) threadCreate(w http.ResponseWriter, r *http.Request) {
	f := s.parsePostForm(w, r)
	if f == nil {
		return
	}
	defer f.closeUploads()
	status := http.StatusUnprocessableEntity
	var th *store.Thread
	var err error
	if wantsPreview(f) {
		r, err = s.withPreview(r, f)
		status = previewStatus(f)
	} else {
		th, err = s.createThread(r, f)
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if th != nil {
		s.markSent(w)
		s.redirectWithFlash(w, r, threadURL(th), "flash_thread_created")
		return
	}
	f.uploadsNotKept()
	v := s.newView(w, r, "thread_new_title")
	v.Form, v.Errors = f.values, f.errors
	s.renderThreadForm(w, r, v, status)
}

// createThread checks a new thread from the form or the API and starts it.
// It returns nil and no error when the form has problems, which are then in
// f, including a theme the database refuses.
func (s *Server) createThread(r *http.Request, f *form) (*store.Thread, error) {
	nt := s.readThreadForm(f, currentUser(r))
	if !f.ok() {
		return nil, nil
	}
	var err error
	if nt.HTML, nt.Mentions, err = s.renderPost(r.Context(), nt.Body); err != nil {
		return nil, err
	}
	var added []int64
	if nt.Attachments, added, err = s.saveAttachments(r, f); err != nil || !f.ok() {
		return nil, err
	}
	th, err := s.store.CreateThread(r.Context(), nt)
	if err != nil {
		s.discardAttachments(r, added)
	}
	if errors.Is(err, store.ErrNotFound) || errors.Is(err, store.ErrThemeArchived) {
		f.fail("theme", "error_choice")
		return nil, nil
	}
	if attachmentRefused(f, err) {
		return nil, nil
	}
	return th, err
}

// readThreadForm checks a new thread from the form or the API, and renders its body.
func (s *Server) readThreadForm(f *form, author *store.User) store.NewThread {
	nt := store.NewThread{Author: author}
	nt.Title = f.text("title", true, 200)
	nt.Kind = store.ThreadKind(f.choice("kind", true, string(store.Challenge), string(store.Discussion)))
	nt.Attribution = store.Attribution(f.choice("attribution", true, attributionValues...))
	nt.Body = f.multiline("body", maxPostLen)
	if nt.Body == "" {
		f.fail("body", "error_required")
	}
	if id, err := strconv.ParseInt(f.values.Get("theme"), 10, 64); err != nil || id <= 0 {
		f.fail("theme", "error_choice")
	} else {
		nt.ThemeID = id
	}
	for _, t := range strings.Split(f.values.Get("tags"), ",") {
		if t = strings.TrimSpace(t); t != "" {
			nt.Tags = append(nt.Tags, t)
		}
	}
	return nt
}
