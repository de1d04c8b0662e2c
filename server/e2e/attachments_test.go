package e2e

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/chromedp/chromedp"

	"ideasx/server/browsertest"
	"ideasx/server/files"
	"ideasx/server/servertest"
	"ideasx/store"
	"ideasx/store/storetest"
)

// TestAttachmentsInBrowser: a delegate replies with a PDF chosen in the
// file input and an image pasted into the text; the reply shows the image
// inline (its preview loads) and the PDF in the list with its type and size;
// the pasted image and the file are listed under the input before sending.
// A visitor asking for either file's address gets 404.
func TestAttachmentsInBrowser(t *testing.T) {
	t.Parallel()
	b := browsertest.New(t)
	axe := browsertest.LoadAxe(t)
	app := servertest.New(t, storetest.SQLite, nil)
	app.CreateUser("lucia@cafe.example", store.RoleBusiness, "Café Montevideo SRL", store.OrgBusiness)
	app.CreateUser("delegate@kenya.example", store.RoleMember, "Delegation of Kenya", store.OrgMember)
	biz := app.Client()
	biz.SignIn("lucia@cafe.example")
	thread := createThread(t, biz, firstTheme(t, app), "Phytosanitary certificates refused at the border",
		"Our coffee was held for a week: the stamp on the certificate was not recognised.")

	pdf, err := files.GeneratePDF("Certificate rules 2026", "Stamps accepted since 1 March 2026.")
	if err != nil {
		t.Fatal(err)
	}
	pdfPath := filepath.Join(t.TempDir(), "Certificate rules 2026.pdf")
	if err := os.WriteFile(pdfPath, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	img := image.NewRGBA(image.Rect(0, 0, 1400, 700))
	for y := 0; y < 700; y++ {
		for x := 0; x < 1400; x++ {
			img.Set(x, y, color.RGBA{uint8(x / 6), uint8(90 + y/8), 122, 255})
		}
	}
	var pic bytes.Buffer
	if err := png.Encode(&pic, img); err != nil {
		t.Fatal(err)
	}

	// The business reads the thread while the delegate replies: the files arrive live.
	reader := b.Tab()
	signIn(t, reader, app, "lucia@cafe.example")
	threadURL := fmt.Sprintf("%s/forum/threads/%d", app.URL, thread)
	browsertest.Do(t, reader, chromedp.EmulateViewport(desktopW, desktopH), chromedp.Navigate(threadURL), waitFor("#f-body"))
	waitConnections(t, app, 1)

	tab := b.Tab()
	errs := watchConsole(t, tab)
	signIn(t, tab, app, "delegate@kenya.example")
	browsertest.Do(t, tab, chromedp.EmulateViewport(desktopW, desktopH), chromedp.Navigate(threadURL), waitFor("#f-body"),
		chromedp.SetUploadFiles("#f-files", []string{pdfPath}),
		fill("#f-body", "Our ministry accepts the new stamp; the rules and a photo of it are attached."))
	// Pasting an image into the text adds it to the files of the reply.
	browsertest.Do(t, tab, chromedp.Evaluate[chromedp.Void](`(() => {
		const bytes = Uint8Array.from(atob("`+base64.StdEncoding.EncodeToString(pic.Bytes())+`"), (c) => c.charCodeAt(0));
		const dt = new DataTransfer();
		dt.items.add(new File([bytes], "image.png", { type: "image/png" }));
		document.querySelector("#f-body").dispatchEvent(new ClipboardEvent("paste", { clipboardData: dt, bubbles: true, cancelable: true }));
	})()`))
	waitJS(t, tab, `document.querySelector("#f-files").files.length === 2 && document.querySelectorAll(".attachment-chosen li").length === 2`)
	if got := evalString(t, tab, `document.querySelector(".attachment-chosen").textContent`); !regexp.MustCompile(`Certificate rules 2026\.pdf.*pasted-\d+\.png`).MatchString(got) {
		t.Errorf("files listed before sending: %q", got)
	}
	noViolations(t, tab, axe, "the reply form with two files")
	browsertest.Do(t, tab, chromedp.EmulateViewport(phoneW, phoneH), chromedp.ScrollIntoView(chromedp.CSS("#f-files")))
	viewportShot(t, tab, "attachments-form-390")
	browsertest.Do(t, tab, chromedp.EmulateViewport(desktopW, desktopH))
	browsertest.Do(t, tab, click("#reply button[type=submit]"))
	waitAcrossNavigation(t, tab, `location.hash.startsWith("#post-") && document.querySelector(".attachment-image img") !== null`)
	waitJS(t, tab, `(() => { const i = document.querySelector(".attachment-image img"); return i.complete && i.naturalWidth === 1080; })()`)
	assertText(t, tab, ".post:last-of-type .attachment-list", "Certificate rules 2026.pdf", "PDF")
	assertText(t, tab, ".post:last-of-type .attachment-image figcaption", "pasted-")
	noViolations(t, tab, axe, "a thread with attachments")
	waitJS(t, reader, `(() => { const i = document.querySelector(".post:last-of-type .attachment-image img"); return i !== null && i.complete && i.naturalWidth === 1080; })()`)
	assertText(t, reader, ".post:last-of-type .attachment-list", "Certificate rules 2026.pdf")
	if e := errs(); len(e) > 0 {
		t.Errorf("console errors: %v", e)
	}

	viewportShot(t, tab, "attachments-thread-1280")
	browsertest.Do(t, tab, chromedp.EmulateViewport(phoneW, phoneH), chromedp.Reload(), waitFor(".attachment-image img"))
	if wide := evalString(t, tab, `String(document.documentElement.scrollWidth)`); wide != fmt.Sprint(phoneW) {
		t.Errorf("at %d px the page is %s px wide", phoneW, wide)
	}
	browsertest.Do(t, tab, chromedp.Evaluate[chromedp.Void](`document.querySelector(".post:last-of-type").scrollIntoView()`))
	viewportShot(t, tab, "attachments-thread-390")

	links := evalString(t, tab, `[...document.querySelectorAll(".post:last-of-type .attachments a")].map((a) => a.getAttribute("href")).join(" ")`)
	urls := regexp.MustCompile(`/forum/attachments/\d+/\S+`).FindAllString(links, -1)
	if len(urls) != 2 {
		t.Fatalf("attachment links: %q", links)
	}
	visitor := app.Client()
	for _, u := range append(urls, regexp.MustCompile(`/forum/attachments/\d+/`).FindString(urls[0])+"preview") {
		if r := visitor.Get(u); r.Status != http.StatusNotFound {
			t.Errorf("a visitor's GET %s: got %d, want 404", u, r.Status)
		}
		if r := biz.Get(u); r.Status != http.StatusOK {
			t.Errorf("the business's GET %s: got %d, want 200", u, r.Status)
		}
	}
	editAttachments(t, tab, axe)
}

// editAttachments opens the edit form of the reply the tab shows last, takes
// the PDF out and saves: the reply keeps only the image, and the history
// below the form lists the PDF with the earlier text.
func editAttachments(t *testing.T, tab page, axe *browsertest.Axe) {
	browsertest.Do(t, tab, chromedp.EmulateViewport(phoneW, phoneH),
		chromedp.Navigate(evalString(t, tab, `document.querySelector(".post:last-of-type a[href$='/edit']").href`)),
		waitFor(".attachment-keep"))
	noViolations(t, tab, axe, "the edit form with files")
	viewportShot(t, tab, "attachments-edit-390")
	browsertest.Do(t, tab, chromedp.Evaluate[chromedp.Void](`[...document.querySelectorAll(".attachment-keep label")].find((l) => l.textContent.includes(".pdf")).querySelector("input").click()`),
		click("form[enctype='multipart/form-data'] button[type=submit]"))
	waitAcrossNavigation(t, tab, `location.hash.startsWith("#post-") && document.querySelector(".post:last-of-type .attachment-image img") !== null`)
	if got := evalString(t, tab, `document.querySelector(".post:last-of-type .attachments").textContent`); regexp.MustCompile(`\.pdf`).MatchString(got) {
		t.Errorf("after taking the PDF out the reply still lists it: %q", got)
	}
	browsertest.Do(t, tab, chromedp.Navigate(evalString(t, tab, `document.querySelector(".post:last-of-type a[href$='/edit']").href`)), waitFor("#history"))
	assertText(t, tab, "#history", "Certificate rules 2026.pdf")
}
