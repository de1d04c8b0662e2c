package server_test

import (
	"net/http"
	"testing"
	"time"

	"ideasx/server/servertest"
	"ideasx/store"
	"ideasx/store/storetest"
)

// TestSignOutOnOneInstanceEndsTheSessionOnTheOther: each instance keeps the
// account behind a session for a second, but a sign-out on instance A ends
// the session on instance B as soon as B hears of it through the live
// broker, not when B's second is over: B's clock stands still here, so
// only that message can end it.
func TestSignOutOnOneInstanceEndsTheSessionOnTheOther(t *testing.T) {
	t.Parallel()
	a, b := twoInstancesOn(t, storetest.Postgres, servertest.RedisURL())
	stopped := time.Now()
	b.Store.SetClock(func() time.Time { return stopped })
	member := a.CreateUser("delegate@geneva.example", store.RoleMember, "Delegation of Peru", store.OrgMember)
	browser := a.Client()
	browser.SignIn(member.Email)
	cookie := browser.BrowserHeader().Get("Cookie")
	accountOnB := func() int {
		t.Helper()
		req, err := http.NewRequest(http.MethodGet, b.URL+"/account", nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Cookie", cookie)
		resp, err := http.DefaultTransport.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := accountOnB(); got != http.StatusOK {
		t.Fatalf("the account page on the other instance: %d, want 200", got)
	}
	if r := browser.Post("/signout", nil); r.Status != http.StatusSeeOther {
		t.Fatalf("sign out: %d", r.Status)
	}
	deadline := time.Now().Add(5 * time.Second)
	for accountOnB() == http.StatusOK {
		if time.Now().After(deadline) {
			t.Fatal("5 s after signing out on one instance, the other still shows the account page")
		}
		time.Sleep(20 * time.Millisecond)
	}
}
