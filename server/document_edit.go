package server

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"ideasx/store"
)

var docStatuses = []store.DocStatus{store.Draft, store.Published, store.Archived}

func (s *Server) documentNew(w http.ResponseWriter, r *http.Request) {
	v := s.newView(w, r, "document_new_title")
	v.Form.Set("date", s.store.Now().Format(time.DateOnly))
	v.Form.Set("visibility", string(store.Public))
	s.renderDocumentForm(w, r, v, http.StatusOK, nil)
}

func (s *Server) documentEdit(w http.ResponseWriter, r *http.Request) {
	d, ok := s.loadCuratedDocument(w, r)
	if !ok {
		return
	}
	v := s.newView(w, r, "document_edit_title")
	v.Form = s.documentFormValues(r, d)
	s.renderDocumentForm(w, r, v, http.StatusOK, d)
}

// documentFormValues fills the form with what the document holds.
func (s *Server) documentFormValues(r *http.Request, d *store.Document) url.Values {
	v := url.Values{}
	v.Set("title", d.Title)
	v.Set("symbol", d.Symbol)
	v.Set("summary", d.Summary)
	v.Set("date", d.DocDate.Format(time.DateOnly))
	v.Set("visibility", string(d.Visibility))
	v.Set("tags", strings.Join(d.Tags, ", "))
	if d.CategoryID != nil {
		v.Set("category", itoa64(*d.CategoryID))
	}
	if d.DerestrictAt != nil {
		v.Set("derestrict", d.DerestrictAt.Format(time.DateOnly))
	}
	if d.RevisesID != nil {
		if prev, err := s.store.DocumentByID(r.Context(), *d.RevisesID, store.Access{Members: true, Curator: true}); err == nil {
			v.Set("revises", prev.Symbol)
		}
	}
	return v
}

func (s *Server) loadCuratedDocument(w http.ResponseWriter, r *http.Request) (*store.Document, bool) {
	id, ok := pathID(r)
	if !ok {
		s.notFound(w, r)
		return nil, false
	}
	return s.loadDocument(w, r, id)
}

func (s *Server) renderDocumentForm(w http.ResponseWriter, r *http.Request, v *view, status int, d *store.Document) {
	cats, err := s.store.Categories(r.Context())
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	data := map[string]any{"Document": d, "Categories": cats, "Statuses": docStatuses, "MaxUploadMB": s.cfg.MaxUploadMB}
	if d != nil {
		all, err := s.store.DocumentFiles(r.Context(), d.ID)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		data["Files"] = groupFiles(all)
		consents, err := s.store.DocumentConsents(r.Context(), d.ID)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		data["Consents"] = consents
		if d.Status == store.Draft {
			data["WaitingFor"] = waitingFor(v.Localizer, consents)
		}
		if src, err := s.store.SourceThread(r.Context(), d.ID); err == nil && src != 0 {
			data["SourceURL"] = fmt.Sprintf("/forum/threads/%d", src)
		}
	}
	v.Data = data
	s.render(w, r, status, "document_form", v)
}

// readDocumentForm checks the document form into d.
func (s *Server) readDocumentForm(r *http.Request, f *form, d *store.Document) {
	d.Title = f.text("title", true, 300)
	d.Symbol = f.text("symbol", false, 80)
	d.Summary = f.multiline("summary", 20000)
	d.Visibility = store.Visibility(f.choice("visibility", true, string(store.Public), string(store.MembersOnly)))
	d.DocDate = f.date("date", true)
	d.DerestrictAt = nil
	if t := f.date("derestrict", false); !t.IsZero() {
		if d.Visibility != store.MembersOnly {
			f.fail("derestrict", "error_derestrict_public")
		}
		d.DerestrictAt = &t
	}
	d.CategoryID = nil
	if c := f.values.Get("category"); c != "" {
		id, err := parseID(c)
		if err != nil {
			f.fail("category", "error_choice")
		} else {
			d.CategoryID = &id
		}
	}
	d.Tags = nil
	for _, t := range strings.Split(f.values.Get("tags"), ",") {
		if t = strings.TrimSpace(t); t != "" {
			d.Tags = append(d.Tags, t)
		}
	}
	if len(d.Tags) > 20 {
		f.fail("tags", "error_too_many_tags", "Max", 20)
	}
	d.RevisesID = nil
	if sym := f.text("revises", false, 80); sym != "" {
		prev, err := s.store.DocumentBySymbol(r.Context(), sym)
		switch {
		case errors.Is(err, store.ErrNotFound):
			f.fail("revises", "error_unknown_symbol")
		case err == nil:
			d.RevisesID = &prev.ID
		}
	}
}

func (s *Server) documentCreate(w http.ResponseWriter, r *http.Request) {
	f := s.parseForm(w, r)
	if f == nil {
		return
	}
	d := &store.Document{Status: store.Draft}
	s.readDocumentForm(r, f, d)
	s.saveDocument(w, r, f, d, "document_new_title")
}

func (s *Server) documentUpdate(w http.ResponseWriter, r *http.Request) {
	d, ok := s.loadCuratedDocument(w, r)
	if !ok {
		return
	}
	f := s.parseForm(w, r)
	if f == nil {
		return
	}
	s.readDocumentForm(r, f, d)
	s.saveDocument(w, r, f, d, "document_edit_title")
}

// storeDocument saves a checked form's document. Rules only the database
// can check (a symbol in use, a revision loop) come back as field errors;
// any other error is returned.
func (s *Server) storeDocument(r *http.Request, f *form, d *store.Document) error {
	if !f.ok() {
		return nil
	}
	err := s.store.SaveDocument(r.Context(), currentUser(r).ID, d)
	switch {
	case errors.Is(err, store.ErrConflict):
		f.fail("symbol", "error_symbol_taken")
	case errors.Is(err, store.ErrRevisionLoop):
		f.fail("revises", "error_revision_loop")
	case errors.Is(err, store.ErrMissingReference):
		// The form offers existing categories only; a client (or a
		// category deleted meanwhile) may still name one that is gone.
		f.fail("category", "error_choice")
	default:
		return err
	}
	return nil
}

func (s *Server) saveDocument(w http.ResponseWriter, r *http.Request, f *form, d *store.Document, titleID string) {
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
		s.redirectWithFlash(w, r, "/moderation/documents/"+itoa64(d.ID), "flash_document_saved")
		return
	}
	v := s.newView(w, r, titleID)
	v.Form, v.Errors = f.values, f.errors
	var shown *store.Document
	if d.ID != 0 {
		shown = d
	}
	s.renderDocumentForm(w, r, v, http.StatusUnprocessableEntity, shown)
}

func (s *Server) documentStatusSave(w http.ResponseWriter, r *http.Request) {
	d, ok := s.loadCuratedDocument(w, r)
	if !ok {
		return
	}
	f := s.parseForm(w, r)
	if f == nil {
		return
	}
	status := readDocStatus(f)
	if !f.ok() {
		s.fail(w, r, http.StatusUnprocessableEntity, "invalid_status", "error_choice")
		return
	}
	if status == string(store.Published) && d.Status != store.Published {
		awaited, err := s.consentsAwaited(r, d.ID)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		// While consents are awaited the store refuses, and saying why
		// comes before asking whether.
		if !awaited && !s.confirmed(w, r, publishConfirmation(f, d)) {
			return
		}
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
	flash := map[string]string{string(store.Draft): "flash_document_draft", string(store.Published): "flash_document_published",
		string(store.Archived): "flash_document_archived"}[status]
	s.redirectWithFlash(w, r, "/moderation/documents/"+itoa64(d.ID), flash)
}

// publishConfirmation asks before a document reaches the public page: once
// read, copied or indexed, it cannot be taken back.
func publishConfirmation(f *form, d *store.Document) confirmation {
	details := []confirmDetail{{f.l.T("field_title"), d.Title}}
	if d.Symbol != "" {
		details = append(details, confirmDetail{f.l.T("field_symbol"), d.Symbol})
	}
	details = append(details, confirmDetail{f.l.T("field_visibility"), f.l.T("visibility_" + string(d.Visibility))})
	c := confirmation{Question: "confirm_publish", Effect: "confirm_publish_effect", Button: "confirm_publish_button",
		Details: details, Back: "/moderation/documents/" + itoa64(d.ID)}
	if d.Visibility == store.MembersOnly {
		c.Effect = "confirm_publish_members_effect"
	}
	return c
}

// consentsAwaited says whether someone quoted by name has not yet agreed to
// the document's publication.
func (s *Server) consentsAwaited(r *http.Request, docID int64) (bool, error) {
	cs, err := s.store.DocumentConsents(r.Context(), docID)
	if err != nil {
		return false, err
	}
	for _, c := range cs {
		if c.Status != store.ConsentGranted {
			return true, nil
		}
	}
	return false, nil
}

// readDocStatus checks the status a document is moved to, on the page and in the API.
func readDocStatus(f *form) string {
	return f.choice("status", true, string(store.Draft), string(store.Published), string(store.Archived))
}
