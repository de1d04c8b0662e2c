package server

import (
	"errors"
	"net/http"

	"ideasx/store"
)

// eventLinksSave saves an event's co-organisers and the main event it is a
// side event of. A row with no name is dropped: that is how a co-organiser
// is removed.
func (s *Server) eventLinksSave(w http.ResponseWriter, r *http.Request) {
	e, ok := s.programmeEditor(w, r)
	if !ok {
		return
	}
	f := s.parseForm(w, r)
	if f == nil {
		return
	}
	mainID, err := f.optionalID("main_event")
	if err != nil {
		f.fail("main_event", "error_choice")
	}
	var orgs []store.CoOrganiser
	for i := range postedRows(f) {
		if rowEmpty(f, "o", i, "name", "name_fr", "name_es", "url") {
			continue
		}
		orgs = append(orgs, readCoOrganiser(f, i))
	}
	if f.ok() && mainID != 0 {
		if err := s.checkMainEvent(r, f, "main_event", mainID); err != nil {
			s.serverError(w, r, err)
			return
		}
	}
	if s.savedForm(w, r, f, func() error { return s.saveEventLinks(r, f, "main_event", e, mainID, orgs) },
		func() { s.redirectWithFlash(w, r, programmeEditURL(e), "flash_programme_links_saved") }) {
		return
	}
	back := newRowsForm("links", postedRows(f))
	back.Values, back.Errors = f.values, f.errors
	s.renderProgrammeEditor(w, r, e, http.StatusUnprocessableEntity, back)
}

// saveEventLinks saves an event's main event and co-organisers for the page
// and the API; a main event that would make a chain of side events is a
// problem on field, not an error.
func (s *Server) saveEventLinks(r *http.Request, f *form, field string, e *store.Event, mainID int64, orgs []store.CoOrganiser) error {
	err := s.store.SaveEventLinks(r.Context(), currentUser(r).ID, e.ID, mainID, orgs)
	if errors.Is(err, store.ErrSideEventChain) {
		f.fail(field, "error_side_event_chain")
		return nil
	}
	return err
}

// readCoOrganiser reads co-organiser row i of the form (the API writes its
// JSON rows into the same fields, so both are checked alike).
func readCoOrganiser(f *form, i int) store.CoOrganiser {
	field := func(name string) string { return rowField("o", i, name) }
	return store.CoOrganiser{Name: f.text(field("name"), true, 200), NameFR: f.text(field("name_fr"), false, 200),
		NameES: f.text(field("name_es"), false, 200), URL: f.url(field("url"))}
}

// checkMainEvent fails field unless the main event named is one this
// moderator can see, as on the page's list; an error is the store's.
func (s *Server) checkMainEvent(r *http.Request, f *form, field string, mainID int64) error {
	_, err := s.store.EventByID(r.Context(), mainID, store.AccessFor(currentUser(r)))
	if errors.Is(err, store.ErrNotFound) {
		f.fail(field, "error_choice")
		return nil
	}
	return err
}
