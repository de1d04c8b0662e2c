package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"ideasx/server/browsertest"
	"ideasx/server/servertest"
	"ideasx/store"
	"ideasx/store/storetest"
)

// TestLiveThreadInBrowser: a delegation has a thread open; the business
// that wrote it opens it too and starts typing, then replies, edits and
// deletes through the API and the forms. The delegation's page shows who
// is there, who types, and each change, without a reload, and its header
// counts the notification; its list of threads shows new reply counts and
// new threads.
func TestLiveThreadInBrowser(t *testing.T) {
	t.Parallel()
	b := browsertest.New(t)
	app := servertest.New(t, storetest.SQLite, nil)
	app.CreateUser("lucia@cafe.example", store.RoleBusiness, "Café Montevideo SRL", store.OrgBusiness)
	delegate := app.CreateUser("delegate@kenya.example", store.RoleMember, "Delegation of Kenya", store.OrgMember)
	biz := app.Client()
	biz.SignIn("lucia@cafe.example")
	theme := firstTheme(t, app)
	thread := createThread(t, biz, theme, "Certificates of origin for coffee take three weeks",
		"Each shipment to Kenya needs a **certificate of origin**. The chamber issues it on paper only, and it takes three weeks.")

	del := b.Tab()
	errs := watchConsole(t, del)
	signIn(t, del, app, "delegate@kenya.example")
	// The delegation watches the thread, so that replies notify it.
	browsertest.Do(t, del, chromedp.Navigate(app.URL+fmt.Sprintf("/forum/threads/%d", thread)), waitFor(".watch-bar button"),
		click(".watch-bar button"), waitFor(".flash"), chromedp.WaitReady(chromedp.CSS("#live[data-live-seq]")))
	if got := browsertest.Text(t, del, "[data-live-count]"); got != "" {
		t.Errorf("unread notifications shown before any: %q", got)
	}

	// The business opens the thread too: the delegation sees it there.
	bizTab := b.Tab()
	signIn(t, bizTab, app, "lucia@cafe.example")
	browsertest.Do(t, bizTab, chromedp.Navigate(app.URL+fmt.Sprintf("/forum/threads/%d", thread)), waitFor("#f-body"))
	browsertest.Do(t, del, waitFor("#live-viewers"))
	assertText(t, del, "#live-viewers", "Viewing now:", "Test lucia", "Café Montevideo SRL")
	if got := browsertest.Text(t, del, "#live-viewers"); strings.Contains(got, "Test delegate") {
		t.Errorf("viewers line %q names the reader themself", got)
	}
	browsertest.Do(t, bizTab, waitFor("#live-viewers"))
	assertText(t, bizTab, "#live-viewers", "Test delegate", "Delegation of Kenya")

	// The business types: the delegation sees it, then the reply itself.
	browsertest.Do(t, bizTab, fill("#f-body", "We"))
	waitJS(t, del, `document.getElementById("live-typing").textContent === "Test lucia is typing…"`)
	browsertest.Screenshot(t, del, "live-thread-typing")
	first := reply(t, biz, thread, "We now ask for the **electronic** certificate; Kenya accepts it since 2019.")
	browsertest.Do(t, del, waitFor(fmt.Sprintf("#post-%d", first)))
	sel := fmt.Sprintf("#post-%d", first)
	assertText(t, del, sel, "Test lucia", "Café Montevideo SRL", "electronic certificate", "Useful", "Quote", "Flag")
	if got := browsertest.Text(t, del, sel+" .post-body strong"); got != "electronic" {
		t.Errorf("the reply's Markdown shows as %q, want the server's HTML", got)
	}
	waitJS(t, del, fmt.Sprintf(`document.querySelector("#post-%d").classList.contains("post-new")`, first))
	waitJS(t, del, `document.getElementById("live-typing").textContent === ""`)
	assertText(t, del, "#live-announce", "1 new reply")
	// The reply is also a notification: the header counts it.
	browsertest.Do(t, del, waitFor("[data-live-count]"))
	if got := browsertest.Text(t, del, "[data-live-count]"); got != "1" {
		t.Errorf("unread notifications: %q, want 1", got)
	}
	browsertest.Screenshot(t, del, "live-thread")
	// The reply was seen where it appeared: it counts as read, as after a reload.
	waitReadUpTo(t, app, delegate.ID, thread, first)

	// On a narrow screen, scrolled up: a pill counts the new replies and takes the reader to them.
	browsertest.Do(t, del, chromedp.EmulateViewport(390, 760), chromedp.Evaluate[chromedp.Void](`window.scrollTo(0, 0)`))
	second := reply(t, biz, thread, "The chamber in Nairobi can confirm by e-mail in the meantime.")
	browsertest.Do(t, del, waitFor("#live-pill"))
	if got := browsertest.Text(t, del, "#live-pill"); got != "1 new reply" {
		t.Errorf("pill says %q, want %q", got, "1 new reply")
	}
	viewportShot(t, del, "live-thread-pill-390")
	browsertest.Do(t, del, click("#live-pill"), chromedp.WaitNotVisible(chromedp.CSS("#live-pill")))
	waitJS(t, del, fmt.Sprintf(`document.activeElement === document.getElementById("post-%d")`, second))
	browsertest.Screenshot(t, del, "live-thread-390")
	waitReadUpTo(t, app, delegate.ID, thread, second)
	browsertest.Do(t, del, chromedp.EmulateViewport(1280, 900))

	// An edit and a deletion show in place.
	if r := biz.Post(fmt.Sprintf("/forum/posts/%d", first), url.Values{"body": {"We now ask for the electronic certificate only."}}); r.Status != http.StatusSeeOther {
		t.Fatalf("edit: %d %s", r.Status, r.Body)
	}
	waitJS(t, del, fmt.Sprintf(`document.querySelector("#post-%d .post-body").textContent.includes("certificate only")`, first))
	assertText(t, del, sel+" .post-head", "edited")
	if r := biz.Post(fmt.Sprintf("/forum/posts/%d/delete", second), url.Values{"confirm": {"1"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("delete: %d %s", r.Status, r.Body)
	}
	browsertest.Do(t, del, waitFor(fmt.Sprintf("#post-%d p.muted", second)))
	assertText(t, del, fmt.Sprintf("#post-%d", second), "This message was removed.")

	// The list of threads: reply counts move, new threads are announced.
	other := createThread(t, biz, theme, "Sanitary certificates for dried fruit", "Which laboratory results does each border post accept?")
	browsertest.Do(t, del, chromedp.Navigate(app.URL+"/forum"), waitFor(".thread-list"),
		chromedp.WaitReady(chromedp.CSS("#live[data-live-seq]")))
	row := fmt.Sprintf(`.thread-item[data-thread-id="%d"]`, thread)
	before := browsertest.Text(t, del, row+` [data-live="replies"] strong`)
	reply(t, biz, other, "Ours accept results from any accredited laboratory.")
	reply(t, biz, thread, "One more detail: the certificate must be in English.")
	waitJS(t, del, fmt.Sprintf(`document.querySelector('%s [data-live="replies"] strong').textContent !== %q`, row, before))
	var api struct {
		Thread struct{ Replies int } `json:"thread"`
	}
	if err := json.Unmarshal([]byte(biz.Get(fmt.Sprintf("/api/v1/threads/%d", thread)).Body), &api); err != nil {
		t.Fatal(err)
	}
	assertText(t, del, row+` [data-live="replies"]`, fmt.Sprintf("%d replies", api.Thread.Replies))
	waitJS(t, del, fmt.Sprintf(`document.querySelector(".thread-list .thread-item").dataset.threadId === "%d"`, thread))
	createThread(t, biz, theme, "Mutual recognition of organic labels", "Does anyone recognise the Andean organic label?")
	browsertest.Do(t, del, waitFor("#live-threads"))
	if got := browsertest.Text(t, del, "#live-threads"); got != "1 new thread — show" {
		t.Errorf("new threads notice says %q", got)
	}
	browsertest.Screenshot(t, del, "live-forum")
	browsertest.Do(t, del, chromedp.EmulateViewport(390, 760))
	browsertest.Screenshot(t, del, "live-forum-390")
	browsertest.Do(t, del, chromedp.EmulateViewport(1280, 900), click("#live-threads"),
		chromedp.WaitNotVisible(chromedp.CSS("#live-threads")), waitFor(".thread-list"))
	assertText(t, del, ".thread-list", "Mutual recognition of organic labels")

	for _, e := range errs() {
		t.Errorf("browser console: %s", e)
	}
}

// TestLiveChathamInBrowser: under the Chatham House rule the delegation
// learns only that a business views the thread, types and replies, never
// its name; here the business is a Go websocket client.
func TestLiveChathamInBrowser(t *testing.T) {
	t.Parallel()
	b := browsertest.New(t)
	app := servertest.New(t, storetest.SQLite, nil)
	app.CreateUser("lucia@cafe.example", store.RoleBusiness, "Café Montevideo SRL", store.OrgBusiness)
	app.CreateUser("delegate@kenya.example", store.RoleMember, "Delegation of Kenya", store.OrgMember)
	biz := app.Client()
	biz.SignIn("lucia@cafe.example")
	thread := createThreadWith(t, biz, firstTheme(t, app), "chatham", "Informal fees at the border", "Some posts ask for a fee that no rule mentions.")

	del := b.Tab()
	errs := watchConsole(t, del)
	signIn(t, del, app, "delegate@kenya.example")
	browsertest.Do(t, del, chromedp.Navigate(app.URL+fmt.Sprintf("/forum/threads/%d", thread)), waitFor(".posts"))
	topic := fmt.Sprintf("thread:%d", thread)
	ws := servertest.Live(t, biz.BrowserHeader(), app)
	if err := ws.Subscribe(topic, nil); err != nil {
		t.Fatal(err)
	}
	browsertest.Do(t, del, waitFor("#live-viewers"))
	if got := browsertest.Text(t, del, "#live-viewers"); got != "Viewing now: A business" {
		t.Errorf("viewers line says %q, want only the kind of organisation", got)
	}
	if err := ws.Send(nil, map[string]string{"type": "typing", "topic": topic}); err != nil {
		t.Fatal(err)
	}
	waitJS(t, del, `document.getElementById("live-typing").textContent === "A business is typing…"`)
	id := reply(t, biz, thread, "Ours was asked at two posts out of three.")
	sel := fmt.Sprintf("#post-%d", id)
	browsertest.Do(t, del, waitFor(sel))
	assertText(t, del, sel+" .byline-anon", "A business")
	if got := browsertest.Text(t, del, sel); strings.Contains(got, "Test lucia") || strings.Contains(got, "Café Montevideo") {
		t.Errorf("the reply names its author under the Chatham House rule: %q", got)
	}
	if got := browsertest.Text(t, del, sel+" .avatar"); got != "?" {
		t.Errorf("avatar shows %q, want ?", got)
	}
	// The business leaves: so does the viewers line.
	ws.Close()
	browsertest.Do(t, del, chromedp.WaitNotVisible(chromedp.CSS("#live-viewers")))
	for _, e := range errs() {
		t.Errorf("browser console: %s", e)
	}
}

// TestLiveCatchUpInBrowser: a page that cannot open its websocket keeps
// trying, with back-off; once it can, it gets the reply posted meanwhile,
// from the seq the page was rendered with.
func TestLiveCatchUpInBrowser(t *testing.T) {
	t.Parallel()
	b := browsertest.New(t)
	app := servertest.New(t, storetest.SQLite, nil)
	app.CreateUser("lucia@cafe.example", store.RoleBusiness, "Café Montevideo SRL", store.OrgBusiness)
	app.CreateUser("delegate@kenya.example", store.RoleMember, "Delegation of Kenya", store.OrgMember)
	biz := app.Client()
	biz.SignIn("lucia@cafe.example")
	thread := createThread(t, biz, firstTheme(t, app), "Customs valuation of samples", "Samples without commercial value are taxed at one post.")

	del := b.Tab()
	signIn(t, del, app, "delegate@kenya.example")
	// The test stands between the page and the network: until it lets go,
	// opening a websocket fails, as it does when the server is out of reach.
	hold := chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(ctx, cdppage.AddScriptToEvaluateOnNewDocument, cdppage.AddScriptToEvaluateOnNewDocumentParams{Source: `(() => {
			const Real = window.WebSocket;
			window.wsAttempts = 0;
			window.wsHeld = true;
			window.WebSocket = function (url, protocols) {
				window.wsAttempts++;
				if (window.wsHeld) throw new DOMException("held by the test", "NetworkError");
				return new Real(url, protocols);
			};
			Object.assign(window.WebSocket, { CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3 });
		})()`})
		return err
	})
	browsertest.Do(t, del, hold, chromedp.Navigate(app.URL+fmt.Sprintf("/forum/threads/%d", thread)), waitFor(".posts"))
	id := reply(t, biz, thread, "Ours too, unless the sample is marked as such.")
	waitJS(t, del, `window.wsAttempts >= 2`)
	if n, _ := chromedp.Run(del, chromedp.Evaluate[int](fmt.Sprintf(`document.querySelectorAll("#post-%d").length`, id))); n != 0 {
		t.Fatal("the reply reached a page that cannot connect")
	}
	browsertest.Do(t, del, chromedp.Evaluate[chromedp.Void](`window.wsHeld = false`), waitFor(fmt.Sprintf("#post-%d", id)))
	assertText(t, del, fmt.Sprintf("#post-%d", id), "Test lucia", "unless the sample is marked")
}

func firstTheme(t *testing.T, app *servertest.App) int64 {
	t.Helper()
	themes, err := app.Store.Themes(context.Background(), false)
	if err != nil || len(themes) == 0 {
		t.Fatalf("themes: %v (%d)", err, len(themes))
	}
	return themes[0].ID
}

func createThread(t *testing.T, c *servertest.Client, theme int64, title, body string) int64 {
	t.Helper()
	return createThreadWith(t, c, theme, "record", title, body)
}

func createThreadWith(t *testing.T, c *servertest.Client, theme int64, attribution, title, body string) int64 {
	t.Helper()
	in, _ := json.Marshal(map[string]any{"theme_id": theme, "kind": "challenge", "title": title, "body": body, "attribution": attribution})
	r := c.Do("POST", "/api/v1/threads", strings.NewReader(string(in)), "application/json")
	if r.Status != http.StatusCreated {
		t.Fatalf("create thread: %d %s", r.Status, r.Body)
	}
	var th struct{ ID int64 }
	_ = json.Unmarshal([]byte(r.Body), &th)
	return th.ID
}

func reply(t *testing.T, c *servertest.Client, thread int64, body string) int64 {
	t.Helper()
	in, _ := json.Marshal(map[string]any{"body": body})
	r := c.Do("POST", fmt.Sprintf("/api/v1/threads/%d/posts", thread), strings.NewReader(string(in)), "application/json")
	if r.Status != http.StatusCreated {
		t.Fatalf("reply: %d %s", r.Status, r.Body)
	}
	var p struct{ ID int64 }
	_ = json.Unmarshal([]byte(r.Body), &p)
	return p.ID
}

// waitReadUpTo waits until the person's read position in the thread is post.
func waitReadUpTo(t *testing.T, app *servertest.App, userID, thread, post int64) {
	t.Helper()
	var at int64
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		var err error
		if at, err = app.Store.ReadPosition(context.Background(), userID, thread); err != nil {
			t.Fatal(err)
		}
		if at == post {
			return
		}
	}
	t.Errorf("read position %d, want post %d", at, post)
}

// waitJS waits until a JavaScript expression is true on the page.
func waitJS(t *testing.T, tab page, expr string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(tab, 15*time.Second)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](expr, chromedp.WithPollingInterval(50*time.Millisecond))); err != nil {
		t.Fatalf("waiting for %s: %v", expr, err)
	}
}

// watchConsole collects the page's uncaught exceptions and console errors
// (a refused websocket or a CSP violation shows there).
func watchConsole(t *testing.T, tab page) func() []string {
	var mu sync.Mutex
	var errs []string
	ctx, cancel := context.WithCancel(tab)
	t.Cleanup(cancel)
	go func() {
		for m, err := range chromedp.Console(ctx) {
			if err != nil {
				return
			}
			t.Logf("console %s: %s", m.Type, m.Text)
			if m.Type == chromedp.ConsoleException || m.Type == chromedp.ConsoleError {
				mu.Lock()
				errs = append(errs, m.Text)
				mu.Unlock()
			}
		}
	}()
	return func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), errs...)
	}
}

// viewportShot saves what the screen shows (fixed elements where they are),
// next to browsertest.Screenshot's full-page images.
func viewportShot(t *testing.T, tab page, name string) {
	t.Helper()
	dir := os.Getenv("IDEASX_SCREENSHOT_DIR")
	if dir == "" {
		dir = t.TempDir()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(tab, 30*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}
