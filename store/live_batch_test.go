package store_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"

	"ideasx/store"
	"ideasx/store/storetest"
)

// A reply tells each watcher's pages in one go: every person's topic moves
// by one per reply, without gaps, and carries that person's own unread count.
func TestReplyTellsEveryWatcherWithTheirUnreadCount(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		theme := firstTheme(t, s)
		biz := mustUser(t, s, "biz@x.org", store.RoleBusiness, "Andes Textiles")
		th := newThread(t, s, biz, theme.ID, "Certificates of origin")
		var watchers []*store.User
		for i := range 20 {
			u := mustUser(t, s, fmt.Sprintf("del%d@x.org", i), store.RoleMember, fmt.Sprintf("Delegation %d", i))
			if err := s.SetWatch(ctx, u.ID, "thread", th.ID, "watch"); err != nil {
				t.Fatal(err)
			}
			watchers = append(watchers, u)
		}
		for n := 1; n <= 2; n++ {
			if _, err := s.CreatePost(ctx, store.NewPost{ThreadID: th.ID, Author: biz, Body: fmt.Sprintf("Update %d", n), HTML: "<p>x</p>"}); err != nil {
				t.Fatal(err)
			}
		}
		// One of them reads everything: their count drops, the others' do not.
		if err := s.MarkNotificationsRead(ctx, watchers[0].ID, 0); err != nil {
			t.Fatal(err)
		}
		for i, u := range watchers {
			topic := fmt.Sprintf("user:%d", u.ID)
			evs, err := s.EventsSince(ctx, topic, 0, 10)
			if err != nil {
				t.Fatal(err)
			}
			want := 2
			if i == 0 {
				want = 3 // and the "read" event
			}
			if len(evs) != want {
				t.Fatalf("%s got %d events, want %d: %+v", u.Email, len(evs), want, evs)
			}
			for j, ev := range evs[:2] {
				var p struct {
					Unread int    `json:"unread"`
					Kind   string `json:"kind"`
				}
				if err := json.Unmarshal([]byte(ev.Payload), &p); err != nil {
					t.Fatal(err)
				}
				if ev.Seq != int64(j+1) || ev.Type != "notification" || p.Unread != j+1 || p.Kind != string(store.NotifyReply) {
					t.Errorf("%s event %d: seq %d type %s payload %s, want seq %d, unread %d", u.Email, j, ev.Seq, ev.Type, ev.Payload, j+1, j+1)
				}
			}
			if seq, _ := s.TopicSeq(ctx, topic); seq != int64(want) {
				t.Errorf("%s's topic at %d, want %d", u.Email, seq, want)
			}
		}
	})
}
