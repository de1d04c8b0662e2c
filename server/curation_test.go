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

	"ideasx/server/servertest"
	"ideasx/store"
)

// richChallenge is an opening post with the structure a summary must keep,
// a link to a members-only thread and one to the outside.
const richChallenge = "## Certificates of origin\n\nOurs are **stamped twice**:\n\n" +
	"- booking takes 5 days\n- inspection takes 7 days\n\n" +
	"| step | days |\n|---|---|\n| booking | 5 |\n| stamp | 3 |\n\n" +
	"See [our earlier thread](/forum/threads/1) and [the rules](https://example.org/rules)."

// curationThread posts a challenge from biz, an answer from del that biz
// accepts, and returns the thread's id.
func curationThread(t *testing.T, app *servertest.App, biz, del *servertest.Client, title, attribution string, answer ...string) string {
	t.Helper()
	r := biz.Post("/forum/threads", url.Values{"theme": {fmt.Sprint(themeID(t, app))}, "kind": {"challenge"}, "title": {title},
		"body": {richChallenge}, "attribution": {attribution}})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("post thread: %d", r.Status)
	}
	id := regexp.MustCompile(`/forum/threads/(\d+)`).FindStringSubmatch(r.Location)[1]
	body := "Chile answers: use the **single window**."
	if len(answer) > 0 {
		body = answer[0]
	}
	r = del.Post("/forum/threads/"+id+"/posts", url.Values{"body": {body}})
	post := regexp.MustCompile(`#post-(\d+)`).FindStringSubmatch(r.Location)[1]
	if got := biz.Post("/forum/threads/"+id+"/status", url.Values{"to": {"answered"}, "post": {post}}).Status; got != http.StatusSeeOther {
		t.Fatalf("accept: %d", got)
	}
	return id
}

// TestCurationJourney: a moderator drafts from a thread; each person quoted
// is asked (in-app and by mail, with the passage), reads the whole draft
// with their words marked, and answers; the moderator hears of a refusal
// and of the last agreement; publishing waits for them (409, with who is
// awaited), and what is published keeps the posts' structure, unnames who
// asked for it, and links to nothing private.
func TestCurationJourney(t *testing.T) {
	t.Parallel()
	forEachEngine(t, func(t *testing.T, app *servertest.App) {
		app.CreateUser("biz@x.example", store.RoleBusiness, "Andes Textiles", store.OrgBusiness)
		app.CreateUser("del@x.example", store.RoleMember, "Delegation of Chile", store.OrgMember)
		app.CreateUser("other@x.example", store.RoleMember, "Delegation of Kenya", store.OrgMember)
		app.CreateUser("mod@x.example", store.RoleModerator, "Secretariat", store.OrgSecretariat)
		app.CreateUser("vis@x.example", store.RoleVisitor, "Curious Ltd", store.OrgBusiness)
		biz, del, other, mod, vis, anon := app.Client(), app.Client(), app.Client(), app.Client(), app.Client(), app.Client()
		biz.SignIn("biz@x.example")
		del.SignIn("del@x.example")
		other.SignIn("other@x.example")
		mod.SignIn("mod@x.example")
		vis.SignIn("vis@x.example")

		id := curationThread(t, app, biz, del, "Stamped twice", "record")
		if got := del.Post("/forum/threads/"+id+"/curate", nil).Status; got != http.StatusForbidden {
			t.Errorf("member drafting: %d, want 403", got)
		}
		r := mod.Post("/forum/threads/"+id+"/curate", nil)
		if r.Status != http.StatusSeeOther {
			t.Fatalf("curate: %d", r.Status)
		}
		docPage := r.Location
		docID := regexp.MustCompile(`/moderation/documents/(\d+)`).FindStringSubmatch(docPage)[1]
		draft := html.UnescapeString(mod.Get(docPage).Body)
		for _, want := range []string{"The challenge, as Test biz (Andes Textiles) put it:", "The answer accepted, from Test del (Delegation of Chile):",
			"> ## Certificates of origin", "> - booking takes 5 days", "> | booking | 5 |", "[the rules](https://example.org/rules)",
			"> Chile answers: use the **single window**.", "Not answered yet"} {
			if !strings.Contains(draft, want) {
				t.Errorf("draft lacks %q", want)
			}
		}
		if strings.Contains(draft, "](/forum/threads/1)") || !strings.Contains(draft, "See our earlier thread and") {
			t.Error("the draft keeps a link to a members-only thread")
		}
		if !regexp.MustCompile(`<button type="submit" class="button" disabled aria-describedby="publish-waiting">`).MatchString(draft) ||
			!strings.Contains(draft, "Waiting for 2 of 2 people: Test biz (Not answered yet), Test del (Not answered yet)") {
			t.Error("the publish button is not disabled with who is awaited")
		}

		// Drafting again offers the draft there is.
		if again := mod.Post("/forum/threads/"+id+"/curate", nil); again.Location != docPage {
			t.Errorf("drafting twice went to %q, want %q", again.Location, docPage)
		}
		mustContain(t, follow(mod, "/forum/threads/"+id), "Open the draft public document", docPage)

		// Each person quoted is asked, in the app and by mail, with the passage.
		for _, who := range []struct {
			c       *servertest.Client
			email   string
			passage string
		}{{biz, "biz@x.example", "Certificates of origin"}, {del, "del@x.example", "single window"}} {
			mustContain(t, who.c.Get("/notifications"), "asks whether you agree to be quoted in “Stamped twice”")
			m := mailWithSubject(app, who.email, "May we quote you?")
			if !strings.Contains(m.Body, who.passage) || !strings.Contains(m.Body, "/account/consents/"+docID) {
				t.Errorf("%s: consent mail %+v", who.email, m)
			}
		}

		// Only those asked read the draft.
		for _, c := range []struct {
			name string
			c    *servertest.Client
			want int
		}{{"member not asked", other, http.StatusNotFound}, {"visitor", vis, http.StatusForbidden}, {"signed out", anon, http.StatusSeeOther}} {
			if got := c.c.Get("/account/consents/" + docID).Status; got != c.want {
				t.Errorf("%s reading the draft: %d, want %d", c.name, got, c.want)
			}
		}
		page := del.Get("/account/consents/" + docID)
		mustContain(t, page, `<mark class="consent-mine-name">Test del (Delegation of Chile)</mark>`, `<blockquote class="consent-mine">`,
			"<table>", "<li>booking takes 5 days</li>", "Test biz (Andes Textiles)")
		if strings.Contains(page.Body, `href="/moderation/`) {
			t.Error("the consent page links to a moderators' page")
		}

		// Publishing early: a page that says who is awaited, and 409 for the API.
		r = mod.Post(docPage+"/status", url.Values{"status": {"published"}})
		if r.Status != http.StatusConflict {
			t.Errorf("publishing before consent: %d, want 409", r.Status)
		}
		mustContain(t, r, "This document cannot be published yet", "Waiting for 2 of 2 people", "Back to the draft")
		if strings.Contains(r.Body, "Something went wrong") {
			t.Error("the 409 page is the generic error")
		}
		tok := regexp.MustCompile(`ixp_[A-Za-z0-9_-]{43}`).FindString(mod.Post("/account/tokens", url.Values{"token_name": {"t"}}).Body)
		api := app.Client()
		api.Header.Set("Authorization", "Bearer "+tok)
		body := `{"title":"Stamped twice","date":"2026-01-05","visibility":"public","status":"published"}`
		r = api.Do(http.MethodPut, "/api/v1/documents/"+docID, strings.NewReader(body), "application/json")
		if r.Status != http.StatusConflict || !strings.Contains(r.Body, `"code":"consent_missing"`) || !strings.Contains(r.Body, "Waiting for 2 of 2 people") {
			t.Errorf("API publishing before consent: %d %s", r.Status, r.Body)
		}

		// A refusal, with a note, reaches the moderator who drafted.
		if got := del.Post("/account/consents/"+docID, url.Values{"answer": {"declined"}, "note": {"Not with our name, please"}}).Status; got != http.StatusSeeOther {
			t.Fatalf("refuse: %d", got)
		}
		mustContain(t, mod.Get("/notifications"), "Test del (Delegation of Chile) does not agree to be quoted in “Stamped twice”")
		if m := mailWithSubject(app, "mod@x.example", "Consent refused"); !strings.Contains(m.Body, "Not with our name, please") {
			t.Errorf("refusal mail: %+v", m)
		}
		mustContain(t, mod.Get(docPage), "Not with our name, please")

		// Anonymity instead: their passages read "a delegation".
		del.Post("/account/consents/"+docID, url.Values{"answer": {"anonymous"}})
		mustContain(t, del.Get("/account/consents/"+docID), `<mark class="consent-mine-name">a delegation</mark>`, "Agreed, without name")
		if got := biz.Post("/account/consents/"+docID, url.Values{"answer": {"granted"}}).Status; got != http.StatusSeeOther {
			t.Fatalf("agree: %d", got)
		}
		mustContain(t, mod.Get("/notifications"), "Everyone quoted in “Stamped twice” has agreed")
		mailWithSubject(app, "mod@x.example", "Ready to publish")

		if got := mod.Post(docPage+"/status", url.Values{"status": {"published"}, "confirm": {"1"}}).Status; got != http.StatusSeeOther {
			t.Fatalf("publish: %d", got)
		}
		doc, err := app.Store.DocumentByID(context.Background(), mustID(t, docID), store.Access{})
		if err != nil {
			t.Fatal(err)
		}
		pub := follow(anon, fmt.Sprintf("/documents/%d", doc.ID))
		mustContain(t, pub, "<h2", "Certificates of origin", "<li>booking takes 5 days</li>", "<table>", "<td>booking</td>",
			`href="https://example.org/rules"`, "from a delegation:", "Test biz (Andes Textiles)", "single window")
		for _, leak := range []string{"Test del", "/forum/", "/account/", "/moderation/"} {
			if strings.Contains(pub.Body, leak) {
				t.Errorf("the public document holds %q", leak)
			}
		}
		mustContain(t, follow(biz, "/forum/threads/"+id), "This thread became a public document:", fmt.Sprintf("/documents/%d-", doc.ID))
		if got := del.Post("/account/consents/"+docID, url.Values{"answer": {"declined"}}).Status; got != http.StatusUnprocessableEntity {
			t.Errorf("answering after publication: %d, want 422", got)
		}

		// Someone asked who then loses forum access no longer reads the
		// titles of drafts drawn from it.
		app.CreateUser("gone@x.example", store.RoleBusiness, "Gone Ltd", store.OrgBusiness)
		gone := app.Client()
		gone.SignIn("gone@x.example")
		goneThread := curationThread(t, app, gone, del, "Leaving soon", "record")
		mod.Post("/forum/threads/"+goneThread+"/curate", nil)
		mustContain(t, gone.Get("/account/consents"), "Leaving soon")
		u, _ := app.Store.UserByEmail(context.Background(), "gone@x.example")
		if err := app.Store.SetRole(context.Background(), 0, u.ID, store.RoleVisitor); err != nil {
			t.Fatal(err)
		}
		if r := gone.Get("/account/consents"); r.Status != http.StatusForbidden || strings.Contains(r.Body, "Leaving soon") {
			t.Errorf("a visitor's consent list: %d, shows the title: %v", r.Status, strings.Contains(r.Body, "Leaving soon"))
		}
	})
}

// TestCurationChathamHouse: under the Chatham House rule the draft names
// kinds of organisation, within the sentence, and asks nobody.
func TestCurationChathamHouse(t *testing.T) {
	t.Parallel()
	app := servertest.New(t, "sqlite", nil)
	bizUser := app.CreateUser("biz@x.example", store.RoleBusiness, "Andes Textiles", store.OrgBusiness)
	app.CreateUser("del@x.example", store.RoleMember, "Delegation of Chile", store.OrgMember)
	app.CreateUser("mod@x.example", store.RoleModerator, "Secretariat", store.OrgSecretariat)
	biz, del, mod := app.Client(), app.Client(), app.Client()
	biz.SignIn("biz@x.example")
	del.SignIn("del@x.example")
	mod.SignIn("mod@x.example")
	id := curationThread(t, app, biz, del, "Unnamed", "chatham", "Ask @"+bizUser.Handle+" and @nobody.here about it.")
	r := mod.Post("/forum/threads/"+id+"/curate", nil)
	draft := html.UnescapeString(mod.Get(r.Location).Body)
	if strings.Contains(draft, "Test biz") || strings.Contains(draft, "Andes Textiles") || strings.Contains(draft, "Consent of the people quoted") {
		t.Error("a Chatham House draft names the author or asks for consent")
	}
	mustContain(t, servertest.Response{Body: draft}, "The challenge, as a business put it:", "The answer accepted, from a delegation:",
		"> Ask a participant and @nobody.here about it.")
	for _, uid := range []int64{1, 2} {
		list, _ := app.Store.Notifications(context.Background(), uid, 100, 0)
		for _, n := range list {
			if n.Kind == store.NotifyConsentRequest {
				t.Errorf("user %d asked for consent under the Chatham House rule", uid)
			}
		}
	}
}

func mustID(t *testing.T, s string) int64 {
	t.Helper()
	var n int64
	if _, err := fmt.Sscan(s, &n); err != nil {
		t.Fatal(err)
	}
	return n
}

// follow gets path and the page a redirect leads to.
func follow(c *servertest.Client, path string) servertest.Response {
	r := c.Get(path)
	if r.Status == http.StatusMovedPermanently || r.Status == http.StatusFound || r.Status == http.StatusSeeOther {
		r = c.Get(r.Location)
	}
	return r
}

// mailWithSubject waits for the mail to address whose subject holds part.
func mailWithSubject(app *servertest.App, address, part string) servertest.Mail {
	app.T.Helper()
	for n := 1; n <= 10; n++ {
		mails := app.WaitMails(address, n)
		for _, m := range mails {
			if strings.Contains(m.Subject, part) {
				return m
			}
		}
		if len(mails) < n {
			break
		}
	}
	app.T.Errorf("no mail to %s about %q; mails: %+v", address, part, app.Mails(address))
	return servertest.Mail{}
}

// TestConsentAPI: a person asked reads and answers through the API as on
// the page; someone not asked learns nothing; a published document takes
// no more answers.
func TestConsentAPI(t *testing.T) {
	t.Parallel()
	app := servertest.New(t, "sqlite", nil)
	app.CreateUser("biz@x.example", store.RoleBusiness, "Andes Textiles", store.OrgBusiness)
	app.CreateUser("del@x.example", store.RoleMember, "Delegation of Chile", store.OrgMember)
	app.CreateUser("other@x.example", store.RoleMember, "Delegation of Kenya", store.OrgMember)
	app.CreateUser("mod@x.example", store.RoleModerator, "Secretariat", store.OrgSecretariat)
	biz, del, other, mod := app.Client(), app.Client(), app.Client(), app.Client()
	for c, e := range map[*servertest.Client]string{biz: "biz@x.example", del: "del@x.example", other: "other@x.example", mod: "mod@x.example"} {
		c.SignIn(e)
	}
	id := curationThread(t, app, biz, del, "Through the API", "record")
	docID := regexp.MustCompile(`(\d+)$`).FindString(mod.Post("/forum/threads/"+id+"/curate", nil).Location)
	apiAs := func(c *servertest.Client) *servertest.Client {
		tok := regexp.MustCompile(`ixp_[A-Za-z0-9_-]{43}`).FindString(c.Post("/account/tokens", url.Values{"token_name": {"t"}}).Body)
		a := app.Client()
		a.Header.Set("Authorization", "Bearer "+tok)
		return a
	}
	delAPI, otherAPI := apiAs(del), apiAs(other)
	if r := delAPI.Get("/api/v1/consents"); r.Status != http.StatusOK || !strings.Contains(r.Body, `"answer":"pending"`) || !strings.Contains(r.Body, `"title":"Through the API"`) {
		t.Errorf("list: %d %s", r.Status, r.Body)
	}
	if r := delAPI.Get("/api/v1/consents/" + docID); r.Status != http.StatusOK || !strings.Contains(r.Body, "single window") || !strings.Contains(r.Body, "\\u003ctable\\u003e") {
		t.Errorf("show: %d %s", r.Status, r.Body)
	}
	if r := otherAPI.Get("/api/v1/consents/" + docID); r.Status != http.StatusNotFound || strings.Contains(r.Body, "Through the API") {
		t.Errorf("someone not asked: %d %s", r.Status, r.Body)
	}
	put := func(c *servertest.Client, body string) servertest.Response {
		return c.Do(http.MethodPut, "/api/v1/consents/"+docID, strings.NewReader(body), "application/json")
	}
	if r := put(delAPI, `{"answer":"maybe"}`); r.Status != http.StatusUnprocessableEntity {
		t.Errorf("a bad answer: %d %s", r.Status, r.Body)
	}
	if r := put(delAPI, `{"answer":"anonymous"}`); r.Status != http.StatusOK || !strings.Contains(r.Body, `"answer":"anonymous"`) {
		t.Errorf("answer: %d %s", r.Status, r.Body)
	}
	if r := delAPI.Get("/api/v1/consents/" + docID); !strings.Contains(r.Body, "from a delegation:") || strings.Contains(r.Body, "from Test del") {
		t.Errorf("the draft after asking for anonymity: %s", r.Body)
	}
	biz.Post("/account/consents/"+docID, url.Values{"answer": {"granted"}})
	if r := mod.Post("/moderation/documents/"+docID+"/status", url.Values{"status": {"published"}, "confirm": {"1"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("publish: %d", r.Status)
	}
	if r := put(delAPI, `{"answer":"declined"}`); r.Status != http.StatusConflict || !strings.Contains(r.Body, `"code":"consent_closed"`) {
		t.Errorf("answering a published document: %d %s", r.Status, r.Body)
	}
}
