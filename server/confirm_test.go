package server_test

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"ideasx/server/servertest"
	"ideasx/store"
)

// TestDestructiveActionsAskFirst: each destructive form, posted as the page
// posts it, answers a confirmation page that says what will happen and to
// what, changes nothing, and offers a Confirm that re-posts the same fields
// with confirm=1 and a Cancel back to a page of ours; posting that Confirm
// does it.
func TestDestructiveActionsAskFirst(t *testing.T) {
	t.Parallel()
	app := servertest.New(t, "sqlite", nil)
	ctx := context.Background()
	f := newLiveFixture(t, app, "record")
	app.CreateUser("admin@x.example", store.RoleAdmin, "Secretariat", store.OrgSecretariat)
	admin := app.Client()
	admin.SignIn("admin@x.example")
	threadPage := f.mod.Get(fmt.Sprintf("/forum/threads/%d", f.thread)).Location

	toDelete := reply(t, f.del, f.thread, "A reply its author will delete.")
	toHide := reply(t, f.del, f.thread, "A reply a moderator will hide.")
	flagged := reply(t, f.del, f.thread, "A reply that is flagged.")
	flaggedAgain := reply(t, f.del, f.thread, "Another reply that is flagged.")
	flagOf := map[int64]int64{}
	for _, id := range []int64{flagged, flaggedAgain} {
		if r := f.biz.Post(fmt.Sprintf("/forum/posts/%d/flag", id), url.Values{"reason": {"spam"}}); r.Status != http.StatusSeeOther {
			t.Fatalf("flag: %d %s", r.Status, r.Body)
		}
	}
	flags, err := app.Store.OpenFlags(ctx)
	if err != nil || len(flags) != 2 {
		t.Fatalf("open flags: %v %d", err, len(flags))
	}
	for _, fl := range flags {
		flagOf[fl.PostID] = fl.ID
	}
	pending := app.CreateUser("pending@x.example", store.RolePending, "Pending Firm", store.OrgBusiness)
	suspendee := app.CreateUser("suspendee@x.example", store.RoleBusiness, "Suspended Firm", store.OrgBusiness)
	flagAuthor := f.delUsr
	if r := f.del.Post("/account/tokens", url.Values{"token_name": {"nightly export"}}); r.Status != http.StatusOK {
		t.Fatalf("make token: %d", r.Status)
	}
	tokens, err := app.Store.APITokens(ctx, f.delUsr.ID)
	if err != nil || len(tokens) != 1 {
		t.Fatalf("tokens: %v %d", err, len(tokens))
	}
	doc := &store.Document{Title: "Summary of the coffee dialogue", DocDate: time.Now(), Visibility: store.Public, Status: store.Draft}
	if err := app.Store.SaveDocument(ctx, f.modUser.ID, doc); err != nil {
		t.Fatal(err)
	}

	post := func(id int64) *store.Post {
		p, err := app.Store.PostByID(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	user := func(id int64) *store.User {
		u, err := app.Store.UserByID(ctx, id)
		if err != nil {
			return nil
		}
		return u
	}
	for _, c := range []struct {
		name     string
		client   *servertest.Client
		path     string
		form     url.Values
		question string
		shows    []string // what the action affects
		back     string   // where Cancel leads with no Referer
		done     func() bool
	}{
		{"delete a post", f.del, fmt.Sprintf("/forum/posts/%d/delete", toDelete), url.Values{}, "Delete this post?",
			[]string{"Certificates of origin", "A reply its author will delete."}, fmt.Sprintf("%s#post-%d", threadPage, toDelete),
			func() bool { return post(toDelete).DeletedAt != nil }},
		{"hide a post", f.mod, fmt.Sprintf("/forum/posts/%d/hide", toHide), url.Values{}, "Hide this post?",
			[]string{"A reply a moderator will hide."}, fmt.Sprintf("%s#post-%d", threadPage, toHide),
			func() bool { return post(toHide).HiddenAt != nil }},
		{"hide a post from the flag queue", f.mod, fmt.Sprintf("/moderation/flags/%d", flagOf[flagged]), url.Values{"action": {"hide_post"}},
			"Hide this post?", []string{"A reply that is flagged."}, "/moderation/flags",
			func() bool { return post(flagged).HiddenAt != nil }},
		{"hide a thread", f.mod, fmt.Sprintf("/forum/threads/%d/switch", f.thread), url.Values{"switch": {"hidden"}, "on": {"true"}},
			"Hide this thread?", []string{"Certificates of origin"}, threadPage,
			func() bool { th, err := app.Store.ThreadByID(ctx, f.thread); return err == nil && th.Hidden }},
		{"reject an account request", f.mod, fmt.Sprintf("/moderation/accounts/%d/reject", pending.ID), url.Values{},
			"Reject this account request?", []string{"pending@x.example", "Pending Firm"}, "/moderation/accounts",
			func() bool { return user(pending.ID) == nil }},
		{"suspend an account", admin, fmt.Sprintf("/admin/users/%d/status", suspendee.ID), url.Values{"status": {"suspended"}},
			"Suspend this account?", []string{"suspendee@x.example", "Suspended Firm"}, "/admin/users",
			func() bool { return user(suspendee.ID).Status == store.StatusSuspended }},
		{"revoke a token", f.del, fmt.Sprintf("/account/tokens/%d/revoke", tokens[0].ID), url.Values{},
			"Revoke this token?", []string{"nightly export"}, "/account",
			func() bool {
				ts, _ := app.Store.APITokens(ctx, f.delUsr.ID)
				return len(ts) == 1 && ts[0].RevokedAt != nil
			}},
		{"publish a document", f.mod, fmt.Sprintf("/moderation/documents/%d/status", doc.ID), url.Values{"status": {"published"}},
			"Publish this document?", []string{"Summary of the coffee dialogue", "Anyone can then read it"}, fmt.Sprintf("/moderation/documents/%d", doc.ID),
			func() bool {
				d, err := app.Store.DocumentByID(ctx, doc.ID, store.Access{Curator: true})
				return err == nil && d.Status == store.Published
			}},
		// Last: it suspends the author of the flagged post, f.del.
		{"suspend from the flag queue", f.mod, fmt.Sprintf("/moderation/flags/%d", flagOf[flaggedAgain]), url.Values{"action": {"suspend_author"}}, "Suspend this account?",
			[]string{flagAuthor.Email}, "/moderation/flags", func() bool { return user(flagAuthor.ID).Status == store.StatusSuspended }},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := c.client.Post(c.path, c.form)
			if r.Status != http.StatusOK {
				t.Fatalf("without confirm=1: got %d, want 200 and a confirmation page", r.Status)
			}
			if c.done() {
				t.Fatal("without confirm=1 the action was done")
			}
			mustContain(t, r, "<h1 id=\"confirm-heading\">"+c.question+"</h1>", `name="confirm" value="1"`, `action="`+c.path+`"`)
			for _, s := range c.shows {
				if !strings.Contains(html.UnescapeString(r.Body), s) {
					t.Errorf("the confirmation page does not say what it affects: lacks %q", s)
				}
			}
			for k, vs := range c.form {
				mustContain(t, r, fmt.Sprintf(`<input type="hidden" name="%s" value="%s">`, k, vs[0]))
			}
			if got := cancelHref(t, r); got != c.back {
				t.Errorf("Cancel leads to %q, want %q", got, c.back)
			}
			if got := cancelHref(t, c.client.Post(c.path, c.form)); got != c.back || c.done() {
				t.Errorf("asked again: Cancel %q (want %q), done %v", got, c.back, c.done())
			}

			// The Confirm button posts what the page holds.
			confirmed := url.Values{"confirm": {"1"}}
			for k, vs := range c.form {
				confirmed[k] = vs
			}
			if r := c.client.Post(c.path, confirmed); r.Status != http.StatusSeeOther {
				t.Fatalf("with confirm=1: got %d, want 303", r.Status)
			}
			if !c.done() {
				t.Error("with confirm=1 the action was not done")
			}
		})
	}
}

var cancelLink = regexp.MustCompile(`<a class="button button-quiet" href="([^"]*)">Cancel</a>`)

func cancelHref(t *testing.T, r servertest.Response) string {
	t.Helper()
	m := cancelLink.FindStringSubmatch(r.Body)
	if m == nil {
		t.Fatalf("no Cancel link on the confirmation page (status %d)", r.Status)
	}
	return html.UnescapeString(m[1])
}

// TestConfirmationCancelGoesBackSafely: Cancel returns to the page the form
// was posted from when it is one of ours, and never to another site.
func TestConfirmationCancelGoesBackSafely(t *testing.T) {
	t.Parallel()
	app := servertest.New(t, "sqlite", nil)
	app.CreateUser("admin@x.example", store.RoleAdmin, "Secretariat", store.OrgSecretariat)
	target := app.CreateUser("firm@x.example", store.RoleBusiness, "Firm", store.OrgBusiness)
	admin := app.Client()
	admin.SignIn("admin@x.example")
	path := fmt.Sprintf("/admin/users/%d/status", target.ID)
	for _, c := range []struct{ referer, want string }{
		{app.URL + "/admin/users?q=firm&status=active", "/admin/users?q=firm&status=active"},
		{"https://evil.example/admin/users", "/admin/users"},
		{app.URL + "//evil.example/x", "/admin/users"},
		{app.URL + "/\\evil.example", "/admin/users"},
		{app.URL + path, "/admin/users"},
		{"javascript:alert(1)", "/admin/users"},
	} {
		admin.Header.Set("Referer", c.referer)
		r := admin.Post(path, url.Values{"status": {"suspended"}})
		if got := cancelHref(t, r); got != c.want {
			t.Errorf("Referer %q: Cancel leads to %q, want %q", c.referer, got, c.want)
		}
	}
	admin.Header.Del("Referer")
	if u, _ := app.Store.UserByID(context.Background(), target.ID); u.Status != store.StatusActive {
		t.Errorf("asking suspended the account: %s", u.Status)
	}
}

// TestConfirmationSpeaksTheReadersLanguage: the page and the dialog's words
// are in the reader's language.
func TestConfirmationSpeaksTheReadersLanguage(t *testing.T) {
	t.Parallel()
	app := servertest.New(t, "sqlite", nil)
	f := newLiveFixture(t, app, "record")
	id := reply(t, f.del, f.thread, "Respuesta.")
	for lang, want := range map[string][]string{
		"fr": {"Supprimer ce message ?", "Supprimer le message", "Annuler"},
		"es": {"¿Eliminar este mensaje?", "Eliminar el mensaje", "Cancelar"},
	} {
		if r := f.del.Post("/lang", url.Values{"lang": {lang}, "next": {"/"}}); r.Status != http.StatusSeeOther {
			t.Fatalf("switch to %s: %d", lang, r.Status)
		}
		r := f.del.Post(fmt.Sprintf("/forum/posts/%d/delete", id), nil)
		for _, w := range want {
			if !strings.Contains(html.UnescapeString(r.Body), w) {
				t.Errorf("%s: the confirmation page lacks %q", lang, w)
			}
		}
		page := f.del.Get(f.del.Get(fmt.Sprintf("/forum/threads/%d", f.thread)).Location)
		if !strings.Contains(html.UnescapeString(page.Body), `data-confirm="`+want[0]+`"`) {
			t.Errorf("%s: the thread's delete form does not carry the dialog's question %q", lang, want[0])
		}
	}
}

// TestAPIActionsDoNotAsk: programs are not sent confirmation pages.
func TestAPIActionsDoNotAsk(t *testing.T) {
	t.Parallel()
	app := servertest.New(t, "sqlite", nil)
	f := newLiveFixture(t, app, "record")
	id := reply(t, f.del, f.thread, "Deleted over the API.")
	other := reply(t, f.del, f.thread, "Deleted by a script through the page's address.")
	if r := f.del.Do("DELETE", fmt.Sprintf("/api/v1/posts/%d", id), nil, ""); r.Status != http.StatusOK {
		t.Fatalf("DELETE over the API: got %d, want 200", r.Status)
	}
	if p, _ := app.Store.PostByID(context.Background(), id); p.DeletedAt == nil {
		t.Error("DELETE over the API did not delete")
	}
	// A program posting a page's form with its token is not asked either.
	made := f.del.Post("/account/tokens", url.Values{"token_name": {"script"}})
	token := regexp.MustCompile(`<code class="token" id="new-token">([^<]+)</code>`).FindStringSubmatch(made.Body)
	if token == nil {
		t.Fatalf("make token: %d, no token shown", made.Status)
	}
	program := app.Client()
	program.Header.Set("Authorization", "Bearer "+token[1])
	if r := program.Post(fmt.Sprintf("/forum/posts/%d/delete", other), nil); r.Status != http.StatusSeeOther {
		t.Errorf("a token posting the page's delete form: got %d, want 303", r.Status)
	}
	if p, _ := app.Store.PostByID(context.Background(), other); p.DeletedAt == nil {
		t.Error("a token posting the page's delete form did not delete")
	}
	if r := f.mod.Do("POST", fmt.Sprintf("/api/v1/threads/%d/switch", f.thread), strings.NewReader(`{"switch":"hidden","on":true}`), "application/json"); r.Status != http.StatusOK {
		t.Fatalf("hide a thread over the API: got %d, want 200", r.Status)
	}
	if th, err := app.Store.ThreadByID(context.Background(), f.thread); err != nil || !th.Hidden {
		t.Errorf("hiding a thread over the API did not hide it: %v", err)
	}
}
