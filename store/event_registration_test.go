package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"ideasx/store"
	"ideasx/store/storetest"
)

// registrationEvent is a public meeting in a month's time taking
// registrations from everyone, with capacity seats.
func registrationEvent(t *testing.T, s *store.Store, capacity int) *store.Event {
	t.Helper()
	start := s.Now().Add(30 * 24 * time.Hour).Truncate(time.Minute)
	e := saveEvent(t, s, store.Event{Title: "Open meeting", StartsAt: start, EndsAt: start.Add(3 * time.Hour), Place: "Room D",
		OnlineURL: "https://meet.example/secret-room"})
	rs := &store.RegistrationSettings{EventID: e.ID, Enabled: true, OpenVisitors: true, OpenBusinesses: true, OpenMembers: true,
		Capacity: capacity, LinkRevealMinutes: 30}
	if err := s.SaveRegistrationSettings(context.Background(), 0, rs); err != nil {
		t.Fatalf("settings: %v", err)
	}
	return e
}

func registerFor(t *testing.T, s *store.Store, eventID int64, email string) *store.Registration {
	t.Helper()
	r := &store.Registration{EventID: eventID, Name: strings.Split(email, "@")[0], Email: email}
	if err := s.Register(context.Background(), r, store.RegistrantVisitor); err != nil {
		t.Fatalf("register %s: %v", email, err)
	}
	return r
}

// takeRegistrationMails empties the outbox and says, per registration mail,
// "<what>:<registration id>", sorted.
func takeRegistrationMails(t *testing.T, s *store.Store) []string {
	t.Helper()
	ctx := context.Background()
	mails, err := s.ClaimMail(ctx, "test", 1000, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, m := range mails {
		if err := s.MailSent(ctx, m.ID, "test"); err != nil {
			t.Fatal(err)
		}
		if m.Kind != store.MailRegistration {
			continue
		}
		var p store.RegistrationMailPayload
		if err := json.Unmarshal([]byte(m.Payload), &p); err != nil {
			t.Fatal(err)
		}
		out = append(out, fmt.Sprintf("%s:%d", p.What, p.RegistrationID))
	}
	sort.Strings(out)
	return out
}

func TestRegistrationWaitingListPromotesOnCancel(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		e := registrationEvent(t, s, 2)
		a, b, c := registerFor(t, s, e.ID, "a@example.org"), registerFor(t, s, e.ID, "b@example.org"), registerFor(t, s, e.ID, "c@example.org")
		if a.Status != store.RegistrationConfirmed || b.Status != store.RegistrationConfirmed || c.Status != store.RegistrationWaiting {
			t.Fatalf("got %s, %s, %s; want confirmed, confirmed, waiting", a.Status, b.Status, c.Status)
		}
		if pos, _ := s.WaitingPosition(ctx, c); pos != 1 {
			t.Errorf("waiting position: got %d, want 1", pos)
		}
		takeRegistrationMails(t, s)

		_, promoted, err := s.CancelRegistration(ctx, 0, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if promoted == nil || promoted.ID != c.ID {
			t.Fatalf("promoted: got %+v, want registration %d", promoted, c.ID)
		}
		got, _ := s.RegistrationByID(ctx, c.ID)
		if got.Status != store.RegistrationConfirmed {
			t.Errorf("after the cancellation the first on the waiting list: got %s, want confirmed", got.Status)
		}
		want := []string{fmt.Sprintf("cancelled:%d", a.ID), fmt.Sprintf("promoted:%d", c.ID)}
		if mails := takeRegistrationMails(t, s); strings.Join(mails, " ") != strings.Join(want, " ") {
			t.Errorf("mails: got %v, want %v", mails, want)
		}
		counts, _ := s.CountRegistrations(ctx, e.ID)
		if counts.Confirmed != 2 || counts.Waiting != 0 {
			t.Errorf("counts: got %+v, want 2 confirmed, 0 waiting", counts)
		}
		// Cancelling twice changes nothing and promotes nobody.
		if _, again, err := s.CancelRegistration(ctx, 0, a.ID); err != nil || again != nil {
			t.Errorf("second cancellation: got %v, %v; want nothing", again, err)
		}
		// The same address may register again once cancelled: on the waiting list now.
		again := registerFor(t, s, e.ID, "a@example.org")
		if again.Status != store.RegistrationWaiting {
			t.Errorf("registering again when full: got %s, want waiting", again.Status)
		}
	})
}

func TestRegistrationBadInputChangesNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		e := registrationEvent(t, s, 2)
		registerFor(t, s, e.ID, "a@example.org")
		registerFor(t, s, e.ID, "b@example.org")
		takeRegistrationMails(t, s)

		dup := &store.Registration{EventID: e.ID, Name: "A again", Email: "A@Example.org"}
		if err := s.Register(ctx, dup, store.RegistrantVisitor); !errors.Is(err, store.ErrConflict) {
			t.Errorf("double registration: got %v, want ErrConflict", err)
		}

		rs, _ := s.RegistrationSettingsOf(ctx, e.ID)
		rs.Capacity = 1
		var ce *store.CapacityError
		if err := s.SaveRegistrationSettings(ctx, 0, rs); !errors.As(err, &ce) || ce.Confirmed != 2 {
			t.Errorf("capacity below the seats taken: got %v, want a CapacityError naming 2", err)
		}
		if now, _ := s.RegistrationSettingsOf(ctx, e.ID); now.Capacity != 2 {
			t.Errorf("capacity after the refusal: got %d, want 2 unchanged", now.Capacity)
		}

		rs.Capacity = 2
		rs.OpenVisitors = false
		if err := s.SaveRegistrationSettings(ctx, 0, rs); err != nil {
			t.Fatal(err)
		}
		if err := s.Register(ctx, &store.Registration{EventID: e.ID, Name: "V", Email: "v@example.org"}, store.RegistrantVisitor); !errors.Is(err, store.ErrRegistrationNotOpen) {
			t.Errorf("visitor when closed to visitors: got %v, want ErrRegistrationNotOpen", err)
		}

		past := s.Now().Add(-time.Hour)
		rs.OpenVisitors, rs.Deadline = true, &past
		if err := s.SaveRegistrationSettings(ctx, 0, rs); err != nil {
			t.Fatal(err)
		}
		if err := s.Register(ctx, &store.Registration{EventID: e.ID, Name: "Late", Email: "late@example.org"}, store.RegistrantVisitor); !errors.Is(err, store.ErrRegistrationDeadline) {
			t.Errorf("past the deadline: got %v, want ErrRegistrationDeadline", err)
		}

		if err := s.Register(ctx, &store.Registration{EventID: e.ID + 999, Name: "X", Email: "x@example.org"}, store.RegistrantVisitor); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("unknown event: got %v, want ErrNotFound", err)
		}
		regs, _ := s.EventRegistrations(ctx, e.ID)
		if len(regs) != 2 {
			t.Errorf("registrations after the refusals: got %d, want 2", len(regs))
		}
		if mails := takeRegistrationMails(t, s); len(mails) != 0 {
			t.Errorf("mails after the refusals: got %v, want none", mails)
		}
	})
}

func TestRegistrationCapacityRaisedPromotes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		e := registrationEvent(t, s, 1)
		registerFor(t, s, e.ID, "a@example.org")
		b := registerFor(t, s, e.ID, "b@example.org")
		rs, _ := s.RegistrationSettingsOf(ctx, e.ID)
		rs.Capacity = 5
		if err := s.SaveRegistrationSettings(ctx, 0, rs); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.RegistrationByID(ctx, b.ID); got.Status != store.RegistrationConfirmed {
			t.Errorf("waiting list after more seats: got %s, want confirmed", got.Status)
		}
	})
}

func TestEventChangeAndCancelTellRegistrants(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		e := registrationEvent(t, s, 1)
		a := registerFor(t, s, e.ID, "a@example.org")
		b := registerFor(t, s, e.ID, "b@example.org") // waiting
		takeRegistrationMails(t, s)

		// A new title alone is not news to registrants.
		e.Title = "Open meeting (renamed)"
		if err := s.SaveEvent(ctx, 0, e); err != nil {
			t.Fatal(err)
		}
		if mails := takeRegistrationMails(t, s); len(mails) != 0 {
			t.Errorf("after a new title: got %v, want no mail", mails)
		}
		e.StartsAt, e.EndsAt = e.StartsAt.Add(time.Hour), e.EndsAt.Add(time.Hour)
		if err := s.SaveEvent(ctx, 0, e); err != nil {
			t.Fatal(err)
		}
		if mails := takeRegistrationMails(t, s); strings.Join(mails, " ") != fmt.Sprintf("updated:%d", a.ID) {
			t.Errorf("after a new time: got %v, want the update to the seat holder only", mails)
		}
		rs, _ := s.RegistrationSettingsOf(ctx, e.ID)
		if rs.ICSSequence != 1 {
			t.Errorf("invitation sequence after a change: got %d, want 1", rs.ICSSequence)
		}
		if err := s.CancelEvent(ctx, 0, e.ID); err != nil {
			t.Fatal(err)
		}
		want := []string{fmt.Sprintf("event_cancelled:%d", a.ID), fmt.Sprintf("event_cancelled:%d", b.ID)}
		if mails := takeRegistrationMails(t, s); strings.Join(mails, " ") != strings.Join(want, " ") {
			t.Errorf("after cancelling the meeting: got %v, want %v", mails, want)
		}
		if rs, _ := s.RegistrationSettingsOf(ctx, e.ID); rs.ICSSequence != 2 {
			t.Errorf("invitation sequence after cancelling: got %d, want 2", rs.ICSSequence)
		}
		if err := s.Register(ctx, &store.Registration{EventID: e.ID, Name: "C", Email: "c@example.org"}, store.RegistrantVisitor); !errors.Is(err, store.ErrRegistrationClosed) {
			t.Errorf("registering for a cancelled meeting: got %v, want ErrRegistrationClosed", err)
		}
	})
}

func TestOnlineLinkHiddenWhenRegistrationOn(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		e := registrationEvent(t, s, 0)
		open := saveEvent(t, s, store.Event{Title: "Webinar", OnlineURL: "https://meet.example/open"})
		for _, a := range []store.Access{{}, {Members: true}} {
			got, _ := s.EventByID(ctx, e.ID, a)
			if got.OnlineURL != "" {
				t.Errorf("access %+v: online link of a meeting taking registrations: got %q, want hidden", a, got.OnlineURL)
			}
			all, _ := s.AllEvents(ctx, a)
			for _, ev := range all {
				if strings.Contains(ev.OnlineURL, "secret-room") {
					t.Errorf("access %+v: the feed's events carry the hidden link", a)
				}
			}
			if got, _ := s.EventByID(ctx, open.ID, a); got.OnlineURL != "https://meet.example/open" {
				t.Errorf("access %+v: a meeting without registration shows its link: got %q", a, got.OnlineURL)
			}
		}
		if got, _ := s.EventByID(ctx, e.ID, store.Access{Members: true, Curator: true}); got.OnlineURL == "" {
			t.Error("organisers: got no online link, want it to edit")
		}
	})
}

func TestCheckInAndReminders(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		e := registrationEvent(t, s, 1)
		a := registerFor(t, s, e.ID, "a@example.org")
		b := registerFor(t, s, e.ID, "b@example.org")
		if _, _, err := s.CheckIn(ctx, 0, b.ID); !errors.Is(err, store.ErrNotConfirmed) {
			t.Errorf("checking in the waiting list: got %v, want ErrNotConfirmed", err)
		}
		r, already, err := s.CheckIn(ctx, 0, a.ID)
		if err != nil || already || r.CheckedInAt == nil {
			t.Fatalf("check in: got %+v, %v, %v", r, already, err)
		}
		if _, already, _ := s.CheckIn(ctx, 0, a.ID); !already {
			t.Error("second check-in: got a new one, want 'already'")
		}
		takeRegistrationMails(t, s)

		if n, _ := s.QueueDueEventReminders(ctx); n != 0 {
			t.Errorf("reminders a month before: got %d, want 0", n)
		}
		s.SetClock(func() time.Time { return e.StartsAt.Add(-20 * time.Hour) })
		if n, _ := s.QueueDueEventReminders(ctx); n != 1 {
			t.Errorf("reminders the day before: got %d, want 1 (the seat holder)", n)
		}
		if n, _ := s.QueueDueEventReminders(ctx); n != 0 {
			t.Errorf("reminders again: got %d, want 0", n)
		}
		if mails := takeRegistrationMails(t, s); strings.Join(mails, " ") != fmt.Sprintf("reminder:%d", a.ID) {
			t.Errorf("reminder mails: got %v", mails)
		}
	})
}

func TestRegistrationFiguresCountSeatsByKind(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		e := registrationEvent(t, s, 0)
		for i, kind := range []string{"business", "business", "member", ""} {
			r := &store.Registration{EventID: e.ID, Name: "P", Email: fmt.Sprintf("p%d@example.org", i), OrgKind: kind, Country: "UY"}
			if err := s.Register(ctx, r, store.RegistrantVisitor); err != nil {
				t.Fatal(err)
			}
			if i == 0 {
				if _, _, err := s.CheckIn(ctx, 0, r.ID); err != nil {
					t.Fatal(err)
				}
			}
		}
		figs, err := s.RegistrationFigures(ctx)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string][2]int{}
		for _, f := range figs {
			got[f.OrgKind] = [2]int{f.Registered, f.Attended}
		}
		if got["business"] != [2]int{2, 1} || got["member"] != [2]int{1, 0} || got[""] != [2]int{1, 0} {
			t.Errorf("figures: got %v", got)
		}
	})
}
