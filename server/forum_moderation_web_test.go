package server_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"ideasx/server/servertest"
	"ideasx/store"
)

// TestModeratorChangesAttributionAndHidesFromThePage: the thread page's
// moderation forms change the attribution mode (names vanish for other
// members at once) and hide a reply; members may do neither.
func TestModeratorChangesAttributionAndHidesFromThePage(t *testing.T) {
	t.Parallel()
	app := servertest.New(t, "sqlite", nil)
	f := newLiveFixture(t, app, "record")
	app.CreateUser("other@x.example", store.RoleMember, "Delegation of Kenya", store.OrgMember)
	other := app.Client()
	other.SignIn("other@x.example")
	postID := reply(t, f.del, f.thread, "Our customs publish a list.")
	page := f.mod.Get(fmt.Sprintf("/forum/threads/%d", f.thread)).Location
	mustContain(t, f.mod.Get(page), `action="/forum/threads/`+fmt.Sprint(f.thread)+`/attribution"`, fmt.Sprintf(`action="/forum/posts/%d/hide"`, postID))
	if !strings.Contains(other.Get(page).Body, "Delegation of Chile") {
		t.Fatal("on the record, the replier's delegation should show")
	}

	for _, c := range []*servertest.Client{other, f.biz} {
		if r := c.Post(fmt.Sprintf("/forum/threads/%d/attribution", f.thread), url.Values{"attribution": {"chatham"}}); r.Status != http.StatusForbidden {
			t.Errorf("a member changing the attribution: %d, want 403", r.Status)
		}
	}
	if r := f.mod.Post(fmt.Sprintf("/forum/threads/%d/attribution", f.thread), url.Values{"attribution": {"nonsense"}}); r.Status != http.StatusUnprocessableEntity {
		t.Errorf("unknown mode: %d, want 422", r.Status)
	}
	if r := f.mod.Post(fmt.Sprintf("/forum/threads/%d/attribution", f.thread), url.Values{"attribution": {"chatham"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("change attribution: %d", r.Status)
	}
	if body := other.Get(page).Body; strings.Contains(body, "Delegation of Chile") || strings.Contains(body, "Test del") {
		t.Error("after the switch to Chatham House, another member still sees the replier's name")
	}

	if r := other.Post(fmt.Sprintf("/forum/posts/%d/hide", postID), nil); r.Status != http.StatusForbidden {
		t.Errorf("a member hiding a post: %d, want 403", r.Status)
	}
	if r := f.mod.Post(fmt.Sprintf("/forum/posts/%d/hide", postID), url.Values{"confirm": {"1"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("hide: %d", r.Status)
	}
	if strings.Contains(other.Get(page).Body, "Our customs publish a list.") {
		t.Error("a hidden reply still shows to members")
	}
	mustContain(t, f.mod.Get(page), "Our customs publish a list.")
}
