package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"ideasx/store"
	"ideasx/store/storetest"
)

func saveEvent(t *testing.T, s *store.Store, e store.Event) *store.Event {
	t.Helper()
	if e.StartsAt.IsZero() {
		e.StartsAt = time.Date(2019, 6, 27, 8, 0, 0, 0, time.UTC)
		e.EndsAt = e.StartsAt.Add(9 * time.Hour)
	}
	if e.Timezone == "" {
		e.Timezone = "Europe/Zurich"
	}
	if e.Visibility == "" {
		e.Visibility = store.Public
	}
	if err := s.SaveEvent(context.Background(), 0, &e); err != nil {
		t.Fatalf("save event %q: %v", e.Title, err)
	}
	return &e
}

func sessionAt(eventID int64, h, m, minutes int, title string, people ...store.SessionPerson) *store.EventSession {
	start := time.Date(2019, 6, 27, h, m, 0, 0, time.UTC)
	return &store.EventSession{EventID: eventID, StartsAt: start, EndsAt: start.Add(time.Duration(minutes) * time.Minute), Title: title, People: people}
}

func sessionTitles(ss []store.EventSession) string {
	var out []string
	for _, s := range ss {
		out = append(out, s.Title)
	}
	return strings.Join(out, " | ")
}

func TestEventSessionsOrderAndPeople(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		e := saveEvent(t, s, store.Event{Title: "MSME Day"})
		// Saved out of order: the programme reads in time order.
		afternoon := sessionAt(e.ID, 13, 0, 60, "Impact investment",
			store.SessionPerson{Role: store.SessionSpeaker, Name: "Ana", Title: "Founder", TitleFR: "Fondatrice", Organisation: "Kaeme"},
			store.SessionPerson{Role: store.SessionModerator, Name: "Carl", Title: "Observer"})
		afternoon.Languages = []string{"en", "fr"}
		afternoon.TitleES = "Inversión de impacto"
		opening := sessionAt(e.ID, 8, 0, 10, "Opening remarks", store.SessionPerson{Role: store.SessionOpening, Name: "Deputy Director-General"})
		for _, ss := range []*store.EventSession{afternoon, opening} {
			if err := s.SaveEventSession(ctx, 0, ss); err != nil {
				t.Fatalf("save session %q: %v", ss.Title, err)
			}
		}
		got, err := s.EventSessions(ctx, e.ID)
		if err != nil {
			t.Fatal(err)
		}
		if sessionTitles(got) != "Opening remarks | Impact investment" {
			t.Fatalf("got %q, want opening first", sessionTitles(got))
		}
		a := got[1]
		if len(a.People) != 2 || a.People[0].Name != "Ana" || a.People[1].Role != store.SessionModerator {
			t.Fatalf("got people %+v, want Ana then the moderator Carl", a.People)
		}
		if strings.Join(a.Languages, ",") != "en,fr" || a.TitleES != "Inversión de impacto" {
			t.Fatalf("got languages %v, title_es %q", a.Languages, a.TitleES)
		}
		if got := store.InLanguage("fr", a.People[0].Title, a.People[0].TitleFR, a.People[0].TitleES); got != "Fondatrice" {
			t.Fatalf("got French title %q, want Fondatrice", got)
		}
		if got := store.InLanguage("es", a.People[0].Title, a.People[0].TitleFR, a.People[0].TitleES); got != "Founder" {
			t.Fatalf("got Spanish title %q, want the English one where no Spanish is given", got)
		}

		// Updating replaces the people, in the new order.
		a.People = []store.SessionPerson{{Role: store.SessionModerator, Name: "Carl"}, {Role: store.SessionSpeaker, Name: "Bea"}}
		a.Title = "Impact investment for MSMEs"
		if err := s.SaveEventSession(ctx, 0, &a); err != nil {
			t.Fatal(err)
		}
		got, _ = s.EventSessions(ctx, e.ID)
		if got[1].Title != "Impact investment for MSMEs" || len(got[1].People) != 2 || got[1].People[0].Name != "Carl" || got[1].People[1].Name != "Bea" {
			t.Fatalf("got %+v after update", got[1])
		}

		// A session cannot be moved to another event by naming it there.
		other := saveEvent(t, s, store.Event{Title: "Other"})
		moved := got[1]
		moved.EventID = other.ID
		if err := s.SaveEventSession(ctx, 0, &moved); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("got %v, want not found for a session of another event", err)
		}

		// A person who breaks a constraint leaves the session as it was.
		bad := got[1]
		bad.Title = "Half written"
		bad.People = []store.SessionPerson{{Role: "juggler", Name: "X"}}
		if err := s.SaveEventSession(ctx, 0, &bad); err == nil {
			t.Fatal("got no error for an unknown role")
		}
		got, _ = s.EventSessions(ctx, e.ID)
		if got[1].Title != "Impact investment for MSMEs" || len(got[1].People) != 2 {
			t.Fatalf("got %q with %d people, want the session unchanged", got[1].Title, len(got[1].People))
		}

		if err := s.DeleteEventSession(ctx, 0, other.ID, got[0].ID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("got %v, want not found deleting through another event", err)
		}
		if err := s.DeleteEventSession(ctx, 0, e.ID, got[0].ID); err != nil {
			t.Fatal(err)
		}
		got, _ = s.EventSessions(ctx, e.ID)
		if sessionTitles(got) != "Impact investment for MSMEs" {
			t.Fatalf("got %q after deleting the opening", sessionTitles(got))
		}
	})
}

func TestEventProgrammeGoesWithTheEvent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		e := saveEvent(t, s, store.Event{Title: "MSME Day"})
		side := saveEvent(t, s, store.Event{Title: "Impact Investment Lab"})
		ss := sessionAt(e.ID, 8, 0, 60, "Morning", store.SessionPerson{Role: store.SessionSpeaker, Name: "Ana"})
		if err := s.SaveEventSession(ctx, 0, ss); err != nil {
			t.Fatal(err)
		}
		if err := s.SaveEventLinks(ctx, 0, e.ID, 0, []store.CoOrganiser{{Name: "ITC", NameFR: "CCI", URL: "https://intracen.org"}}); err != nil {
			t.Fatal(err)
		}
		if err := s.SaveEventLinks(ctx, 0, side.ID, e.ID, nil); err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteEvent(ctx, 0, e.ID); err != nil {
			t.Fatal(err)
		}
		var n int
		for _, table := range []string{"event_sessions", "event_session_people", "event_co_organisers"} {
			if err := s.DB().QueryRowContext(ctx, `SELECT COUNT(*) FROM `+table).Scan(&n); err != nil {
				t.Fatal(err)
			}
			if n != 0 {
				t.Errorf("got %d rows left in %s, want 0 after the event is deleted", n, table)
			}
		}
		left, err := s.EventByID(ctx, side.ID, visitor)
		if err != nil {
			t.Fatalf("got %v, want the side event kept", err)
		}
		if left.MainEventID != nil {
			t.Fatalf("got main event %d, want none once it is deleted", *left.MainEventID)
		}
	})
}

func TestSideEventLinks(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		main := saveEvent(t, s, store.Event{Title: "MSME Day"})
		lab := saveEvent(t, s, store.Event{Title: "Impact Investment Lab"})
		closed := saveEvent(t, s, store.Event{Title: "Members' breakfast", Visibility: store.MembersOnly})
		for _, side := range []*store.Event{lab, closed} {
			if err := s.SaveEventLinks(ctx, 0, side.ID, main.ID, nil); err != nil {
				t.Fatal(err)
			}
		}
		got, err := s.EventByID(ctx, lab.ID, visitor)
		if err != nil || got.MainEventID == nil || *got.MainEventID != main.ID {
			t.Fatalf("got %+v, %v, want the lab to name MSME Day", got, err)
		}
		for _, c := range []struct {
			access store.Access
			want   int
		}{{visitor, 1}, {member, 2}} {
			sides, err := s.SideEvents(ctx, main.ID, c.access)
			if err != nil || len(sides) != c.want {
				t.Errorf("got %d side events (%v), want %d for %+v", len(sides), err, c.want, c.access)
			}
		}
		// One level only: a side event has no side events, and nothing is its own main event.
		other := saveEvent(t, s, store.Event{Title: "Other"})
		for _, c := range []struct{ id, main int64 }{{other.ID, lab.ID}, {main.ID, other.ID}, {other.ID, other.ID}} {
			if err := s.SaveEventLinks(ctx, 0, c.id, c.main, []store.CoOrganiser{{Name: "Not kept"}}); !errors.Is(err, store.ErrSideEventChain) {
				t.Errorf("linking %d to %d: got %v, want ErrSideEventChain", c.id, c.main, err)
			}
		}
		if orgs, _ := s.CoOrganisers(ctx, other.ID); len(orgs) != 0 {
			t.Fatalf("got %v, want no co-organiser saved when the link was refused", orgs)
		}
		// Co-organisers keep their order; saving again replaces them.
		orgs := []store.CoOrganiser{{Name: "UK FSB"}, {Name: "ITC", NameFR: "CCI"}, {Name: "Republic and State of Geneva"}}
		if err := s.SaveEventLinks(ctx, 0, main.ID, 0, orgs); err != nil {
			t.Fatal(err)
		}
		if err := s.SaveEventLinks(ctx, 0, main.ID, 0, orgs[1:]); err != nil {
			t.Fatal(err)
		}
		saved, _ := s.CoOrganisers(ctx, main.ID)
		if len(saved) != 2 || saved[0].Name != "ITC" || saved[0].NameFR != "CCI" {
			t.Fatalf("got %+v, want ITC then Geneva", saved)
		}
		// Unlinking.
		if err := s.SaveEventLinks(ctx, 0, lab.ID, 0, nil); err != nil {
			t.Fatal(err)
		}
		if sides, _ := s.SideEvents(ctx, main.ID, member); len(sides) != 1 {
			t.Fatalf("got %d side events after unlinking the lab, want 1", len(sides))
		}
	})
}
