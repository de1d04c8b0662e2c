package server_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"ideasx/server/servertest"
	"ideasx/store"
)

// TestThreadPostsAreDrawnForEachReader: the thread page reuses each post's
// markup between readers (issue 17), so what one reader saw first must never
// reach the next one: a moderator's view of a hidden reply, an author's edit
// link, a reader's own "useful" mark, a moderator's names under Chatham House.
func TestThreadPostsAreDrawnForEachReader(t *testing.T) {
	t.Parallel()
	app := servertest.New(t, "sqlite", nil)
	f := newLiveFixture(t, app, "chatham")
	app.CreateUser("other@x.example", store.RoleMember, "Delegation of Kenya", store.OrgMember)
	other := app.Client()
	other.SignIn("other@x.example")
	hidden := reply(t, f.del, f.thread, "A reply the secretariat will hide.")
	kept := reply(t, f.del, f.thread, "Our customs publish a list.")
	if r := f.mod.Post(fmt.Sprintf("/forum/posts/%d/hide", hidden), url.Values{"confirm": {"1"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("hide: %d", r.Status)
	}
	if r := f.del.Post(fmt.Sprintf("/forum/posts/%d/useful", kept), nil); r.Status >= 400 {
		t.Fatalf("useful: %d", r.Status)
	}
	page := f.mod.Get(fmt.Sprintf("/forum/threads/%d", f.thread)).Location

	// Each reader twice, the moderator and the author first, so that the
	// others come after their markup was made.
	for range 2 {
		mustContain(t, f.mod.Get(page), "A reply the secretariat will hide.", "Delegation of Chile", fmt.Sprintf(`/forum/posts/%d/restore`, hidden))
		author := f.del.Get(page).Body
		if !strings.Contains(postMarkup(author, kept), `aria-pressed="true"`) || !strings.Contains(postMarkup(author, kept), fmt.Sprintf(`/forum/posts/%d/edit`, kept)) {
			t.Errorf("the author's page lost their mark or their edit link: %s", postMarkup(author, kept))
		}
		for who, body := range map[string]string{"another member": other.Get(page).Body, "the business": f.biz.Get(page).Body} {
			if strings.Contains(body, "A reply the secretariat will hide.") || strings.Contains(body, fmt.Sprintf(`/forum/posts/%d/restore`, hidden)) {
				t.Errorf("%s sees the hidden reply or its restore button", who)
			}
			if strings.Contains(body, "Delegation of Chile") {
				t.Errorf("%s sees a name withheld under Chatham House", who)
			}
			own := postMarkup(body, kept)
			if strings.Contains(own, `aria-pressed="true"`) || strings.Contains(own, fmt.Sprintf(`/forum/posts/%d/edit`, kept)) {
				t.Errorf("%s sees the author's mark or edit link: %s", who, own)
			}
		}
	}
}

// postMarkup is one post's <li> in a thread page.
func postMarkup(page string, id int64) string {
	m := regexp.MustCompile(fmt.Sprintf(`(?s)<li class="post[^"]*" id="post-%d">.*?</li>\s*(<li class="post|</ol>)`, id)).FindString(page)
	return m
}
