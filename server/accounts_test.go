package server_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"ideasx/server/auth"
	"ideasx/server/servertest"
	"ideasx/store"
	"ideasx/store/storetest"
)

// Every test of this package calls t.Parallel: each starts its own
// servers, on a database (SQLite file or Postgres schema) and a Redis
// channel of its own, so none sees another's data. A new test does the
// same; one that cannot (it would change something shared) says why.

// forEachEngine runs fn against a fresh server on each store engine.
func forEachEngine(t *testing.T, fn func(t *testing.T, app *servertest.App)) {
	for _, e := range storetest.Engines {
		t.Run(string(e), func(t *testing.T) { fn(t, servertest.New(t, e, nil)) })
	}
}

func mustContain(t *testing.T, r servertest.Response, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if !strings.Contains(r.Body, p) {
			t.Errorf("page lacks %q (status %d)", p, r.Status)
		}
	}
}

func registration(email string) url.Values {
	return url.Values{
		"name": {"Amina Diallo"}, "email": {email}, "password": {"baobab trees in Dakar"}, "password_confirm": {"baobab trees in Dakar"},
		"organisation": {"Dakar Shea Cooperative"}, "org_kind": {"business"}, "country": {"SN"}, "size_class": {"micro"}, "sector": {"cosmetics"},
	}
}

func TestRegisterApproveSignIn(t *testing.T) {
	t.Parallel()
	forEachEngine(t, func(t *testing.T, app *servertest.App) {
		ctx := context.Background()
		app.CreateUser("mod@secretariat.example", store.RoleModerator, "Secretariat", store.OrgSecretariat)

		visitor := app.Client()
		r := visitor.Post("/register", registration("Amina@Shea.example"))
		if r.Status != http.StatusOK {
			t.Fatalf("register: got %d, want 200\n%s", r.Status, r.Body)
		}
		mustContain(t, r, "amina@shea.example")
		if got := app.Mails("amina@shea.example"); len(got) != 1 {
			t.Errorf("got %d confirmation mails, want 1", len(got))
		}

		// A pending person can sign in and sees that the account waits.
		pending := app.Client()
		pending.SignInWith("amina@shea.example", "baobab trees in Dakar")
		mustContain(t, pending.Get("/"), "waiting for approval")
		if r := pending.Get("/api/v1/me"); !strings.Contains(r.Body, `"role":"pending"`) {
			t.Errorf("me while pending: %s", r.Body)
		}

		mod := app.Client()
		mod.SignIn("mod@secretariat.example")
		queue := mod.Get("/moderation/accounts")
		mustContain(t, queue, "Amina Diallo", "Dakar Shea Cooperative")
		u, err := app.Store.UserByEmail(ctx, "amina@shea.example")
		if err != nil {
			t.Fatal(err)
		}
		r = mod.Post("/moderation/accounts/"+itoa(u.ID)+"/approve", url.Values{"role": {"business"}})
		if r.Status != http.StatusSeeOther {
			t.Fatalf("approve: got %d\n%s", r.Status, r.Body)
		}
		if !strings.Contains(mod.Get("/moderation/accounts").Body, "No request is waiting") {
			t.Error("the approved person is still in the queue")
		}
		// The approval is a notification: its mail leaves from the outbox.
		mails := app.WaitMails("amina@shea.example", 2)
		if len(mails) != 2 || !strings.Contains(mails[1].Subject, "approved") {
			t.Errorf("got mails %+v, want a confirmation then an approval", mails)
		}

		business := app.Client()
		business.SignInWith("amina@shea.example", "baobab trees in Dakar")
		me := business.Get("/api/v1/me")
		if !strings.Contains(me.Body, `"role":"business"`) || !strings.Contains(me.Body, `"status":"active"`) {
			t.Errorf("me after approval: %s", me.Body)
		}
		if strings.Contains(business.Get("/").Body, "waiting for approval") {
			t.Error("approved account still sees the pending banner")
		}
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestRejectedRequestCanRegisterAgain(t *testing.T) {
	t.Parallel()
	forEachEngine(t, func(t *testing.T, app *servertest.App) {
		app.CreateUser("mod@secretariat.example", store.RoleModerator, "Secretariat", store.OrgSecretariat)
		app.Client().Post("/register", registration("spam@x.example"))
		u, err := app.Store.UserByEmail(context.Background(), "spam@x.example")
		if err != nil {
			t.Fatal(err)
		}
		mod := app.Client()
		mod.SignIn("mod@secretariat.example")
		if r := mod.Post("/moderation/accounts/"+itoa(u.ID)+"/reject", url.Values{"confirm": {"1"}}); r.Status != http.StatusSeeOther {
			t.Fatalf("reject: got %d", r.Status)
		}
		if _, err := app.Store.UserByEmail(context.Background(), "spam@x.example"); err == nil {
			t.Error("rejected account still exists")
		}
		log, _ := app.Store.AuditLog(context.Background(), store.AuditFilter{Action: "user.reject"})
		if len(log) != 1 {
			t.Errorf("got %d audit entries for the rejection, want 1", len(log))
		}
	})
}

func TestInvitationMakesActiveMember(t *testing.T) {
	t.Parallel()
	forEachEngine(t, func(t *testing.T, app *servertest.App) {
		app.CreateUser("mod@secretariat.example", store.RoleModerator, "Secretariat", store.OrgSecretariat)
		mod := app.Client()
		mod.SignIn("mod@secretariat.example")
		r := mod.Post("/moderation/invitations", url.Values{"email": {"Delegate@Chile.example"}, "role": {"member"},
			"org_name": {"Delegation of Chile"}, "org_kind": {"member"}, "org_country": {"CL"}})
		if r.Status != http.StatusOK {
			t.Fatalf("invite: got %d\n%s", r.Status, r.Body)
		}
		link := app.LastLink("delegate@chile.example", "/invite/")
		if !strings.Contains(r.Body, link) {
			t.Error("the moderator's page does not show the invitation link")
		}
		// Moderators may not hand out moderation rights.
		if r := mod.Post("/moderation/invitations", url.Values{"email": {"x@y.example"}, "role": {"admin"}, "org_name": {"X"}, "org_kind": {"member"}}); r.Status != http.StatusUnprocessableEntity {
			t.Errorf("moderator inviting an admin: got %d, want 422", r.Status)
		}
		// The mail is in the language the inviter chose for the invitee.
		if m := app.Mails("delegate@chile.example"); len(m) != 1 || m[0].Subject != "You are invited to Ideas Exchange" {
			t.Errorf("invitation mails in the inviter's language: %+v", m)
		}
		spanish := url.Values{"email": {"ventas@andes.example"}, "role": {"business"}, "lang": {"es"},
			"org_name": {"Andes Textiles"}, "org_kind": {"business"}}
		if r := mod.Post("/moderation/invitations", spanish); r.Status != http.StatusOK {
			t.Fatalf("invite in Spanish: got %d", r.Status)
		}
		if m := app.Mails("ventas@andes.example"); len(m) != 1 || m[0].Subject != "Invitación a Ideas Exchange" || !strings.Contains(m[0].Body, "/invite/") {
			t.Errorf("invitation in Spanish: %+v", m)
		}
		spanish.Set("email", "otro@andes.example")
		spanish.Set("lang", "tlh")
		if r := mod.Post("/moderation/invitations", spanish); r.Status != http.StatusUnprocessableEntity {
			t.Errorf("invitation in an unknown language: got %d, want 422", r.Status)
		}

		invitee := app.Client()
		page := invitee.Get(link)
		mustContain(t, page, "delegate@chile.example", "Delegation of Chile")
		r = invitee.Post(link, url.Values{"name": {"Camila Rojas"}, "password": {"andes mountains high"}, "password_confirm": {"andes mountains high"}})
		if r.Status != http.StatusSeeOther {
			t.Fatalf("accept: got %d\n%s", r.Status, r.Body)
		}
		me := invitee.Get("/api/v1/me")
		for _, want := range []string{`"role":"member"`, `"status":"active"`, `"name":"Delegation of Chile"`} {
			if !strings.Contains(me.Body, want) {
				t.Errorf("me lacks %s: %s", want, me.Body)
			}
		}
		// The link works once.
		again := app.Client()
		if r := again.Get(link); r.Status != http.StatusGone {
			t.Errorf("reused invitation page: got %d, want 410", r.Status)
		}
		if r := again.Post(link, url.Values{"name": {"X"}, "password": {"another password"}, "password_confirm": {"another password"}}); r.Status != http.StatusGone {
			t.Errorf("reused invitation post: got %d, want 410", r.Status)
		}
	})
}

func TestExpiredInvitationIsRefused(t *testing.T) {
	t.Parallel()
	forEachEngine(t, func(t *testing.T, app *servertest.App) {
		mod := app.CreateUser("mod@secretariat.example", store.RoleModerator, "Secretariat", store.OrgSecretariat)
		plain, hash := auth.NewToken("")
		inv := store.Invitation{Email: "late@x.example", Role: store.RoleMember, OrganisationID: mod.OrganisationID, InvitedBy: mod.ID}
		if err := app.Store.CreateInvitation(context.Background(), &inv, hash, time.Hour); err != nil {
			t.Fatal(err)
		}
		app.Store.SetClock(func() time.Time { return time.Now().Add(2 * time.Hour) })
		r := app.Client().Post("/invite/"+plain, url.Values{"name": {"Late"}, "password": {"a good password"}, "password_confirm": {"a good password"}})
		if r.Status != http.StatusGone {
			t.Errorf("got %d, want 410", r.Status)
		}
		mustContain(t, r, "expired")
		if _, err := app.Store.UserByEmail(context.Background(), "late@x.example"); err == nil {
			t.Error("an expired invitation created an account")
		}
	})
}

func TestPasswordResetEndToEnd(t *testing.T) {
	t.Parallel()
	forEachEngine(t, func(t *testing.T, app *servertest.App) {
		app.CreateUser("ana@andes.example", store.RoleBusiness, "Andes Textiles", store.OrgBusiness)
		old := app.Client()
		old.SignIn("ana@andes.example")

		r := app.Client().Post("/reset", url.Values{"email": {"ANA@andes.example"}})
		mustContain(t, r, "Check your e-mail")
		unknown := app.Client().Post("/reset", url.Values{"email": {"nobody@andes.example"}})
		if unknown.Status != r.Status || strings.ReplaceAll(unknown.Body, "nobody", "ana") != strings.ReplaceAll(r.Body, "ANA", "ana") {
			t.Error("the reset answer differs for an unknown address: it reveals who has an account")
		}

		link := app.LastLink("ana@andes.example", "/reset/")
		c := app.Client()
		if r := c.Get(link); r.Status != http.StatusOK {
			t.Fatalf("reset page: got %d", r.Status)
		}
		if r := c.Post(link, url.Values{"password": {"short"}, "password_confirm": {"short"}}); r.Status != http.StatusUnprocessableEntity {
			t.Errorf("short password: got %d, want 422", r.Status)
		}
		if r := c.Post(link, url.Values{"password": {"llamas on the altiplano"}, "password_confirm": {"llamas on the altiplano"}}); r.Status != http.StatusSeeOther {
			t.Fatalf("reset: got %d\n%s", r.Status, r.Body)
		}
		if r := old.Get("/account"); r.Status != http.StatusSeeOther {
			t.Errorf("a session from before the reset still works: got %d", r.Status)
		}
		if r := app.Client().Post("/signin", url.Values{"email": {"ana@andes.example"}, "password": {servertest.Password}}); r.Status != http.StatusUnprocessableEntity {
			t.Errorf("old password: got %d, want 422", r.Status)
		}
		app.Client().SignInWith("ana@andes.example", "llamas on the altiplano")
		if r := app.Client().Post(link, url.Values{"password": {"yet another password"}, "password_confirm": {"yet another password"}}); r.Status != http.StatusGone {
			t.Errorf("reused reset link: got %d, want 410", r.Status)
		}
	})
}

func TestSetupLinkCreatesAdminOnce(t *testing.T) {
	t.Parallel()
	forEachEngine(t, func(t *testing.T, app *servertest.App) {
		plain, hash := auth.NewToken("")
		if err := app.Store.CreateSetupToken(context.Background(), hash, time.Hour); err != nil {
			t.Fatal(err)
		}
		c := app.Client()
		mustContain(t, c.Get("/setup/"+plain), "first administrator")
		form := url.Values{"name": {"Sam Admin"}, "email": {"sam@secretariat.example"}, "password": {"secretariat password"},
			"password_confirm": {"secretariat password"}, "organisation": {"MSME Secretariat"}, "country": {"CH"}}
		r := c.Post("/setup/"+plain, form)
		if r.Status != http.StatusSeeOther || r.Location != "/admin/users" {
			t.Fatalf("setup: got %d to %q\n%s", r.Status, r.Location, r.Body)
		}
		mustContain(t, c.Get("/admin/users"), "Sam Admin")
		form.Set("email", "second@secretariat.example")
		if r := app.Client().Post("/setup/"+plain, form); r.Status != http.StatusGone {
			t.Errorf("second use of the setup link: got %d, want 410", r.Status)
		}
		if r := app.Client().Get("/setup/" + plain); r.Status != http.StatusGone {
			t.Errorf("setup page after use: got %d, want 410", r.Status)
		}
		if n, _ := app.Store.CountAdmins(context.Background()); n != 1 {
			t.Errorf("got %d admins, want 1", n)
		}
	})
}

func TestSessionRotatesAndSignOutEndsIt(t *testing.T) {
	t.Parallel()
	forEachEngine(t, func(t *testing.T, app *servertest.App) {
		app.CreateUser("bo@kenya.example", store.RoleMember, "Delegation of Kenya", store.OrgMember)
		c := app.Client()
		c.Header.Set("Cookie", "ideasx_session=planted-by-an-attacker")
		r := c.Post("/signin", url.Values{"email": {"bo@kenya.example"}, "password": {servertest.Password}})
		// The last session cookie set is the one the browser keeps.
		var setCookie string
		for _, c := range r.Header.Values("Set-Cookie") {
			if strings.HasPrefix(c, "ideasx_session=") {
				setCookie = c
			}
		}
		if !strings.Contains(setCookie, "ideasx_session=") || strings.Contains(setCookie, "planted") {
			t.Fatalf("sign-in did not issue a fresh session: %q", setCookie)
		}
		for _, attr := range []string{"HttpOnly", "SameSite=Lax", "Path=/"} {
			if !strings.Contains(setCookie, attr) {
				t.Errorf("session cookie lacks %s: %s", attr, setCookie)
			}
		}
		token := strings.TrimPrefix(strings.Split(setCookie, ";")[0], "ideasx_session=")
		stolen := app.Client()
		stolen.Header.Set("Cookie", "ideasx_session="+token)
		if r := stolen.Get("/account"); r.Status != http.StatusOK {
			t.Fatalf("the session cookie does not work: %d", r.Status)
		}
		c.Header.Del("Cookie")
		signedIn := app.Client()
		signedIn.Header.Set("Cookie", "ideasx_session="+token)
		if r := signedIn.Post("/signout", nil); r.Status != http.StatusSeeOther {
			t.Fatalf("sign out: got %d", r.Status)
		}
		if r := stolen.Get("/account"); r.Status != http.StatusSeeOther {
			t.Errorf("session still valid after sign-out: got %d", r.Status)
		}
	})
}

func TestSuspendedAccountCannotSignIn(t *testing.T) {
	t.Parallel()
	forEachEngine(t, func(t *testing.T, app *servertest.App) {
		app.CreateUser("admin@secretariat.example", store.RoleAdmin, "Secretariat", store.OrgSecretariat)
		target := app.CreateUser("troll@x.example", store.RoleBusiness, "Troll Ltd", store.OrgBusiness)
		victim := app.Client()
		victim.SignIn("troll@x.example")
		admin := app.Client()
		admin.SignIn("admin@secretariat.example")
		if r := admin.Post("/admin/users/"+itoa(target.ID)+"/status", url.Values{"status": {"suspended"}, "confirm": {"1"}}); r.Status != http.StatusSeeOther {
			t.Fatalf("suspend: got %d\n%s", r.Status, r.Body)
		}
		if r := victim.Get("/account"); r.Status != http.StatusSeeOther {
			t.Errorf("suspended account's session still works: %d", r.Status)
		}
		r := app.Client().Post("/signin", url.Values{"email": {"troll@x.example"}, "password": {servertest.Password}})
		if r.Status != http.StatusUnprocessableEntity {
			t.Errorf("suspended sign-in: got %d, want 422", r.Status)
		}
		mustContain(t, r, "suspended")
		// An admin cannot suspend themselves by mistake.
		me, _ := app.Store.UserByEmail(context.Background(), "admin@secretariat.example")
		if r := admin.Post("/admin/users/"+itoa(me.ID)+"/status", url.Values{"status": {"suspended"}}); r.Status != http.StatusConflict {
			t.Errorf("self-suspension: got %d, want 409", r.Status)
		}
	})
}

func TestLanguageFromSettingCookieOrBrowser(t *testing.T) {
	t.Parallel()
	app := servertest.New(t, storetest.SQLite, nil)
	c := app.Client()
	c.Header.Set("Accept-Language", "fr-CH, fr;q=0.9, en;q=0.5")
	r := c.Get("/")
	if !strings.Contains(r.Body, `<html lang="fr">`) {
		t.Errorf("Accept-Language fr: page is not French")
	}
	if r := c.Post("/lang", url.Values{"lang": {"es"}, "next": {"/signin"}}); r.Status != http.StatusSeeOther || r.Location != "/signin" {
		t.Fatalf("language switch: got %d to %q", r.Status, r.Location)
	}
	if r := c.Get("/"); !strings.Contains(r.Body, `<html lang="es">`) {
		t.Error("the chosen language does not win over the browser's")
	}
	app.CreateUser("en@x.example", store.RoleMember, "Delegation", store.OrgMember)
	u, _ := app.Store.UserByEmail(context.Background(), "en@x.example")
	_ = app.Store.SetLocale(context.Background(), u.ID, "en")
	c.SignIn("en@x.example")
	if r := c.Get("/"); !strings.Contains(r.Body, `<html lang="en">`) {
		t.Error("the account's language setting does not win")
	}
	if r := c.Post("/lang", url.Values{"lang": {"xx"}}); r.Status != http.StatusBadRequest {
		t.Errorf("unknown language: got %d, want 400", r.Status)
	}
}
