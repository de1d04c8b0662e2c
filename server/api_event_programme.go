package server

import (
	"errors"
	"net/http"
	"time"

	"ideasx/store"
)

// apiProgramme is what one event's JSON adds to the event itself: its
// sessions with their people, its co-organisers, and its side events the
// reader may see. Lists of events leave it out (one query per event).
type apiProgramme struct {
	Sessions     []store.EventSession `json:"sessions"`
	CoOrganisers []store.CoOrganiser  `json:"co_organisers"`
	SideEvents   []apiEventRef        `json:"side_events"`
}

// apiEventRef names another event, with the address of its page.
type apiEventRef struct {
	ID       int64     `json:"id"`
	Title    string    `json:"title"`
	StartsAt time.Time `json:"starts_at"`
	EndsAt   time.Time `json:"ends_at"`
	URL      string    `json:"url"`
}

func (s *Server) apiProgrammeOf(r *http.Request, e *store.Event) (*apiProgramme, error) {
	ctx := r.Context()
	access := store.AccessFor(currentUser(r))
	p := &apiProgramme{SideEvents: []apiEventRef{}}
	var err error
	if p.Sessions, err = s.store.EventSessions(ctx, e.ID); err != nil {
		return nil, err
	}
	if p.CoOrganisers, err = s.store.CoOrganisers(ctx, e.ID); err != nil {
		return nil, err
	}
	sides, err := s.store.SideEvents(ctx, e.ID, access)
	if err != nil {
		return nil, err
	}
	for _, side := range sides {
		p.SideEvents = append(p.SideEvents, apiEventRef{ID: side.ID, Title: side.Title, StartsAt: side.StartsAt, EndsAt: side.EndsAt,
			URL: s.cfg.BaseURL + eventURL(&side)})
	}
	// Which speaker has an account is for those who can find the account: forum readers.
	if u := currentUser(r); u == nil || !u.CanReadForum() {
		for i := range p.Sessions {
			for j := range p.Sessions[i].People {
				p.Sessions[i].People[j].UserID, p.Sessions[i].People[j].Handle = nil, ""
			}
		}
	}
	if err := s.hideUnseenMainEvent(r, e); err != nil {
		return nil, err
	}
	return p, nil
}

// hideUnseenMainEvent drops the link from a side event to a main event the
// reader may not see: not even its id tells a visitor that a members-only
// meeting exists.
func (s *Server) hideUnseenMainEvent(r *http.Request, e *store.Event) error {
	if e.MainEventID == nil {
		return nil
	}
	_, err := s.store.EventByID(r.Context(), *e.MainEventID, store.AccessFor(currentUser(r)))
	switch {
	case errors.Is(err, store.ErrNotFound):
		e.MainEventID = nil
	case err != nil:
		return err
	}
	return nil
}

// writeAPIEvent answers with one event and its programme.
func (s *Server) writeAPIEvent(w http.ResponseWriter, r *http.Request, status int, e *store.Event) {
	p, err := s.apiProgrammeOf(r, e)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if e.DocumentIDs == nil {
		e.DocumentIDs = []int64{}
	}
	writeJSON(w, status, apiEvent{Event: *e, URL: s.cfg.BaseURL + eventURL(e), apiProgramme: p})
}
