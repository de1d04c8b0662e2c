package server_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"testing"

	"ideasx/server/servertest"
	"ideasx/store"
	"ideasx/store/storetest"
)

func TestAPITokensAuthenticate(t *testing.T) {
	t.Parallel()
	forEachEngine(t, func(t *testing.T, app *servertest.App) {
		app.CreateUser("bo@kenya.example", store.RoleMember, "Delegation of Kenya", store.OrgMember)
		browser := app.Client()
		browser.SignIn("bo@kenya.example")
		page := browser.Post("/account/tokens", url.Values{"token_name": {"nightly export"}})
		token := regexp.MustCompile(`ixp_[A-Za-z0-9_-]{43}`).FindString(page.Body)
		if token == "" {
			t.Fatalf("the new token is not shown once on the page:\n%s", page.Body)
		}
		if strings.Contains(browser.Get("/account").Body, token) {
			t.Error("the token is shown again after the first time")
		}

		api := app.Client()
		api.Header.Set("Authorization", "Bearer "+token)
		r := api.Get("/api/v1/me")
		if r.Status != http.StatusOK || !strings.Contains(r.Body, `"email":"bo@kenya.example"`) {
			t.Fatalf("me with token: %d %s", r.Status, r.Body)
		}

		id := regexp.MustCompile(`/account/tokens/(\d+)/revoke`).FindStringSubmatch(browser.Get("/account").Body)
		if id == nil {
			t.Fatal("no revoke button")
		}
		browser.Post("/account/tokens/"+id[1]+"/revoke", url.Values{"confirm": {"1"}})
		r = api.Get("/api/v1/me")
		if r.Status != http.StatusUnauthorized {
			t.Errorf("revoked token: got %d, want 401", r.Status)
		}
		assertAPIError(t, r, "unauthorized")

		bad := app.Client()
		bad.Header.Set("Authorization", "Basic Ym86cGFzcw==")
		assertAPIError(t, bad.Get("/api/v1/me"), "unauthorized")
	})
}

func assertAPIError(t *testing.T, r servertest.Response, code string) {
	t.Helper()
	var body struct {
		Error struct{ Code, Message string } `json:"error"`
	}
	if err := json.Unmarshal([]byte(r.Body), &body); err != nil {
		t.Fatalf("error body is not JSON: %v\n%s", err, r.Body)
	}
	if body.Error.Code != code || body.Error.Message == "" || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		t.Errorf("got error %+v (%s), want code %q with a message", body.Error, r.Header.Get("Content-Type"), code)
	}
}

func TestAPIErrorsAreTranslated(t *testing.T) {
	t.Parallel()
	app := servertest.New(t, storetest.SQLite, nil)
	c := app.Client()
	c.Header.Set("Accept-Language", "es")
	r := c.Get("/api/v1/me")
	assertAPIError(t, r, "unauthorized")
	if strings.Contains(r.Body, "Please sign in") {
		t.Errorf("Spanish caller got English: %s", r.Body)
	}
}

// TestOpenAPIListsEveryRoute holds the OpenAPI document to the route table:
// each registered API route is documented, and nothing else is.
func TestOpenAPIListsEveryRoute(t *testing.T) {
	t.Parallel()
	app := servertest.New(t, storetest.SQLite, nil)
	r := app.Client().Get("/api/v1/openapi.json")
	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Servers []struct{ URL string }                `json:"servers"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal([]byte(r.Body), &doc); err != nil {
		t.Fatalf("openapi.json does not parse: %v", err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.") || len(doc.Servers) != 1 {
		t.Fatalf("not an OpenAPI 3 document with one server: %+v", doc)
	}
	var documented []string
	for path, ops := range doc.Paths {
		for method := range ops {
			documented = append(documented, strings.ToUpper(method)+" "+doc.Servers[0].URL+path)
		}
	}
	var routed []string
	for _, p := range app.Server.APIRoutes() {
		routed = append(routed, regexp.MustCompile(`\{(\w+)(\.\.\.)?\}`).ReplaceAllString(p, "{$1}"))
	}
	sort.Strings(documented)
	sort.Strings(routed)
	if strings.Join(documented, "\n") != strings.Join(routed, "\n") {
		t.Errorf("OpenAPI paths and API routes differ:\ndocumented:\n%s\nrouted:\n%s", strings.Join(documented, "\n"), strings.Join(routed, "\n"))
	}
}
