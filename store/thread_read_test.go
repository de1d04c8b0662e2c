package store_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"ideasx/store"
	"ideasx/store/storetest"
)

// TestThreadComesWithItsTags: a thread is read with its tags in their
// order (one statement on each engine); a thread without tags has none.
func TestThreadComesWithItsTags(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		theme := firstTheme(t, s)
		biz := mustUser(t, s, "biz@x.org", store.RoleBusiness, "Andes Textiles")
		tagged, err := s.CreateThread(ctx, store.NewThread{ThemeID: theme.ID, Kind: store.Challenge, Title: "Labels in three languages",
			Attribution: store.OnTheRecord, Body: "Each market asks its own.", HTML: "<p>Each market asks its own.</p>", Author: biz,
			Tags: []string{"textiles", "labelling", "e-commerce"}})
		if err != nil {
			t.Fatal(err)
		}
		plain := newThread(t, s, biz, theme.ID, "Certificates of origin take weeks")
		got, err := s.ThreadByID(ctx, tagged.ID)
		if err != nil {
			t.Fatal(err)
		}
		if want := []string{"e-commerce", "labelling", "textiles"}; !slices.Equal(got.Tags, want) {
			t.Errorf("tags: got %q, want %q", got.Tags, want)
		}
		if got.Title != "Labels in three languages" || got.OrgName != "Andes Textiles" || got.PostCount != 1 {
			t.Errorf("thread read with its tags: %+v", got)
		}
		got, err = s.ThreadByID(ctx, plain.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Tags) != 0 {
			t.Errorf("a thread without tags has %q", got.Tags)
		}
	})
}

// TestNewPostGoesToTheHubAsCommitted: the post.created event of a reply
// carries the reply as saved and the thread's attribution and visibility
// at that moment; the same event read back from the table carries nothing
// but ids, so that a replay is drawn from the database as it stands.
func TestNewPostGoesToTheHubAsCommitted(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		var sent []store.LiveEvent
		s.OnEvents(func(evs []store.LiveEvent) { sent = append(sent, evs...) })
		theme := firstTheme(t, s)
		biz := mustUser(t, s, "biz@x.org", store.RoleBusiness, "Andes Textiles")
		del := mustUser(t, s, "del@x.org", store.RoleMember, "Delegation of Chile")
		mod := mustUser(t, s, "mod@x.org", store.RoleModerator, "Secretariat")
		th, err := s.CreateThread(ctx, store.NewThread{ThemeID: theme.ID, Kind: store.Challenge, Title: "Border queues",
			Attribution: store.ChathamHouse, Body: "Two days at the border.", HTML: "<p>Two days at the border.</p>", Author: biz})
		if err != nil {
			t.Fatal(err)
		}
		committed := func(postID int64) *store.CommittedPost {
			t.Helper()
			for _, ev := range sent {
				if ev.Type == "post.created" && ev.Post != nil && ev.Post.Post.ID == postID {
					return ev.Post
				}
			}
			t.Fatalf("no post.created event carries post %d", postID)
			return nil
		}

		p, err := s.CreatePost(ctx, store.NewPost{ThreadID: th.ID, Author: del, Body: "We publish the waiting times.", HTML: "<p>We publish the waiting times.</p>"})
		if err != nil {
			t.Fatal(err)
		}
		c := committed(p.ID)
		if c.Post.Body != "We publish the waiting times." || c.Post.AuthorName != del.Name || c.Post.OrgName != "Delegation of Chile" ||
			c.Attribution != store.ChathamHouse || c.ThreadHidden {
			t.Errorf("committed reply: %+v", c)
		}

		if err := s.SetThreadSwitch(ctx, mod.ID, th.ID, store.SwitchHidden, true); err != nil {
			t.Fatal(err)
		}
		p, err = s.CreatePost(ctx, store.NewPost{ThreadID: th.ID, Author: mod, Body: "Hidden while we check.", HTML: "<p>Hidden while we check.</p>"})
		if err != nil {
			t.Fatal(err)
		}
		if c := committed(p.ID); !c.ThreadHidden {
			t.Errorf("a reply in a hidden thread went out as visible: %+v", c)
		}

		stored, err := s.EventsSince(ctx, fmt.Sprintf("thread:%d", th.ID), 0, 10)
		if err != nil {
			t.Fatal(err)
		}
		for _, ev := range stored {
			if ev.Post != nil {
				t.Errorf("event %d read back from the table carries a post", ev.Seq)
			}
		}
	})
}
