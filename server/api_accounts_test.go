package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"testing"

	"ideasx/server/servertest"
	"ideasx/store"
	"ideasx/store/storetest"
)

// accountsAPI is a site with one signed-in client per role; "anonymous" is
// not signed in.
type accountsAPI struct {
	app     *servertest.App
	users   map[string]*store.User
	clients map[string]*servertest.Client
	n       int
}

// accountRoles are the callers each account operation is tried with, in this order.
var accountRoles = []string{"anonymous", "pending", "visitor", "business", "member", "moderator", "admin"}

func newAccountsAPI(t *testing.T, app *servertest.App) *accountsAPI {
	t.Helper()
	a := &accountsAPI{app: app, users: map[string]*store.User{}, clients: map[string]*servertest.Client{"anonymous": app.Client()}}
	signInAccounts(t, app, a.users, a.clients, []testAccount{
		{"pending", store.RolePending, "Waiting Ltd", store.OrgBusiness},
		{"visitor", store.RoleVisitor, "Curious Ltd", store.OrgBusiness},
		{"business", store.RoleBusiness, "Andes Textiles", store.OrgBusiness},
		{"member", store.RoleMember, "Delegation of Kenya", store.OrgMember},
		{"moderator", store.RoleModerator, "WTO Secretariat", store.OrgSecretariat},
		{"admin", store.RoleAdmin, "WTO Secretariat", store.OrgSecretariat},
	})
	return a
}

// request registers someone as the registration page does: a pending
// account in a new organisation that claims to be a delegation.
func (a *accountsAPI) request(t *testing.T) *store.User {
	t.Helper()
	a.n++
	u, err := a.app.Store.RegisterUser(context.Background(), store.NewUser{Email: fmt.Sprintf("amina%d@dakar.example", a.n),
		Name: "Amina Diallo", Role: store.RolePending, Status: store.StatusPending, PasswordHash: "x"},
		store.Organisation{Name: fmt.Sprintf("Delegation %d", a.n), Kind: store.OrgMember, Country: "SN"})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// person is an active account to change.
func (a *accountsAPI) person(t *testing.T) *store.User {
	t.Helper()
	a.n++
	return a.app.CreateUser(fmt.Sprintf("p%d@chile.example", a.n), store.RoleBusiness, "Chile Exporters", store.OrgBusiness)
}

// invitation is an open invitation made by the admin.
func (a *accountsAPI) invitation(t *testing.T) int64 {
	t.Helper()
	a.n++
	r := doJSON(a.clients["admin"], "POST", "/api/v1/invitations", fmt.Sprintf(`{"email":"guest%d@peru.example","role":"member","org_name":"Delegation of Peru","org_kind":"member"}`, a.n))
	if r.Status != http.StatusCreated {
		t.Fatalf("invite: %d %s", r.Status, r.Body)
	}
	var inv struct{ ID int64 }
	decode(t, r, &inv)
	return inv.ID
}

func (a *accountsAPI) auditCount(t *testing.T, action string) int {
	t.Helper()
	return countAudit(t, a.app, action)
}

// TestAccountAPIByRole tries every account operation as each role, each
// change on a target of its own: the anonymous are asked to sign in, others
// below the page's role are refused, and each change that went through left
// its audit entry, as the page's would.
func TestAccountAPIByRole(t *testing.T) {
	t.Parallel()
	const (
		ok, created, gone = http.StatusOK, http.StatusCreated, http.StatusNoContent
		unauth, no        = http.StatusUnauthorized, http.StatusForbidden
	)
	forEachEngine(t, func(t *testing.T, app *servertest.App) {
		a := newAccountsAPI(t, app)
		n := 0
		rows := []struct {
			method, path, body string
			target             func(t *testing.T) int64
			want               []int // anonymous, pending, visitor, business, member, moderator, admin
			audit              string
		}{
			{"GET", "/api/v1/account-requests", ``, nil, []int{unauth, no, no, no, no, ok, ok}, ""},
			{"POST", "/api/v1/account-requests/{id}/approve", `{"role":"member"}`, func(t *testing.T) int64 { return a.request(t).ID },
				[]int{unauth, no, no, no, no, ok, ok}, "user.approve"},
			{"POST", "/api/v1/account-requests/{id}/reject", ``, func(t *testing.T) int64 { return a.request(t).ID },
				[]int{unauth, no, no, no, no, gone, gone}, "user.reject"},
			{"GET", "/api/v1/invitations", ``, nil, []int{unauth, no, no, no, no, ok, ok}, ""},
			{"POST", "/api/v1/invitations", `{"email":"new{n}@kenya.example","role":"business","org_name":"Nairobi Traders","org_kind":"business"}`, nil,
				[]int{unauth, no, no, no, no, created, created}, "invitation.create"},
			{"DELETE", "/api/v1/invitations/{id}", ``, a.invitation, []int{unauth, no, no, no, no, gone, gone}, "invitation.revoke"},
			{"GET", "/api/v1/users?role=business", ``, nil, []int{unauth, no, no, no, no, no, ok}, ""},
			{"PUT", "/api/v1/users/{id}/role", `{"role":"member"}`, func(t *testing.T) int64 { return a.person(t).ID },
				[]int{unauth, no, no, no, no, no, ok}, "user.role"},
			{"PUT", "/api/v1/users/{id}/status", `{"status":"suspended"}`, func(t *testing.T) int64 { return a.person(t).ID },
				[]int{unauth, no, no, no, no, no, ok}, "user.status"},
			{"GET", "/api/v1/audit", ``, nil, []int{unauth, no, no, no, no, no, ok}, ""},
			{"GET", "/api/v1/notification-preferences", ``, nil, []int{unauth, ok, ok, ok, ok, ok, ok}, ""},
			{"PUT", "/api/v1/notification-preferences", `{"digest":"daily"}`, nil, []int{unauth, ok, ok, ok, ok, ok, ok}, ""},
		}
		for _, row := range rows {
			before := 0
			if row.audit != "" {
				before = a.auditCount(t, row.audit)
			}
			succeeded := 0
			for i, role := range accountRoles {
				path := row.path
				if row.target != nil {
					path = strings.Replace(path, "{id}", fmt.Sprint(row.target(t)), 1)
				}
				n++
				body := strings.Replace(row.body, "{n}", fmt.Sprint(n), 1)
				r := doJSON(a.clients[role], row.method, path, body)
				if r.Status != row.want[i] {
					t.Errorf("%s %s as %s: got %d, want %d\n%s", row.method, row.path, role, r.Status, row.want[i], r.Body)
					continue
				}
				if r.Status >= 400 {
					assertAPIError(t, r, map[int]string{unauth: "unauthorized", no: "forbidden"}[r.Status])
				} else {
					succeeded++
				}
			}
			if row.audit != "" {
				if got := a.auditCount(t, row.audit) - before; got != succeeded {
					t.Errorf("%s %s: %d audit entries %q, want %d (one per change made)", row.method, row.path, got, row.audit, succeeded)
				}
			}
		}
	})
}

// wantFields checks that a 422 names exactly these properties.
func wantFields(t *testing.T, what string, r servertest.Response, props ...string) {
	t.Helper()
	if r.Status != http.StatusUnprocessableEntity {
		t.Errorf("%s: got %d, want 422", what, r.Status)
	}
	fields := apiFields(t, r)
	if len(fields) != len(props) {
		t.Errorf("%s: fields %v, want %v", what, fields, props)
	}
	for _, p := range props {
		if fields[p] == "" {
			t.Errorf("%s: no message for %q in %v", what, p, fields)
		}
	}
}

// TestAccountRequestAPI: a moderator sees what a request claimed, approves
// it with a role (settling the organisation's kind) or rejects it; a request
// handled once answers 409, an unknown one 404, a bad role 422 naming it.
func TestAccountRequestAPI(t *testing.T) {
	t.Parallel()
	forEachEngine(t, func(t *testing.T, app *servertest.App) {
		a := newAccountsAPI(t, app)
		mod := a.clients["moderator"]
		req := a.request(t)
		var list struct {
			Requests []struct {
				ID           int64
				Email        string
				Status       string
				Organisation struct{ Kind, ClaimedKind string } `json:"organisation"`
				Claim        *struct{ Kind string }             `json:"claim"`
				Others       []any                              `json:"others"`
				NewOrg       bool                               `json:"new_organisation"`
			} `json:"account_requests"`
		}
		decode(t, mod.Get("/api/v1/account-requests"), &list)
		found := false
		for _, p := range list.Requests {
			if p.ID == req.ID {
				found = true
				if p.Status != "pending" || p.Claim == nil || p.Claim.Kind != "member" || p.Organisation.Kind != "business" ||
					!p.NewOrg || p.Others == nil {
					t.Errorf("request as listed: %+v, want pending, claiming member, a new business organisation, others []", p)
				}
			}
		}
		if !found {
			t.Fatalf("request %d not listed: %+v", req.ID, list)
		}
		path := fmt.Sprintf("/api/v1/account-requests/%d/approve", req.ID)
		if r := doJSON(mod, "POST", path, `{"role":`); r.Status != http.StatusBadRequest {
			t.Errorf("broken JSON: got %d, want 400", r.Status)
		} else {
			assertAPIError(t, r, "bad_json")
		}
		if r := doJSON(mod, "POST", path, `{"role":"member","extra":1}`); r.Status != http.StatusBadRequest {
			t.Errorf("unknown property: got %d, want 400", r.Status)
		}
		wantFields(t, "no role", doJSON(mod, "POST", path, `{}`), "role")
		wantFields(t, "moderator role", doJSON(mod, "POST", path, `{"role":"moderator"}`), "role")
		wantFields(t, "bad kind", doJSON(mod, "POST", path, `{"role":"member","org_kind":"secretariat"}`), "org_kind")
		if u, _ := app.Store.UserByID(context.Background(), req.ID); u.Status != store.StatusPending {
			t.Fatalf("refused approvals changed the account: %s", u.Status)
		}
		confirms := a.auditCount(t, "organisation.confirm")
		r := doJSON(mod, "POST", path, `{"role":"member","org_kind":"observer"}`)
		var acct struct {
			Role, Status string
			Organisation struct{ Kind string } `json:"organisation"`
		}
		decode(t, r, &acct)
		if r.Status != http.StatusOK || acct.Role != "member" || acct.Status != "active" || acct.Organisation.Kind != "observer" {
			t.Errorf("approve: %d %s, want an active member of an observer organisation", r.Status, r.Body)
		}
		if a.auditCount(t, "organisation.confirm") != confirms+1 {
			t.Error("settling the organisation's kind left no organisation.confirm entry")
		}
		r = doJSON(mod, "POST", path, `{"role":"member"}`)
		if r.Status != http.StatusConflict {
			t.Errorf("approving twice: got %d, want 409", r.Status)
		}
		assertAPIError(t, r, "not_pending")
		assertAPIError(t, doJSON(mod, "POST", "/api/v1/account-requests/987654/approve", `{"role":"member"}`), "not_found")
		assertAPIError(t, doJSON(mod, "POST", "/api/v1/account-requests/abc/reject", ``), "not_found")
		// An active account is no request.
		assertAPIError(t, doJSON(mod, "POST", fmt.Sprintf("/api/v1/account-requests/%d/reject", a.users["member"].ID), ``), "not_pending")

		other := a.request(t)
		reject := fmt.Sprintf("/api/v1/account-requests/%d/reject", other.ID)
		if r := doJSON(mod, "POST", reject, ``); r.Status != http.StatusNoContent {
			t.Fatalf("reject: %d %s", r.Status, r.Body)
		}
		if _, err := app.Store.UserByID(context.Background(), other.ID); err == nil {
			t.Error("the rejected account is still there")
		}
		assertAPIError(t, doJSON(mod, "POST", reject, ``), "not_found")
	})
}

// TestInvitationAPI: invitations are made with the page's checks (only an
// admin invites moderators, one address one account), their link works
// until revoked, and a revoked or used one cannot be revoked again.
func TestInvitationAPI(t *testing.T) {
	t.Parallel()
	forEachEngine(t, func(t *testing.T, app *servertest.App) {
		a := newAccountsAPI(t, app)
		mod := a.clients["moderator"]
		wantFields(t, "moderator invites a moderator",
			doJSON(mod, "POST", "/api/v1/invitations", `{"email":"boss@x.example","role":"moderator","org_name":"WTO Secretariat","org_kind":"secretariat"}`), "role")
		wantFields(t, "nothing", doJSON(mod, "POST", "/api/v1/invitations", `{}`), "email", "role", "org_name", "org_kind")
		wantFields(t, "unknown organisation",
			doJSON(mod, "POST", "/api/v1/invitations", `{"email":"a@b.example","role":"member","organisation_id":987654}`), "organisation_id")
		wantFields(t, "bad language",
			doJSON(mod, "POST", "/api/v1/invitations", `{"email":"a@b.example","role":"member","org_name":"X","org_kind":"member","lang":"de"}`), "lang")
		r := doJSON(mod, "POST", "/api/v1/invitations", `{"email":"member@x.example","role":"member","org_name":"X","org_kind":"member"}`)
		if r.Status != http.StatusConflict {
			t.Errorf("inviting an address with an account: got %d, want 409", r.Status)
		}
		assertAPIError(t, r, "email_has_account")
		if r := doJSON(mod, "POST", "/api/v1/invitations", `{"email":"x@y.example","role":1}`); r.Status != http.StatusBadRequest {
			t.Errorf("a number for the role: got %d, want 400", r.Status)
		}
		if a.auditCount(t, "invitation.create") != 0 {
			t.Fatal("a refused invitation was recorded")
		}

		r = doJSON(mod, "POST", "/api/v1/invitations", fmt.Sprintf(`{"email":"Guest@Lima.example","role":"member","organisation_id":%d,"lang":"es"}`, a.users["member"].OrganisationID))
		var inv struct {
			ID           int64
			Email, State string
			Link         string
			Organisation struct{ ID int64 }    `json:"organisation"`
			InvitedBy    struct{ Name string } `json:"invited_by"`
		}
		decode(t, r, &inv)
		if r.Status != http.StatusCreated || inv.Email != "guest@lima.example" || inv.State != "open" || inv.Organisation.ID != a.users["member"].OrganisationID ||
			inv.InvitedBy.Name != a.users["moderator"].Name || !strings.Contains(inv.Link, "/invite/") {
			t.Fatalf("create: %d %s", r.Status, r.Body)
		}
		link := inv.Link[strings.Index(inv.Link, "/invite/"):]
		if got := app.Client().Get(link).Status; got != http.StatusOK {
			t.Errorf("the new link: got %d, want 200", got)
		}
		if mails := app.WaitMails("guest@lima.example", 1); len(mails) != 1 {
			t.Errorf("invitation mails: %d, want 1", len(mails))
		}
		var list struct {
			Invitations []struct {
				ID    int64
				State string
				Link  *string
			}
		}
		decode(t, mod.Get("/api/v1/invitations"), &list)
		if len(list.Invitations) != 1 || list.Invitations[0].ID != inv.ID || list.Invitations[0].State != "open" || list.Invitations[0].Link != nil {
			t.Errorf("list: %+v, want the one open invitation, without its link", list)
		}

		revoke := fmt.Sprintf("/api/v1/invitations/%d", inv.ID)
		if r := doJSON(mod, "DELETE", revoke, ``); r.Status != http.StatusNoContent {
			t.Fatalf("revoke: %d %s", r.Status, r.Body)
		}
		if got := app.Client().Get(link).Status; got == http.StatusOK {
			t.Error("the revoked link still works")
		}
		decode(t, mod.Get("/api/v1/invitations"), &list)
		if list.Invitations[0].State != "expired" {
			t.Errorf("revoked invitation listed as %q, want expired", list.Invitations[0].State)
		}
		r = doJSON(mod, "DELETE", revoke, ``)
		if r.Status != http.StatusConflict {
			t.Errorf("revoking twice: got %d, want 409", r.Status)
		}
		assertAPIError(t, r, "not_open")
		assertAPIError(t, doJSON(mod, "DELETE", "/api/v1/invitations/987654", ``), "not_found")
		entries, err := app.Store.AuditLog(context.Background(), store.AuditFilter{Action: "invitation.revoke"})
		if err != nil || len(entries) != 1 || entries[0].ActorID != a.users["moderator"].ID || entries[0].TargetID != inv.ID {
			t.Errorf("revoke audit: %+v (%v), want one entry by the moderator", entries, err)
		}
	})
}

// TestUserAPI: an admin lists accounts with the page's filters and changes
// roles and statuses with the page's checks: never one's own, a pending
// account only through approval, a suspension ending the person's sessions.
func TestUserAPI(t *testing.T) {
	t.Parallel()
	forEachEngine(t, func(t *testing.T, app *servertest.App) {
		a := newAccountsAPI(t, app)
		admin := a.clients["admin"]
		var list struct {
			Users []struct {
				Email string
				Role  string
			}
			Total int
		}
		decode(t, admin.Get(fmt.Sprintf("/api/v1/users?status=active&organisation_id=%d", a.users["moderator"].OrganisationID)), &list)
		if list.Total != 2 || len(list.Users) != 2 {
			t.Errorf("the secretariat's active accounts: %+v, want the moderator and the admin", list)
		}
		decode(t, admin.Get("/api/v1/users?q=kenya&limit=1"), &list)
		if list.Total != 1 || list.Users[0].Email != "member@x.example" {
			t.Errorf("search kenya: %+v, want the member", list)
		}
		decode(t, admin.Get("/api/v1/users?role=admin&offset=1"), &list)
		if list.Total != 1 || len(list.Users) != 0 {
			t.Errorf("admins from the second: %+v, want a total of 1 and none listed", list)
		}
		wantFields(t, "bad filters", admin.Get("/api/v1/users?role=king&status=asleep&organisation_id=x&limit=0&offset=-1"),
			"role", "status", "organisation_id", "limit", "offset")

		target := a.person(t)
		role := fmt.Sprintf("/api/v1/users/%d/role", target.ID)
		wantFields(t, "pending role", doJSON(admin, "PUT", role, `{"role":"pending"}`), "role")
		wantFields(t, "no role", doJSON(admin, "PUT", role, `{}`), "role")
		if r := doJSON(admin, "PUT", role, `{"role":"member","status":"active"}`); r.Status != http.StatusBadRequest {
			t.Errorf("another property: got %d, want 400", r.Status)
		}
		r := doJSON(admin, "PUT", fmt.Sprintf("/api/v1/users/%d/role", a.users["admin"].ID), `{"role":"member"}`)
		if r.Status != http.StatusConflict {
			t.Errorf("own role: got %d, want 409", r.Status)
		}
		assertAPIError(t, r, "own_account")
		assertAPIError(t, doJSON(admin, "PUT", "/api/v1/users/987654/role", `{"role":"member"}`), "not_found")
		r = doJSON(admin, "PUT", role, `{"role":"moderator"}`)
		var acct struct{ Role, Status string }
		decode(t, r, &acct)
		if r.Status != http.StatusOK || acct.Role != "moderator" {
			t.Errorf("role change: %d %s", r.Status, r.Body)
		}
		entries, err := app.Store.AuditLog(context.Background(), store.AuditFilter{Action: "user.role"})
		if err != nil || len(entries) != 1 || entries[0].BeforeJSON != `{"role":"business"}` || entries[0].AfterJSON != `{"role":"moderator"}` {
			t.Errorf("role audit: %+v (%v)", entries, err)
		}

		pending := fmt.Sprintf("/api/v1/users/%d/status", a.users["pending"].ID)
		r = doJSON(admin, "PUT", pending, `{"status":"active"}`)
		if r.Status != http.StatusConflict {
			t.Errorf("activating a pending account: got %d, want 409", r.Status)
		}
		assertAPIError(t, r, "pending")
		wantFields(t, "bad status", doJSON(admin, "PUT", pending, `{"status":"pending"}`), "status")
		victim := a.clients["business"]
		if got := victim.Get("/api/v1/me").Status; got != http.StatusOK {
			t.Fatalf("before suspension: %d", got)
		}
		r = doJSON(admin, "PUT", fmt.Sprintf("/api/v1/users/%d/status", a.users["business"].ID), `{"status":"suspended"}`)
		decode(t, r, &acct)
		if r.Status != http.StatusOK || acct.Status != "suspended" {
			t.Errorf("suspend: %d %s", r.Status, r.Body)
		}
		if got := victim.Get("/api/v1/me").Status; got != http.StatusUnauthorized {
			t.Errorf("the suspended person's session: got %d, want 401", got)
		}
		r = doJSON(admin, "PUT", fmt.Sprintf("/api/v1/users/%d/status", a.users["business"].ID), `{"status":"active"}`)
		if decode(t, r, &acct); r.Status != http.StatusOK || acct.Status != "active" {
			t.Errorf("reactivate: %d %s", r.Status, r.Body)
		}
		if got := a.auditCount(t, "user.status"); got != 2 {
			t.Errorf("status audit entries: %d, want 2", got)
		}
	})
}

// TestAuditAPI: the log reads as the admin page does, newest first, with
// who acted and the states before and after, filtered by action and actor.
func TestAuditAPI(t *testing.T) {
	t.Parallel()
	forEachEngine(t, func(t *testing.T, app *servertest.App) {
		a := newAccountsAPI(t, app)
		admin := a.clients["admin"]
		target := a.person(t)
		for _, role := range []string{"member", "visitor"} {
			if r := doJSON(admin, "PUT", fmt.Sprintf("/api/v1/users/%d/role", target.ID), `{"role":"`+role+`"}`); r.Status != http.StatusOK {
				t.Fatalf("role %s: %d", role, r.Status)
			}
		}
		a.invitation(t)
		type entry struct {
			Action     string
			Actor      *struct{ ID int64 }
			TargetID   int64 `json:"target_id"`
			Before     map[string]any
			After      map[string]any
			TargetType string `json:"target_type"`
		}
		var log struct{ Entries []entry }
		decode(t, admin.Get("/api/v1/audit?action=user.role"), &log)
		if len(log.Entries) != 2 {
			t.Fatalf("user.role entries: %+v, want 2", log)
		}
		e := log.Entries[0]
		if e.Actor == nil || e.Actor.ID != a.users["admin"].ID || e.TargetID != target.ID || e.TargetType != "user" ||
			e.Before["role"] != "member" || e.After["role"] != "visitor" {
			t.Errorf("newest entry: %+v, want the admin's change from member to visitor", e)
		}
		decode(t, admin.Get(fmt.Sprintf("/api/v1/audit?actor_id=%d&limit=2&offset=1", a.users["admin"].ID)), &log)
		if len(log.Entries) != 2 || log.Entries[0].Action != "user.role" || log.Entries[1].Action != "user.role" {
			t.Errorf("the admin's second and third newest: %+v, want the two role changes (after the invitation)", log.Entries)
		}
		decode(t, admin.Get(fmt.Sprintf("/api/v1/audit?actor_id=%d", a.users["moderator"].ID)), &log)
		if len(log.Entries) != 0 {
			t.Errorf("the moderator did nothing, got %+v", log.Entries)
		}
		wantFields(t, "bad filters", admin.Get("/api/v1/audit?actor_id=-3&limit=201&action="+strings.Repeat("a", 101)), "actor_id", "limit", "action")
	})
}

// TestNotificationPrefsAPI: each person reads and sets their own settings,
// the moderators' own kinds only for moderators, with the page's choices;
// a refused change saves nothing, and the page shows what the API set.
func TestNotificationPrefsAPI(t *testing.T) {
	t.Parallel()
	forEachEngine(t, func(t *testing.T, app *servertest.App) {
		a := newAccountsAPI(t, app)
		member, mod := a.clients["member"], a.clients["moderator"]
		var prefs struct {
			Channels map[string]string
			Digest   string
		}
		decode(t, member.Get("/api/v1/notification-preferences"), &prefs)
		if prefs.Digest != "weekly" || prefs.Channels["mention"] == "" || prefs.Channels["new_flag"] != "" {
			t.Errorf("member's defaults: %+v, want a weekly digest, mentions, no moderators' kinds", prefs)
		}
		decode(t, mod.Get("/api/v1/notification-preferences"), &prefs)
		if prefs.Channels["new_flag"] == "" {
			t.Errorf("moderator's settings lack new_flag: %+v", prefs)
		}

		const put = "/api/v1/notification-preferences"
		wantFields(t, "moderators' kind", doJSON(member, "PUT", put, `{"channels":{"new_flag":"email","reply":"email"}}`), "channels.new_flag")
		wantFields(t, "bad choices", doJSON(member, "PUT", put, `{"channels":{"reply":"loud","mention":""},"digest":"hourly"}`),
			"channels.reply", "channels.mention", "digest")
		wantFields(t, "empty digest", doJSON(member, "PUT", put, `{"digest":""}`), "digest")
		if r := doJSON(member, "PUT", put, `{"digest":"daily","sms":true}`); r.Status != http.StatusBadRequest {
			t.Errorf("unknown property: got %d, want 400", r.Status)
		}
		decode(t, member.Get(put), &prefs)
		if prefs.Digest != "weekly" || prefs.Channels["reply"] == "email" {
			t.Errorf("refused changes were saved: %+v", prefs)
		}

		r := doJSON(member, "PUT", put, `{"channels":{"reply":"off"},"digest":"daily"}`)
		decode(t, r, &prefs)
		if r.Status != http.StatusOK || prefs.Channels["reply"] != "off" || prefs.Digest != "daily" || prefs.Channels["mention"] == "" {
			t.Errorf("change: %d %s", r.Status, r.Body)
		}
		saved, err := app.Store.Prefs(context.Background(), a.users["member"].ID)
		if err != nil || saved.Channels[store.NotifyReply] != store.ChannelOff || saved.Digest != "daily" {
			t.Errorf("stored: %+v (%v)", saved, err)
		}
		decode(t, doJSON(mod, "PUT", put, `{"channels":{"new_flag":"off"}}`), &prefs)
		if prefs.Channels["new_flag"] != "off" {
			t.Errorf("moderator's new_flag: %+v", prefs)
		}
		decode(t, a.clients["business"].Get(put), &prefs)
		if prefs.Digest != "weekly" || prefs.Channels["reply"] == "off" {
			t.Errorf("another person's settings changed: %+v", prefs)
		}
	})
}

// TestOpenAPINotificationPreferenceChoices: the document offers exactly the
// kinds, channels and digest frequencies the store knows, in the answer
// and in the request alike, so that a kind added later is documented.
func TestOpenAPINotificationPreferenceChoices(t *testing.T) {
	t.Parallel()
	raw, err := os.ReadFile("openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	type prefs struct {
		Properties struct {
			Channels struct {
				PropertyNames        struct{ Enum []store.NotificationKind } `json:"propertyNames"`
				AdditionalProperties struct{ Enum []store.Channel }          `json:"additionalProperties"`
			} `json:"channels"`
			Digest struct{ Enum []string } `json:"digest"`
		} `json:"properties"`
	}
	var doc struct {
		Components struct {
			Schemas struct {
				Prefs prefs `json:"NotificationPreferences"`
			} `json:"schemas"`
		} `json:"components"`
		Paths map[string]map[string]struct {
			RequestBody struct {
				Content map[string]struct{ Schema prefs } `json:"content"`
			} `json:"requestBody"`
		} `json:"paths"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	for what, p := range map[string]prefs{"answer": doc.Components.Schemas.Prefs,
		"request": doc.Paths["/notification-preferences"]["put"].RequestBody.Content["application/json"].Schema} {
		c := p.Properties.Channels
		if !slices.Equal(c.PropertyNames.Enum, store.NotificationKinds) || !slices.Equal(c.AdditionalProperties.Enum, store.Channels) ||
			!slices.Equal(p.Properties.Digest.Enum, store.DigestFrequencies) {
			t.Errorf("the %s's choices: kinds %v, channels %v, digests %v; want %v, %v, %v", what, c.PropertyNames.Enum,
				c.AdditionalProperties.Enum, p.Properties.Digest.Enum, store.NotificationKinds, store.Channels, store.DigestFrequencies)
		}
	}
}

// TestInvitationRevokeOnPage: the invitations page offers to revoke an open
// invitation, asks first (saying whose), and then does what the API does.
func TestInvitationRevokeOnPage(t *testing.T) {
	t.Parallel()
	app := servertest.New(t, storetest.SQLite, nil)
	a := newAccountsAPI(t, app)
	id := a.invitation(t)
	mod := a.clients["moderator"]
	action := fmt.Sprintf("/moderation/invitations/%d/revoke", id)
	page := mod.Get("/moderation/invitations")
	mustContain(t, page, `action="`+action+`"`, "data-confirm=")
	if r := a.clients["member"].Post(action, url.Values{"confirm": {"1"}}); r.Status != http.StatusForbidden {
		t.Errorf("a member revokes: got %d, want 403", r.Status)
	}
	ask := mod.Post(action, nil)
	mustContain(t, ask, "guest1@peru.example", "Revoke the invitation")
	if ask.Status != http.StatusOK || a.auditCount(t, "invitation.revoke") != 0 {
		t.Fatalf("asking: %d, and %d revocations", ask.Status, a.auditCount(t, "invitation.revoke"))
	}
	if r := mod.Post(action, url.Values{"confirm": {"1"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("confirmed: got %d, want 303", r.Status)
	}
	page = mod.Get("/moderation/invitations")
	mustContain(t, page, "its link no longer works")
	if strings.Contains(page.Body, `action="`+action+`"`) || a.auditCount(t, "invitation.revoke") != 1 {
		t.Errorf("after revoking: the button is still there, or the audit log has %d entries", a.auditCount(t, "invitation.revoke"))
	}
	mod.Post(action, url.Values{"confirm": {"1"}})
	mustContain(t, mod.Get("/moderation/invitations"), "no link left to withdraw")
	if got := mod.Post("/moderation/invitations/987654/revoke", url.Values{"confirm": {"1"}}).Status; got != http.StatusNotFound {
		t.Errorf("unknown invitation: got %d, want 404", got)
	}
}
