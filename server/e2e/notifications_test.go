package e2e

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"ideasx/server/browsertest"
	"ideasx/server/servertest"
	"ideasx/store"
	"ideasx/store/storetest"
)

// TestMentionInBrowser: a delegate mentions a business; the business's
// header counts it live on whatever page it has open, and opening the
// notification leads to the mentioning post.
func TestMentionInBrowser(t *testing.T) {
	t.Parallel()
	b := browsertest.New(t)
	app := servertest.New(t, storetest.SQLite, nil)
	lucia := app.CreateUser("lucia@cafe.example", store.RoleBusiness, "Café Montevideo SRL", store.OrgBusiness)
	app.CreateUser("delegate@kenya.example", store.RoleMember, "Delegation of Kenya", store.OrgMember)
	biz := app.Client()
	biz.SignIn("lucia@cafe.example")
	del := app.Client()
	del.SignIn("delegate@kenya.example")
	thread := createThread(t, biz, firstTheme(t, app), "Parcel fees for small exporters",
		"Courier fees for parcels under 2 kg doubled this year.")

	tab := b.Tab()
	errs := watchConsole(t, tab)
	signIn(t, tab, app, "lucia@cafe.example")
	browsertest.Do(t, tab, chromedp.Navigate(app.URL+"/documents"), chromedp.WaitReady(chromedp.CSS("[data-live-count]")))
	waitJS(t, tab, `document.querySelector("[data-live-count]").textContent === "0"`)

	post := reply(t, del, thread, fmt.Sprintf("@%s the postal union's new rates may help.", lucia.Handle))
	waitJS(t, tab, `document.querySelector("[data-live-count]").textContent === "1"`)
	browsertest.Screenshot(t, tab, "notification-badge")

	browsertest.Do(t, tab, click(".notif-link"), waitFor(".notif-item.is-unread"))
	assertText(t, tab, ".notif-item.is-unread", "Test delegate (Delegation of Kenya) mentioned you in “Parcel fees for small exporters”", "postal union")
	browsertest.Screenshot(t, tab, "notifications")
	browsertest.Do(t, tab, click(".notif-item.is-unread .notif-open"), waitFor(fmt.Sprintf("#post-%d", post)))
	where, err := chromedp.Run(tab, chromedp.Evaluate[string](`location.pathname + location.hash`))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(where, fmt.Sprintf("#post-%d", post)) || !strings.HasPrefix(where, fmt.Sprintf("/forum/threads/%d-", thread)) {
		t.Errorf("the notification opened %q, want the post", where)
	}
	waitJS(t, tab, `document.querySelector("[data-live-count]").textContent === "0"`)
	browsertest.Do(t, tab, chromedp.Navigate(app.URL+"/account/notifications"), waitFor("#channel_mention"))
	browsertest.Screenshot(t, tab, "notification-settings")
	browsertest.Do(t, tab, chromedp.EmulateViewport(390, 800))
	viewportShot(t, tab, "notification-settings-390")
	if e := errs(); len(e) > 0 {
		t.Errorf("browser errors: %v", e)
	}
}

// TestThreadStatusInBrowser: a moderator locks a thread that a member has
// open; the member's page shows it locked without a reload.
func TestThreadStatusInBrowser(t *testing.T) {
	t.Parallel()
	b := browsertest.New(t)
	app := servertest.New(t, storetest.SQLite, nil)
	app.CreateUser("lucia@cafe.example", store.RoleBusiness, "Café Montevideo SRL", store.OrgBusiness)
	app.CreateUser("mod@secretariat.example", store.RoleModerator, "Secretariat", store.OrgSecretariat)
	biz := app.Client()
	biz.SignIn("lucia@cafe.example")
	mod := app.Client()
	mod.SignIn("mod@secretariat.example")
	thread := createThread(t, biz, firstTheme(t, app), "Parcel fees for small exporters", "Courier fees doubled.")

	tab := b.Tab()
	errs := watchConsole(t, tab)
	signIn(t, tab, app, "lucia@cafe.example")
	browsertest.Do(t, tab, chromedp.Navigate(app.URL+fmt.Sprintf("/forum/threads/%d", thread)), chromedp.WaitReady(chromedp.CSS("#live[data-live-seq]")))
	if strings.Contains(browsertest.Text(t, tab, "header.thread-header .doc-meta"), "Locked") {
		t.Fatal("locked before anyone locked it")
	}
	// Give the page's socket a moment to subscribe; the page's rendered seq covers any race.
	waitJS(t, tab, `document.getElementById("live-viewers") !== null`)
	if r := mod.Post(fmt.Sprintf("/forum/threads/%d/switch", thread), map[string][]string{"switch": {"locked"}, "on": {"true"}}); r.Status != 303 {
		t.Fatalf("lock: %d", r.Status)
	}
	waitJS(t, tab, `document.querySelector("header.thread-header .doc-meta").textContent.includes("Locked")`)
	if e := errs(); len(e) > 0 {
		t.Errorf("browser errors: %v", e)
	}
}
