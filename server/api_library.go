package server

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"

	"ideasx/server/markdown"
	"ideasx/store"
)

func (s *Server) libraryAPIRoutes(mux *routeTable) {
	s.api(mux, "GET /api/v1/categories", http.HandlerFunc(s.apiCategories))
	s.api(mux, "GET /api/v1/documents", http.HandlerFunc(s.apiDocumentList))
	s.api(mux, "POST /api/v1/documents", s.moderator(s.apiDocumentCreate))
	s.api(mux, "GET /api/v1/documents/{ref}", http.HandlerFunc(s.apiDocumentShow))
	s.api(mux, "PUT /api/v1/documents/{ref}", refAsID(s.moderator(s.apiDocumentUpdate)))
	s.api(mux, "POST /api/v1/documents/{ref}/files", refAsID(s.moderator(s.documentUpload)))
	s.api(mux, "GET /api/v1/documents/{ref}/files/{file}", http.HandlerFunc(s.documentFileDownload))
	s.api(mux, "GET /api/v1/events", http.HandlerFunc(s.apiEventList))
	s.api(mux, "POST /api/v1/events", s.moderator(s.apiEventCreate))
	s.api(mux, "GET /api/v1/events/{ref}", http.HandlerFunc(s.apiEventShow))
	s.api(mux, "PUT /api/v1/events/{ref}", refAsID(s.moderator(s.apiEventUpdate)))
	s.apiProgrammeRoutes(mux)
	s.api(mux, "GET /api/v1/search", http.HandlerFunc(s.apiSearch))
}

func (s *Server) apiCategories(w http.ResponseWriter, r *http.Request) {
	cats, err := s.store.Categories(r.Context())
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"categories": nonNil(cats)})
}

// apiDocument is a document as the API shows it, with links.
type apiDocument struct {
	store.Document
	URL      string    `json:"url"`
	Category string    `json:"category,omitempty"`
	Files    []apiFile `json:"files,omitempty"`
}

type apiFile struct {
	store.DocFile
	URL string `json:"url"`
}

func (s *Server) apiDoc(d store.Document) apiDocument {
	out := apiDocument{Document: d, URL: s.cfg.BaseURL + documentURL(&d)}
	if d.Tags == nil {
		out.Tags = []string{}
	}
	if d.Langs == nil {
		out.Langs = []string{}
	}
	if d.Category != nil {
		out.Category = d.Category.Slug
	}
	return out
}

func (s *Server) apiDocumentList(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := store.DocFilter{Access: store.AccessFor(currentUser(r)), Tag: q.Get("tag"), Sort: q.Get("sort"), Lang: q.Get("lang"), Limit: documentsPerPage}
	f.Year, _ = strconv.Atoi(q.Get("year"))
	if c := q.Get("category"); c != "" {
		cat, err := s.store.CategoryBySlug(r.Context(), c)
		if errors.Is(err, store.ErrNotFound) {
			s.apiError(w, r, http.StatusBadRequest, "unknown_category", "error_choice")
			return
		}
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		f.CategoryID = cat.ID
	}
	page := pageParam(q)
	f.Offset = (page - 1) * documentsPerPage
	docs, total, err := s.store.ListDocuments(r.Context(), f)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	out := make([]apiDocument, len(docs))
	for i, d := range docs {
		out[i] = s.apiDoc(d)
	}
	writeJSON(w, http.StatusOK, map[string]any{"documents": out, "total": total, "page": page, "per_page": documentsPerPage})
}

func (s *Server) apiDocumentShow(w http.ResponseWriter, r *http.Request) {
	d, ok := s.documentFromRef(w, r)
	if !ok {
		return
	}
	all, err := s.store.DocumentFiles(r.Context(), d.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	out := s.apiDoc(*d)
	out.Files = []apiFile{}
	for _, g := range groupFiles(all) {
		out.Files = append(out.Files, apiFile{DocFile: g.Current, URL: s.cfg.BaseURL + fileURL(g.Current)})
	}
	writeJSON(w, http.StatusOK, out)
}

// apiDocumentInput is the JSON a curator sends; it goes through the same
// checks as the web form, by way of form values.
type apiDocumentInput struct {
	Title        string   `json:"title"`
	Symbol       string   `json:"symbol"`
	Summary      string   `json:"summary"`
	CategoryID   int64    `json:"category_id"`
	Date         string   `json:"date"`
	Visibility   string   `json:"visibility"`
	DerestrictAt string   `json:"derestrict_at"`
	Revises      string   `json:"revises"`
	Tags         []string `json:"tags"`
	Status       string   `json:"status"`
}

func (in apiDocumentInput) values() url.Values {
	v := url.Values{"title": {in.Title}, "symbol": {in.Symbol}, "summary": {in.Summary}, "date": {in.Date},
		"visibility": {in.Visibility}, "derestrict": {in.DerestrictAt}, "revises": {in.Revises}}
	if in.CategoryID != 0 {
		v.Set("category", strconv.FormatInt(in.CategoryID, 10))
	}
	for i, t := range in.Tags {
		if i == 0 {
			v.Set("tags", t)
		} else {
			v.Set("tags", v.Get("tags")+","+t)
		}
	}
	return v
}

// decodeJSON reads a JSON body of at most maxFormBytes into dst, answering 400 on failure.
func (s *Server) decodeJSON(w http.ResponseWriter, r *http.Request, dst any) bool {
	if err := readJSON(w, r, dst); err != nil {
		s.apiError(w, r, http.StatusBadRequest, "bad_json", "error_bad_json")
		return false
	}
	return true
}

// readJSON is decodeJSON for a caller that answers a bad body itself.
func readJSON(w http.ResponseWriter, r *http.Request, dst any) error {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxFormBytes))
	dec.DisallowUnknownFields()
	return dec.Decode(dst)
}

// apiValidation answers 422 with every field's message.
func (s *Server) apiValidation(w http.ResponseWriter, r *http.Request, f *form) {
	var body struct {
		Error struct {
			Code    string            `json:"code"`
			Message string            `json:"message"`
			Fields  map[string]string `json:"fields"`
		} `json:"error"`
	}
	body.Error.Code = "invalid"
	body.Error.Message = s.localizer(r).T("error_fix_fields")
	body.Error.Fields = make(map[string]string, len(f.errors))
	for field, msg := range f.errors {
		body.Error.Fields[f.property(field)] = msg
	}
	writeJSON(w, http.StatusUnprocessableEntity, body)
}

func (s *Server) apiDocumentCreate(w http.ResponseWriter, r *http.Request) {
	s.apiDocumentSave(w, r, &store.Document{Status: store.Draft}, http.StatusCreated)
}

func (s *Server) apiDocumentUpdate(w http.ResponseWriter, r *http.Request) {
	d, ok := s.loadCuratedDocument(w, r)
	if !ok {
		return
	}
	s.apiDocumentSave(w, r, d, http.StatusOK)
}

func (s *Server) apiDocumentSave(w http.ResponseWriter, r *http.Request, d *store.Document, status int) {
	var in apiDocumentInput
	if !s.decodeJSON(w, r, &in) {
		return
	}
	f := (&form{values: in.values(), errors: map[string]string{}, l: s.localizer(r)}).as(documentProperties)
	s.readDocumentForm(r, f, d)
	if in.Status != "" {
		f.values.Set("status", in.Status)
		d.Status = store.DocStatus(f.choice("status", true, string(store.Draft), string(store.Published), string(store.Archived)))
	}
	err := s.storeDocument(r, f, d)
	if errors.Is(err, store.ErrConsentMissing) {
		s.publishBlocked(w, r, d.ID)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if f.ok() {
		saved, err := s.store.DocumentByID(r.Context(), d.ID, store.AccessFor(currentUser(r)))
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		writeJSON(w, status, s.apiDoc(*saved))
		return
	}
	s.apiValidation(w, r, f)
}

type apiEvent struct {
	store.Event
	URL string `json:"url"`
	// One event's JSON carries its programme; lists leave it out.
	*apiProgramme
}

func (s *Server) apiEventList(w http.ResponseWriter, r *http.Request) {
	upcoming := r.URL.Query().Get("when") != "past"
	events, err := s.store.ListEvents(r.Context(), store.AccessFor(currentUser(r)), upcoming, 100)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	out := make([]apiEvent, len(events))
	for i, e := range events {
		if err := s.hideUnseenMainEvent(r, &e); err != nil {
			s.serverError(w, r, err)
			return
		}
		out[i] = apiEvent{Event: e, URL: s.cfg.BaseURL + eventURL(&e)}
		if out[i].DocumentIDs == nil {
			out[i].DocumentIDs = []int64{}
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"events": out})
}

func (s *Server) apiEventShow(w http.ResponseWriter, r *http.Request) {
	e, ok := s.eventFromRef(w, r)
	if !ok {
		return
	}
	s.writeAPIEvent(w, r, http.StatusOK, e)
}

type apiEventInput struct {
	Title       string  `json:"title"`
	StartsAt    string  `json:"starts_at"`
	EndsAt      string  `json:"ends_at"`
	Timezone    string  `json:"timezone"`
	AllDay      bool    `json:"all_day"`
	Place       string  `json:"place"`
	OnlineURL   string  `json:"online_url"`
	Programme   string  `json:"programme"`
	Visibility  string  `json:"visibility"`
	DocumentIDs []int64 `json:"document_ids"`
}

func (s *Server) apiEventCreate(w http.ResponseWriter, r *http.Request) {
	s.apiEventSave(w, r, &store.Event{}, http.StatusCreated)
}

func (s *Server) apiEventUpdate(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		s.notFound(w, r)
		return
	}
	s.apiEventSave(w, r, &store.Event{ID: id}, http.StatusOK)
}

// apiEventSave takes times as local "2006-01-02T15:04" in the event's time
// zone, as the form does, so both paths share one set of checks.
func (s *Server) apiEventSave(w http.ResponseWriter, r *http.Request, e *store.Event, status int) {
	var in apiEventInput
	if !s.decodeJSON(w, r, &in) {
		return
	}
	v := url.Values{"title": {in.Title}, "starts": {in.StartsAt}, "ends": {in.EndsAt}, "timezone": {in.Timezone}, "place": {in.Place},
		"online_url": {in.OnlineURL}, "programme": {in.Programme}, "visibility": {in.Visibility}}
	if in.Timezone == "" {
		v.Set("timezone", "Europe/Zurich")
	}
	if in.AllDay {
		v.Set("all_day", "1")
	}
	for _, id := range in.DocumentIDs {
		v.Add("documents", strconv.FormatInt(id, 10))
	}
	f := (&form{values: v, errors: map[string]string{}, l: s.localizer(r)}).as(eventProperties)
	s.readEventForm(f, e)
	if f.ok() {
		err := s.store.SaveEvent(r.Context(), currentUser(r).ID, e)
		switch {
		case errors.Is(err, store.ErrNotFound):
			s.notFound(w, r)
			return
		case errors.Is(err, store.ErrMissingReference), errors.Is(err, store.ErrConflict):
			// A linked document that does not exist, or one linked twice.
			f.fail("documents", "error_choice")
		case err != nil:
			s.serverError(w, r, err)
			return
		default:
			// Read back: the side-event link and the programme are not part of the input.
			saved, err := s.store.EventByID(r.Context(), e.ID, store.AccessFor(currentUser(r)))
			if err != nil {
				s.serverError(w, r, err)
				return
			}
			s.writeAPIEvent(w, r, status, saved)
			return
		}
	}
	s.apiValidation(w, r, f)
}

func (s *Server) apiSearch(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := store.SearchFilter{Access: store.AccessFor(currentUser(r)), Limit: 30}
	f.Year, _ = strconv.Atoi(q.Get("year"))
	var hits []store.SearchHit
	// Documents have no author organisation: a search by organisation finds threads only.
	if searchOrg(r) == 0 {
		var err error
		if hits, err = s.store.SearchDocuments(r.Context(), q.Get("q"), f); err != nil {
			s.serverError(w, r, err)
			return
		}
	}
	type result struct {
		Kind     string      `json:"kind"`
		Rank     float64     `json:"rank"`
		Snippet  string      `json:"snippet"`
		Document apiDocument `json:"document"`
	}
	out := make([]result, len(hits))
	for i, h := range hits {
		out[i] = result{Kind: "document", Rank: h.Rank, Snippet: string(snippet(markdown.Excerpt(h.Text, 5000), q.Get("q"), 240)), Document: s.apiDoc(h.Document)}
	}
	type threadResult struct {
		Kind     string  `json:"kind"`
		Rank     float64 `json:"rank"`
		Snippet  string  `json:"snippet"`
		ThreadID int64   `json:"thread_id"`
		PostID   int64   `json:"post_id"`
		Title    string  `json:"title"`
		URL      string  `json:"url"`
	}
	threads := []threadResult{}
	if currentUser(r).CanReadForum() {
		forum, err := s.searchForum(r, q.Get("q"))
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		for _, f := range forum {
			threads = append(threads, threadResult{Kind: "thread", Rank: f.Hit.Rank, Snippet: string(f.Snippet), ThreadID: f.Hit.ThreadID,
				PostID: f.Hit.PostID, Title: f.Hit.Title, URL: s.cfg.BaseURL + f.URL})
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"query": q.Get("q"), "results": out, "threads": threads})
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
