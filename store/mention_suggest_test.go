package store_test

import (
	"context"
	"testing"

	"ideasx/store"
	"ideasx/store/storetest"
)

func handlesOf(cs []store.MentionCandidate) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.Handle
	}
	return out
}

func hasHandle(cs []store.MentionCandidate, h string) bool {
	for _, c := range cs {
		if c.Handle == h {
			return true
		}
	}
	return false
}

// TestSuggestMentions: people who may read the forum are found by handle,
// name and organisation, those who wrote in the thread first; the writer,
// pending and suspended accounts never. Under the Chatham House rule only
// handles the forum already shows are found, by handle alone, and nobody is
// put first for having written in the thread.
func TestSuggestMentions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		theme := firstTheme(t, s)
		writer := mustUser(t, s, "writer@x.org", store.RoleBusiness, "Andes Textiles")
		chile := mustUser(t, s, "del@chile.org", store.RoleMember, "Delegation of Chile")
		peru := mustUser(t, s, "del@peru.org", store.RoleMember, "Delegation of Peru")
		pending := mustUser(t, s, "new@x.org", store.RolePending, "Newcomers Ltd")
		quiet := mustUser(t, s, "quiet@x.org", store.RoleBusiness, "Silent Partners")
		suspended := mustUser(t, s, "gone@x.org", store.RoleBusiness, "Gone Ltd")
		if err := s.SetStatus(ctx, writer.ID, suspended.ID, store.StatusSuspended); err != nil {
			t.Fatal(err)
		}
		th := newThread(t, s, writer, theme.ID, "Customs forms in three languages")
		if _, err := s.CreatePost(ctx, store.NewPost{ThreadID: th.ID, Author: peru, Body: "We accept English.", HTML: "<p>x</p>"}); err != nil {
			t.Fatal(err)
		}
		suggest := func(q store.MentionQuery) []store.MentionCandidate {
			t.Helper()
			q.WriterID = writer.ID
			got, err := s.SuggestMentions(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			return got
		}

		all := suggest(store.MentionQuery{ThreadID: th.ID})
		if len(all) == 0 || all[0].Handle != peru.Handle || !all[0].InThread {
			t.Errorf("empty text in the thread: got %v, want %s (who replied) first", handlesOf(all), peru.Handle)
		}
		for _, h := range []string{writer.Handle, pending.Handle, suspended.Handle} {
			if hasHandle(all, h) {
				t.Errorf("suggested %s: got %v", h, handlesOf(all))
			}
		}
		if !hasHandle(all, chile.Handle) || !hasHandle(all, quiet.Handle) {
			t.Errorf("every forum reader may be mentioned: got %v", handlesOf(all))
		}
		if got := suggest(store.MentionQuery{Text: "chile"}); len(got) != 1 || got[0].Handle != chile.Handle || got[0].OrgName != "Delegation of Chile" {
			t.Errorf("by organisation: got %+v", got)
		}
		if got := suggest(store.MentionQuery{Text: "Delegation of Chile", WithoutOrganisation: true}); len(got) != 0 {
			t.Errorf("personal capacity matched an organisation: got %v", handlesOf(got))
		}
		if got := suggest(store.MentionQuery{Text: "PERSON QUIET"}); len(got) != 1 || got[0].Handle != quiet.Handle {
			t.Errorf("by name, any case: got %v", handlesOf(got))
		}
		if got := suggest(store.MentionQuery{Text: "100%_"}); len(got) != 0 {
			t.Errorf("LIKE wildcards are letters: got %v", handlesOf(got))
		}

		// Chatham House: Peru wrote only here (on the record), Chile nowhere, quiet was mentioned.
		ch, err := s.CreateThread(ctx, store.NewThread{ThemeID: theme.ID, Kind: store.Discussion, Title: "Off the record",
			Attribution: store.ChathamHouse, Body: "b", HTML: "<p>b</p>", Author: chile})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.CreatePost(ctx, store.NewPost{ThreadID: th.ID, Author: writer, Body: "@" + quiet.Handle, HTML: "<p>x</p>", Mentions: []int64{quiet.ID}}); err != nil {
			t.Fatal(err)
		}
		got := suggest(store.MentionQuery{ThreadID: ch.ID, HandlesOnly: true})
		if !hasHandle(got, peru.Handle) || !hasHandle(got, quiet.Handle) || hasHandle(got, chile.Handle) {
			t.Errorf("Chatham House: got %v, want %s (named on the record) and %s (mentioned), not %s (wrote only under the rule)",
				handlesOf(got), peru.Handle, quiet.Handle, chile.Handle)
		}
		for _, c := range got {
			if c.InThread {
				t.Errorf("Chatham House ranks %s as having written in the thread", c.Handle)
			}
		}
		if got := suggest(store.MentionQuery{ThreadID: ch.ID, HandlesOnly: true, Text: "Delegation"}); len(got) != 0 {
			t.Errorf("Chatham House matched an organisation: got %v", handlesOf(got))
		}
	})
}

// TestUserTimeZone: a new account reads Geneva's time unless it says
// otherwise, and keeps the zone it sets.
func TestUserTimeZone(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		u := mustUser(t, s, "tz@x.org", store.RoleBusiness, "Clocks Ltd")
		if u.TimeZone != store.DefaultTimeZone {
			t.Errorf("default zone: got %q, want %q", u.TimeZone, store.DefaultTimeZone)
		}
		ny, err := s.CreateUser(ctx, store.NewUser{Email: "ny@x.org", Name: "New Yorker", Role: store.RoleBusiness, Status: store.StatusActive,
			PasswordHash: "x", TimeZone: "America/New_York"}, newOrg("Clocks Ltd", store.OrgBusiness))
		if err != nil {
			t.Fatal(err)
		}
		if ny.TimeZone != "America/New_York" {
			t.Errorf("zone given at sign-up: got %q", ny.TimeZone)
		}
		if err := s.SetTimeZone(ctx, u.ID, "Asia/Tokyo"); err != nil {
			t.Fatal(err)
		}
		again, err := s.UserByID(ctx, u.ID)
		if err != nil || again.TimeZone != "Asia/Tokyo" {
			t.Errorf("after SetTimeZone: got %q (%v), want Asia/Tokyo", again.TimeZone, err)
		}
	})
}
