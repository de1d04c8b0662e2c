package server_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"strings"
	"testing"

	"ideasx/server/servertest"
	"ideasx/store"
	"ideasx/store/storetest"
)

// The fuzz tests below send the API what a careless or hostile client
// might: any JSON body to the create operations, any query to the lists.
// Whatever comes, the answer is never a 5xx, and an error has the API's
// shape. `go test` runs their seeds; `go test -fuzz FuzzAPIEventBody
// -run '^$' ./server/` searches further (IDEASX_FUZZ_ENGINE=postgres to
// do it on Postgres, which is stricter about dates and text).

// fuzzApp is a server with a moderator and a business signed in, a thread
// by the business with a reply, and a published document.
type fuzzApp struct {
	app           *servertest.App
	mod, biz      *fuzzClient
	thread, reply int64
	document      int64
}

// fuzzClient is a signed-in client that a fuzz target may use
// (servertest.Client reports through the F, which a target must not).
type fuzzClient struct {
	base string
	http *http.Client
}

func signedInFuzzClient(f *testing.F, app *servertest.App, email string) *fuzzClient {
	f.Helper()
	jar, _ := cookiejar.New(nil)
	c := &fuzzClient{base: app.URL, http: &http.Client{Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	resp, err := c.http.PostForm(app.URL+"/signin", url.Values{"email": {email}, "password": {servertest.Password}})
	if err != nil {
		f.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		f.Fatalf("sign in %s: %d", email, resp.StatusCode)
	}
	return c
}

func (c *fuzzClient) do(t *testing.T, method, path, body string) servertest.Response {
	t.Helper()
	req, err := http.NewRequest(method, c.base+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return servertest.Response{Status: resp.StatusCode, Body: string(b), Header: resp.Header}
}

func newFuzzApp(f *testing.F) *fuzzApp {
	engine := storetest.SQLite
	if os.Getenv("IDEASX_FUZZ_ENGINE") == string(storetest.Postgres) {
		engine = storetest.Postgres
	}
	app := servertest.New(f, engine, nil)
	app.CreateUser("admin@x.example", store.RoleAdmin, "Secretariat", store.OrgSecretariat)
	app.CreateUser("biz@x.example", store.RoleBusiness, "Andes Textiles", store.OrgBusiness)
	fa := &fuzzApp{app: app}
	mod, biz := app.Client(), app.Client()
	mod.SignIn("admin@x.example")
	biz.SignIn("biz@x.example")
	var th, post, doc struct{ ID int64 }
	fa.mustCreate(f, biz, "/api/v1/threads", fmt.Sprintf(`{"theme_id":%d,"kind":"challenge","title":"Border fees","body":"Unpublished fees.","attribution":"record"}`, fuzzThemeID(f, app)), &th)
	fa.mustCreate(f, mod, fmt.Sprintf("/api/v1/threads/%d/posts", th.ID), `{"body":"We publish ours online."}`, &post)
	fa.mustCreate(f, mod, "/api/v1/documents", `{"title":"Fees note","symbol":"INF/1","date":"2019-10-01","visibility":"public","status":"published"}`, &doc)
	fa.thread, fa.reply, fa.document = th.ID, post.ID, doc.ID
	fa.mod, fa.biz = signedInFuzzClient(f, app, "admin@x.example"), signedInFuzzClient(f, app, "biz@x.example")
	return fa
}

func (fa *fuzzApp) mustCreate(f *testing.F, c *servertest.Client, path, body string, into any) {
	f.Helper()
	r := c.Do("POST", path, strings.NewReader(body), "application/json")
	if r.Status != http.StatusCreated {
		f.Fatalf("setup %s: %d %s", path, r.Status, r.Body)
	}
	if err := json.Unmarshal([]byte(r.Body), into); err != nil {
		f.Fatal(err)
	}
}

func fuzzThemeID(f *testing.F, app *servertest.App) int64 {
	f.Helper()
	themes, err := app.Store.Themes(f.Context(), false)
	if err != nil || len(themes) == 0 {
		f.Fatalf("themes: %v", err)
	}
	return themes[0].ID
}

// check fails on a 5xx, and on an error that is not the API's JSON shape.
func (fa *fuzzApp) check(t *testing.T, what string, r servertest.Response) {
	t.Helper()
	if r.Status >= 500 {
		t.Fatalf("%s: %d %s\nlogs: %s", what, r.Status, r.Body, lastLines(fa.app.Logs(), 5))
	}
	if r.Status >= 400 {
		var body struct {
			Error struct{ Code, Message string } `json:"error"`
		}
		if err := json.Unmarshal([]byte(r.Body), &body); err != nil || body.Error.Code == "" || body.Error.Message == "" {
			t.Fatalf("%s: %d without the API's error shape: %s", what, r.Status, r.Body)
		}
	} else if !json.Valid([]byte(r.Body)) {
		t.Fatalf("%s: %d with a body that is not JSON: %q", what, r.Status, r.Body)
	}
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

func (fa *fuzzApp) send(t *testing.T, c *fuzzClient, method, path, body string) {
	t.Helper()
	fa.check(t, method+" "+path+" "+body, c.do(t, method, path, body))
}

// jsonSeeds are bodies every decoder should refuse or take calmly.
var jsonSeeds = []string{
	``, `null`, `[]`, `"x"`, `0`, `{}`, `{`, `{"a":1}`, `{"title":1}`, `{"title":null}`,
	`{"title":"` + strings.Repeat("é", 400) + `"}`, "{\"title\":\"a\\u0000b\"}", "{\"title\":\"\xff\xfe\"}",
	`{"title":"x"} {"title":"y"}`, strings.Repeat(`[`, 200) + strings.Repeat(`]`, 200),
}

func FuzzAPIDocumentBody(f *testing.F) {
	fa := newFuzzApp(f)
	for _, s := range append(jsonSeeds,
		`{"title":"Note","date":"2019-10-01","visibility":"public"}`,
		`{"title":"Note","date":"2019-10-01","visibility":"public","category_id":9223372036854775807}`,
		`{"title":"Note","date":"2019-10-01","visibility":"public","category_id":-1}`,
		`{"title":"Note","date":"0000-01-01","visibility":"members","derestrict_at":"9999-12-31"}`,
		`{"title":"Note","date":"2019-02-30","visibility":"public","revises":"INF/1","status":"published"}`,
		`{"title":"Note","date":"2019-10-01","visibility":"public","symbol":"INF/1"}`,
		`{"title":"Note","date":"2019-10-01","visibility":"public","tags":["a","a","`+strings.Repeat("t", 500)+`"]}`,
		`{"title":"Note","date":"2019-10-01","visibility":"public","status":"deleted"}`,
		`{"title":"Note","date":"2019-10-01","visibility":"public","tags":["a\u0000b"],"revises":"\u0000"}`,
		`{"title":"Note","date":"2019-10-01","visibility":"public","summary":"a\u0000b","symbol":"\u0000"}`,
	) {
		f.Add(s, false)
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, body string, update bool) {
		if update {
			fa.send(t, fa.mod, "PUT", fmt.Sprintf("/api/v1/documents/%d", fa.document), body)
		} else {
			fa.send(t, fa.mod, "POST", "/api/v1/documents", body)
		}
	})
}

func FuzzAPIEventBody(f *testing.F) {
	fa := newFuzzApp(f)
	for _, s := range append(jsonSeeds,
		`{"title":"Meeting","starts_at":"2030-10-01T10:00","ends_at":"2030-10-01T12:00","visibility":"public"}`,
		`{"title":"Meeting","starts_at":"0000-01-01T00:00","ends_at":"0000-01-01T00:30","visibility":"public"}`,
		`{"title":"Meeting","starts_at":"9999-12-31T23:00","ends_at":"9999-12-31T23:59","timezone":"Pacific/Kiritimati","visibility":"public"}`,
		`{"title":"Meeting","starts_at":"2030-10-01T10:00","ends_at":"2030-10-01T12:00","timezone":"../../etc/passwd","visibility":"public"}`,
		`{"title":"Meeting","starts_at":"2030-10-01T10:00","ends_at":"2030-10-01T12:00","timezone":"Local","visibility":"public"}`,
		`{"title":"Meeting","starts_at":"2030-03-31T02:30","ends_at":"2030-03-31T03:30","visibility":"public"}`,
		`{"title":"Meeting","starts_at":"2030-10-01T10:00","ends_at":"2030-10-01T12:00","visibility":"public","document_ids":[1,1,-5,9223372036854775807]}`,
		`{"title":"Meeting","starts_at":"2030-10-01T10:00","ends_at":"2030-10-01T12:00","visibility":"public","online_url":"javascript:alert(1)"}`,
	) {
		f.Add(s, false)
	}
	f.Add(`{"title":"Meeting","starts_at":"2030-10-01T10:00","ends_at":"2030-10-01T12:00","visibility":"public"}`, true)
	f.Fuzz(func(t *testing.T, body string, update bool) {
		if update {
			fa.send(t, fa.mod, "PUT", "/api/v1/events/987654", body)
		} else {
			fa.send(t, fa.mod, "POST", "/api/v1/events", body)
		}
	})
}

func FuzzAPIThreadBody(f *testing.F) {
	fa := newFuzzApp(f)
	theme := fuzzThemeID(f, fa.app)
	for _, s := range append(jsonSeeds,
		fmt.Sprintf(`{"theme_id":%d,"kind":"challenge","title":"Fees","body":"Text.","attribution":"record"}`, theme),
		fmt.Sprintf(`{"theme_id":%d,"kind":"discussion","title":"Fees","body":"@nobody [x](javascript:alert(1))","attribution":"chatham","tags":["a","b"]}`, theme),
		`{"theme_id":9223372036854775807,"kind":"challenge","title":"Fees","body":"Text.","attribution":"record"}`,
		`{"theme_id":-1,"kind":"challenge","title":"Fees","body":"Text.","attribution":"record"}`,
		fmt.Sprintf(`{"theme_id":%d,"kind":"challenge","title":"Fees","body":"a\u0000b","attribution":"record","tags":["x\u0000"]}`, theme),
		fmt.Sprintf(`{"theme_id":%d,"kind":"challenge","title":"Fees","body":"%s","attribution":"record"}`, theme, strings.Repeat("x", 70000)),
	) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		fa.send(t, fa.biz, "POST", "/api/v1/threads", body)
	})
}

func FuzzAPIPostBody(f *testing.F) {
	fa := newFuzzApp(f)
	for _, s := range append(jsonSeeds,
		`{"body":"A reply."}`,
		fmt.Sprintf(`{"body":"Quoting.","quote_post_id":%d}`, fa.reply),
		`{"body":"Quoting nothing.","quote_post_id":9223372036854775807}`,
		`{"body":"Quoting.","quote_post_id":-3}`,
		`{"body":"  \n\t "}`, `{"body":"a\u0000b"}`,
		`{"body":"@admin @`+strings.Repeat("a", 300)+`"}`,
	) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		fa.send(t, fa.biz, "POST", fmt.Sprintf("/api/v1/threads/%d/posts", fa.thread), body)
	})
}

func FuzzAPIStatusBody(f *testing.F) {
	fa := newFuzzApp(f)
	for _, s := range append(jsonSeeds,
		fmt.Sprintf(`{"to":"answered","post_id":%d}`, fa.reply),
		fmt.Sprintf(`{"to":"answered","post_id":%d,"event_id":987654}`, fa.reply),
		fmt.Sprintf(`{"to":"answered","post_id":%d,"document_id":%d}`, fa.reply, fa.document),
		`{"to":"referred","document_id":9223372036854775807}`,
		`{"to":"open","note":"a\u0000b"}`, `{"to":"\u0000"}`, `{"to":"closed","note":"`+strings.Repeat("n", 600)+`"}`, `{"to":"nonsense"}`,
	) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		fa.send(t, fa.biz, "POST", fmt.Sprintf("/api/v1/threads/%d/status", fa.thread), body)
	})
}

// fuzzListPaths are the API's lists and what their queries read.
var fuzzListPaths = []string{"/api/v1/documents", "/api/v1/events", "/api/v1/search", "/api/v1/threads", "/api/v1/organisations",
	"/api/v1/notifications", "/api/v1/flags", "/api/v1/threads/%d", "/api/v1/users", "/api/v1/audit", "/api/v1/account-requests",
	"/api/v1/invitations", "/api/v1/notification-preferences"}

func FuzzAPIListQuery(f *testing.F) {
	fa := newFuzzApp(f)
	for i := range fuzzListPaths {
		for _, q := range []string{"", "page=9223372036854775807", "page=-9223372036854775808", "page=99999999999999999999", "page=1e3",
			"year=-1&lang=xx&sort=nope&tag=%00", "category=nope", "after=9223372036854775807", "after=-1", "after=x",
			"after=2030-01-01T00:00:00Z_5", "theme_id=-1&list=mine", "limit=200&offset=9223372036854775807", "limit=0", "offset=-1",
			"when=past", "q=%22%27%3B--", "q=a%00b", "q=%FF%FE", "tag=%C3%28", "category=%00", "list=%00", "kind=%00", "lang=%00", "sort=%00", "q=" + strings.Repeat("a+", 300), "kind=x&verified=maybe", "page=1&page=2",
			"role=king&status=x&organisation_id=-1", "organisation_id=9223372036854775807&role=pending", "actor_id=9223372036854775807&action=user.role",
			"actor_id=0&action=" + strings.Repeat("a", 200)} {
			f.Add(uint8(i), q)
		}
	}
	f.Fuzz(func(t *testing.T, which uint8, raw string) {
		path := fuzzListPaths[int(which)%len(fuzzListPaths)]
		if strings.Contains(path, "%d") {
			path = fmt.Sprintf(path, fa.thread)
		}
		// What a client can put in a URL: the query is read as a server
		// would read it and written back escaped.
		q, _ := url.ParseQuery(raw)
		fa.check(t, path+"?"+raw, fa.mod.do(t, "GET", path+"?"+q.Encode(), ""))
	})
}

// fuzzOtherBodies are the API's other JSON bodies, all sent by an admin
// (who may send them all); {thread} and {reply} are the fuzz app's.
var fuzzOtherBodies = []struct{ method, path string }{
	{"PATCH", "/api/v1/posts/{reply}"}, {"POST", "/api/v1/posts/{reply}/flags"}, {"PUT", "/api/v1/threads/{thread}/read"},
	{"PUT", "/api/v1/threads/{thread}/watch"}, {"POST", "/api/v1/threads/{thread}/switch"}, {"POST", "/api/v1/threads/{thread}/move"},
	{"POST", "/api/v1/threads/{thread}/attribution"}, {"PATCH", "/api/v1/organisations/1"}, {"POST", "/api/v1/organisations/2/merge"},
	{"POST", "/api/v1/flags/1"}, {"POST", "/api/v1/notifications/read"}, {"POST", "/api/v1/preview"},
	{"PUT", "/api/v1/events/1/links"}, {"POST", "/api/v1/events/1/sessions"},
	{"POST", "/api/v1/account-requests/{pending}/approve"}, {"POST", "/api/v1/invitations"}, {"PUT", "/api/v1/users/{person}/role"},
	{"PUT", "/api/v1/users/{person}/status"}, {"PUT", "/api/v1/notification-preferences"},
	{"PUT", "/api/v1/events/1/registration-settings"},
}

func FuzzAPIOtherBodies(f *testing.F) {
	fa := newFuzzApp(f)
	for i := range fuzzOtherBodies {
		for _, s := range append(jsonSeeds, `{"body":"Edited."}`, `{"reason":"spam","note":"x"}`, `{"post_id":9223372036854775807}`,
			`{"level":"watching"}`, `{"switch":"pinned","on":true}`, `{"switch":"hidden"}`, `{"theme_id":-1}`, `{"attribution":"chatham"}`,
			`{"name":"A\u0000","email_domains":["x..y","`+strings.Repeat("d", 300)+`.example"],"verified":true}`, `{"into":1}`, `{"into":-1}`,
			`{"action":"dismiss"}`, `{"before_id":-1}`, `{"co_organisers":[{"name":""}],"main_event_id":9223372036854775807}`,
			`{"starts_at":"9999-12-31T23:59","ends_at":"0000-01-01T00:00","people":[{"role":"x"}]}`,
			`{"role":"member","org_kind":"observer"}`, `{"role":"moderator","org_kind":""}`, `{"status":"suspended"}`, `{"status":"active"}`,
			`{"email":"a@b.example","role":"member","organisation_id":9223372036854775807}`,
			`{"email":"a\u0000@b.example","role":"member","org_name":"\u0000","org_kind":"member","org_country":"ZZ","lang":"xx"}`,
			`{"email":"c@d.example","role":"admin","org_name":"`+strings.Repeat("n", 200)+`","org_kind":"secretariat","organisation_id":-1}`,
			`{"channels":{"reply":"email","\u0000":"off"},"digest":"daily"}`, `{"channels":null,"digest":null}`, `{"channels":[]}`,
			`{"enabled":true,"open_members":true,"deadline":"2030-10-01T09:00","capacity":20,"link_reveal_minutes":30}`,
			`{"enabled":true,"deadline":"9999-12-31T23:59:59+14:00","capacity":9223372036854775807,"link_reveal_minutes":-1}`,
			`{"enabled":true,"open_visitors":true,"deadline":"\u0000","capacity":-5,"ask_accessibility":true}`) {
			f.Add(uint8(i), s)
		}
	}
	pending := fa.app.CreateUser("pending@x.example", store.RolePending, "Waiting Ltd", store.OrgBusiness)
	person := fa.app.CreateUser("person@x.example", store.RoleMember, "Delegation of Chile", store.OrgMember)
	f.Fuzz(func(t *testing.T, which uint8, body string) {
		op := fuzzOtherBodies[int(which)%len(fuzzOtherBodies)]
		path := strings.NewReplacer("{thread}", fmt.Sprint(fa.thread), "{reply}", fmt.Sprint(fa.reply),
			"{pending}", fmt.Sprint(pending.ID), "{person}", fmt.Sprint(person.ID)).Replace(op.path)
		fa.send(t, fa.mod, op.method, path, body)
	})
}
