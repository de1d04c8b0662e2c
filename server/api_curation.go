package server

import (
	"errors"
	"net/http"
	"time"

	"ideasx/store"
)

// curationAPIRoutes lets moderators draw a public document from a thread
// and publish it from a program, as the thread's "Curate" button and the
// draft's status buttons do; the people quoted answer through /consents.
func (s *Server) curationAPIRoutes(mux *routeTable) {
	s.api(mux, "POST /api/v1/threads/{ref}/curate", refAsID(s.moderator(s.apiThreadCurate)))
	s.api(mux, "POST /api/v1/documents/{ref}/status", refAsID(s.moderator(s.apiDocumentStatus)))
	s.api(mux, "GET /api/v1/documents/{ref}/consents", refAsID(s.moderator(s.apiDocumentConsents)))
}

// apiDocumentConsent is one person's answer as the draft's page shows it
// to moderators, the note of a refusal included.
type apiDocumentConsent struct {
	UserID       int64      `json:"user_id"`
	Name         string     `json:"name"`
	Organisation string     `json:"organisation"`
	Answer       string     `json:"answer"`
	NamedAs      string     `json:"named_as"`
	AnonymousAs  string     `json:"anonymous_as"`
	Note         string     `json:"note,omitempty"`
	AskedAt      time.Time  `json:"asked_at"`
	AnsweredAt   *time.Time `json:"answered_at,omitempty"`
}

// apiDocumentConsents tells a moderator's program who a curated draft
// waits for before it may be published (an empty list: nobody was asked).
func (s *Server) apiDocumentConsents(w http.ResponseWriter, r *http.Request) {
	d, ok := s.loadCuratedDocument(w, r)
	if !ok {
		return
	}
	cs, err := s.store.DocumentConsents(r.Context(), d.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	out := make([]apiDocumentConsent, len(cs))
	for i, c := range cs {
		out[i] = apiDocumentConsent{UserID: c.UserID, Name: c.Name, Organisation: c.OrgName, Answer: c.Answer(), NamedAs: c.NamedAs,
			AnonymousAs: c.AnonymousAs, Note: c.Note, AskedAt: c.AskedAt, AnsweredAt: c.AnsweredAt}
	}
	waiting, err := s.consentsAwaited(r, d.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"consents": out, "all_agreed": !waiting})
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
