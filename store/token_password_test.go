package store_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"ideasx/store"
	"ideasx/store/storetest"
)

// TestPasswordChangeAndResetRevokeTokens: a new password, chosen or reset,
// revokes every API token of the account (and only of that account) with
// the sessions, and tells its live connections to check their credentials.
func TestPasswordChangeAndResetRevokeTokens(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		u := mustUser(t, s, "u@x.org", store.RoleMember, "Delegation")
		other := mustUser(t, s, "o@x.org", store.RoleMember, "Delegation")
		for _, h := range []string{"u-laptop", "u-script"} {
			if _, err := s.CreateAPIToken(ctx, u.ID, h, h); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := s.CreateAPIToken(ctx, other.ID, "other", "o-token"); err != nil {
			t.Fatal(err)
		}
		if err := s.CreateSession(ctx, "this-session", u.ID, time.Hour, "", ""); err != nil {
			t.Fatal(err)
		}
		before := lastSeq(t, s, u.ID)
		if err := s.SetPassword(ctx, u.ID, "new-hash", "this-session"); err != nil {
			t.Fatal(err)
		}
		for _, h := range []string{"u-laptop", "u-script"} {
			if _, err := s.UserByAPIToken(ctx, h); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("token %s after a password change: got %v, want ErrNotFound", h, err)
			}
		}
		if _, _, err := s.SessionUser(ctx, "this-session"); err != nil {
			t.Errorf("the session that changed the password: %v, want it kept", err)
		}
		if got, err := s.UserByAPIToken(ctx, "o-token"); err != nil || got.ID != other.ID {
			t.Errorf("another account's token: %v, %v; want it untouched", got, err)
		}
		list, _ := s.APITokens(ctx, u.ID)
		for _, tok := range list {
			if tok.RevokedAt == nil {
				t.Errorf("token %q listed as live after a password change", tok.Name)
			}
		}
		if evs, _ := s.EventsSince(ctx, fmt.Sprintf("user:%d", u.ID), before, 10); !hasType(evs, store.EventAccountChanged) {
			t.Errorf("no %s after a password change: %+v", store.EventAccountChanged, evs)
		}

		if _, err := s.CreateAPIToken(ctx, u.ID, "after", "u-after"); err != nil {
			t.Fatal(err)
		}
		if err := s.CreatePasswordReset(ctx, u.ID, "reset", time.Hour); err != nil {
			t.Fatal(err)
		}
		if _, err := s.ResetPassword(ctx, "reset", "newer-hash"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.UserByAPIToken(ctx, "u-after"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("token after a password reset: got %v, want ErrNotFound", err)
		}
	})
}

func lastSeq(t *testing.T, s *store.Store, userID int64) int64 {
	t.Helper()
	seq, err := s.TopicSeq(context.Background(), fmt.Sprintf("user:%d", userID))
	if err != nil {
		t.Fatal(err)
	}
	return seq
}

func hasType(evs []store.LiveEvent, typ string) bool {
	for _, ev := range evs {
		if ev.Type == typ {
			return true
		}
	}
	return false
}
