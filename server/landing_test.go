package server_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"ideasx/server/servertest"
	"ideasx/store"
)

// Signing in without a page in mind lands where the person can work: the
// forum for those who may read it, the library for the others.
func TestSignInLandsByRole(t *testing.T) {
	t.Parallel()
	forEachEngine(t, func(t *testing.T, app *servertest.App) {
		for _, tc := range []struct {
			role store.Role
			kind store.OrgKind
			want string
		}{
			{store.RoleVisitor, store.OrgObserver, "/documents"},
			{store.RolePending, store.OrgBusiness, "/documents"},
			{store.RoleBusiness, store.OrgBusiness, "/forum"},
			{store.RoleMember, store.OrgMember, "/forum"},
			{store.RoleModerator, store.OrgSecretariat, "/forum"},
			{store.RoleAdmin, store.OrgSecretariat, "/forum"},
		} {
			email := string(tc.role) + "@landing.example"
			app.CreateUser(email, tc.role, "Org of "+string(tc.role), tc.kind)
			c := app.Client()
			// The form a person opens from the header carries no page.
			if r := c.Get("/signin"); !strings.Contains(r.Body, `name="next" value=""`) {
				t.Errorf("%s: sign-in form carries a page nobody asked for", tc.role)
			}
			r := c.Post("/signin", url.Values{"email": {email}, "password": {servertest.Password}, "next": {""}})
			if r.Status != http.StatusSeeOther || r.Location != tc.want {
				t.Errorf("%s: sign-in led to %d %q, want 303 %q", tc.role, r.Status, r.Location, tc.want)
			}
			// Already signed in, the sign-in page leads to the same place.
			if r := c.Get("/signin"); r.Status != http.StatusSeeOther || r.Location != tc.want {
				t.Errorf("%s: sign-in page when signed in led to %d %q, want %q", tc.role, r.Status, r.Location, tc.want)
			}
			if r := c.Get(tc.want); r.Status != http.StatusOK {
				t.Errorf("%s: landing %s answered %d", tc.role, tc.want, r.Status)
			}
		}
	})
}

// A signed-out person who opens a members-only page signs in and is back
// on that page; an address off the site is never followed.
func TestSignInReturnsToThePageAsked(t *testing.T) {
	t.Parallel()
	forEachEngine(t, func(t *testing.T, app *servertest.App) {
		app.CreateUser("bo@kenya.example", store.RoleMember, "Delegation of Kenya", store.OrgMember)
		c := app.Client()
		want := "/forum/new?theme=x"
		r := c.Get(want)
		if r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Location, "/signin?") {
			t.Fatalf("members-only page signed out: got %d %q, want a 303 to sign in", r.Status, r.Location)
		}
		form := c.Get(r.Location)
		if !strings.Contains(form.Body, `name="next" value="/forum/new?theme=x"`) {
			t.Fatalf("sign-in form does not carry the page asked for")
		}
		r = c.Post("/signin", url.Values{"email": {"bo@kenya.example"}, "password": {servertest.Password}, "next": {want}})
		if r.Status != http.StatusSeeOther || r.Location != want {
			t.Errorf("sign-in led to %d %q, want %q", r.Status, r.Location, want)
		}

		other := app.Client()
		r = other.Post("/signin", url.Values{"email": {"bo@kenya.example"}, "password": {servertest.Password}, "next": {"//evil.example/forum"}})
		if r.Status != http.StatusSeeOther || r.Location != "/forum" {
			t.Errorf("sign-in with an off-site page led to %d %q, want /forum", r.Status, r.Location)
		}
	})
}
