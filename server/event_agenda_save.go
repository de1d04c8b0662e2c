package server

import (
	"errors"
	"net/http"
	"strconv"

	"ideasx/server/markdown"
	"ideasx/store"
)

// agendaRoutes are the moderators' pages that order a meeting's agenda and
// record its outcomes, and the agenda's part of the API. A challenge gets
// on an agenda by its referral (the thread's lifecycle form) or the API.
func (s *Server) agendaRoutes(mux *routeTable) {
	mux.Handle("GET /moderation/agenda/{id}/outcome", s.moderator(s.outcomeShow))
	mux.Handle("POST /moderation/agenda/{id}/outcome", s.moderator(s.outcomeSave))
	mux.Handle("POST /moderation/agenda/{id}/move", s.moderator(s.agendaMove))
	mux.Handle("POST /moderation/agenda/{id}/delete", s.moderator(s.agendaRemove))
	s.agendaAPIRoutes(mux)
}

// outcomeMax is the longest outcome, per language.
const outcomeMax = 20000

// agendaItemFromPath loads the item of the path for a moderator, with its
// event; it has answered 404 itself when ok is false.
func (s *Server) agendaItemFromPath(w http.ResponseWriter, r *http.Request, id int64, idOK bool) (*store.AgendaItem, *store.Event, bool) {
	if !idOK {
		s.notFound(w, r)
		return nil, nil, false
	}
	access := store.AccessFor(currentUser(r))
	it, err := s.store.AgendaItemByID(r.Context(), id, access)
	if errors.Is(err, store.ErrNotFound) {
		s.notFound(w, r)
		return nil, nil, false
	}
	if err != nil {
		s.serverError(w, r, err)
		return nil, nil, false
	}
	e, ok := s.visibleEvent(w, r, it.EventID, true)
	if !ok {
		return nil, nil, false
	}
	return it, e, true
}

// agendaItemPost loads the item of the path and its event for a
// moderator's form post, and checks the form; it has answered when ok is
// false.
func (s *Server) agendaItemPost(w http.ResponseWriter, r *http.Request) (*store.AgendaItem, *store.Event, *form, bool) {
	id, ok := pathID(r)
	it, e, ok := s.agendaItemFromPath(w, r, id, ok)
	if !ok {
		return nil, nil, nil, false
	}
	f := s.parseForm(w, r)
	if f == nil {
		return nil, nil, nil, false
	}
	return it, e, f, true
}

func (s *Server) outcomeShow(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	it, e, ok := s.agendaItemFromPath(w, r, id, ok)
	if !ok {
		return
	}
	if it.HasOutcome() {
		s.redirectWithFlash(w, r, eventURL(e)+"#agenda-"+strconv.FormatInt(it.ID, 10), "flash_outcome_already")
		return
	}
	s.renderOutcomeForm(w, r, it, e, nil, http.StatusOK)
}

func (s *Server) renderOutcomeForm(w http.ResponseWriter, r *http.Request, it *store.AgendaItem, e *store.Event, f *form, status int) {
	v := s.newView(w, r, "outcome_title")
	v.NoIndex = true
	if f != nil {
		v.Form, v.Errors = f.values, f.errors
	}
	me := currentUser(r)
	v.Data = map[string]any{"Item": s.viewAgendaLine(me, it, s.lang(r)), "Event": e, "Langs": []string{"en", "fr", "es"},
		"CanClose": store.CanTransition(it.ThreadStatus, store.StatusClosed, false, me.IsModerator())}
	s.render(w, r, status, "agenda_outcome", v)
}

// readOutcome checks an outcome form: Markdown in one or more of the
// group's languages, and whether to close the challenge with it.
func readOutcome(f *form) store.OutcomeInput {
	in := store.OutcomeInput{EN: f.multiline("outcome_en", outcomeMax), FR: f.multiline("outcome_fr", outcomeMax),
		ES: f.multiline("outcome_es", outcomeMax), Close: f.values.Get("close") == "true"}
	if f.ok() && in.EN == "" && in.FR == "" && in.ES == "" {
		f.fail("outcome_en", "error_outcome_empty")
	}
	in.Body = store.OutcomePostBody(in.EN, in.FR, in.ES)
	in.HTML = string(markdown.Render(in.Body))
	return in
}

func (s *Server) outcomeSave(w http.ResponseWriter, r *http.Request) {
	it, e, f, ok := s.agendaItemPost(w, r)
	if !ok {
		return
	}
	in := readOutcome(f)
	if !f.ok() {
		s.renderOutcomeForm(w, r, it, e, f, http.StatusUnprocessableEntity)
		return
	}
	postID, ok := s.recordOutcome(w, r, it, in)
	if !ok {
		return
	}
	t := &store.Thread{ID: it.ThreadID, Title: it.ThreadTitle}
	s.redirectWithFlash(w, r, postAnchor(t, &store.Post{ID: postID}), "flash_outcome_saved")
}

// recordOutcome records a checked outcome for the page or the API; it has
// answered when ok is false.
func (s *Server) recordOutcome(w http.ResponseWriter, r *http.Request, it *store.AgendaItem, in store.OutcomeInput) (int64, bool) {
	postID, err := s.store.RecordOutcome(r.Context(), currentUser(r), it.ID, in)
	switch {
	case errors.Is(err, store.ErrOutcomeRecorded):
		s.fail(w, r, http.StatusConflict, "outcome_recorded", "error_outcome_recorded")
	case errors.Is(err, store.ErrTransition):
		s.fail(w, r, http.StatusConflict, "transition", "error_transition")
	case errors.Is(err, store.ErrNotFound):
		s.notFound(w, r)
	case err != nil:
		s.serverError(w, r, err)
	default:
		return postID, true
	}
	return 0, false
}

func (s *Server) agendaMove(w http.ResponseWriter, r *http.Request) {
	it, e, f, ok := s.agendaItemPost(w, r)
	if !ok {
		return
	}
	pos, err := strconv.Atoi(f.values.Get("position"))
	if err != nil || pos < 1 {
		s.fail(w, r, http.StatusUnprocessableEntity, "position", "error_choice")
		return
	}
	if err := s.store.MoveAgendaItem(r.Context(), currentUser(r).ID, it.ID, pos); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.redirectWithFlash(w, r, eventURL(e)+"#agenda-"+strconv.FormatInt(it.ID, 10), "flash_agenda_saved")
}

func (s *Server) agendaRemove(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	it, e, ok := s.agendaItemFromPath(w, r, id, ok)
	if !ok {
		return
	}
	if !s.removeAgendaItem(w, r, it) {
		return
	}
	s.redirectWithFlash(w, r, eventURL(e)+"#agenda", "flash_agenda_removed")
}

// removeAgendaItem takes an item off for the page or the API; it has
// answered when it returns false.
func (s *Server) removeAgendaItem(w http.ResponseWriter, r *http.Request, it *store.AgendaItem) bool {
	err := s.store.RemoveAgendaItem(r.Context(), currentUser(r).ID, it.ID)
	switch {
	case errors.Is(err, store.ErrOutcomeRecorded):
		s.fail(w, r, http.StatusConflict, "outcome_recorded", "error_agenda_remove_outcome")
	case errors.Is(err, store.ErrNotFound):
		s.notFound(w, r)
	case err != nil:
		s.serverError(w, r, err)
	default:
		return true
	}
	return false
}
