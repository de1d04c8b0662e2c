package server

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"ideasx/store"
)

// The agenda over the API: anyone reads it with the page's rights (the
// public only the items whose challenge became a published public
// document); moderators add, reorder and remove items and record outcomes,
// through the same store calls and audit entries as the pages.
func (s *Server) agendaAPIRoutes(mux *routeTable) {
	s.api(mux, "GET /api/v1/events/{ref}/agenda", http.HandlerFunc(s.apiAgendaList))
	s.api(mux, "POST /api/v1/events/{ref}/agenda", refAsID(s.moderator(s.apiAgendaCreate)))
	s.api(mux, "PUT /api/v1/events/{ref}/agenda/{item}", refAsID(s.moderator(s.apiAgendaMove)))
	s.api(mux, "DELETE /api/v1/events/{ref}/agenda/{item}", refAsID(s.moderator(s.apiAgendaDelete)))
	s.api(mux, "POST /api/v1/events/{ref}/agenda/{item}/outcome", refAsID(s.moderator(s.apiOutcomeCreate)))
}

// apiAgendaItem is an agenda item as the caller may see it. ThreadID and
// the thread's address are for forum readers; the public gets the public
// document's title instead, and never a name.
type apiAgendaItem struct {
	ID             int64                 `json:"id"`
	EventID        int64                 `json:"event_id"`
	Position       int                   `json:"position"`
	Title          string                `json:"title"`
	URL            string                `json:"url"`
	ThreadID       int64                 `json:"thread_id,omitempty"`
	RaisedBy       apiRaisedBy           `json:"raised_by"`
	PublicDocument *apiDocRef            `json:"public_document"`
	Outcome        *apiOutcome           `json:"outcome"`
	ThreadStatus   store.ChallengeStatus `json:"thread_status,omitempty"`
}

// apiRaisedBy is who raised the challenge: a name and organisation where
// the thread's attribution rule lets the caller know them; always the kind
// of organisation and its region.
type apiRaisedBy struct {
	Name             string `json:"name,omitempty"`
	Organisation     string `json:"organisation,omitempty"`
	OrganisationKind string `json:"organisation_kind"`
	Region           string `json:"region"`
	HiddenFromOthers bool   `json:"hidden_from_others,omitempty"`
}

type apiDocRef struct {
	ID    int64  `json:"id"`
	Title string `json:"title"`
	URL   string `json:"url"`
}

type apiOutcome struct {
	EN         string    `json:"en"`
	FR         string    `json:"fr"`
	ES         string    `json:"es"`
	RecordedAt time.Time `json:"recorded_at"`
	PostID     int64     `json:"post_id,omitempty"`
}

func (s *Server) apiAgendaJSON(reader *store.User, it *store.AgendaItem) apiAgendaItem {
	l := s.viewAgendaLine(reader, it, "en")
	out := apiAgendaItem{ID: it.ID, EventID: it.EventID, Position: it.Position, Title: l.Title, URL: s.cfg.BaseURL + l.URL,
		RaisedBy: apiRaisedBy{Name: l.By.Name, Organisation: l.By.Organisation, OrganisationKind: string(it.OrgKind),
			Region: trimRegion(l.Region), HiddenFromOthers: l.By.Withheld}}
	if reader.CanReadForum() {
		out.ThreadID, out.ThreadStatus = it.ThreadID, it.ThreadStatus
	}
	if l.DocURL != "" {
		out.PublicDocument = &apiDocRef{ID: *it.PublicDocID, Title: l.DocTitle, URL: s.cfg.BaseURL + l.DocURL}
	}
	if it.HasOutcome() {
		out.Outcome = &apiOutcome{EN: it.OutcomeEN, FR: it.OutcomeFR, ES: it.OutcomeES, RecordedAt: *it.OutcomeAt}
		if it.OutcomePostID != nil && reader.CanReadForum() {
			out.Outcome.PostID = *it.OutcomePostID
		}
	}
	return out
}

// trimRegion is a region's translation id without its prefix ("americas").
func trimRegion(id string) string {
	const prefix = "region_"
	if len(id) > len(prefix) {
		return id[len(prefix):]
	}
	return id
}

func (s *Server) apiAgendaList(w http.ResponseWriter, r *http.Request) {
	e, ok := s.eventFromRef(w, r)
	if !ok {
		return
	}
	me := currentUser(r)
	items, err := s.store.EventAgenda(r.Context(), e.ID, store.AccessFor(me))
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	out := make([]apiAgendaItem, len(items))
	for i := range items {
		out[i] = s.apiAgendaJSON(me, &items[i])
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": out})
}

// apiAgendaTarget loads the event and the agenda item of the path for a
// moderator; it has answered when ok is false. An item of another event is not found.
func (s *Server) apiAgendaTarget(w http.ResponseWriter, r *http.Request) (*store.AgendaItem, bool) {
	eventID, err := parseID(r.PathValue("id"))
	if err != nil {
		s.notFound(w, r)
		return nil, false
	}
	itemID, err := parseID(r.PathValue("item"))
	it, _, ok := s.agendaItemFromPath(w, r, itemID, err == nil)
	if !ok {
		return nil, false
	}
	if it.EventID != eventID {
		s.notFound(w, r)
		return nil, false
	}
	return it, true
}

func (s *Server) apiAgendaCreate(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	e, ok := s.visibleEvent(w, r, id, ok)
	if !ok {
		return
	}
	var in struct {
		ThreadID int64 `json:"thread_id"`
	}
	if !s.decodeJSON(w, r, &in) {
		return
	}
	if in.ThreadID <= 0 {
		s.apiFieldError(w, r, "thread_id", "error_required")
		return
	}
	it, err := s.store.AddAgendaItem(r.Context(), currentUser(r), e.ID, in.ThreadID)
	switch {
	case errors.Is(err, store.ErrNotFound):
		s.apiFieldError(w, r, "thread_id", "error_agenda_thread")
	case errors.Is(err, store.ErrNotChallenge):
		s.apiFieldError(w, r, "thread_id", "error_agenda_not_challenge")
	case errors.Is(err, store.ErrConflict):
		s.apiError(w, r, http.StatusConflict, "already_on_agenda", "error_agenda_twice")
	case err != nil:
		s.serverError(w, r, err)
	default:
		writeJSON(w, http.StatusCreated, s.apiAgendaJSON(currentUser(r), it))
	}
}

// apiFieldError answers 422 naming the JSON property at fault.
func (s *Server) apiFieldError(w http.ResponseWriter, r *http.Request, property, msgID string) {
	f := s.apiForm(r, nil)
	f.fail(property, msgID)
	s.apiValidation(w, r, f)
}

func (s *Server) apiAgendaMove(w http.ResponseWriter, r *http.Request) {
	it, ok := s.apiAgendaTarget(w, r)
	if !ok {
		return
	}
	var in struct {
		Position int `json:"position"`
	}
	if !s.decodeJSON(w, r, &in) {
		return
	}
	if in.Position < 1 {
		s.apiFieldError(w, r, "position", "error_agenda_position")
		return
	}
	if err := s.store.MoveAgendaItem(r.Context(), currentUser(r).ID, it.ID, in.Position); err != nil {
		s.serverError(w, r, err)
		return
	}
	r.SetPathValue("ref", strconv.FormatInt(it.EventID, 10))
	s.apiAgendaList(w, r)
}

func (s *Server) apiAgendaDelete(w http.ResponseWriter, r *http.Request) {
	it, ok := s.apiAgendaTarget(w, r)
	if !ok {
		return
	}
	if s.removeAgendaItem(w, r, it) {
		w.WriteHeader(http.StatusNoContent)
	}
}

func (s *Server) apiOutcomeCreate(w http.ResponseWriter, r *http.Request) {
	it, ok := s.apiAgendaTarget(w, r)
	if !ok {
		return
	}
	var in struct {
		EN    string `json:"en"`
		FR    string `json:"fr"`
		ES    string `json:"es"`
		Close bool   `json:"close"`
	}
	if !s.decodeJSON(w, r, &in) {
		return
	}
	f := s.apiForm(r, map[string]string{"outcome_en": in.EN, "outcome_fr": in.FR, "outcome_es": in.ES,
		"close": strconv.FormatBool(in.Close)}).as(outcomeProperties)
	out := readOutcome(f)
	if !f.ok() {
		s.apiValidation(w, r, f)
		return
	}
	if _, ok := s.recordOutcome(w, r, it, out); !ok {
		return
	}
	it, err := s.store.AgendaItemByID(r.Context(), it.ID, store.AccessFor(currentUser(r)))
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, s.apiAgendaJSON(currentUser(r), it))
}

// outcomeProperties names the outcome form's fields as the API's JSON does.
var outcomeProperties = map[string]string{"outcome_en": "en", "outcome_fr": "fr", "outcome_es": "es"}
