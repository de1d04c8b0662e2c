package server

import (
	"errors"
	"net/http"

	"ideasx/store"
)

// addProgramme puts what the meeting page shows beside its facts into data:
// the timetable (nil when no sessions are set, and the free programme text
// is shown instead), the co-organisers, the main event of a side event and
// the side events of a main one, each only as far as the reader may see it.
func (s *Server) addProgramme(r *http.Request, e *store.Event, access store.Access, data map[string]any) error {
	ctx := r.Context()
	lang := s.lang(r)
	sessions, err := s.store.EventSessions(ctx, e.ID)
	if err != nil {
		return err
	}
	orgs, err := s.store.CoOrganisers(ctx, e.ID)
	if err != nil {
		return err
	}
	sides, err := s.store.SideEvents(ctx, e.ID, access)
	if err != nil {
		return err
	}
	if e.MainEventID != nil {
		main, err := s.store.EventByID(ctx, *e.MainEventID, access)
		switch {
		case errors.Is(err, store.ErrNotFound):
			// A members-only main event stays unnamed to visitors.
		case err != nil:
			return err
		default:
			data["MainEvent"] = main
		}
	}
	data["Timetable"] = buildTimetable(e, sessions, lang)
	data["CoOrganisers"] = coOrganiserLines(orgs, lang)
	data["SideEvents"] = sides
	return nil
}
