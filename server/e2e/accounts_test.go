// Package e2e tests pages in a real browser, as a person would use them.
package e2e

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"ideasx/server/browsertest"
	"ideasx/server/servertest"
	"ideasx/store"
	"ideasx/store/storetest"
)

type page = context.Context

func fill(sel, value string) chromedp.Action[chromedp.Void] {
	return chromedp.SendKeys(chromedp.CSS(sel), value)
}

func click(sel string) chromedp.Action[chromedp.Void] { return chromedp.Click(chromedp.CSS(sel)) }

func waitFor(sel string) chromedp.Action[chromedp.Void] {
	return chromedp.WaitVisible(chromedp.CSS(sel))
}

func signIn(t *testing.T, tab page, app *servertest.App, email string) {
	browsertest.Do(t, tab,
		chromedp.Navigate(app.URL+"/signin"),
		fill("#f-email", email),
		fill("#f-password", servertest.Password),
		click("form[action='/signin'] button[type=submit]"),
		waitFor(".account-menu"),
	)
}

func assertText(t *testing.T, tab page, sel string, parts ...string) {
	t.Helper()
	got := browsertest.Text(t, tab, sel)
	for _, p := range parts {
		if !strings.Contains(got, p) {
			t.Errorf("%s shows %q, want it to contain %q", sel, got, p)
		}
	}
}

// TestAccountPagesInBrowser walks every page of the foundation in Chromium
// through its real forms, checks what each shows, and keeps a screenshot of each.
func TestAccountPagesInBrowser(t *testing.T) {
	t.Parallel()
	b := browsertest.New(t)
	app := servertest.New(t, storetest.SQLite, nil)
	app.CreateUser("moderator@secretariat.example", store.RoleModerator, "MSME Group Secretariat", store.OrgSecretariat)
	app.CreateUser("admin@secretariat.example", store.RoleAdmin, "MSME Group Secretariat", store.OrgSecretariat)
	app.CreateUser("delegate@uruguay.example", store.RoleMember, "Delegation of Uruguay", store.OrgMember)

	visitor := b.Tab()
	browsertest.Do(t, visitor, chromedp.Navigate(app.URL+"/"), waitFor("h1"))
	assertText(t, visitor, "h1", "Tell governments what stands in the way of your trade")
	browsertest.Screenshot(t, visitor, "home")

	browsertest.Do(t, visitor, chromedp.Navigate(app.URL+"/signin"), waitFor("#f-email"))
	browsertest.Screenshot(t, visitor, "signin")
	browsertest.Do(t, visitor,
		fill("#f-email", "delegate@uruguay.example"), fill("#f-password", "wrong password"),
		click("form[action='/signin'] button[type=submit]"), waitFor(".form-error"))
	assertText(t, visitor, ".form-error", "wrong")
	browsertest.Screenshot(t, visitor, "signin-error")

	// Registration through the real form; a first submit with a mistake shows it next to the field.
	browsertest.Do(t, visitor, chromedp.Navigate(app.URL+"/register"), waitFor("#f-name"),
		fill("#f-name", "Lucía Fernández"),
		fill("#f-email", "lucia@cafe-montevideo.example"),
		fill("#f-password", "mate and coffee exports"),
		fill("#f-password_confirm", "mate and coffee exports, not"),
		fill("#f-organisation", "Café Montevideo SRL"),
		click("input[name=org_kind][value=business]"),
		chromedp.SetValue(chromedp.CSS("#f-country"), "UY"),
		chromedp.SetValue(chromedp.CSS("#f-size_class"), "micro"),
		fill("#f-sector", "coffee roasting"),
		click("form[action='/register'] button[type=submit]"),
		waitFor("#f-password_confirm-error"),
	)
	assertText(t, visitor, "#f-password_confirm-error", "not the same")
	browsertest.Screenshot(t, visitor, "register-error")
	browsertest.Do(t, visitor,
		fill("#f-password", "mate and coffee exports"),
		fill("#f-password_confirm", "mate and coffee exports"),
		click("form[action='/register'] button[type=submit]"),
		waitFor("#register-done"),
	)
	assertText(t, visitor, "main h1", "Request received")
	browsertest.Screenshot(t, visitor, "register-done")

	// The moderator sees the request in the queue and approves it.
	mod := b.Tab()
	signIn(t, mod, app, "moderator@secretariat.example")
	browsertest.Do(t, mod, chromedp.Navigate(app.URL+"/moderation/accounts"), waitFor(".queue-item"))
	assertText(t, mod, ".queue-item", "Lucía Fernández", "Café Montevideo SRL", "coffee roasting")
	browsertest.Screenshot(t, mod, "moderation-accounts")
	browsertest.Do(t, mod, click(".queue-item form[action$='/approve'] button"))
	waitFlash(t, mod, "approved")
	assertText(t, mod, "main", "No request is waiting")

	// The moderator invites a delegate and sees the link.
	browsertest.Do(t, mod, chromedp.Navigate(app.URL+"/moderation/invitations"), waitFor("#f-email"),
		fill("#f-email", "delegate@kenya.example"),
		chromedp.SetValue(chromedp.CSS("#f-role"), "member"),
		fill("#f-org_name", "Delegation of Kenya"),
		chromedp.SetValue(chromedp.CSS("#f-org_kind"), "member"),
		chromedp.SetValue(chromedp.CSS("#f-org_country"), "KE"),
		click("form[action='/moderation/invitations'] button[type=submit]"),
		waitFor("#invitation-link"),
	)
	link := browsertest.Text(t, mod, "#invitation-link")
	assertText(t, mod, "table", "delegate@kenya.example", "Delegation of Kenya")
	browsertest.Screenshot(t, mod, "moderation-invitations")

	invitee := b.Tab()
	browsertest.Do(t, invitee, chromedp.Navigate(link), waitFor("#f-name"))
	browsertest.Screenshot(t, invitee, "invitation")
	browsertest.Do(t, invitee,
		fill("#f-name", "Wanjiru Kamau"), fill("#f-password", "nairobi trade desk"), fill("#f-password_confirm", "nairobi trade desk"),
		click("main form button[type=submit]"), waitFor(".flash"))
	assertText(t, invitee, ".account-menu summary", "Wanjiru Kamau")

	// The business signs in and manages the account.
	lucia := b.Tab()
	browsertest.Do(t, lucia, chromedp.Navigate(app.URL+"/signin"),
		fill("#f-email", "lucia@cafe-montevideo.example"), fill("#f-password", "mate and coffee exports"),
		click("form[action='/signin'] button[type=submit]"), waitFor(".account-menu"),
		chromedp.Navigate(app.URL+"/account"), waitFor("#f-token_name"),
		fill("#f-token_name", "ERP connector"), click("form[action='/account/tokens'] button[type=submit]"), waitFor("#new-token"))
	if tok := browsertest.Text(t, lucia, "#new-token"); !strings.HasPrefix(tok, "ixp_") {
		t.Errorf("new token shown as %q", tok)
	}
	assertText(t, lucia, "table", "ERP connector")
	browsertest.Screenshot(t, lucia, "account")

	// The admin's user list shows everyone, and filters.
	admin := b.Tab()
	signIn(t, admin, app, "admin@secretariat.example")
	browsertest.Do(t, admin, chromedp.Navigate(app.URL+"/admin/users"), waitFor("table"))
	assertText(t, admin, "table", "Lucía Fernández", "Wanjiru Kamau", "Delegation of Uruguay")
	browsertest.Screenshot(t, admin, "admin-users")
	browsertest.Do(t, admin, fill("#f-q", "kenya"), click("form.filters button"), waitFor(`#f-q[value="kenya"]`))
	if got := browsertest.Text(t, admin, "table tbody"); strings.Contains(got, "Lucía") || !strings.Contains(got, "Wanjiru") {
		t.Errorf("filtered list: %q", got)
	}
	browsertest.Do(t, admin, chromedp.Navigate(app.URL+"/admin/audit"), waitFor("table"))
	assertText(t, admin, "table", "user.approve", "invitation.create")
	browsertest.Screenshot(t, admin, "admin-audit")

	// The language switch works without JavaScript's help and keeps the page.
	browsertest.Do(t, visitor, chromedp.Navigate(app.URL+"/reset"), waitFor("#f-email"),
		click(".lang-switch button[value=fr]"), waitFor("html[lang=fr]"))
	browsertest.Screenshot(t, visitor, "reset-fr")
	browsertest.Do(t, visitor, chromedp.Navigate(app.URL+"/nowhere"), waitFor("main h1"))
	browsertest.Screenshot(t, visitor, "not-found-fr")

	// Phone width.
	phone := b.Tab()
	browsertest.Do(t, phone, chromedp.EmulateViewport(390, 844), chromedp.Navigate(app.URL+"/"), waitFor("h1"))
	browsertest.Screenshot(t, phone, "home-phone")
}
