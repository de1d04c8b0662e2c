package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"ideasx/server/servertest"
	"ideasx/store"
)

// statusWording is what a challenge's author reads, in one language, of a
// moderator's refer → close → reopen: one line each in the notification
// centre, and one mail each (subject and a sentence of its body).
type statusWording struct {
	lang         string
	centre       [3]string
	subjects     [3]string
	bodies       [3]string
	acceptedLine string // the reply's author, told their reply was accepted
}

var statusWordings = []statusWording{
	{
		lang: "en",
		centre: [3]string{
			"The secretariat moved “Certificates” from Open to Referred to the group: the event “Working group, March”",
			"The secretariat moved “Certificates” from Referred to the group to Closed",
			"The secretariat moved “Certificates” from Closed to Open"},
		subjects: [3]string{
			"Your challenge “Certificates” was referred to the working group",
			"Your challenge “Certificates”: Referred to the group → Closed",
			"Your challenge “Certificates”: Closed → Open"},
		bodies: [3]string{
			"The secretariat changed the status of your challenge “Certificates” from Open to Referred to the group. Referred to: the event “Working group, March”.",
			"The secretariat changed the status of your challenge “Certificates” from Referred to the group to Closed.",
			"The secretariat changed the status of your challenge “Certificates” from Closed to Open."},
		acceptedLine: "A business accepted your reply as the answer to “Certificates”",
	},
	{
		lang: "fr",
		centre: [3]string{
			"Le secrétariat a fait passer « Certificates » de l’état Ouvert à l’état Transmis au groupe : l’événement « Working group, March »",
			"Le secrétariat a fait passer « Certificates » de l’état Transmis au groupe à l’état Clos",
			"Le secrétariat a fait passer « Certificates » de l’état Clos à l’état Ouvert"},
		subjects: [3]string{
			"Votre défi « Certificates » a été transmis au groupe de travail",
			"Votre défi « Certificates » : Transmis au groupe → Clos",
			"Votre défi « Certificates » : Clos → Ouvert"},
		bodies: [3]string{
			"Le secrétariat a fait passer votre défi « Certificates » de l’état Ouvert à l’état Transmis au groupe. Transmis à : l’événement « Working group, March ».",
			"Le secrétariat a fait passer votre défi « Certificates » de l’état Transmis au groupe à l’état Clos.",
			"Le secrétariat a fait passer votre défi « Certificates » de l’état Clos à l’état Ouvert."},
		acceptedLine: "Une entreprise a accepté votre réponse au défi « Certificates »",
	},
	{
		lang: "es",
		centre: [3]string{
			"La secretaría cambió «Certificates» de Abierto a Remitido al grupo: el evento «Working group, March»",
			"La secretaría cambió «Certificates» de Remitido al grupo a Cerrado",
			"La secretaría cambió «Certificates» de Cerrado a Abierto"},
		subjects: [3]string{
			"Su desafío «Certificates» fue remitido al grupo de trabajo",
			"Su desafío «Certificates»: Remitido al grupo → Cerrado",
			"Su desafío «Certificates»: Cerrado → Abierto"},
		bodies: [3]string{
			"La secretaría ha cambiado el estado de su desafío «Certificates» de Abierto a Remitido al grupo. Remitido a: el evento «Working group, March».",
			"La secretaría ha cambiado el estado de su desafío «Certificates» de Remitido al grupo a Cerrado.",
			"La secretaría ha cambiado el estado de su desafío «Certificates» de Cerrado a Abierto."},
		acceptedLine: "Una empresa aceptó su respuesta al desafío «Certificates»",
	},
}

// oneLine folds a page's or mail's white space, so that a sentence
// wrapped by a template is found whole.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// TestStatusNoticeWording: a moderator refers a challenge to an event,
// closes it and reopens it, in quick succession, through the page's form.
// Its author, in English, French or Spanish, reads three notices and gets
// three mails, each saying its own change (from → to), by "the
// secretariat" (members do not see moderators' names, as on the thread's
// page) and, for the referral, to which event, with the moderator's note;
// none says the thread's status at the time it is read. Then the author
// accepts the delegation's reply under the Chatham House rule: the
// delegation is told "a business" accepted it, in the app and by mail,
// and no name reaches it.
func TestStatusNoticeWording(t *testing.T) {
	t.Parallel()
	forEachEngine(t, func(t *testing.T, app *servertest.App) {
		ctx := context.Background()
		theme := themeID(t, app)
		mod := app.CreateUser("mod@secretariat.example", store.RoleModerator, "Secretariat", store.OrgSecretariat)
		modC := app.Client()
		modC.SignIn(mod.Email)
		ev := store.Event{Title: "Working group, March", StartsAt: time.Now().Add(48 * time.Hour), EndsAt: time.Now().Add(50 * time.Hour),
			Timezone: "Europe/Zurich", Visibility: store.MembersOnly}
		if err := app.Store.SaveEvent(ctx, mod.ID, &ev); err != nil {
			t.Fatal(err)
		}
		for _, w := range statusWordings {
			t.Run(w.lang, func(t *testing.T) {
				biz := app.CreateUser("biz-"+w.lang+"@andes.example", store.RoleBusiness, "Andes Textiles "+w.lang, store.OrgBusiness)
				del := app.CreateUser("del-"+w.lang+"@chile.example", store.RoleMember, "Delegation of Chile "+w.lang, store.OrgMember)
				for _, u := range []*store.User{biz, del} {
					if err := app.Store.SetLocale(ctx, u.ID, w.lang); err != nil {
						t.Fatal(err)
					}
				}
				th, err := app.Store.CreateThread(ctx, store.NewThread{ThemeID: theme, Kind: store.Challenge, Title: "Certificates",
					Attribution: store.ChathamHouse, Body: "Three weeks per certificate.", HTML: "<p>Three weeks.</p>", Author: biz})
				if err != nil {
					t.Fatal(err)
				}
				answer, err := app.Store.CreatePost(ctx, store.NewPost{ThreadID: th.ID, Author: del, Body: "We issue them online.", HTML: "<p>x</p>"})
				if err != nil {
					t.Fatal(err)
				}
				app.Mails(biz.Email) // the reply's mail goes first
				statusURL := fmt.Sprintf("/forum/threads/%d/status", th.ID)
				for _, form := range []url.Values{{"to": {"referred"}, "event": {fmt.Sprint(ev.ID)}, "note": {"On the March agenda"}},
					{"to": {"closed"}}, {"to": {"open"}}} {
					if r := modC.Post(statusURL, form); r.Status != http.StatusSeeOther {
						t.Fatalf("%v: %d %s", form, r.Status, r.Body)
					}
				}

				bizC := app.Client()
				bizC.SignIn(biz.Email)
				page := oneLine(bizC.Get("/notifications").Body)
				for i, want := range w.centre {
					if !strings.Contains(page, want) {
						t.Errorf("notice %d: the centre lacks %q", i+1, want)
					}
				}
				if strings.Contains(page, "Test mod") {
					t.Error("the centre names the moderator to a member")
				}

				var mails []servertest.Mail
				for _, m := range app.WaitMails(biz.Email, 4) {
					if !strings.Contains(m.Subject, "Certificates") || strings.Contains(m.Body, "We issue them online") {
						continue // the reply's
					}
					mails = append(mails, m)
				}
				if len(mails) != 3 {
					t.Fatalf("%d status mails, want 3: %+v", len(mails), mails)
				}
				// Mails leave in any order (several workers); each says its own change.
				bySubject := map[string]string{}
				for _, m := range mails {
					bySubject[m.Subject] = oneLine(m.Body)
				}
				for i, subject := range w.subjects {
					body, ok := bySubject[subject]
					switch {
					case !ok:
						t.Errorf("no mail with the subject %q among %+v", subject, mails)
					case !strings.Contains(body, w.bodies[i]):
						t.Errorf("mail %q lacks %q:\n%s", subject, w.bodies[i], body)
					}
				}
				if !strings.Contains(bySubject[w.subjects[0]], "On the March agenda") {
					t.Errorf("the referral's mail lacks the moderator's note:\n%s", bySubject[w.subjects[0]])
				}

				// The author accepts the delegation's reply.
				if r := bizC.Post(statusURL, url.Values{"to": {"answered"}, "post": {fmt.Sprint(answer.ID)}}); r.Status != http.StatusSeeOther {
					t.Fatalf("accept: %d %s", r.Status, r.Body)
				}
				delC := app.Client()
				delC.SignIn(del.Email)
				delPage := delC.Get("/notifications")
				if !strings.Contains(oneLine(delPage.Body), w.acceptedLine) {
					t.Errorf("the delegation's centre lacks %q", w.acceptedLine)
				}
				if !strings.Contains(delPage.Body, fmt.Sprintf("data-live-count>%d<", 1)) {
					t.Errorf("the delegation's badge does not count the notice")
				}
				got := app.WaitMails(del.Email, 1)
				if len(got) != 1 {
					t.Fatalf("the delegation got %d mails, want 1 (the acceptance)", len(got))
				}
				for _, leak := range []string{"Test biz", "Andes"} {
					if strings.Contains(got[0].Subject+got[0].Body+delPage.Body, leak) {
						t.Errorf("the delegation is told %q under the Chatham House rule", leak)
					}
				}
				if !strings.Contains(got[0].Body, fmt.Sprintf("#post-%d", answer.ID)) {
					t.Errorf("the acceptance mail does not link the reply:\n%s", got[0].Body)
				}
			})
		}
	})
}

// TestReferralTargetNotNamedToWhoCannotReadIt: a challenge referred to a
// draft document (only moderators read drafts) tells its author that it
// went to "a document of the working group", without the draft's title.
func TestReferralTargetNotNamedToWhoCannotReadIt(t *testing.T) {
	t.Parallel()
	app := servertest.New(t, "sqlite", nil)
	ctx := context.Background()
	mod := app.CreateUser("mod@secretariat.example", store.RoleModerator, "Secretariat", store.OrgSecretariat)
	biz := app.CreateUser("biz@andes.example", store.RoleBusiness, "Andes Textiles", store.OrgBusiness)
	doc := &store.Document{Title: "Secret draft on origin", Summary: "x", DocDate: time.Now(), Visibility: store.Public, Status: store.Draft}
	if err := app.Store.SaveDocument(ctx, mod.ID, doc); err != nil {
		t.Fatal(err)
	}
	th, err := app.Store.CreateThread(ctx, store.NewThread{ThemeID: themeID(t, app), Kind: store.Challenge, Title: "Certificates",
		Attribution: store.OnTheRecord, Body: "Slow.", HTML: "<p>Slow.</p>", Author: biz})
	if err != nil {
		t.Fatal(err)
	}
	if err := app.Store.ChangeChallengeStatus(ctx, mod, th.ID, store.StatusRequest{To: store.StatusReferred, DocumentID: doc.ID}); err != nil {
		t.Fatal(err)
	}
	c := app.Client()
	c.SignIn(biz.Email)
	page := oneLine(c.Get("/notifications").Body)
	if !strings.Contains(page, "from Open to Referred to the group: a document of the working group") || strings.Contains(page, "Secret draft") {
		t.Errorf("the notice should name the draft only as a document:\n%s", page)
	}
	m := app.WaitMails(biz.Email, 1)
	if len(m) != 1 || strings.Contains(m[0].Body, "Secret draft") || !strings.Contains(oneLine(m[0].Body), "Referred to: a document of the working group.") {
		t.Errorf("mail: %+v", m)
	}
}

var selectedRe = regexp.MustCompile(`(?s)<select id="channel_([a-z_]+)".*?<option value="([a-z]+)" selected>`)

// TestNotificationDefaultsShown: the settings page shows the defaults —
// replies in your own threads and mentions by e-mail at once, other
// watched threads and themes in the digest — and to a moderator account
// requests and flags by e-mail at once, with a daily summary to choose.
// Choosing the summary stops the mail at once, and the summary comes the
// next day in the moderator's language, whatever their digest.
func TestNotificationDefaultsShown(t *testing.T) {
	t.Parallel()
	forEachEngine(t, func(t *testing.T, app *servertest.App) {
		ctx := context.Background()
		biz := app.CreateUser("biz@andes.example", store.RoleBusiness, "Andes Textiles", store.OrgBusiness)
		mod := app.CreateUser("mod@secretariat.example", store.RoleModerator, "Secretariat", store.OrgSecretariat)
		want := map[string]string{"thread_reply": "email", "mention": "email", "reply": "digest", "new_thread": "digest",
			"status": "email", "accepted": "email", "answer_accepted": "email", "pending_account": "email", "new_flag": "email"}
		for _, u := range []*store.User{biz, mod} {
			c := app.Client()
			c.SignIn(u.Email)
			page := c.Get("/account/notifications")
			got := map[string]string{}
			for _, m := range selectedRe.FindAllStringSubmatch(page.Body, -1) {
				got[m[1]] = m[2]
			}
			for kind, ch := range want {
				moderatorKind := kind == "pending_account" || kind == "new_flag"
				switch {
				case moderatorKind && u == biz:
					if _, shown := got[kind]; shown {
						t.Errorf("a business is offered the moderators' %s", kind)
					}
				case got[kind] != ch:
					t.Errorf("%s: %s shows %q selected, want %q", u.Email, kind, got[kind], ch)
				}
			}
			if daily := strings.Contains(page.Body, "Here and in a daily summary"); daily != (u == mod) {
				t.Errorf("%s: daily summary offered = %v", u.Email, daily)
			}
		}

		// A registration reaches the moderator by mail at once.
		reg := app.Client()
		if r := reg.Post("/register", registration("amina@dakar.example")); r.Status != http.StatusOK && r.Status != http.StatusSeeOther {
			t.Fatalf("register: %d", r.Status)
		}
		if m := app.WaitMails(mod.Email, 1); len(m) != 1 || !strings.Contains(m[0].Subject, "Amina Diallo") {
			t.Fatalf("moderator's mails after a registration: %+v", m)
		}

		// The daily summary instead, in French, with the digest off.
		if err := app.Store.SetLocale(ctx, mod.ID, "fr"); err != nil {
			t.Fatal(err)
		}
		c := app.Client()
		c.SignIn(mod.Email)
		form := url.Values{"channel_pending_account": {"digest"}, "channel_new_flag": {"digest"}, "digest": {"off"}}
		if r := c.Post("/account/notifications", form); r.Status != http.StatusSeeOther {
			t.Fatalf("save: %d", r.Status)
		}
		app.SettleMail() // starts the summary's clock
		kofi := registration("kofi@accra.example")
		kofi.Set("name", "Kofi Mensah")
		if r := reg.Post("/register", kofi); r.Status != http.StatusOK && r.Status != http.StatusSeeOther {
			t.Fatalf("register: %d", r.Status)
		}
		if m := app.Mails(mod.Email); len(m) != 1 {
			t.Fatalf("a mail at once though the summary was chosen: %+v", m)
		}
		app.Store.SetClock(func() time.Time { return time.Now().Add(25 * time.Hour) })
		m := app.WaitMails(mod.Email, 2)
		if len(m) != 2 || !strings.HasPrefix(m[1].Subject, "Modération : demandes de compte et signalements") ||
			!strings.Contains(m[1].Body, "Kofi Mensah demande un compte") || strings.Contains(m[1].Body, "Amina") {
			t.Errorf("moderation summary: %+v", m)
		}
		// Its unsubscribe link stops the summary; the requests stay in the app.
		link := app.LastLink(mod.Email, "/unsubscribe/")
		if !strings.Contains(link, ".moderation_summary.") {
			t.Fatalf("the summary's unsubscribe link %q is not the summary's", link)
		}
		mustContain(t, app.Client().Get(link), "récapitulatif quotidien des demandes de compte")
		if r := app.Client().Post(link, nil); r.Status != http.StatusOK {
			t.Fatalf("unsubscribe: %d", r.Status)
		}
		prefs, err := app.Store.Prefs(ctx, mod.ID)
		if err != nil {
			t.Fatal(err)
		}
		if prefs.Channels[store.NotifyPendingAccount] != store.ChannelInApp || prefs.Channels[store.NotifyNewFlag] != store.ChannelInApp {
			t.Errorf("after unsubscribing from the summary: %v", prefs.Channels)
		}
	})
}

// TestApprovalMailPerRole: the mail that tells of an approval says what
// the role may do: a visitor is pointed at the public documents and told
// the forum is for others, not invited to "take part in the forum".
func TestApprovalMailPerRole(t *testing.T) {
	t.Parallel()
	app := servertest.New(t, "sqlite", nil)
	ctx := context.Background()
	mod := app.CreateUser("mod@secretariat.example", store.RoleModerator, "Secretariat", store.OrgSecretariat)
	for _, c := range []struct {
		role        store.Role
		lang        string
		want, never []string
	}{
		{store.RoleVisitor, "en", []string{"read and search the public documents and events", "The forum is open to businesses", "/signin?next=/documents"},
			[]string{"take part in the forum", "post"}},
		{store.RoleVisitor, "fr", []string{"lire et rechercher les documents et événements publics", "Le forum est ouvert aux entreprises"},
			[]string{"participer au forum"}},
		{store.RoleVisitor, "es", []string{"leer y buscar los documentos y eventos públicos", "El foro está abierto a empresas"},
			[]string{"participar en el foro"}},
		{store.RoleBusiness, "en", []string{"post the obstacles your business meets in trade as challenges", "/signin?next=/forum"}, nil},
		{store.RoleMember, "en", []string{"read and answer the challenges businesses post in the forum", "members-only documents"}, nil},
	} {
		email := fmt.Sprintf("%s-%s@example.org", c.role, c.lang)
		u := app.CreateUser(email, store.RolePending, "Org "+email, store.OrgBusiness)
		if err := app.Store.SetLocale(ctx, u.ID, c.lang); err != nil {
			t.Fatal(err)
		}
		if err := app.Store.ApproveUser(ctx, mod.ID, u.ID, c.role, ""); err != nil {
			t.Fatal(err)
		}
		m := app.WaitMails(email, 1)
		if len(m) != 1 {
			t.Fatalf("%s: %d mails, want 1", email, len(m))
		}
		body := oneLine(m[0].Body)
		for _, w := range c.want {
			if !strings.Contains(body, w) {
				t.Errorf("%s (%s): the approval mail lacks %q:\n%s", c.role, c.lang, w, body)
			}
		}
		for _, w := range c.never {
			if strings.Contains(body, w) {
				t.Errorf("%s (%s): the approval mail says %q:\n%s", c.role, c.lang, w, body)
			}
		}
	}
	// The notice in the centre says the same.
	c := app.Client()
	c.SignIn("visitor-en@example.org")
	if page := oneLine(c.Get("/notifications").Body); !strings.Contains(page, "The forum is for businesses, delegations and observers") {
		t.Errorf("the visitor's notice does not say what the account gives")
	}
}

// TestResetMailLanguage: the reset mail speaks the account's language; an
// account without one gets the language of the page the request came from.
func TestResetMailLanguage(t *testing.T) {
	t.Parallel()
	app := servertest.New(t, "sqlite", nil)
	ctx := context.Background()
	none := app.CreateUser("none@example.org", store.RoleMember, "Delegation A", store.OrgMember)
	spanish := app.CreateUser("es@example.org", store.RoleMember, "Delegation B", store.OrgMember)
	if err := app.Store.SetLocale(ctx, spanish.ID, "es"); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		email, subject string
	}{
		{none.Email, "Choisissez un nouveau mot de passe Ideas Exchange"},
		{spanish.Email, "Elija una nueva contraseña de Ideas Exchange"},
	} {
		browser := app.Client()
		// The person browses in French: they chose it on the page.
		if r := browser.Post("/lang", url.Values{"lang": {"fr"}, "next": {"/reset"}}); r.Status != http.StatusSeeOther {
			t.Fatalf("language: %d", r.Status)
		}
		if r := browser.Post("/reset", url.Values{"email": {c.email}}); r.Status != http.StatusOK {
			t.Fatalf("reset: %d", r.Status)
		}
		m := app.WaitMails(c.email, 1)
		if len(m) != 1 || m[0].Subject != c.subject {
			t.Errorf("%s: reset mail %+v, want the subject %q", c.email, m, c.subject)
		}
	}
}

// TestOpenAPINotificationKinds: the API's description lists every kind of
// notification the API may return.
func TestOpenAPINotificationKinds(t *testing.T) {
	raw, err := os.ReadFile("openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc any
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	var enum []any
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			if k, ok := v["kind"].(map[string]any); ok {
				if e, ok := k["enum"].([]any); ok && slices.Contains(e, any("pending_account")) {
					enum = e
				}
			}
			for _, c := range v {
				walk(c)
			}
		case []any:
			for _, c := range v {
				walk(c)
			}
		}
	}
	walk(doc)
	var want []any
	for _, k := range store.NotificationKinds {
		want = append(want, string(k))
	}
	if !slices.Equal(enum, want) {
		t.Errorf("openapi.json lists the kinds %v, want %v", enum, want)
	}
}
