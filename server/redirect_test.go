package server_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"ideasx/server/servertest"
	"ideasx/store"
	"ideasx/store/storetest"
)

// hostileNext are return addresses that a browser would take off-site
// (Chromium drops tabs and newlines, reads "\" as "/") or that are not a
// path at all.
var hostileNext = []string{
	"//evil.example", "/\\evil.example", "/\t/evil.example", "/%09/evil.example", "/%0a/evil.example",
	"/%0d/evil.example", "/\n/evil.example", "/%5c/evil.example", "/%5C%5Cevil.example", "/%2f/evil.example",
	"https://evil.example", "http:evil.example", "javascript:alert(1)", "\\\\evil.example", " //evil.example",
	"//user@evil.example/", "evil.example",
}

// browserHost is where a browser goes with location from base: like
// Chromium it first removes tabs and newlines and reads backslashes as slashes.
func browserHost(t *testing.T, base, location string) string {
	t.Helper()
	clean := strings.NewReplacer("\t", "", "\n", "", "\r", "", "\\", "/").Replace(location)
	b, _ := url.Parse(base)
	u, err := url.Parse(clean)
	if err != nil {
		return "unparsable: " + location
	}
	return b.ResolveReference(u).Host
}

func assertStaysHome(t *testing.T, app *servertest.App, what string, r servertest.Response, want string) {
	t.Helper()
	site, _ := url.Parse(app.URL)
	if r.Status != http.StatusSeeOther || r.Location != want {
		t.Errorf("%s: got %d to %q, want 303 to %q", what, r.Status, r.Location, want)
	}
	if host := browserHost(t, app.URL, r.Location); host != site.Host {
		t.Errorf("%s: a browser would go to %q", what, host)
	}
}

func TestSignInAndLanguageRedirectsStayOnSite(t *testing.T) {
	t.Parallel()
	app := servertest.New(t, storetest.SQLite, nil)
	app.CreateUser("member@x.example", store.RoleMember, "Delegation of Chile", store.OrgMember)
	member := app.Client()
	member.SignIn("member@x.example")
	for i, next := range hostileNext {
		q := url.Values{"next": {next}}.Encode()
		// One account per case: sign-in attempts are limited per address.
		email := fmt.Sprintf("reader%d@x.example", i)
		app.CreateUser(email, store.RoleBusiness, "Andes Textiles", store.OrgBusiness)
		// A refused page falls back to where the person lands: the forum for these two.
		assertStaysHome(t, app, "signed in, GET /signin?"+q, member.Get("/signin?"+q), "/forum")
		assertStaysHome(t, app, "POST /lang next="+q, member.Post("/lang", url.Values{"lang": {"en"}, "next": {next}}), "/")

		visitor := app.Client()
		page := visitor.Get("/signin?" + q)
		if !strings.Contains(page.Body, `<input type="hidden" name="next" value="">`) {
			t.Errorf("sign-in page for next=%q does not drop it", next)
		}
		form := url.Values{"email": {email}, "password": {servertest.Password}, "next": {next}}
		assertStaysHome(t, app, "POST /signin next="+q, visitor.Post("/signin", form), "/forum")
		assertStaysHome(t, app, "visitor POST /lang next="+q, app.Client().Post("/lang", url.Values{"lang": {"fr"}, "next": {next}}), "/")
	}

	// What the site itself sends as a return address comes back intact.
	visitor := app.Client()
	r := visitor.Get("/forum?tab=challenges")
	if r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Location, "/signin?next=") {
		t.Fatalf("visitor on the forum: got %d to %q, want a redirect to sign in", r.Status, r.Location)
	}
	signin, _ := url.Parse(r.Location)
	form := url.Values{"email": {"member@x.example"}, "password": {servertest.Password}, "next": {signin.Query().Get("next")}}
	assertStaysHome(t, app, "sign in from the forum", visitor.Post("/signin", form), "/forum?tab=challenges")
	page := member.Get("/documents?year=2019&q=caf%C3%A9")
	if !strings.Contains(page.Body, `name="next" value="/documents?year=2019&amp;q=caf%C3%A9"`) {
		t.Fatalf("the language switcher does not carry the page's address")
	}
	assertStaysHome(t, app, "language switch on a filtered list", member.Post("/lang", url.Values{"lang": {"es"}, "next": {"/documents?year=2019&q=caf%C3%A9"}}), "/documents?year=2019&q=caf%C3%A9")
}

func TestAdminListReturnsOnlyToItself(t *testing.T) {
	t.Parallel()
	app := servertest.New(t, storetest.SQLite, nil)
	app.CreateUser("admin@x.example", store.RoleAdmin, "Secretariat", store.OrgSecretariat)
	target := app.CreateUser("target@x.example", store.RoleMember, "Delegation of Peru", store.OrgMember)
	admin := app.Client()
	admin.SignIn("admin@x.example")
	path := "/admin/users/" + itoa(target.ID) + "/role"
	for referer, want := range map[string]string{
		app.URL + "/admin/users?q=peru&page=2":    "/admin/users?q=peru&page=2",
		"https://evil.example/admin/users?q=peru": "/admin/users",
		app.URL + "/admin/users?q=%0a":            "/admin/users",
		app.URL + "/admin/users?q=%5c":            "/admin/users",
		app.URL + "/forum":                        "/admin/users",
		"":                                        "/admin/users",
	} {
		admin.Header.Del("Referer")
		if referer != "" {
			admin.Header.Set("Referer", referer)
		}
		assertStaysHome(t, app, "role change from "+referer, admin.Post(path, url.Values{"role": {"business"}}), want)
	}
}
