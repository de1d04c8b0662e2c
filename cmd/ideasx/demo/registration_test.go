package demo

import (
	"context"
	"testing"
	"time"

	"ideasx/store"
	"ideasx/store/storetest"
)

// TestDemoRegistration: MSME Day 2019 asks for confirmation by 23 June, as
// the newsletter did; MSME Day 2027 has two demo accounts registered, once.
func TestDemoRegistration(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		for range 2 {
			if _, err := Load(ctx, s); err != nil {
				t.Fatal(err)
			}
		}
		id, _ := s.EventIDByTitle(ctx, msmeDay2019)
		rs, err := s.RegistrationSettingsOf(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		geneva, _ := time.LoadLocation("Europe/Zurich")
		if !rs.Enabled || rs.Deadline == nil || rs.Deadline.In(geneva).Format("2 January") != "23 June" {
			t.Errorf("MSME Day 2019 registration: got %+v, want open until 23 June", rs)
		}
		id2027, _ := s.EventIDByTitle(ctx, "MSME Day 2027")
		if c, _ := s.CountRegistrations(ctx, id2027); c.Confirmed != 2 {
			t.Errorf("MSME Day 2027 registrations after two runs: got %d, want 2", c.Confirmed)
		}
	})
}
