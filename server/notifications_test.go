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

// TestNotificationCentre: a mention shows in the mentioned member's centre
// and header badge, named as the thread's attribution allows; opening it
// marks it read and leads to the post.
func TestNotificationCentre(t *testing.T) {
	t.Parallel()
	forEachEngine(t, func(t *testing.T, app *servertest.App) {
		f := newLiveFixture(t, app, "chatham")
		r := f.del.Do("POST", fmt.Sprintf("/api/v1/threads/%d/posts", f.thread), strings.NewReader(`{"body":"@`+f.bizUser.Handle+` we publish ours online"}`), "application/json")
		if r.Status != http.StatusCreated {
			t.Fatalf("reply: %d %s", r.Status, r.Body)
		}
		page := f.biz.Get("/notifications")
		mustContain(t, page, "A delegation", "mentioned you", "Certificates of origin", "we publish ours online", `data-live-count>1<`)
		for _, leak := range []string{"Test del", "Delegation of Chile"} {
			if strings.Contains(page.Body, leak) {
				t.Errorf("the centre names %q under the Chatham House rule", leak)
			}
		}
		if mod := f.mod.Get("/notifications"); strings.Contains(mod.Body, "mentioned you") {
			t.Errorf("someone else's notification shows to the moderator")
		}
		id := regexp.MustCompile(`/notifications/(\d+)/open`).FindStringSubmatch(page.Body)
		if id == nil {
			t.Fatal("no notification to open")
		}
		open := f.biz.Post("/notifications/"+id[1]+"/open", nil)
		if open.Status != http.StatusSeeOther || !regexp.MustCompile(`^/forum/threads/\d+-[a-z-]+#post-\d+$`).MatchString(open.Location) {
			t.Errorf("open: %d → %q, want the post", open.Status, open.Location)
		}
		if again := f.biz.Get("/notifications"); !strings.Contains(again.Body, `is-zero" data-live-count>0<`) {
			t.Errorf("badge after opening the only notification: not zero")
		}
		if other := f.del.Post("/notifications/"+id[1]+"/open", nil); other.Status != http.StatusNotFound {
			t.Errorf("opening someone else's notification: %d, want 404", other.Status)
		}
		// A moderator sees the name, and that others do not.
		reply(t, f.del, f.thread, "@"+f.modUser.Handle+" could you look at this?")
		mustContain(t, f.mod.Get("/notifications"), "mentioned you", "Delegation of Chile, name hidden from others")
	})
}

// TestNotificationPrefs: choices are saved, bad ones refused, and a kind
// turned off records nothing.
func TestNotificationPrefs(t *testing.T) {
	t.Parallel()
	forEachEngine(t, func(t *testing.T, app *servertest.App) {
		f := newLiveFixture(t, app, "record")
		if r := f.biz.Post("/account/notifications", url.Values{"channel_mention": {"shout"}}); r.Status != http.StatusUnprocessableEntity {
			t.Errorf("bad channel: %d, want 422", r.Status)
		}
		if r := f.biz.Post("/account/notifications", url.Values{"channel_mention": {"off"}, "digest": {"daily"}}); r.Status != http.StatusSeeOther {
			t.Fatalf("save: %d", r.Status)
		}
		prefs, err := app.Store.Prefs(t.Context(), f.bizUser.ID)
		if err != nil || prefs.Channels[store.NotifyMention] != store.ChannelOff || prefs.Digest != "daily" {
			t.Fatalf("saved prefs: %+v %v", prefs, err)
		}
		mustContain(t, f.biz.Get("/account/notifications"), `value="off" selected`, `value="daily" selected`)
		reply(t, f.del, f.thread, "@"+f.bizUser.Handle+" are you there?")
		if n, _ := app.Store.UnreadNotifications(t.Context(), f.bizUser.ID); n != 1 {
			t.Errorf("unread: %d, want 1 (the reply, not the mention that was turned off)", n)
		}
		for _, page := range []string{"abc", "-3", "0", "99999999999999999", "9223372036854775807"} {
			if r := f.biz.Get("/notifications?page=" + page); r.Status != http.StatusOK {
				t.Errorf("page %q: %d, want 200", page, r.Status)
			}
		}
		if r := app.Client().Get("/notifications"); r.Status != http.StatusSeeOther {
			t.Errorf("visitor: %d, want a redirect to sign in", r.Status)
		}
	})
}

// TestNotificationAPI: the same list over the API, and marking read.
func TestNotificationAPI(t *testing.T) {
	t.Parallel()
	app := servertest.New(t, "sqlite", nil)
	f := newLiveFixture(t, app, "record")
	reply(t, f.del, f.thread, "@"+f.bizUser.Handle+" see this")
	r := f.biz.Get("/api/v1/notifications")
	mustContain(t, r, `"kind":"mention"`, `"unread":1`, "#post-", "Test del (Delegation of Chile) mentioned you")
	r = f.biz.Do("POST", "/api/v1/notifications/read", strings.NewReader(`{}`), "application/json")
	mustContain(t, r, `"unread":0`)
	if r := f.biz.Do("POST", "/api/v1/notifications/read", strings.NewReader(`{"id":"x"}`), "application/json"); r.Status != http.StatusBadRequest {
		t.Errorf("bad body: %d, want 400", r.Status)
	}
	if r := app.Client().Get("/api/v1/notifications"); r.Status != http.StatusUnauthorized {
		t.Errorf("visitor: %d, want 401", r.Status)
	}
}
