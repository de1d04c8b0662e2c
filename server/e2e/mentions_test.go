package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"ideasx/server/browsertest"
	"ideasx/server/servertest"
	"ideasx/store"
	"ideasx/store/storetest"
)

// TestMentionSuggestionsInBrowser: typing "@xy" in a reply lists the
// people whose handle, name or organisation has it, the first highlighted
// (aria-activedescendant); Down then Enter writes the second one's handle;
// Escape closes the list and leaves the text; a click (or a tap) chooses
// too. The open list passes axe, on a desktop and on a phone.
func TestMentionSuggestionsInBrowser(t *testing.T) {
	t.Parallel()
	b := browsertest.New(t)
	axe := browsertest.LoadAxe(t)
	app := servertest.New(t, storetest.SQLite, nil)
	app.CreateUser("lucia@cafe.example", store.RoleBusiness, "Café Montevideo SRL", store.OrgBusiness)
	xyla := app.CreateUser("xyla@kenya.example", store.RoleMember, "Delegation of Kenya", store.OrgMember)
	xyz := app.CreateUser("xyz@chile.example", store.RoleMember, "Delegation of Chile", store.OrgMember)
	biz := app.Client()
	biz.SignIn("lucia@cafe.example")
	thread := createThread(t, biz, firstTheme(t, app), "Certificates of origin take three weeks", "Each shipment needs a paper certificate.")

	tab := b.Tab()
	errs := watchConsole(t, tab)
	signIn(t, tab, app, "lucia@cafe.example")
	browsertest.Do(t, tab, chromedp.EmulateViewport(desktopW, desktopH),
		chromedp.Navigate(fmt.Sprintf("%s/forum/threads/%d", app.URL, thread)), waitFor("#f-body"))
	value := func() string { return evalString(t, tab, `document.getElementById("f-body").value`) }
	options := `#f-body-mentions [role="option"]`

	browsertest.Do(t, tab, fill("#f-body", "Thanks @xy"), waitFor(options))
	if n := evalString(t, tab, `String(document.querySelectorAll('`+options+`').length)`); n != "2" {
		t.Fatalf("@xy: %s options, want 2 (%s and %s)", n, xyla.Handle, xyz.Handle)
	}
	assertText(t, tab, "#f-body-mentions", "@"+xyla.Handle, "Delegation of Kenya", "@"+xyz.Handle)
	if got := evalString(t, tab, `document.getElementById("f-body").getAttribute("aria-activedescendant")`); got != "f-body-mentions-0" {
		t.Errorf("the first option is not the active one: aria-activedescendant %q", got)
	}
	assertText(t, tab, "[data-editor] [role=status]", "Suggestions: 2")
	noViolations(t, tab, axe, "the reply form with its suggestions open")
	browsertest.Screenshot(t, tab, "mentions-1280")

	browsertest.Do(t, tab, chromedp.KeyEvent(kb.ArrowDown))
	if got := evalString(t, tab, `document.querySelector('`+options+`[aria-selected="true"]').textContent`); got == "" || got[:len(xyz.Handle)+1] != "@"+xyz.Handle {
		t.Errorf("after Down the highlighted option is %q, want @%s", got, xyz.Handle)
	}
	browsertest.Do(t, tab, pressEnter())
	if got, want := value(), "Thanks @"+xyz.Handle+" "; got != want {
		t.Errorf("Down, Enter: text %q, want %q", got, want)
	}
	waitJS(t, tab, `document.getElementById("f-body-mentions").hidden && !document.getElementById("f-body").hasAttribute("aria-activedescendant")`)

	// Escape closes without writing anything.
	browsertest.Do(t, tab, chromedp.SendKeys(chromedp.CSS("#f-body"), "and @xy"), waitFor(options), chromedp.KeyEvent(kb.Escape))
	waitJS(t, tab, `document.getElementById("f-body-mentions").hidden`)
	if got, want := value(), "Thanks @"+xyz.Handle+" and @xy"; got != want {
		t.Errorf("after Escape: text %q, want %q", got, want)
	}

	// On a phone, a tap chooses.
	browsertest.Do(t, tab, chromedp.EmulateViewport(phoneW, phoneH), chromedp.SendKeys(chromedp.CSS("#f-body"), "l"), waitFor(options))
	browsertest.Screenshot(t, tab, "mentions-390")
	noViolations(t, tab, axe, "the suggestions on a phone")
	browsertest.Do(t, tab, click(options))
	if got, want := value(), "Thanks @"+xyz.Handle+" and @"+xyla.Handle+" "; got != want {
		t.Errorf("after a tap: text %q, want %q", got, want)
	}
	if e := errs(); len(e) > 0 {
		t.Errorf("console errors: %v", e)
	}
}

// TestTimeZonesInBrowser: a person on New York's clock reads a post's time
// with EST or EDT, and a Geneva meeting's time both as Geneva's and as
// theirs; the sign-up form takes the browser's zone. Screenshots of the
// account page and the event page at 1280 and 390 px.
func TestTimeZonesInBrowser(t *testing.T) {
	t.Parallel()
	b := browsertest.New(t)
	axe := browsertest.LoadAxe(t)
	app := servertest.New(t, storetest.SQLite, nil)
	ctx := context.Background()
	ny := app.CreateUser("ana@hudson.example", store.RoleBusiness, "Hudson Exports", store.OrgBusiness)
	if err := app.Store.SetTimeZone(ctx, ny.ID, "America/New_York"); err != nil {
		t.Fatal(err)
	}
	c := app.Client()
	c.SignIn(ny.Email)
	thread := createThread(t, c, firstTheme(t, app), "Which clock is this", "Posted from New York.")
	e := &store.Event{Title: "MSME Day 2030", StartsAt: mustTime(t, "2030-06-27T10:00:00+02:00"), EndsAt: mustTime(t, "2030-06-27T17:30:00+02:00"),
		Timezone: "Europe/Zurich", Place: "WTO, Geneva", Visibility: store.Public}
	if err := app.Store.SaveEvent(ctx, 0, e); err != nil {
		t.Fatal(err)
	}

	tab := b.Tab()
	signIn(t, tab, app, ny.Email)
	browsertest.Do(t, tab, chromedp.EmulateViewport(desktopW, desktopH), chromedp.Navigate(fmt.Sprintf("%s/forum/threads/%d", app.URL, thread)), waitFor(".post-time"))
	if got := browsertest.Text(t, tab, ".post-time"); !endsWithAny(got, " EST", " EDT") {
		t.Errorf("post time %q, want New York's clock (EST or EDT)", got)
	}

	eventURL := fmt.Sprintf("%s/events/%d-msme-day-2030", app.URL, e.ID)
	browsertest.Do(t, tab, chromedp.Navigate(eventURL), waitFor(".reader-time"))
	assertText(t, tab, ".facts", "27 June 2030, 10:00–17:30 CEST", "(Europe/Zurich)")
	assertText(t, tab, ".reader-time", "Your time: 27 June 2030, 04:00–11:30 EDT")
	noViolations(t, tab, axe, "the event page with the reader's time")
	browsertest.Screenshot(t, tab, "event-zones-1280")
	browsertest.Do(t, tab, chromedp.EmulateViewport(phoneW, phoneH), chromedp.Reload(), waitFor(".reader-time"))
	browsertest.Screenshot(t, tab, "event-zones-390")

	browsertest.Do(t, tab, chromedp.EmulateViewport(desktopW, desktopH), chromedp.Navigate(app.URL+"/account"), waitFor("#f-time_zone"))
	if got := evalString(t, tab, `document.getElementById("f-time_zone").value`); got != "America/New_York" {
		t.Errorf("account page zone %q, want America/New_York", got)
	}
	if got := evalString(t, tab, `String(document.querySelectorAll("#time-zone-list option").length > 100)`); got != "true" {
		t.Errorf("the zone list is not filled from the browser's zones")
	}
	noViolations(t, tab, axe, "the account page")
	browsertest.Screenshot(t, tab, "account-zone-1280")
	browsertest.Do(t, tab, chromedp.EmulateViewport(phoneW, phoneH), chromedp.Reload(), waitFor("#f-time_zone"))
	browsertest.Screenshot(t, tab, "account-zone-390")
	// The Spanish words are the longest: the page still fits the phone.
	if err := app.Store.SaveProfile(ctx, ny.ID, ny.Name, "es", "America/New_York"); err != nil {
		t.Fatal(err)
	}
	browsertest.Do(t, tab, chromedp.Reload(), waitFor("#f-time_zone"))
	assertText(t, tab, "label[for=f-time_zone]", "Zona horaria")
	if w := evalString(t, tab, `String(document.documentElement.scrollWidth)`); w != fmt.Sprint(phoneW) {
		t.Errorf("the Spanish account page is %s px wide on a %d px phone", w, phoneW)
	}
	browsertest.Screenshot(t, tab, "account-zone-390-es")

	// Sign-up guesses from the browser.
	visitor := b.Tab()
	browsertest.Do(t, visitor, setTimezone("Asia/Tokyo"), chromedp.Navigate(app.URL+"/register"), waitFor("#f-name"))
	if got := evalString(t, visitor, `document.querySelector("input[name=time_zone]").value`); got != "Asia/Tokyo" {
		t.Errorf("sign-up form zone %q, want the browser's Asia/Tokyo", got)
	}
}

func mustTime(t *testing.T, s string) time.Time {
	t.Helper()
	at, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return at
}

func endsWithAny(s string, ends ...string) bool {
	for _, e := range ends {
		if strings.HasSuffix(s, e) {
			return true
		}
	}
	return false
}

// setTimezone makes the tab's clock that of zone, as a browser abroad.
func setTimezone(zone string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, emulation.SetTimezoneOverride, emulation.SetTimezoneOverrideParams{TimezoneID: zone})
		return err
	})
}

// pressEnter presses Enter as a keyboard does: one keyDown carrying its
// text, so that a page cancelling the keydown stops the line break too
// (chromedp.KeyEvent sends the text as a separate char event, which a
// cancelled keydown does not stop).
func pressEnter() chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		for _, typ := range []input.DispatchKeyEventType{input.DispatchKeyEventTypeKeyDown, input.DispatchKeyEventTypeKeyUp} {
			p := input.DispatchKeyEventParams{Type: typ, Key: "Enter", Code: "Enter", WindowsVirtualKeyCode: 13, NativeVirtualKeyCode: 13}
			if typ == input.DispatchKeyEventTypeKeyDown {
				p.Text, p.UnmodifiedText = "\r", "\r"
			}
			if _, err := cdp.Call(ctx, tg, input.DispatchKeyEvent, p); err != nil {
				return err
			}
		}
		return nil
	})
}
