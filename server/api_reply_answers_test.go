package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"ideasx/server/servertest"
	"ideasx/store"
)

// TestAPIReplyAnswersAsItsThreadAllows: a reply through the API gets the
// answer its thread calls for whatever else is wrong with it. A thread
// the author may not see is 404 before a body that is not JSON (400) or
// not valid (422), so that nothing tells a member a hidden thread is
// there; a locked one is 409, except to moderators. Only the replies
// answered 201 are written.
func TestAPIReplyAnswersAsItsThreadAllows(t *testing.T) {
	t.Parallel()
	forEachEngine(t, func(t *testing.T, app *servertest.App) {
		ctx := context.Background()
		biz := app.CreateUser("biz@x.example", store.RoleBusiness, "Andes Textiles", store.OrgBusiness)
		app.CreateUser("del@x.example", store.RoleMember, "Delegation of Chile", store.OrgMember)
		mod := app.CreateUser("mod@x.example", store.RoleModerator, "Secretariat", store.OrgSecretariat)
		clients := map[string]*servertest.Client{}
		for _, n := range []string{"del", "mod"} {
			clients[n] = app.Client()
			clients[n].SignIn(n + "@x.example")
		}
		thread := func(title string, attribution store.Attribution) *store.Thread {
			th, err := app.Store.CreateThread(ctx, store.NewThread{ThemeID: themeID(t, app), Kind: "challenge", Title: title,
				Attribution: attribution, Body: "Three weeks per certificate.", HTML: "<p>Three weeks per certificate.</p>", Author: biz})
			if err != nil {
				t.Fatal(err)
			}
			return th
		}
		open := thread("Certificates of origin", store.ChathamHouse)
		locked := thread("Closed matter", store.OnTheRecord)
		hidden := thread("Spam", store.OnTheRecord)
		elsewhere := thread("Phytosanitary rules", store.OnTheRecord)
		for _, sw := range []struct {
			id int64
			sw store.ThreadSwitch
		}{{locked.ID, store.SwitchLocked}, {hidden.ID, store.SwitchHidden}} {
			if err := app.Store.SetThreadSwitch(ctx, mod.ID, sw.id, sw.sw, true); err != nil {
				t.Fatal(err)
			}
		}
		quoted, err := app.Store.Posts(ctx, elsewhere.ID, 0, 1)
		if err != nil || len(quoted) != 1 {
			t.Fatal(err)
		}
		quote := fmt.Sprintf(`{"body":"As said there.","quote_post_id":%d}`, quoted[0].ID)
		const missing = 999999
		cases := []struct {
			name   string
			who    string
			thread int64
			body   string
			status int
			code   string
		}{
			{"a reply", "del", open.ID, `{"body":"We publish ours online."}`, http.StatusCreated, ""},
			{"not JSON", "del", open.ID, `{"body":`, http.StatusBadRequest, "bad_json"},
			{"no text", "del", open.ID, `{"body":"   "}`, http.StatusUnprocessableEntity, "invalid"},
			{"a quote from another thread", "del", open.ID, quote, http.StatusUnprocessableEntity, "invalid"},
			{"a locked thread", "del", locked.ID, `{"body":"Still waiting."}`, http.StatusConflict, "locked"},
			{"a locked thread, not JSON", "del", locked.ID, `{"body":`, http.StatusBadRequest, "bad_json"},
			{"a locked thread, a moderator", "mod", locked.ID, `{"body":"Closed, see the minutes."}`, http.StatusCreated, ""},
			{"a hidden thread", "del", hidden.ID, `{"body":"Still waiting."}`, http.StatusNotFound, "not_found"},
			{"a hidden thread, not JSON", "del", hidden.ID, `{"body":`, http.StatusNotFound, "not_found"},
			{"a hidden thread, no text", "del", hidden.ID, `{"body":""}`, http.StatusNotFound, "not_found"},
			{"a hidden thread, a quote from another", "del", hidden.ID, quote, http.StatusNotFound, "not_found"},
			{"a hidden thread, a moderator", "mod", hidden.ID, `{"body":"Hidden for spam."}`, http.StatusCreated, ""},
			{"a missing thread", "del", missing, `{"body":"Anyone?"}`, http.StatusNotFound, "not_found"},
			{"a missing thread, not JSON", "del", missing, `{"body":`, http.StatusNotFound, "not_found"},
			{"a missing thread, a quote", "mod", missing, quote, http.StatusNotFound, "not_found"},
		}
		written := map[int64]int{}
		for _, c := range cases {
			r := clients[c.who].Do(http.MethodPost, fmt.Sprintf("/api/v1/threads/%d/posts", c.thread), strings.NewReader(c.body), "application/json")
			var answer struct {
				ID     int64 `json:"id"`
				Author struct {
					Name string `json:"name"`
				} `json:"author"`
				Error struct {
					Code string `json:"code"`
				} `json:"error"`
			}
			_ = json.Unmarshal([]byte(r.Body), &answer)
			if r.Status != c.status || answer.Error.Code != c.code {
				t.Errorf("%s: %d %q, want %d %q (%s)", c.name, r.Status, answer.Error.Code, c.status, c.code, r.Body)
			}
			if c.status == http.StatusCreated {
				written[c.thread]++
				if answer.ID == 0 || answer.Author.Name != "Test "+c.who {
					t.Errorf("%s: the answer lacks the post or its author as its author sees it: %s", c.name, r.Body)
				}
			}
		}
		for _, th := range []*store.Thread{open, locked, hidden, elsewhere} {
			posts, err := app.Store.Posts(ctx, th.ID, 0, 50)
			if err != nil || len(posts) != 1+written[th.ID] {
				t.Errorf("%q has %d posts, want %d (%v)", th.Title, len(posts), 1+written[th.ID], err)
			}
		}
	})
}
