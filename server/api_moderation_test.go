package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"ideasx/server/servertest"
	"ideasx/store"
)

// forumAPI is a forum with one account per role, a thread by "author" with
// a reply by the same author, and a flag on that reply.
type forumAPI struct {
	app     *servertest.App
	users   map[string]*store.User
	clients map[string]*servertest.Client
}

// apiRoles are the callers every new endpoint is tried with, in this order.
var apiRoles = []string{"visitor", "pending", "member", "author", "moderator"}

func newForumAPI(t *testing.T, app *servertest.App) *forumAPI {
	t.Helper()
	f := &forumAPI{app: app, users: map[string]*store.User{}, clients: map[string]*servertest.Client{"visitor": app.Client()}}
	signInAccounts(t, app, f.users, f.clients, []testAccount{
		{"pending", store.RolePending, "Waiting Ltd", store.OrgBusiness},
		{"member", store.RoleMember, "Delegation of Kenya", store.OrgMember},
		{"author", store.RoleBusiness, "Andes Textiles", store.OrgBusiness},
		{"moderator", store.RoleModerator, "WTO Secretariat", store.OrgSecretariat},
		{"reporter", store.RoleMember, "Delegation of Chile", store.OrgMember},
	})
	return f
}

// testAccount is an account a test acts as, known by its name.
type testAccount struct {
	name string
	role store.Role
	org  string
	kind store.OrgKind
}

// signInAccounts creates each account (<name>@x.example) and a client
// signed in as it, both kept under its name.
func signInAccounts(t *testing.T, app *servertest.App, users map[string]*store.User, clients map[string]*servertest.Client, accounts []testAccount) {
	t.Helper()
	for _, a := range accounts {
		users[a.name] = app.CreateUser(a.name+"@x.example", a.role, a.org, a.kind)
		c := app.Client()
		c.SignIn(a.name + "@x.example")
		clients[a.name] = c
	}
}

func doJSON(c *servertest.Client, method, path, body string) servertest.Response {
	var r *strings.Reader
	if body != "" {
		r = strings.NewReader(body)
	} else {
		r = strings.NewReader("")
	}
	return c.Do(method, path, r, "application/json")
}

// decode reads a JSON answer into v, failing the test unless it is JSON.
func decode(t *testing.T, r servertest.Response, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(r.Body), v); err != nil {
		t.Fatalf("answer is not JSON (%d): %v\n%s", r.Status, err, r.Body)
	}
}

// fixture is one thread of the forum: its opening post, a reply by its
// author, and an open flag on the reply.
type fixture struct {
	thread, opening, post, flag int64
	title                       string
}

func (f *forumAPI) newThread(t *testing.T, title, attribution string) fixture {
	t.Helper()
	author := f.clients["author"]
	r := doJSON(author, "POST", "/api/v1/threads", fmt.Sprintf(`{"theme_id":%d,"kind":"challenge","title":%q,"body":"Customs want three stamps.","attribution":%q}`,
		themeID(t, f.app), title, attribution))
	if r.Status != http.StatusCreated {
		t.Fatalf("create thread: %d %s", r.Status, r.Body)
	}
	var th struct{ ID int64 }
	decode(t, r, &th)
	r = doJSON(author, "POST", fmt.Sprintf("/api/v1/threads/%d/posts", th.ID), `{"body":"And a fourth one since May."}`)
	if r.Status != http.StatusCreated {
		t.Fatalf("reply: %d %s", r.Status, r.Body)
	}
	var p struct{ ID int64 }
	decode(t, r, &p)
	var show struct {
		Posts []struct{ ID int64 } `json:"posts"`
	}
	decode(t, author.Get(fmt.Sprintf("/api/v1/threads/%d", th.ID)), &show)
	ctx := context.Background()
	if err := f.app.Store.FlagPost(ctx, f.users["reporter"], p.ID, "spam: stamps"); err != nil {
		t.Fatal(err)
	}
	flags, err := f.app.Store.OpenFlags(ctx)
	if err != nil {
		t.Fatal(err)
	}
	fx := fixture{thread: th.ID, opening: show.Posts[0].ID, post: p.ID, title: title}
	for _, fl := range flags {
		if fl.PostID == p.ID {
			fx.flag = fl.ID
		}
	}
	return fx
}

func (f *forumAPI) auditCount(t *testing.T, action string) int {
	t.Helper()
	return countAudit(t, f.app, action)
}

// countAudit counts the audit log's entries of one action (up to 200).
func countAudit(t *testing.T, app *servertest.App, action string) int {
	t.Helper()
	entries, err := app.Store.AuditLog(context.Background(), store.AuditFilter{Action: action, Limit: 200})
	if err != nil {
		t.Fatal(err)
	}
	return len(entries)
}

// TestForumAPIActionsByRole tries every new forum endpoint as each role, on
// a fresh thread each: visitors are asked to sign in, pending accounts are
// refused, members may not act as moderators, and a refusal tells nothing.
func TestForumAPIActionsByRole(t *testing.T) {
	t.Parallel()
	const (
		ok, created = http.StatusOK, http.StatusCreated
		unauth, no  = http.StatusUnauthorized, http.StatusForbidden
	)
	forEachEngine(t, func(t *testing.T, app *servertest.App) {
		f := newForumAPI(t, app)
		themes, _ := app.Store.Themes(context.Background(), false)
		rows := []struct {
			method, path, body string
			want               []int // visitor, pending, member, author, moderator
			audit              string
		}{
			{"PATCH", "/api/v1/posts/{post}", `{"body":"Now five stamps."}`, []int{unauth, no, no, ok, ok}, "post.edit"},
			{"DELETE", "/api/v1/posts/{post}", ``, []int{unauth, no, no, ok, ok}, "post.delete"},
			{"GET", "/api/v1/posts/{post}/revisions", ``, []int{unauth, no, no, ok, ok}, ""},
			{"POST", "/api/v1/posts/{post}/flags", `{"reason":"off_topic","note":"not customs"}`, []int{unauth, no, created, created, created}, ""},
			{"PUT", "/api/v1/threads/{thread}/read", `{"post_id":{post}}`, []int{unauth, no, ok, ok, ok}, ""},
			{"PUT", "/api/v1/threads/{thread}/watch", `{"level":"watch"}`, []int{unauth, no, ok, ok, ok}, ""},
			{"POST", "/api/v1/posts/{post}/restore", ``, []int{unauth, no, no, no, ok}, ""},
			{"POST", "/api/v1/posts/{post}/hide", ``, []int{unauth, no, no, no, ok}, "post.hide"},
			{"GET", "/api/v1/flags", ``, []int{unauth, no, no, no, ok}, ""},
			{"POST", "/api/v1/flags/{flag}", `{"action":"dismiss"}`, []int{unauth, no, no, no, ok}, "flag.dismiss"},
			{"POST", "/api/v1/threads/{thread}/switch", `{"switch":"pinned","on":true}`, []int{unauth, no, no, no, ok}, "thread.pinned"},
			{"POST", "/api/v1/threads/{thread}/switch", `{"switch":"locked","on":true}`, []int{unauth, no, no, no, ok}, "thread.locked"},
			{"POST", "/api/v1/threads/{thread}/move", fmt.Sprintf(`{"theme_id":%d}`, themes[2].ID), []int{unauth, no, no, no, ok}, "thread.move"},
			{"POST", "/api/v1/threads/{thread}/attribution", `{"attribution":"personal"}`, []int{unauth, no, no, no, ok}, "thread.attribution"},
		}
		for i, row := range rows {
			fx := f.newThread(t, fmt.Sprintf("Stamp duty number %d", i), "record")
			expand := strings.NewReplacer("{post}", fmt.Sprint(fx.post), "{thread}", fmt.Sprint(fx.thread), "{flag}", fmt.Sprint(fx.flag))
			path, body := expand.Replace(row.path), expand.Replace(row.body)
			before := 0
			if row.audit != "" {
				before = f.auditCount(t, row.audit)
			}
			for j, role := range apiRoles {
				r := doJSON(f.clients[role], row.method, path, body)
				if r.Status != row.want[j] {
					t.Errorf("%s %s as %s: got %d, want %d\n%s", row.method, row.path, role, r.Status, row.want[j], r.Body)
				}
				if r.Status >= 400 {
					if strings.Contains(r.Body, fx.title) {
						t.Errorf("%s %s as %s: the refusal shows the thread's title", row.method, row.path, role)
					}
					assertAPIError(t, r, map[int]string{unauth: "unauthorized", no: "forbidden"}[r.Status])
				}
			}
			// Only the moderator's call (and for posts, the author's) may have left a trace.
			if row.audit != "" {
				if got := f.auditCount(t, row.audit) - before; got != 1 {
					t.Errorf("%s %s: %d audit entries %q, want 1 (the moderator's)", row.method, row.path, got, row.audit)
				}
			}
		}
	})
}

// TestForumAPIRefusesBadInput: malformed JSON, unknown choices and missing
// ids get a 4xx with a code and a translated message, never a 500, and
// change nothing.
func TestForumAPIRefusesBadInput(t *testing.T) {
	t.Parallel()
	forEachEngine(t, func(t *testing.T, app *servertest.App) {
		f := newForumAPI(t, app)
		fx := f.newThread(t, "Bad input thread", "record")
		other := f.newThread(t, "Another thread", "record")
		mod, author, member := f.clients["moderator"], f.clients["author"], f.clients["member"]
		if r := doJSON(member, "POST", fmt.Sprintf("/api/v1/posts/%d/flags", fx.post), `{"reason":"spam"}`); r.Status != http.StatusCreated {
			t.Fatalf("first flag: %d %s", r.Status, r.Body)
		}
		p := func(format string, a ...any) string { return fmt.Sprintf(format, a...) }
		for _, c := range []struct {
			name          string
			client        *servertest.Client
			method, path  string
			body          string
			status        int
			code, field   string
			unchangedPost bool
		}{
			{"edit: not JSON", author, "PATCH", p("/api/v1/posts/%d", fx.post), `{"body":`, 400, "bad_json", "", true},
			{"edit: unknown field", author, "PATCH", p("/api/v1/posts/%d", fx.post), `{"text":"x"}`, 400, "bad_json", "", true},
			{"edit: no body", author, "PATCH", p("/api/v1/posts/%d", fx.post), ``, 400, "bad_json", "", true},
			{"edit: empty text", author, "PATCH", p("/api/v1/posts/%d", fx.post), `{"body":"   "}`, 422, "invalid", "body", true},
			{"edit: text too long", author, "PATCH", p("/api/v1/posts/%d", fx.post), fmt.Sprintf(`{"body":%q}`, strings.Repeat("x", 40000)), 422, "invalid", "body", true},
			{"edit: id not a number", author, "PATCH", "/api/v1/posts/abc", `{"body":"x"}`, 404, "not_found", "", true},
			{"edit: unknown post", author, "PATCH", "/api/v1/posts/999999", `{"body":"x"}`, 404, "not_found", "", true},
			{"delete: opening post", author, "DELETE", p("/api/v1/posts/%d", fx.opening), ``, 409, "opening_post", "", true},
			{"revisions: unknown post", mod, "GET", "/api/v1/posts/0/revisions", ``, 404, "not_found", "", true},
			{"flag: unknown reason", member, "POST", p("/api/v1/posts/%d/flags", fx.post), `{"reason":"boring"}`, 422, "invalid", "reason", true},
			{"flag: no reason", member, "POST", p("/api/v1/posts/%d/flags", fx.post), `{"note":"hm"}`, 422, "invalid", "reason", true},
			{"flag: note too long", author, "POST", p("/api/v1/posts/%d/flags", fx.post), fmt.Sprintf(`{"reason":"other","note":%q}`, strings.Repeat("n", 501)), 422, "invalid", "note", true},
			{"flag: twice", member, "POST", p("/api/v1/posts/%d/flags", fx.post), `{"reason":"spam"}`, 409, "already_flagged", "", true},
			{"flag: reason of the wrong type", member, "POST", p("/api/v1/posts/%d/flags", fx.post), `{"reason":7}`, 400, "bad_json", "", true},
			{"resolve: unknown action", mod, "POST", p("/api/v1/flags/%d", fx.flag), `{"action":"ban_everyone"}`, 422, "invalid", "action", true},
			{"resolve: no action", mod, "POST", p("/api/v1/flags/%d", fx.flag), `{}`, 422, "invalid", "action", true},
			{"resolve: unknown flag", mod, "POST", "/api/v1/flags/999999", `{"action":"dismiss"}`, 404, "not_found", "", true},
			{"resolve: id not a number", mod, "POST", "/api/v1/flags/first", `{"action":"dismiss"}`, 404, "not_found", "", true},
			{"switch: unknown switch", mod, "POST", p("/api/v1/threads/%d/switch", fx.thread), `{"switch":"glued","on":true}`, 422, "invalid", "switch", true},
			{"switch: on missing", mod, "POST", p("/api/v1/threads/%d/switch", fx.thread), `{"switch":"pinned"}`, 422, "invalid", "on", true},
			{"switch: unknown thread", mod, "POST", "/api/v1/threads/999999/switch", `{"switch":"pinned","on":true}`, 404, "not_found", "", true},
			{"move: no theme", mod, "POST", p("/api/v1/threads/%d/move", fx.thread), `{}`, 422, "invalid_theme", "", true},
			{"move: unknown theme", mod, "POST", p("/api/v1/threads/%d/move", fx.thread), `{"theme_id":999999}`, 422, "invalid_theme", "", true},
			{"move: theme as text", mod, "POST", p("/api/v1/threads/%d/move", fx.thread), `{"theme_id":"trade"}`, 400, "bad_json", "", true},
			{"attribution: unknown mode", mod, "POST", p("/api/v1/threads/%d/attribution", fx.thread), `{"attribution":"loud"}`, 422, "invalid", "attribution", true},
			{"read: no post", member, "PUT", p("/api/v1/threads/%d/read", fx.thread), `{}`, 422, "invalid", "post_id", true},
			{"read: post of another thread", member, "PUT", p("/api/v1/threads/%d/read", fx.thread), p(`{"post_id":%d}`, other.post), 422, "invalid", "post_id", true},
			{"read: unknown post", member, "PUT", p("/api/v1/threads/%d/read", fx.thread), `{"post_id":999999}`, 422, "invalid", "post_id", true},
			{"read: unknown thread", member, "PUT", "/api/v1/threads/999999/read", p(`{"post_id":%d}`, fx.post), 404, "not_found", "", true},
			{"watch: unknown level", member, "PUT", p("/api/v1/threads/%d/watch", fx.thread), `{"level":"shout"}`, 422, "invalid", "level", true},
		} {
			r := doJSON(c.client, c.method, c.path, c.body)
			if r.Status != c.status {
				t.Errorf("%s: got %d, want %d\n%s", c.name, r.Status, c.status, r.Body)
				continue
			}
			assertAPIError(t, r, c.code)
			if c.field != "" {
				var body struct {
					Error struct{ Fields map[string]string } `json:"error"`
				}
				decode(t, r, &body)
				if body.Error.Fields[c.field] == "" {
					t.Errorf("%s: no message for the field %q: %s", c.name, c.field, r.Body)
				}
			}
		}
		post, err := app.Store.PostByID(context.Background(), fx.post)
		if err != nil || post.Body != "And a fourth one since May." || post.Removed() {
			t.Errorf("bad input changed the post: %+v %v", post, err)
		}
		th, _ := app.Store.ThreadByID(context.Background(), fx.thread)
		if th.Pinned || th.Attribution != store.OnTheRecord || th.ThemeID != themeID(t, app) {
			t.Errorf("bad input changed the thread: %+v", th)
		}
		if n := f.auditCount(t, ""); n != 0 {
			t.Errorf("bad input left %d audit entries", n)
		}

		// The messages are in the caller's language.
		fr := app.Client()
		fr.SignIn("moderator@x.example")
		fr.Header.Set("Accept-Language", "fr")
		var body struct {
			Error struct{ Fields map[string]string } `json:"error"`
		}
		decode(t, doJSON(fr, "POST", fmt.Sprintf("/api/v1/flags/%d", fx.flag), `{"action":"ban"}`), &body)
		if got := body.Error.Fields["action"]; got == "" || strings.Contains(got, "Please") {
			t.Errorf("French caller got %q", got)
		}
	})
}

// TestForumAPIRevisionsHonourChathamHouse: under the Chatham House rule the
// revisions of a post name its author to the author and moderators only, and
// name the moderator who edited it to moderators only; other members may
// not read them at all.
func TestForumAPIRevisionsHonourChathamHouse(t *testing.T) {
	t.Parallel()
	forEachEngine(t, func(t *testing.T, app *servertest.App) {
		f := newForumAPI(t, app)
		fx := f.newThread(t, "Chatham stamps", "chatham")
		path := fmt.Sprintf("/api/v1/posts/%d", fx.post)
		if r := doJSON(f.clients["moderator"], "PATCH", path, `{"body":"Edited by the secretariat."}`); r.Status != http.StatusOK {
			t.Fatalf("moderator edit: %d %s", r.Status, r.Body)
		}
		r := doJSON(f.clients["author"], "PATCH", path, `{"body":"Edited again by the author."}`)
		if r.Status != http.StatusOK || !strings.Contains(r.Body, "Edited again by the author.") {
			t.Fatalf("author edit: %d %s", r.Status, r.Body)
		}

		type revisions struct {
			Post struct {
				Author struct{ Name, Organisation string } `json:"author"`
			} `json:"post"`
			Revisions []struct {
				Body   string `json:"body"`
				Editor struct {
					Name             string `json:"name"`
					Organisation     string `json:"organisation"`
					OrganisationKind string `json:"organisation_kind"`
					HiddenFromOthers bool   `json:"hidden_from_others"`
				} `json:"editor"`
			} `json:"revisions"`
		}
		r = f.clients["author"].Get(path + "/revisions")
		var mine revisions
		decode(t, r, &mine)
		if len(mine.Revisions) != 2 || mine.Revisions[1].Body != "And a fourth one since May." || mine.Revisions[0].Body != "Edited by the secretariat." {
			t.Fatalf("author's revisions: %s", r.Body)
		}
		if strings.Contains(r.Body, "Test moderator") || strings.Contains(r.Body, "WTO Secretariat") {
			t.Errorf("the author learns which moderator edited under Chatham House: %s", r.Body)
		}
		if e := mine.Revisions[1].Editor; e.OrganisationKind != "secretariat" || e.Name != "" {
			t.Errorf("the moderator's edit as the author sees it: %+v", e)
		}
		if e := mine.Revisions[0].Editor; e.Name != "Test author" || e.Organisation != "Andes Textiles" || !e.HiddenFromOthers {
			t.Errorf("the author's own edit as the author sees it: %+v", e)
		}

		r = f.clients["member"].Get(path + "/revisions")
		if r.Status != http.StatusForbidden || strings.Contains(r.Body, "Test author") || strings.Contains(r.Body, "Andes") || strings.Contains(r.Body, "stamps") {
			t.Errorf("another member reading revisions: %d %s", r.Status, r.Body)
		}

		var theirs revisions
		decode(t, f.clients["moderator"].Get(path+"/revisions"), &theirs)
		if len(theirs.Revisions) != 2 || theirs.Revisions[1].Editor.Name != "Test moderator" || theirs.Revisions[0].Editor.Name != "Test author" ||
			theirs.Post.Author.Name != "Test author" || !theirs.Revisions[0].Editor.HiddenFromOthers {
			t.Errorf("moderators see who wrote and who edited: %+v", theirs)
		}

		// The thread as another member reads it still names no one.
		body := f.clients["member"].Get(fmt.Sprintf("/api/v1/threads/%d", fx.thread)).Body
		for _, name := range []string{"Test author", "Andes Textiles", "Test moderator", "WTO Secretariat"} {
			if strings.Contains(body, name) {
				t.Errorf("the thread shows %q to another member", name)
			}
		}

		// The flag queue names the author to moderators, marked as hidden from others.
		var queue struct {
			Flags []struct {
				PostID     int64 `json:"post_id"`
				Reason     string
				Note       string
				ReasonText string `json:"reason_text"`
				Author     struct {
					Name             string
					Organisation     string
					HiddenFromOthers bool `json:"hidden_from_others"`
				}
				Reporter struct{ Name string }
			}
		}
		decode(t, f.clients["moderator"].Get("/api/v1/flags"), &queue)
		if len(queue.Flags) != 1 {
			t.Fatalf("queue: %+v", queue)
		}
		q := queue.Flags[0]
		if q.PostID != fx.post || q.Reason != "spam" || q.Note != "stamps" || q.ReasonText != "Spam or advertising — stamps" ||
			q.Author.Name != "Test author" || q.Author.Organisation != "Andes Textiles" || !q.Author.HiddenFromOthers || q.Reporter.Name != "Test reporter" {
			t.Errorf("flag in the queue: %+v", q)
		}
	})
}

// TestForumAPIModerationIsAuditedLikeThePages does each moderator action
// once through the pages and once through the API, on two threads alike,
// and expects the same audit entries.
func TestForumAPIModerationIsAuditedLikeThePages(t *testing.T) {
	t.Parallel()
	forEachEngine(t, func(t *testing.T, app *servertest.App) {
		f := newForumAPI(t, app)
		ctx := context.Background()
		themes, _ := app.Store.Themes(ctx, false)
		web, api := f.newThread(t, "Through the pages", "record"), f.newThread(t, "Through the API", "record")
		mod := f.clients["moderator"]
		webActions := []struct {
			path string
			form url.Values
		}{
			{fmt.Sprintf("/forum/threads/%d/switch", web.thread), url.Values{"switch": {"pinned"}, "on": {"true"}}},
			{fmt.Sprintf("/forum/threads/%d/switch", web.thread), url.Values{"switch": {"locked"}, "on": {"true"}}},
			{fmt.Sprintf("/forum/threads/%d/switch", web.thread), url.Values{"switch": {"locked"}, "on": {"false"}}},
			{fmt.Sprintf("/forum/threads/%d/move", web.thread), url.Values{"theme": {fmt.Sprint(themes[4].ID)}}},
			{fmt.Sprintf("/forum/posts/%d", web.post), url.Values{"body": {"Moderated wording."}}},
			{fmt.Sprintf("/forum/posts/%d/delete", web.post), url.Values{"confirm": {"1"}}},
			{fmt.Sprintf("/forum/posts/%d/restore", web.post), nil},
			{fmt.Sprintf("/moderation/flags/%d", web.flag), url.Values{"action": {"hide_post"}, "confirm": {"1"}}},
			{fmt.Sprintf("/forum/posts/%d/restore", web.post), nil},
		}
		for _, a := range webActions {
			if r := mod.Post(a.path, a.form); r.Status != http.StatusSeeOther {
				t.Fatalf("page %s: %d %s", a.path, r.Status, r.Body)
			}
		}
		// A post hidden from the flag queue is shown again by "restore".
		if p, _ := app.Store.PostByID(ctx, web.post); p.Removed() {
			t.Errorf("restore left the post removed: %+v", p)
		}
		apiActions := []struct{ method, path, body string }{
			{"POST", fmt.Sprintf("/api/v1/threads/%d/switch", api.thread), `{"switch":"pinned","on":true}`},
			{"POST", fmt.Sprintf("/api/v1/threads/%d/switch", api.thread), `{"switch":"locked","on":true}`},
			{"POST", fmt.Sprintf("/api/v1/threads/%d/switch", api.thread), `{"switch":"locked","on":false}`},
			{"POST", fmt.Sprintf("/api/v1/threads/%d/move", api.thread), fmt.Sprintf(`{"theme_id":%d}`, themes[4].ID)},
			{"PATCH", fmt.Sprintf("/api/v1/posts/%d", api.post), `{"body":"Moderated wording."}`},
			{"DELETE", fmt.Sprintf("/api/v1/posts/%d", api.post), ``},
			{"POST", fmt.Sprintf("/api/v1/posts/%d/restore", api.post), ``},
			{"POST", fmt.Sprintf("/api/v1/flags/%d", api.flag), `{"action":"hide_post"}`},
			{"POST", fmt.Sprintf("/api/v1/posts/%d/restore", api.post), ``},
		}
		for _, a := range apiActions {
			if r := doJSON(mod, a.method, a.path, a.body); r.Status != http.StatusOK {
				t.Fatalf("API %s %s: %d %s", a.method, a.path, r.Status, r.Body)
			}
		}
		entries, err := app.Store.AuditLog(ctx, store.AuditFilter{Limit: 200})
		if err != nil {
			t.Fatal(err)
		}
		trail := map[int64][]string{}
		targets := map[string]int64{fmt.Sprint("thread ", web.thread): web.thread, fmt.Sprint("post ", web.post): web.thread,
			fmt.Sprint("thread ", api.thread): api.thread, fmt.Sprint("post ", api.post): api.thread}
		for i := len(entries) - 1; i >= 0; i-- {
			e := entries[i]
			thread, ok := targets[fmt.Sprint(e.TargetType, " ", e.TargetID)]
			if !ok {
				t.Fatalf("audit entry on an unexpected target: %+v", e)
			}
			if e.ActorID != f.users["moderator"].ID {
				t.Errorf("audit entry by %d, want the moderator: %+v", e.ActorID, e)
			}
			after := strings.ReplaceAll(e.AfterJSON, fmt.Sprint(api.flag), "FLAG")
			after = strings.ReplaceAll(after, fmt.Sprint(web.flag), "FLAG")
			trail[thread] = append(trail[thread], fmt.Sprintf("%s %s %s → %s", e.Action, e.TargetType, e.BeforeJSON, after))
		}
		webTrail, apiTrail := strings.Join(trail[web.thread], "\n"), strings.Join(trail[api.thread], "\n")
		if webTrail != apiTrail || len(trail[web.thread]) != 9 {
			t.Errorf("audit trails differ:\npages:\n%s\nAPI:\n%s", webTrail, apiTrail)
		}

		// Actions only the API offers are audited too.
		if r := doJSON(mod, "POST", fmt.Sprintf("/api/v1/posts/%d/hide", api.post), ``); r.Status != http.StatusOK || !strings.Contains(r.Body, `"removed":true`) {
			t.Errorf("hide: %d %s", r.Status, r.Body)
		}
		if r := doJSON(mod, "POST", fmt.Sprintf("/api/v1/threads/%d/attribution", api.thread), `{"attribution":"chatham"}`); r.Status != http.StatusOK ||
			!strings.Contains(r.Body, `"attribution":"chatham"`) {
			t.Errorf("attribution: %d %s", r.Status, r.Body)
		}
		for action, after := range map[string]string{"post.hide": `{"hidden":true}`, "thread.attribution": `{"attribution":"chatham"}`} {
			entries, _ := app.Store.AuditLog(ctx, store.AuditFilter{Action: action})
			if len(entries) == 0 || entries[0].AfterJSON != after || entries[0].ActorID != f.users["moderator"].ID {
				t.Errorf("audit of %s: %+v", action, entries)
			}
		}
		if strings.Contains(f.clients["member"].Get(fmt.Sprintf("/api/v1/threads/%d", api.thread)).Body, "Moderated wording") {
			t.Error("a hidden post's text reaches members")
		}
	})
}

// TestForumAPIReadPositionAndWatch: the read position moves forward only,
// shows in the thread and in lists, and drives "unread"; watching through
// the API fills the watched list.
func TestForumAPIReadPositionAndWatch(t *testing.T) {
	t.Parallel()
	forEachEngine(t, func(t *testing.T, app *servertest.App) {
		f := newForumAPI(t, app)
		fx := f.newThread(t, "Reading positions", "record")
		member := f.clients["member"]
		threadPath := fmt.Sprintf("/api/v1/threads/%d", fx.thread)
		type thread struct {
			ID             int64 `json:"id"`
			Unread         bool  `json:"unread"`
			LastReadPostID int64 `json:"last_read_post_id"`
		}
		show := func() (thread, string) {
			t.Helper()
			var body struct {
				Thread thread `json:"thread"`
				Watch  string `json:"watch"`
			}
			decode(t, member.Get(threadPath), &body)
			return body.Thread, body.Watch
		}
		if th, watch := show(); th.LastReadPostID != 0 || !th.Unread || watch != "" {
			t.Errorf("before reading: %+v %q", th, watch)
		}
		if th, _ := show(); th.LastReadPostID != 0 {
			t.Errorf("showing a thread through the API moved the position: %+v", th)
		}
		read := func(post int64) int64 {
			t.Helper()
			r := doJSON(member, "PUT", threadPath+"/read", fmt.Sprintf(`{"post_id":%d}`, post))
			var body struct {
				LastRead int64 `json:"last_read_post_id"`
			}
			decode(t, r, &body)
			if r.Status != http.StatusOK {
				t.Fatalf("read: %d %s", r.Status, r.Body)
			}
			return body.LastRead
		}
		if got := read(fx.opening); got != fx.opening {
			t.Errorf("position after reading the opening post: %d, want %d", got, fx.opening)
		}
		if th, _ := show(); th.LastReadPostID != fx.opening || !th.Unread {
			t.Errorf("after reading the opening post: %+v", th)
		}
		if got := read(fx.post); got != fx.post {
			t.Errorf("position after reading the reply: %d", got)
		}
		if got := read(fx.opening); got != fx.post {
			t.Errorf("the position went back to %d", got)
		}
		if th, _ := show(); th.LastReadPostID != fx.post || th.Unread {
			t.Errorf("after reading everything: %+v", th)
		}
		var list struct{ Threads []thread }
		decode(t, member.Get("/api/v1/threads"), &list)
		if len(list.Threads) != 1 || list.Threads[0].LastReadPostID != fx.post || list.Threads[0].Unread {
			t.Errorf("list: %+v", list)
		}

		if r := doJSON(member, "PUT", threadPath+"/watch", `{"level":"watch"}`); r.Status != http.StatusOK {
			t.Fatalf("watch: %d %s", r.Status, r.Body)
		}
		if _, watch := show(); watch != "watch" {
			t.Errorf("watch level %q", watch)
		}
		decode(t, member.Get("/api/v1/threads?list=watched"), &list)
		if len(list.Threads) != 1 {
			t.Errorf("watched list: %+v", list)
		}
		if r := doJSON(member, "PUT", threadPath+"/watch", `{"level":""}`); r.Status != http.StatusOK {
			t.Fatalf("unwatch: %d %s", r.Status, r.Body)
		}
		decode(t, member.Get("/api/v1/threads?list=watched"), &list)
		if len(list.Threads) != 0 {
			t.Errorf("watched list after unwatching: %+v", list)
		}
	})
}
