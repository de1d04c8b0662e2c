package demo

import (
	"context"
	"testing"

	"ideasx/store"
	"ideasx/store/storetest"
)

// TestLoadTwiceAddsNothingTwice runs the demo on both engines, twice.
func TestLoadTwiceAddsNothingTwice(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		first, err := Load(ctx, s)
		if err != nil {
			t.Fatal(err)
		}
		if first.Documents < 12 || first.Events < 5 || first.Threads < 5 || first.People < 8 || first.Files < 12 {
			t.Errorf("first run added too little: %+v", first)
		}
		second, err := Load(ctx, s)
		if err != nil {
			t.Fatal(err)
		}
		if second != (Report{}) {
			t.Errorf("second run added %+v, want nothing", second)
		}
		// Referred: the letters of credit (to October) and the border fees (to MSME Day 2019); the
		// certificates of origin, answered in the forum, were closed with MSME Day's outcome.
		referred, _ := s.ListThreads(ctx, store.ThreadFilter{Status: store.StatusReferred})
		closed, _ := s.ListThreads(ctx, store.ThreadFilter{Status: store.StatusClosed})
		if len(referred) != 2 || len(closed) != 1 {
			t.Errorf("demo lifecycle: %d referred, %d closed, want 2 and 1", len(referred), len(closed))
		}
		day, _ := s.EventIDByTitle(ctx, "MSME Day 2019")
		agenda, _ := s.EventAgenda(ctx, day, store.Access{Members: true})
		public, _ := s.EventAgenda(ctx, day, store.Access{})
		if len(agenda) != 2 || !agenda[0].HasOutcome() || !agenda[1].HasOutcome() || len(public) != 1 {
			t.Errorf("MSME Day 2019's agenda: %d items for members (outcomes %v), %d for the public; want 2 with outcomes, 1 public", len(agenda), len(agenda) > 0 && agenda[0].HasOutcome(), len(public))
		}
		for _, d := range []string{"Work programme of the informal working group on MSMEs, second revision", "Newsletter, June 2019"} {
			if id, _ := s.DocumentIDByTitle(ctx, d); id == 0 {
				t.Errorf("missing demo document %q", d)
			}
		}
	})
}
