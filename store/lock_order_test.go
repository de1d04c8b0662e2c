package store_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"ideasx/store"
	"ideasx/store/storetest"
)

// Changes that tell the same people and topics at the same moment — replies,
// new threads that name people, people reading their notifications — all
// go through: none is chosen as a deadlock's victim, and the unread counts
// end right. (Every transaction takes the live topics it moves in one
// order, at its end.)
func TestConcurrentChangesDoNotDeadlock(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		theme := firstTheme(t, s)
		biz := mustUser(t, s, "biz@x.org", store.RoleBusiness, "Andes Textiles")
		other := mustUser(t, s, "other@x.org", store.RoleBusiness, "Lima Coffee")
		del := mustUser(t, s, "del@x.org", store.RoleMember, "Delegation of Chile")
		th := newThread(t, s, biz, theme.ID, "Certificates of origin")
		// More watchers than one statement numbers, so that some changes
		// number their topics in several batches.
		var watchers []*store.User
		var named []int64
		for i := range 20 {
			u := mustUser(t, s, fmt.Sprintf("w%d@x.org", i), store.RoleMember, fmt.Sprintf("Delegation %d", i))
			for _, target := range []struct {
				kind string
				id   int64
			}{{"thread", th.ID}, {"theme", theme.ID}} {
				if err := s.SetWatch(ctx, u.ID, target.kind, target.id, "watch"); err != nil {
					t.Fatal(err)
				}
			}
			watchers = append(watchers, u)
			named = append([]int64{u.ID}, named...) // highest first
		}
		const rounds = 12
		var wg sync.WaitGroup
		errs := make(chan error, 4*rounds)
		run := func(what string, f func(i int) error) {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range rounds {
					if err := f(i); err != nil {
						errs <- fmt.Errorf("%s %d: %w", what, i, err)
					}
				}
			}()
		}
		run("reply", func(i int) error {
			_, err := s.CreatePost(ctx, store.NewPost{ThreadID: th.ID, Author: del, Body: fmt.Sprintf("Reply %d", i), HTML: "<p>x</p>"})
			return err
		})
		run("reply naming people", func(i int) error {
			_, err := s.CreatePost(ctx, store.NewPost{ThreadID: th.ID, Author: other, Body: fmt.Sprintf("Named %d", i), HTML: "<p>x</p>", Mentions: named[:3]})
			return err
		})
		run("new thread", func(i int) error {
			_, err := s.CreateThread(ctx, store.NewThread{ThemeID: theme.ID, Kind: store.Challenge, Title: fmt.Sprintf("Queue %d", i),
				Attribution: store.OnTheRecord, Body: "Body", HTML: "<p>Body</p>", Author: other, Mentions: named[:5]})
			return err
		})
		run("reading", func(i int) error {
			return s.MarkNotificationsRead(ctx, watchers[i%3].ID, 0)
		})
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		if kept, counted := unreadTables(t, s.DB()); kept != counted {
			t.Errorf("kept %q, counted %q", kept, counted)
		}
	})
}
