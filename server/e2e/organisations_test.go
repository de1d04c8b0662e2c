package e2e

import (
	"context"
	"net/url"
	"strconv"
	"testing"

	"github.com/chromedp/chromedp"

	"ideasx/server/browsertest"
	"ideasx/server/servertest"
	"ideasx/store"
	"ideasx/store/storetest"
)

// TestOrganisationPagesInBrowser: the approval page tells a request to join
// an existing delegation from one that creates an organisation, and a
// moderator verifies an organisation through the real form. Screenshots at
// 1280 and 390 px wide.
func TestOrganisationPagesInBrowser(t *testing.T) {
	t.Parallel()
	b := browsertest.New(t)
	app := servertest.New(t, storetest.SQLite, nil)
	ctx := context.Background()
	mod := app.CreateUser("moderator@secretariat.example", store.RoleModerator, "MSME Group Secretariat", store.OrgSecretariat)
	del := app.CreateUser("ingrid.berg@mfa.no", store.RoleMember, "Delegation of Norway", store.OrgMember)
	app.CreateUser("lucia@cafe.example", store.RoleBusiness, "Café Montevideo SRL", store.OrgBusiness)
	norway, _ := app.Store.OrganisationByID(ctx, del.OrganisationID)
	norway.Country, norway.Verified, norway.EmailDomains = "NO", true, "mfa.no"
	if err := app.Store.UpdateOrganisation(ctx, mod.ID, norway); err != nil {
		t.Fatal(err)
	}
	for _, r := range []url.Values{
		{"email": {"eve@mail.example"}, "organisation": {"Delegation of Norway"}, "org_kind": {"business"}, "country": {"US"}, "size_class": {"small"}},
		{"email": {"ana@nordfisk.example"}, "organisation": {"Nordfisk AS"}, "org_kind": {"member"}, "country": {"NO"}},
	} {
		r.Set("name", "Person "+r.Get("email"))
		r.Set("password", "a long enough password")
		r.Set("password_confirm", "a long enough password")
		if got := app.Client().Post("/register", r); got.Status != 200 {
			t.Fatalf("register: %d", got.Status)
		}
	}

	tab := b.Tab()
	signIn(t, tab, app, mod.Email)
	browsertest.Do(t, tab, chromedp.Navigate(app.URL+"/moderation/accounts"), waitFor(".queue"))
	assertText(t, tab, ".queue", "Existing organisation", "Test ingrid.berg", "Address does not match its domains", "New organisation",
		"Claims to be: A delegation of a member government (not confirmed)")
	browsertest.Screenshot(t, tab, "moderation-accounts")

	browsertest.Do(t, tab, chromedp.Navigate(app.URL+"/moderation/organisations"), waitFor("table"))
	assertText(t, tab, "table", "Delegation of Norway", "Nordfisk AS", "Verified", "mfa.no")
	browsertest.Screenshot(t, tab, "moderation-organisations")

	browsertest.Do(t, tab, chromedp.Navigate(app.URL+"/moderation/organisations/"+itoa(del.OrganisationID)), waitFor("#f-email_domains"),
		chromedp.SetValue(chromedp.CSS("#f-email_domains"), "mfa.no\nregjeringen.no"),
		click("form[action$='/moderation/organisations/"+itoa(del.OrganisationID)+"'] button[type=submit]"))
	waitFlash(t, tab, "saved")
	browsertest.Screenshot(t, tab, "moderation-organisation")
	if o, _ := app.Store.OrganisationByID(ctx, del.OrganisationID); o.EmailDomains != "mfa.no regjeringen.no" {
		t.Errorf("domains after saving the form: %q", o.EmailDomains)
	}

	browsertest.Do(t, tab, chromedp.EmulateViewport(390, 844))
	for _, p := range []struct{ path, name string }{
		{"/moderation/accounts", "moderation-accounts-390"},
		{"/moderation/organisations", "moderation-organisations-390"},
		{"/moderation/organisations/" + itoa(del.OrganisationID), "moderation-organisation-390"},
	} {
		browsertest.Do(t, tab, chromedp.Navigate(app.URL+p.path), waitFor("h1"))
		browsertest.Screenshot(t, tab, p.name)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
