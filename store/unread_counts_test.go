package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"ideasx/store"
	"ideasx/store/storetest"
)

// unreadTables compares the kept unread counts with a count of the
// notifications themselves, for every person and kind.
func unreadTables(t *testing.T, db *sql.DB) (kept, counted string) {
	t.Helper()
	read := func(q string) string {
		rows, err := db.Query(q)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		out := ""
		for rows.Next() {
			var user int64
			var kind string
			var n int
			if err := rows.Scan(&user, &kind, &n); err != nil {
				t.Fatal(err)
			}
			out += fmt.Sprintf("%d/%s=%d ", user, kind, n)
		}
		return out
	}
	return read(`SELECT user_id, kind, unread FROM notification_unread WHERE unread <> 0 ORDER BY user_id, kind`),
		read(`SELECT user_id, kind, count(*) FROM notifications WHERE read_at IS NULL GROUP BY user_id, kind ORDER BY user_id, kind`)
}

// The unread counts follow every change to the notifications — made,
// read one by one or all at once, deleted with their owner — and
// migration 0020 counts those that were there before it.
func TestUnreadCountsFollowEveryChange(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		db := s.DB()
		check := func(when string, user *store.User, want int) {
			t.Helper()
			if kept, counted := unreadTables(t, db); kept != counted {
				t.Errorf("%s: kept %q, counted %q", when, kept, counted)
			}
			if got, err := s.UnreadNotifications(ctx, user.ID); err != nil || got != want {
				t.Errorf("%s: %s has %d unread (%v), want %d", when, user.Email, got, err, want)
			}
		}
		theme := firstTheme(t, s)
		biz := mustUser(t, s, "biz@x.org", store.RoleBusiness, "Andes Textiles")
		del := mustUser(t, s, "del@x.org", store.RoleMember, "Delegation of Chile")
		gone := mustUser(t, s, "gone@x.org", store.RoleMember, "Delegation of Peru")
		th := newThread(t, s, biz, theme.ID, "Certificates of origin")
		for _, u := range []*store.User{del, gone} {
			if err := s.SetWatch(ctx, u.ID, "thread", th.ID, "watch"); err != nil {
				t.Fatal(err)
			}
		}
		reply := func(body string, mentions ...int64) {
			t.Helper()
			if _, err := s.CreatePost(ctx, store.NewPost{ThreadID: th.ID, Author: biz, Body: body, HTML: "<p>x</p>", Mentions: mentions}); err != nil {
				t.Fatal(err)
			}
		}
		reply("One")
		reply("Two, @chile", del.ID)
		reply("Three")
		check("after three replies", del, 3)
		ns, err := s.Notifications(ctx, del.ID, 10, 0)
		if err != nil || len(ns) != 3 {
			t.Fatalf("notifications: %v, %v", ns, err)
		}
		// The pages are told the count as it is after the reading.
		told := func(when string, want int) {
			t.Helper()
			topic := fmt.Sprintf("user:%d", del.ID)
			seq, err := s.TopicSeq(ctx, topic)
			if err != nil {
				t.Fatal(err)
			}
			evs, err := s.EventsSince(ctx, topic, seq-1, 1)
			if err != nil || len(evs) != 1 || evs[0].Type != "notification.read" || !strings.Contains(evs[0].Payload, fmt.Sprintf(`"unread":%d}`, want)) {
				t.Errorf("%s: told %+v (%v), want notification.read with unread %d", when, evs, err, want)
			}
		}
		if err := s.MarkNotificationsRead(ctx, del.ID, ns[0].ID); err != nil {
			t.Fatal(err)
		}
		check("after one is read", del, 2)
		told("after one is read", 2)
		if err := s.MarkNotificationsRead(ctx, del.ID, 0); err != nil {
			t.Fatal(err)
		}
		check("after all are read", del, 0)
		told("after all are read", 0)
		reply("Four")
		check("after a fourth reply", del, 1)
		// Notifications go with what they speak of (foreign keys that cascade).
		if _, err := db.ExecContext(ctx, fmt.Sprintf(`DELETE FROM notifications WHERE user_id = %d AND read_at IS NULL`, del.ID)); err != nil {
			t.Fatal(err)
		}
		check("after an unread notification is deleted", del, 0)
		check("before an account is deleted", gone, 4)
		// A watcher never posted: their account can go, and their
		// notifications with it.
		if _, err := db.ExecContext(ctx, fmt.Sprintf(`DELETE FROM users WHERE id = %d`, gone.ID)); err != nil {
			t.Fatal(err)
		}
		check("after an account is deleted", del, 0)
		reply("Five")
		migration0020(t, s)
		check("after migration 0020 counted them again", del, 1)
		reply("Six")
		check("after a reply past migration 0020", del, 2)
	})
}

// migration0020 runs the migration's file again on a store whose counts
// and triggers were dropped, as before it.
func migration0020(t *testing.T, s *store.Store) {
	t.Helper()
	drop := []string{`DROP TABLE notification_unread`, `DROP FUNCTION notification_unread_made CASCADE`,
		`DROP FUNCTION notification_unread_changed CASCADE`, `DROP FUNCTION notification_unread_deleted CASCADE`}
	if s.Engine() == "sqlite" {
		drop = []string{`DROP TABLE notification_unread`, `DROP TRIGGER notification_unread_insert`,
			`DROP TRIGGER notification_unread_delete`, `DROP TRIGGER notification_unread_update`}
	}
	for _, q := range drop {
		if _, err := s.DB().Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	raw, err := os.ReadFile(filepath.Join("migrations", s.Engine(), "0020_unread_counts.sql"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.DB().Exec(string(raw)); err != nil {
		t.Fatalf("migration 0020: %v", err)
	}
}

// A person told twice in one transaction hears each notice with the count
// that includes the ones before it.
func TestUnreadCountOfASecondNoticeInOneChange(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		mod := mustUser(t, s, "mod@x.org", store.RoleModerator, "Secretariat")
		biz := mustUser(t, s, "biz@x.org", store.RoleBusiness, "Andes Textiles")
		if err := s.NotifyTwice(ctx, mod.ID, biz.ID); err != nil {
			t.Fatal(err)
		}
		evs, err := s.EventsSince(ctx, fmt.Sprintf("user:%d", mod.ID), 0, 10)
		if err != nil || len(evs) != 2 {
			t.Fatalf("events: %+v, %v", evs, err)
		}
		for i, ev := range evs {
			if !strings.Contains(ev.Payload, fmt.Sprintf(`"unread":%d}`, i+1)) {
				t.Errorf("notice %d: %s, want unread %d", i+1, ev.Payload, i+1)
			}
		}
		if kept, counted := unreadTables(t, s.DB()); kept != counted {
			t.Errorf("kept %q, counted %q", kept, counted)
		}
	})
}
