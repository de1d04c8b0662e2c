package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"ideasx/store"
	"ideasx/store/storetest"
)

// TestCredentialsKeptForASecond: the account behind a session or a token
// is kept for a second, on two instances of one database. A sign-out, a
// revoked token, a suspension or a new role made by an instance counts
// there at once, and on the other once it is told (ForgetCredentials) or
// its second is over; a session that expires within the second ends when
// it expires.
func TestCredentialsKeptForASecond(t *testing.T) {
	for _, e := range storetest.Engines {
		t.Run(string(e), func(t *testing.T) {
			ctx := context.Background()
			opts := storetest.Options(t, e)
			a, b := storetest.OpenOptions(t, opts), storetest.OpenOptions(t, opts)
			now := time.Now()
			clock := func() time.Time { return now }
			a.SetClock(clock)
			b.SetClock(clock)
			tick := func(d time.Duration) {
				now = now.Add(d)
			}
			admin := mustUser(t, a, "admin@x.org", store.RoleAdmin, "Secretariat")
			u := mustUser(t, a, "u@x.org", store.RoleMember, "Delegation")
			if err := a.CreateSession(ctx, "s1", u.ID, time.Hour, "", ""); err != nil {
				t.Fatal(err)
			}
			tok, err := a.CreateAPIToken(ctx, u.ID, "script", "t1")
			if err != nil {
				t.Fatal(err)
			}
			// Both instances read both credentials (the token twice: its
			// first use records when it was used).
			for _, s := range []*store.Store{a, b} {
				if _, _, err := s.SessionUser(ctx, "s1"); err != nil {
					t.Fatal(err)
				}
				for range 2 {
					if _, err := s.UserByAPIToken(ctx, "t1"); err != nil {
						t.Fatal(err)
					}
				}
			}

			if err := a.SetRole(ctx, admin.ID, u.ID, store.RoleModerator); err != nil {
				t.Fatal(err)
			}
			if _, got, err := a.SessionUser(ctx, "s1"); err != nil || got.Role != store.RoleModerator {
				t.Errorf("the instance that changed the role: %v, %v; want a moderator at once", got, err)
			}
			tick(credentialSecond)
			if _, got, err := b.SessionUser(ctx, "s1"); err != nil || got.Role != store.RoleModerator {
				t.Errorf("the other instance after a second: %v, %v; want a moderator", got, err)
			}
			// Told of the change (the live broker's account.changed), the
			// other instance does not wait for its second.
			if got, err := b.UserByAPIToken(ctx, "t1"); err != nil || got.Role != store.RoleModerator {
				t.Fatalf("the token on the other instance: %v, %v; want a moderator", got, err)
			}
			if err := a.SetRole(ctx, admin.ID, u.ID, store.RoleMember); err != nil {
				t.Fatal(err)
			}
			b.ForgetCredentials()
			if got, err := b.UserByAPIToken(ctx, "t1"); err != nil || got.Role != store.RoleMember {
				t.Errorf("the other instance, told of a change: %v, %v; want a member at once", got, err)
			}

			// A reply written as one statement (Postgres) touches no
			// account: what a keeps stays good through it, so that a client
			// posting reply after reply does not read its token each time;
			// any other write is seen at once. The name is changed behind
			// the store's back to tell the two apart.
			if e == storetest.Postgres {
				th, err := a.CreateThread(ctx, store.NewThread{ThemeID: firstTheme(t, a).ID, Kind: store.Discussion, Title: "Rules of origin",
					Attribution: store.OnTheRecord, Body: "Which rules?", HTML: "<p>Which rules?</p>", Author: admin})
				if err != nil {
					t.Fatal(err)
				}
				if _, err := a.UserByAPIToken(ctx, "t1"); err != nil {
					t.Fatal(err)
				}
				if _, err := a.DB().ExecContext(ctx, `UPDATE users SET name = 'Renamed' WHERE id = $1`, u.ID); err != nil {
					t.Fatal(err)
				}
				if _, err := a.Reply(ctx, store.NewPost{ThreadID: th.ID, Author: admin, Body: "These.", HTML: "<p>These.</p>"}); err != nil {
					t.Fatal(err)
				}
				if got, err := a.UserByAPIToken(ctx, "t1"); err != nil || got.Name == "Renamed" {
					t.Errorf("after a reply: %v, %v; want the account as kept", got, err)
				}
				if err := a.SetLocale(ctx, admin.ID, "fr"); err != nil {
					t.Fatal(err)
				}
				if got, err := a.UserByAPIToken(ctx, "t1"); err != nil || got.Name != "Renamed" {
					t.Errorf("after another write: %v, %v; want the account read again", got, err)
				}
			}

			// b reads again, then a signs out and revokes.
			if _, _, err := b.SessionUser(ctx, "s1"); err != nil {
				t.Fatal(err)
			}
			if _, err := b.UserByAPIToken(ctx, "t1"); err != nil {
				t.Fatal(err)
			}
			if err := a.DeleteSession(ctx, "s1"); err != nil {
				t.Fatal(err)
			}
			if err := a.RevokeAPIToken(ctx, u.ID, tok.ID); err != nil {
				t.Fatal(err)
			}
			if _, _, err := a.SessionUser(ctx, "s1"); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("session on the instance that ended it: %v, want ErrNotFound at once", err)
			}
			if _, err := a.UserByAPIToken(ctx, "t1"); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("token on the instance that revoked it: %v, want ErrNotFound at once", err)
			}
			tick(credentialSecond)
			if _, _, err := b.SessionUser(ctx, "s1"); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("ended session on the other instance after a second: %v, want ErrNotFound", err)
			}
			if _, err := b.UserByAPIToken(ctx, "t1"); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("revoked token on the other instance after a second: %v, want ErrNotFound", err)
			}

			// Suspended by a: a's own reads stop at once.
			if err := a.CreateSession(ctx, "s2", u.ID, time.Hour, "", ""); err != nil {
				t.Fatal(err)
			}
			if _, _, err := a.SessionUser(ctx, "s2"); err != nil {
				t.Fatal(err)
			}
			if err := a.SetStatus(ctx, admin.ID, u.ID, store.StatusSuspended); err != nil {
				t.Fatal(err)
			}
			if _, _, err := a.SessionUser(ctx, "s2"); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("session of a suspended account: %v, want ErrNotFound at once", err)
			}

			// A session that expires within its kept second ends then.
			if err := a.CreateSession(ctx, "short", admin.ID, 300*time.Millisecond, "", ""); err != nil {
				t.Fatal(err)
			}
			if _, _, err := a.SessionUser(ctx, "short"); err != nil {
				t.Fatal(err)
			}
			tick(400 * time.Millisecond)
			if _, _, err := a.SessionUser(ctx, "short"); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("a session 100 ms past its expiry: %v, want ErrNotFound", err)
			}
		})
	}
}

// credentialSecond is a little more than the second credentials are kept.
const credentialSecond = time.Second + time.Millisecond
