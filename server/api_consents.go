package server

import (
	"errors"
	"net/http"
	"time"

	"ideasx/server/markdown"
	"ideasx/store"
)

// consentAPIRoutes lets a person asked to be quoted read and answer from a
// program, as on /account/consents; like the pages they take forum access.
func (s *Server) consentAPIRoutes(mux *routeTable) {
	s.api(mux, "GET /api/v1/consents", s.forumMember(s.apiConsentList))
	s.api(mux, "GET /api/v1/consents/{id}", s.forumMember(s.apiConsentShow))
	s.api(mux, "PUT /api/v1/consents/{id}", s.forumMember(s.apiConsentSave))
}

type apiConsent struct {
	DocumentID     int64      `json:"document_id"`
	Title          string     `json:"title"`
	DocumentStatus string     `json:"document_status"`
	Answer         string     `json:"answer"`
	NamedAs        string     `json:"named_as"`
	AnonymousAs    string     `json:"anonymous_as"`
	Note           string     `json:"note,omitempty"`
	AskedAt        time.Time  `json:"asked_at"`
	AnsweredAt     *time.Time `json:"answered_at,omitempty"`
	URL            string     `json:"url"`
	// Draft and DraftHTML are the document as it would be published (in
	// one request only): Markdown and its rendering.
	Draft     string `json:"draft,omitempty"`
	DraftHTML string `json:"draft_html,omitempty"`
}

func (s *Server) apiConsentOf(c *store.Consent) apiConsent {
	return apiConsent{DocumentID: c.DocumentID, Title: c.Title, DocumentStatus: string(c.DocStatus), Answer: c.Answer(),
		NamedAs: c.NamedAs, AnonymousAs: c.AnonymousAs, Note: c.Note, AskedAt: c.AskedAt, AnsweredAt: c.AnsweredAt,
		URL: s.cfg.BaseURL + "/account/consents/" + itoa64(c.DocumentID)}
}

func (s *Server) apiConsentList(w http.ResponseWriter, r *http.Request) {
	reqs, err := s.store.ConsentRequests(r.Context(), currentUser(r).ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	out := make([]apiConsent, len(reqs))
	for i := range reqs {
		out[i] = s.apiConsentOf(&reqs[i])
	}
	writeJSON(w, http.StatusOK, map[string]any{"consents": out})
}

func (s *Server) apiConsentShow(w http.ResponseWriter, r *http.Request) {
	c, d, ok := s.consentLoad(w, r)
	if !ok {
		return
	}
	all, err := s.store.DocumentConsents(r.Context(), d.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	out := s.apiConsentOf(c)
	// What the others asked is applied, and the caller's own choice too.
	out.Draft = store.Anonymise(d.Summary, all)
	out.DraftHTML = string(markdown.Render(out.Draft))
	writeJSON(w, http.StatusOK, out)
}

// apiConsentSave takes {"answer": "granted"|"anonymous"|"declined", "note": "…"}.
func (s *Server) apiConsentSave(w http.ResponseWriter, r *http.Request) {
	c, d, ok := s.consentLoad(w, r)
	if !ok {
		return
	}
	var in struct {
		Answer string `json:"answer"`
		Note   string `json:"note"`
	}
	if !s.decodeJSON(w, r, &in) {
		return
	}
	f := &form{values: map[string][]string{"answer": {in.Answer}, "note": {in.Note}}, errors: map[string]string{}, l: s.localizer(r)}
	answer := f.choice("answer", true, store.ConsentGranted, store.ConsentAnonymous, store.ConsentDeclined)
	note := f.multiline("note", 2000)
	if !f.ok() {
		s.apiValidation(w, r, f)
		return
	}
	if d.Status != store.Draft {
		s.apiError(w, r, http.StatusConflict, "consent_closed", "error_consent_closed")
		return
	}
	err := s.store.AnswerConsent(r.Context(), c.UserID, d.ID, answer, note)
	if errors.Is(err, store.ErrNotFound) {
		s.notFound(w, r)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	c, err = s.store.ConsentRequest(r.Context(), c.UserID, d.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, s.apiConsentOf(c))
}
