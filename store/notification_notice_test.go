package store_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"ideasx/store"
	"ideasx/store/storetest"
)

// queuedMails claims every mail due and counts them by recipient and kind.
func queuedMails(t *testing.T, s *store.Store) map[string]int {
	t.Helper()
	mails, err := s.ClaimMail(context.Background(), "test", 1000, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int{}
	for _, m := range mails {
		if m.UserID != nil {
			out[fmt.Sprintf("%d/%s", *m.UserID, m.Kind)]++
		}
	}
	return out
}

func noticesOf(t *testing.T, s *store.Store, userID int64, kind store.NotificationKind) []store.NotificationView {
	t.Helper()
	list, err := s.Notifications(context.Background(), userID, 100, 0)
	if err != nil {
		t.Fatal(err)
	}
	var out []store.NotificationView
	for i := len(list) - 1; i >= 0; i-- { // oldest first
		if list[i].Kind == kind {
			out = append(out, list[i])
		}
	}
	return out
}

func statusOf(p *store.ChallengeStatus) string {
	if p == nil {
		return "<nil>"
	}
	return string(*p)
}

// TestStatusNoticesKeepTheirChange: a refer, a close and a reopen in quick
// succession make three notices, each telling its own change (from, to,
// the referral's event), with a mail each, though the thread is open by
// the time they are read; accepting a reply tells the reply's author, live.
func TestStatusNoticesKeepTheirChange(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		theme := firstTheme(t, s)
		biz := mustUser(t, s, "biz@x.org", store.RoleBusiness, "Firm")
		del := mustUser(t, s, "del@x.org", store.RoleMember, "Delegation")
		mod := mustUser(t, s, "mod@x.org", store.RoleModerator, "Secretariat")
		th := newThread(t, s, biz, theme.ID, "Certificates")
		answer, err := s.CreatePost(ctx, store.NewPost{ThreadID: th.ID, Author: del, Body: "Answer", HTML: "a"})
		if err != nil {
			t.Fatal(err)
		}
		queuedMails(t, s) // the reply's
		ev := store.Event{Title: "Working group, March", StartsAt: time.Now(), EndsAt: time.Now().Add(time.Hour), Timezone: "Europe/Zurich", Visibility: store.Public}
		if err := s.SaveEvent(ctx, 0, &ev); err != nil {
			t.Fatal(err)
		}
		for _, req := range []store.StatusRequest{{To: store.StatusReferred, EventID: ev.ID, Note: "On the March agenda"},
			{To: store.StatusClosed}, {To: store.StatusOpen}} {
			if err := s.ChangeChallengeStatus(ctx, mod, th.ID, req); err != nil {
				t.Fatalf("%s: %v", req.To, err)
			}
		}
		got := noticesOf(t, s, biz.ID, store.NotifyStatus)
		want := [][2]string{{"open", "referred"}, {"referred", "closed"}, {"closed", "open"}}
		if len(got) != len(want) {
			t.Fatalf("%d status notices, want %d", len(got), len(want))
		}
		for i, n := range got {
			if from, to := statusOf(n.Change.From), statusOf(n.Change.To); from != want[i][0] || to != want[i][1] {
				t.Errorf("notice %d tells %s → %s, want %s → %s", i, from, to, want[i][0], want[i][1])
			}
			if valueOf(n.ActorID) != mod.ID {
				t.Errorf("notice %d: actor %d, want the moderator", i, valueOf(n.ActorID))
			}
		}
		if valueOf(got[0].Change.EventID) != ev.ID || valueOf(got[0].Change.Note) != "On the March agenda" {
			t.Errorf("the referral's notice lacks its event or note: %+v", got[0].Change)
		}
		if got[1].Change.EventID != nil {
			t.Errorf("the closing's notice names an event: %+v", got[1].Change)
		}
		if mails := queuedMails(t, s); mails[fmt.Sprintf("%d/status", biz.ID)] != 3 {
			t.Errorf("mails queued: %v, want three status mails to the author", mails)
		}

		// The author accepts the delegation's reply: the delegation is told,
		// in the app (live, with its unread count) and by mail.
		seq, err := s.TopicSeq(ctx, fmt.Sprintf("user:%d", del.ID))
		if err != nil {
			t.Fatal(err)
		}
		if err := s.ChangeChallengeStatus(ctx, biz, th.ID, store.StatusRequest{To: store.StatusAnswered, AcceptedPostID: answer.ID}); err != nil {
			t.Fatal(err)
		}
		acc := noticesOf(t, s, del.ID, store.NotifyAnswerAccepted)
		if len(acc) != 1 || valueOf(acc[0].PostID) != answer.ID || valueOf(acc[0].ActorID) != biz.ID ||
			statusOf(acc[0].Change.To) != "answered" {
			t.Fatalf("the answer's author got %+v, want one answer_accepted notice for their post", acc)
		}
		if own := noticesOf(t, s, biz.ID, store.NotifyAccepted); len(own) != 0 {
			t.Errorf("the author was told of their own acceptance: %+v", own)
		}
		evs, err := s.EventsSince(ctx, fmt.Sprintf("user:%d", del.ID), seq, 10)
		if err != nil {
			t.Fatal(err)
		}
		live := false
		for _, e := range evs {
			var p struct {
				Kind   string `json:"kind"`
				Unread int    `json:"unread"`
			}
			_ = json.Unmarshal([]byte(e.Payload), &p)
			if e.Type == "notification" && p.Kind == "answer_accepted" && p.Unread >= 1 {
				live = true
			}
		}
		if !live {
			t.Errorf("no live notification event for the delegation: %+v", evs)
		}
		if mails := queuedMails(t, s); mails[fmt.Sprintf("%d/answer_accepted", del.ID)] != 1 {
			t.Errorf("mails queued: %v, want one answer_accepted mail to the delegation", mails)
		}

		// A moderator taking the acceptance back and giving it again tells
		// both the challenge's author and the reply's.
		if err := s.ChangeChallengeStatus(ctx, mod, th.ID, store.StatusRequest{To: store.StatusOpen}); err != nil {
			t.Fatal(err)
		}
		if err := s.ChangeChallengeStatus(ctx, mod, th.ID, store.StatusRequest{To: store.StatusAnswered, AcceptedPostID: answer.ID}); err != nil {
			t.Fatal(err)
		}
		if n := len(noticesOf(t, s, biz.ID, store.NotifyAccepted)); n != 1 {
			t.Errorf("the author got %d accepted notices, want 1", n)
		}
		if n := len(noticesOf(t, s, del.ID, store.NotifyAnswerAccepted)); n != 2 {
			t.Errorf("the reply's author got %d answer_accepted notices, want 2", n)
		}
	})
}

func valueOf[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

// TestNotificationDefaults: replies in your own threads and mentions come
// by mail at once; replies in other watched threads and new threads in
// watched themes wait for the digest; moderators get account requests and
// flags by mail at once, or in a daily summary of their own if they choose.
func TestNotificationDefaults(t *testing.T) {
	want := map[store.NotificationKind]store.Channel{
		store.NotifyThreadReply: store.ChannelEmail, store.NotifyMention: store.ChannelEmail,
		store.NotifyReply: store.ChannelDigest, store.NotifyNewThread: store.ChannelDigest,
		store.NotifyStatus: store.ChannelEmail, store.NotifyAccepted: store.ChannelEmail, store.NotifyAnswerAccepted: store.ChannelEmail,
		store.NotifyApproved: store.ChannelEmail, store.NotifyPendingAccount: store.ChannelEmail, store.NotifyNewFlag: store.ChannelEmail,
	}
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		theme := firstTheme(t, s)
		biz := mustUser(t, s, "biz@x.org", store.RoleBusiness, "Firm")
		del := mustUser(t, s, "del@x.org", store.RoleMember, "Delegation")
		kenya := mustUser(t, s, "kenya@x.org", store.RoleMember, "Delegation of Kenya")
		mod := mustUser(t, s, "mod@x.org", store.RoleModerator, "Secretariat")
		prefs, err := s.Prefs(ctx, biz.ID)
		if err != nil {
			t.Fatal(err)
		}
		for k, c := range want {
			if prefs.Channels[k] != c {
				t.Errorf("default of %s: %s, want %s", k, prefs.Channels[k], c)
			}
		}
		if prefs.Digest != "weekly" {
			t.Errorf("default digest %q, want weekly", prefs.Digest)
		}
		if err := s.SetWatch(ctx, kenya.ID, "theme", theme.ID, store.Watching); err != nil {
			t.Fatal(err)
		}
		th := newThread(t, s, biz, theme.ID, "Parcel fees")
		if _, err := s.CreatePost(ctx, store.NewPost{ThreadID: th.ID, Author: del, Body: "First", HTML: "x"}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.CreatePost(ctx, store.NewPost{ThreadID: th.ID, Author: biz, Body: "Thanks @kenya", HTML: "x", Mentions: []int64{kenya.ID}}); err != nil {
			t.Fatal(err)
		}
		mails := queuedMails(t, s)
		for _, c := range []struct {
			who  *store.User
			kind store.NotificationKind
			in   int
			mail int
		}{
			{biz, store.NotifyThreadReply, 1, 1}, // a reply to your own thread: at once
			{biz, store.NotifyReply, 0, 0},
			{del, store.NotifyReply, 1, 0}, // a reply in a thread you took part in: digest
			{kenya, store.NotifyNewThread, 1, 0},
			{kenya, store.NotifyMention, 1, 1},
		} {
			if got := len(noticesOf(t, s, c.who.ID, c.kind)); got != c.in {
				t.Errorf("%s: %d %s notices, want %d", c.who.Email, got, c.kind, c.in)
			}
			if got := mails[fmt.Sprintf("%d/%s", c.who.ID, c.kind)]; got != c.mail {
				t.Errorf("%s: %d %s mails, want %d", c.who.Email, got, c.kind, c.mail)
			}
		}

		// A thread's author who stopped watching it is not told.
		if err := s.SetWatch(ctx, biz.ID, "thread", th.ID, store.Muted); err != nil {
			t.Fatal(err)
		}
		if _, err := s.CreatePost(ctx, store.NewPost{ThreadID: th.ID, Author: del, Body: "Second", HTML: "x"}); err != nil {
			t.Fatal(err)
		}
		if got := len(noticesOf(t, s, biz.ID, store.NotifyThreadReply)) + len(noticesOf(t, s, biz.ID, store.NotifyReply)); got != 1 {
			t.Errorf("the author muted the thread yet has %d reply notices, want still 1", got)
		}

		// Moderators: a registration comes by mail at once.
		pending := mustUser(t, s, "new@x.org", store.RolePending, "Newcomer")
		if mails := queuedMails(t, s); mails[fmt.Sprintf("%d/pending_account", mod.ID)] != 1 {
			t.Errorf("mails: %v, want the account request mailed to the moderator at once", mails)
		}
		_ = pending

		// In a daily summary instead, if the moderator chooses it: nothing
		// at once, then one summary a day holding it, and not in the digest.
		if err := s.SetPref(ctx, mod.ID, store.NotifyPendingAccount, store.ChannelDigest); err != nil {
			t.Fatal(err)
		}
		mustUser(t, s, "later@x.org", store.RolePending, "Latecomer")
		if mails := queuedMails(t, s); len(mails) != 0 {
			t.Errorf("mails queued at once: %v, want none", mails)
		}
		if err := s.SetDigest(ctx, mod.ID, "off"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.QueueDueDigests(ctx); err != nil { // starts the summary's clock
			t.Fatal(err)
		}
		if mails := queuedMails(t, s); mails[fmt.Sprintf("%d/%s", mod.ID, store.MailModerationSummary)] != 0 {
			t.Errorf("mails queued when the summary was chosen: %v, want no summary until a day later", mails)
		}
		s.SetClock(func() time.Time { return time.Now().Add(time.Hour) })
		if n, _ := s.QueueDueDigests(ctx); n != 0 {
			t.Errorf("%d summaries an hour later, want 0", n)
		}
		s.SetClock(func() time.Time { return time.Now().Add(25 * time.Hour) })
		if _, err := s.QueueDueDigests(ctx); err != nil {
			t.Fatal(err)
		}
		mails = queuedMails(t, s)
		if mails[fmt.Sprintf("%d/%s", mod.ID, store.MailModerationSummary)] != 1 || mails[fmt.Sprintf("%d/digest", mod.ID)] != 0 {
			t.Errorf("mails: %v, want one moderation summary for the moderator, no digest", mails)
		}
		s.SetClock(func() time.Time { return time.Now().Add(26 * time.Hour) })
		if n, _ := s.QueueDueDigests(ctx); n != 0 {
			t.Errorf("%d more digests or summaries within the day, want 0", n)
		}
		items, err := s.DigestItems(ctx, mod.ID, time.Now().Add(-time.Hour), time.Now().Add(26*time.Hour), true)
		if err != nil {
			t.Fatal(err)
		}
		if len(items) != 1 || items[0].Kind != store.NotifyPendingAccount {
			t.Errorf("summary items %+v, want the one account request", items)
		}
		if items, _ := s.DigestItems(ctx, mod.ID, time.Now().Add(-time.Hour), time.Now().Add(26*time.Hour), false); len(items) != 0 {
			t.Errorf("digest items %+v, want none (the request is in the summary)", items)
		}
		s.SetClock(func() time.Time { return time.Now().Add(50 * time.Hour) })
		if n, _ := s.QueueDueDigests(ctx); n != 1 {
			t.Errorf("%d summaries the next day, want 1", n)
		}

		// Choosing the default stores nothing: the person follows the default.
		if err := s.SetPref(ctx, biz.ID, store.NotifyReply, store.ChannelOff); err != nil {
			t.Fatal(err)
		}
		if err := s.SetPref(ctx, biz.ID, store.NotifyReply, store.ChannelDigest); err != nil {
			t.Fatal(err)
		}
		if p, _ := s.Prefs(ctx, biz.ID); p.Channels[store.NotifyReply] != store.ChannelDigest {
			t.Errorf("reply channel back to the default: %s", p.Channels[store.NotifyReply])
		}
	})
}
