package e2e

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"ideasx/server/browsertest"
	"ideasx/server/servertest"
	"ideasx/store"
	"ideasx/store/storetest"
)

// curatedChallenge is an opening post with the structure a public summary
// must keep.
const curatedChallenge = "## Certificates of origin\n\nOurs are **stamped twice**:\n\n" +
	"- booking takes 5 days\n- inspection takes 7 days\n\n" +
	"| step | days |\n|---|---|\n| booking | 5 |\n| stamp | 3 |\n\n" +
	"The [rules we follow](https://example.org/rules)."

// TestCurationJourneyInBrowser walks the whole curation journey in
// Chromium: a moderator drafts a public document from a thread; the
// business and the delegate it quotes see their badge count it live and get
// a mail; the business reads the whole draft with its words marked,
// refuses with a note (the moderator's badge counts it live), then asks to
// be quoted without its name; the delegate agrees; the moderator, told
// live, publishes; a visitor reads a summary that keeps the post's
// heading, list, table and link, and names the business only by its kind.
func TestCurationJourneyInBrowser(t *testing.T) {
	t.Parallel()
	b := browsertest.New(t)
	app := servertest.New(t, storetest.SQLite, nil)
	app.CreateUser("lucia@cafe.example", store.RoleBusiness, "Café Montevideo SRL", store.OrgBusiness)
	app.CreateUser("delegate@kenya.example", store.RoleMember, "Delegation of Kenya", store.OrgMember)
	app.CreateUser("mod@secretariat.example", store.RoleModerator, "Secretariat", store.OrgSecretariat)
	biz, del := app.Client(), app.Client()
	biz.SignIn("lucia@cafe.example")
	del.SignIn("delegate@kenya.example")
	thread := createThread(t, biz, firstTheme(t, app), "Certificates stamped twice", curatedChallenge)
	answer := reply(t, del, thread, "Kenya's single window takes **one** stamp.")
	if r := biz.Post(fmt.Sprintf("/forum/threads/%d/status", thread), url.Values{"to": {"answered"}, "post": {fmt.Sprint(answer)}}); r.Status != 303 {
		t.Fatalf("accept: %d", r.Status)
	}

	bizTab, delTab, modTab := b.Tab(), b.Tab(), b.Tab()
	errs := watchConsole(t, bizTab)
	for _, s := range []struct {
		tab   page
		email string
	}{{bizTab, "lucia@cafe.example"}, {delTab, "delegate@kenya.example"}, {modTab, "mod@secretariat.example"}} {
		signIn(t, s.tab, app, s.email)
		browsertest.Do(t, s.tab, chromedp.Navigate(app.URL+"/documents"), chromedp.WaitReady(chromedp.CSS("[data-live-count]")))
	}
	count := func(tab page) string {
		n, err := chromedp.Run(tab, chromedp.Evaluate[string](`document.querySelector("[data-live-count]").textContent`))
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	bizBefore, delBefore := count(bizTab), count(delTab)

	// The moderator drafts from the thread, in a tab of its own.
	draftTab := b.Tab()
	signIn(t, draftTab, app, "mod@secretariat.example")
	browsertest.Do(t, draftTab, chromedp.Navigate(app.URL+fmt.Sprintf("/forum/threads/%d", thread)),
		click(".curate-form button"), waitFor("#publish-waiting"))
	assertText(t, draftTab, "#publish-waiting", "Waiting for 2 of 2 people", "Test lucia (Not answered yet)", "Test delegate (Not answered yet)")
	disabled, err := chromedp.Run(draftTab, chromedp.Evaluate[bool](`document.querySelector("button[aria-describedby=publish-waiting]").disabled`))
	if err != nil || !disabled {
		t.Errorf("the publish button is not disabled while consents are awaited (%v)", err)
	}
	var docPath string
	docPath, _ = chromedp.Run(draftTab, chromedp.Evaluate[string](`location.pathname`))
	docID := strings.TrimPrefix(docPath, "/moderation/documents/")
	browsertest.Screenshot(t, draftTab, "curation-draft")

	// Each person quoted is told live, and by mail with the passage.
	waitJS(t, bizTab, fmt.Sprintf(`document.querySelector("[data-live-count]").textContent !== %q`, bizBefore))
	waitJS(t, delTab, fmt.Sprintf(`document.querySelector("[data-live-count]").textContent !== %q`, delBefore))
	for email, passage := range map[string]string{"lucia@cafe.example": "Certificates of origin", "delegate@kenya.example": "single window"} {
		if m := mailAbout(t, app, email, "May we quote you?"); !strings.Contains(m.Body, passage) || !strings.Contains(m.Body, "/account/consents/"+docID) {
			t.Errorf("consent mail to %s: %+v", email, m)
		}
	}

	// The business opens the request from its notifications and reads the draft.
	browsertest.Do(t, bizTab, click(".notif-link"), waitFor(".notif-item.is-unread"))
	assertText(t, bizTab, ".notif-item.is-unread", "asks whether you agree to be quoted in “Certificates stamped twice”")
	browsertest.Do(t, bizTab, click(".notif-item.is-unread .notif-open"), waitFor(".consent-draft"))
	assertText(t, bizTab, ".consent-draft mark.consent-mine-name", "Test lucia (Café Montevideo SRL)")
	assertText(t, bizTab, ".consent-draft blockquote.consent-mine", "Certificates of origin", "booking takes 5 days")
	assertText(t, bizTab, ".consent-draft", "Kenya's single window")
	browsertest.Screenshot(t, bizTab, "consent-page")
	// The same page in Spanish, and on a phone. What the draft would say
	// instead of the name stays in the language the draft is written in.
	browsertest.Do(t, bizTab, click(`.header-tools .lang-switch button[value="es"]`))
	waitLang(t, bizTab, "es")
	assertText(t, bizTab, ".consent-answer", "¿Puede el documento citarle?", "Sí, pero sin mi nombre (como «a business»)")
	browsertest.Screenshot(t, bizTab, "consent-page-es")
	browsertest.Do(t, bizTab, chromedp.EmulateViewport(390, 800))
	viewportShot(t, bizTab, "consent-page-390")
	browsertest.Do(t, bizTab, chromedp.EmulateViewport(1280, 900), click(`.header-tools .lang-switch button[value="en"]`))
	waitLang(t, bizTab, "en")

	// It refuses, with a note; the moderator's badge counts it live.
	modBefore := count(modTab)
	browsertest.Do(t, bizTab, click("input[name=answer][value=declined]"), fill("#f-note", "Not under our company's name, please"),
		click(".consent-answer button[type=submit]"), waitFor(".consent-answer .badge-consent-declined"))
	waitJS(t, modTab, fmt.Sprintf(`document.querySelector("[data-live-count]").textContent !== %q`, modBefore))
	if m := mailAbout(t, app, "mod@secretariat.example", "Consent refused"); !strings.Contains(m.Body, "Not under our company's name") {
		t.Errorf("refusal mail: %+v", m)
	}

	// Then it asks to be quoted without its name, and the delegate agrees.
	browsertest.Do(t, bizTab, click("input[name=answer][value=anonymous]"), click(".consent-answer button[type=submit]"),
		waitFor(".consent-answer .badge-consent-anonymous"))
	assertText(t, bizTab, ".consent-draft mark.consent-mine-name", "a business")
	modBefore = count(modTab)
	browsertest.Do(t, delTab, chromedp.Navigate(app.URL+"/account/consents/"+docID), waitFor(".consent-draft"),
		click("input[name=answer][value=granted]"), click(".consent-answer button[type=submit]"), waitFor(".consent-answer .badge-consent-granted"))
	waitJS(t, modTab, fmt.Sprintf(`document.querySelector("[data-live-count]").textContent !== %q`, modBefore))
	mailAbout(t, app, "mod@secretariat.example", "Ready to publish")
	browsertest.Do(t, modTab, click(".notif-link"), waitFor(".notif-item.is-unread"))
	assertText(t, modTab, ".notif-item.is-unread", "Everyone quoted in “Certificates stamped twice” has agreed")

	// The moderator publishes. The confirmation asked first is tested on
	// its own (confirm_test.go); here the form is sent as confirmed.
	browsertest.Do(t, draftTab, chromedp.Navigate(app.URL+docPath), waitFor(".status-bar"))
	if _, err := chromedp.Run(draftTab, chromedp.Evaluate[bool](`(() => {
		const f = [...document.querySelectorAll(".status-bar form")].find(f => f.querySelector("input[name=status][value=published]"));
		if (f.querySelector("button").disabled) return false;
		const c = document.createElement("input"); c.type = "hidden"; c.name = "confirm"; c.value = "1";
		f.append(c); f.dataset.confirming = "1"; f.requestSubmit(); return true; })()`)); err != nil {
		t.Fatal(err)
	}
	browsertest.Do(t, draftTab, waitFor(".status-bar a[href^='/documents/']"))

	// A visitor reads a well-formed summary.
	visitor := b.Tab()
	browsertest.Do(t, visitor, chromedp.Navigate(app.URL+"/documents/"+docID), waitFor(".prose"))
	assertText(t, visitor, ".prose h2", "Certificates of origin")
	assertText(t, visitor, ".prose ul", "booking takes 5 days", "inspection takes 7 days")
	assertText(t, visitor, ".prose table", "booking", "stamp")
	assertText(t, visitor, ".prose", "The challenge, as a business put it:", "The answer accepted, from Test delegate (Delegation of Kenya):")
	body := browsertest.Text(t, visitor, "main")
	for _, leak := range []string{"Test lucia", "Café Montevideo"} {
		if strings.Contains(body, leak) {
			t.Errorf("the public document names %q, who asked not to be named", leak)
		}
	}
	hrefs, err := chromedp.Run(visitor, chromedp.Evaluate[[]string](`[...document.querySelectorAll("main a")].map(a => a.getAttribute("href"))`))
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range hrefs {
		if regexp.MustCompile(`^/(forum|account|moderation|notifications)`).MatchString(h) {
			t.Errorf("the public document links to %q", h)
		}
	}
	if !strings.Contains(strings.Join(hrefs, " "), "https://example.org/rules") {
		t.Errorf("the post's link is lost: %v", hrefs)
	}
	browsertest.Screenshot(t, visitor, "curated-document")

	// Members see on the thread that it became public.
	browsertest.Do(t, delTab, chromedp.Navigate(app.URL+fmt.Sprintf("/forum/threads/%d", thread)), waitFor(".thread-public"))
	assertText(t, delTab, ".thread-public", "This thread became a public document:", "Certificates stamped twice")
	if e := errs(); len(e) > 0 {
		t.Errorf("browser errors: %v", e)
	}
}

// waitLang waits until the page that a language switch loads is there,
// in lang; the switch navigates, which ends any poll begun before it.
func waitLang(t *testing.T, tab page, lang string) {
	t.Helper()
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		ok, err := chromedp.Run(tab, chromedp.Evaluate[bool](`document.readyState === "complete" && document.documentElement.lang === "`+lang+`"`))
		if err == nil && ok {
			return
		}
	}
	t.Fatalf("the page never came in %s", lang)
}

// mailAbout waits for the mail to address whose subject holds part.
func mailAbout(t *testing.T, app *servertest.App, address, part string) servertest.Mail {
	t.Helper()
	for n := 1; n <= 10; n++ {
		mails := app.WaitMails(address, n)
		for _, m := range mails {
			if strings.Contains(m.Subject, part) {
				return m
			}
		}
		if len(mails) < n {
			break
		}
	}
	t.Errorf("no mail to %s about %q", address, part)
	return servertest.Mail{}
}
