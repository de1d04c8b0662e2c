package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"ideasx/server/servertest"
	"ideasx/store"
	"ideasx/store/storetest"
)

type mentionAnswer struct {
	Suggestions []map[string]any `json:"suggestions"`
}

func suggestions(t *testing.T, c *servertest.Client, query string) (int, mentionAnswer, string) {
	t.Helper()
	r := c.Get("/api/v1/mention-suggestions?" + query)
	var a mentionAnswer
	if r.Status == http.StatusOK {
		if err := json.Unmarshal([]byte(r.Body), &a); err != nil {
			t.Fatalf("suggestions are not JSON: %v\n%s", err, r.Body)
		}
	}
	return r.Status, a, r.Body
}

func suggested(a mentionAnswer, handle string) map[string]any {
	for _, s := range a.Suggestions {
		if s["handle"] == handle {
			return s
		}
	}
	return nil
}

// TestMentionSuggestionsRights: the editor's "@" suggestions take the
// rights of reading the thread (visitors 401, accounts without forum access
// 403, an unknown thread 404), and show what the thread's attribution lets
// the writer see: on the record names and organisations, those who wrote
// first; under the Chatham House rule only handles, never of someone who
// spoke only under the rule, nothing matched by name or organisation,
// nobody marked as having written; moderators still see who is who.
func TestMentionSuggestionsRights(t *testing.T) {
	t.Parallel()
	forEachEngine(t, func(t *testing.T, app *servertest.App) {
		ctx := context.Background()
		clients := signedInClients(t, app)
		theme := themeID(t, app)
		record := postThread(t, clients["business"], theme, "Forms in three languages", "record")
		recordID := regexp.MustCompile(`/forum/threads/(\d+)`).FindStringSubmatch(record)[1]
		if r := clients["member"].Post(fmt.Sprintf("/forum/threads/%s/posts", recordID), url.Values{"body": {"We accept English."}}); r.Status != http.StatusSeeOther {
			t.Fatalf("reply: %d", r.Status)
		}
		app.CreateUser("whisper@quiet.example", store.RoleMember, "Delegation of Nauru", store.OrgMember)
		quiet := app.Client()
		quiet.SignIn("whisper@quiet.example")
		chatham := postThread(t, quiet, theme, "What we cannot say aloud", "chatham")
		chathamID := regexp.MustCompile(`/forum/threads/(\d+)`).FindStringSubmatch(chatham)[1]
		member, err := app.Store.UserByEmail(ctx, "member@roles.example")
		if err != nil {
			t.Fatal(err)
		}
		whisper, err := app.Store.UserByEmail(ctx, "whisper@quiet.example")
		if err != nil {
			t.Fatal(err)
		}

		for role, want := range map[string]int{"visitor": http.StatusUnauthorized, "pending": http.StatusForbidden, "suspended": http.StatusUnauthorized,
			"business": http.StatusOK, "member": http.StatusOK, "moderator": http.StatusOK, "admin": http.StatusOK} {
			status, a, body := suggestions(t, clients[role], "thread="+recordID+"&q=")
			if status != want {
				t.Errorf("%s: got %d, want %d\n%s", role, status, want, body)
			}
			if status != http.StatusOK && strings.Contains(body, member.Handle) {
				t.Errorf("%s learns a handle from a refused look-up:\n%s", role, body)
			}
			if status == http.StatusOK && len(a.Suggestions) == 0 {
				t.Errorf("%s: no suggestions at all", role)
			}
		}
		for _, ref := range []string{"999999", "abc", "-1"} {
			if status, _, _ := suggestions(t, clients["business"], "thread="+ref+"&q=a"); status != http.StatusNotFound {
				t.Errorf("thread %q: got %d, want 404", ref, status)
			}
		}

		// On the record: who replied comes first, with name and organisation, found by organisation too.
		_, a, _ := suggestions(t, clients["business"], "thread="+recordID)
		if len(a.Suggestions) == 0 || a.Suggestions[0]["handle"] != member.Handle || a.Suggestions[0]["in_thread"] != true {
			t.Errorf("on the record: got %v, want %s (who replied) first, in the thread", a.Suggestions, member.Handle)
		}
		_, a, _ = suggestions(t, clients["business"], "thread="+recordID+"&q="+url.QueryEscape("Org of member"))
		if s := suggested(a, member.Handle); s == nil || s["name"] != member.Name || s["organisation"] != "Org of member" {
			t.Errorf("by organisation on the record: got %v", a.Suggestions)
		}
		writer, err := app.Store.UserByEmail(ctx, "business@roles.example")
		if err != nil {
			t.Fatal(err)
		}
		if suggested(a, writer.Handle) != nil {
			t.Errorf("the writer is suggested to themselves: %v", a.Suggestions)
		}

		// Chatham House, for a business: handles only; the delegate who spoke only under the rule is never offered.
		status, a, body := suggestions(t, clients["business"], "thread="+chathamID+"&q=")
		if status != http.StatusOK || suggested(a, member.Handle) == nil {
			t.Fatalf("Chatham House: got %d %v, want %s (named on the record elsewhere)", status, a.Suggestions, member.Handle)
		}
		if suggested(a, whisper.Handle) != nil || strings.Contains(body, whisper.Name) {
			t.Errorf("Chatham House offers %s, who spoke only under the rule:\n%s", whisper.Handle, body)
		}
		for _, leak := range []string{`"name"`, `"organisation"`, `"in_thread"`, member.Name, "Org of member"} {
			if strings.Contains(body, leak) {
				t.Errorf("Chatham House answer shows %s:\n%s", leak, body)
			}
		}
		if _, a, _ := suggestions(t, clients["business"], "thread="+chathamID+"&q="+url.QueryEscape("Org of member")); len(a.Suggestions) != 0 {
			t.Errorf("Chatham House matched an organisation: %v", a.Suggestions)
		}
		// A new thread the writer means to hold under the rule gets the same.
		if _, _, body := suggestions(t, clients["business"], "attribution=chatham&q=member"); strings.Contains(body, `"name"`) {
			t.Errorf("new Chatham House thread shows names:\n%s", body)
		}
		// Moderators see who wrote what, here too.
		_, a, _ = suggestions(t, clients["moderator"], "thread="+chathamID+"&q=whisper")
		if s := suggested(a, whisper.Handle); s == nil || s["name"] != whisper.Name || s["in_thread"] != true {
			t.Errorf("moderator under Chatham House: got %v, want %s named and in the thread", a.Suggestions, whisper.Handle)
		}

		// Personal capacity: names, no organisations, none matched by organisation.
		personal := postThread(t, clients["member"], theme, "Speaking for myself", "personal")
		personalID := regexp.MustCompile(`/forum/threads/(\d+)`).FindStringSubmatch(personal)[1]
		_, _, body = suggestions(t, clients["business"], "thread="+personalID+"&q=")
		if !strings.Contains(body, member.Name) || strings.Contains(body, `"organisation"`) {
			t.Errorf("personal capacity: want names without organisations:\n%s", body)
		}

		// Bad input names the parameter.
		r := clients["business"].Get("/api/v1/mention-suggestions?q=" + strings.Repeat("a", 51))
		if r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, `"q"`) {
			t.Errorf("long q: got %d %s, want 422 naming q", r.Status, r.Body)
		}
		r = clients["business"].Get("/api/v1/mention-suggestions?attribution=secret")
		if r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, `"attribution"`) {
			t.Errorf("bad attribution: got %d %s, want 422 naming attribution", r.Status, r.Body)
		}
	})
}

// TestMentionSuggestionsRateLimited: a loop asking for suggestions is told
// to wait (429 with Retry-After), per account, without a 5xx.
func TestMentionSuggestionsRateLimited(t *testing.T) {
	t.Parallel()
	app := servertest.New(t, storetest.SQLite, nil)
	clients := signedInClients(t, app)
	var last servertest.Response
	for range 80 {
		if last = clients["business"].Get("/api/v1/mention-suggestions?q=a"); last.Status != http.StatusOK {
			break
		}
	}
	if last.Status != http.StatusTooManyRequests || last.Header.Get("Retry-After") == "" {
		t.Fatalf("80 look-ups at once: last got %d (Retry-After %q), want 429 with Retry-After", last.Status, last.Header.Get("Retry-After"))
	}
	assertAPIError(t, last, "rate_limited")
	if r := clients["member"].Get("/api/v1/mention-suggestions?q=a"); r.Status != http.StatusOK {
		t.Errorf("another account is limited too: got %d", r.Status)
	}
}
