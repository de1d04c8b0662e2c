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
		referred, _ := s.ListThreads(ctx, store.ThreadFilter{Status: store.StatusReferred})
		answered, _ := s.ListThreads(ctx, store.ThreadFilter{Status: store.StatusAnswered})
		if len(referred) != 1 || len(answered) != 1 {
			t.Errorf("demo lifecycle: %d referred, %d answered, want 1 and 1", len(referred), len(answered))
		}
		for _, d := range []string{"Work programme of the informal working group on MSMEs, second revision", "Newsletter, June 2019"} {
			if id, _ := s.DocumentIDByTitle(ctx, d); id == 0 {
				t.Errorf("missing demo document %q", d)
			}
		}
	})
}
