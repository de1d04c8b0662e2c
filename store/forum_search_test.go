package store_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"ideasx/store"
	"ideasx/store/storetest"
)

// TestForumSearchByOrganisationKeepsAttribution: filtering by organisation
// must not tell a member who spoke where the thread hides it. A Chatham
// House post and a personal-capacity post by organisation X are found by a
// moderator filtering on X, never by a member; an on-the-record post is
// found by both.
func TestForumSearchByOrganisationKeepsAttribution(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		theme := firstTheme(t, s)
		x := mustUser(t, s, "x@x.org", store.RoleBusiness, "Xylo Exports")
		other := mustUser(t, s, "o@o.org", store.RoleMember, "Delegation of Y")
		threads := map[store.Attribution]*store.Thread{}
		for _, mode := range store.Attributions {
			th, err := s.CreateThread(ctx, store.NewThread{ThemeID: theme.ID, Kind: store.Discussion, Title: "Quotas " + string(mode),
				Attribution: mode, Body: "Opening by the delegation.", HTML: "x", Author: other})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := s.CreatePost(ctx, store.NewPost{ThreadID: th.ID, Author: x, Body: "Tariff quotas run out in January.", HTML: "x"}); err != nil {
				t.Fatal(err)
			}
			threads[mode] = th
		}
		search := func(f store.ForumSearchFilter) []string {
			t.Helper()
			hits, err := s.SearchForum(ctx, "quotas", f)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, h := range hits {
				got = append(got, h.Title)
			}
			return got
		}
		member := store.ForumSearchFilter{OrganisationID: x.OrganisationID}
		if got := fmt.Sprint(search(member)); got != "[Quotas record]" {
			t.Errorf("member filtering on the organisation: got %s, want [Quotas record]", got)
		}
		moderator := store.ForumSearchFilter{OrganisationID: x.OrganisationID, AllAttributions: true}
		if got := search(moderator); len(got) != 3 {
			t.Errorf("moderator filtering on the organisation: got %v, want the three threads", got)
		}
		if got := search(store.ForumSearchFilter{}); len(got) != 3 {
			t.Errorf("no filter: got %v, want the three threads", got)
		}
		if got := search(store.ForumSearchFilter{OrganisationID: other.OrganisationID}); fmt.Sprint(got) != "[Quotas record]" {
			t.Errorf("the other organisation, on the record only: got %v", got)
		}

		// The list of organisations to pick from follows the same rule.
		names := func(all bool) []string {
			t.Helper()
			orgs, err := s.ForumOrganisations(ctx, all)
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, o := range orgs {
				out = append(out, o.Name)
			}
			return out
		}
		if got := fmt.Sprint(names(false)); got != "[Delegation of Y Xylo Exports]" {
			t.Errorf("organisations on the record: %s", got)
		}
		// Once the thread on the record changes mode, X has spoken on the record nowhere.
		if err := s.SetThreadAttribution(ctx, 0, threads[store.OnTheRecord].ID, store.ChathamHouse); err != nil {
			t.Fatal(err)
		}
		if got := search(member); len(got) != 0 {
			t.Errorf("after the change to Chatham House a member still finds %v", got)
		}
		if got := fmt.Sprint(names(false)); got != "[]" {
			t.Errorf("organisations on the record after the change: %s", got)
		}
		if got := fmt.Sprint(names(true)); got != "[Delegation of Y Xylo Exports]" {
			t.Errorf("organisations for moderators: %s", got)
		}
	})
}

func TestSetThreadAttributionIsAudited(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		biz := mustUser(t, s, "biz@x.org", store.RoleBusiness, "Firm")
		mod := mustUser(t, s, "mod@x.org", store.RoleModerator, "Secretariat")
		th := newThread(t, s, biz, firstTheme(t, s).ID, "Modes")
		if err := s.SetThreadAttribution(ctx, mod.ID, th.ID, store.PersonalCapacity); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.ThreadByID(ctx, th.ID); got.Attribution != store.PersonalCapacity {
			t.Errorf("attribution %q, want personal", got.Attribution)
		}
		log, _ := s.AuditLog(ctx, store.AuditFilter{Action: "thread.attribution"})
		if len(log) != 1 || log[0].ActorID != mod.ID || log[0].BeforeJSON != `{"attribution":"record"}` || log[0].AfterJSON != `{"attribution":"personal"}` {
			t.Errorf("audit: %+v", log)
		}
		if err := s.SetThreadAttribution(ctx, mod.ID, th.ID, "loud"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("unknown mode: %v", err)
		}
		if err := s.SetThreadAttribution(ctx, mod.ID, 99999, store.ChathamHouse); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("unknown thread: %v", err)
		}
		if pos, err := s.ReadPosition(ctx, biz.ID, th.ID); err != nil || pos != 0 {
			t.Errorf("read position before reading: %d %v", pos, err)
		}
		posts, _ := s.Posts(ctx, th.ID, 0, 1)
		_ = s.MarkRead(ctx, biz, th.ID, posts[0].ID)
		if pos, err := s.ReadPosition(ctx, biz.ID, th.ID); err != nil || pos != posts[0].ID {
			t.Errorf("read position: %d %v, want %d", pos, err, posts[0].ID)
		}
	})
}
