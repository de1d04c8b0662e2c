package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"ideasx/server/auth"
	"ideasx/server/browsertest"
	"ideasx/server/servertest"
	"ideasx/store"
	"ideasx/store/storetest"
)

// TestSetupAndResetInBrowser creates the first admin through the one-time
// page, then has a person reset a forgotten password through the mailed link.
func TestSetupAndResetInBrowser(t *testing.T) {
	t.Parallel()
	b := browsertest.New(t)
	app := servertest.New(t, storetest.SQLite, nil)
	plain, hash := auth.NewToken("")
	if err := app.Store.CreateSetupToken(context.Background(), hash, time.Hour); err != nil {
		t.Fatal(err)
	}

	tab := b.Tab()
	browsertest.Do(t, tab, chromedp.Navigate(app.URL+"/setup/"+plain), waitFor("#f-name"))
	browsertest.Screenshot(t, tab, "setup")
	browsertest.Do(t, tab,
		fill("#f-name", "Ngozi Secretariat"), fill("#f-email", "ngozi@secretariat.example"),
		fill("#f-password", "first admin of the platform"), fill("#f-password_confirm", "first admin of the platform"),
		chromedp.SetValue(chromedp.CSS("#f-country"), "CH"),
		click("main form button[type=submit]"), waitFor(".flash"))
	assertText(t, tab, "main h1", "Users")
	assertText(t, tab, "table", "Ngozi Secretariat", "Administrator")

	other := b.Tab()
	browsertest.Do(t, other, chromedp.Navigate(app.URL+"/setup/"+plain), waitFor(".error-page"))
	assertText(t, other, ".error-page", "no longer valid")
	browsertest.Screenshot(t, other, "setup-used")

	app.CreateUser("forgetful@coop.example", store.RoleBusiness, "Andean Quinoa Coop", store.OrgBusiness)
	browsertest.Do(t, other, chromedp.Navigate(app.URL+"/reset"), waitFor("#f-email"),
		fill("#f-email", "forgetful@coop.example"), click("main form button[type=submit]"), waitFor("#reset-sent"))
	assertText(t, other, "main", "forgetful@coop.example")
	browsertest.Screenshot(t, other, "reset-sent")
	link := app.LastLink("forgetful@coop.example", "/reset/")
	browsertest.Do(t, other, chromedp.Navigate(link), waitFor("#f-password"))
	browsertest.Screenshot(t, other, "reset-choose")
	browsertest.Do(t, other,
		fill("#f-password", "quinoa from the altiplano"), fill("#f-password_confirm", "quinoa from the altiplano"),
		click("main form button[type=submit]"), waitFor(".flash"))
	if got := browsertest.Text(t, other, ".flash"); !strings.Contains(got, "password was changed") {
		t.Errorf("after reset: %q", got)
	}
	browsertest.Do(t, other, fill("#f-email", "forgetful@coop.example"), fill("#f-password", "quinoa from the altiplano"),
		click("form[action='/signin'] button[type=submit]"), waitFor(".account-menu"))
	assertText(t, other, ".account-menu summary", "Test forgetful")
}
