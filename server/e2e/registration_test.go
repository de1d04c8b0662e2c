package e2e

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"ideasx/server/browsertest"
)

// TestRegistrationInBrowser: a visitor registers for MSME Day 2027 on its
// page, lands on the confirmation with the QR code for the door, and the
// organisers see them on their list and check them in; on a desktop and a
// phone, with no accessibility violation.
func TestRegistrationInBrowser(t *testing.T) {
	t.Parallel()
	b := browsertest.New(t)
	axe := browsertest.LoadAxe(t)
	w := newDemoWorld(t)
	app := w.app
	id, pageURL := w.meeting(t, "MSME Day 2027")

	visitor := b.Tab()
	browsertest.Do(t, visitor, chromedp.EmulateViewport(1280, 900), chromedp.Navigate(pageURL), waitFor("#registration form"))
	assertText(t, visitor, "#registration", "Registration", "118 seats left", "Please register by", "How will you attend?", "Interpretation language")
	browsertest.Screenshot(t, visitor, "registration-form-1280")
	noViolations(t, visitor, axe, "the meeting page with the registration form")
	browsertest.Do(t, visitor, chromedp.EmulateViewport(390, 844))
	browsertest.Screenshot(t, visitor, "registration-form-390")

	browsertest.Do(t, visitor, chromedp.EmulateViewport(1280, 900),
		fill("#f-name", "Amina Diallo"),
		fill("#f-email", "amina@shea.example"),
		fill("#f-organisation", "Dakar Shea Cooperative"),
		click("input[name=attendance][value=in_person]"),
		chromedp.SetValue(chromedp.CSS("#f-interpretation"), "fr"),
		fill("#f-accessibility", "A seat near the door, please."),
		click(".registration-form button[type=submit]"),
		waitFor(".qr img"))
	assertText(t, visitor, ".flash", "You are registered.")
	assertText(t, visitor, ".registration-page", "Registered", "You have a seat", "Amina Diallo", "Dakar Shea Cooperative", "Français", "A seat near the door")
	// The image is fetched after the page is shown: waited for, as a
	// reader would, on a machine busy with the rest of the suite.
	waitJS(t, visitor, `(() => { const i = document.querySelector(".qr img"); return i.complete && i.naturalWidth >= 200; })()`)
	browsertest.Screenshot(t, visitor, "registration-confirmation-1280")
	noViolations(t, visitor, axe, "the registration's page")
	browsertest.Do(t, visitor, chromedp.EmulateViewport(390, 844))
	browsertest.Screenshot(t, visitor, "registration-confirmation-390")
	if mails := app.WaitMails("amina@shea.example", 1); len(mails) != 1 || !strings.Contains(mails[0].Calendar, "METHOD:REQUEST") {
		t.Errorf("confirmation mail: got %+v", mails)
	}

	mod := b.Tab()
	signIn(t, mod, app, "moderator@secretariat.example")
	browsertest.Do(t, mod, chromedp.EmulateViewport(1280, 900), chromedp.Navigate(fmt.Sprintf("%s/moderation/events/%d/registrations", app.URL, id)),
		waitFor(".registrations-table"))
	assertText(t, mod, ".registrations-table", "Amina Diallo", "amina@shea.example", "Dakar Shea Cooperative", "A seat near the door", "Lucía Fernández")
	browsertest.Screenshot(t, mod, "registrations-organiser-1280")
	noViolations(t, mod, axe, "the organisers' list")
	browsertest.Do(t, mod, chromedp.EmulateViewport(390, 844))
	browsertest.Screenshot(t, mod, "registrations-organiser-390")
	browsertest.Do(t, mod, chromedp.EmulateViewport(1280, 900),
		click(`tr:has(a[href="mailto:amina@shea.example"]) form[action$="/checkin"] button`))
	waitFlash(t, mod, "Checked in.")
	assertText(t, mod, ".registration-facts", "1 checked in")
}
