package e2e

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/chromedp/chromedp"

	"ideasx/cmd/ideasx/demo"
	"ideasx/server/browsertest"
	"ideasx/server/files"
	"ideasx/server/servertest"
	"ideasx/store"
	"ideasx/store/storetest"
)

// TestLibraryInBrowser: a moderator creates a document through the real
// forms, uploads its PDF and publishes it; a signed-out reader then finds it
// by search and downloads it. Screenshots of every library page are kept.
func TestLibraryInBrowser(t *testing.T) {
	t.Parallel()
	b := browsertest.New(t)
	app := servertest.New(t, storetest.SQLite, nil)
	if _, err := demo.Load(context.Background(), app.Store); err != nil {
		t.Fatal(err)
	}
	app.CreateUser("moderator@secretariat.example", store.RoleModerator, "MSME Group Secretariat", store.OrgSecretariat)
	pdf, err := files.GeneratePDF("Rules of origin for small exporters", "Small exporters find the paperwork for rules of origin costly; a shared guide would help.")
	if err != nil {
		t.Fatal(err)
	}
	pdfPath := filepath.Join(t.TempDir(), "rules-of-origin.pdf")
	if err := os.WriteFile(pdfPath, pdf, 0o600); err != nil {
		t.Fatal(err)
	}

	mod := b.Tab()
	signIn(t, mod, app, "moderator@secretariat.example")
	browsertest.Do(t, mod, chromedp.Navigate(app.URL+"/moderation/documents/new"), waitFor("#f-title"),
		fill("#f-title", "Rules of origin: a guide for small exporters"),
		fill("#f-symbol", "INF/MSME/W/42"),
		fill("#f-summary", "What small exporters told the group about **rules of origin**, and what could make them simpler."),
		fill("#f-tags", "rules of origin, customs"),
		click("main form button[type=submit]"), waitFor(".status-bar"))
	browsertest.Screenshot(t, mod, "document-draft")
	browsertest.Do(t, mod,
		chromedp.SetValue(chromedp.CSS("#f-lang"), "en"),
		chromedp.SetUploadFiles(chromedp.CSS("#f-file"), []string{pdfPath}),
		// The page before the upload has a flash too (the draft saved):
		// only the new one lists a file.
		click("form.upload button[type=submit]"), waitFor(".file-list"))
	assertText(t, mod, ".file-list", "English", "v1")
	// Publishing asks first, in a dialog.
	browsertest.Do(t, mod, click(".status-bar form button.button:not(.button-quiet)"), waitFor("#confirm-dialog[open]"),
		click("#confirm-dialog-ok"), waitFor(`.status-bar a[href^="/documents/"]`))
	assertText(t, mod, ".status-bar", "Published")
	browsertest.Screenshot(t, mod, "document-edit")

	reader := b.Tab()
	browsertest.Do(t, reader, chromedp.Navigate(app.URL+"/"), waitFor("#header-q"),
		fill("#header-q", "origin exporters\n"), waitFor(".search-results"))
	assertText(t, reader, ".search-results", "Rules of origin: a guide for small exporters")
	browsertest.Screenshot(t, reader, "search")
	browsertest.Do(t, reader, click(".search-results .doc-title a"), waitFor(".downloads"))
	assertText(t, reader, "h1", "Rules of origin: a guide for small exporters")
	browsertest.Screenshot(t, reader, "document")
	href, err := chromedp.Run(reader, chromedp.Evaluate[string](`document.querySelector(".downloads a").href`))
	if err != nil {
		t.Fatal(err)
	}
	// The download is fetched by the page itself, with the signed-out browser's cookies (none).
	size, err := chromedp.Run(reader, chromedp.Evaluate[int](`fetch(`+"`"+href+"`"+`).then(r => r.ok ? r.arrayBuffer() : Promise.reject(r.status)).then(b => b.byteLength)`,
		chromedp.EvalAwaitPromise))
	if err != nil || size != len(pdf) {
		t.Errorf("download: got %d bytes (%v), want %d", size, err, len(pdf))
	}

	browsertest.Do(t, reader, chromedp.Navigate(app.URL+"/documents"), waitFor(".doc-list"))
	assertText(t, reader, ".doc-list", "Newsletter, June 2019")
	browsertest.Screenshot(t, reader, "documents")
	browsertest.Do(t, reader, chromedp.Navigate(app.URL+"/events"), waitFor(".event-list"))
	assertText(t, reader, ".event-list.past", "MSME Day 2019")
	browsertest.Screenshot(t, reader, "events")
	browsertest.Do(t, reader, click(".event-list.past a"), waitFor(".event"))
	browsertest.Screenshot(t, reader, "event")
	browsertest.Do(t, mod, chromedp.Navigate(app.URL+"/moderation/documents"), waitFor("table"))
	browsertest.Screenshot(t, mod, "curation")
	browsertest.Do(t, mod, chromedp.Navigate(app.URL+"/moderation/events/new"), waitFor("#f-title"))
	browsertest.Screenshot(t, mod, "event-new")
	browsertest.Do(t, mod, chromedp.Navigate(app.URL+"/moderation/categories"), waitFor("table"))
	browsertest.Screenshot(t, mod, "categories")
}
