package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"ideasx/server/browsertest"
	"ideasx/server/servertest"
	"ideasx/store"
	"ideasx/store/storetest"
)

// noticeTexts returns the sentences of the notification centre, newest first.
func noticeTexts(t *testing.T, tab page) []string {
	t.Helper()
	raw, err := chromedp.Run(tab, chromedp.Evaluate[string](
		`JSON.stringify(Array.from(document.querySelectorAll(".notif-text")).map(e => e.textContent.replace(/\s+/g, " ").trim()))`))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	if err := json.Unmarshal([]byte(raw), &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestStatusNoticesInBrowser: a moderator refers a challenge to an event,
// closes it and reopens it in quick succession; its author, with the
// centre's badge open in English, French or Spanish, sees the badge count
// three live, and the centre says each change, newest first, by "the
// secretariat", the referral with its event.
func TestStatusNoticesInBrowser(t *testing.T) {
	t.Parallel()
	b := browsertest.New(t)
	app := servertest.New(t, storetest.SQLite, nil)
	ctx := context.Background()
	mod := app.CreateUser("mod@secretariat.example", store.RoleModerator, "Secretariat", store.OrgSecretariat)
	modC := app.Client()
	modC.SignIn(mod.Email)
	ev := store.Event{Title: "Working group, March", StartsAt: time.Now().Add(48 * time.Hour), EndsAt: time.Now().Add(50 * time.Hour),
		Timezone: "Europe/Zurich", Visibility: store.Public}
	if err := app.Store.SaveEvent(ctx, mod.ID, &ev); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		lang string
		want []string // newest first
	}{
		{"en", []string{
			"The secretariat moved “Certificates” from Closed to Open",
			"The secretariat moved “Certificates” from Referred to the group to Closed",
			"The secretariat moved “Certificates” from Open to Referred to the group: the event “Working group, March”"}},
		{"fr", []string{
			"Le secrétariat a fait passer « Certificates » de l’état Clos à l’état Ouvert",
			"Le secrétariat a fait passer « Certificates » de l’état Transmis au groupe à l’état Clos",
			"Le secrétariat a fait passer « Certificates » de l’état Ouvert à l’état Transmis au groupe : l’événement « Working group, March »"}},
		{"es", []string{
			"La secretaría cambió «Certificates» de Cerrado a Abierto",
			"La secretaría cambió «Certificates» de Remitido al grupo a Cerrado",
			"La secretaría cambió «Certificates» de Abierto a Remitido al grupo: el evento «Working group, March»"}},
	} {
		t.Run(c.lang, func(t *testing.T) {
			email := "lucia-" + c.lang + "@cafe.example"
			biz := app.CreateUser(email, store.RoleBusiness, "Café Montevideo "+c.lang, store.OrgBusiness)
			if err := app.Store.SetLocale(ctx, biz.ID, c.lang); err != nil {
				t.Fatal(err)
			}
			bizC := app.Client()
			bizC.SignIn(email)
			thread := createThread(t, bizC, firstTheme(t, app), "Certificates", "Three weeks per certificate.")

			tab := b.Tab()
			errs := watchConsole(t, tab)
			signIn(t, tab, app, email)
			browsertest.Do(t, tab, chromedp.Navigate(app.URL+"/forum"), chromedp.WaitReady(chromedp.CSS("[data-live-count]")))
			waitJS(t, tab, `document.querySelector("[data-live-count]").textContent === "0"`)

			status := fmt.Sprintf("/forum/threads/%d/status", thread)
			for _, form := range []url.Values{{"to": {"referred"}, "event": {fmt.Sprint(ev.ID)}}, {"to": {"closed"}}, {"to": {"open"}}} {
				if r := modC.Post(status, form); r.Status != http.StatusSeeOther {
					t.Fatalf("%v: %d", form, r.Status)
				}
			}
			waitJS(t, tab, `document.querySelector("[data-live-count]").textContent === "3"`)
			browsertest.Do(t, tab, click(".notif-link"), waitFor(".notif-item.is-unread"))
			got := noticeTexts(t, tab)
			if len(got) != 3 {
				t.Fatalf("the centre shows %q, want three notices", got)
			}
			for i, want := range c.want {
				if got[i] != want {
					t.Errorf("notice %d reads %q, want %q", i+1, got[i], want)
				}
			}
			browsertest.Screenshot(t, tab, "status-notices-"+c.lang)
			if e := errs(); len(e) > 0 {
				t.Errorf("browser errors: %v", e)
			}
		})
	}
}

// TestNotificationDefaultsInBrowser: the settings page, as a business and
// as a moderator see it, shows the defaults: replies in your own threads
// and mentions by e-mail at once, other threads and themes in the digest;
// account requests and flags by e-mail at once, with a daily summary to
// choose instead.
func TestNotificationDefaultsInBrowser(t *testing.T) {
	t.Parallel()
	b := browsertest.New(t)
	app := servertest.New(t, storetest.SQLite, nil)
	app.CreateUser("lucia@cafe.example", store.RoleBusiness, "Café Montevideo SRL", store.OrgBusiness)
	app.CreateUser("mod@secretariat.example", store.RoleModerator, "Secretariat", store.OrgSecretariat)
	for _, c := range []struct {
		email string
		want  map[string]string
	}{
		{"lucia@cafe.example", map[string]string{"thread_reply": "email", "mention": "email", "reply": "digest", "new_thread": "digest",
			"status": "email", "answer_accepted": "email"}},
		{"mod@secretariat.example", map[string]string{"thread_reply": "email", "mention": "email", "reply": "digest",
			"pending_account": "email", "new_flag": "email"}},
	} {
		tab := b.Tab()
		signIn(t, tab, app, c.email)
		browsertest.Do(t, tab, chromedp.Navigate(app.URL+"/account/notifications"), waitFor("#channel_thread_reply"))
		for kind, ch := range c.want {
			got, err := chromedp.Run(tab, chromedp.Evaluate[string](fmt.Sprintf(`document.querySelector("#channel_%s").value`, kind)))
			if err != nil {
				t.Fatalf("%s: %s: %v", c.email, kind, err)
			}
			if got != ch {
				t.Errorf("%s: %s shows %q, want %q", c.email, kind, got, ch)
			}
		}
		options := browsertest.Text(t, tab, "form.prefs-form")
		if daily := strings.Contains(options, "Here and in a daily summary"); daily != strings.HasPrefix(c.email, "mod") {
			t.Errorf("%s: daily summary offered = %v", c.email, daily)
		}
		browsertest.Screenshot(t, tab, "notification-defaults-"+strings.Split(c.email, "@")[0])
	}
}
