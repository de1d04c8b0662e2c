package store_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"ideasx/store"
	"ideasx/store/storetest"
)

func TestMigrateTwiceIsNoOp(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		v1, err := s.SchemaVersion(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if v1 == 0 {
			t.Fatalf("got schema version 0 after migrating, want > 0")
		}
		n, err := s.Migrate(ctx)
		if err != nil {
			t.Fatalf("second migrate: %v", err)
		}
		if n != 0 {
			t.Errorf("second migrate applied %d migrations, want 0", n)
		}
		v2, _ := s.SchemaVersion(ctx)
		if v2 != v1 {
			t.Errorf("got version %d after second migrate, want %d", v2, v1)
		}
	})
}

func TestConcurrentMigrations(t *testing.T) {
	for _, e := range storetest.Engines {
		t.Run(string(e), func(t *testing.T) {
			opts := storetest.Options(t, e)
			ctx := context.Background()
			const instances = 3
			var wg sync.WaitGroup
			applied := make([]int, instances)
			errs := make([]error, instances)
			for i := range instances {
				wg.Add(1)
				go func() {
					defer wg.Done()
					s, err := store.Open(ctx, opts)
					if err != nil {
						errs[i] = err
						return
					}
					defer s.Close()
					applied[i], errs[i] = s.Migrate(ctx)
				}()
			}
			wg.Wait()
			total := 0
			for i := range instances {
				if errs[i] != nil {
					t.Fatalf("instance %d: %v", i, errs[i])
				}
				total += applied[i]
			}
			s, err := store.Open(ctx, opts)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			v, _ := s.SchemaVersion(ctx)
			if total != v {
				t.Errorf("instances applied %d migrations in all, want exactly %d (each once)", total, v)
			}
		})
	}
}

func newOrg(name string, kind store.OrgKind) store.Organisation {
	return store.Organisation{Name: name, Kind: kind, Country: "CH"}
}

func mustUser(t testing.TB, s *store.Store, email string, role store.Role, org string) *store.User {
	t.Helper()
	kind := store.OrgBusiness
	if role == store.RoleMember {
		kind = store.OrgMember
	}
	return mustUserOfKind(t, s, email, role, org, kind)
}

func mustUserOfKind(t testing.TB, s *store.Store, email string, role store.Role, org string, kind store.OrgKind) *store.User {
	t.Helper()
	status := store.StatusActive
	if role == store.RolePending {
		status = store.StatusPending
	}
	u, err := s.CreateUser(context.Background(), store.NewUser{Email: email, Name: "Person " + email, Role: role, Status: status, PasswordHash: "x"},
		newOrg(org, kind))
	if err != nil {
		t.Fatalf("create %s: %v", email, err)
	}
	return u
}

func TestUserEmailUniqueIgnoringCase(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		mustUser(t, s, "Ana@Example.org", store.RoleBusiness, "Andes Textiles")
		_, err := s.CreateUser(ctx, store.NewUser{Email: " ana@EXAMPLE.org ", Name: "Other", Role: store.RolePending, Status: store.StatusPending, PasswordHash: "x"},
			newOrg("A brand new organisation", store.OrgBusiness))
		if !errors.Is(err, store.ErrConflict) {
			t.Fatalf("got %v, want ErrConflict", err)
		}
		if _, err := s.OrganisationByName(ctx, "a brand new organisation"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("the failed registration left its organisation behind: %v", err)
		}
		u, err := s.UserByEmail(ctx, "ANA@example.org")
		if err != nil {
			t.Fatal(err)
		}
		if u.Email != "ana@example.org" || u.OrgName != "Andes Textiles" {
			t.Errorf("got %q in %q, want ana@example.org in Andes Textiles", u.Email, u.OrgName)
		}
	})
}

func TestOrganisationFoundByNameIgnoringCaseAndSpaces(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		a := mustUser(t, s, "a@x.org", store.RoleBusiness, "Kigali  Coffee Exporters")
		b := mustUser(t, s, "b@x.org", store.RoleBusiness, "kigali coffee exporters")
		if a.OrganisationID != b.OrganisationID {
			t.Errorf("got organisations %d and %d, want one", a.OrganisationID, b.OrganisationID)
		}
	})
}

func TestApproveRejectAndAudit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		mod := mustUser(t, s, "mod@secretariat.org", store.RoleModerator, "Secretariat")
		p1 := mustUser(t, s, "p1@x.org", store.RolePending, "Pending One")
		p2 := mustUser(t, s, "p2@x.org", store.RolePending, "Pending Two")
		pending, err := s.PendingUsers(ctx)
		if err != nil || len(pending) != 2 {
			t.Fatalf("got %d pending (%v), want 2", len(pending), err)
		}
		if err := s.ApproveUser(ctx, mod.ID, p1.ID, store.RoleBusiness, ""); err != nil {
			t.Fatal(err)
		}
		if err := s.ApproveUser(ctx, mod.ID, p1.ID, store.RoleBusiness, ""); !errors.Is(err, store.ErrNotPending) {
			t.Errorf("approving twice: got %v, want ErrNotPending", err)
		}
		if err := s.RejectUser(ctx, mod.ID, p2.ID); err != nil {
			t.Fatal(err)
		}
		u, _ := s.UserByID(ctx, p1.ID)
		if u.Status != store.StatusActive || u.Role != store.RoleBusiness || !u.CanReadForum() {
			t.Errorf("approved user: got %s/%s, want active business", u.Status, u.Role)
		}
		if _, err := s.UserByID(ctx, p2.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("rejected user still there: %v", err)
		}
		log, err := s.AuditLog(ctx, store.AuditFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(log) != 2 || log[0].Action != "user.reject" || log[1].Action != "user.approve" || log[1].ActorName != mod.Name {
			t.Errorf("audit log: got %+v, want reject then approve by %s", log, mod.Name)
		}
	})
}

func TestSuspendEndsSessions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		admin := mustUser(t, s, "admin@x.org", store.RoleAdmin, "Secretariat")
		u := mustUser(t, s, "u@x.org", store.RoleMember, "Delegation")
		if err := s.CreateSession(ctx, "sess-1", u.ID, time.Hour, "127.0.0.1", "test"); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.SessionUser(ctx, "sess-1"); err != nil {
			t.Fatalf("fresh session: %v", err)
		}
		if err := s.SetStatus(ctx, admin.ID, u.ID, store.StatusSuspended); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.SessionUser(ctx, "sess-1"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("session of a suspended user: got %v, want ErrNotFound", err)
		}
		entries, _ := s.AuditLog(ctx, store.AuditFilter{Action: "user.status"})
		if len(entries) != 1 || entries[0].BeforeJSON != `{"status":"active"}` || entries[0].AfterJSON != `{"status":"suspended"}` {
			t.Errorf("audit: got %+v", entries)
		}
	})
}

func TestSessionExpires(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		u := mustUser(t, s, "u@x.org", store.RoleMember, "Delegation")
		if err := s.CreateSession(ctx, "sess", u.ID, time.Hour, "", ""); err != nil {
			t.Fatal(err)
		}
		later := time.Now().Add(2 * time.Hour)
		s.SetClock(func() time.Time { return later })
		if _, _, err := s.SessionUser(ctx, "sess"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("expired session: got %v, want ErrNotFound", err)
		}
	})
}

func TestInvitationSingleUseAndExpiry(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		mod := mustUser(t, s, "mod@x.org", store.RoleModerator, "Secretariat")
		org := newOrg("Delegation of Chile", store.OrgMember)
		if err := s.CreateOrganisation(ctx, &org); err != nil {
			t.Fatal(err)
		}
		inv := store.Invitation{Email: "Delegate@Chile.example", Role: store.RoleMember, OrganisationID: org.ID, InvitedBy: mod.ID}
		if err := s.CreateInvitation(ctx, &inv, "hash-1", 24*time.Hour); err != nil {
			t.Fatal(err)
		}
		u, err := s.AcceptInvitation(ctx, "hash-1", store.NewUser{Name: "Delegate", PasswordHash: "x"})
		if err != nil {
			t.Fatal(err)
		}
		if u.Email != "delegate@chile.example" || u.Role != store.RoleMember || u.Status != store.StatusActive || u.OrgName != "Delegation of Chile" {
			t.Errorf("got %s %s %s %s, want delegate@chile.example member active Delegation of Chile", u.Email, u.Role, u.Status, u.OrgName)
		}
		if _, err := s.AcceptInvitation(ctx, "hash-1", store.NewUser{Name: "Again", PasswordHash: "x"}); !errors.Is(err, store.ErrExpired) {
			t.Errorf("reused invitation: got %v, want ErrExpired", err)
		}

		inv2 := store.Invitation{Email: "late@chile.example", Role: store.RoleMember, OrganisationID: org.ID, InvitedBy: mod.ID}
		if err := s.CreateInvitation(ctx, &inv2, "hash-2", time.Hour); err != nil {
			t.Fatal(err)
		}
		s.SetClock(func() time.Time { return time.Now().Add(2 * time.Hour) })
		if _, err := s.AcceptInvitation(ctx, "hash-2", store.NewUser{Name: "Late", PasswordHash: "x"}); !errors.Is(err, store.ErrExpired) {
			t.Errorf("expired invitation: got %v, want ErrExpired", err)
		}
		if _, err := s.UserByEmail(ctx, "late@chile.example"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("expired invitation created an account: %v", err)
		}
	})
}

func TestInvitationForRegisteredEmailLeavesItUnused(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		mod := mustUser(t, s, "mod@x.org", store.RoleModerator, "Secretariat")
		mustUser(t, s, "taken@x.org", store.RoleBusiness, "Firm")
		inv := store.Invitation{Email: "TAKEN@x.org", Role: store.RoleMember, OrganisationID: mod.OrganisationID, InvitedBy: mod.ID}
		if err := s.CreateInvitation(ctx, &inv, "h", time.Hour); err != nil {
			t.Fatal(err)
		}
		if _, err := s.AcceptInvitation(ctx, "h", store.NewUser{Name: "X", PasswordHash: "x"}); !errors.Is(err, store.ErrConflict) {
			t.Fatalf("got %v, want ErrConflict", err)
		}
		if _, err := s.InvitationByToken(ctx, "h"); err != nil {
			t.Errorf("invitation consumed by a failed acceptance: %v", err)
		}
	})
}

func TestPasswordResetSingleUse(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		u := mustUser(t, s, "u@x.org", store.RoleBusiness, "Firm")
		_ = s.CreateSession(ctx, "old-session", u.ID, time.Hour, "", "")
		if err := s.CreatePasswordReset(ctx, u.ID, "r1", time.Hour); err != nil {
			t.Fatal(err)
		}
		if err := s.CreatePasswordReset(ctx, u.ID, "r2", time.Hour); err != nil {
			t.Fatal(err)
		}
		got, err := s.ResetPassword(ctx, "r1", "new-hash")
		if err != nil {
			t.Fatal(err)
		}
		if got.PasswordHash != "new-hash" {
			t.Errorf("got hash %q, want new-hash", got.PasswordHash)
		}
		if _, _, err := s.SessionUser(ctx, "old-session"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("old session survived a password reset: %v", err)
		}
		for _, h := range []string{"r1", "r2"} {
			if _, err := s.ResetPassword(ctx, h, "again"); !errors.Is(err, store.ErrExpired) {
				t.Errorf("reset link %s after use: got %v, want ErrExpired", h, err)
			}
		}
	})
}

func TestSetupCreatesOneAdminOnly(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		for _, h := range []string{"setup-a", "setup-b"} {
			if err := s.CreateSetupToken(ctx, h, time.Hour); err != nil {
				t.Fatal(err)
			}
		}
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i, h := range []string{"setup-a", "setup-b"} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = s.CompleteSetup(ctx, h, store.NewUser{Email: h + "@x.org", Name: h, PasswordHash: "x"}, newOrg("Secretariat", store.OrgSecretariat))
			}()
		}
		wg.Wait()
		ok := 0
		for _, err := range errs {
			if err == nil {
				ok++
			} else if !errors.Is(err, store.ErrExpired) {
				t.Errorf("losing setup: got %v, want ErrExpired", err)
			}
		}
		if ok != 1 {
			t.Fatalf("%d setups succeeded, want exactly 1", ok)
		}
		if n, _ := s.CountAdmins(ctx); n != 1 {
			t.Errorf("got %d admins, want 1", n)
		}
		if valid, _ := s.SetupTokenValid(ctx, "setup-a"); valid {
			t.Error("setup link still valid after the first admin exists")
		}
	})
}

func TestAPITokenRevocation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		u := mustUser(t, s, "u@x.org", store.RoleMember, "Delegation")
		tok, err := s.CreateAPIToken(ctx, u.ID, "laptop", "tokhash")
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.UserByAPIToken(ctx, "tokhash")
		if err != nil || got.ID != u.ID {
			t.Fatalf("got %v, %v; want user %d", got, err, u.ID)
		}
		if err := s.RevokeAPIToken(ctx, u.ID, tok.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.UserByAPIToken(ctx, "tokhash"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("revoked token: got %v, want ErrNotFound", err)
		}
		list, _ := s.APITokens(ctx, u.ID)
		if len(list) != 1 || list[0].RevokedAt == nil {
			t.Errorf("got %+v, want one revoked token", list)
		}
	})
}

func TestListUsersFilters(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		mustUser(t, s, "ana@andes.example", store.RoleBusiness, "Andes Textiles")
		mustUser(t, s, "bo@delegation.example", store.RoleMember, "Delegation of Kenya")
		mustUser(t, s, "cy@pending.example", store.RolePending, "Small Shop 100%")
		cases := []struct {
			name string
			f    store.UserFilter
			want int
		}{
			{"all", store.UserFilter{}, 3},
			{"by name of organisation", store.UserFilter{Query: "kenya"}, 1},
			{"percent is literal", store.UserFilter{Query: "100%"}, 1},
			{"by role", store.UserFilter{Role: store.RoleBusiness}, 1},
			{"by status", store.UserFilter{Status: store.StatusPending}, 1},
		}
		for _, c := range cases {
			users, total, err := s.ListUsers(ctx, c.f)
			if err != nil {
				t.Fatal(err)
			}
			if total != c.want || len(users) != c.want {
				t.Errorf("%s: got %d (total %d), want %d", c.name, len(users), total, c.want)
			}
		}
	})
}
