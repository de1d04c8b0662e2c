package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"ideasx/server/browsertest"
	"ideasx/server/servertest"
	"ideasx/store"
	"ideasx/store/storetest"
)

// hostileNext are return addresses Chromium would follow off the site if
// the server passed them on: it drops tabs and newlines and reads "\" as "/".
var hostileNext = []string{"/%09/evil.example", "/%0A/evil.example", "/%5C/evil.example", "//evil.example", "/%5C%09evil.example"}

// landsOnSite opens path in tab and fails unless the browser ends on the site.
func landsOnSite(t *testing.T, tab page, app *servertest.App, path string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	ctx, cancel := context.WithTimeout(tab, 30*time.Second)
	defer cancel()
	err := chromedp.Do(ctx, append([]chromedp.Action[chromedp.Void]{chromedp.Navigate(app.URL + path)}, steps...)...)
	loc, lerr := chromedp.Run(ctx, chromedp.Location())
	if err != nil || lerr != nil || !strings.HasPrefix(loc, app.URL+"/") {
		t.Errorf("%s: the browser ended at %q (%v, %v), want a page of %s", path, loc, err, lerr, app.URL)
	}
}

// TestSignInNextStaysOnSiteInBrowser: signed in or signing in, a crafted
// "next" leaves Chromium on the site.
func TestSignInNextStaysOnSiteInBrowser(t *testing.T) {
	t.Parallel()
	b := browsertest.New(t)
	app := servertest.New(t, storetest.SQLite, nil)
	app.CreateUser("delegate@uruguay.example", store.RoleMember, "Delegation of Uruguay", store.OrgMember)

	member := b.Tab()
	signIn(t, member, app, "delegate@uruguay.example")
	for _, next := range hostileNext {
		landsOnSite(t, member, app, "/signin?next="+next, waitFor(".account-menu"))
	}

	for _, next := range hostileNext {
		visitor := b.Tab()
		landsOnSite(t, visitor, app, "/signin?next="+next,
			waitFor("#f-email"),
			fill("#f-email", "delegate@uruguay.example"),
			fill("#f-password", servertest.Password),
			click("form[action='/signin'] button[type=submit]"),
			waitFor(".account-menu"),
		)
	}
}
