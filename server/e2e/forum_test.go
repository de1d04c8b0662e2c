package e2e

import (
	"testing"

	"github.com/chromedp/chromedp"

	"ideasx/server/browsertest"
	"ideasx/server/servertest"
	"ideasx/store"
	"ideasx/store/storetest"
)

// TestForumInBrowser: a business posts a challenge through the form, a
// delegation replies quoting it, and the business accepts the reply; the
// pages are kept as screenshots.
func TestForumInBrowser(t *testing.T) {
	t.Parallel()
	b := browsertest.New(t)
	app := servertest.New(t, storetest.SQLite, nil)
	app.CreateUser("lucia@cafe.example", store.RoleBusiness, "Café Montevideo SRL", store.OrgBusiness)
	app.CreateUser("delegate@kenya.example", store.RoleMember, "Delegation of Kenya", store.OrgMember)
	app.CreateUser("moderator@secretariat.example", store.RoleModerator, "MSME Group Secretariat", store.OrgSecretariat)

	biz := b.Tab()
	signIn(t, biz, app, "lucia@cafe.example")
	browsertest.Do(t, biz, chromedp.Navigate(app.URL+"/forum/new"), waitFor("#f-title"),
		click("input[name=kind][value=challenge]"),
		chromedp.SetValue(chromedp.CSS("#f-theme"), "5"),
		fill("#f-title", "Certificates of origin for coffee take three weeks"),
		fill("#f-body", "Each shipment to Kenya needs a **certificate of origin**. The chamber issues it on paper only, and it takes three weeks."),
		fill("#f-tags", "rules of origin, coffee"),
		click("main form button[type=submit]"), waitFor(".posts"))
	assertText(t, biz, "h1", "Certificates of origin for coffee take three weeks")
	browsertest.Screenshot(t, biz, "forum-new-thread")

	del := b.Tab()
	signIn(t, del, app, "delegate@kenya.example")
	browsertest.Do(t, del, chromedp.Navigate(app.URL+"/forum"), waitFor(".thread-list"))
	assertText(t, del, ".thread-list", "Certificates of origin for coffee take three weeks", "Café Montevideo SRL")
	browsertest.Screenshot(t, del, "forum")
	browsertest.Do(t, del, click(".thread-list .doc-title a"), waitFor(".post-actions a"),
		click(".post-actions a"), waitFor("#reply"))
	browsertest.Do(t, del, fill("#f-body", "Kenya accepts electronic certificates since 2019; we can share the contact at the chamber."),
		click("#reply button[type=submit]"), waitFor(".posts li:nth-child(2)"))
	assertText(t, del, ".posts li:nth-child(2) blockquote", "Each shipment to Kenya needs a certificate of origin")
	assertText(t, del, ".posts li:nth-child(2)", "Delegation of Kenya", "In reply to an earlier message", "electronic certificates")
	// The business accepts the delegation's reply.
	// The business's tab still shows the thread as it was: reload it, as a reader without live updates would.
	browsertest.Do(t, biz, chromedp.Reload(), waitFor(".posts li:nth-child(2) form[action$='/status'] button"),
		click(".posts li:nth-child(2) form[action$='/status'] button"), waitFor(".post-accepted"))
	assertText(t, biz, ".post-accepted", "Accepted answer", "Delegation of Kenya")
	assertText(t, biz, ".history", "Answered")
	browsertest.Screenshot(t, biz, "thread")

	// The delegation flags the opening post; the moderator finds it in the queue.
	browsertest.Do(t, del, chromedp.Reload(), waitFor(".posts li:nth-child(1) details.flag summary"),
		click(".posts li:nth-child(1) details.flag summary"), waitFor(".posts li:nth-child(1) .flag-form button"),
		click(".posts li:nth-child(1) .flag-form button"), waitFor(".flash"))
	mod := b.Tab()
	signIn(t, mod, app, "moderator@secretariat.example")
	browsertest.Do(t, mod, chromedp.Navigate(app.URL+"/moderation/flags"), waitFor(".queue-item"))
	assertText(t, mod, ".queue-item", "Certificates of origin for coffee take three weeks", "Test delegate")
	browsertest.Screenshot(t, mod, "flags")
	browsertest.Do(t, mod, chromedp.Navigate(app.URL+"/moderation/themes"), waitFor(".theme-edit"))
	browsertest.Screenshot(t, mod, "themes")
}
