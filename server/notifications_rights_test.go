package server_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"ideasx/server/servertest"
	"ideasx/store"
)

// TestDemotedAccountsSeeNothingThroughNotifications: a business with a
// mention and a reply, and a moderator with a flag and an account request,
// are demoted by an admin. Their notification centre, the API, the badge and
// the links that open a notification then show nothing of the forum or the
// moderators' work — not even a post edited after the demotion — and
// promoting them back brings it all back, still unread.
func TestDemotedAccountsSeeNothingThroughNotifications(t *testing.T) {
	t.Parallel()
	forEachEngine(t, func(t *testing.T, app *servertest.App) {
		f := newLiveFixture(t, app, "record")
		app.CreateUser("admin@x.example", store.RoleAdmin, "Secretariat", store.OrgSecretariat)
		admin := app.Client()
		admin.SignIn("admin@x.example")

		mention := reply(t, f.del, f.thread, "@"+f.bizUser.Handle+" our certificates take two days")
		reply(t, f.del, f.thread, "Customs brokers charge extra fees")
		if r := f.biz.Do("POST", fmt.Sprintf("/api/v1/posts/%d/flags", mention), strings.NewReader(`{"reason":"spam"}`), "application/json"); r.Status != http.StatusCreated {
			t.Fatalf("flag: %d %s", r.Status, r.Body)
		}
		app.Client().Post("/register", registration("amina@shea.example"))

		bizSees := []string{"Certificates of origin", "two days", "Customs brokers"}
		modSees := []string{"Certificates of origin", "Amina Diallo"}
		bizOpen := openLinks(t, f.biz, bizSees...)
		modOpen := openLinks(t, f.mod, modSees...)
		if len(bizOpen) != 2 || len(modOpen) != 2 {
			t.Fatalf("before: %d notifications for the business, %d for the moderator; want 2 each", len(bizOpen), len(modOpen))
		}

		setRole := func(u *store.User, role store.Role) {
			t.Helper()
			if r := admin.Post(fmt.Sprintf("/admin/users/%d/role", u.ID), url.Values{"role": {string(role)}}); r.Status != http.StatusSeeOther {
				t.Fatalf("set role %s: %d", role, r.Status)
			}
		}
		setRole(f.bizUser, store.RoleVisitor)
		setRole(f.modUser, store.RoleMember)
		// Written after the demotion: must not reach the demoted business either.
		if r := f.del.Do("PATCH", fmt.Sprintf("/api/v1/posts/%d", mention), strings.NewReader(`{"body":"@`+f.bizUser.Handle+` edited: five days now"}`), "application/json"); r.Status != http.StatusOK {
			t.Fatalf("edit: %d %s", r.Status, r.Body)
		}

		for _, c := range []struct {
			who    string
			client *servertest.Client
			open   []string
			leaks  []string
		}{
			{"business demoted to visitor", f.biz, bizOpen, append(bizSees, "five days", "mentioned you", "replied in")},
			{"moderator demoted to member", f.mod, modOpen, append(modSees, "reported", "asks for an account")},
		} {
			page := c.client.Get("/notifications")
			api := c.client.Get("/api/v1/notifications")
			for _, leak := range c.leaks {
				if strings.Contains(page.Body, leak) {
					t.Errorf("%s: the notification centre shows %q", c.who, leak)
				}
				if strings.Contains(api.Body, leak) {
					t.Errorf("%s: the API shows %q", c.who, leak)
				}
			}
			if !strings.Contains(page.Body, `data-live-count>0<`) || !strings.Contains(api.Body, `"unread":0`) {
				t.Errorf("%s: unread count not zero (page badge or API):\n%s", c.who, api.Body)
			}
			if !strings.Contains(api.Body, `"notifications":[]`) {
				t.Errorf("%s: the API lists notifications: %s", c.who, api.Body)
			}
			for _, link := range c.open {
				if r := c.client.Post(link, nil); r.Status != http.StatusNotFound {
					t.Errorf("%s: %s answers %d → %q, want 404", c.who, link, r.Status, r.Location)
				}
			}
			// Marking everything read leaves alone what they cannot see.
			c.client.Do("POST", "/api/v1/notifications/read", strings.NewReader(`{}`), "application/json")
		}

		setRole(f.bizUser, store.RoleBusiness)
		setRole(f.modUser, store.RoleModerator)
		mustContain(t, f.biz.Get("/notifications"), "Certificates of origin", "five days", "Customs brokers", `data-live-count>2<`)
		mustContain(t, f.mod.Get("/api/v1/notifications"), "Certificates of origin", "Amina Diallo", `"unread":2`)
		if r := f.biz.Post(bizOpen[0], nil); r.Status != http.StatusSeeOther || !strings.Contains(r.Location, "#post-") {
			t.Errorf("promoted back, opening: %d → %q, want the post", r.Status, r.Location)
		}
	})
}

// openLinks reads a person's notification centre, checks it shows what it
// should, and returns the forms that open each notification.
func openLinks(t *testing.T, c *servertest.Client, want ...string) []string {
	t.Helper()
	page := c.Get("/notifications")
	mustContain(t, page, want...)
	var out []string
	for _, m := range regexp.MustCompile(`/notifications/\d+/open`).FindAllString(page.Body, -1) {
		if len(out) == 0 || out[len(out)-1] != m {
			out = append(out, m)
		}
	}
	return out
}
