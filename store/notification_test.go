package store_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"ideasx/store"
	"ideasx/store/storetest"
)

func kinds(t *testing.T, s *store.Store, userID int64) map[store.NotificationKind]int {
	t.Helper()
	list, err := s.Notifications(context.Background(), userID, 100, 0)
	if err != nil {
		t.Fatal(err)
	}
	out := map[store.NotificationKind]int{}
	for _, n := range list {
		out[n.Kind]++
	}
	return out
}

// TestNotificationsFollowWatchesMentionsAndRights: a reply notifies the
// thread's watchers, a mention the named person — unless they may not read
// the forum — and e-mails are queued only for those who want them at once.
func TestNotificationsFollowWatchesMentionsAndRights(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		theme := firstTheme(t, s)
		biz := mustUser(t, s, "biz@x.org", store.RoleBusiness, "Andes Textiles")
		del := mustUser(t, s, "del@x.org", store.RoleMember, "Delegation of Chile")
		visitor := mustUser(t, s, "visitor@x.org", store.RoleVisitor, "Curious Ltd")
		watcher := mustUser(t, s, "watcher@x.org", store.RoleMember, "Delegation of Kenya")
		if err := s.SetWatch(ctx, watcher.ID, "theme", theme.ID, store.Watching); err != nil {
			t.Fatal(err)
		}
		th := newThread(t, s, biz, theme.ID, "Parcel fees")
		if got := kinds(t, s, watcher.ID); got[store.NotifyNewThread] != 1 {
			t.Errorf("theme watcher: %v, want one new_thread", got)
		}
		if _, err := s.CreatePost(ctx, store.NewPost{ThreadID: th.ID, Author: del, Body: "@visitor @biz see this", HTML: "<p>x</p>",
			Mentions: []int64{visitor.ID, biz.ID}}); err != nil {
			t.Fatal(err)
		}
		if got := kinds(t, s, biz.ID); got[store.NotifyMention] != 1 || got[store.NotifyReply] != 0 {
			t.Errorf("author mentioned in a reply: %v, want one mention and no reply", got)
		}
		if got := kinds(t, s, visitor.ID); len(got) != 0 {
			t.Errorf("a visitor who cannot read the forum was notified: %v", got)
		}
		if got := kinds(t, s, del.ID); len(got) != 0 {
			t.Errorf("the replier was notified of their own reply: %v", got)
		}
		if _, err := s.CreatePost(ctx, store.NewPost{ThreadID: th.ID, Author: biz, Body: "Thanks", HTML: "<p>x</p>"}); err != nil {
			t.Fatal(err)
		}
		if got := kinds(t, s, del.ID); got[store.NotifyReply] != 1 {
			t.Errorf("a replier watches the thread: %v, want one reply", got)
		}
		// Mentions come by e-mail at once by default, replies in the digest.
		if n, _ := s.PendingMail(ctx); n != 1 {
			t.Errorf("queued mails: %d, want 1 (the mention)", n)
		}
		if err := s.SetPref(ctx, del.ID, store.NotifyReply, store.ChannelOff); err != nil {
			t.Fatal(err)
		}
		if _, err := s.CreatePost(ctx, store.NewPost{ThreadID: th.ID, Author: biz, Body: "Again", HTML: "<p>x</p>"}); err != nil {
			t.Fatal(err)
		}
		if got := kinds(t, s, del.ID); got[store.NotifyReply] != 1 {
			t.Errorf("replies turned off still notify: %v", got)
		}
		if n, _ := s.UnreadNotifications(ctx, biz.ID); n != 1 {
			t.Errorf("unread: %d, want 1", n)
		}
		if err := s.MarkNotificationsRead(ctx, biz.ID, 0); err != nil {
			t.Fatal(err)
		}
		if n, _ := s.UnreadNotifications(ctx, biz.ID); n != 0 {
			t.Errorf("unread after marking all: %d", n)
		}
	})
}

// TestMailClaimsAreExclusive: workers racing for the outbox never take the
// same mail; a failed one comes back later.
func TestMailClaimsAreExclusive(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		theme := firstTheme(t, s)
		biz := mustUser(t, s, "biz@x.org", store.RoleBusiness, "Andes Textiles")
		th := newThread(t, s, biz, theme.ID, "Parcel fees")
		// Only the mentions are mailed: the thread's author takes replies in the app.
		if err := s.SetPref(ctx, biz.ID, store.NotifyThreadReply, store.ChannelInApp); err != nil {
			t.Fatal(err)
		}
		var ids []int64
		for i := range 30 {
			u := mustUser(t, s, "m"+string(rune('a'+i))+"@x.org", store.RoleMember, "Delegation")
			ids = append(ids, u.ID)
		}
		del := mustUser(t, s, "del@x.org", store.RoleMember, "Delegation of Chile")
		if _, err := s.CreatePost(ctx, store.NewPost{ThreadID: th.ID, Author: del, Body: "all", HTML: "<p>x</p>", Mentions: ids}); err != nil {
			t.Fatal(err)
		}
		var mu sync.Mutex
		seen := map[int64]string{}
		var wg sync.WaitGroup
		for _, w := range []string{"w1", "w2", "w3"} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					mails, err := s.ClaimMail(ctx, w, 4, time.Minute)
					if err != nil {
						t.Error(err)
						return
					}
					if len(mails) == 0 {
						return
					}
					for _, m := range mails {
						mu.Lock()
						if other, dup := seen[m.ID]; dup {
							t.Errorf("mail %d claimed by %s and %s", m.ID, other, w)
						}
						seen[m.ID] = w
						mu.Unlock()
						if err := s.MailSent(ctx, m.ID, w); err != nil {
							t.Error(err)
						}
					}
				}
			}()
		}
		wg.Wait()
		if len(seen) != 30 {
			t.Errorf("%d mails claimed, want 30", len(seen))
		}
		if _, err := s.CreatePost(ctx, store.NewPost{ThreadID: th.ID, Author: del, Body: "one", HTML: "<p>x</p>", Mentions: ids[:1]}); err != nil {
			t.Fatal(err)
		}
		m, _ := s.ClaimMail(ctx, "w1", 10, time.Minute)
		if len(m) != 1 {
			t.Fatalf("claimed %d, want 1", len(m))
		}
		_ = s.MailFailed(ctx, m[0].ID, "w1", context.DeadlineExceeded, time.Now().Add(time.Hour))
		if again, _ := s.ClaimMail(ctx, "w2", 10, time.Minute); len(again) != 0 {
			t.Errorf("a failed mail was retried before its time")
		}
		s.SetClock(func() time.Time { return time.Now().Add(2 * time.Hour) })
		if again, _ := s.ClaimMail(ctx, "w2", 10, time.Minute); len(again) != 1 || again[0].Attempts != 2 {
			t.Errorf("retry: %+v", again)
		}
	})
}

// TestDigestsQueuedOnce: instances queueing digests at once queue each once.
func TestDigestsQueuedOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		mustUser(t, s, "a@x.org", store.RoleMember, "Delegation")
		mustUser(t, s, "b@x.org", store.RoleBusiness, "Firm")
		total := 0
		var mu sync.Mutex
		var wg sync.WaitGroup
		for range 3 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				n, err := s.QueueDueDigests(ctx)
				if err != nil {
					t.Error(err)
				}
				mu.Lock()
				total += n
				mu.Unlock()
			}()
		}
		wg.Wait()
		if total != 2 {
			t.Errorf("digests queued: %d, want 2", total)
		}
		if n, _ := s.QueueDueDigests(ctx); n != 0 {
			t.Errorf("queued again at once: %d", n)
		}
	})
}

// TestEditNotifiesNewMentionsOnce: a person named by an edit hears of it,
// once; those named before are not told again.
func TestEditNotifiesNewMentionsOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		theme := firstTheme(t, s)
		biz := mustUser(t, s, "biz@x.org", store.RoleBusiness, "Andes Textiles")
		del := mustUser(t, s, "del@x.org", store.RoleMember, "Delegation of Chile")
		other := mustUser(t, s, "other@x.org", store.RoleMember, "Delegation of Kenya")
		th := newThread(t, s, biz, theme.ID, "Parcel fees")
		p, err := s.CreatePost(ctx, store.NewPost{ThreadID: th.ID, Author: del, Body: "@biz", HTML: "<p>x</p>", Mentions: []int64{biz.ID}})
		if err != nil {
			t.Fatal(err)
		}
		for range 2 {
			if err := s.EditPost(ctx, p.ID, del, "@biz @other", "<p>y</p>", biz.ID, other.ID); err != nil {
				t.Fatal(err)
			}
		}
		if got := kinds(t, s, biz.ID)[store.NotifyMention]; got != 1 {
			t.Errorf("first mentioned: %d mentions, want 1", got)
		}
		if got := kinds(t, s, other.ID)[store.NotifyMention]; got != 1 {
			t.Errorf("named by the edit: %d mentions, want 1", got)
		}
	})
}

// TestAccountMailQueuedWithItsCause: an invitation and its mail are written
// together or not at all.
func TestAccountMailQueuedWithItsCause(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		mod := mustUser(t, s, "mod@x.org", store.RoleModerator, "Secretariat")
		inv := store.Invitation{Email: "new@x.org", Role: store.RoleMember, OrganisationID: mod.OrganisationID, InvitedBy: mod.ID}
		if err := s.CreateInvitation(ctx, &inv, "h1", time.Hour, map[string]string{"To": "new@x.org"}); err != nil {
			t.Fatal(err)
		}
		if n, _ := s.PendingMail(ctx); n != 1 {
			t.Fatalf("queued mails: %d, want 1", n)
		}
		bad := store.Invitation{Email: "other@x.org", Role: store.RoleMember, OrganisationID: mod.OrganisationID, InvitedBy: mod.ID}
		if err := s.CreateInvitation(ctx, &bad, "h2", time.Hour, make(chan int)); err == nil {
			t.Fatal("a mail that cannot be queued did not fail the invitation")
		}
		if _, err := s.InvitationByToken(ctx, "h2"); err == nil {
			t.Error("the invitation was written without its mail")
		}
		if n, _ := s.PendingMail(ctx); n != 1 {
			t.Errorf("queued mails: %d, want still 1", n)
		}
	})
}
