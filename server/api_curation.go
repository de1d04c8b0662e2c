package server

import (
	"errors"
	"net/http"

	"ideasx/store"
)

// curationAPIRoutes lets moderators draw a public document from a thread
// and publish it from a program, as the thread's "Curate" button and the
// draft's status buttons do; the people quoted answer through /consents.
func (s *Server) curationAPIRoutes(mux *routeTable) {
	s.api(mux, "POST /api/v1/threads/{ref}/curate", refAsID(s.moderator(s.apiThreadCurate)))
	s.api(mux, "POST /api/v1/documents/{ref}/status", refAsID(s.moderator(s.apiDocumentStatus)))
}

// apiThreadCurate answers 201 with a new draft, or 200 with the draft the
// thread already has (a thread is not drafted twice).
func (s *Server) apiThreadCurate(w http.ResponseWriter, r *http.Request) {
	t, ok := s.threadFromPath(w, r, pathID)
	if !ok {
		return
	}
	d, existing, err := s.draftFromThread(r, t)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	status := http.StatusCreated
	if existing {
		status = http.StatusOK
	}
	s.writeAPIDocument(w, r, d.ID, status)
}

// apiDocumentStatus takes {"status": "draft"|"published"|"archived"}. A
// program has said what it wants, so unlike the page it is not asked to
// confirm a publication; publishing still waits for every consent (409).
func (s *Server) apiDocumentStatus(w http.ResponseWriter, r *http.Request) {
	d, ok := s.loadCuratedDocument(w, r)
	if !ok {
		return
	}
	var in struct {
		Status string `json:"status"`
	}
	if !s.decodeJSON(w, r, &in) {
		return
	}
	f := &form{values: map[string][]string{"status": {in.Status}}, errors: map[string]string{}, l: s.localizer(r)}
	status := readDocStatus(f)
	if !f.ok() {
		s.apiValidation(w, r, f)
		return
	}
	err := s.store.SetDocumentStatus(r.Context(), currentUser(r).ID, d.ID, store.DocStatus(status))
	if errors.Is(err, store.ErrConsentMissing) {
		s.publishBlocked(w, r, d.ID)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.writeAPIDocument(w, r, d.ID, http.StatusOK)
}

// writeAPIDocument reads a document back as the caller may see it.
func (s *Server) writeAPIDocument(w http.ResponseWriter, r *http.Request, id int64, status int) {
	d, err := s.store.DocumentByID(r.Context(), id, store.AccessFor(currentUser(r)))
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	writeJSON(w, status, s.apiDoc(*d))
}
