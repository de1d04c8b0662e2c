package store_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"ideasx/store"
	"ideasx/store/storetest"
)

// A reply's events are the same bytes on both engines — Postgres writes
// them in SQL, SQLite with encoding/json — stored as they were sent, in
// the order the thread, its theme, the forum, then each person notified.
func TestReplyEventsAreTheSameOnBothEngines(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		var sent []store.LiveEvent
		s.OnEvents(func(evs []store.LiveEvent) { sent = append(sent, evs...) })
		theme := firstTheme(t, s)
		biz := mustUser(t, s, "biz@x.org", store.RoleBusiness, "Andes Textiles")
		del := mustUser(t, s, "del@x.org", store.RoleMember, "Delegation of Chile")
		named := mustUser(t, s, "named@x.org", store.RoleMember, "Delegation of Kenya")
		th := newThread(t, s, biz, theme.ID, "Certificates of origin")
		sent = nil
		p, err := s.CreatePost(ctx, store.NewPost{ThreadID: th.ID, Author: del, Body: "Ask @kenya.", HTML: "<p>Ask</p>", Mentions: []int64{named.ID, named.ID}})
		if err != nil {
			t.Fatal(err)
		}
		notes := func(u *store.User) []store.NotificationView {
			t.Helper()
			ns, err := s.Notifications(ctx, u.ID, 10, 0)
			if err != nil {
				t.Fatal(err)
			}
			return ns
		}
		bizNotes, namedNotes := notes(biz), notes(named)
		if len(bizNotes) != 1 || bizNotes[0].Kind != store.NotifyThreadReply || len(namedNotes) != 1 || namedNotes[0].Kind != store.NotifyMention {
			t.Fatalf("notified: author %+v, named %+v; want one thread_reply and one mention", bizNotes, namedNotes)
		}
		want := []struct{ topic, typ, payload string }{
			{fmt.Sprintf("thread:%d", th.ID), "post.created", fmt.Sprintf(`{"post_id":%d,"thread_id":%d}`, p.ID, th.ID)},
			{fmt.Sprintf("theme:%d", theme.ID), "thread.updated", fmt.Sprintf(`{"theme_id":%d,"thread_id":%d}`, theme.ID, th.ID)},
			{"forum", "thread.updated", fmt.Sprintf(`{"theme_id":%d,"thread_id":%d}`, theme.ID, th.ID)},
		}
		// The people notified come last, in either order.
		if len(sent) == 5 && sent[3].Topic == fmt.Sprintf("user:%d", named.ID) {
			sent[3], sent[4] = sent[4], sent[3]
		}
		want = append(want,
			struct{ topic, typ, payload string }{fmt.Sprintf("user:%d", biz.ID), "notification",
				fmt.Sprintf(`{"kind":"thread_reply","notification_id":%d,"unread":1}`, bizNotes[0].ID)},
			struct{ topic, typ, payload string }{fmt.Sprintf("user:%d", named.ID), "notification",
				fmt.Sprintf(`{"kind":"mention","notification_id":%d,"unread":1}`, namedNotes[0].ID)})
		if len(sent) != len(want) {
			t.Fatalf("sent %d events, want %d: %+v", len(sent), len(want), sent)
		}
		for i, w := range want {
			ev := sent[i]
			if ev.Topic != w.topic || ev.Type != w.typ || ev.Payload != w.payload {
				t.Errorf("event %d: got %s %s %s, want %s %s %s", i, ev.Topic, ev.Type, ev.Payload, w.topic, w.typ, w.payload)
				continue
			}
			stored, err := s.EventsSince(ctx, ev.Topic, ev.Seq-1, 1)
			if err != nil {
				t.Fatal(err)
			}
			if len(stored) != 1 || stored[0].ID != ev.ID || stored[0].Payload != ev.Payload || stored[0].Type != ev.Type {
				t.Errorf("event %d as stored: %+v, sent %+v", i, stored, ev)
			}
		}
		if mentions, err := s.PostMentions(ctx, p.ID); err != nil || len(mentions) != 1 || mentions[0] != named.ID {
			t.Errorf("mentions: got %v, %v; want the named person once", mentions, err)
		}
		if level, err := s.WatchLevel(ctx, del.ID, "thread", th.ID); err != nil || level != "watch" {
			t.Errorf("the reply's author watches: got %q, %v", level, err)
		}
		if got, err := s.ThreadByID(ctx, th.ID); err != nil || got.PostCount != 2 || got.LastPostID == nil || *got.LastPostID != p.ID {
			t.Errorf("thread after the reply: %+v, %v", got, err)
		}
	})
}

// A refused reply writes nothing: no post, notification, mention, watch,
// event nor counter moves. Nor does Store.Warm, whose reply is rolled back.
func TestRefusedReplyWritesNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		var sent []store.LiveEvent
		s.OnEvents(func(evs []store.LiveEvent) { sent = append(sent, evs...) })
		theme := firstTheme(t, s)
		biz := mustUser(t, s, "biz@x.org", store.RoleBusiness, "Andes Textiles")
		del := mustUser(t, s, "del@x.org", store.RoleMember, "Delegation of Chile")
		mod := mustUser(t, s, "mod@x.org", store.RoleModerator, "Secretariat")
		th := newThread(t, s, biz, theme.ID, "Certificates of origin")
		other := newThread(t, s, biz, theme.ID, "Phytosanitary rules")
		elsewhere, err := s.Posts(ctx, other.ID, 0, 1)
		if err != nil || len(elsewhere) != 1 {
			t.Fatal(err)
		}
		locked := newThread(t, s, biz, theme.ID, "Closed matter")
		if err := s.SetThreadSwitch(ctx, mod.ID, locked.ID, store.SwitchLocked, true); err != nil {
			t.Fatal(err)
		}
		seqs := func() map[string]int64 {
			m, err := s.TopicSeqs(ctx, []string{fmt.Sprintf("thread:%d", th.ID), fmt.Sprintf("thread:%d", locked.ID),
				fmt.Sprintf("theme:%d", theme.ID), "forum", fmt.Sprintf("user:%d", biz.ID)})
			if err != nil {
				t.Fatal(err)
			}
			return m
		}
		before := seqs()
		sent = nil
		// Readying the store for its first replies writes one and rolls it
		// back: nothing of it may be left.
		if err := s.Warm(ctx); err != nil {
			t.Fatalf("warm: %v", err)
		}
		for _, c := range []struct {
			name string
			np   store.NewPost
			want error
		}{
			{"a quote from another thread", store.NewPost{ThreadID: th.ID, QuotePostID: &elsewhere[0].ID}, store.ErrNotFound},
			{"a locked thread", store.NewPost{ThreadID: locked.ID}, store.ErrLocked},
			{"a missing thread", store.NewPost{ThreadID: locked.ID + 1000}, store.ErrNotFound},
		} {
			c.np.Author, c.np.Body, c.np.HTML, c.np.Mentions = del, "Ask @biz.", "<p>Ask</p>", []int64{biz.ID}
			if _, err := s.CreatePost(ctx, c.np); !errors.Is(err, c.want) {
				t.Errorf("%s: got %v, want %v", c.name, err, c.want)
			}
		}
		for _, id := range []int64{th.ID, locked.ID} {
			got, err := s.ThreadByID(ctx, id)
			if err != nil || got.PostCount != 1 {
				t.Errorf("thread %d after refused replies: %+v, %v", id, got, err)
			}
			if posts, err := s.Posts(ctx, id, 0, 10); err != nil || len(posts) != 1 {
				t.Errorf("thread %d has %d posts, want 1", id, len(posts))
			}
			if level, err := s.WatchLevel(ctx, del.ID, "thread", id); err != nil || level != "" {
				t.Errorf("a refused reply's author watches thread %d: %q, %v", id, level, err)
			}
		}
		if ns, err := s.Notifications(ctx, biz.ID, 10, 0); err != nil || len(ns) != 0 {
			t.Errorf("notified of refused replies: %+v, %v", ns, err)
		}
		if after := seqs(); fmt.Sprint(after) != fmt.Sprint(before) || len(sent) != 0 {
			t.Errorf("events of refused replies: seqs %v then %v, sent %+v", before, after, sent)
		}
	})
}
