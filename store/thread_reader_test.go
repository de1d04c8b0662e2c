package store_test

import (
	"context"
	"fmt"
	"testing"

	"ideasx/store"
	"ideasx/store/storetest"
)

// TestThreadReaderAgreesWithItsParts: the one reading a thread page makes of
// its reader says what the separate questions say, before and after the
// reader does each of the things it reports; its useful marks, which no
// other question reads, are the ones the reader made in that thread.
func TestThreadReaderAgreesWithItsParts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		biz := mustUser(t, s, "biz@x.org", store.RoleBusiness, "Firm")
		chile := mustUser(t, s, "cl@x.org", store.RoleMember, "Delegation of Chile")
		kenya := mustUser(t, s, "ke@x.org", store.RoleMember, "Delegation of Kenya")
		th := newThread(t, s, biz, firstTheme(t, s).ID, "Reader state")
		other := newThread(t, s, biz, firstTheme(t, s).ID, "Another thread")

		check := func(step string) *store.ThreadReader {
			t.Helper()
			tr, err := s.ReadThreadReader(ctx, chile, th.ID)
			if err != nil {
				t.Fatalf("%s: %v", step, err)
			}
			threadSeq, _ := s.TopicSeq(ctx, fmt.Sprintf("thread:%d", th.ID))
			userSeq, _ := s.TopicSeq(ctx, fmt.Sprintf("user:%d", chile.ID))
			unread, _ := s.UnreadNotifications(ctx, chile.ID)
			last, _ := s.ReadPosition(ctx, chile.ID, th.ID)
			watch, _ := s.WatchLevel(ctx, chile.ID, "thread", th.ID)
			if tr.ThreadSeq != threadSeq || tr.UserSeq != userSeq || tr.Unread != unread || tr.LastRead != last || tr.Watch != watch {
				t.Errorf("%s: got seq %d/%d unread %d read %d watch %q; want %d/%d %d %d %q", step,
					tr.ThreadSeq, tr.UserSeq, tr.Unread, tr.LastRead, tr.Watch, threadSeq, userSeq, unread, last, watch)
			}
			return tr
		}

		tr := check("a new reader")
		if tr.ThreadSeq == 0 || tr.LastRead != 0 || tr.OrgRead || tr.Watch != "" || len(tr.Useful) != 0 || tr.Unread != 0 {
			t.Errorf("a new reader of a new thread: %+v", tr)
		}
		posts, _ := s.Posts(ctx, th.ID, 0, 10)
		if err := s.MarkReadAfter(ctx, chile, tr, th.ID, posts[0].ID); err != nil {
			t.Fatal(err)
		}
		if err := s.SetWatch(ctx, chile.ID, "thread", th.ID, "watch"); err != nil {
			t.Fatal(err)
		}
		reply, err := s.CreatePost(ctx, store.NewPost{ThreadID: th.ID, Author: kenya, Body: "Answer", HTML: "a"})
		if err != nil {
			t.Fatal(err)
		}
		elsewhere, _ := s.Posts(ctx, other.ID, 0, 1)
		for _, id := range []int64{posts[0].ID, reply.ID, elsewhere[0].ID} {
			if _, err := s.ToggleUseful(ctx, chile, id); err != nil {
				t.Fatal(err)
			}
		}
		tr = check("after reading, watching, a reply and three marks")
		if tr.LastRead != posts[0].ID || !tr.OrgRead || tr.Watch != "watch" || tr.Unread == 0 || tr.UserSeq == 0 {
			t.Errorf("after reading, watching and a reply: %+v", tr)
		}
		if len(tr.Useful) != 2 || !tr.Useful[posts[0].ID] || !tr.Useful[reply.ID] || tr.Useful[elsewhere[0].ID] {
			t.Errorf("marks %v: want the two in this thread only (%d, %d)", tr.Useful, posts[0].ID, reply.ID)
		}

		// Already read: nothing is written, and the view count stays.
		before, _ := s.ThreadByID(ctx, th.ID)
		writes := s.Writes()
		if err := s.MarkReadAfter(ctx, chile, tr, th.ID, posts[0].ID); err != nil || s.Writes() != writes {
			t.Errorf("marking what was read: %v, writes %d → %d", err, writes, s.Writes())
		}
		if err := s.MarkReadAfter(ctx, chile, tr, th.ID, reply.ID); err != nil {
			t.Fatal(err)
		}
		after, _ := s.ThreadByID(ctx, th.ID)
		if tr = check("after reading on"); tr.LastRead != reply.ID || after.ViewCount != before.ViewCount {
			t.Errorf("after reading on: position %d (want %d), views %d → %d", tr.LastRead, reply.ID, before.ViewCount, after.ViewCount)
		}
	})
}
