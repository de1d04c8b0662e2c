package server

import (
	"errors"
	"net/http"

	"ideasx/server/markdown"
	"ideasx/store"
)

// docFileGroup is one language of a document: its current file and, for
// curators, the older versions.
type docFileGroup struct {
	Lang    string
	Current store.DocFile
	Older   []store.DocFile
}

func groupFiles(files []store.DocFile) []docFileGroup {
	var out []docFileGroup
	for _, f := range files {
		if n := len(out); n > 0 && out[n-1].Lang == f.Lang {
			out[n-1].Older = append(out[n-1].Older, f)
			continue
		}
		out = append(out, docFileGroup{Lang: f.Lang, Current: f})
	}
	return out
}

// loadDocument finds the document of the path that the reader may see, or
// answers 404: a document one may not read does not exist for them.
func (s *Server) loadDocument(w http.ResponseWriter, r *http.Request, id int64) (*store.Document, bool) {
	d, err := s.store.DocumentByID(r.Context(), id, store.AccessFor(currentUser(r)))
	if errors.Is(err, store.ErrNotFound) {
		s.notFound(w, r)
		return nil, false
	}
	if err != nil {
		s.serverError(w, r, err)
		return nil, false
	}
	return d, true
}

// documentFromRef loads the document of a "{id}-{slug}" path segment.
func (s *Server) documentFromRef(w http.ResponseWriter, r *http.Request) (*store.Document, bool) {
	id, ok := refID(r)
	if !ok {
		s.notFound(w, r)
		return nil, false
	}
	return s.loadDocument(w, r, id)
}

func (s *Server) documentShow(w http.ResponseWriter, r *http.Request) {
	d, ok := s.documentFromRef(w, r)
	if !ok {
		return
	}
	if canonical := documentURL(d); r.URL.Path != canonical {
		// The target names the title, and whether there is one to name
		// depends on the reader and may change: never from a shared cache.
		privateRedirect(w, r, canonical, http.StatusMovedPermanently)
		return
	}
	access := store.AccessFor(currentUser(r))
	docFiles, err := s.store.DocumentFiles(r.Context(), d.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	chain, err := s.store.RevisionChain(r.Context(), d.ID, access)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	current, err := s.store.CurrentRevision(r.Context(), d.ID, access)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	events, err := s.store.DocumentEvents(r.Context(), d.ID, access)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	v := s.newView(w, r, "")
	v.Title = d.Title
	v.Description = markdown.Excerpt(d.Summary, 200)
	data := map[string]any{
		"Document": d, "Summary": markdown.Render(d.Summary), "Files": groupFiles(docFiles), "Revisions": chain,
		"Events": events, "PublicNow": d.PublicNow,
	}
	for _, c := range chain {
		if c.ID == current && c.ID != d.ID {
			data["Current"] = c
		}
	}
	v.Data = data
	s.render(w, r, http.StatusOK, "document", v)
}

// documentFileDownload streams a file chunk by chunk, with ranges, ETag and
// Last-Modified from http.ServeContent. The type is the one sniffed at upload.
func (s *Server) documentFileDownload(w http.ResponseWriter, r *http.Request) {
	docID, ok := refID(r)
	fileID, err := parseID(r.PathValue("file"))
	if !ok || err != nil {
		s.notFound(w, r)
		return
	}
	d, ok := s.loadDocument(w, r, docID)
	if !ok {
		return
	}
	f, err := s.store.FileByID(r.Context(), fileID)
	if errors.Is(err, store.ErrNotFound) || (err == nil && f.DocumentID != d.ID) {
		s.notFound(w, r)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	all, err := s.store.DocumentFiles(r.Context(), d.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	current := isCurrentFile(all, f)
	if !current && !currentUser(r).IsModerator() {
		// Older versions are kept for the curators' record, not published.
		s.notFound(w, r)
		return
	}
	// Only what anyone may download may be kept by a shared cache: an older
	// version is the moderators' alone, whatever the document's visibility.
	// Even then every reuse is revalidated (a 304 from the ETag, no body), so
	// that a document made members-only or archived stops being served at once.
	cache := "private, no-store"
	if current && d.IsPublicAt(s.store.Now()) && d.Status == store.Published {
		cache = "public, no-cache"
	}
	serveStoredFile(w, r, f.Filename, f.ContentType, f.SHA256, f.CreatedAt, cache, s.store.OpenFile(r.Context(), f))
}

// isCurrentFile reports whether f is the latest file of its language.
func isCurrentFile(all []store.DocFile, f *store.DocFile) bool {
	for _, g := range groupFiles(all) {
		if g.Lang == f.Lang {
			return g.Current.ID == f.ID
		}
	}
	return false
}

func inlineType(contentType string) bool {
	switch contentType {
	case "application/pdf", "image/png", "image/jpeg":
		return true
	}
	return false
}
