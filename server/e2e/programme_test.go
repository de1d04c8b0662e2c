package e2e

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"ideasx/cmd/ideasx/demo"
	"ideasx/server/browsertest"
	"ideasx/server/servertest"
	"ideasx/store"
	"ideasx/store/storetest"
)

// TestProgrammeInBrowser: a reader whose account is on New York's time
// reads MSME Day 2019's timetable with Geneva's times and their own beside
// them (from the server: the browser's own clock plays no part), on a desktop, on
// a phone and printed (no site header, no menus); a moderator adds a
// session through the editor's plain form and it appears in its place.
func TestProgrammeInBrowser(t *testing.T) {
	t.Parallel()
	b := browsertest.New(t)
	axe := browsertest.LoadAxe(t)
	w := newDemoWorld(t)
	app, ctx := w.app, context.Background()
	id, pageURL := w.meeting(t, "MSME Day 2019")

	newYorker := app.CreateUser("reader@newyork.example", store.RoleBusiness, "Hudson Exports", store.OrgBusiness)
	if err := app.Store.SetTimeZone(ctx, newYorker.ID, "America/New_York"); err != nil {
		t.Fatal(err)
	}
	reader := b.Tab()
	signIn(t, reader, app, "reader@newyork.example")
	browsertest.Do(t, reader, chromedp.EmulateViewport(1280, 900), chromedp.Navigate(pageURL), waitFor(".timetable"), waitFor(".slot-local"))
	assertText(t, reader, ".programme", "Times are Europe/Zurich time (CEST)", "Morning", "Afternoon",
		"10:00–10:10", "Opening remarks", "Alan Wolff", "Deputy Director-General", "Speakers", "Mike Cherry", "Moderator", "James Sibley")
	// 10:00 in Geneva in June is 04:00 in New York.
	assertText(t, reader, ".slot-local", "Your time", "04:00–04:10 EDT")
	assertText(t, reader, ".facts", "(Europe/Zurich)", "Your time:", "EDT")
	assertText(t, reader, "[data-print]", "Print the programme")
	assertText(t, reader, ".facts", "Co-organised with", "International Trade Centre (ITC)")
	assertText(t, reader, ".doc-aside", "Side events", "Impact Investment Lab")
	browsertest.Screenshot(t, reader, "programme-1280")
	noViolations(t, reader, axe, "the meeting page")
	browsertest.Do(t, reader, chromedp.EmulateViewport(390, 844))
	browsertest.Screenshot(t, reader, "programme-390")

	// Printed: the site's header and the moderators' buttons stay off the paper.
	browsertest.Do(t, reader, chromedp.EmulateViewport(1280, 900), chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"})
		return err
	}))
	header, err := chromedp.Run(reader, chromedp.Evaluate[string](`getComputedStyle(document.querySelector(".site-header")).display`))
	if err != nil || header != "none" {
		t.Errorf("printed page: the site header's display is %q (%v), want none", header, err)
	}
	var pdf []byte
	browsertest.Do(t, reader, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		res, err := cdp.Call(ctx, tg, cdppage.PrintToPDF, cdppage.PrintToPDFParams{})
		pdf = res.Data
		return err
	}))
	if !bytes.HasPrefix(pdf, []byte("%PDF")) {
		t.Fatalf("print to PDF gave %d bytes, not a PDF", len(pdf))
	}
	if dir := os.Getenv("IDEASX_SCREENSHOT_DIR"); dir != "" {
		if err := os.WriteFile(filepath.Join(dir, "programme-print.pdf"), pdf, 0o644); err != nil {
			t.Fatal(err)
		}
	}

	mod := b.Tab()
	signIn(t, mod, app, "moderator@secretariat.example")
	browsertest.Do(t, mod, chromedp.Navigate(fmt.Sprintf("%s/moderation/events/%d/programme", app.URL, id)), waitFor("#new-title"),
		chromedp.SetValue(chromedp.CSS("#new-starts"), "2019-06-27T12:00"),
		chromedp.SetValue(chromedp.CSS("#new-ends"), "2019-06-27T13:00"),
		fill("#new-title", "Lunch with the delegations"),
		fill("#new-title_fr", "Déjeuner avec les délégations"),
		fill(`[id="new-p0.name"]`, "Irène Dubois"),
		fill(`[id="new-p0.title"]`, "Secretary of the group"),
		click("#session-new button[type=submit]"))
	waitFlash(t, mod, "The session was saved.")
	noViolations(t, mod, axe, "the programme editor")
	browsertest.Screenshot(t, mod, "programme-editor")
	browsertest.Do(t, mod, chromedp.Navigate(pageURL), waitFor(".timetable"))
	assertText(t, mod, ".programme", "12:00–13:00", "Lunch with the delegations", "Irène Dubois, Secretary of the group")
}

// demoWorld is a server holding the demo content and a moderator of the
// secretariat, for the browser tests of meetings.
type demoWorld struct {
	app       *servertest.App
	moderator *store.User
}

func newDemoWorld(t *testing.T) demoWorld {
	t.Helper()
	app := servertest.New(t, storetest.SQLite, nil)
	if _, err := demo.Load(context.Background(), app.Store); err != nil {
		t.Fatal(err)
	}
	mod := app.CreateUser("moderator@secretariat.example", store.RoleModerator, "MSME Group Secretariat", store.OrgSecretariat)
	return demoWorld{app: app, moderator: mod}
}

// meeting is the id and page address of the demo meeting titled title.
func (w demoWorld) meeting(t *testing.T, title string) (int64, string) {
	t.Helper()
	id, err := w.app.Store.EventIDByTitle(context.Background(), title)
	if err != nil || id == 0 {
		t.Fatalf("demo meeting %q: %d, %v", title, id, err)
	}
	slug := strings.ToLower(strings.ReplaceAll(title, " ", "-"))
	return id, fmt.Sprintf("%s/events/%d-%s", w.app.URL, id, slug)
}
