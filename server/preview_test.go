package server_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"ideasx/server/servertest"
	"ideasx/store"
)

func previewJSON(c *servertest.Client, body string) servertest.Response {
	in, _ := json.Marshal(map[string]string{"body": body})
	return c.Do("POST", "/api/v1/preview", strings.NewReader(string(in)), "application/json")
}

// TestPreviewEndpoint: the editor's Preview tab renders a text as the post
// would be (headings, links, mentions of forum readers), sanitised, for the
// forum's members only, and answers bad input with a clear error.
func TestPreviewEndpoint(t *testing.T) {
	t.Parallel()
	forEachEngine(t, func(t *testing.T, app *servertest.App) {
		clients := signedInClients(t, app)
		named := app.CreateUser("amina@shea.example", store.RoleMember, "Delegation of Senegal", store.OrgMember)
		text := "# Customs at Dakar\n\nSee [the rules](https://example.org/rules) and ask @" + named.Handle +
			".\n\n<script>alert(1)</script><img src=x onerror=alert(2)> [x](javascript:alert(3))"
		for role, want := range map[string]int{"visitor": http.StatusUnauthorized, "pending": http.StatusForbidden,
			"suspended": http.StatusUnauthorized, "business": http.StatusOK, "member": http.StatusOK,
			"moderator": http.StatusOK, "admin": http.StatusOK} {
			r := previewJSON(clients[role], text)
			if r.Status != want {
				t.Errorf("%s: got %d, want %d: %s", role, r.Status, want, r.Body)
				continue
			}
			if want != http.StatusOK {
				if strings.Contains(r.Body, "Customs at Dakar") {
					t.Errorf("%s: the refusal shows the text", role)
				}
				continue
			}
			var out struct{ HTML string }
			if err := json.Unmarshal([]byte(r.Body), &out); err != nil {
				t.Fatalf("%s: %v: %s", role, err, r.Body)
			}
			for _, part := range []string{"<h1>Customs at Dakar</h1>", `href="https://example.org/rules"`, `href="/forum/people/` + named.Handle + `"`} {
				if !strings.Contains(out.HTML, part) {
					t.Errorf("%s: preview lacks %q: %s", role, part, out.HTML)
				}
			}
			for _, bad := range []string{"<script", "onerror", "javascript:"} {
				if strings.Contains(strings.ToLower(out.HTML), bad) {
					t.Errorf("%s: preview lets %q through: %s", role, bad, out.HTML)
				}
			}
		}
		member := clients["member"]
		for _, c := range []struct {
			name, body, contentType string
			status                  int
			code, says              string
		}{
			{"not JSON", "body=hello", "application/x-www-form-urlencoded", http.StatusBadRequest, "bad_json", "not valid JSON"},
			{"too long", `{"body":"` + strings.Repeat("a", 20001) + `"}`, "application/json", http.StatusUnprocessableEntity, "invalid", "at most 20000 characters"},
			{"far too large", `{"body":"` + strings.Repeat("a", 300000) + `"}`, "application/json", http.StatusRequestEntityTooLarge, "too_large", "too long for a post"},
			{"control characters", `{"body":"a\u0000b"}`, "application/json", http.StatusUnprocessableEntity, "invalid", "characters"},
		} {
			r := member.Do("POST", "/api/v1/preview", strings.NewReader(c.body), c.contentType)
			if r.Status != c.status || !strings.Contains(r.Body, `"code":"`+c.code+`"`) || !strings.Contains(r.Body, c.says) {
				t.Errorf("%s: got %d %s, want %d %s saying %q", c.name, r.Status, r.Body, c.status, c.code, c.says)
			}
		}
		if r := previewJSON(member, "   "); r.Status != http.StatusOK || !strings.Contains(r.Body, `"html":""`) {
			t.Errorf("empty text: got %d %s, want 200 with no HTML", r.Status, r.Body)
		}
		// From another site, a signed-in browser's cookie must not be enough.
		r := member.Do("POST", "/api/v1/preview", strings.NewReader(`{"body":"hi"}`), "application/json")
		if r.Status != http.StatusOK {
			t.Fatalf("same-origin preview: got %d", r.Status)
		}
		member.Header.Set("Sec-Fetch-Site", "cross-site")
		member.Header.Set("Origin", "https://evil.example")
		if r := member.Do("POST", "/api/v1/preview", strings.NewReader(`{"body":"hi"}`), "application/json"); r.Status != http.StatusForbidden {
			t.Errorf("cross-site preview: got %d, want 403", r.Status)
		}
		member.Header = http.Header{}
	})
}

// TestPreviewRateLimited: a loop on the preview is stopped with 429 and
// Retry-After, per account, while a person's occasional previews pass.
func TestPreviewRateLimited(t *testing.T) {
	t.Parallel()
	app := servertest.New(t, "sqlite", nil)
	app.CreateUser("a@x.example", store.RoleBusiness, "Andes Textiles", store.OrgBusiness)
	app.CreateUser("b@x.example", store.RoleBusiness, "Baltic Amber", store.OrgBusiness)
	a, b := app.Client(), app.Client()
	a.SignIn("a@x.example")
	b.SignIn("b@x.example")
	limited := -1
	for i := range 100 {
		if r := previewJSON(a, "hello"); r.Status == http.StatusTooManyRequests {
			if r.Header.Get("Retry-After") == "" || !strings.Contains(r.Body, `"code":"rate_limited"`) {
				t.Errorf("429 without Retry-After or code: %v %s", r.Header, r.Body)
			}
			limited = i
			break
		}
	}
	if limited < 50 {
		t.Fatalf("limited after %d previews, want 429 after the first 60", limited)
	}
	if r := previewJSON(b, "hello"); r.Status != http.StatusOK {
		t.Errorf("another account: got %d, want 200", r.Status)
	}
}

// TestPreviewButtonWithoutJavaScript: the forms' Preview button shows the
// text rendered above the same form, still filled in, and saves nothing
// (a reply, a new thread, an edit).
func TestPreviewButtonWithoutJavaScript(t *testing.T) {
	t.Parallel()
	forEachEngine(t, func(t *testing.T, app *servertest.App) {
		app.CreateUser("biz@x.example", store.RoleBusiness, "Andes Textiles", store.OrgBusiness)
		del := app.CreateUser("del@x.example", store.RoleMember, "Delegation of Chile", store.OrgMember)
		biz := app.Client()
		biz.SignIn("biz@x.example")
		thread := postThread(t, biz, themeID(t, app), "Certificates of origin take weeks", "record")
		id := regexp.MustCompile(`/forum/threads/(\d+)`).FindStringSubmatch(thread)[1]
		page := biz.Get(thread)
		mustContain(t, page, `name="preview"`, `formaction="/forum/threads/`+id+`/posts#preview"`)
		if strings.Contains(page.Body, `id="preview"`) {
			t.Error("a preview shows before anyone asked for one")
		}
		text := "## Our proposal\n\nAsk @" + del.Handle + " <script>alert(1)</script>"
		countPosts := func() int {
			tid, _ := strconv.ParseInt(id, 10, 64)
			posts, err := app.Store.Posts(context.Background(), tid, 0, 100)
			if err != nil {
				t.Fatal(err)
			}
			return len(posts)
		}
		before := countPosts()
		r := biz.Post("/forum/threads/"+id+"/posts", url.Values{"body": {text}, "preview": {"1"}})
		if r.Status != http.StatusOK {
			t.Fatalf("reply preview: got %d", r.Status)
		}
		mustContain(t, r, `id="preview"`, "<h2>Our proposal</h2>", `href="/forum/people/`+del.Handle+`"`, "It has not been sent yet",
			"## Our proposal") // the text is still in the box
		if strings.Contains(r.Body, "<script>alert") {
			t.Error("the preview lets a script through")
		}
		if got := countPosts(); got != before {
			t.Errorf("previewing saved a reply: %d posts, want %d", got, before)
		}
		// The same text sent with the send button is saved.
		if r := biz.Post("/forum/threads/"+id+"/posts", url.Values{"body": {text}}); r.Status != http.StatusSeeOther {
			t.Fatalf("reply: got %d", r.Status)
		}
		if got := countPosts(); got != before+1 {
			t.Errorf("sending saved %d posts, want %d", got-before, 1)
		}
		if r := biz.Post("/forum/threads/"+id+"/posts", url.Values{"body": {strings.Repeat("x", 20001)}, "preview": {"1"}}); r.Status != http.StatusUnprocessableEntity ||
			!strings.Contains(r.Body, "at most 20000 characters") || strings.Contains(r.Body, `id="preview"`) {
			t.Errorf("preview of a too long reply: got %d", r.Status)
		}

		// A new thread: previewed, not created, the title kept.
		threads := func() int {
			list, err := app.Store.ListThreads(context.Background(), store.ThreadFilter{Limit: 100})
			if err != nil {
				t.Fatal(err)
			}
			return len(list)
		}
		nThreads := threads()
		r = biz.Post("/forum/threads", url.Values{"theme": {strconv.FormatInt(themeID(t, app), 10)}, "kind": {"discussion"},
			"title": {"Shipping samples to the EU"}, "body": {"**Samples** under 22 EUR"}, "attribution": {"record"}, "preview": {"1"}})
		if r.Status != http.StatusOK {
			t.Fatalf("new thread preview: got %d", r.Status)
		}
		mustContain(t, r, "<strong>Samples</strong> under 22 EUR", `value="Shipping samples to the EU"`, `formaction="/forum/threads#preview"`)
		if got := threads(); got != nThreads {
			t.Errorf("previewing created a thread: %d threads, want %d", got, nThreads)
		}

		// An edit: previewed, the post unchanged.
		first := regexp.MustCompile(`id="post-(\d+)"`).FindStringSubmatch(page.Body)[1]
		r = biz.Post("/forum/posts/"+first, url.Values{"body": {"Changed *text*"}, "preview": {"1"}})
		if r.Status != http.StatusOK {
			t.Fatalf("edit preview: got %d", r.Status)
		}
		mustContain(t, r, "Changed <em>text</em>", "Changed *text*</textarea>")
		pid, _ := strconv.ParseInt(first, 10, 64)
		p, err := app.Store.PostByID(context.Background(), pid)
		if err != nil {
			t.Fatal(err)
		}
		if p.Body != "Our **certificates of origin** take three weeks." || p.EditedAt != nil {
			t.Errorf("previewing an edit changed the post: %q", p.Body)
		}
	})
}

// TestDraftSignals: the page after a saved reply or thread tells the
// editor's script to forget its draft (a cookie scripts can read); a refused
// one does not; signing out clears what the browser kept (Clear-Site-Data).
func TestDraftSignals(t *testing.T) {
	t.Parallel()
	app := servertest.New(t, "sqlite", nil)
	app.CreateUser("biz@x.example", store.RoleBusiness, "Andes Textiles", store.OrgBusiness)
	biz := app.Client()
	biz.SignIn("biz@x.example")
	sent := func(r servertest.Response) *http.Cookie {
		for _, c := range (&http.Response{Header: r.Header}).Cookies() {
			if c.Name == "ideasx_sent" {
				return c
			}
		}
		return nil
	}
	r := biz.Post("/forum/threads", url.Values{"theme": {strconv.FormatInt(themeID(t, app), 10)}, "kind": {"discussion"},
		"title": {"Samples"}, "body": {"Samples under 22 EUR"}, "attribution": {"record"}})
	if c := sent(r); r.Status != http.StatusSeeOther || c == nil || c.Value != "1" || c.HttpOnly || c.MaxAge <= 0 {
		t.Errorf("new thread: got %d with sent cookie %v, want 303 with one scripts can read", r.Status, c)
	}
	id := regexp.MustCompile(`/forum/threads/(\d+)`).FindStringSubmatch(r.Location)[1]
	if r := biz.Post("/forum/threads/"+id+"/posts", url.Values{"body": {"Agreed"}}); sent(r) == nil {
		t.Errorf("reply: got %d without the sent cookie", r.Status)
	}
	for _, form := range []url.Values{{"body": {" "}}, {"body": {"Agreed"}, "preview": {"1"}}} {
		if r := biz.Post("/forum/threads/"+id+"/posts", form); sent(r) != nil {
			t.Errorf("%v: got %d with the sent cookie, want none (nothing saved)", form, r.Status)
		}
	}
	if r := biz.Post("/signout", nil); r.Header.Get("Clear-Site-Data") != `"storage"` {
		t.Errorf("sign-out: Clear-Site-Data %q, want \"storage\"", r.Header.Get("Clear-Site-Data"))
	}
}

// BenchmarkPreviewEndpoint: what one Preview costs through HTTP, for a
// usual reply (a few paragraphs, a link, a mention) and for the longest
// post allowed. The rate limit is above what the loop asks for only if
// b.N stays under 60 a second; the benchmark signs in fresh accounts.
func BenchmarkPreviewEndpoint(b *testing.B) {
	app := servertest.New(b, "sqlite", nil)
	named := app.CreateUser("amina@shea.example", store.RoleMember, "Delegation of Senegal", store.OrgMember)
	usual := strings.Repeat("Our **samples** wait ten days at [customs](https://example.org/c). Ask @"+named.Handle+".\n\n", 12)
	longest := strings.Repeat("- item *with* [a link](https://example.org) @"+named.Handle+"\n", 20000/70)
	for name, text := range map[string]string{"usual": usual, "longest": longest} {
		b.Run(name, func(b *testing.B) {
			var c *servertest.Client
			for i := 0; b.Loop(); i++ {
				if i%50 == 0 {
					b.StopTimer()
					email := name + strconv.Itoa(i) + "@bench.example"
					app.CreateUser(email, store.RoleBusiness, "Bench", store.OrgBusiness)
					c = app.Client()
					c.SignIn(email)
					b.StartTimer()
				}
				if r := previewJSON(c, text); r.Status != http.StatusOK {
					b.Fatalf("got %d: %s", r.Status, r.Body)
				}
			}
		})
	}
}
