package server_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"ideasx/server/servertest"
	"ideasx/store/storetest"
)

// Behind a proxy every request comes from the proxy's address: only with
// IDEASX_TRUSTED_PROXIES does each person get their own rate-limit bucket.
func TestRateLimitsFollowTheClientBehindATrustedProxy(t *testing.T) {
	t.Parallel()
	register := func(app *servertest.App, client string, n int) int {
		c := app.Client()
		c.Header.Set("X-Forwarded-For", client)
		return c.Post("/register", registration(fmt.Sprintf("person%d@x.example", n))).Status
	}
	t.Run("trusted", func(t *testing.T) {
		t.Parallel()
		// The test client connects from loopback: loopback is the proxy here.
		app := servertest.New(t, storetest.SQLite, map[string]string{"IDEASX_TRUSTED_PROXIES": "127.0.0.1,::1"})
		for i := range 5 {
			if got := register(app, "198.51.100.1", i); got != http.StatusOK {
				t.Fatalf("registration %d of the first person: got %d, want 200", i+1, got)
			}
		}
		if got := register(app, "198.51.100.1", 6); got != http.StatusTooManyRequests {
			t.Errorf("sixth registration of the first person: got %d, want 429", got)
		}
		if got := register(app, "198.51.100.2", 7); got != http.StatusOK {
			t.Errorf("another person behind the same proxy: got %d, want 200", got)
		}
		// A client writing its own X-Forwarded-For stays itself: the proxy's entry is the right-most.
		if got := register(app, "198.51.100.2, 198.51.100.1", 8); got != http.StatusTooManyRequests {
			t.Errorf("first person claiming another address: got %d, want 429", got)
		}
		if !strings.Contains(app.Logs(), `"ip":"198.51.100.2"`) {
			t.Error("the request log does not name the client behind the proxy")
		}
	})
	t.Run("deprecated IDEASX_TRUST_PROXY", func(t *testing.T) {
		t.Parallel()
		app := servertest.New(t, storetest.SQLite, map[string]string{"IDEASX_TRUST_PROXY": "true"})
		for i := range 5 {
			if got := register(app, "198.51.100.1", i); got != http.StatusOK {
				t.Fatalf("registration %d of the first person: got %d, want 200", i+1, got)
			}
		}
		if got := register(app, "198.51.100.2", 6); got != http.StatusOK {
			t.Errorf("another person behind the proxy: got %d, want 200", got)
		}
		if !strings.Contains(app.Logs(), "IDEASX_TRUST_PROXY is deprecated") {
			t.Error("no deprecation warning in the log")
		}
	})
	t.Run("untrusted", func(t *testing.T) {
		t.Parallel()
		app := servertest.New(t, storetest.SQLite, nil)
		for i := range 5 {
			if got := register(app, fmt.Sprintf("198.51.100.%d", i+1), i); got != http.StatusOK {
				t.Fatalf("registration %d: got %d, want 200", i+1, got)
			}
		}
		if got := register(app, "198.51.100.99", 6); got != http.StatusTooManyRequests {
			t.Errorf("a made-up X-Forwarded-For from an untrusted peer: got %d, want 429 (it must not buy a fresh bucket)", got)
		}
		if n := strings.Count(app.Logs(), "IDEASX_TRUSTED_PROXIES is empty"); n != 1 {
			t.Errorf("warnings of an untrusted X-Forwarded-For: got %d, want 1", n)
		}
	})
}
