package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"ideasx/server/browsertest"
	"ideasx/server/servertest"
	"ideasx/store"
	"ideasx/store/storetest"
)

// TestConfirmDialogInBrowser: with JavaScript, deleting one's post asks in a
// dialog that takes the focus; Escape closes it, gives the focus back to the
// button and deletes nothing; Confirm deletes.
func TestConfirmDialogInBrowser(t *testing.T) {
	t.Parallel()
	b := browsertest.New(t)
	app := servertest.New(t, storetest.SQLite, nil)
	app.CreateUser("lucia@cafe.example", store.RoleBusiness, "Café Montevideo SRL", store.OrgBusiness)
	app.CreateUser("delegate@kenya.example", store.RoleMember, "Delegation of Kenya", store.OrgMember)
	biz, del := app.Client(), app.Client()
	biz.SignIn("lucia@cafe.example")
	del.SignIn("delegate@kenya.example")
	thread := createThread(t, biz, firstTheme(t, app), "Certificates of origin take three weeks", "Each shipment needs a paper certificate.")
	post := reply(t, del, thread, "Kenya accepts electronic certificates since 2019.")

	tab := b.Tab()
	errs := watchConsole(t, tab)
	signIn(t, tab, app, "delegate@kenya.example")
	button := fmt.Sprintf(`#post-%d form[action$="/delete"] button`, post)
	browsertest.Do(t, tab, chromedp.Navigate(fmt.Sprintf("%s/forum/threads/%d", app.URL, thread)), waitFor(button))
	waitJS(t, tab, `document.getElementById("confirm-dialog") !== null`)

	browsertest.Do(t, tab, click(button))
	waitJS(t, tab, `document.getElementById("confirm-dialog").open`)
	assertText(t, tab, "#confirm-dialog-title", "Delete this post?")
	assertText(t, tab, "#confirm-dialog-effect", "Moderators can still read it and restore it")
	assertText(t, tab, "#confirm-dialog-ok", "Delete the post")
	waitJS(t, tab, `document.getElementById("confirm-dialog").contains(document.activeElement)`)
	viewportShot(t, tab, "confirm-dialog")

	browsertest.Do(t, tab, chromedp.KeyEvent(kb.Escape))
	waitJS(t, tab, `!document.getElementById("confirm-dialog").open`)
	waitJS(t, tab, fmt.Sprintf(`document.activeElement === document.querySelector(%q)`, button))
	// Give a submission that should not have happened the time to land.
	time.Sleep(300 * time.Millisecond)
	if deleted(t, app, post) {
		t.Fatal("Escape deleted the post")
	}
	if !strings.Contains(location(t, tab), fmt.Sprintf("/forum/threads/%d-", thread)) {
		t.Errorf("Escape left the thread: %s", location(t, tab))
	}

	browsertest.Do(t, tab, click(button))
	waitJS(t, tab, `document.getElementById("confirm-dialog").open`)
	browsertest.Do(t, tab, click("#confirm-dialog-ok"))
	for deadline := time.Now().Add(10 * time.Second); !deleted(t, app, post); time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("Confirm did not delete the post")
		}
	}
	// The form's navigation lands back on the post; navigating again
	// before it has would race it.
	landed := fmt.Sprintf(`location.hash === "#post-%d" && document.readyState === "complete"`, post)
	for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		// Evaluating fails while the old page goes: try again.
		if ok, err := chromedp.Run(tab, chromedp.Evaluate[bool](landed)); err == nil && ok {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after Confirm the page did not land back on the post: %s", location(t, tab))
		}
	}

	// A reply that arrives live, with its own delete form, asks too.
	browsertest.Do(t, tab, chromedp.Navigate(fmt.Sprintf("%s/forum/threads/%d", app.URL, thread)), waitFor("#main"))
	waitJS(t, tab, `document.getElementById("confirm-dialog") !== null`)
	time.Sleep(500 * time.Millisecond) // the page subscribes to the thread
	live := reply(t, del, thread, "Arrived while the page was open.")
	liveButton := fmt.Sprintf(`#post-%d form[action$="/delete"] button`, live)
	browsertest.Do(t, tab, waitFor(liveButton), click(liveButton))
	waitJS(t, tab, `document.getElementById("confirm-dialog").open`)
	browsertest.Do(t, tab, chromedp.KeyEvent(kb.Escape))
	waitJS(t, tab, `!document.getElementById("confirm-dialog").open`)
	time.Sleep(300 * time.Millisecond)
	if deleted(t, app, live) {
		t.Error("Escape deleted the reply that arrived live")
	}
	if e := errs(); len(e) > 0 {
		t.Errorf("console errors: %v", e)
	}
}

// TestConfirmPageWithoutJavaScript: without JavaScript, hiding a post leads
// to a confirmation page; Cancel goes back to the thread with nothing
// hidden, and Confirm hides it.
func TestConfirmPageWithoutJavaScript(t *testing.T) {
	t.Parallel()
	b := browsertest.New(t)
	app := servertest.New(t, storetest.SQLite, nil)
	app.CreateUser("lucia@cafe.example", store.RoleBusiness, "Café Montevideo SRL", store.OrgBusiness)
	app.CreateUser("delegate@kenya.example", store.RoleMember, "Delegation of Kenya", store.OrgMember)
	app.CreateUser("moderator@secretariat.example", store.RoleModerator, "MSME Group Secretariat", store.OrgSecretariat)
	biz, del := app.Client(), app.Client()
	biz.SignIn("lucia@cafe.example")
	del.SignIn("delegate@kenya.example")
	thread := createThread(t, biz, firstTheme(t, app), "Certificates of origin take three weeks", "Each shipment needs a paper certificate.")
	post := reply(t, del, thread, "Buy cheap watches now at example.com")

	tab := b.Tab()
	signIn(t, tab, app, "moderator@secretariat.example")
	browsertest.Do(t, tab, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
		return err
	}))
	threadURL := fmt.Sprintf("%s/forum/threads/%d", app.URL, thread)
	button := fmt.Sprintf(`#post-%d form[action$="/hide"] button`, post)
	browsertest.Do(t, tab, chromedp.Navigate(threadURL), waitFor(button), click(button), waitFor("#confirm-heading"))
	assertText(t, tab, "#confirm-heading", "Hide this post?")
	assertText(t, tab, ".confirm-page", "Members no longer see its text", "Certificates of origin take three weeks", "Buy cheap watches now")
	browsertest.Screenshot(t, tab, "confirm-page")
	if hidden(t, app, post) {
		t.Fatal("asking hid the post")
	}

	browsertest.Do(t, tab, click(".confirm-page a.button"), waitFor(button))
	if got := location(t, tab); !strings.Contains(got, fmt.Sprintf("/forum/threads/%d", thread)) {
		t.Errorf("Cancel led to %s, want the thread", got)
	}
	if hidden(t, app, post) {
		t.Fatal("Cancel hid the post")
	}

	browsertest.Do(t, tab, click(button), waitFor("#confirm-heading"), click(".confirm-page button[type=submit]"))
	for deadline := time.Now().Add(10 * time.Second); !hidden(t, app, post); time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("Confirm did not hide the post")
		}
	}
	browsertest.Do(t, tab, waitFor(fmt.Sprintf("#post-%d", post)))
	if got := location(t, tab); !strings.Contains(got, fmt.Sprintf("/forum/threads/%d", thread)) {
		t.Errorf("after Confirm the browser is at %s, want the thread", got)
	}
}

func deleted(t *testing.T, app *servertest.App, id int64) bool {
	t.Helper()
	p, err := app.Store.PostByID(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return p.DeletedAt != nil
}

func hidden(t *testing.T, app *servertest.App, id int64) bool {
	t.Helper()
	p, err := app.Store.PostByID(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return p.HiddenAt != nil
}

func location(t *testing.T, tab page) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(tab, 10*time.Second)
	defer cancel()
	u, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	return u
}
