package server_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"ideasx/server/servertest"
	"ideasx/store"
	"ideasx/store/storetest"
)

// A thread's body is drawn once for every reader who stands in the same
// place, and each reader's page is kept for their next look: what is one
// reader's own (their name, their posts, their marks, their watching,
// their unread count, a moderator's tools) never reaches another, and
// what changes shows on the next look. Each reader looks twice, so that
// the second page is the one kept.
func TestThreadPagesKeepReadersApart(t *testing.T) {
	t.Parallel()
	app := servertest.New(t, storetest.Postgres, nil)
	ctx := context.Background()
	biz := app.CreateUser("exporter@andes.example", store.RoleBusiness, "Andes Textiles", store.OrgBusiness)
	peru := app.CreateUser("delegate@peru.example", store.RoleMember, "Delegation of Peru", store.OrgMember)
	chile := app.CreateUser("delegate@chile.example", store.RoleMember, "Delegation of Chile", store.OrgMember)
	kenya := app.CreateUser("delegate@kenya.example", store.RoleMember, "Delegation of Kenya", store.OrgMember)
	mod := app.CreateUser("mod@secretariat.example", store.RoleModerator, "Secretariat", store.OrgSecretariat)
	th, err := app.Store.CreateThread(ctx, store.NewThread{ThemeID: themeID(t, app), Kind: "challenge", Title: "Certificates of origin",
		Attribution: store.OnTheRecord, Body: "Three weeks per certificate.", HTML: "<p>Three weeks per certificate.</p>", Author: biz})
	if err != nil {
		t.Fatal(err)
	}
	reply, err := app.Store.CreatePost(ctx, store.NewPost{ThreadID: th.ID, Author: peru, Body: "Lima takes ten days.", HTML: "<p>Lima takes ten days.</p>"})
	if err != nil {
		t.Fatal(err)
	}
	clients := map[*store.User]*servertest.Client{}
	for _, u := range []*store.User{peru, chile, kenya, mod} {
		clients[u] = app.Client()
		clients[u].SignIn(u.Email)
	}
	path := "/forum/threads/" + itoa(th.ID)
	look := func(u *store.User) string {
		t.Helper()
		var body string
		for range 2 {
			r := clients[u].Get(path)
			if r.Status == http.StatusMovedPermanently {
				path = r.Location
				r = clients[u].Get(path)
			}
			if r.Status != http.StatusOK {
				t.Fatalf("%s: thread page %d", u.Name, r.Status)
			}
			body = r.Body
		}
		return body
	}
	edit := fmt.Sprintf(`href="/forum/posts/%d/edit"`, reply.ID)
	marked := fmt.Sprintf(`action="/forum/posts/%d/useful"><button type="submit" class="useful marked" aria-pressed="true"`, reply.ID)
	watching := `aria-pressed="true">✓`
	own := func(u *store.User) []string {
		return []string{`<p class="menu-org">` + u.OrgName + `</p>`, fmt.Sprintf(`ideasx:draft:%d:thread:%d`, u.ID, th.ID), `data-live-me-org="` + u.OrgName + `"`}
	}
	check := func(step string, u *store.User, page string, want, not []string) {
		t.Helper()
		for _, s := range want {
			if !strings.Contains(page, s) {
				t.Errorf("%s: %s's page lacks %s", step, u.Name, s)
			}
		}
		for _, s := range not {
			if strings.Contains(page, s) {
				t.Errorf("%s: %s's page has %s", step, u.Name, s)
			}
		}
	}

	// A first read is a write, which makes the thread be read again: after
	// these, the readers share one reading, and a page shared by mistake
	// would show.
	for _, u := range []*store.User{mod, peru, chile, kenya} {
		look(u)
	}
	// The moderator first, so that a member after them would get their page
	// if it were shared.
	check("first looks", mod, look(mod), append(own(mod), "moderation-bar", edit), nil)
	check("first looks", peru, look(peru), append(own(peru), edit), append(own(chile), "moderation-bar"))
	check("first looks", chile, look(chile), own(chile), append(own(peru), edit, "moderation-bar", marked, watching))
	check("first looks", kenya, look(kenya), own(kenya), append(own(chile), edit, "moderation-bar", marked, watching))

	// Chile marks the reply useful and Kenya watches the thread: the two
	// stood in the same place and now do not.
	if r := clients[chile].Post(fmt.Sprintf("/forum/posts/%d/useful", reply.ID), nil); r.Status != http.StatusSeeOther {
		t.Fatalf("useful: %d", r.Status)
	}
	if r := clients[kenya].Post(fmt.Sprintf("/forum/threads/%d/watch", th.ID), url.Values{"level": {"watch"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("watch: %d", r.Status)
	}
	check("after a mark and a watch", chile, look(chile), []string{marked}, []string{watching})
	check("after a mark and a watch", kenya, look(kenya), []string{watching}, []string{marked})

	// A reply notifies Kenya, who watches: the count on Kenya's next page
	// says so, and Chile's does not.
	if _, err := app.Store.CreatePost(ctx, store.NewPost{ThreadID: th.ID, Author: biz, Body: "Thank you, Lima.", HTML: "<p>Thank you, Lima.</p>"}); err != nil {
		t.Fatal(err)
	}
	check("after another reply", kenya, look(kenya), []string{"Thank you, Lima.", `data-live-count>1<`}, nil)
	check("after another reply", chile, look(chile), []string{"Thank you, Lima.", `data-live-count>0<`, marked}, nil)
}
