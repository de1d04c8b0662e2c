package server

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"ideasx/store"
)

// attachmentRoutes serves the files attached to posts, on pages and in the
// API. Downloads are not behind forumMember: to anyone who may not read the
// post a file is on, an attachment does not exist (404, never a sign-in
// page or a 403 that would confirm it does).
func (s *Server) attachmentRoutes(mux *routeTable) {
	mux.HandleFunc("GET /forum/attachments/{id}/preview", s.attachmentPreview)
	mux.HandleFunc("GET /forum/attachments/{id}/{name}", s.attachmentDownload)
	s.api(mux, "POST /api/v1/attachments", s.forumMember(s.apiAttachmentUpload))
	s.api(mux, "GET /api/v1/attachments/{id}", http.HandlerFunc(s.attachmentDownload))
}

// attachmentURL is where an attachment is downloaded; the name is the
// stored one, for the reader's browser to save it under.
func attachmentURL(a *store.Attachment) string {
	return fmt.Sprintf("/forum/attachments/%d/%s", a.ID, url.PathEscape(a.Filename))
}

// attachmentPreviewURL is an image attachment's resized preview.
func attachmentPreviewURL(a *store.Attachment) string {
	return fmt.Sprintf("/forum/attachments/%d/preview", a.ID)
}

func (s *Server) attachmentDownload(w http.ResponseWriter, r *http.Request) {
	a, ok := s.readableAttachment(w, r)
	if !ok {
		return
	}
	// Revalidated at every use (304 from the ETag): a post hidden since
	// must stop being served from a browser's cache at once.
	serveStoredFile(w, r, a.Filename, a.ContentType, a.SHA256, a.CreatedAt, "private, no-cache", s.store.OpenAttachment(r.Context(), a))
}

func (s *Server) attachmentPreview(w http.ResponseWriter, r *http.Request) {
	a, ok := s.readableAttachment(w, r)
	if !ok {
		return
	}
	if !a.IsImage() {
		s.notFound(w, r)
		return
	}
	data, err := s.store.AttachmentPreview(r.Context(), a.ID)
	if errors.Is(err, store.ErrNotFound) {
		s.notFound(w, r)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	// The preview's ETag is the original's with a suffix: made once from it.
	serveStoredFile(w, r, a.Filename, a.PreviewType, a.SHA256+"-preview", a.CreatedAt, "private, no-cache", bytes.NewReader(data))
}

// readableAttachment loads the attachment of the path when the reader may
// read it, and answers 404 otherwise. The reader may when they may read
// the forum and the post that has the file now, as the thread shows it
// (a hidden thread, a hidden or deleted post: moderators only); or the
// history of a post that had it (its author and moderators, who see the
// revisions); or when it is their own upload that no post has yet.
func (s *Server) readableAttachment(w http.ResponseWriter, r *http.Request) (*store.Attachment, bool) {
	me := currentUser(r)
	id, err := parseID(r.PathValue("id"))
	if err != nil || me == nil || !me.CanReadForum() {
		s.notFound(w, r)
		return nil, false
	}
	a, err := s.store.AttachmentByID(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		s.notFound(w, r)
		return nil, false
	}
	if err != nil {
		s.serverError(w, r, err)
		return nil, false
	}
	ok, err := s.mayReadAttachment(r.Context(), me, a)
	if err != nil {
		s.serverError(w, r, err)
		return nil, false
	}
	if !ok {
		s.notFound(w, r)
		return nil, false
	}
	return a, true
}

func (s *Server) mayReadAttachment(ctx context.Context, me *store.User, a *store.Attachment) (bool, error) {
	current, earlier, err := s.store.AttachmentPlaces(ctx, a.ID)
	if err != nil {
		return false, err
	}
	if current == 0 && len(earlier) == 0 {
		return a.UploaderID == me.ID, nil
	}
	if current != 0 {
		if ok, err := s.mayReadPostOf(ctx, me, current, false); ok || err != nil {
			return ok, err
		}
	}
	for _, postID := range earlier {
		if ok, err := s.mayReadPostOf(ctx, me, postID, true); ok || err != nil {
			return ok, err
		}
	}
	return false, nil
}

// mayReadPostOf says whether me may read a post (and, with history, its
// earlier revisions), by the rules of the thread page.
func (s *Server) mayReadPostOf(ctx context.Context, me *store.User, postID int64, history bool) (bool, error) {
	p, err := s.store.PostByID(ctx, postID)
	if err != nil {
		return false, err
	}
	t, err := s.store.ThreadByID(ctx, p.ThreadID)
	if err != nil {
		return false, err
	}
	if (t.Hidden || p.Removed()) && !me.IsModerator() {
		return false, nil
	}
	if history && !mayChange(me, p) {
		return false, nil
	}
	return true, nil
}
