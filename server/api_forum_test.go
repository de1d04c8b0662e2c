package server_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"ideasx/server/servertest"
	"ideasx/store"
)

// TestForumAPIHonoursChathamHouse: the JSON a member gets for a Chatham
// House thread names no one; the author and moderators still see names.
func TestForumAPIHonoursChathamHouse(t *testing.T) {
	t.Parallel()
	forEachEngine(t, func(t *testing.T, app *servertest.App) {
		app.CreateUser("biz@x.example", store.RoleBusiness, "Andes Textiles", store.OrgBusiness)
		app.CreateUser("del@x.example", store.RoleMember, "Delegation of Chile", store.OrgMember)
		app.CreateUser("other@x.example", store.RoleMember, "Delegation of Kenya", store.OrgMember)
		app.CreateUser("mod@x.example", store.RoleModerator, "Secretariat", store.OrgSecretariat)
		c := map[string]*servertest.Client{}
		for _, n := range []string{"biz", "del", "other", "mod"} {
			c[n] = app.Client()
			c[n].SignIn(n + "@x.example")
		}
		do := func(cl *servertest.Client, method, path, body string) servertest.Response {
			return cl.Do(method, path, strings.NewReader(body), "application/json")
		}
		r := do(c["biz"], "POST", "/api/v1/threads", fmt.Sprintf(`{"theme_id":%d,"kind":"challenge","title":"Border fees","body":"Unpublished fees.","attribution":"chatham"}`, themeID(t, app)))
		if r.Status != http.StatusCreated {
			t.Fatalf("create: %d %s", r.Status, r.Body)
		}
		var th struct {
			ID     int64 `json:"id"`
			Author struct {
				Name string `json:"name"`
			} `json:"author"`
		}
		_ = json.Unmarshal([]byte(r.Body), &th)
		if th.Author.Name != "Test biz" {
			t.Errorf("the author does not see their own name: %s", r.Body)
		}
		r = do(c["del"], "POST", fmt.Sprintf("/api/v1/threads/%d/posts", th.ID), `{"body":"We publish ours online."}`)
		if r.Status != http.StatusCreated {
			t.Fatalf("reply: %d %s", r.Status, r.Body)
		}
		var post struct{ ID int64 }
		_ = json.Unmarshal([]byte(r.Body), &post)
		names := []string{"Test biz", "Andes Textiles", "Test del", "Delegation of Chile"}
		for _, path := range []string{"/api/v1/threads", fmt.Sprintf("/api/v1/threads/%d", th.ID), "/api/v1/search?q=fees"} {
			body := c["other"].Get(path).Body
			for _, n := range names {
				if strings.Contains(body, n) {
					t.Errorf("%s shows %q to another member", path, n)
				}
			}
			if !strings.Contains(body, "Border fees") {
				t.Errorf("%s lacks the thread", path)
			}
		}
		if body := c["other"].Get(fmt.Sprintf("/api/v1/threads/%d", th.ID)).Body; !strings.Contains(body, `"organisation_kind":"member"`) || !strings.Contains(body, "We publish ours online.") {
			t.Errorf("the words and the kind of organisation should reach members: %s", body)
		}
		if body := c["mod"].Get(fmt.Sprintf("/api/v1/threads/%d", th.ID)).Body; !strings.Contains(body, "Test del") {
			t.Error("moderators do not see who wrote")
		}
		if r := do(c["other"], "POST", fmt.Sprintf("/api/v1/threads/%d/status", th.ID), fmt.Sprintf(`{"to":"answered","post_id":%d}`, post.ID)); r.Status != http.StatusConflict {
			t.Errorf("another member accepting: %d", r.Status)
		}
		if r := do(c["biz"], "POST", fmt.Sprintf("/api/v1/threads/%d/status", th.ID), fmt.Sprintf(`{"to":"answered","post_id":%d}`, post.ID)); r.Status != http.StatusOK {
			t.Errorf("author accepting: %d %s", r.Status, r.Body)
		}
		if r := do(c["other"], "POST", fmt.Sprintf("/api/v1/posts/%d/useful", post.ID), ``); r.Status != http.StatusOK || !strings.Contains(r.Body, `"useful":true`) {
			t.Errorf("useful: %d %s", r.Status, r.Body)
		}
		if r := do(c["biz"], "POST", "/api/v1/threads", `{"theme_id":0,"kind":"rant","title":"","body":"","attribution":"x"}`); r.Status != http.StatusUnprocessableEntity ||
			!strings.Contains(r.Body, `"title"`) || !strings.Contains(r.Body, `"kind"`) {
			t.Errorf("invalid thread: %d %s", r.Status, r.Body)
		}
		visitor := app.Client()
		if got := visitor.Get("/api/v1/threads").Status; got != http.StatusUnauthorized {
			t.Errorf("visitor listing threads: %d", got)
		}
	})
}
