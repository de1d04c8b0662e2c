package server

import (
	"errors"
	"net/http"
	"time"

	"ideasx/server/markdown"
	"ideasx/store"
)

func (s *Server) eventList(w http.ResponseWriter, r *http.Request) {
	access := store.AccessFor(currentUser(r))
	upcoming, err := s.store.ListEvents(r.Context(), access, true, 50)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	past, err := s.store.ListEvents(r.Context(), access, false, 100)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	v := s.newView(w, r, "events_title")
	v.Description = v.T("events_description")
	v.Data = map[string]any{"Upcoming": upcoming, "Past": past}
	s.render(w, r, http.StatusOK, "events", v)
}

// eventFromRef loads the event of a "{id}-{slug}" path segment that the reader may see.
func (s *Server) eventFromRef(w http.ResponseWriter, r *http.Request) (*store.Event, bool) {
	id, ok := refID(r)
	return s.visibleEvent(w, r, id, ok)
}

// visibleEvent loads event id if the reader may see it; it has answered
// (404, or 500) when ok is false. idOK false is a path that held no id.
func (s *Server) visibleEvent(w http.ResponseWriter, r *http.Request, id int64, idOK bool) (*store.Event, bool) {
	if !idOK {
		s.notFound(w, r)
		return nil, false
	}
	e, err := s.store.EventByID(r.Context(), id, store.AccessFor(currentUser(r)))
	if errors.Is(err, store.ErrNotFound) {
		s.notFound(w, r)
		return nil, false
	}
	if err != nil {
		s.serverError(w, r, err)
		return nil, false
	}
	return e, true
}

func (s *Server) eventShow(w http.ResponseWriter, r *http.Request) {
	e, ok := s.eventFromRef(w, r)
	if !ok {
		return
	}
	access := store.AccessFor(currentUser(r))
	if canonical := eventURL(e); r.URL.Path != canonical {
		// As for documents: the title in the target is not for every reader.
		privateRedirect(w, r, canonical, http.StatusMovedPermanently)
		return
	}
	docs, err := s.store.EventDocuments(r.Context(), e.ID, access)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	v := s.newView(w, r, "")
	v.Title = e.Title
	v.Description = markdown.Excerpt(e.Programme, 200)
	data := map[string]any{"Event": e, "Programme": markdown.Render(e.Programme), "Documents": docs, "Upcoming": e.EndsAt.After(s.store.Now())}
	if err := s.addProgramme(r, e, access, data); err != nil {
		s.serverError(w, r, err)
		return
	}
	if err := s.addAgenda(r, e, data); err != nil {
		s.serverError(w, r, err)
		return
	}
	if err := s.addRegistration(r, e, data); err != nil {
		s.serverError(w, r, err)
		return
	}
	v.Data = data
	s.render(w, r, http.StatusOK, "event", v)
}

func (s *Server) eventNew(w http.ResponseWriter, r *http.Request) {
	v := s.newView(w, r, "event_new_title")
	v.Form.Set("timezone", "Europe/Zurich")
	v.Form.Set("visibility", string(store.Public))
	s.renderEventForm(w, r, v, http.StatusOK, nil)
}

func (s *Server) eventEdit(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		s.notFound(w, r)
		return
	}
	e, err := s.store.EventByID(r.Context(), id, store.AccessFor(currentUser(r)))
	if errors.Is(err, store.ErrNotFound) {
		s.notFound(w, r)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	v := s.newView(w, r, "event_edit_title")
	loc := e.Location()
	v.Form.Set("title", e.Title)
	v.Form.Set("starts", e.StartsAt.In(loc).Format("2006-01-02T15:04"))
	v.Form.Set("ends", e.EndsAt.In(loc).Format("2006-01-02T15:04"))
	v.Form.Set("timezone", e.Timezone)
	if e.AllDay {
		v.Form.Set("all_day", "1")
	}
	v.Form.Set("place", e.Place)
	v.Form.Set("online_url", e.OnlineURL)
	v.Form.Set("programme", e.Programme)
	v.Form.Set("visibility", string(e.Visibility))
	for _, d := range e.DocumentIDs {
		v.Form.Add("documents", itoa64(d))
	}
	s.renderEventForm(w, r, v, http.StatusOK, e)
}

func (s *Server) renderEventForm(w http.ResponseWriter, r *http.Request, v *view, status int, e *store.Event) {
	docs, _, err := s.store.ListDocuments(r.Context(), store.DocFilter{Access: store.AccessFor(currentUser(r)), Limit: 100})
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	selected := map[string]bool{}
	for _, id := range v.Form["documents"] {
		selected[id] = true
	}
	v.Data = map[string]any{"Event": e, "Documents": docs, "Selected": selected}
	s.render(w, r, status, "event_form", v)
}

// readEventForm checks the event form. Times are typed in the event's own
// time zone (Geneva by default) and stored in UTC.
func (s *Server) readEventForm(f *form, e *store.Event) {
	e.Title = f.text("title", true, 300)
	e.Timezone = f.text("timezone", true, 60)
	loc, err := time.LoadLocation(e.Timezone)
	if err != nil || e.Timezone == "" {
		f.fail("timezone", "error_timezone")
		loc = time.UTC
	}
	if e.AllDay, e.StartsAt, e.EndsAt = f.readAllDay(loc); !e.AllDay {
		e.StartsAt = f.localTime("starts", loc)
		e.EndsAt = f.localTime("ends", loc)
	}
	if !e.StartsAt.IsZero() && !e.EndsAt.IsZero() && e.EndsAt.Before(e.StartsAt) {
		f.fail("ends", "error_ends_before_starts")
	}
	e.Place = f.text("place", false, 300)
	e.OnlineURL = f.url("online_url")
	e.Programme = f.multiline("programme", 20000)
	e.Visibility = store.Visibility(f.choice("visibility", true, string(store.Public), string(store.MembersOnly)))
	e.DocumentIDs = nil
	for _, v := range f.values["documents"] {
		id, err := parseID(v)
		if err != nil {
			f.fail("documents", "error_choice")
			continue
		}
		e.DocumentIDs = append(e.DocumentIDs, id)
	}
}

func (s *Server) eventCreate(w http.ResponseWriter, r *http.Request) {
	f := s.parseForm(w, r)
	if f == nil {
		return
	}
	e := &store.Event{}
	s.readEventForm(f, e)
	s.saveEvent(w, r, f, e, "event_new_title")
}

func (s *Server) eventUpdate(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		s.notFound(w, r)
		return
	}
	f := s.parseForm(w, r)
	if f == nil {
		return
	}
	e := &store.Event{ID: id}
	s.readEventForm(f, e)
	s.saveEvent(w, r, f, e, "event_edit_title")
}

func (s *Server) saveEvent(w http.ResponseWriter, r *http.Request, f *form, e *store.Event, titleID string) {
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
			s.redirectWithFlash(w, r, eventURL(e), "flash_event_saved")
			return
		}
	}
	v := s.newView(w, r, titleID)
	v.Form, v.Errors = f.values, f.errors
	var shown *store.Event
	if e.ID != 0 {
		shown = e
	}
	s.renderEventForm(w, r, v, http.StatusUnprocessableEntity, shown)
}
