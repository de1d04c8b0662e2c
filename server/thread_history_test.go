package server_test

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"ideasx/server/servertest"
	"ideasx/store"
)

var (
	historySection = regexp.MustCompile(`(?s)<section class="history".*?</section>`)
	anyTag         = regexp.MustCompile(`<[^>]*>`)
	spaces         = regexp.MustCompile(`\s+`)
)

// historyText is the status history of a thread page as a reader reads it.
func historyText(t *testing.T, c *servertest.Client, thread string) string {
	t.Helper()
	page := c.Get(thread)
	sec := historySection.FindString(page.Body)
	if sec == "" {
		t.Fatalf("%s has no status history (status %d)", thread, page.Status)
	}
	return spaces.ReplaceAllString(html.UnescapeString(anyTag.ReplaceAllString(sec, " ")), " ")
}

// The history says who accepted whose answer, never that the challenge's
// author answered it; under the Chatham House rule it names nobody the
// reader may not see, in the same words the posts use.
func TestStatusHistorySaysWhoAcceptedWhoseAnswer(t *testing.T) {
	t.Parallel()
	forEachEngine(t, func(t *testing.T, app *servertest.App) {
		app.CreateUser("biz@x.example", store.RoleBusiness, "Andes Textiles", store.OrgBusiness)
		app.CreateUser("del@x.example", store.RoleMember, "Delegation of Chile", store.OrgMember)
		app.CreateUser("other@x.example", store.RoleMember, "Delegation of Peru", store.OrgMember)
		biz, del, other := app.Client(), app.Client(), app.Client()
		biz.SignIn("biz@x.example")
		del.SignIn("del@x.example")
		other.SignIn("other@x.example")
		theme := themeID(t, app)
		accept := func(thread string) {
			t.Helper()
			id := regexp.MustCompile(`/forum/threads/(\d+)`).FindStringSubmatch(thread)[1]
			r := del.Post("/forum/threads/"+id+"/posts", url.Values{"body": {"Electronic ones are accepted."}})
			post := regexp.MustCompile(`#post-(\d+)`).FindStringSubmatch(r.Location)[1]
			if r := biz.Post("/forum/threads/"+id+"/status", url.Values{"to": {"answered"}, "post": {post}}); r.Status != http.StatusSeeOther {
				t.Fatalf("accepting: got %d", r.Status)
			}
		}

		record := postThread(t, biz, theme, "Paper certificates only", "record")
		accept(record)
		got := historyText(t, other, record)
		if want := "Answered Test biz · Andes Textiles accepted the answer from Test del · Delegation of Chile"; !strings.Contains(got, want) {
			t.Errorf("on the record: history reads %q, want %q", got, want)
		}
		if strings.Contains(got, "Answered by") {
			t.Errorf("history still reads as if the author answered: %q", got)
		}

		chatham := postThread(t, biz, theme, "Stamps on every page", "chatham")
		accept(chatham)
		for _, tc := range []struct{ lang, want string }{
			{"en", "Answered A business accepted the answer from A delegation"},
			{"fr", "Répondu Une entreprise a accepté la réponse de Une délégation"},
			{"es", "Respondido Una empresa aceptó la respuesta de Una delegación"},
		} {
			other.Post("/lang", url.Values{"lang": {tc.lang}, "next": {"/"}})
			got := historyText(t, other, chatham)
			if !strings.Contains(got, tc.want) {
				t.Errorf("%s, Chatham House: history reads %q, want %q", tc.lang, got, tc.want)
			}
			for _, name := range []string{"Test biz", "Test del", "Andes", "Chile"} {
				if strings.Contains(got, name) {
					t.Errorf("%s, Chatham House: history names %q: %q", tc.lang, name, got)
				}
			}
		}

		// A withdrawn acceptance no longer knows which reply it was: it
		// says an answer was accepted, and the new one names its author.
		id := regexp.MustCompile(`/forum/threads/(\d+)`).FindStringSubmatch(record)[1]
		if r := biz.Post("/forum/threads/"+id+"/status", url.Values{"to": {"open"}}); r.Status != http.StatusSeeOther {
			t.Fatalf("withdrawing: got %d", r.Status)
		}
		accept(record)
		got = historyText(t, del, record)
		for _, want := range []string{"Answered Test biz · Andes Textiles accepted an answer", "accepted the answer from Test del · Delegation of Chile"} {
			if !strings.Contains(got, want) {
				t.Errorf("after a second acceptance: history reads %q, want %q", got, want)
			}
		}
	})
}
