package server_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"ideasx/server/servertest"
)

// TestEveryForumRouteByRole walks every registered forum route as each
// role. Nobody outside the forum gets anything but a sign-in redirect or a
// refusal — never a title — and nobody gets a server error. A new route
// without a sample value below fails the test, so none is forgotten.
func TestEveryForumRouteByRole(t *testing.T) {
	t.Parallel()
	app := servertest.New(t, "sqlite", nil)
	clients := signedInClients(t, app)
	thread := postThread(t, clients["business"], themeID(t, app), "Secret title about customs", "record")
	threadID := regexp.MustCompile(`/forum/threads/(\d+)`).FindStringSubmatch(thread)[1]
	r := clients["member"].Post("/forum/threads/"+threadID+"/posts", url.Values{"body": {"Secret reply"}})
	postID := regexp.MustCompile(`#post-(\d+)`).FindStringSubmatch(r.Location)
	if postID == nil {
		t.Fatalf("reply: %d", r.Status)
	}
	clients["business"].Post("/forum/posts/"+postID[1]+"/flag", url.Values{"reason": {"spam"}})
	flags, err := app.Store.OpenFlags(context.Background())
	if err != nil || len(flags) != 1 {
		t.Fatalf("flags: %v %v", flags, err)
	}
	member, err := app.Store.UserByEmail(context.Background(), "member@roles.example")
	if err != nil {
		t.Fatal(err)
	}
	sample := map[string]string{
		"/forum/threads/{ref}":   thread,
		"/forum/threads/{id}":    "/forum/threads/" + threadID,
		"/forum/posts/{id}":      "/forum/posts/" + postID[1],
		"/forum/themes/{slug}":   "/forum/themes/access-to-information",
		"/forum/people/{handle}": "/forum/people/" + member.Handle,
		"/moderation/flags/{id}": fmt.Sprintf("/moderation/flags/%d", flags[0].ID),
		"/account/consents/{id}": "/account/consents/1",
		"/notifications/{id}":    "/notifications/1",
	}
	expand := func(pattern string) string {
		for prefix, value := range sample {
			if strings.HasPrefix(pattern, prefix) {
				return value + strings.TrimPrefix(pattern, prefix)
			}
		}
		if strings.Contains(pattern, "{") {
			t.Fatalf("no sample value for %s", pattern)
		}
		return pattern
	}
	// Routes of one's own account answer a pending account too (about itself).
	ownAccount := func(path string) bool {
		return strings.HasPrefix(path, "/account/") || strings.HasPrefix(path, "/notifications")
	}
	for _, pattern := range app.Server.ForumRoutes() {
		method, p, _ := strings.Cut(pattern, " ")
		path := expand(p)
		for _, role := range []string{"visitor", "suspended", "pending", "business", "member", "moderator", "admin"} {
			var r servertest.Response
			if method == http.MethodGet {
				r = clients[role].Get(path)
			} else {
				r = clients[role].Post(path, url.Values{})
			}
			if r.Status >= 500 {
				t.Errorf("%s %s as %s: %d", method, path, role, r.Status)
			}
			switch role {
			case "visitor", "suspended":
				if r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Location, "/signin") {
					t.Errorf("%s %s as %s: %d → %q, want a sign-in redirect", method, path, role, r.Status, r.Location)
				}
			case "pending":
				if !ownAccount(path) && r.Status != http.StatusForbidden {
					t.Errorf("%s %s as pending: %d, want 403", method, path, r.Status)
				}
			}
			if role == "visitor" || role == "suspended" || role == "pending" {
				if strings.Contains(r.Body, "Secret") {
					t.Errorf("%s %s as %s shows forum content", method, path, role)
				}
			}
		}
	}
	if n := len(app.Server.ForumRoutes()); n < 30 {
		t.Errorf("only %d forum routes recorded", n)
	}
}
