package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/fetch"
	cdpnetwork "github.com/chromedp/cdproto/network"
	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"ideasx/server/browsertest"
	"ideasx/server/servertest"
	"ideasx/store"
	"ideasx/store/storetest"
)

// acceptDialogs accepts every dialog the page opens (the "leave the page?"
// of beforeunload) and returns a count of them by type.
func acceptDialogs(t *testing.T, tab page) func(kind cdppage.DialogType) int {
	var mu sync.Mutex
	seen := map[cdppage.DialogType]int{}
	ctx, cancel := context.WithCancel(tab)
	t.Cleanup(cancel)
	events := chromedp.Events(ctx, cdppage.JavascriptDialogOpening)
	go func() {
		for ev, err := range events {
			if err != nil {
				return
			}
			mu.Lock()
			seen[ev.Type]++
			mu.Unlock()
			_ = chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
				_, err := cdp.Call(ctx, tg, cdppage.HandleJavaScriptDialog, cdppage.HandleJavaScriptDialogParams{Accept: true})
				return err
			}))
		}
	}()
	return func(kind cdppage.DialogType) int {
		mu.Lock()
		defer mu.Unlock()
		return seen[kind]
	}
}

// The sizes the screenshots are taken at: a desktop and a phone.
const (
	desktopW, desktopH = 1280, 900
	phoneW, phoneH     = 390, 844
)

// waitAcrossNavigation waits until expr is true on the page the tab shows,
// through the navigations of a form sent and its redirect.
func waitAcrossNavigation(t *testing.T, tab page, expr string) {
	t.Helper()
	// Generous: a form sending files, under -race beside the other browser
	// tests and the server package on two cores, once took longer than 15 s.
	for deadline := time.Now().Add(navigationWait); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		ctx, cancel := context.WithTimeout(tab, 2*time.Second)
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](expr))
		cancel()
		if err == nil && ok {
			return
		}
	}
	t.Fatalf("waiting for %s: not true after %s", expr, navigationWait)
}

const navigationWait = 40 * time.Second

// waitFlash waits for the message of the page a form sent leads to. A
// bare wait for .flash can find the message of the page the form was on,
// just before the navigation removes it.
func waitFlash(t *testing.T, tab page, text string) {
	t.Helper()
	js, _ := json.Marshal(text)
	waitAcrossNavigation(t, tab, `(document.querySelector(".flash")?.textContent || "").includes(`+string(js)+`)`)
}

func noViolations(t *testing.T, tab page, axe *browsertest.Axe, what string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(tab, 30*time.Second)
	defer cancel()
	vs, err := axe.Check(ctx)
	if err != nil {
		t.Fatalf("axe on %s: %v", what, err)
	}
	for _, v := range vs {
		t.Errorf("axe on %s: %s", what, v)
	}
}

func evalString(t *testing.T, tab page, expr string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(tab, 15*time.Second)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](expr))
	if err != nil {
		t.Fatalf("%s: %v", expr, err)
	}
	return s
}

// TestEditorInBrowser: on a thread's reply form, the toolbar's Bold wraps the
// selection (Ctrl+I too); the Preview tab shows the text as the server will
// render it (a heading, a link, a mention) and is reached with the arrow
// keys; a half-written reply survives a reload, asks before the page goes,
// and is forgotten once posted.
func TestEditorInBrowser(t *testing.T) {
	t.Parallel()
	b := browsertest.New(t)
	axe := browsertest.LoadAxe(t)
	app := servertest.New(t, storetest.SQLite, nil)
	app.CreateUser("lucia@cafe.example", store.RoleBusiness, "Café Montevideo SRL", store.OrgBusiness)
	kenya := app.CreateUser("delegate@kenya.example", store.RoleMember, "Delegation of Kenya", store.OrgMember)
	biz := app.Client()
	biz.SignIn("lucia@cafe.example")
	thread := createThread(t, biz, firstTheme(t, app), "Certificates of origin take three weeks", "Each shipment needs a paper certificate.")

	tab := b.Tab()
	errs := watchConsole(t, tab)
	dialogs := acceptDialogs(t, tab)
	signIn(t, tab, app, "lucia@cafe.example")
	threadURL := fmt.Sprintf("%s/forum/threads/%d", app.URL, thread)
	browsertest.Do(t, tab, chromedp.EmulateViewport(desktopW, desktopH), chromedp.Navigate(threadURL), waitFor("#f-body"))
	waitJS(t, tab, `!document.querySelector(".editor-bar").hidden && document.querySelector(".preview-button").hidden`)

	// Toolbar: Bold around a selected word, by mouse; Ctrl+I by keyboard.
	browsertest.Do(t, tab, fill("#f-body", "Kenya accepts electronic certificates"),
		chromedp.Evaluate[chromedp.Void](`document.getElementById("f-body").setSelectionRange(14, 24)`),
		click(`[data-format="bold"]`))
	if got := evalString(t, tab, `document.getElementById("f-body").value`); got != "Kenya accepts **electronic** certificates" {
		t.Errorf("Bold on a selection: got %q", got)
	}
	browsertest.Do(t, tab, chromedp.Evaluate[chromedp.Void](`document.getElementById("f-body").setSelectionRange(0, 5)`),
		chromedp.KeyEvent("i", chromedp.KeyModifiers(chromedp.ModifierCtrl)))
	if got := evalString(t, tab, `document.getElementById("f-body").value`); got != "_Kenya_ accepts **electronic** certificates" {
		t.Errorf("Ctrl+I on a selection: got %q", got)
	}
	// The toolbar is one Tab stop; the arrows move inside it.
	browsertest.Do(t, tab, chromedp.Focus(chromedp.CSS(`[data-format="bold"]`)), chromedp.KeyEvent(kb.ArrowRight))
	if got := evalString(t, tab, `document.activeElement.dataset.format + " " + document.activeElement.tabIndex + " " + document.querySelector('[data-format="bold"]').tabIndex`); got != "italic 0 -1" {
		t.Errorf("ArrowRight in the toolbar: focus, its tabindex and Bold's: %q, want italic 0 -1", got)
	}
	browsertest.Do(t, tab, chromedp.Evaluate[chromedp.Void](`document.getElementById("reply").scrollIntoView()`))
	noViolations(t, tab, axe, "the reply form with its toolbar")
	viewportShot(t, tab, "editor-toolbar-1280")
	browsertest.Do(t, tab, chromedp.EmulateViewport(phoneW, phoneH), chromedp.Evaluate[chromedp.Void](`document.getElementById("reply").scrollIntoView()`))
	viewportShot(t, tab, "editor-toolbar-390")
	browsertest.Do(t, tab, chromedp.EmulateViewport(desktopW, desktopH))

	// Preview: the server's rendering, reached with the arrow keys from Write.
	text := fmt.Sprintf("# Electronic certificates\n\nSee [the WCO guide](https://example.org/wco) or ask @%s.\n\n<script>window.pwned = 1</script>", kenya.Handle)
	browsertest.Do(t, tab, chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`(() => { const a = document.getElementById("f-body"); a.value = %q; a.dispatchEvent(new Event("input")); })()`, text)),
		chromedp.Focus(chromedp.CSS("#f-body-tab-write")), chromedp.KeyEvent(kb.ArrowRight))
	waitJS(t, tab, `document.querySelector("#f-body-preview h1") !== null`)
	assertText(t, tab, "#f-body-preview h1", "Electronic certificates")
	if got := evalString(t, tab, `[document.activeElement.id, document.getElementById("f-body-tab-preview").getAttribute("aria-selected"), String(document.getElementById("f-body").offsetParent === null)].join(" ")`); got != "f-body-tab-preview true true" {
		t.Errorf("after ArrowRight on Write: focus, Preview selected, text box hidden: %q", got)
	}
	if got := evalString(t, tab, `document.querySelector('#f-body-preview a[href="https://example.org/wco"]')?.textContent || ""`); got != "the WCO guide" {
		t.Errorf("link in the preview: %q", got)
	}
	if got := evalString(t, tab, fmt.Sprintf(`document.querySelector('#f-body-preview a[href="/forum/people/%s"]')?.textContent || ""`, kenya.Handle)); !strings.Contains(got, kenya.Handle) {
		t.Errorf("mention in the preview: %q", got)
	}
	if got := evalString(t, tab, `String(window.pwned) + " " + document.querySelectorAll("#f-body-preview script").length`); got != "undefined 0" {
		t.Errorf("a script in the text: %q, want it neither run nor in the page", got)
	}
	noViolations(t, tab, axe, "the reply form's preview")
	viewportShot(t, tab, "editor-preview-1280")
	browsertest.Do(t, tab, chromedp.EmulateViewport(phoneW, phoneH), chromedp.Evaluate[chromedp.Void](`document.getElementById("reply").scrollIntoView()`))
	viewportShot(t, tab, "editor-preview-390")
	browsertest.Do(t, tab, chromedp.EmulateViewport(desktopW, desktopH), click("#f-body-tab-write"))

	// Draft: typed, reloaded, back; the reload asked first.
	draft := "Kenya issues them online within a day."
	browsertest.Do(t, tab, chromedp.Evaluate[chromedp.Void](`(() => { const a = document.getElementById("f-body"); a.value = ""; a.dispatchEvent(new Event("input")); })()`),
		fill("#f-body", draft))
	key := evalString(t, tab, `document.querySelector("[data-editor]").dataset.draft`)
	if want := fmt.Sprintf(":thread:%d", thread); !strings.HasPrefix(key, "ideasx:draft:") || !strings.HasSuffix(key, want) {
		t.Errorf("draft key %q, want the person's id and %s", key, want)
	}
	waitJS(t, tab, fmt.Sprintf(`(JSON.parse(localStorage.getItem(%q) || "{}").body || "") === %q`, key, draft))
	browsertest.Do(t, tab, chromedp.Reload(), waitFor("#f-body"))
	waitJS(t, tab, fmt.Sprintf(`document.getElementById("f-body").value === %q`, draft))
	assertText(t, tab, ".editor-status", "Your unsent text was restored.")
	if n := dialogs(cdppage.DialogTypeBeforeunload); n != 1 {
		t.Errorf("reloading with unsent text asked %d times, want once", n)
	}

	// Posting forgets the draft, and does not ask before leaving.
	browsertest.Do(t, tab, click("#reply button.button:not(.preview-button)"))
	waitAcrossNavigation(t, tab, fmt.Sprintf(`[...document.querySelectorAll(".post-body")].some(p => p.textContent.includes(%q))`, draft))
	waitJS(t, tab, fmt.Sprintf(`localStorage.getItem(%q) === null && document.getElementById("f-body").value === ""`, key))
	if n := dialogs(cdppage.DialogTypeBeforeunload); n != 1 {
		t.Errorf("sending the reply asked before leaving (%d dialogs)", n)
	}
	browsertest.Do(t, tab, chromedp.Reload(), waitFor("#f-body"))
	if got := evalString(t, tab, `document.getElementById("f-body").value + "|" + document.querySelector(".editor-status").hidden`); got != "|true" {
		t.Errorf("after posting and reloading, the box holds %q, want it empty with no notice", got)
	}
	if e := errs(); len(e) > 0 {
		t.Errorf("console errors: %v", e)
	}
}

// TestEditorWithoutJavaScript: without JavaScript there is no toolbar and no
// tabs, and the Preview button shows the text rendered above the form, which
// keeps it; nothing is posted until Send.
func TestEditorWithoutJavaScript(t *testing.T) {
	t.Parallel()
	b := browsertest.New(t)
	app := servertest.New(t, storetest.SQLite, nil)
	app.CreateUser("lucia@cafe.example", store.RoleBusiness, "Café Montevideo SRL", store.OrgBusiness)
	biz := app.Client()
	biz.SignIn("lucia@cafe.example")
	thread := createThread(t, biz, firstTheme(t, app), "Certificates of origin take three weeks", "Each shipment needs a paper certificate.")

	tab := b.Tab()
	signIn(t, tab, app, "lucia@cafe.example")
	browsertest.Do(t, tab, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
		return err
	}))
	threadURL := fmt.Sprintf("%s/forum/threads/%d", app.URL, thread)
	browsertest.Do(t, tab, chromedp.EmulateViewport(desktopW, desktopH), chromedp.Navigate(threadURL), waitFor("#f-body"))
	if got := evalString(t, tab, `[".editor-bar", ".editor-preview"].map(s => getComputedStyle(document.querySelector(s)).display).join(" ")`); got != "none none" {
		t.Errorf("without JavaScript the tabs and the preview box show: %q", got)
	}
	browsertest.Do(t, tab, fill("#f-body", "## A proposal\n\nUse **electronic** certificates."), click("#reply .preview-button"), waitFor("#preview"))
	assertText(t, tab, "#preview h2 + .hint", "It has not been sent yet")
	assertText(t, tab, "#preview .post-body h2", "A proposal")
	assertText(t, tab, "#preview .post-body strong", "electronic")
	if got := evalString(t, tab, `document.getElementById("f-body").value`); got != "## A proposal\n\nUse **electronic** certificates." {
		t.Errorf("the form after Preview holds %q", got)
	}
	if got := evalString(t, tab, `String(document.querySelectorAll(".post").length)`); got != "1" {
		t.Errorf("Preview posted: %s posts on the page, want 1", got)
	}
	browsertest.Screenshot(t, tab, "editor-nojs-preview-1280")
	browsertest.Do(t, tab, chromedp.EmulateViewport(phoneW, phoneH))
	viewportShot(t, tab, "editor-nojs-preview-390")
	browsertest.Do(t, tab, click("#reply button.button:not(.preview-button)"), waitFor(".post:nth-child(2)"))
	assertText(t, tab, ".post:nth-child(2) .post-body", "Use electronic certificates.")
}

// TestDraftSurvivesANetworkFailure: a reply sent while the connection is
// down is not forgotten: back online, the thread's form holds it again.
func TestDraftSurvivesANetworkFailure(t *testing.T) {
	t.Parallel()
	b := browsertest.New(t)
	app := servertest.New(t, storetest.SQLite, nil)
	app.CreateUser("lucia@cafe.example", store.RoleBusiness, "Café Montevideo SRL", store.OrgBusiness)
	biz := app.Client()
	biz.SignIn("lucia@cafe.example")
	thread := createThread(t, biz, firstTheme(t, app), "Certificates of origin take three weeks", "Each shipment needs a paper certificate.")

	tab := b.Tab()
	acceptDialogs(t, tab)
	signIn(t, tab, app, "lucia@cafe.example")
	threadURL := fmt.Sprintf("%s/forum/threads/%d", app.URL, thread)
	browsertest.Do(t, tab, chromedp.Navigate(threadURL), waitFor("#f-body"))
	waitJS(t, tab, `!document.querySelector(".editor-bar").hidden`)
	draft := "Sent from a train in a tunnel."
	browsertest.Do(t, tab, fill("#f-body", draft))
	// The connection fails as the reply leaves: Chromium shows its error page.
	events := chromedp.Events(tab, fetch.RequestPaused)
	browsertest.Do(t, tab, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, fetch.Enable, fetch.EnableParams{Patterns: []*fetch.RequestPattern{{URLPattern: "*/posts"}}})
		return err
	}))
	go func() {
		for ev, err := range events {
			if err != nil {
				return
			}
			_ = chromedp.Do(tab, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
				_, err := cdp.Call(ctx, tg, fetch.FailRequest, fetch.FailRequestParams{RequestID: ev.RequestID, ErrorReason: cdpnetwork.ErrorReasonConnectionFailed})
				return err
			}))
		}
	}()
	browsertest.Do(t, tab, click("#reply button.button:not(.preview-button)"))
	waitAcrossNavigation(t, tab, `!document.getElementById("f-body")`)
	browsertest.Do(t, tab, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, fetch.Disable, cdp.Empty{})
		return err
	}), chromedp.Navigate(threadURL), waitFor("#f-body"))
	waitJS(t, tab, fmt.Sprintf(`document.getElementById("f-body").value === %q`, draft))
	if got := evalString(t, tab, `String(document.querySelectorAll(".post").length)`); got != "1" {
		t.Errorf("%s posts on the page, want 1 (the reply never left)", got)
	}
}

// TestSignOutClearsDrafts: on a shared computer the next person finds none
// of the drafts: signing out clears what the browser kept, and a new
// thread's draft (title and text) came back before that.
func TestSignOutClearsDrafts(t *testing.T) {
	t.Parallel()
	b := browsertest.New(t)
	app := servertest.New(t, storetest.SQLite, nil)
	app.CreateUser("lucia@cafe.example", store.RoleBusiness, "Café Montevideo SRL", store.OrgBusiness)
	theme := firstTheme(t, app)

	tab := b.Tab()
	acceptDialogs(t, tab)
	signIn(t, tab, app, "lucia@cafe.example")
	newURL := fmt.Sprintf("%s/forum/new?theme=%d", app.URL, theme)
	browsertest.Do(t, tab, chromedp.Navigate(newURL), waitFor("#f-body"))
	waitJS(t, tab, `!document.querySelector(".editor-bar").hidden`)
	browsertest.Do(t, tab, fill("#f-title", "Samples stuck at customs"), fill("#f-body", "Our samples wait ten days."))
	key := evalString(t, tab, `document.querySelector("[data-editor]").dataset.draft`)
	if !strings.HasSuffix(key, fmt.Sprintf(":new:%d", theme)) {
		t.Errorf("new thread draft key %q, want it per theme", key)
	}
	waitJS(t, tab, fmt.Sprintf(`(JSON.parse(localStorage.getItem(%q) || "{}").body || "") === "Our samples wait ten days."`, key))
	browsertest.Do(t, tab, chromedp.Reload(), waitFor("#f-body"))
	waitJS(t, tab, `document.getElementById("f-body").value === "Our samples wait ten days." && document.getElementById("f-title").value === "Samples stuck at customs"`)
	browsertest.Do(t, tab, chromedp.EmulateViewport(phoneW, phoneH), chromedp.Evaluate[chromedp.Void](`document.querySelector("[data-editor]").scrollIntoView()`))
	viewportShot(t, tab, "editor-new-thread-restored-390")
	browsertest.Do(t, tab, chromedp.EmulateViewport(desktopW, desktopH))

	browsertest.Do(t, tab, click("details.account-menu summary"), click(`form[action="/signout"] button`))
	waitAcrossNavigation(t, tab, `location.pathname === "/" && document.readyState === "complete"`)
	if got := evalString(t, tab, fmt.Sprintf(`String(localStorage.getItem(%q)) + " " + localStorage.length`, key)); got != "null 0" {
		t.Errorf("after sign-out the browser still holds %q", got)
	}
}

// TestDraftSavedWhenLeavingAtOnce: a reply typed and the page left at once,
// before the pause after typing that saves it (as when the tab is closed),
// is saved as the page goes (pagehide) and back when the person returns.
func TestDraftSavedWhenLeavingAtOnce(t *testing.T) {
	t.Parallel()
	b := browsertest.New(t)
	app := servertest.New(t, storetest.SQLite, nil)
	app.CreateUser("lucia@cafe.example", store.RoleBusiness, "Café Montevideo SRL", store.OrgBusiness)
	biz := app.Client()
	biz.SignIn("lucia@cafe.example")
	thread := createThread(t, biz, firstTheme(t, app), "Certificates of origin take three weeks", "Each shipment needs a paper certificate.")
	threadURL := fmt.Sprintf("%s/forum/threads/%d", app.URL, thread)

	tab := b.Tab()
	dialogs := acceptDialogs(t, tab)
	signIn(t, tab, app, "lucia@cafe.example")
	browsertest.Do(t, tab, chromedp.Navigate(threadURL), waitFor("#f-body"))
	waitJS(t, tab, `!document.querySelector(".editor-bar").hidden`)
	draft := "Typed just before leaving."
	// Typed and left in one go: the 400 ms pause that saves never comes.
	browsertest.Do(t, tab, fill("#f-body", draft), chromedp.Navigate(app.URL+"/forum"), waitFor(".thread-list"))
	if n := dialogs(cdppage.DialogTypeBeforeunload); n != 1 {
		t.Errorf("leaving with unsent text asked %d times, want once", n)
	}
	browsertest.Do(t, tab, chromedp.Navigate(threadURL), waitFor("#f-body"))
	waitJS(t, tab, fmt.Sprintf(`document.getElementById("f-body").value === %q`, draft))
}
