package server

import (
	"errors"
	"fmt"
	"net/http"

	"ideasx/server/markdown"
	"ideasx/store"
)

// loadPost finds a post and its thread that the reader may see. A removed
// post exists only for moderators.
func (s *Server) loadPost(w http.ResponseWriter, r *http.Request) (*store.Post, *store.Thread, bool) {
	id, ok := pathID(r)
	if !ok {
		s.notFound(w, r)
		return nil, nil, false
	}
	p, err := s.store.PostByID(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		s.notFound(w, r)
		return nil, nil, false
	}
	if err != nil {
		s.serverError(w, r, err)
		return nil, nil, false
	}
	t, ok := s.loadThread(w, r, p.ThreadID)
	if !ok {
		return nil, nil, false
	}
	if p.Removed() && !currentUser(r).IsModerator() {
		s.notFound(w, r)
		return nil, nil, false
	}
	return p, t, true
}

// mayChange says whether the reader may edit or delete a post: its author, or a moderator.
func mayChange(u *store.User, p *store.Post) bool { return u.IsModerator() || u.ID == p.AuthorID }

func postAnchor(t *store.Thread, p *store.Post) string {
	return fmt.Sprintf("%s#post-%d", threadURL(t), p.ID)
}

func (s *Server) postUseful(w http.ResponseWriter, r *http.Request) {
	p, t, ok := s.loadPost(w, r)
	if !ok {
		return
	}
	if _, err := s.store.ToggleUseful(r.Context(), currentUser(r), p.ID); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			s.notFound(w, r)
			return
		}
		s.serverError(w, r, err)
		return
	}
	http.Redirect(w, r, postAnchor(t, p), http.StatusSeeOther)
}

func (s *Server) postEdit(w http.ResponseWriter, r *http.Request) {
	p, t, ok := s.loadPost(w, r)
	if !ok {
		return
	}
	if !mayChange(currentUser(r), p) {
		s.fail(w, r, http.StatusForbidden, "forbidden", "error_forbidden")
		return
	}
	v := s.newView(w, r, "post_edit_title")
	v.Form.Set("body", p.Body)
	s.renderPostEdit(w, r, v, http.StatusOK, p, t)
}

func (s *Server) renderPostEdit(w http.ResponseWriter, r *http.Request, v *view, status int, p *store.Post, t *store.Thread) {
	revisions, err := s.store.PostRevisions(r.Context(), p.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	v.Data = map[string]any{"Post": p, "Thread": t, "ThreadURL": threadURL(t), "Revisions": revisions, "MaxUploadMB": s.cfg.MaxUploadMB}
	s.render(w, r, status, "post_edit", v)
}

func (s *Server) postUpdate(w http.ResponseWriter, r *http.Request) {
	p, t, ok := s.loadPost(w, r)
	if !ok {
		return
	}
	me := currentUser(r)
	if !mayChange(me, p) {
		s.fail(w, r, http.StatusForbidden, "forbidden", "error_forbidden")
		return
	}
	f := s.parsePostForm(w, r)
	if f == nil {
		return
	}
	defer f.closeUploads()
	status := http.StatusUnprocessableEntity
	var err error
	if wantsPreview(f) {
		r, err = s.withPreview(r, f)
		status = previewStatus(f)
	} else {
		err = s.editPost(r, p, f)
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if !f.ok() || wantsPreview(f) {
		f.uploadsNotKept()
		v := s.newView(w, r, "post_edit_title")
		v.Form, v.Errors = f.values, f.errors
		s.renderPostEdit(w, r, v, status, p, t)
		return
	}
	http.Redirect(w, r, postAnchor(t, p), http.StatusSeeOther)
}

// editPost checks the new text of p in f and saves it, keeping the previous
// text as a revision and recording the people it newly mentions. Problems
// with the text are left in f, and nothing is saved. The caller has checked
// that the reader may change the post.
func (s *Server) editPost(r *http.Request, p *store.Post, f *form) error {
	body := f.multiline("body", maxPostLen)
	if body == "" {
		f.fail("body", "error_required")
	}
	if !f.ok() {
		return nil
	}
	html, mentions, err := s.renderPost(r.Context(), body)
	if err != nil {
		return err
	}
	e := store.PostEdit{PostID: p.ID, Editor: currentUser(r), Body: body, HTML: html, Mentions: mentions}
	var added []int64
	// The edit form says it lists the files (the API, when "attachments"
	// is given): without it the files stay as they are.
	if f.values.Has("attachments_listed") {
		var ids []int64
		if ids, added, err = s.saveAttachments(r, f); err != nil || !f.ok() {
			return err
		}
		e.Attachments = &ids
	}
	err = s.store.EditPostWith(r.Context(), e)
	if err != nil {
		s.discardAttachments(r, added)
	}
	if attachmentRefused(f, err) {
		return nil
	}
	return err
}

// postDelete removes a post softly: its text stays for moderators, who can
// restore it. The opening post goes with its thread, which moderators hide.
// The page and the API (DELETE /api/v1/posts/{id}) share it.
func (s *Server) postDelete(w http.ResponseWriter, r *http.Request) {
	s.setPostDeleted(w, r, true)
}

// postRestore shows a removed post again (moderators): deleted by its author
// or a moderator, or hidden by moderation.
func (s *Server) postRestore(w http.ResponseWriter, r *http.Request) {
	s.setPostDeleted(w, r, false)
}

func (s *Server) setPostDeleted(w http.ResponseWriter, r *http.Request, deleted bool) {
	p, t, ok := s.loadPost(w, r)
	if !ok {
		return
	}
	me := currentUser(r)
	if (deleted && !mayChange(me, p)) || (!deleted && !me.IsModerator()) {
		s.fail(w, r, http.StatusForbidden, "forbidden", "error_forbidden")
		return
	}
	first, err := s.store.Posts(r.Context(), t.ID, 0, 1)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if deleted && len(first) > 0 && first[0].ID == p.ID {
		s.fail(w, r, http.StatusConflict, "opening_post", "error_delete_opening")
		return
	}
	if deleted && p.DeletedAt == nil && !s.confirmed(w, r, s.postConfirmation(r, t, p, "confirm_post_delete")) {
		return
	}
	if deleted || p.DeletedAt != nil {
		if err := s.store.SetPostDeleted(r.Context(), p.ID, me, deleted); err != nil {
			s.serverError(w, r, err)
			return
		}
	}
	// A post hidden from the flag queue is restored by the same button.
	if !deleted && p.HiddenAt != nil {
		if err := s.store.SetPostHidden(r.Context(), me, p.ID, false); err != nil {
			s.serverError(w, r, err)
			return
		}
	}
	s.postChanged(w, r, t, p)
}

// postHide hides a post by moderation (moderators): like a deleted post, its
// text stays for moderators, who can restore it.
func (s *Server) postHide(w http.ResponseWriter, r *http.Request) {
	p, t, ok := s.loadPost(w, r)
	if !ok {
		return
	}
	if p.HiddenAt == nil {
		if !s.confirmed(w, r, s.postConfirmation(r, t, p, "confirm_post_hide")) {
			return
		}
		if err := s.store.SetPostHidden(r.Context(), currentUser(r), p.ID, true); err != nil {
			s.serverError(w, r, err)
			return
		}
	}
	s.postChanged(w, r, t, p)
}

// postConfirmation asks before deleting or hiding a post (question is
// confirm_post_delete or confirm_post_hide), quoting the start of its text.
func (s *Server) postConfirmation(r *http.Request, t *store.Thread, p *store.Post, question string) confirmation {
	return confirmation{Question: question, Effect: question + "_effect", Button: question + "_button",
		Details: []confirmDetail{{s.localizer(r).T("confirm_detail_thread"), t.Title}},
		Quote:   markdown.Excerpt(p.Body, 300), Back: postAnchor(t, p)}
}

// postChanged ends a change to a post: the post as the reader now sees it
// for the API, back to it in its thread for a browser.
func (s *Server) postChanged(w http.ResponseWriter, r *http.Request, t *store.Thread, p *store.Post) {
	if !isAPI(r) {
		http.Redirect(w, r, postAnchor(t, p), http.StatusSeeOther)
		return
	}
	p, err := s.store.PostByID(r.Context(), p.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, apiPostJSON(s.viewPost(currentUser(r), t, *p, false)))
}
