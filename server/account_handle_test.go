package server_test

import (
	"regexp"
	"strings"
	"testing"

	"ideasx/server/servertest"
	"ideasx/store"
)

var accountMenu = regexp.MustCompile(`(?s)<details class="account-menu">.*?</details>`)

// A person who can be mentioned finds their own @handle on the account
// page and in the account menu of every page; one outside the forum, who
// cannot be mentioned, is not shown one.
func TestOwnHandleShown(t *testing.T) {
	t.Parallel()
	forEachEngine(t, func(t *testing.T, app *servertest.App) {
		member := app.CreateUser("ana@x.example", store.RoleMember, "Delegation of Chile", store.OrgMember)
		visitor := app.CreateUser("val@x.example", store.RoleVisitor, "Curious Ltd", store.OrgObserver)
		if member.Handle == "" || visitor.Handle == "" {
			t.Fatalf("accounts without handles: %q %q", member.Handle, visitor.Handle)
		}
		c := app.Client()
		c.SignIn("ana@x.example")
		for _, lang := range []struct{ code, label string }{{"en", "Handle"}, {"fr", "Identifiant"}, {"es", "Identificador"}} {
			c.Header.Set("Accept-Language", lang.code)
			page := c.Get("/account")
			mustContain(t, page, "<dt>"+lang.label+"</dt>", `href="/forum/people/`+member.Handle+`" class="handle">@`+member.Handle+`</a>`)
		}
		for _, path := range []string{"/account", "/forum", "/documents"} {
			menu := accountMenu.FindString(c.Get(path).Body)
			if !strings.Contains(menu, "@"+member.Handle) {
				t.Errorf("%s: the account menu does not show @%s", path, member.Handle)
			}
		}

		v := app.Client()
		v.SignIn("val@x.example")
		page := v.Get("/account")
		if strings.Contains(page.Body, "@"+visitor.Handle) {
			t.Errorf("a visitor, who cannot be mentioned, is shown a handle")
		}
	})
}
