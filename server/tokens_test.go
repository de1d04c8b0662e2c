package server_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"ideasx/server/servertest"
	"ideasx/store"
)

// bearer is a client that authenticates by token only.
func bearer(app *servertest.App, token string) *servertest.Client {
	c := app.Client()
	c.Header.Set("Authorization", "Bearer "+token)
	return c
}

// waitClosed waits up to 5 s for the server to close a live connection
// with code, and says whether it did.
func waitClosed(c interface{ CloseCodes() []int }, code int) bool {
	for start := time.Now(); time.Since(start) < 5*time.Second; time.Sleep(50 * time.Millisecond) {
		for _, got := range c.CloseCodes() {
			if got == code {
				return true
			}
		}
	}
	return false
}

// TestPasswordChangeRevokesTokens: changing the password revokes every API
// token — the API refuses them and a live connection made with one is
// closed — while the session that changed it goes on; the page says so
// before and after.
func TestPasswordChangeRevokesTokens(t *testing.T) {
	t.Parallel()
	forEachEngine(t, func(t *testing.T, app *servertest.App) {
		f := newLiveFixture(t, app, "record")
		mustContain(t, f.del.Get("/account"), "revokes all your API tokens")
		token := createToken(t, f.del)
		api := bearer(app, token)
		if r := api.Get("/api/v1/me"); r.Status != http.StatusOK {
			t.Fatalf("token before: %d", r.Status)
		}
		live := servertest.Live(t, http.Header{"Authorization": {"Bearer " + token}}, app)
		topic := fmt.Sprintf("thread:%d", f.thread)
		_ = live.Subscribe(topic, nil)
		expect(t, live, "subscribed", topic)

		r := f.del.Post("/account/password", url.Values{"current_password": {servertest.Password},
			"new_password": {"condors over the Andes"}, "new_password_confirm": {"condors over the Andes"}})
		if r.Status != http.StatusSeeOther {
			t.Fatalf("change password: %d\n%s", r.Status, r.Body)
		}
		page := f.del.Get("/account")
		mustContain(t, page, "Your other sessions were signed out and your API tokens revoked.")
		if strings.Contains(page.Body, "/revoke") {
			t.Error("the account page still offers to revoke a token: it was not revoked")
		}
		r = api.Get("/api/v1/me")
		if r.Status != http.StatusUnauthorized {
			t.Errorf("token after a password change: %d, want 401", r.Status)
		}
		assertAPIError(t, r, "unauthorized")
		if !waitClosed(live, 4401) {
			t.Errorf("live connection by token still open 5 s after the password change (closes: %v)", live.CloseCodes())
		}
	})
}

// TestPasswordResetRevokesTokens: a reset by e-mail link revokes every API
// token too, and the confirmation says so (in French for a French reader).
func TestPasswordResetRevokesTokens(t *testing.T) {
	t.Parallel()
	forEachEngine(t, func(t *testing.T, app *servertest.App) {
		app.CreateUser("ana@andes.example", store.RoleBusiness, "Andes Textiles", store.OrgBusiness)
		browser := app.Client()
		browser.SignIn("ana@andes.example")
		api := bearer(app, createToken(t, browser))
		app.Client().Post("/reset", url.Values{"email": {"ana@andes.example"}})
		link := app.LastLink("ana@andes.example", "/reset/")
		c := app.Client()
		c.Header.Set("Accept-Language", "fr")
		if r := c.Post(link, url.Values{"password": {"llamas on the altiplano"}, "password_confirm": {"llamas on the altiplano"}}); r.Status != http.StatusSeeOther {
			t.Fatalf("reset: %d\n%s", r.Status, r.Body)
		}
		mustContain(t, c.Get("/signin"), "vos jetons d&#39;API révoqués")
		if r := api.Get("/api/v1/me"); r.Status != http.StatusUnauthorized {
			t.Errorf("token after a password reset: %d, want 401", r.Status)
		}
	})
}

// TestTokensAreMadeOnlyFromABrowserSession: a signed-in browser makes,
// lists and revokes tokens over the API; a token may list and revoke but
// never make one, neither over the API nor through the account page.
func TestTokensAreMadeOnlyFromABrowserSession(t *testing.T) {
	t.Parallel()
	forEachEngine(t, func(t *testing.T, app *servertest.App) {
		u := app.CreateUser("bo@kenya.example", store.RoleMember, "Delegation of Kenya", store.OrgMember)
		browser := app.Client()
		browser.SignIn("bo@kenya.example")

		r := browser.Do("POST", "/api/v1/tokens", strings.NewReader(`{"name":"nightly export"}`), "application/json")
		if r.Status != http.StatusCreated {
			t.Fatalf("create by session: %d %s", r.Status, r.Body)
		}
		var made struct {
			ID    int64  `json:"id"`
			Name  string `json:"name"`
			Token string `json:"token"`
		}
		if err := json.Unmarshal([]byte(r.Body), &made); err != nil || made.Name != "nightly export" || !strings.HasPrefix(made.Token, "ixp_") {
			t.Fatalf("created token: %+v %v", made, err)
		}
		api := bearer(app, made.Token)

		r = api.Do("POST", "/api/v1/tokens", strings.NewReader(`{"name":"minted by a token"}`), "application/json")
		if r.Status != http.StatusForbidden {
			t.Errorf("create by token over the API: %d, want 403", r.Status)
		}
		assertAPIError(t, r, "session_required")
		if r := api.Post("/account/tokens", url.Values{"token_name": {"minted by a token"}}); r.Status != http.StatusForbidden || strings.Contains(r.Body, "ixp_") {
			t.Errorf("create by token through the page: %d, want 403 and no token", r.Status)
		}
		// Nor does it change the password it would then revoke itself with.
		hash := func() string {
			u, err := app.Store.UserByID(t.Context(), u.ID)
			if err != nil {
				t.Fatal(err)
			}
			return u.PasswordHash
		}
		old := hash()
		if r := api.Post("/account/password", url.Values{"current_password": {servertest.Password}, "new_password": {"another long password"}, "new_password_confirm": {"another long password"}}); r.Status != http.StatusForbidden || hash() != old {
			t.Errorf("password change by token: %d, want 403 and the password unchanged", r.Status)
		}
		list, err := app.Store.APITokens(t.Context(), u.ID)
		if err != nil || len(list) != 1 {
			t.Errorf("tokens stored: %d (%v), want only the one made by the session", len(list), err)
		}

		r = api.Get("/api/v1/tokens")
		mustContain(t, r, `"name":"nightly export"`)
		if strings.Contains(r.Body, made.Token) || strings.Contains(r.Body, `"token"`) {
			t.Errorf("the list shows a secret: %s", r.Body)
		}
		r = browser.Do("POST", "/api/v1/tokens", strings.NewReader(`{"name":"  "}`), "application/json")
		if r.Status != http.StatusUnprocessableEntity {
			t.Errorf("blank name: %d, want 422", r.Status)
		}
		if r := browser.Do("POST", "/api/v1/tokens", strings.NewReader(`{"name":`), "application/json"); r.Status != http.StatusBadRequest {
			t.Errorf("broken JSON: %d, want 400", r.Status)
		}

		if r := api.Do("DELETE", fmt.Sprintf("/api/v1/tokens/%d", made.ID), nil, ""); r.Status != http.StatusNoContent {
			t.Fatalf("revoke: %d %s", r.Status, r.Body)
		}
		if r := api.Get("/api/v1/me"); r.Status != http.StatusUnauthorized {
			t.Errorf("revoked token: %d, want 401", r.Status)
		}
		if r := browser.Do("DELETE", fmt.Sprintf("/api/v1/tokens/%d", made.ID), nil, ""); r.Status != http.StatusNotFound {
			t.Errorf("revoking twice: %d, want 404", r.Status)
		}
		if r := browser.Do("DELETE", "/api/v1/tokens/x", nil, ""); r.Status != http.StatusNotFound {
			t.Errorf("bad id: %d, want 404", r.Status)
		}
	})
}
