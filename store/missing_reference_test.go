package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"ideasx/store"
	"ideasx/store/storetest"
)

// TestMissingReferenceIsItsOwnError: a row naming one that does not exist
// (a client's unknown category or document id) comes back as
// ErrMissingReference on both engines, so handlers answer 422, not 500,
// and nothing is saved.
func TestMissingReferenceIsItsOwnError(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		unknown := int64(987654)
		d := store.Document{Title: "Customs note", DocDate: time.Date(2019, 6, 27, 0, 0, 0, 0, time.UTC), Visibility: store.Public,
			Status: store.Draft, CategoryID: &unknown}
		if err := s.SaveDocument(ctx, 0, &d); !errors.Is(err, store.ErrMissingReference) || errors.Is(err, store.ErrConflict) {
			t.Errorf("document in an unknown category: got %v, want ErrMissingReference", err)
		}
		if _, n, err := s.ListDocuments(ctx, store.DocFilter{Access: curator, Status: store.Draft, Limit: 10}); err != nil || n != 0 {
			t.Errorf("the refused document was saved: %d (%v)", n, err)
		}
		e := store.Event{Title: "Meeting", StartsAt: time.Date(2030, 10, 1, 8, 0, 0, 0, time.UTC), EndsAt: time.Date(2030, 10, 1, 10, 0, 0, 0, time.UTC),
			Timezone: "Europe/Zurich", Visibility: store.Public, DocumentIDs: []int64{unknown}}
		if err := s.SaveEvent(ctx, 0, &e); !errors.Is(err, store.ErrMissingReference) {
			t.Errorf("event linking an unknown document: got %v, want ErrMissingReference", err)
		}
	})
}
