package server_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"ideasx/server/auth"
	"ideasx/server/servertest"
	"ideasx/store"
)

// registrationFor is a registration naming org, claiming kind and country.
func registrationFor(email, org, kind, country string) url.Values {
	v := registration(email)
	v.Set("organisation", org)
	v.Set("org_kind", kind)
	v.Set("country", country)
	if kind != "business" {
		v.Del("size_class")
	}
	return v
}

func mustRegister(t *testing.T, app *servertest.App, form url.Values) *store.User {
	t.Helper()
	if r := app.Client().Post("/register", form); r.Status != http.StatusOK {
		t.Fatalf("register: got %d\n%s", r.Status, r.Body)
	}
	u, err := app.Store.UserByEmail(context.Background(), form.Get("email"))
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// requestCard is the part of the approval page about one request.
func requestCard(t *testing.T, page servertest.Response, userID int64) string {
	t.Helper()
	_, after, ok := strings.Cut(page.Body, `id="request-`+itoa(userID)+`"`)
	if !ok {
		t.Fatalf("request %d is not on the approval page", userID)
	}
	card, _, _ := strings.Cut(after, "</li>")
	return card
}

func orgTokenClient(t *testing.T, app *servertest.App, u *store.User) *servertest.Client {
	t.Helper()
	plain, hash := auth.NewToken("ixp_")
	if _, err := app.Store.CreateAPIToken(context.Background(), u.ID, "organisations", hash); err != nil {
		t.Fatal(err)
	}
	c := app.Client()
	c.Header.Set("Authorization", "Bearer "+plain)
	return c
}

// TestApprovalPageTellsNewFromExisting: a registration naming an existing
// delegation is shown as a request to join it, with who is in it, whether
// it is verified and whether the address matches its domains; its claims
// change nothing. A new organisation's kind is a claim that the approval
// settles.
func TestApprovalPageTellsNewFromExisting(t *testing.T) {
	t.Parallel()
	forEachEngine(t, func(t *testing.T, app *servertest.App) {
		ctx := context.Background()
		mod := app.CreateUser("mod@secretariat.example", store.RoleModerator, "Secretariat", store.OrgSecretariat)
		delegate := app.CreateUser("ingrid@mfa.no", store.RoleMember, "Delegation of Norway", store.OrgMember)
		norway, _ := app.Store.OrganisationByID(ctx, delegate.OrganisationID)
		norway.Country, norway.Verified, norway.EmailDomains = "NO", true, "mfa.no"
		if err := app.Store.UpdateOrganisation(ctx, mod.ID, norway); err != nil {
			t.Fatal(err)
		}

		joiner := mustRegister(t, app, registrationFor("eve@mail.example", "delegation of  NORWAY", "business", "US"))
		newcomer := mustRegister(t, app, registrationFor("ana@nordfisk.example", "Nordfisk AS", "member", "NO"))
		if joiner.OrganisationID != norway.ID {
			t.Fatalf("the registration did not ask to join the existing delegation")
		}
		if o, _ := app.Store.OrganisationByID(ctx, norway.ID); o.Kind != store.OrgMember || o.Country != "NO" {
			t.Errorf("a registration's claims changed the delegation: %+v", o)
		}

		c := app.Client()
		c.SignIn(mod.Email)
		page := c.Get("/moderation/accounts")
		card := requestCard(t, page, joiner.ID)
		for _, want := range []string{"Existing organisation", "Test ingrid", "ingrid@mfa.no", "Verified", "Address does not match its domains",
			"mfa.no", "The request said", "A business or business association", "United States"} {
			if !strings.Contains(card, want) {
				t.Errorf("request to join lacks %q:\n%s", want, card)
			}
		}
		if strings.Contains(card, `name="org_kind"`) {
			t.Error("the approval of a request to join offers to set the organisation's kind")
		}
		card = requestCard(t, page, newcomer.ID)
		for _, want := range []string{"New organisation", "Not verified", "Claims to be: A delegation of a member government (not confirmed)",
			"Nobody else", "No domain recorded", `name="org_kind"`} {
			if !strings.Contains(card, want) {
				t.Errorf("request with a new organisation lacks %q:\n%s", want, card)
			}
		}
		if o, _ := app.Store.OrganisationByID(ctx, newcomer.OrganisationID); o.Kind != store.OrgBusiness {
			t.Errorf("an unconfirmed claim made the organisation a %s", o.Kind)
		}

		// A matching address says so.
		matching := mustRegister(t, app, registrationFor("olav@geneva.mfa.no", "Delegation of Norway", "member", "NO"))
		if card := requestCard(t, c.Get("/moderation/accounts"), matching.ID); !strings.Contains(card, "Address matches its domains") {
			t.Errorf("matching address not shown:\n%s", card)
		}

		// Inviting someone into it, a moderator sees the kind is only claimed.
		mustContain(t, c.Get("/moderation/invitations"), "Nordfisk AS (Claims to be: A delegation of a member government (not confirmed))")

		// The moderator settles the claimed kind when approving.
		if r := c.Post("/moderation/accounts/"+itoa(newcomer.ID)+"/approve", url.Values{"role": {"member"}, "org_kind": {"observer"}}); r.Status != http.StatusSeeOther {
			t.Fatalf("approve: got %d\n%s", r.Status, r.Body)
		}
		if o, _ := app.Store.OrganisationByID(ctx, newcomer.OrganisationID); o.Kind != store.OrgObserver || o.ClaimedKind != "" {
			t.Errorf("after approval: kind %s, claim %q, want observer and none", o.Kind, o.ClaimedKind)
		}
		if r := c.Post("/moderation/accounts/"+itoa(joiner.ID)+"/approve", url.Values{"role": {"member"}, "org_kind": {"secretariat"}}); r.Status != http.StatusUnprocessableEntity {
			t.Errorf("approving with a kind a registration may not have: got %d, want 422", r.Status)
		}
	})
}

// TestRejectedRequestTakesItsOrganisation is the case: a rejected
// request claimed "Delegation of Norway" as a US business; the genuine
// delegation registering later must not join what it left.
func TestRejectedRequestTakesItsOrganisation(t *testing.T) {
	t.Parallel()
	forEachEngine(t, func(t *testing.T, app *servertest.App) {
		ctx := context.Background()
		mod := app.CreateUser("mod@secretariat.example", store.RoleModerator, "Secretariat", store.OrgSecretariat)
		c := app.Client()
		c.SignIn(mod.Email)
		spam := mustRegister(t, app, registrationFor("spam@x.example", "Delegation of Norway", "business", "US"))
		if card := requestCard(t, c.Get("/moderation/accounts"), spam.ID); !strings.Contains(card, "Rejecting also deletes the organisation") {
			t.Errorf("the page does not say the organisation goes with the request:\n%s", card)
		}
		if r := c.Post("/moderation/accounts/"+itoa(spam.ID)+"/reject", url.Values{"confirm": {"1"}}); r.Status != http.StatusSeeOther {
			t.Fatalf("reject: got %d", r.Status)
		}
		if _, err := app.Store.OrganisationByID(ctx, spam.OrganisationID); err == nil {
			t.Fatal("the rejected request's organisation is still there")
		}
		genuine := mustRegister(t, app, registrationFor("del@mfa.no", "Delegation of Norway", "member", "NO"))
		card := requestCard(t, c.Get("/moderation/accounts"), genuine.ID)
		if !strings.Contains(card, "New organisation") || !strings.Contains(card, "Norway") || strings.Contains(card, "United States") {
			t.Errorf("the genuine delegation's request:\n%s", card)
		}

		// Once someone asks to join it, rejecting its creator no longer takes it.
		joiner := mustRegister(t, app, registrationFor("colleague@mfa.no", "Delegation of Norway", "member", "NO"))
		page := c.Get("/moderation/accounts")
		if card := requestCard(t, page, genuine.ID); !strings.Contains(card, "New organisation") || strings.Contains(card, "Rejecting also deletes") {
			t.Errorf("the creator's request once another joined:\n%s", card)
		}
		if card := requestCard(t, page, joiner.ID); !strings.Contains(card, "Existing organisation") || !strings.Contains(card, "del@mfa.no") {
			t.Errorf("the joiner's request:\n%s", card)
		}
		c.Post("/moderation/accounts/"+itoa(genuine.ID)+"/reject", url.Values{"confirm": {"1"}})
		if _, err := app.Store.OrganisationByID(ctx, genuine.OrganisationID); err != nil {
			t.Errorf("rejecting the creator removed the organisation another asked to join: %v", err)
		}
	})
}

func TestOrganisationPagesEditMergeVerify(t *testing.T) {
	t.Parallel()
	forEachEngine(t, func(t *testing.T, app *servertest.App) {
		ctx := context.Background()
		mod := app.CreateUser("mod@secretariat.example", store.RoleModerator, "Secretariat", store.OrgSecretariat)
		real := app.CreateUser("a@mfa.no", store.RoleMember, "Delegation of Norway", store.OrgMember)
		dup := app.CreateUser("b@mfa.no", store.RoleMember, "Norway delegation", store.OrgMember)
		app.CreateUser("c@andes.example", store.RoleBusiness, "Andes Textiles", store.OrgBusiness)
		c := app.Client()
		c.SignIn(mod.Email)

		list := c.Get("/moderation/organisations?q=norway")
		mustContain(t, list, "Delegation of Norway", "Norway delegation", "2 organisations")
		if strings.Contains(list.Body, "Andes Textiles") {
			t.Error("the search lists an organisation it does not match")
		}
		if r := c.Get("/moderation/organisations?kind=business&verified=yes"); !strings.Contains(r.Body, "No organisation matches") {
			t.Error("filter by kind and verification: a business shows as verified")
		}
		edit := "/moderation/organisations/" + itoa(real.OrganisationID)
		mustContain(t, c.Get(edit), "Test a", "a@mfa.no", `name="email_domains"`, `<label for="f-into">`)

		form := url.Values{"name": {"Delegation of Norway"}, "kind": {"member"}, "country": {"NO"}, "email_domains": {"mfa.no, not a domain"}, "verified": {"true"}}
		r := c.Post(edit, form)
		if r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "is not a domain name") {
			t.Errorf("bad domain: got %d", r.Status)
		}
		form.Set("name", "andes  textiles")
		form.Set("email_domains", "@MFA.no\nregjeringen.no")
		if r := c.Post(edit, form); r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "Another organisation has this name") {
			t.Errorf("name of another organisation: got %d", r.Status)
		}
		form.Set("name", "Delegation of Norway")
		if r := c.Post(edit, form); r.Status != http.StatusSeeOther {
			t.Fatalf("save: got %d\n%s", r.Status, r.Body)
		}
		o, _ := app.Store.OrganisationByID(ctx, real.OrganisationID)
		if !o.Verified || o.EmailDomains != "mfa.no regjeringen.no" || o.Country != "NO" {
			t.Errorf("after save: %+v", o)
		}
		mustContain(t, c.Get("/moderation/organisations?verified=yes"), "Delegation of Norway", "One organisation")
		log, _ := app.Store.AuditLog(ctx, store.AuditFilter{Action: "organisation.update"})
		if len(log) != 1 || log[0].ActorID != mod.ID || !strings.Contains(log[0].AfterJSON, `"verified":true`) {
			t.Errorf("audit of the edit: %+v", log)
		}

		merge := "/moderation/organisations/" + itoa(dup.OrganisationID) + "/merge"
		if r := c.Post(merge, url.Values{"into": {itoa(dup.OrganisationID)}}); r.Status != http.StatusUnprocessableEntity {
			t.Errorf("merge into itself: got %d", r.Status)
		}
		if r := c.Post(merge, url.Values{"into": {"999999"}}); r.Status != http.StatusUnprocessableEntity {
			t.Errorf("merge into nothing: got %d", r.Status)
		}
		r = c.Post(merge, url.Values{"into": {itoa(real.OrganisationID)}})
		if r.Status != http.StatusSeeOther || r.Location != edit {
			t.Fatalf("merge: got %d to %q", r.Status, r.Location)
		}
		if u, _ := app.Store.UserByID(ctx, dup.ID); u.OrganisationID != real.OrganisationID {
			t.Error("the merged organisation's account did not move")
		}
		if r := c.Get("/moderation/organisations/" + itoa(dup.OrganisationID)); r.Status != http.StatusNotFound {
			t.Errorf("merged organisation's page: got %d, want 404", r.Status)
		}
		if log, _ := app.Store.AuditLog(ctx, store.AuditFilter{Action: "organisation.merge"}); len(log) != 1 {
			t.Errorf("got %d audit entries for the merge, want 1", len(log))
		}
	})
}

func TestOrganisationAPI(t *testing.T) {
	t.Parallel()
	forEachEngine(t, func(t *testing.T, app *servertest.App) {
		ctx := context.Background()
		mod := app.CreateUser("mod@secretariat.example", store.RoleModerator, "Secretariat", store.OrgSecretariat)
		real := app.CreateUser("a@mfa.no", store.RoleMember, "Delegation of Norway", store.OrgMember)
		dup := app.CreateUser("b@mfa.no", store.RoleMember, "Norway delegation", store.OrgMember)
		claimed := mustRegister(t, app, registrationFor("c@nordfisk.example", "Nordfisk AS", "member", "NO"))
		api := orgTokenClient(t, app, mod)
		base := "/api/v1/organisations/"

		var list struct {
			Organisations []struct {
				ID          int64  `json:"id"`
				Name        string `json:"name"`
				Kind        string `json:"kind"`
				ClaimedKind string `json:"claimed_kind"`
				People      int    `json:"people"`
			} `json:"organisations"`
			Total int `json:"total"`
		}
		r := api.Get("/api/v1/organisations?q=nordfisk")
		if err := json.Unmarshal([]byte(r.Body), &list); err != nil || r.Status != http.StatusOK {
			t.Fatalf("list: %d %s", r.Status, r.Body)
		}
		if list.Total != 1 || list.Organisations[0].Kind != "business" || list.Organisations[0].ClaimedKind != "member" || list.Organisations[0].People != 1 {
			t.Errorf("list: %+v", list)
		}
		if r := api.Get("/api/v1/organisations?kind=delegation"); r.Status != http.StatusUnprocessableEntity {
			t.Errorf("unknown kind: got %d, want 422", r.Status)
		}
		if r := api.Get(base + itoa(real.OrganisationID)); r.Status != http.StatusOK || !strings.Contains(r.Body, `"email":"a@mfa.no"`) {
			t.Errorf("one organisation: %d %s", r.Status, r.Body)
		}
		if r := api.Get(base + "999999"); r.Status != http.StatusNotFound {
			t.Errorf("unknown organisation: got %d", r.Status)
		}

		r = doJSON(api, http.MethodPatch, base+itoa(real.OrganisationID), `{"verified":true,"email_domains":["mfa.no","@Regjeringen.no"]}`)
		if r.Status != http.StatusOK || !strings.Contains(r.Body, `"email_domains":["mfa.no","regjeringen.no"]`) || !strings.Contains(r.Body, `"verified":true`) {
			t.Errorf("patch: %d %s", r.Status, r.Body)
		}
		if o, _ := app.Store.OrganisationByID(ctx, real.OrganisationID); o.Kind != store.OrgMember || o.Name != "Delegation of Norway" {
			t.Errorf("patch changed fields it was not given: %+v", o)
		}
		for _, bad := range []string{`{"kind":"delegation"}`, `{"email_domains":["x"]}`, `{"name":""}`, `{"country":"ZZ"}`} {
			if r := doJSON(api, http.MethodPatch, base+itoa(real.OrganisationID), bad); r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, `"code":"invalid"`) {
				t.Errorf("patch %s: got %d %s", bad, r.Status, r.Body)
			}
		}
		if r := doJSON(api, http.MethodPatch, base+itoa(real.OrganisationID), `{"colour":"red"}`); r.Status != http.StatusBadRequest {
			t.Errorf("unknown field: got %d, want 400", r.Status)
		}
		// A claimed kind is settled only by saying which it is.
		if r := doJSON(api, http.MethodPatch, base+itoa(claimed.OrganisationID), `{"verified":true}`); r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, `"kind"`) {
			t.Errorf("patch of a claimed kind without kind: got %d %s", r.Status, r.Body)
		}
		if r := doJSON(api, http.MethodPatch, base+itoa(claimed.OrganisationID), `{"kind":"business"}`); r.Status != http.StatusOK || strings.Contains(r.Body, "claimed_kind") {
			t.Errorf("settling the kind: got %d %s", r.Status, r.Body)
		}

		if r := doJSON(api, http.MethodPost, base+itoa(dup.OrganisationID)+"/merge", `{"into":`+itoa(dup.OrganisationID)+`}`); r.Status != http.StatusUnprocessableEntity {
			t.Errorf("merge into itself: got %d", r.Status)
		}
		r = doJSON(api, http.MethodPost, base+itoa(dup.OrganisationID)+"/merge", `{"into":`+itoa(real.OrganisationID)+`}`)
		if r.Status != http.StatusOK || !strings.Contains(r.Body, `"people":2`) {
			t.Errorf("merge: %d %s", r.Status, r.Body)
		}
		if r := doJSON(api, http.MethodPost, base+itoa(dup.OrganisationID)+"/merge", `{"into":`+itoa(real.OrganisationID)+`}`); r.Status != http.StatusNotFound {
			t.Errorf("merging it again: got %d, want 404", r.Status)
		}
		if log, _ := app.Store.AuditLog(ctx, store.AuditFilter{Action: "organisation.update"}); len(log) != 2 {
			t.Errorf("got %d audit entries for API edits, want 2", len(log))
		}
	})
}

// TestOrganisationRoutesByRole: only moderators and admins reach the
// organisation pages and API, by cookie or by token, and nobody else
// changes anything.
func TestOrganisationRoutesByRole(t *testing.T) {
	t.Parallel()
	forEachEngine(t, func(t *testing.T, app *servertest.App) {
		ctx := context.Background()
		target := app.CreateUser("t@x.example", store.RoleMember, "Target Delegation", store.OrgMember)
		other := app.CreateUser("o@x.example", store.RoleMember, "Other Delegation", store.OrgMember)
		id := itoa(target.OrganisationID)
		users := map[string]*store.User{}
		cookies := map[string]*servertest.Client{"visitor": app.Client()}
		tokens := map[string]*servertest.Client{"visitor": app.Client()}
		for _, a := range []struct {
			name string
			role store.Role
			kind store.OrgKind
		}{
			{"pending", store.RolePending, store.OrgBusiness},
			{"business", store.RoleBusiness, store.OrgBusiness},
			{"member", store.RoleMember, store.OrgMember},
			{"moderator", store.RoleModerator, store.OrgSecretariat},
			{"admin", store.RoleAdmin, store.OrgSecretariat},
		} {
			users[a.name] = app.CreateUser(a.name+"@roles.example", a.role, "Org of "+a.name, a.kind)
			c := app.Client()
			c.SignIn(a.name + "@roles.example")
			cookies[a.name] = c
			tokens[a.name] = orgTokenClient(t, app, users[a.name])
		}
		roles := []string{"visitor", "pending", "business", "member", "moderator", "admin"}
		allowed := func(role string) bool { return role == "moderator" || role == "admin" }

		for _, role := range roles {
			for _, path := range []string{"/moderation/organisations", "/moderation/organisations/" + id} {
				got := cookies[role].Get(path).Status
				want := http.StatusForbidden
				switch {
				case allowed(role):
					want = http.StatusOK
				case role == "visitor":
					want = http.StatusSeeOther
				}
				if got != want {
					t.Errorf("GET %s as %s: got %d, want %d", path, role, got, want)
				}
			}
			if !allowed(role) {
				form := url.Values{"name": {"Renamed"}, "kind": {"business"}, "verified": {"true"}}
				cookies[role].Post("/moderation/organisations/"+id, form)
				cookies[role].Post("/moderation/organisations/"+id+"/merge", url.Values{"into": {itoa(other.OrganisationID)}})
			}
			for how, c := range map[string]*servertest.Client{"cookie": cookies[role], "token": tokens[role]} {
				want := http.StatusForbidden
				switch {
				case allowed(role):
					want = http.StatusOK
				case role == "visitor", role == "pending" && how == "token":
					// A pending account's token is not honoured at all.
					want = http.StatusUnauthorized
				}
				for _, path := range []string{"/api/v1/organisations", "/api/v1/organisations/" + id} {
					if got := c.Get(path).Status; got != want {
						t.Errorf("GET %s as %s by %s: got %d, want %d", path, role, how, got, want)
					}
				}
				if allowed(role) {
					continue
				}
				for _, req := range []struct{ method, path, body string }{
					{http.MethodPatch, "/api/v1/organisations/" + id, `{"kind":"business","verified":true}`},
					{http.MethodPost, "/api/v1/organisations/" + id + "/merge", `{"into":` + itoa(other.OrganisationID) + `}`},
				} {
					if got := doJSON(c, req.method, req.path, req.body).Status; got != want {
						t.Errorf("%s %s as %s by %s: got %d, want %d", req.method, req.path, role, how, got, want)
					}
				}
			}
		}
		o, err := app.Store.OrganisationByID(ctx, target.OrganisationID)
		if err != nil || o.Kind != store.OrgMember || o.Verified || o.Name != "Target Delegation" {
			t.Errorf("someone without the right changed the organisation: %+v %v", o, err)
		}
		// Moderators and admins change it, by token too.
		r := doJSON(tokens["admin"], http.MethodPatch, "/api/v1/organisations/"+id, `{"verified":true}`)
		if r.Status != http.StatusOK {
			t.Errorf("admin's token: got %d %s", r.Status, r.Body)
		}
		if log, _ := app.Store.AuditLog(ctx, store.AuditFilter{Action: "organisation.update"}); len(log) != 1 || log[0].ActorID != users["admin"].ID {
			t.Errorf("audit: %+v", log)
		}
	})
}
