package store_test

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"

	"ideasx/store"
	"ideasx/store/storetest"
)

func firstTheme(t *testing.T, s *store.Store) store.Theme {
	t.Helper()
	themes, err := s.Themes(context.Background(), false)
	if err != nil || len(themes) != 8 {
		t.Fatalf("got %d seeded themes (%v), want 8", len(themes), err)
	}
	return themes[0]
}

func newThread(t *testing.T, s *store.Store, author *store.User, themeID int64, title string) *store.Thread {
	t.Helper()
	th, err := s.CreateThread(context.Background(), store.NewThread{ThemeID: themeID, Kind: store.Challenge, Title: title,
		Attribution: store.OnTheRecord, Body: "Body of " + title, HTML: "<p>Body</p>", Author: author})
	if err != nil {
		t.Fatalf("create thread %q: %v", title, err)
	}
	return th
}

func TestThreadsPostsAndEvents(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		theme := firstTheme(t, s)
		if theme.Name("fr") != "Accès à l'information" {
			t.Errorf("seeded theme in French: %q", theme.Name("fr"))
		}
		biz := mustUser(t, s, "biz@x.org", store.RoleBusiness, "Andes Textiles")
		del := mustUser(t, s, "del@x.org", store.RoleMember, "Delegation of Chile")
		th := newThread(t, s, biz, theme.ID, "Certificates of origin take weeks")
		if th.Status != store.StatusOpen || th.PostCount != 1 || th.AuthorName != biz.Name || th.OrgName != "Andes Textiles" {
			t.Errorf("new thread: %+v", th)
		}
		posts, _ := s.Posts(ctx, th.ID, 0, 10)
		reply, err := s.CreatePost(ctx, store.NewPost{ThreadID: th.ID, Author: del, Body: "We issue them online.", HTML: "<p>x</p>", QuotePostID: &posts[0].ID})
		if err != nil {
			t.Fatal(err)
		}
		th, _ = s.ThreadByID(ctx, th.ID)
		if th.PostCount != 2 || th.LastPostID == nil || *th.LastPostID != reply.ID {
			t.Errorf("after a reply: count %d, last %v", th.PostCount, th.LastPostID)
		}
		events, _ := s.EventsSince(ctx, fmt.Sprintf("thread:%d", th.ID), 0, 10)
		if len(events) != 2 || events[0].Seq != 1 || events[1].Seq != 2 || events[1].Type != "post.created" {
			t.Errorf("thread events: %+v", events)
		}
		forum, _ := s.EventsSince(ctx, "forum", 0, 10)
		if len(forum) != 2 || forum[0].Type != "thread.created" || forum[1].Type != "thread.updated" {
			t.Errorf("forum events: %+v", forum)
		}
		if after, _ := s.EventsSince(ctx, fmt.Sprintf("thread:%d", th.ID), 1, 10); len(after) != 1 || after[0].Seq != 2 {
			t.Errorf("events since 1: %+v", after)
		}

		other := newThread(t, s, biz, theme.ID, "Another")
		if _, err := s.CreatePost(ctx, store.NewPost{ThreadID: other.ID, Author: del, Body: "x", HTML: "x", QuotePostID: &reply.ID}); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("quoting a post of another thread: got %v, want ErrNotFound", err)
		}

		if err := s.EditPost(ctx, reply.ID, del, "We issue them online, in a day.", "<p>y</p>"); err != nil {
			t.Fatal(err)
		}
		revs, _ := s.PostRevisions(ctx, reply.ID)
		if len(revs) != 1 || revs[0].Body != "We issue them online." {
			t.Errorf("revisions: %+v", revs)
		}
		if err := s.SetPostDeleted(ctx, reply.ID, del, true); err != nil {
			t.Fatal(err)
		}
		p, _ := s.PostByID(ctx, reply.ID)
		if !p.Removed() {
			t.Error("deleted post is not removed")
		}
		if err := s.SetPostDeleted(ctx, reply.ID, del, false); err != nil {
			t.Fatal(err)
		}
		if p, _ = s.PostByID(ctx, reply.ID); p.Removed() {
			t.Error("restored post is still removed")
		}
	})
}

func TestThreadKeysetPagingAndUnansweredFilter(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		theme := firstTheme(t, s)
		biz := mustUser(t, s, "biz@x.org", store.RoleBusiness, "Firm")
		chile := mustUser(t, s, "cl@x.org", store.RoleMember, "Delegation of Chile")
		base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		var want []int64
		for i := range 25 {
			// Several threads share a timestamp, so the id must break ties.
			at := base.Add(time.Duration(i/3) * time.Minute)
			s.SetClock(func() time.Time { return at })
			th := newThread(t, s, biz, theme.ID, fmt.Sprintf("Thread %02d", i))
			want = append(want, th.ID)
		}
		sort.Slice(want, func(i, j int) bool { return want[i] > want[j] })
		var got []int64
		var cursor *store.ThreadCursor
		for page := 0; page < 10; page++ {
			list, err := s.ListThreads(ctx, store.ThreadFilter{ThemeID: theme.ID, After: cursor, Limit: 7})
			if err != nil {
				t.Fatal(err)
			}
			if len(list) == 0 {
				break
			}
			for _, th := range list {
				got = append(got, th.ID)
			}
			last := list[len(list)-1]
			cursor = &store.ThreadCursor{LastPostAt: last.LastPostAt, ID: last.ID}
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("paging gave %v, want %v", got, want)
		}
		if _, err := s.CreatePost(ctx, store.NewPost{ThreadID: want[0], Author: chile, Body: "Answer", HTML: "a"}); err != nil {
			t.Fatal(err)
		}
		open, _ := s.ListThreads(ctx, store.ThreadFilter{Kind: store.Challenge, NotAnsweredByOrg: chile.OrganisationID, Limit: 100})
		if len(open) != 24 {
			t.Errorf("not answered by Chile: %d, want 24", len(open))
		}
		mine, _ := s.ListThreads(ctx, store.ThreadFilter{NotAnsweredByOrg: biz.OrganisationID, Limit: 100})
		if len(mine) != 25 {
			t.Errorf("a business's own opening posts are not answers: got %d, want 25", len(mine))
		}
	})
}

func TestEventSequenceUnderConcurrentPosts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		theme := firstTheme(t, s)
		biz := mustUser(t, s, "biz@x.org", store.RoleBusiness, "Firm")
		th := newThread(t, s, biz, theme.ID, "Busy thread")
		var wg sync.WaitGroup
		for w := range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range 10 {
					if _, err := s.CreatePost(ctx, store.NewPost{ThreadID: th.ID, Author: biz, Body: fmt.Sprintf("%d-%d", w, i), HTML: "x"}); err != nil {
						t.Error(err)
					}
				}
			}()
		}
		wg.Wait()
		events, _ := s.EventsSince(ctx, fmt.Sprintf("thread:%d", th.ID), 0, 100)
		if len(events) != 41 {
			t.Fatalf("got %d events, want 41", len(events))
		}
		for i, e := range events {
			if e.Seq != int64(i+1) {
				t.Fatalf("event %d has seq %d: numbers must run 1..41 without gaps", i, e.Seq)
			}
		}
		if seq, _ := s.TopicSeq(ctx, fmt.Sprintf("thread:%d", th.ID)); seq != 41 {
			t.Errorf("topic seq %d, want 41", seq)
		}
	})
}

func TestLockedThreadAndArchivedTheme(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		theme := firstTheme(t, s)
		biz := mustUser(t, s, "biz@x.org", store.RoleBusiness, "Firm")
		mod := mustUser(t, s, "mod@x.org", store.RoleModerator, "Secretariat")
		// A locked and a hidden thread take replies from moderators only.
		closed := map[store.ThreadSwitch]*store.Thread{}
		for _, sw := range []store.ThreadSwitch{store.SwitchLocked, store.SwitchHidden} {
			th := newThread(t, s, biz, theme.ID, string(sw)+" soon")
			closed[sw] = th
			if err := s.SetThreadSwitch(ctx, mod.ID, th.ID, sw, true); err != nil {
				t.Fatal(err)
			}
			if _, err := s.CreatePost(ctx, store.NewPost{ThreadID: th.ID, Author: biz, Body: "x", HTML: "x"}); !errors.Is(err, store.ErrLocked) {
				t.Errorf("reply to a %s thread: got %v, want ErrLocked", sw, err)
			}
			if _, err := s.CreatePost(ctx, store.NewPost{ThreadID: th.ID, Author: mod, Body: "Closing note", HTML: "x"}); err != nil {
				t.Errorf("moderator reply to a %s thread: %v", sw, err)
			}
			if got, _ := s.ThreadByID(ctx, th.ID); got.PostCount != 2 {
				t.Errorf("%s thread counts %d posts, want its opening and the moderator's", sw, got.PostCount)
			}
		}
		th := closed[store.SwitchLocked]
		if _, err := s.CreatePost(ctx, store.NewPost{ThreadID: th.ID + 1000, Author: biz, Body: "x", HTML: "x"}); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("reply to a thread that does not exist: got %v, want ErrNotFound", err)
		}
		log, _ := s.AuditLog(ctx, store.AuditFilter{Action: "thread.locked"})
		if len(log) != 1 || log[0].AfterJSON != `{"locked":true}` {
			t.Errorf("audit: %+v", log)
		}
		if err := s.SetThreadSwitch(ctx, mod.ID, th.ID, "title", true); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("unknown switch: %v", err)
		}
		theme.Archived = true
		if err := s.SaveTheme(ctx, mod.ID, &theme); err != nil {
			t.Fatal(err)
		}
		if _, err := s.CreateThread(ctx, store.NewThread{ThemeID: theme.ID, Kind: store.Discussion, Title: "x", Attribution: store.OnTheRecord, Author: biz}); !errors.Is(err, store.ErrThemeArchived) {
			t.Errorf("thread in an archived theme: got %v", err)
		}
		if themes, _ := s.Themes(ctx, false); len(themes) != 7 {
			t.Errorf("active themes: %d, want 7", len(themes))
		}
	})
}

func TestChallengeLifecycle(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		theme := firstTheme(t, s)
		biz := mustUser(t, s, "biz@x.org", store.RoleBusiness, "Firm")
		other := mustUser(t, s, "other@x.org", store.RoleBusiness, "Other firm")
		del := mustUser(t, s, "del@x.org", store.RoleMember, "Delegation")
		mod := mustUser(t, s, "mod@x.org", store.RoleModerator, "Secretariat")
		th := newThread(t, s, biz, theme.ID, "Challenge")
		opening, _ := s.Posts(ctx, th.ID, 0, 1)
		reply, _ := s.CreatePost(ctx, store.NewPost{ThreadID: th.ID, Author: del, Body: "Answer", HTML: "a"})
		ev := store.Event{Title: "Meeting", StartsAt: time.Now(), EndsAt: time.Now().Add(time.Hour), Timezone: "Europe/Zurich", Visibility: store.Public}
		if err := s.SaveEvent(ctx, 0, &ev); err != nil {
			t.Fatal(err)
		}
		steps := []struct {
			name  string
			actor *store.User
			req   store.StatusRequest
			want  error
		}{
			{"stranger accepts", other, store.StatusRequest{To: store.StatusAnswered, AcceptedPostID: reply.ID}, store.ErrTransition},
			{"author accepts the opening post", biz, store.StatusRequest{To: store.StatusAnswered, AcceptedPostID: opening[0].ID}, store.ErrNotFound},
			{"author refers", biz, store.StatusRequest{To: store.StatusReferred, EventID: ev.ID}, store.ErrTransition},
			{"author closes", biz, store.StatusRequest{To: store.StatusClosed}, store.ErrTransition},
			{"author accepts", biz, store.StatusRequest{To: store.StatusAnswered, AcceptedPostID: reply.ID}, nil},
			{"moderator refers to nothing", mod, store.StatusRequest{To: store.StatusReferred}, store.ErrReferralTarget},
			{"moderator refers to an unknown event", mod, store.StatusRequest{To: store.StatusReferred, EventID: 99999}, store.ErrReferralTarget},
			{"moderator refers", mod, store.StatusRequest{To: store.StatusReferred, EventID: ev.ID, Note: "On the agenda"}, nil},
			{"author reopens a referred challenge", biz, store.StatusRequest{To: store.StatusOpen}, store.ErrTransition},
			{"moderator closes", mod, store.StatusRequest{To: store.StatusClosed}, nil},
			{"moderator closes again", mod, store.StatusRequest{To: store.StatusClosed}, store.ErrTransition},
		}
		for _, st := range steps {
			if err := s.ChangeChallengeStatus(ctx, st.actor, th.ID, st.req); !errors.Is(err, st.want) {
				t.Errorf("%s: got %v, want %v", st.name, err, st.want)
			}
		}
		history, _ := s.StatusHistory(ctx, th.ID)
		var got []string
		for _, h := range history {
			got = append(got, string(h.From)+">"+string(h.To)+" by "+h.ActorName)
		}
		want := []string{"open>answered by " + biz.Name, "answered>referred by " + mod.Name, "referred>closed by " + mod.Name}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("history %v, want %v", got, want)
		}
		th, _ = s.ThreadByID(ctx, th.ID)
		if th.Status != store.StatusClosed || th.AcceptedPostID == nil || *th.AcceptedPostID != reply.ID {
			t.Errorf("thread after: %s accepted %v", th.Status, th.AcceptedPostID)
		}
		disc, _ := s.CreateThread(ctx, store.NewThread{ThemeID: theme.ID, Kind: store.Discussion, Title: "Talk", Attribution: store.OnTheRecord, Body: "b", HTML: "b", Author: biz})
		if err := s.ChangeChallengeStatus(ctx, mod, disc.ID, store.StatusRequest{To: store.StatusClosed}); !errors.Is(err, store.ErrTransition) {
			t.Errorf("closing a discussion as a challenge: %v", err)
		}
	})
}

func TestReadPositionsAndCoverage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		theme := firstTheme(t, s)
		biz := mustUser(t, s, "biz@x.org", store.RoleBusiness, "Firm")
		chile := mustUser(t, s, "cl@x.org", store.RoleMember, "Delegation of Chile")
		chile2 := mustUser(t, s, "cl2@x.org", store.RoleMember, "Delegation of Chile")
		kenya := mustUser(t, s, "ke@x.org", store.RoleMember, "Delegation of Kenya")
		th := newThread(t, s, biz, theme.ID, "Coverage")
		list, _ := s.ListThreads(ctx, store.ThreadFilter{ReaderID: chile.ID})
		if len(list) != 1 || !list[0].Unread() {
			t.Fatalf("a new thread is not unread: %+v", list)
		}
		if err := s.MarkRead(ctx, chile, th.ID, *list[0].LastPostID); err != nil {
			t.Fatal(err)
		}
		_ = s.MarkRead(ctx, chile2, th.ID, *list[0].LastPostID)
		_ = s.MarkRead(ctx, chile, th.ID, 0) // never moves back
		reply, _ := s.CreatePost(ctx, store.NewPost{ThreadID: th.ID, Author: kenya, Body: "Answer", HTML: "a"})
		list, _ = s.ListThreads(ctx, store.ThreadFilter{ReaderID: chile.ID})
		if !list[0].Unread() || list[0].LastReadPostID == 0 {
			t.Errorf("after a reply: unread %v, position %d", list[0].Unread(), list[0].LastReadPostID)
		}
		_ = s.MarkRead(ctx, chile, th.ID, reply.ID)
		if list, _ = s.ListThreads(ctx, store.ThreadFilter{ReaderID: chile.ID}); list[0].Unread() {
			t.Error("read thread still unread")
		}
		got, _ := s.ThreadByID(ctx, th.ID)
		if got.ViewCount != 2 {
			t.Errorf("view count %d, want 2 (two readers)", got.ViewCount)
		}
		cov, err := s.ThreadCoverage(ctx, th.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(cov.ReadBy) != 1 || cov.ReadBy[0].Name != "Delegation of Chile" || len(cov.AnsweredBy) != 1 || cov.AnsweredBy[0].Name != "Delegation of Kenya" {
			t.Errorf("coverage: read by %+v, answered by %+v", cov.ReadBy, cov.AnsweredBy)
		}
	})
}

func TestUsefulToggles(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		biz := mustUser(t, s, "biz@x.org", store.RoleBusiness, "Firm")
		del := mustUser(t, s, "del@x.org", store.RoleMember, "Delegation")
		th := newThread(t, s, biz, firstTheme(t, s).ID, "Useful?")
		posts, _ := s.Posts(ctx, th.ID, 0, 1)
		for i, want := range []bool{true, false, true} {
			got, err := s.ToggleUseful(ctx, del, posts[0].ID)
			if err != nil || got != want {
				t.Fatalf("toggle %d: got %v %v, want %v", i, got, err, want)
			}
		}
		_, _ = s.ToggleUseful(ctx, biz, posts[0].ID)
		p, _ := s.PostByID(ctx, posts[0].ID)
		tr, err := s.ReadThreadReader(ctx, del, th.ID)
		if err != nil {
			t.Fatal(err)
		}
		if p.Useful != 2 || !tr.Useful[p.ID] {
			t.Errorf("useful count %d, marked %v", p.Useful, tr.Useful[p.ID])
		}
		_ = s.SetPostDeleted(ctx, p.ID, biz, true)
		if _, err := s.ToggleUseful(ctx, del, p.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("marking a deleted post: %v", err)
		}
	})
}

// TestUsefulClicksAtOnce: one person's clicks arriving together (two tabs,
// a page and a script) each get an answer, never an error, and the post
// is marked once at most.
func TestUsefulClicksAtOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		biz := mustUser(t, s, "biz@x.org", store.RoleBusiness, "Firm")
		del := mustUser(t, s, "del@x.org", store.RoleMember, "Delegation")
		th := newThread(t, s, biz, firstTheme(t, s).ID, "Useful twice?")
		posts, _ := s.Posts(ctx, th.ID, 0, 1)
		for round := range 20 {
			var wg sync.WaitGroup
			errs := make(chan error, 4)
			for range 4 {
				wg.Go(func() {
					if _, err := s.ToggleUseful(ctx, del, posts[0].ID); err != nil {
						errs <- err
					}
				})
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Fatalf("round %d: %v", round, err)
			}
			if p, _ := s.PostByID(ctx, posts[0].ID); p.Useful > 1 {
				t.Fatalf("round %d: useful count %d, want at most 1", round, p.Useful)
			}
		}
	})
}

func TestFlagsQueue(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		biz := mustUser(t, s, "biz@x.org", store.RoleBusiness, "Firm")
		troll := mustUser(t, s, "troll@x.org", store.RoleBusiness, "Troll Ltd")
		del := mustUser(t, s, "del@x.org", store.RoleMember, "Delegation")
		mod := mustUser(t, s, "mod@x.org", store.RoleModerator, "Secretariat")
		th := newThread(t, s, biz, firstTheme(t, s).ID, "Flags")
		bad, _ := s.CreatePost(ctx, store.NewPost{ThreadID: th.ID, Author: troll, Body: "spam", HTML: "spam"})
		if err := s.FlagPost(ctx, del, bad.ID, "spam"); err != nil {
			t.Fatal(err)
		}
		if err := s.FlagPost(ctx, del, bad.ID, "spam again"); !errors.Is(err, store.ErrConflict) {
			t.Errorf("second flag by the same person: %v", err)
		}
		if err := s.FlagPost(ctx, biz, bad.ID, "offensive"); err != nil {
			t.Fatal(err)
		}
		flags, _ := s.OpenFlags(ctx)
		if len(flags) != 2 || flags[0].AuthorName != troll.Name || flags[0].ThreadTitle != "Flags" {
			t.Fatalf("queue: %+v", flags)
		}
		if err := s.ResolveFlag(ctx, mod, flags[0].ID, store.FlagHidePost); err != nil {
			t.Fatal(err)
		}
		if flags, _ = s.OpenFlags(ctx); len(flags) != 0 {
			t.Errorf("flags on a handled post stay open: %d", len(flags))
		}
		if p, _ := s.PostByID(ctx, bad.ID); p.HiddenAt == nil {
			t.Error("post not hidden")
		}
		bad2, _ := s.CreatePost(ctx, store.NewPost{ThreadID: th.ID, Author: troll, Body: "more spam", HTML: "x"})
		_ = s.FlagPost(ctx, del, bad2.ID, "spam")
		flags, _ = s.OpenFlags(ctx)
		if err := s.ResolveFlag(ctx, mod, flags[0].ID, store.FlagSuspend); err != nil {
			t.Fatal(err)
		}
		if u, _ := s.UserByID(ctx, troll.ID); u.Status != store.StatusSuspended {
			t.Errorf("author not suspended: %s", u.Status)
		}
		if err := s.ResolveFlag(ctx, mod, flags[0].ID, store.FlagDismiss); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("resolving twice: %v", err)
		}
		log, _ := s.AuditLog(ctx, store.AuditFilter{Action: "flag.suspend_author"})
		if len(log) != 1 {
			t.Errorf("audit entries: %d", len(log))
		}
	})
}

func TestFigures(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		theme := firstTheme(t, s)
		biz := mustUser(t, s, "biz@x.org", store.RoleBusiness, "Firm")
		del := mustUser(t, s, "del@x.org", store.RoleMember, "Delegation")
		a := newThread(t, s, biz, theme.ID, "A")
		newThread(t, s, biz, theme.ID, "B")
		reply, _ := s.CreatePost(ctx, store.NewPost{ThreadID: a.ID, Author: del, Body: "x", HTML: "x"})
		_ = s.ChangeChallengeStatus(ctx, biz, a.ID, store.StatusRequest{To: store.StatusAnswered, AcceptedPostID: reply.ID})
		f, err := s.Figures(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(f.Themes) != 1 || f.Themes[0].Open != 1 || f.Themes[0].Answered != 1 {
			t.Errorf("themes: %+v", f.Themes)
		}
		if len(f.Participants) != 2 || f.Participants[0].Kind != store.OrgBusiness || f.Participants[1].Kind != store.OrgMember {
			t.Errorf("participants: %+v", f.Participants)
		}
	})
}

func TestWatchesAndMove(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		themes, _ := s.Themes(ctx, false)
		biz := mustUser(t, s, "biz@x.org", store.RoleBusiness, "Firm")
		del := mustUser(t, s, "del@x.org", store.RoleMember, "Delegation")
		mod := mustUser(t, s, "mod@x.org", store.RoleModerator, "Secretariat")
		a := newThread(t, s, biz, themes[0].ID, "In theme one")
		b := newThread(t, s, biz, themes[1].ID, "In theme two")
		c := newThread(t, s, biz, themes[1].ID, "Muted in theme two")
		if list, _ := s.ListThreads(ctx, store.ThreadFilter{WatchedBy: biz.ID}); len(list) != 3 {
			t.Errorf("authors watch their threads: %d", len(list))
		}
		_ = s.SetWatch(ctx, del.ID, "thread", a.ID, store.Watching)
		_ = s.SetWatch(ctx, del.ID, "theme", themes[1].ID, store.Watching)
		_ = s.SetWatch(ctx, del.ID, "thread", c.ID, store.Muted)
		list, _ := s.ListThreads(ctx, store.ThreadFilter{WatchedBy: del.ID})
		if len(list) != 2 || list[0].ID != b.ID || list[1].ID != a.ID {
			t.Errorf("watched: %+v", list)
		}
		if lvl, _ := s.WatchLevel(ctx, del.ID, "thread", c.ID); lvl != store.Muted {
			t.Errorf("level %q", lvl)
		}
		_ = s.SetWatch(ctx, del.ID, "thread", a.ID, "")
		if list, _ = s.ListThreads(ctx, store.ThreadFilter{WatchedBy: del.ID}); len(list) != 1 {
			t.Errorf("after unwatching: %d", len(list))
		}
		if err := s.MoveThread(ctx, mod.ID, a.ID, themes[1].ID); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.ThreadByID(ctx, a.ID); got.ThemeID != themes[1].ID {
			t.Errorf("moved thread in theme %d", got.ThemeID)
		}
		if err := s.MoveThread(ctx, mod.ID, a.ID, 99999); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("move to an unknown theme: %v", err)
		}
	})
}

func TestForumSearch(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		themes, _ := s.Themes(ctx, false)
		biz := mustUser(t, s, "biz@x.org", store.RoleBusiness, "Firm")
		del := mustUser(t, s, "del@x.org", store.RoleMember, "Delegation")
		mod := mustUser(t, s, "mod@x.org", store.RoleModerator, "Secretariat")
		a, _ := s.CreateThread(ctx, store.NewThread{ThemeID: themes[0].ID, Kind: store.Challenge, Title: "Certificats d'origine à Genève",
			Attribution: store.OnTheRecord, Body: "Les délais sont longs.", HTML: "x", Author: biz})
		b, _ := s.CreateThread(ctx, store.NewThread{ThemeID: themes[1].ID, Kind: store.Discussion, Title: "Payments",
			Attribution: store.OnTheRecord, Body: "Card payments fail for small exporters.", HTML: "x", Author: biz})
		reply, _ := s.CreatePost(ctx, store.NewPost{ThreadID: b.ID, Author: del, Body: "Exporters can use a payment facilitator.", HTML: "x"})
		hidden, _ := s.CreateThread(ctx, store.NewThread{ThemeID: themes[0].ID, Kind: store.Challenge, Title: "Hidden exporters thread",
			Attribution: store.OnTheRecord, Body: "exporters", HTML: "x", Author: biz})
		_ = s.SetThreadSwitch(ctx, mod.ID, hidden.ID, store.SwitchHidden, true)
		for _, c := range []struct {
			q      string
			f      store.ForumSearchFilter
			titles []string
		}{
			{"geneve", store.ForumSearchFilter{}, []string{a.Title}},
			{"exporters", store.ForumSearchFilter{}, []string{"Payments"}},
			{"exporters", store.ForumSearchFilter{Kind: store.Challenge}, nil},
			{"delais", store.ForumSearchFilter{ThemeID: themes[1].ID}, nil},
			{"facilitator", store.ForumSearchFilter{}, []string{"Payments"}},
		} {
			hits, err := s.SearchForum(ctx, c.q, c.f)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, h := range hits {
				got = append(got, h.Title)
			}
			if fmt.Sprint(got) != fmt.Sprint(c.titles) {
				t.Errorf("%q %+v: got %v, want %v", c.q, c.f, got, c.titles)
			}
		}
		_ = s.SetPostDeleted(ctx, reply.ID, del, true)
		if hits, _ := s.SearchForum(ctx, "facilitator", store.ForumSearchFilter{}); len(hits) != 0 {
			t.Error("a deleted post is found")
		}
		_ = s.EditPost(ctx, reply.ID, del, "Now about warehouses", "x")
		_ = s.SetPostDeleted(ctx, reply.ID, del, false)
		if hits, _ := s.SearchForum(ctx, "warehouses", store.ForumSearchFilter{}); len(hits) != 1 || hits[0].PostID != reply.ID {
			t.Errorf("edited text not found: %+v", hits)
		}
	})
}
