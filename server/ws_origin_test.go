package server_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/gorilla/websocket"

	"ideasx/server/servertest"
	"ideasx/store"
	"ideasx/store/storetest"
)

// dialFrom opens /ws as a signed-in browser at origin would, and returns
// the status and the body of a refusal.
func dialFrom(t *testing.T, app *servertest.App, c *servertest.Client, origin string) (int, string) {
	t.Helper()
	h := c.BrowserHeader()
	h.Set("Origin", origin)
	conn, resp, err := websocket.DefaultDialer.Dial(app.WSURL(), h)
	if err == nil {
		conn.Close()
		return http.StatusSwitchingProtocols, ""
	}
	if resp == nil {
		t.Fatalf("dial from %s: %v", origin, err)
	}
	var b strings.Builder
	buf := make([]byte, 4096)
	for {
		n, err := resp.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			break
		}
	}
	return resp.StatusCode, b.String()
}

// refusals counts the log lines warning of a refused upgrade from origin.
func refusals(app *servertest.App, origin string) int {
	n := 0
	for _, line := range strings.Split(app.Logs(), "\n") {
		var rec struct{ Level, Msg, Origin, Expected, Fix string }
		if json.Unmarshal([]byte(line), &rec) != nil || !strings.HasPrefix(rec.Msg, "websocket upgrade refused") || rec.Origin != origin {
			continue
		}
		if rec.Level != "WARN" || rec.Expected != app.BaseURL || !strings.Contains(rec.Fix, "IDEASX_BASE_URL") || !strings.Contains(rec.Fix, "IDEASX_ALLOWED_ORIGINS") {
			app.T.Errorf("refusal logged as %s", line)
		}
		n++
	}
	return n
}

// TestWebsocketOriginsAllowedBySetting: the base URL's origin and those of
// IDEASX_ALLOWED_ORIGINS may open /ws; any other is refused with a JSON
// error naming the site's address, and logged once per origin with what
// was expected and how to allow it.
func TestWebsocketOriginsAllowedBySetting(t *testing.T) {
	t.Parallel()
	app := servertest.New(t, storetest.SQLite, map[string]string{"IDEASX_ALLOWED_ORIGINS": "https://ideas.example.org,http://192.168.1.10:8080"})
	app.CreateUser("delegate@kenya.example", store.RoleMember, "Delegation of Kenya", store.OrgMember)
	c := app.Client()
	c.SignIn("delegate@kenya.example")
	u, _ := url.Parse(app.URL)
	localhost := "http://localhost:" + u.Port() // the base URL says 127.0.0.1
	for _, tc := range []struct {
		origin string
		want   int
	}{
		{app.BaseURL, http.StatusSwitchingProtocols},
		{"https://ideas.example.org", http.StatusSwitchingProtocols},
		{"http://192.168.1.10:8080", http.StatusSwitchingProtocols},
		{"http://192.168.1.10:8081", http.StatusForbidden},
		{"http://ideas.example.org", http.StatusForbidden},
		{localhost, http.StatusForbidden},
		{"https://evil.example", http.StatusForbidden},
		{"null", http.StatusForbidden},
	} {
		got, body := dialFrom(t, app, c, tc.origin)
		if got != tc.want {
			t.Errorf("upgrade from %s: got %d, want %d", tc.origin, got, tc.want)
			continue
		}
		if got != http.StatusForbidden {
			continue
		}
		var e struct {
			Error struct{ Code, Message string }
		}
		if err := json.Unmarshal([]byte(body), &e); err != nil || e.Error.Code != "bad_origin" || !strings.Contains(e.Error.Message, app.BaseURL) {
			t.Errorf("refusal of %s: got %q, want a JSON error bad_origin naming %s", tc.origin, body, app.BaseURL)
		}
	}
	// A second and third try from a refused origin add no log line.
	dialFrom(t, app, c, localhost)
	dialFrom(t, app, c, localhost)
	for _, origin := range []string{localhost, "https://evil.example", "http://192.168.1.10:8081"} {
		if n := refusals(app, origin); n != 1 {
			t.Errorf("refusals of %s logged %d times, want once", origin, n)
		}
	}
	if n := refusals(app, "https://ideas.example.org"); n != 0 {
		t.Errorf("an allowed origin was logged as refused %d times", n)
	}

	// The page asks whether its address is the cause.
	for origin, want := range map[string]bool{app.BaseURL: true, "https://ideas.example.org": true, localhost: false} {
		r := c.Get("/ws/check?origin=" + url.QueryEscape(origin))
		var got struct {
			Allowed bool
			Site    string
		}
		if err := json.Unmarshal([]byte(r.Body), &got); err != nil || r.Status != http.StatusOK || got.Allowed != want || got.Site != app.BaseURL {
			t.Errorf("check of %s: got %d %s, want allowed %v and site %s", origin, r.Status, r.Body, want, app.BaseURL)
		}
	}
	if r := c.Get("/ws/check"); r.Status != http.StatusBadRequest || !strings.Contains(r.Body, `"code":"bad_request"`) {
		t.Errorf("check without an origin: got %d %s, want 400 bad_request", r.Status, r.Body)
	}
}

// TestFormsFromAllowedOrigins: behind a proxy that rewrites Host, a form
// posted from an allowed address passes the cross-origin check; one from
// another site is still refused.
func TestFormsFromAllowedOrigins(t *testing.T) {
	t.Parallel()
	app := servertest.New(t, storetest.SQLite, map[string]string{"IDEASX_ALLOWED_ORIGINS": "https://ideas.example.org"})
	c := app.Client()
	for origin, want := range map[string]int{"https://ideas.example.org": http.StatusSeeOther, "https://evil.example": http.StatusForbidden} {
		c.Header.Set("Origin", origin)
		if r := c.Post("/lang", url.Values{"lang": {"fr"}, "next": {"/"}}); r.Status != want {
			t.Errorf("form from %s: got %d, want %d", origin, r.Status, want)
		}
	}
}

// TestWebsocketLoopbackWithoutBaseURL: with no base URL the site guesses
// http://localhost:PORT, and a browser at 127.0.0.1 or [::1] of that port
// is the same person on the same machine; another port is not.
func TestWebsocketLoopbackWithoutBaseURL(t *testing.T) {
	t.Parallel()
	app := servertest.New(t, storetest.SQLite, map[string]string{"IDEASX_BASE_URL": "", "IDEASX_ADDR": ":8080"})
	c := app.Client()
	for _, tc := range []struct {
		origin string
		want   int
	}{
		{"http://localhost:8080", http.StatusSwitchingProtocols},
		{"http://127.0.0.1:8080", http.StatusSwitchingProtocols},
		{"http://[::1]:8080", http.StatusSwitchingProtocols},
		{"http://127.0.0.1:9090", http.StatusForbidden},
		{"https://localhost:8080", http.StatusForbidden},
		{"http://192.168.1.10:8080", http.StatusForbidden},
	} {
		if got, _ := dialFrom(t, app, c, tc.origin); got != tc.want {
			t.Errorf("upgrade from %s: got %d, want %d", tc.origin, got, tc.want)
		}
	}

	// Once the operator names the site, only its own name is allowed.
	named := servertest.New(t, storetest.SQLite, map[string]string{"IDEASX_BASE_URL": "http://localhost:8080"})
	if got, _ := dialFrom(t, named, named.Client(), "http://127.0.0.1:8080"); got != http.StatusForbidden {
		t.Errorf("upgrade from 127.0.0.1 with base URL localhost given: got %d, want 403", got)
	}
}
