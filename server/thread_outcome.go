package server

import (
	"net/http"

	"ideasx/store"
)

// outcomeLabel is what marks a thread entry as a meeting's outcome: the
// meeting, named and linked when the reader may see it.
type outcomeLabel struct {
	EventTitle, EventURL string
	// EventID and ItemID say which meeting and agenda item, for the API.
	EventID, ItemID int64
}

// outcomeOf labels the outcome that agenda item it is.
func outcomeOf(it *store.AgendaItem) *outcomeLabel {
	e := &store.Event{ID: it.EventID, Title: it.EventTitle}
	return &outcomeLabel{EventTitle: e.Title, EventURL: eventURL(e), EventID: it.EventID, ItemID: it.ID}
}

// markOutcomes marks the posts of a page of thread t that are meetings'
// outcomes. A thread has few agenda items, so they are read at once.
func (s *Server) markOutcomes(r *http.Request, t *store.Thread, views []postView) error {
	if t.Kind != store.Challenge {
		return nil // only challenges go on agendas
	}
	items, err := s.store.ThreadAgenda(r.Context(), t.ID, store.AccessFor(currentUser(r)))
	if err != nil {
		return err
	}
	markOutcomesFrom(items, views)
	return nil
}

// markOutcomesFrom marks the posts among views that are the outcome of one of
// the thread's agenda items.
func markOutcomesFrom(items []store.AgendaItem, views []postView) {
	byPost := map[int64]*store.AgendaItem{}
	for i := range items {
		if p := items[i].OutcomePostID; p != nil {
			byPost[*p] = &items[i]
		}
	}
	for i := range views {
		if it, ok := byPost[views[i].ID]; ok {
			views[i].Outcome = outcomeOf(it)
		}
	}
}
