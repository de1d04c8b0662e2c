package server_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"ideasx/server/servertest"
	"ideasx/store"
	"ideasx/store/storetest"
)

// TestAccessByRole walks every page built so far with each role and checks
// what each may and may not reach. "signin" means a redirect to sign in.
func TestAccessByRole(t *testing.T) {
	t.Parallel()
	const (
		ok     = http.StatusOK
		signin = http.StatusSeeOther
		denied = http.StatusForbidden
		unauth = http.StatusUnauthorized
	)
	roles := []string{"visitor", "pending", "suspended", "business", "member", "moderator", "admin"}
	routes := []struct {
		path string
		want map[string]int
	}{
		{"/", all(ok)},
		{"/signin", map[string]int{"visitor": ok, "suspended": ok, "pending": signin, "business": signin, "member": signin, "moderator": signin, "admin": signin}},
		{"/register", all(ok)},
		{"/reset", all(ok)},
		{"/healthz", all(ok)},
		{"/api/v1/openapi.json", all(ok)},
		{"/account", map[string]int{"visitor": signin, "suspended": signin, "pending": ok, "business": ok, "member": ok, "moderator": ok, "admin": ok}},
		{"/api/v1/me", map[string]int{"visitor": unauth, "suspended": unauth, "pending": ok, "business": ok, "member": ok, "moderator": ok, "admin": ok}},
		{"/moderation/accounts", map[string]int{"visitor": signin, "suspended": signin, "pending": denied, "business": denied, "member": denied, "moderator": ok, "admin": ok}},
		{"/moderation/invitations", map[string]int{"visitor": signin, "suspended": signin, "pending": denied, "business": denied, "member": denied, "moderator": ok, "admin": ok}},
		{"/admin/users", map[string]int{"visitor": signin, "suspended": signin, "pending": denied, "business": denied, "member": denied, "moderator": denied, "admin": ok}},
		{"/admin/audit", map[string]int{"visitor": signin, "suspended": signin, "pending": denied, "business": denied, "member": denied, "moderator": denied, "admin": ok}},
	}
	for _, e := range storetest.Engines {
		t.Run(string(e), func(t *testing.T) {
			app := servertest.New(t, e, nil)
			clients := signedInClients(t, app)
			for _, rt := range routes {
				for _, role := range roles {
					if got := clients[role].Get(rt.path).Status; got != rt.want[role] {
						t.Errorf("%s as %s: got %d, want %d", rt.path, role, got, rt.want[role])
					}
				}
			}
		})
	}
}

// TestModerationActionsByRole posts each moderation and admin action as each
// role and checks that only the right ones change anything.
func TestModerationActionsByRole(t *testing.T) {
	t.Parallel()
	app := servertest.New(t, storetest.SQLite, nil)
	clients := signedInClients(t, app)
	ctx := context.Background()
	for _, role := range []string{"visitor", "pending", "business", "member"} {
		target := app.CreateUser(role+"-target@x.example", store.RolePending, "Target "+role, store.OrgBusiness)
		id := itoa(target.ID)
		for _, post := range []struct {
			path string
			form url.Values
		}{
			{"/moderation/accounts/" + id + "/approve", url.Values{"role": {"member"}}},
			{"/moderation/accounts/" + id + "/reject", nil},
			{"/moderation/invitations", url.Values{"email": {"z@z.example"}, "role": {"member"}, "org_name": {"Z"}, "org_kind": {"member"}}},
			{"/admin/users/" + id + "/role", url.Values{"role": {"admin"}}},
			{"/admin/users/" + id + "/status", url.Values{"status": {"suspended"}}},
		} {
			got := clients[role].Post(post.path, post.form).Status
			want := http.StatusForbidden
			if role == "visitor" {
				want = http.StatusSeeOther
			}
			if got != want {
				t.Errorf("POST %s as %s: got %d, want %d", post.path, role, got, want)
			}
		}
		u, err := app.Store.UserByID(ctx, target.ID)
		if err != nil || u.Status != store.StatusPending || u.Role != store.RolePending {
			t.Errorf("%s changed an account it may not touch: %+v %v", role, u, err)
		}
	}
	// A moderator approves but may not change roles.
	target := app.CreateUser("mod-target@x.example", store.RoleBusiness, "Firm", store.OrgBusiness)
	if got := clients["moderator"].Post("/admin/users/"+itoa(target.ID)+"/role", url.Values{"role": {"admin"}}).Status; got != http.StatusForbidden {
		t.Errorf("moderator changing a role: got %d, want 403", got)
	}
	if got := clients["admin"].Post("/admin/users/"+itoa(target.ID)+"/role", url.Values{"role": {"moderator"}}).Status; got != http.StatusSeeOther {
		t.Errorf("admin changing a role: got %d, want 303", got)
	}
	entries, _ := app.Store.AuditLog(ctx, store.AuditFilter{Action: "user.role"})
	if len(entries) != 1 || entries[0].AfterJSON != `{"role":"moderator"}` {
		t.Errorf("audit of the role change: %+v", entries)
	}
}

func all(code int) map[string]int {
	return map[string]int{"visitor": code, "pending": code, "suspended": code, "business": code, "member": code, "moderator": code, "admin": code}
}

// signedInClients returns a client per role; "suspended" tried to sign in
// after its suspension and so holds no session.
func signedInClients(t *testing.T, app *servertest.App) map[string]*servertest.Client {
	t.Helper()
	accounts := map[string]struct {
		role store.Role
		kind store.OrgKind
	}{
		"pending":   {store.RolePending, store.OrgBusiness},
		"suspended": {store.RoleBusiness, store.OrgBusiness},
		"business":  {store.RoleBusiness, store.OrgBusiness},
		"member":    {store.RoleMember, store.OrgMember},
		"moderator": {store.RoleModerator, store.OrgSecretariat},
		"admin":     {store.RoleAdmin, store.OrgSecretariat},
	}
	clients := map[string]*servertest.Client{"visitor": app.Client()}
	for name, a := range accounts {
		u := app.CreateUser(name+"@roles.example", a.role, "Org of "+name, a.kind)
		c := app.Client()
		c.SignIn(u.Email)
		clients[name] = c
		if name == "suspended" {
			if err := app.Store.SetStatus(context.Background(), 0, u.ID, store.StatusSuspended); err != nil {
				t.Fatal(err)
			}
		}
	}
	return clients
}
