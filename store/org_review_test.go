package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"ideasx/store"
	"ideasx/store/storetest"
)

func register(t *testing.T, s *store.Store, email, org string, kind store.OrgKind, country string) *store.User {
	t.Helper()
	u, err := s.RegisterUser(context.Background(), store.NewUser{Email: email, Name: "Person " + email, Role: store.RolePending,
		Status: store.StatusPending, PasswordHash: "x"}, store.Organisation{Name: org, Kind: kind, Country: country, SizeClass: "small"})
	if err != nil {
		t.Fatalf("register %s: %v", email, err)
	}
	return u
}

func pendingRequest(t *testing.T, s *store.Store, userID int64) store.PendingRequest {
	t.Helper()
	reqs, err := s.PendingRequests(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range reqs {
		if r.ID == userID {
			return r
		}
	}
	t.Fatalf("request of user %d is not pending", userID)
	return store.PendingRequest{}
}

// TestRegistrationClaimsKindUntilApproved: a registration that creates an
// organisation only claims its kind; a second one naming it is a request to
// join, and says so; the approval settles the claim.
func TestRegistrationClaimsKindUntilApproved(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		mod := mustUser(t, s, "mod@secretariat.org", store.RoleModerator, "Secretariat")
		first := register(t, s, "a@norway.example", "Delegation of Norway", store.OrgMember, "NO")
		if first.OrgKind != store.OrgBusiness {
			t.Errorf("kind of an organisation a registration created: got %s, want business until confirmed", first.OrgKind)
		}
		second := register(t, s, "b@other.example", "delegation  of NORWAY", store.OrgBusiness, "US")
		if second.OrganisationID != first.OrganisationID {
			t.Fatalf("second registration made organisation %d, want to join %d", second.OrganisationID, first.OrganisationID)
		}

		r1 := pendingRequest(t, s, first.ID)
		if r1.Claim == nil || !r1.Claim.CreatedOrg || r1.Org.ClaimedKind != store.OrgMember || r1.Org.Country != "NO" {
			t.Errorf("first request: claim %+v, org %+v", r1.Claim, r1.Org)
		}
		if r1.NewOrg() {
			t.Error("first request's organisation counts as new though someone else asked to join it")
		}
		r2 := pendingRequest(t, s, second.ID)
		if r2.Claim == nil || r2.Claim.CreatedOrg || r2.Claim.Kind != store.OrgBusiness || r2.Claim.Country != "US" {
			t.Errorf("second request's claim: %+v", r2.Claim)
		}
		if r2.Org.Country != "NO" || len(r2.Others) != 1 || r2.Others[0].ID != first.ID {
			t.Errorf("second request's organisation: %+v, others %+v, want Norway with the first requester", r2.Org, r2.Others)
		}

		if err := s.ApproveUser(ctx, mod.ID, first.ID, store.RoleMember, store.OrgMember); err != nil {
			t.Fatal(err)
		}
		o, _ := s.OrganisationByID(ctx, first.OrganisationID)
		if o.Kind != store.OrgMember || o.ClaimedKind != "" || o.SizeClass != "" {
			t.Errorf("after approval: kind %s, claimed %q, size %q, want member, none, none", o.Kind, o.ClaimedKind, o.SizeClass)
		}
		log, _ := s.AuditLog(ctx, store.AuditFilter{Action: "organisation.confirm"})
		if len(log) != 1 || !strings.Contains(log[0].BeforeJSON, `"kind":"business"`) || !strings.Contains(log[0].AfterJSON, `"kind":"member"`) {
			t.Errorf("audit of the confirmation: %+v", log)
		}
		// The second request's claim (a US business) changed nothing.
		if err := s.ApproveUser(ctx, mod.ID, second.ID, store.RoleBusiness, store.OrgBusiness); err != nil {
			t.Fatal(err)
		}
		if o, _ = s.OrganisationByID(ctx, first.OrganisationID); o.Kind != store.OrgMember || o.Country != "NO" {
			t.Errorf("joining changed the organisation: %+v", o)
		}
	})
}

// TestRejectionRemovesTheOrganisationItCreated, unless someone else is in it
// or a moderator made it.
func TestRejectionRemovesTheOrganisationItCreated(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		mod := mustUser(t, s, "mod@secretariat.org", store.RoleModerator, "Secretariat")

		spam := register(t, s, "spam@x.example", "Delegation of Norway", store.OrgMember, "US")
		if err := s.RejectUser(ctx, mod.ID, spam.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.OrganisationByID(ctx, spam.OrganisationID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("organisation of a rejected request: got %v, want it gone", err)
		}
		log, _ := s.AuditLog(ctx, store.AuditFilter{Action: "user.reject"})
		if len(log) != 1 || !strings.Contains(log[0].AfterJSON, "organisation_removed") {
			t.Errorf("audit of the rejection: %+v", log)
		}
		genuine := register(t, s, "del@norway.example", "Delegation of Norway", store.OrgMember, "NO")
		if r := pendingRequest(t, s, genuine.ID); !r.NewOrg() || r.Org.Country != "NO" {
			t.Errorf("the genuine delegation joined a leftover: %+v", r.Org)
		}

		// Someone else is in it: it stays.
		creator := register(t, s, "c1@x.example", "Shared Coop", store.OrgBusiness, "PE")
		joiner := register(t, s, "c2@x.example", "Shared Coop", store.OrgBusiness, "PE")
		if err := s.RejectUser(ctx, mod.ID, creator.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.OrganisationByID(ctx, creator.OrganisationID); err != nil {
			t.Errorf("organisation with another request in it was removed: %v", err)
		}
		// The last one goes: no moderator ever confirmed it.
		if err := s.RejectUser(ctx, mod.ID, joiner.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.OrganisationByID(ctx, creator.OrganisationID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("unconfirmed organisation left empty: got %v, want it gone", err)
		}

		// An organisation that existed before the request stays, empty or not.
		existing := store.Organisation{Name: "Made by a moderator", Kind: store.OrgObserver, Country: "CH"}
		if err := s.CreateOrganisation(ctx, &existing); err != nil {
			t.Fatal(err)
		}
		j := register(t, s, "j@x.example", "made by a moderator", store.OrgMember, "CH")
		if err := s.RejectUser(ctx, mod.ID, j.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.OrganisationByID(ctx, existing.ID); err != nil {
			t.Errorf("an organisation the request did not create was removed: %v", err)
		}
	})
}

func TestUpdateAndListOrganisations(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		mod := mustUser(t, s, "mod@secretariat.org", store.RoleModerator, "Secretariat")
		u := register(t, s, "a@norway.example", "Delegation of Norway", store.OrgMember, "NO")
		mustUser(t, s, "b@x.org", store.RoleBusiness, "Andes Textiles")

		o, _ := s.OrganisationByID(ctx, u.OrganisationID)
		o.Kind, o.Verified, o.EmailDomains = store.OrgMember, true, store.JoinDomains([]string{"@MFA.no", "mfa.no", "norway.example"})
		if err := s.UpdateOrganisation(ctx, mod.ID, o); err != nil {
			t.Fatal(err)
		}
		got, _ := s.OrganisationByID(ctx, o.ID)
		if got.Kind != store.OrgMember || !got.Verified || got.EmailDomains != "mfa.no norway.example" || got.ClaimedKind != "" {
			t.Errorf("after update: %+v", got)
		}
		if !got.MatchesEmail("x@MFA.no") || !got.MatchesEmail("x@geneva.mfa.no") || got.MatchesEmail("x@notmfa.no") {
			t.Error("domain matching is wrong")
		}
		log, _ := s.AuditLog(ctx, store.AuditFilter{Action: "organisation.update"})
		if len(log) != 1 || !strings.Contains(log[0].BeforeJSON, `"verified":false`) || !strings.Contains(log[0].AfterJSON, `"verified":true`) {
			t.Errorf("audit of the update: %+v", log)
		}
		o.Name = "andes  TEXTILES"
		if err := s.UpdateOrganisation(ctx, mod.ID, o); !errors.Is(err, store.ErrConflict) {
			t.Errorf("renaming onto another organisation's name: got %v, want ErrConflict", err)
		}

		list, total, err := s.ListOrganisations(ctx, store.OrgFilter{Verified: "yes"})
		if err != nil || total != 1 || list[0].Name != "Delegation of Norway" || list[0].People != 1 {
			t.Errorf("verified ones: %+v (%d, %v)", list, total, err)
		}
		if _, total, _ = s.ListOrganisations(ctx, store.OrgFilter{Query: "ANDES", Kind: store.OrgBusiness}); total != 1 {
			t.Errorf("search by name and kind: got %d, want 1", total)
		}
		if _, total, _ = s.ListOrganisations(ctx, store.OrgFilter{Query: "mfa.no"}); total != 1 {
			t.Errorf("search by domain: got %d, want 1", total)
		}
		if _, total, _ = s.ListOrganisations(ctx, store.OrgFilter{Query: "100%_"}); total != 0 {
			t.Errorf("LIKE characters are not escaped: got %d", total)
		}
	})
}

func TestMergeOrganisations(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		mod := mustUser(t, s, "mod@secretariat.org", store.RoleModerator, "Secretariat")
		theme := firstTheme(t, s)
		dup := mustUser(t, s, "a@x.org", store.RoleMember, "Norway Delegation")
		real := mustUser(t, s, "b@x.org", store.RoleMember, "Delegation of Norway")
		biz := mustUser(t, s, "c@x.org", store.RoleBusiness, "Firm")
		th := newThread(t, s, dup, theme.ID, "Merged")
		if _, err := s.CreatePost(ctx, store.NewPost{ThreadID: th.ID, Author: dup, Body: "x", HTML: "x"}); err != nil {
			t.Fatal(err)
		}
		other := newThread(t, s, biz, theme.ID, "Read by both")
		for _, u := range []*store.User{dup, real} {
			if err := s.MarkRead(ctx, u, other.ID, 0); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := s.MergeOrganisations(ctx, mod.ID, real.OrganisationID, real.OrganisationID); !errors.Is(err, store.ErrSameOrganisation) {
			t.Errorf("merging into itself: %v", err)
		}
		n, err := s.MergeOrganisations(ctx, mod.ID, dup.OrganisationID, real.OrganisationID)
		if err != nil || n != 1 {
			t.Fatalf("merge: moved %d, %v", n, err)
		}
		if _, err := s.OrganisationByID(ctx, dup.OrganisationID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("merged organisation still there: %v", err)
		}
		if u, _ := s.UserByID(ctx, dup.ID); u.OrganisationID != real.OrganisationID {
			t.Errorf("account not moved: in %d", u.OrganisationID)
		}
		if got, _ := s.ThreadByID(ctx, th.ID); got.OrganisationID != real.OrganisationID {
			t.Errorf("thread still spoken for organisation %d", got.OrganisationID)
		}
		cov, _ := s.ThreadCoverage(ctx, th.ID)
		if len(cov.AnsweredBy) != 1 || cov.AnsweredBy[0].ID != real.OrganisationID {
			t.Errorf("replies not moved: answered by %+v", cov.AnsweredBy)
		}
		if cov, _ = s.ThreadCoverage(ctx, other.ID); len(cov.ReadBy) != 1 || cov.ReadBy[0].ID != real.OrganisationID {
			t.Errorf("reads after merge: %+v", cov.ReadBy)
		}
		log, _ := s.AuditLog(ctx, store.AuditFilter{Action: "organisation.merge"})
		if len(log) != 1 || log[0].TargetID != real.OrganisationID || !strings.Contains(log[0].BeforeJSON, "Norway Delegation") {
			t.Errorf("audit of the merge: %+v", log)
		}
		if _, err := s.MergeOrganisations(ctx, mod.ID, dup.OrganisationID, real.OrganisationID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("merging a removed organisation: got %v, want ErrNotFound", err)
		}
	})
}
