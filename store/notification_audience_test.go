package store_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"ideasx/store"
	"ideasx/store/storetest"
)

// TestNotificationAudienceRule: the rule itself, on the cases a reviewer
// would check first.
func TestNotificationAudienceRule(t *testing.T) {
	for _, c := range []struct {
		role   store.Role
		status store.Status
		kind   store.NotificationKind
		want   bool
	}{
		{store.RoleMember, store.StatusActive, store.NotifyMention, true},
		{store.RoleVisitor, store.StatusActive, store.NotifyMention, false},
		{store.RoleVisitor, store.StatusActive, store.NotifyReply, false},
		{store.RoleVisitor, store.StatusActive, store.NotifyApproved, true},
		{store.RoleMember, store.StatusSuspended, store.NotifyApproved, false},
		{store.RoleMember, store.StatusSuspended, store.NotifyReply, false},
		{store.RoleMember, store.StatusActive, store.NotifyNewFlag, false},
		{store.RoleModerator, store.StatusActive, store.NotifyNewFlag, true},
		{store.RoleAdmin, store.StatusActive, store.NotifyPendingAccount, true},
		{store.RoleBusiness, store.StatusActive, store.NotifyPendingAccount, false},
		{store.RoleModerator, store.StatusActive, store.NotificationKind("surprise"), false},
	} {
		u := &store.User{Role: c.role, Status: c.status}
		if got := u.MaySeeNotification(c.kind); got != c.want {
			t.Errorf("%s %s sees %s: got %v, want %v", c.status, c.role, c.kind, got, c.want)
		}
	}
}

// TestNotificationsFollowTheRuleNow: for every role and status, the list,
// the unread count and opening one show exactly the kinds the account may
// see now; a demoted account stops seeing the forum's and the moderators'
// kinds, marking all read leaves those alone, and promoting it back brings
// them back unread.
func TestNotificationsFollowTheRuleNow(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		ids := map[int64]map[store.NotificationKind]int64{}
		var users []*store.User
		for _, st := range store.Statuses {
			for _, r := range store.Roles {
				u, err := s.CreateUser(ctx, store.NewUser{Email: fmt.Sprintf("%s-%s@x.org", r, st), Name: string(r), Role: r, Status: st, PasswordHash: "x"},
					store.Organisation{Name: "Org " + string(r), Kind: store.OrgBusiness, Country: "CH"})
				if err != nil {
					t.Fatal(err)
				}
				users = append(users, u)
			}
		}
		mod := mustUser(t, s, "mod@x.org", store.RoleModerator, "Secretariat")
		// Only the notifications written here: the pending accounts told the moderators.
		if _, err := s.DB().ExecContext(ctx, `DELETE FROM notifications`); err != nil {
			t.Fatal(err)
		}
		for _, u := range append(users, mod) {
			ids[u.ID] = map[store.NotificationKind]int64{}
			for _, k := range store.NotificationKinds {
				ids[u.ID][k] = insertNotification(t, s, u.ID, k)
			}
		}
		check := func(u *store.User) {
			t.Helper()
			want := 0
			got := kinds(t, s, u.ID)
			for _, k := range store.NotificationKinds {
				may := u.MaySeeNotification(k)
				if may {
					want++
				}
				if (got[k] == 1) != may {
					t.Errorf("%s %s: %s listed %d times, want it listed: %v", u.Status, u.Role, k, got[k], may)
				}
				_, err := s.NotificationByID(ctx, u.ID, ids[u.ID][k])
				if may && err != nil || !may && !errors.Is(err, store.ErrNotFound) {
					t.Errorf("%s %s: opening %s: %v, want it found: %v", u.Status, u.Role, k, err, may)
				}
			}
			if n, err := s.UnreadNotifications(ctx, u.ID); n != want || err != nil {
				t.Errorf("%s %s: unread %d (%v), want %d", u.Status, u.Role, n, err, want)
			}
		}
		for _, u := range users {
			check(u)
		}

		if err := s.SetRole(ctx, mod.ID, mod.ID, store.RoleVisitor); err != nil {
			t.Fatal(err)
		}
		demoted, _ := s.UserByID(ctx, mod.ID)
		if got := kinds(t, s, mod.ID); len(got) != 1 || got[store.NotifyApproved] != 1 {
			t.Errorf("a moderator demoted to visitor lists %v, want only the approval", got)
		}
		check(demoted)
		if err := s.MarkNotificationsRead(ctx, mod.ID, 0); err != nil {
			t.Fatal(err)
		}
		if err := s.SetRole(ctx, mod.ID, mod.ID, store.RoleModerator); err != nil {
			t.Fatal(err)
		}
		if n, _ := s.UnreadNotifications(ctx, mod.ID); n != len(store.NotificationKinds)-1 {
			t.Errorf("promoted back: %d unread, want %d (all but the approval read while a visitor)", n, len(store.NotificationKinds)-1)
		}
		if got := kinds(t, s, mod.ID); len(got) != len(store.NotificationKinds) {
			t.Errorf("promoted back: lists %v, want every kind", got)
		}
	})
}

// insertNotification writes a notification of kind k for userID as it
// might have been made when the account had other rights.
func insertNotification(t *testing.T, s *store.Store, userID int64, k store.NotificationKind) int64 {
	t.Helper()
	var id int64
	err := s.DB().QueryRowContext(context.Background(),
		fmt.Sprintf(`INSERT INTO notifications (user_id, kind, created_at) VALUES (%d, '%s', CURRENT_TIMESTAMP) RETURNING id`, userID, k)).Scan(&id)
	if err != nil {
		t.Fatal(err)
	}
	return id
}
