package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"ideasx/store"
	"ideasx/store/storetest"
)

// TestRevokeInvitation: a revoked link no longer opens, the audit log says
// who revoked it, and a link already used, revoked or unknown cannot be
// revoked (again), leaving no entry.
func TestRevokeInvitation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		mod := mustUser(t, s, "mod@x.org", store.RoleModerator, "Secretariat")
		inv := store.Invitation{Email: "guest@x.org", Role: store.RoleMember, OrganisationID: mod.OrganisationID, InvitedBy: mod.ID}
		if err := s.CreateInvitation(ctx, &inv, "hash-open", 24*time.Hour); err != nil {
			t.Fatal(err)
		}
		used := store.Invitation{Email: "used@x.org", Role: store.RoleMember, OrganisationID: mod.OrganisationID, InvitedBy: mod.ID}
		if err := s.CreateInvitation(ctx, &used, "hash-used", 24*time.Hour); err != nil {
			t.Fatal(err)
		}
		if _, err := s.AcceptInvitation(ctx, "hash-used", store.NewUser{Name: "Used", PasswordHash: "x"}); err != nil {
			t.Fatal(err)
		}
		if err := s.RevokeInvitation(ctx, mod.ID, inv.ID); err != nil {
			t.Fatalf("revoke: %v", err)
		}
		if _, err := s.InvitationByToken(ctx, "hash-open"); !errors.Is(err, store.ErrExpired) {
			t.Errorf("revoked link: got %v, want ErrExpired", err)
		}
		for name, c := range map[string]struct {
			id   int64
			want error
		}{"again": {inv.ID, store.ErrInvitationClosed}, "used": {used.ID, store.ErrInvitationClosed}, "unknown": {987654, store.ErrNotFound}} {
			if err := s.RevokeInvitation(ctx, mod.ID, c.id); !errors.Is(err, c.want) {
				t.Errorf("revoke %s: got %v, want %v", name, err, c.want)
			}
		}
		entries, err := s.AuditLog(ctx, store.AuditFilter{Action: "invitation.revoke"})
		if err != nil || len(entries) != 1 || entries[0].ActorID != mod.ID || entries[0].TargetID != inv.ID {
			t.Errorf("audit: %+v (%v), want one entry by the moderator on the invitation", entries, err)
		}
	})
}

// TestSetPrefsAtOnce: a settings form's channels and digest are saved
// together, and a choice equal to the default is not kept as a choice.
func TestSetPrefsAtOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		u := mustUser(t, s, "m@x.org", store.RoleMember, "Delegation")
		err := s.SetPrefs(ctx, u.ID, map[store.NotificationKind]store.Channel{store.NotifyReply: store.ChannelOff,
			store.NotifyMention: store.DefaultChannel(store.NotifyMention)}, "daily")
		if err != nil {
			t.Fatal(err)
		}
		p, err := s.Prefs(ctx, u.ID)
		if err != nil || p.Channels[store.NotifyReply] != store.ChannelOff || p.Digest != "daily" {
			t.Fatalf("prefs: %+v (%v), want reply off and a daily digest", p, err)
		}
		if err := s.SetPrefs(ctx, u.ID, nil, ""); err != nil {
			t.Fatal(err)
		}
		if p, _ := s.Prefs(ctx, u.ID); p.Digest != "daily" || p.Channels[store.NotifyReply] != store.ChannelOff {
			t.Errorf("an empty form changed the settings: %+v", p)
		}
	})
}

// TestInvitationIntoANamedOrganisation: an invitation naming an organisation
// joins the one of that name (case and spacing ignored) or makes it, and
// one that fails makes none.
func TestInvitationIntoANamedOrganisation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		mod := mustUser(t, s, "mod@x.org", store.RoleModerator, "Secretariat")
		invite := func(email, org string, mail any) (*store.Invitation, *store.Organisation, error) {
			inv := &store.Invitation{Email: email, Role: store.RoleMember, InvitedBy: mod.ID}
			o := &store.Organisation{Name: org, Kind: store.OrgMember, Country: "PE"}
			return inv, o, s.CreateInvitationInOrg(ctx, inv, o, "h-"+email, time.Hour, mail)
		}
		first, made, err := invite("a@peru.example", "Delegation of  Peru", map[string]string{"To": "a@peru.example"})
		if err != nil || made.ID == 0 || first.OrganisationID != made.ID || made.Name != "Delegation of Peru" {
			t.Fatalf("new organisation: %+v %+v (%v)", first, made, err)
		}
		second, joined, err := invite("b@peru.example", "delegation of peru", map[string]string{"To": "b@peru.example"})
		if err != nil || joined.ID != made.ID || second.OrganisationID != made.ID {
			t.Errorf("same name: joined %d, want %d (%v)", joined.ID, made.ID, err)
		}
		if _, _, err := invite("c@chile.example", "Delegation of Chile", make(chan int)); err == nil {
			t.Fatal("a mail that cannot be queued did not fail the invitation")
		}
		if _, err := s.OrganisationByName(ctx, "Delegation of Chile"); err == nil {
			t.Error("the failed invitation left its organisation behind")
		}
	})
}
