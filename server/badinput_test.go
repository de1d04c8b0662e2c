package server_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"ideasx/server/servertest"
	"ideasx/store"
	"ideasx/store/storetest"
)

func countUsers(t *testing.T, app *servertest.App) int {
	t.Helper()
	_, n, err := app.Store.ListUsers(context.Background(), store.UserFilter{})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func countOrgs(t *testing.T, app *servertest.App) int {
	t.Helper()
	orgs, err := app.Store.Organisations(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return len(orgs)
}

func TestRegistrationRejectsBadInput(t *testing.T) {
	t.Parallel()
	forEachEngine(t, func(t *testing.T, app *servertest.App) {
		cases := []struct {
			name    string
			change  func(url.Values)
			field   string
			message string
		}{
			{"empty name", func(v url.Values) { v.Set("name", "  ") }, "f-name-error", "Please fill in this field"},
			{"long name", func(v url.Values) { v.Set("name", strings.Repeat("é", 101)) }, "f-name-error", "at most 100 characters"},
			{"control characters", func(v url.Values) { v.Set("name", "Ana\x00Bell") }, "f-name-error", "not allowed"},
			{"invalid e-mail", func(v url.Values) { v.Set("email", "ana@") }, "f-email-error", "valid e-mail"},
			{"e-mail with a name", func(v url.Values) { v.Set("email", "Ana <ana@x.example>") }, "f-email-error", "valid e-mail"},
			{"short password", func(v url.Values) { v.Set("password", "short"); v.Set("password_confirm", "short") }, "f-password-error", "at least 10"},
			{"passwords differ", func(v url.Values) { v.Set("password_confirm", "something else entirely") }, "f-password_confirm-error", "not the same"},
			{"unknown kind", func(v url.Values) { v.Set("org_kind", "secretariat") }, "f-org_kind-error", "choose one"},
			{"unknown country", func(v url.Values) { v.Set("country", "QQ") }, "f-country-error", "country from the list"},
			{"business without size", func(v url.Values) { v.Del("size_class") }, "f-size_class-error", "Please fill in"},
		}
		users, orgs := countUsers(t, app), countOrgs(t, app)
		for _, c := range cases {
			form := registration("case@x.example")
			c.change(form)
			r := app.Client().Post("/register", form)
			if r.Status != http.StatusUnprocessableEntity {
				t.Errorf("%s: got %d, want 422", c.name, r.Status)
				continue
			}
			if !strings.Contains(r.Body, `id="`+c.field+`"`) || !strings.Contains(r.Body, c.message) {
				t.Errorf("%s: no message %q next to the field %s", c.name, c.message, c.field)
			}
			if !strings.Contains(r.Body, `value="Dakar Shea Cooperative"`) && c.name != "" {
				t.Errorf("%s: the form lost what the person typed", c.name)
			}
		}
		if countUsers(t, app) != users || countOrgs(t, app) != orgs {
			t.Error("a refused registration left rows behind")
		}
	})
}

func TestDuplicateEmailInOtherCase(t *testing.T) {
	t.Parallel()
	forEachEngine(t, func(t *testing.T, app *servertest.App) {
		app.CreateUser("ana@andes.example", store.RoleBusiness, "Andes Textiles", store.OrgBusiness)
		users, orgs := countUsers(t, app), countOrgs(t, app)
		form := registration("ANA@Andes.Example")
		form.Set("organisation", "A brand new company")
		r := app.Client().Post("/register", form)
		// The page answers as for a new address, so that it reveals nothing;
		// the owner of the address is told by e-mail.
		if r.Status != http.StatusOK {
			t.Fatalf("got %d, want 200", r.Status)
		}
		if countUsers(t, app) != users || countOrgs(t, app) != orgs {
			t.Error("the duplicate registration left rows behind")
		}
		mails := app.Mails("ana@andes.example")
		if len(mails) != 1 || !strings.Contains(mails[0].Subject, "tried to register") {
			t.Errorf("got mails %+v, want one warning to the owner", mails)
		}
		// Nobody can flood the owner's inbox by registering again and again.
		for range 3 {
			if r := app.Client().Post("/register", form); r.Status != http.StatusOK {
				t.Fatalf("repeated registration: got %d, want the same page", r.Status)
			}
		}
		if got := len(app.Mails("ana@andes.example")); got != 3 {
			t.Errorf("after 4 attempts the owner got %d warnings, want 3", got)
		}
	})
}

func TestOversizedFormIsRefused(t *testing.T) {
	t.Parallel()
	app := servertest.New(t, storetest.SQLite, nil)
	form := registration("big@x.example")
	form.Set("sector", strings.Repeat("x", 70<<10))
	r := app.Client().Post("/register", form)
	if r.Status != http.StatusRequestEntityTooLarge {
		t.Errorf("got %d, want 413", r.Status)
	}
	if !strings.Contains(r.Body, "too large") {
		t.Error("no clear message for an oversized form")
	}
}

func TestCrossOriginPostIsRefused(t *testing.T) {
	t.Parallel()
	forEachEngine(t, func(t *testing.T, app *servertest.App) {
		users := countUsers(t, app)
		c := app.Client()
		c.Header.Set("Origin", "https://evil.example")
		c.Header.Set("Sec-Fetch-Site", "cross-site")
		r := c.Post("/register", registration("csrf@x.example"))
		if r.Status != http.StatusForbidden || !strings.Contains(r.Body, "another website") {
			t.Errorf("cross-site form post: got %d, want 403 with an explanation", r.Status)
		}
		c.Header.Del("Sec-Fetch-Site")
		if r := c.Post("/signin", url.Values{"email": {"a@b.example"}, "password": {"x"}}); r.Status != http.StatusForbidden {
			t.Errorf("foreign Origin without Sec-Fetch-Site: got %d, want 403", r.Status)
		}
		if countUsers(t, app) != users {
			t.Error("the refused request created an account")
		}
		same := app.Client()
		same.Header.Set("Origin", app.URL)
		same.Header.Set("Sec-Fetch-Site", "same-origin")
		if r := same.Post("/register", registration("same@x.example")); r.Status != http.StatusOK {
			t.Errorf("same-origin post: got %d, want 200", r.Status)
		}
	})
}

func TestRepeatedWrongPasswordsAreLimited(t *testing.T) {
	t.Parallel()
	forEachEngine(t, func(t *testing.T, app *servertest.App) {
		app.CreateUser("target@x.example", store.RoleMember, "Delegation", store.OrgMember)
		c := app.Client()
		var wrong, limited int
		for i := range 20 {
			r := c.Post("/signin", url.Values{"email": {"target@x.example"}, "password": {"guess number " + itoa(int64(i))}})
			switch {
			case r.Status == http.StatusUnprocessableEntity && strings.Contains(r.Body, "password is wrong"):
				wrong++
			case r.Status == http.StatusTooManyRequests && strings.Contains(r.Body, "Too many attempts") && r.Header.Get("Retry-After") != "":
				limited++
			default:
				t.Fatalf("attempt %d: got %d, want 422 or 429 with a clear message\n%s", i+1, r.Status, r.Body)
			}
		}
		if wrong == 0 || limited == 0 || wrong+limited != 20 {
			t.Errorf("got %d wrong-password answers and %d limited, want some of each", wrong, limited)
		}
		// Even the right password waits now: the limit protects the account, not the guess.
		r := c.Post("/signin", url.Values{"email": {"target@x.example"}, "password": {servertest.Password}})
		if r.Status != http.StatusTooManyRequests {
			t.Errorf("right password while limited: got %d, want 429", r.Status)
		}
		// The same limit applies to an address without an account: nothing tells them apart.
		for range 11 {
			r = c.Post("/signin", url.Values{"email": {"nobody@x.example"}, "password": {"guess"}})
		}
		if r.Status != http.StatusTooManyRequests {
			t.Errorf("unknown address after 11 tries: got %d, want 429", r.Status)
		}
	})
}

func TestBadIDsAndLinksNeverFail500(t *testing.T) {
	t.Parallel()
	app := servertest.New(t, storetest.SQLite, nil)
	app.CreateUser("admin@x.example", store.RoleAdmin, "Secretariat", store.OrgSecretariat)
	admin := app.Client()
	admin.SignIn("admin@x.example")
	for _, c := range []struct {
		method, path string
		want         int
	}{
		{"GET", "/reset/not-a-token", http.StatusGone},
		{"POST", "/reset/not-a-token", http.StatusUnprocessableEntity},
		// An address that is not text (a NUL, bytes that are not UTF-8) is
		// refused as unreadable before any handler; a readable unknown
		// link is gone.
		{"GET", "/invite/%00%ff", http.StatusBadRequest},
		{"GET", "/invite/no-such-link", http.StatusGone},
		{"GET", "/setup/nothing", http.StatusGone},
		{"POST", "/admin/users/abc/role", http.StatusNotFound},
		{"POST", "/admin/users/999999/status", http.StatusNotFound},
		{"POST", "/moderation/accounts/-1/approve", http.StatusNotFound},
		{"POST", "/moderation/accounts/999999/reject", http.StatusSeeOther},
		{"POST", "/account/tokens/999999/revoke", http.StatusNotFound},
		{"GET", "/no/such/page", http.StatusNotFound},
		{"GET", "/api/v1/nothing", http.StatusNotFound},
	} {
		r := admin.Do(c.method, c.path, strings.NewReader(""), "application/x-www-form-urlencoded")
		if r.Status != c.want {
			t.Errorf("%s %s: got %d, want %d", c.method, c.path, r.Status, c.want)
		}
	}
	if r := admin.Get("/api/v1/nothing"); !strings.Contains(r.Body, `"code":"not_found"`) {
		t.Errorf("API 404 is not JSON: %s", r.Body)
	}
}
