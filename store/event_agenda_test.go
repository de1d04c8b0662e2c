package store_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"ideasx/store"
	"ideasx/store/storetest"
)

func agendaTitles(items []store.AgendaItem) string {
	var out []string
	for _, it := range items {
		out = append(out, it.ThreadTitle)
	}
	return fmt.Sprint(out)
}

func notifiedKinds(t *testing.T, s *store.Store, u *store.User) map[store.NotificationKind]int {
	t.Helper()
	list, err := s.Notifications(context.Background(), u.ID, 100, 0)
	if err != nil {
		t.Fatal(err)
	}
	out := map[store.NotificationKind]int{}
	for _, n := range list {
		out[n.Kind]++
	}
	return out
}

func TestAgendaReferralVisibilityAndOrder(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		theme := firstTheme(t, s)
		biz := mustUser(t, s, "biz@x.org", store.RoleBusiness, "Firm")
		mod := mustUser(t, s, "mod@x.org", store.RoleModerator, "Secretariat")
		ev := saveEvent(t, s, store.Event{Title: "MSME Day"})
		first := newThread(t, s, biz, theme.ID, "Customs forms")
		second := newThread(t, s, biz, theme.ID, "Payments abroad")
		hidden := newThread(t, s, biz, theme.ID, "Hidden one")

		// A referral from the thread puts the challenge on the agenda; referring again adds nothing twice.
		if err := s.ChangeChallengeStatus(ctx, mod, first.ID, store.StatusRequest{To: store.StatusReferred, EventID: ev.ID}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.AddAgendaItem(ctx, mod, ev.ID, first.ID); !errors.Is(err, store.ErrConflict) {
			t.Errorf("adding twice: got %v, want ErrConflict", err)
		}
		// Added through the agenda, an open challenge is referred.
		if _, err := s.AddAgendaItem(ctx, mod, ev.ID, second.ID); err != nil {
			t.Fatal(err)
		}
		if th, _ := s.ThreadByID(ctx, second.ID); th.Status != store.StatusReferred {
			t.Errorf("added challenge status %s, want referred", th.Status)
		}
		if _, err := s.AddAgendaItem(ctx, mod, ev.ID, hidden.ID); err != nil {
			t.Fatal(err)
		}
		seqBefore, _ := s.TopicSeq(ctx, store.EventTopic(ev.ID))
		if err := s.SetThreadSwitch(ctx, mod.ID, hidden.ID, store.SwitchHidden, true); err != nil {
			t.Fatal(err)
		}
		if seq, _ := s.TopicSeq(ctx, store.EventTopic(ev.ID)); seq <= seqBefore {
			t.Error("hiding a thread on the agenda did not tell the meeting's page")
		}
		disc, _ := s.CreateThread(ctx, store.NewThread{ThemeID: theme.ID, Kind: store.Discussion, Title: "Talk", Attribution: store.OnTheRecord, Body: "b", HTML: "b", Author: biz})
		if _, err := s.AddAgendaItem(ctx, mod, ev.ID, disc.ID); !errors.Is(err, store.ErrNotChallenge) {
			t.Errorf("adding a discussion: got %v, want ErrNotChallenge", err)
		}

		members := store.Access{Members: true}
		mods := store.Access{Members: true, Curator: true}
		for _, c := range []struct {
			who  string
			a    store.Access
			want string
		}{
			{"moderator", mods, "[Customs forms Payments abroad Hidden one]"},
			{"member", members, "[Customs forms Payments abroad]"},
			{"visitor", store.Access{}, "[]"},
		} {
			items, err := s.EventAgenda(ctx, ev.ID, c.a)
			if err != nil {
				t.Fatal(err)
			}
			if got := agendaTitles(items); got != c.want {
				t.Errorf("%s sees %s, want %s", c.who, got, c.want)
			}
		}

		// Curated: once a public document drawn from it is published, the public sees the item.
		d, _, err := s.CurateThread(ctx, mod.ID, second.ID, "Paying suppliers abroad", "Summary", nil)
		if err != nil {
			t.Fatal(err)
		}
		if items, _ := s.EventAgenda(ctx, ev.ID, store.Access{}); len(items) != 0 {
			t.Errorf("a draft shows the item to the public: %s", agendaTitles(items))
		}
		before, _ := s.TopicSeq(ctx, store.EventTopic(ev.ID))
		if err := s.SetDocumentStatus(ctx, mod.ID, d.ID, store.Published); err != nil {
			t.Fatal(err)
		}
		// The meeting's page hears that its public agenda changed.
		if after, _ := s.TopicSeq(ctx, store.EventTopic(ev.ID)); after <= before {
			t.Errorf("publishing the curated document left the meeting's topic at seq %d", after)
		}
		items, _ := s.EventAgenda(ctx, ev.ID, store.Access{})
		if agendaTitles(items) != "[Payments abroad]" || items[0].PublicDocTitle == nil || *items[0].PublicDocTitle != "Paying suppliers abroad" {
			t.Errorf("public after publishing: %s", agendaTitles(items))
		}

		// Reorder: the second item first; removing the first leaves the rest in order.
		all, _ := s.EventAgenda(ctx, ev.ID, mods)
		if err := s.MoveAgendaItem(ctx, mod.ID, all[1].ID, 1); err != nil {
			t.Fatal(err)
		}
		all, _ = s.EventAgenda(ctx, ev.ID, mods)
		if got := agendaTitles(all); got != "[Payments abroad Customs forms Hidden one]" {
			t.Errorf("after move: %s", got)
		}
		if err := s.RemoveAgendaItem(ctx, mod.ID, all[1].ID); err != nil {
			t.Fatal(err)
		}
		all, _ = s.EventAgenda(ctx, ev.ID, mods)
		if got := agendaTitles(all); got != "[Payments abroad Hidden one]" {
			t.Errorf("after remove: %s", got)
		}
		// Each change reached the meeting's live topic.
		seq, err := s.TopicSeq(ctx, store.EventTopic(ev.ID))
		if err != nil || seq < 5 {
			t.Errorf("event topic seq %d (%v), want at least 5 (3 adds, a move, a removal)", seq, err)
		}
	})
}

func TestRecordOutcome(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		theme := firstTheme(t, s)
		biz := mustUser(t, s, "biz@x.org", store.RoleBusiness, "Firm")
		del := mustUser(t, s, "del@x.org", store.RoleMember, "Delegation")
		watcher := mustUser(t, s, "watch@x.org", store.RoleBusiness, "Other firm")
		mod := mustUser(t, s, "mod@x.org", store.RoleModerator, "Secretariat")
		ev := saveEvent(t, s, store.Event{Title: "MSME Day"})
		th := newThread(t, s, biz, theme.ID, "Customs forms")
		if _, err := s.CreatePost(ctx, store.NewPost{ThreadID: th.ID, Author: del, Body: "We answer", HTML: "<p>We answer</p>"}); err != nil {
			t.Fatal(err)
		}
		if err := s.SetWatch(ctx, watcher.ID, "thread", th.ID, "watch"); err != nil {
			t.Fatal(err)
		}
		item, err := s.AddAgendaItem(ctx, mod, ev.ID, th.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.RecordOutcome(ctx, mod, item.ID, store.OutcomeInput{}); !errors.Is(err, store.ErrOutcomeEmpty) {
			t.Errorf("empty outcome: got %v, want ErrOutcomeEmpty", err)
		}
		postID, err := s.RecordOutcome(ctx, mod, item.ID, store.OutcomeInput{EN: "The group will ask for a single form.", FR: "Le groupe demandera un formulaire unique.",
			Body: "outcome body", HTML: "<p>outcome</p>", Close: true})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.RecordOutcome(ctx, mod, item.ID, store.OutcomeInput{EN: "again"}); !errors.Is(err, store.ErrOutcomeRecorded) {
			t.Errorf("recording twice: got %v, want ErrOutcomeRecorded", err)
		}
		if err := s.RemoveAgendaItem(ctx, mod.ID, item.ID); !errors.Is(err, store.ErrOutcomeRecorded) {
			t.Errorf("removing an item with an outcome: got %v, want ErrOutcomeRecorded", err)
		}
		// The outcome is an entry of the thread, found from its post.
		posts, _ := s.Posts(ctx, th.ID, 0, 10)
		if last := posts[len(posts)-1]; last.ID != postID || last.AuthorID != mod.ID || last.Body != "outcome body" {
			t.Errorf("last post %+v, want the outcome %d", last, postID)
		}
		got, err := s.OutcomeItem(ctx, postID)
		if err != nil || got.ID != item.ID || got.OutcomeFR == "" || len(got.Outcomes()) != 2 || got.OutcomeByName != mod.Name {
			t.Errorf("outcome item %+v (%v)", got, err)
		}
		// Closed with it; the author hears of the outcome once, not also of the closing.
		if th2, _ := s.ThreadByID(ctx, th.ID); th2.Status != store.StatusClosed {
			t.Errorf("status %s, want closed", th2.Status)
		}
		if k := notifiedKinds(t, s, biz); k[store.NotifyOutcome] != 1 || k[store.NotifyStatus] != 1 {
			// One status notice: the referral. The closing is told by the outcome.
			t.Errorf("author notified %v, want one outcome and one status (the referral)", k)
		}
		if k := notifiedKinds(t, s, del); k[store.NotifyOutcome] != 1 {
			t.Errorf("answering delegate notified %v, want one outcome", k)
		}
		if k := notifiedKinds(t, s, watcher); k[store.NotifyOutcome] != 0 || k[store.NotifyReply] != 1 {
			t.Errorf("watcher notified %v, want one reply notice", k)
		}
		// The thread's events carry the new post.
		evs, _ := s.EventsSince(ctx, fmt.Sprintf("thread:%d", th.ID), 0, 100)
		found := false
		for _, e := range evs {
			found = found || e.Type == "post.created"
		}
		if !found {
			t.Error("no post.created event on the thread's topic")
		}
	})
}

func TestOutcomeCloseNotAllowedChangesNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		theme := firstTheme(t, s)
		biz := mustUser(t, s, "biz@x.org", store.RoleBusiness, "Firm")
		mod := mustUser(t, s, "mod@x.org", store.RoleModerator, "Secretariat")
		ev := saveEvent(t, s, store.Event{Title: "MSME Day"})
		th := newThread(t, s, biz, theme.ID, "Customs forms")
		item, err := s.AddAgendaItem(ctx, mod, ev.ID, th.ID)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.ChangeChallengeStatus(ctx, mod, th.ID, store.StatusRequest{To: store.StatusClosed}); err != nil {
			t.Fatal(err)
		}
		before, _ := s.ThreadByID(ctx, th.ID)
		if _, err := s.RecordOutcome(ctx, mod, item.ID, store.OutcomeInput{EN: "x", Body: "x", HTML: "x", Close: true}); !errors.Is(err, store.ErrTransition) {
			t.Fatalf("closing a closed challenge with an outcome: got %v, want ErrTransition", err)
		}
		after, _ := s.ThreadByID(ctx, th.ID)
		if after.PostCount != before.PostCount {
			t.Errorf("post count %d, want %d: a refused outcome left a post", after.PostCount, before.PostCount)
		}
		if it, _ := s.AgendaItemByID(ctx, item.ID, store.Access{Members: true, Curator: true}); it.HasOutcome() {
			t.Error("a refused outcome was recorded")
		}
	})
}

func TestFunnelFigures(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		theme := firstTheme(t, s)
		biz := mustUser(t, s, "biz@x.org", store.RoleBusiness, "Firm")
		del := mustUser(t, s, "del@x.org", store.RoleMember, "Delegation")
		mod := mustUser(t, s, "mod@x.org", store.RoleModerator, "Secretariat")
		past := saveEvent(t, s, store.Event{Title: "MSME Day"}) // 2019: begun
		closed := saveEvent(t, s, store.Event{Title: "Closed meeting", Visibility: store.MembersOnly})
		a := newThread(t, s, biz, theme.ID, "A")
		b := newThread(t, s, biz, theme.ID, "B")
		newThread(t, s, biz, theme.ID, "C")
		reply, _ := s.CreatePost(ctx, store.NewPost{ThreadID: a.ID, Author: del, Body: "Answer", HTML: "a"})
		if err := s.ChangeChallengeStatus(ctx, biz, a.ID, store.StatusRequest{To: store.StatusAnswered, AcceptedPostID: reply.ID}); err != nil {
			t.Fatal(err)
		}
		item, err := s.AddAgendaItem(ctx, mod, past.ID, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.AddAgendaItem(ctx, mod, closed.ID, b.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.RecordOutcome(ctx, mod, item.ID, store.OutcomeInput{EN: "Done", Body: "Done", HTML: "Done", Close: true}); err != nil {
			t.Fatal(err)
		}
		f, err := s.FunnelFigures(ctx)
		if err != nil {
			t.Fatal(err)
		}
		// A was answered, referred, discussed and closed with an outcome: it counts at every step though closed now.
		want := store.FunnelStep{Posted: 3, Answered: 1, Referred: 2, Discussed: 2, WithOutcome: 1}
		if len(f.Themes) != 1 || f.Themes[0].FunnelStep != want {
			t.Errorf("funnel %+v, want %+v", f.Themes, want)
		}
		if len(f.Meetings) != 2 || f.Meetings[0].Title != "MSME Day" || f.Meetings[0].Items != 1 || f.Meetings[0].Outcomes != 1 ||
			f.Meetings[1].Title != "" || f.Meetings[1].Meetings != 1 || f.Meetings[1].Items != 1 {
			t.Errorf("meetings %+v: want MSME Day (1 item, 1 outcome), then the members-only one unnamed", f.Meetings)
		}
	})
}
