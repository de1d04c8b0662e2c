package server_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"ideasx/server/servertest"
	"ideasx/store"
	"ideasx/store/storetest"
)

func themeID(t *testing.T, app *servertest.App) int64 {
	t.Helper()
	themes, err := app.Store.Themes(context.Background(), false)
	if err != nil || len(themes) == 0 {
		t.Fatalf("themes: %v", err)
	}
	return themes[0].ID
}

func postThread(t *testing.T, c *servertest.Client, theme int64, title, attribution string) string {
	t.Helper()
	r := c.Post("/forum/threads", url.Values{"theme": {fmt.Sprint(theme)}, "kind": {"challenge"}, "title": {title},
		"body": {"Our **certificates of origin** take three weeks."}, "attribution": {attribution}, "tags": {"origin"}})
	if r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Location, "/forum/threads/") {
		t.Fatalf("post thread: got %d to %q\n%s", r.Status, r.Location, r.Body)
	}
	return r.Location
}

// TestForumIsMembersOnly walks every forum route as each role: nobody but
// active businesses, members, moderators and admins learns anything, not
// even a title.
func TestForumIsMembersOnly(t *testing.T) {
	t.Parallel()
	forEachEngine(t, func(t *testing.T, app *servertest.App) {
		clients := signedInClients(t, app)
		thread := postThread(t, clients["business"], themeID(t, app), "Secret title about customs", "record")
		id := regexp.MustCompile(`/forum/threads/(\d+)`).FindStringSubmatch(thread)[1]
		routes := []struct{ method, path string }{
			{"GET", "/forum"}, {"GET", "/forum/themes/access-to-information"}, {"GET", "/forum/new"}, {"GET", thread},
			{"GET", "/forum?tab=unanswered"}, {"POST", "/forum/threads"}, {"POST", "/forum/threads/" + id + "/posts"},
		}
		for role, allowed := range map[string]bool{"visitor": false, "pending": false, "suspended": false,
			"business": true, "member": true, "moderator": true, "admin": true} {
			for _, rt := range routes {
				var r servertest.Response
				if rt.method == "GET" {
					r = clients[role].Get(rt.path)
				} else {
					r = clients[role].Post(rt.path, url.Values{"body": {"x"}})
				}
				if allowed {
					if r.Status >= 400 && r.Status != http.StatusUnprocessableEntity {
						t.Errorf("%s %s %s: got %d", role, rt.method, rt.path, r.Status)
					}
					continue
				}
				want := http.StatusForbidden
				if role == "visitor" || role == "suspended" {
					want = http.StatusSeeOther
				}
				if r.Status != want || strings.Contains(r.Body, "Secret title") {
					t.Errorf("%s %s %s: got %d (title leaked: %v), want %d", role, rt.method, rt.path, r.Status, strings.Contains(r.Body, "Secret title"), want)
				}
			}
			// Public pages never show forum content to those outside it.
			if allowed {
				continue
			}
			for _, path := range []string{"/", "/documents", "/search?q=secret", "/api/v1/search?q=secret", "/sitemap.xml", "/documents.atom"} {
				if strings.Contains(clients[role].Get(path).Body, "Secret title") {
					t.Errorf("%s: %s shows a forum title", role, path)
				}
			}
		}
	})
}

func TestReplyQuoteAndLock(t *testing.T) {
	t.Parallel()
	forEachEngine(t, func(t *testing.T, app *servertest.App) {
		app.CreateUser("biz@x.example", store.RoleBusiness, "Andes Textiles", store.OrgBusiness)
		app.CreateUser("del@x.example", store.RoleMember, "Delegation of Chile", store.OrgMember)
		app.CreateUser("mod@x.example", store.RoleModerator, "Secretariat", store.OrgSecretariat)
		biz, del, mod := app.Client(), app.Client(), app.Client()
		biz.SignIn("biz@x.example")
		del.SignIn("del@x.example")
		mod.SignIn("mod@x.example")
		thread := postThread(t, biz, themeID(t, app), "Certificates of origin take weeks", "record")
		page := del.Get(thread)
		mustContain(t, page, "Certificates of origin take weeks", "<strong>certificates of origin</strong>", "Andes Textiles")
		first := regexp.MustCompile(`id="post-(\d+)"`).FindStringSubmatch(page.Body)[1]
		quoted := del.Get(thread + "?quote=" + first)
		mustContain(t, quoted, "&gt; Our **certificates of origin** take three weeks.")
		id := regexp.MustCompile(`/forum/threads/(\d+)`).FindStringSubmatch(thread)[1]
		r := del.Post("/forum/threads/"+id+"/posts", url.Values{"body": {"> Our certificates\n\nChile issues them online within a day."}, "quote": {first}})
		if r.Status != http.StatusSeeOther || !strings.Contains(r.Location, "#post-") {
			t.Fatalf("reply: %d %s", r.Status, r.Body)
		}
		mustContain(t, biz.Get(thread), "Chile issues them online within a day.", "Delegation of Chile", "In reply to an earlier message",
			"Seen by 1 delegation, answered by 1", "Answered by: Delegation of Chile")
		if r := del.Post("/forum/threads/"+id+"/posts", url.Values{"body": {"   "}}); r.Status != http.StatusUnprocessableEntity {
			t.Errorf("empty reply: got %d", r.Status)
		}
		if r := del.Post("/forum/threads/"+id+"/posts", url.Values{"body": {strings.Repeat("x", 20001)}}); r.Status != http.StatusUnprocessableEntity {
			t.Errorf("oversized reply: got %d", r.Status)
		}
		if r := del.Post("/forum/threads/"+id+"/switch", url.Values{"switch": {"locked"}, "on": {"true"}}); r.Status != http.StatusForbidden {
			t.Errorf("member locking: got %d", r.Status)
		}
		if r := mod.Post("/forum/threads/"+id+"/switch", url.Values{"switch": {"locked"}, "on": {"true"}}); r.Status != http.StatusSeeOther {
			t.Fatalf("lock: got %d", r.Status)
		}
		r = del.Post("/forum/threads/"+id+"/posts", url.Values{"body": {"Too late"}})
		if r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "locked") {
			t.Errorf("reply to a locked thread: got %d", r.Status)
		}
		if r := mod.Post("/forum/threads/"+id+"/switch", url.Values{"switch": {"hidden"}, "on": {"true"}, "confirm": {"1"}}); r.Status != http.StatusSeeOther {
			t.Fatalf("hide: got %d", r.Status)
		}
		if r := del.Get(thread); r.Status != http.StatusNotFound {
			t.Errorf("member opening a hidden thread: got %d", r.Status)
		}
		if strings.Contains(del.Get("/forum").Body, "Certificates of origin") {
			t.Error("a hidden thread is listed for members")
		}
		if r := mod.Get(thread); r.Status != http.StatusOK {
			t.Errorf("moderator opening a hidden thread: got %d", r.Status)
		}
	})
}

// TestChathamHouseHidesNames: under the Chatham House rule other members
// read the words and the kind of organisation, never a name; moderators and
// the author still see who wrote.
func TestChathamHouseHidesNames(t *testing.T) {
	t.Parallel()
	forEachEngine(t, func(t *testing.T, app *servertest.App) {
		app.CreateUser("biz@x.example", store.RoleBusiness, "Andes Textiles", store.OrgBusiness)
		app.CreateUser("del@x.example", store.RoleMember, "Delegation of Chile", store.OrgMember)
		app.CreateUser("other@x.example", store.RoleBusiness, "Kigali Coffee", store.OrgBusiness)
		app.CreateUser("mod@x.example", store.RoleModerator, "Secretariat", store.OrgSecretariat)
		c := map[string]*servertest.Client{}
		for _, n := range []string{"biz", "del", "other", "mod"} {
			c[n] = app.Client()
			c[n].SignIn(n + "@x.example")
		}
		thread := postThread(t, c["biz"], themeID(t, app), "Informal payments at the border", "chatham")
		id := regexp.MustCompile(`/forum/threads/(\d+)`).FindStringSubmatch(thread)[1]
		c["del"].Post("/forum/threads/"+id+"/posts", url.Values{"body": {"We would like to hear more."}})
		names := []string{"Test biz", "Andes Textiles", "Test del", "Delegation of Chile"}
		for _, page := range []string{thread, "/forum", "/forum?tab=mine", "/forum/themes/access-to-information"} {
			body := c["other"].Get(page).Body
			for _, n := range names {
				if strings.Contains(body, n) {
					t.Errorf("another member sees %q on %s", n, page)
				}
			}
		}
		mustContain(t, c["other"].Get(thread), "A business", "A delegation", "We would like to hear more.")
		export := c["other"].Get("/forum/threads/" + id + "/export")
		if export.Status != http.StatusOK || !strings.Contains(export.Header.Get("Content-Type"), "text/markdown") {
			t.Fatalf("export: %d %s", export.Status, export.Header.Get("Content-Type"))
		}
		for _, n := range names {
			if strings.Contains(export.Body, n) {
				t.Errorf("the export names %q to another member", n)
			}
		}
		if !strings.Contains(export.Body, "**A business**") || !strings.Contains(export.Body, "We would like to hear more.") {
			t.Errorf("export: %s", export.Body)
		}
		if body := c["mod"].Get("/forum/threads/" + id + "/export").Body; !strings.Contains(body, "Test biz (Andes Textiles)") {
			t.Error("a moderator's export does not name the author")
		}
		if got := app.Client().Get("/forum/threads/" + id + "/export").Status; got != http.StatusSeeOther {
			t.Errorf("visitor export: %d", got)
		}
		mustContain(t, c["mod"].Get(thread), "Test biz", "Andes Textiles", "Test del", "name hidden from others")
		mustContain(t, c["biz"].Get(thread), "Test biz")
		if strings.Contains(c["biz"].Get(thread).Body, "Test del") {
			t.Error("the author sees another member's name under the Chatham House rule")
		}
	})
}

func TestForumListsAndBadThreads(t *testing.T) {
	t.Parallel()
	app := servertest.New(t, storetest.SQLite, nil)
	app.CreateUser("biz@x.example", store.RoleBusiness, "Firm", store.OrgBusiness)
	app.CreateUser("del@x.example", store.RoleMember, "Delegation", store.OrgMember)
	biz, del := app.Client(), app.Client()
	biz.SignIn("biz@x.example")
	del.SignIn("del@x.example")
	theme := themeID(t, app)
	postThread(t, biz, theme, "First challenge", "record")
	second := postThread(t, biz, theme, "Second challenge", "personal")
	id := regexp.MustCompile(`/forum/threads/(\d+)`).FindStringSubmatch(second)[1]
	del.Post("/forum/threads/"+id+"/posts", url.Values{"body": {"An answer"}})
	ours := del.Get("/forum?tab=ours").Body
	if !strings.Contains(ours, "First challenge") || strings.Contains(ours, "Second challenge") {
		t.Error("'not yet answered by my delegation' is wrong")
	}
	// A business has no delegation: no such list for it.
	if list := biz.Get("/forum").Body; strings.Contains(list, "tab=ours") || strings.Contains(list, "answered by my delegation") {
		t.Error("a business is offered the list of its delegation's unanswered challenges")
	}
	if !strings.Contains(del.Get("/forum").Body, "tab=ours") {
		t.Error("a delegation is not offered its list of unanswered challenges")
	}
	if body := del.Get(second).Body; strings.Contains(body, ">Firm<") || strings.Contains(body, "· Firm") {
		t.Error("personal capacity shows the organisation")
	}
	for _, c := range []struct {
		name string
		form url.Values
	}{
		{"no title", url.Values{"theme": {fmt.Sprint(theme)}, "kind": {"challenge"}, "body": {"x"}, "attribution": {"record"}}},
		{"unknown theme", url.Values{"theme": {"99999"}, "kind": {"challenge"}, "title": {"x"}, "body": {"x"}, "attribution": {"record"}}},
		{"unknown kind", url.Values{"theme": {fmt.Sprint(theme)}, "kind": {"rant"}, "title": {"x"}, "body": {"x"}, "attribution": {"record"}}},
		{"unknown attribution", url.Values{"theme": {fmt.Sprint(theme)}, "kind": {"discussion"}, "title": {"x"}, "body": {"x"}, "attribution": {"anonymous"}}},
		{"empty body", url.Values{"theme": {fmt.Sprint(theme)}, "kind": {"discussion"}, "title": {"x"}, "body": {""}, "attribution": {"record"}}},
	} {
		if r := biz.Post("/forum/threads", c.form); r.Status != http.StatusUnprocessableEntity {
			t.Errorf("%s: got %d, want 422", c.name, r.Status)
		}
	}
	if got := biz.Get("/forum/themes/no-such-theme").Status; got != http.StatusNotFound {
		t.Errorf("unknown theme: %d", got)
	}
	if got := biz.Get("/forum?after=garbage").Status; got != http.StatusOK {
		t.Errorf("bad cursor: %d", got)
	}
}

func TestChallengeLifecycleOnPages(t *testing.T) {
	t.Parallel()
	forEachEngine(t, func(t *testing.T, app *servertest.App) {
		app.CreateUser("biz@x.example", store.RoleBusiness, "Andes Textiles", store.OrgBusiness)
		app.CreateUser("del@x.example", store.RoleMember, "Delegation of Chile", store.OrgMember)
		app.CreateUser("mod@x.example", store.RoleModerator, "Secretariat", store.OrgSecretariat)
		biz, del, mod := app.Client(), app.Client(), app.Client()
		biz.SignIn("biz@x.example")
		del.SignIn("del@x.example")
		mod.SignIn("mod@x.example")
		thread := postThread(t, biz, themeID(t, app), "Paper certificates only", "chatham")
		id := regexp.MustCompile(`/forum/threads/(\d+)`).FindStringSubmatch(thread)[1]
		r := del.Post("/forum/threads/"+id+"/posts", url.Values{"body": {"Electronic ones are accepted."}})
		post := regexp.MustCompile(`#post-(\d+)`).FindStringSubmatch(r.Location)[1]
		status := func(c *servertest.Client, form url.Values) int {
			return c.Post("/forum/threads/"+id+"/status", form).Status
		}
		if got := status(del, url.Values{"to": {"answered"}, "post": {post}}); got != http.StatusConflict {
			t.Errorf("another member accepting: got %d, want 409", got)
		}
		if got := status(biz, url.Values{"to": {"referred"}}); got != http.StatusConflict {
			t.Errorf("author referring: got %d, want 409", got)
		}
		if got := status(biz, url.Values{"to": {"flying"}}); got != http.StatusUnprocessableEntity {
			t.Errorf("unknown status: got %d, want 422", got)
		}
		if got := status(biz, url.Values{"to": {"answered"}, "post": {post}}); got != http.StatusSeeOther {
			t.Fatalf("author accepting: got %d", got)
		}
		page := del.Get(thread)
		mustContain(t, page, "Accepted answer", "Answered", "Seen by 1 delegation, answered by 1")
		if strings.Contains(page.Body, "Answered by:") {
			t.Error("coverage names the answering delegation under the Chatham House rule")
		}
		// The history names nobody under the Chatham House rule.
		if strings.Contains(page.Body, "Test biz") {
			t.Error("the history shows the author's name under the Chatham House rule")
		}
		ev := store.Event{Title: "Open meeting", StartsAt: time.Now(), EndsAt: time.Now().Add(time.Hour), Timezone: "Europe/Zurich", Visibility: store.Public}
		if err := app.Store.SaveEvent(context.Background(), 0, &ev); err != nil {
			t.Fatal(err)
		}
		if got := status(mod, url.Values{"to": {"referred"}}); got != http.StatusUnprocessableEntity {
			t.Errorf("referral without a target: got %d, want 422", got)
		}
		if got := status(mod, url.Values{"to": {"referred"}, "event": {fmt.Sprint(ev.ID)}, "note": {"On the November agenda"}}); got != http.StatusSeeOther {
			t.Fatalf("moderator referring: got %d", got)
		}
		mustContain(t, del.Get(thread), "Referred to the group", "On the November agenda", "The secretariat")
		mustContain(t, mod.Get(thread), "Test mod")
	})
}

func TestPostEditDeleteRestoreAndUseful(t *testing.T) {
	t.Parallel()
	forEachEngine(t, func(t *testing.T, app *servertest.App) {
		app.CreateUser("biz@x.example", store.RoleBusiness, "Andes Textiles", store.OrgBusiness)
		app.CreateUser("del@x.example", store.RoleMember, "Delegation of Chile", store.OrgMember)
		app.CreateUser("mod@x.example", store.RoleModerator, "Secretariat", store.OrgSecretariat)
		biz, del, mod := app.Client(), app.Client(), app.Client()
		biz.SignIn("biz@x.example")
		del.SignIn("del@x.example")
		mod.SignIn("mod@x.example")
		thread := postThread(t, biz, themeID(t, app), "Edits and deletions", "record")
		id := regexp.MustCompile(`/forum/threads/(\d+)`).FindStringSubmatch(thread)[1]
		opening := regexp.MustCompile(`id="post-(\d+)"`).FindStringSubmatch(biz.Get(thread).Body)[1]
		r := del.Post("/forum/threads/"+id+"/posts", url.Values{"body": {"First wording of the answer."}})
		post := regexp.MustCompile(`#post-(\d+)`).FindStringSubmatch(r.Location)[1]

		if got := biz.Get("/forum/posts/" + post + "/edit").Status; got != http.StatusForbidden {
			t.Errorf("editing someone else's post: got %d, want 403", got)
		}
		if r := del.Post("/forum/posts/"+post, url.Values{"body": {"Second wording of the answer."}}); r.Status != http.StatusSeeOther {
			t.Fatalf("edit: got %d", r.Status)
		}
		mustContain(t, biz.Get(thread), "Second wording of the answer.", "edited")
		mustContain(t, del.Get("/forum/posts/"+post+"/edit"), "First wording of the answer.")
		mustContain(t, mod.Get("/forum/posts/"+post+"/edit"), "First wording of the answer.")

		if r := biz.Post("/forum/posts/"+post+"/useful", nil); r.Status != http.StatusSeeOther {
			t.Fatalf("useful: got %d", r.Status)
		}
		mustContain(t, del.Get(thread), `<span class="count">1</span>`)

		if got := biz.Post("/forum/posts/"+post+"/delete", nil).Status; got != http.StatusForbidden {
			t.Errorf("deleting someone else's post: got %d, want 403", got)
		}
		if got := biz.Post("/forum/posts/"+opening+"/delete", nil).Status; got != http.StatusConflict {
			t.Errorf("deleting the opening post: got %d, want 409", got)
		}
		if got := del.Post("/forum/posts/"+post+"/delete", url.Values{"confirm": {"1"}}).Status; got != http.StatusSeeOther {
			t.Fatalf("author deleting: got %d", got)
		}
		page := biz.Get(thread)
		mustContain(t, page, "This message was removed.")
		removed := page.Body[strings.Index(page.Body, `id="post-`+post+`"`):]
		removed = removed[:strings.Index(removed, "</li>")]
		if strings.Contains(page.Body, "Second wording") || strings.Contains(removed, "Test del") {
			t.Error("a deleted post's text or author reaches members")
		}
		if got := biz.Get("/forum/posts/" + post + "/edit").Status; got != http.StatusNotFound {
			t.Errorf("member opening a deleted post: got %d, want 404", got)
		}
		mustContain(t, mod.Get(thread), "Second wording of the answer.", "only moderators see this message")
		if got := del.Post("/forum/posts/"+post+"/restore", nil).Status; got != http.StatusForbidden {
			t.Errorf("member restoring: got %d, want 403", got)
		}
		if got := mod.Post("/forum/posts/"+post+"/restore", nil).Status; got != http.StatusSeeOther {
			t.Fatalf("moderator restoring: got %d", got)
		}
		mustContain(t, biz.Get(thread), "Second wording of the answer.")
	})
}

func TestFlagAndModerationQueue(t *testing.T) {
	t.Parallel()
	forEachEngine(t, func(t *testing.T, app *servertest.App) {
		app.CreateUser("biz@x.example", store.RoleBusiness, "Andes Textiles", store.OrgBusiness)
		app.CreateUser("troll@x.example", store.RoleBusiness, "Troll Ltd", store.OrgBusiness)
		app.CreateUser("mod@x.example", store.RoleModerator, "Secretariat", store.OrgSecretariat)
		biz, troll, mod := app.Client(), app.Client(), app.Client()
		biz.SignIn("biz@x.example")
		troll.SignIn("troll@x.example")
		mod.SignIn("mod@x.example")
		thread := postThread(t, biz, themeID(t, app), "A calm thread", "record")
		id := regexp.MustCompile(`/forum/threads/(\d+)`).FindStringSubmatch(thread)[1]
		r := troll.Post("/forum/threads/"+id+"/posts", url.Values{"body": {"Buy cheap watches now"}})
		post := regexp.MustCompile(`#post-(\d+)`).FindStringSubmatch(r.Location)[1]
		if got := biz.Post("/forum/posts/"+post+"/flag", url.Values{"reason": {"nonsense"}}).Status; got != http.StatusUnprocessableEntity {
			t.Errorf("unknown reason: got %d", got)
		}
		if got := biz.Post("/forum/posts/"+post+"/flag", url.Values{"reason": {"spam"}, "note": {"watches"}}).Status; got != http.StatusSeeOther {
			t.Fatalf("flag: got %d", got)
		}
		if got := biz.Get("/moderation/flags").Status; got != http.StatusForbidden {
			t.Errorf("member opening the queue: got %d", got)
		}
		queue := mod.Get("/moderation/flags")
		mustContain(t, queue, "Buy cheap watches now", "Spam or advertising — watches", "Test troll")
		flagID := regexp.MustCompile(`/moderation/flags/(\d+)`).FindStringSubmatch(queue.Body)[1]
		if got := mod.Post("/moderation/flags/"+flagID, url.Values{"action": {"hide_post"}, "confirm": {"1"}}).Status; got != http.StatusSeeOther {
			t.Fatalf("resolve: got %d", got)
		}
		if strings.Contains(biz.Get(thread).Body, "Buy cheap watches") {
			t.Error("a hidden post still shows to members")
		}
		mustContain(t, mod.Get("/moderation/flags"), "No flag is waiting")
		if got := mod.Get("/admin/audit").Status; got != http.StatusForbidden {
			t.Errorf("moderator on the audit log: %d", got)
		}
	})
}

func TestWatchAndMoveOnPages(t *testing.T) {
	t.Parallel()
	app := servertest.New(t, storetest.SQLite, nil)
	app.CreateUser("biz@x.example", store.RoleBusiness, "Firm", store.OrgBusiness)
	app.CreateUser("del@x.example", store.RoleMember, "Delegation", store.OrgMember)
	app.CreateUser("mod@x.example", store.RoleModerator, "Secretariat", store.OrgSecretariat)
	biz, del, mod := app.Client(), app.Client(), app.Client()
	biz.SignIn("biz@x.example")
	del.SignIn("del@x.example")
	mod.SignIn("mod@x.example")
	thread := postThread(t, biz, themeID(t, app), "Watch me", "record")
	id := regexp.MustCompile(`/forum/threads/(\d+)`).FindStringSubmatch(thread)[1]
	if strings.Contains(del.Get("/forum?tab=watched").Body, "Watch me") {
		t.Error("watched list holds a thread the member never watched")
	}
	if got := del.Post("/forum/threads/"+id+"/watch", url.Values{"level": {"watch"}}).Status; got != http.StatusSeeOther {
		t.Fatalf("watch: %d", got)
	}
	mustContain(t, del.Get("/forum?tab=watched"), "Watch me")
	if got := del.Post("/forum/threads/"+id+"/watch", url.Values{"level": {"shout"}}).Status; got != http.StatusUnprocessableEntity {
		t.Errorf("unknown level: %d", got)
	}
	if got := del.Post("/forum/threads/"+id+"/move", url.Values{"theme": {"2"}}).Status; got != http.StatusForbidden {
		t.Errorf("member moving: %d", got)
	}
	if got := mod.Post("/forum/threads/"+id+"/move", url.Values{"theme": {"abc"}}).Status; got != http.StatusUnprocessableEntity {
		t.Errorf("bad theme: %d", got)
	}
	themes, _ := app.Store.Themes(context.Background(), false)
	if got := mod.Post("/forum/threads/"+id+"/move", url.Values{"theme": {fmt.Sprint(themes[3].ID)}}).Status; got != http.StatusSeeOther {
		t.Fatalf("move: %d", got)
	}
	mustContain(t, del.Get("/forum/themes/"+themes[3].Slug), "Watch me")
}

func TestForumSearchForMembersOnly(t *testing.T) {
	t.Parallel()
	forEachEngine(t, func(t *testing.T, app *servertest.App) {
		clients := signedInClients(t, app)
		postThread(t, clients["business"], themeID(t, app), "Warehouse bonded zones", "chatham")
		for role, allowed := range map[string]bool{"visitor": false, "pending": false, "business": true, "member": true, "moderator": true} {
			page := clients[role].Get("/search?q=certificates+origin")
			api := clients[role].Get("/api/v1/search?q=bonded")
			if strings.Contains(page.Body, "Warehouse bonded zones") != allowed || strings.Contains(api.Body, "Warehouse bonded zones") != allowed {
				t.Errorf("%s finds the forum thread: page %v, API %v, want %v", role, strings.Contains(page.Body, "Warehouse"), strings.Contains(api.Body, "Warehouse"), allowed)
			}
			// Moderators are offered every organisation to filter by, above the results.
			results := page.Body[max(0, strings.Index(page.Body, `class="search-results`)):]
			if allowed && role != "business" && strings.Contains(results, "Org of business") {
				t.Errorf("%s: search results name the author's organisation", role)
			}
		}
		if r := clients["member"].Get("/search?q=origin&in=documents"); strings.Contains(r.Body, "Warehouse bonded zones") {
			t.Error("documents-only search returned a thread")
		}
	})
}

func TestModeratorsManageThemes(t *testing.T) {
	t.Parallel()
	forEachEngine(t, func(t *testing.T, app *servertest.App) {
		app.CreateUser("biz@x.example", store.RoleBusiness, "Firm", store.OrgBusiness)
		app.CreateUser("mod@x.example", store.RoleModerator, "Secretariat", store.OrgSecretariat)
		biz, mod := app.Client(), app.Client()
		biz.SignIn("biz@x.example")
		mod.SignIn("mod@x.example")
		if got := biz.Get("/moderation/themes").Status; got != http.StatusForbidden {
			t.Errorf("member on the themes page: %d", got)
		}
		form := url.Values{"slug": {"standards"}, "name_en": {"Standards"}, "name_fr": {"Normes"}, "name_es": {"Normas"}, "position": {"90"}}
		if got := mod.Post("/moderation/themes", form).Status; got != http.StatusSeeOther {
			t.Fatalf("create theme: %d", got)
		}
		if got := mod.Post("/moderation/themes", form).Status; got != http.StatusUnprocessableEntity {
			t.Errorf("duplicate slug: %d", got)
		}
		bad := url.Values{"slug": {"Not A Slug"}, "name_en": {"x"}, "name_fr": {""}, "name_es": {"x"}}
		if r := mod.Post("/moderation/themes", bad); r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "lower-case") {
			t.Errorf("bad theme: %d", r.Status)
		}
		mustContain(t, biz.Get("/forum"), "Standards")
		themes, _ := app.Store.Themes(context.Background(), true)
		last := themes[len(themes)-1]
		archive := url.Values{"id": {fmt.Sprint(last.ID)}, "slug": {"standards"}, "name_en": {"Standards"}, "name_fr": {"Normes"}, "name_es": {"Normas"}, "archived": {"on"}}
		if got := mod.Post("/moderation/themes", archive).Status; got != http.StatusSeeOther {
			t.Fatalf("archive: %d", got)
		}
		if strings.Contains(biz.Get("/forum").Body, ">Standards<") {
			t.Error("an archived theme is still offered")
		}
		r := biz.Post("/forum/threads", url.Values{"theme": {fmt.Sprint(last.ID)}, "kind": {"discussion"}, "title": {"x"}, "body": {"x"}, "attribution": {"record"}})
		if r.Status != http.StatusUnprocessableEntity {
			t.Errorf("thread in an archived theme: %d", r.Status)
		}
	})
}

func TestMentions(t *testing.T) {
	t.Parallel()
	forEachEngine(t, func(t *testing.T, app *servertest.App) {
		app.CreateUser("biz@x.example", store.RoleBusiness, "Firm", store.OrgBusiness)
		delegate := app.CreateUser("del@x.example", store.RoleMember, "Delegation of Chile", store.OrgMember)
		pending := app.CreateUser("waiting@x.example", store.RolePending, "Newcomer Ltd", store.OrgBusiness)
		biz := app.Client()
		biz.SignIn("biz@x.example")
		if delegate.Handle != "test.del" || pending.Handle != "test.waiting" {
			t.Fatalf("handles: %q %q", delegate.Handle, pending.Handle)
		}
		thread := postThread(t, biz, themeID(t, app), "Mentions", "record")
		id := regexp.MustCompile(`/forum/threads/(\d+)`).FindStringSubmatch(thread)[1]
		r := biz.Post("/forum/threads/"+id+"/posts", url.Values{"body": {"@test.del could you answer? cc @test.waiting and @nobody, mail x@test.del.org"}})
		post := regexp.MustCompile(`#post-(\d+)`).FindStringSubmatch(r.Location)[1]
		page := biz.Get(thread).Body
		if !strings.Contains(page, `<a class="mention" href="/forum/people/test.del"`) {
			t.Error("a member's handle is not a link")
		}
		if strings.Contains(page, "/forum/people/test.waiting") || strings.Contains(page, "/forum/people/nobody") {
			t.Error("a handle of someone who cannot read the forum became a link")
		}
		pid, _ := strconv.ParseInt(post, 10, 64)
		ids, _ := app.Store.PostMentions(context.Background(), pid)
		if len(ids) != 1 || ids[0] != delegate.ID {
			t.Errorf("recorded mentions %v, want only the delegate", ids)
		}
		mustContain(t, biz.Get("/forum/people/test.del"), "Test del", "Delegation of Chile")
		if got := biz.Get("/forum/people/test.waiting").Status; got != http.StatusNotFound {
			t.Errorf("profile of a pending account: %d", got)
		}
	})
}

// TestSearchSnippetReadsWell: a result's extract starts on a whole word
// and keeps a list's items apart.
func TestSearchSnippetReadsWell(t *testing.T) {
	t.Parallel()
	app := servertest.New(t, storetest.SQLite, nil)
	app.CreateUser("biz@x.example", store.RoleBusiness, "Firm", store.OrgBusiness)
	biz := app.Client()
	biz.SignIn("biz@x.example")
	body := "The working group agreed in 2019 on a programme of meetings for the coming year, each on one theme " +
		"chosen by the members after a long consultation. The themes of the meetings are:\n\n" +
		"- access to information\n- trade finance\n- warehousing and bonded zones\n- e-commerce"
	r := biz.Post("/forum/threads", url.Values{"theme": {fmt.Sprint(themeID(t, app))}, "kind": {"discussion"}, "title": {"Programme"},
		"body": {body}, "attribution": {"record"}})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("post thread: %d", r.Status)
	}
	page := biz.Get("/search?q=warehousing").Body
	m := regexp.MustCompile(`…(\S+) [^<]*?trade finance; <mark>warehousing</mark> and bonded zones; e-commerce`).FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no readable extract in:\n%s", page[max(0, strings.Index(page, "search-results")):])
	}
	if !strings.Contains(body, " "+m[1]+" ") {
		t.Errorf("the extract starts inside a word: %q", m[1])
	}
}
