package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"ideasx/server/browsertest"
	"ideasx/store"
)

// TestAgendaOutcomeInBrowser: a moderator finds a referred challenge on
// MSME Day 2019's agenda, records the meeting's outcome on the plain form
// and closes the challenge with it; the outcome shows in the thread as an
// outcome entry, reaches a delegate who has the thread open without a
// reload, and shows on the meeting's agenda. Screenshots of the agenda and
// the entry at 1280 and 390 px.
func TestAgendaOutcomeInBrowser(t *testing.T) {
	t.Parallel()
	b := browsertest.New(t)
	axe := browsertest.LoadAxe(t)
	w := newDemoWorld(t)
	app, mod, ctx := w.app, w.moderator, context.Background()
	app.CreateUser("reader@delegation.example", store.RoleMember, "Delegation of Chile", store.OrgMember)
	eventID, _ := w.meeting(t, "MSME Day 2019")
	threads, err := app.Store.ListThreads(ctx, store.ThreadFilter{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	var th *store.Thread
	for i := range threads {
		if threads[i].Title == "Small software exporters cannot receive online payments" {
			th = &threads[i]
		}
	}
	if th == nil {
		t.Fatal("demo thread missing")
	}
	item, err := app.Store.AddAgendaItem(ctx, mod, eventID, th.ID)
	if err != nil {
		t.Fatal(err)
	}
	eventURL := fmt.Sprintf("%s/events/%d-msme-day-2019", app.URL, eventID)
	threadURL := fmt.Sprintf("%s/forum/threads/%d", app.URL, th.ID)

	// A delegate has the thread open: the outcome must reach them live.
	reader := b.Tab()
	signIn(t, reader, app, "reader@delegation.example")
	browsertest.Do(t, reader, chromedp.EmulateViewport(1280, 900), chromedp.Navigate(threadURL), waitFor("ol.posts"))

	tab := b.Tab()
	signIn(t, tab, app, "moderator@secretariat.example")
	browsertest.Do(t, tab, chromedp.EmulateViewport(1280, 900), chromedp.Navigate(eventURL), waitFor("#agenda"))
	assertText(t, tab, "#agenda", "Challenges on the agenda", "Small software exporters cannot receive online payments",
		"Certificates of origin on paper take three weeks", "Informal fees at a land border", "Outcome", "Record the outcome")
	noViolations(t, tab, axe, "the meeting's agenda")
	browsertest.Screenshot(t, tab, "agenda-moderator-1280")
	browsertest.Do(t, tab, chromedp.EmulateViewport(390, 844))
	browsertest.Screenshot(t, tab, "agenda-moderator-390")

	browsertest.Do(t, tab, chromedp.EmulateViewport(1280, 900), chromedp.Navigate(fmt.Sprintf("%s/moderation/agenda/%d/outcome", app.URL, item.ID)),
		waitFor("#f-outcome_en"))
	noViolations(t, tab, axe, "the outcome form")
	browsertest.Screenshot(t, tab, "agenda-outcome-form")
	browsertest.Do(t, tab,
		fill("#f-outcome_en", "The group asked the observers present to list the payment services that serve small exporters in every member."),
		fill("#f-outcome_es", "El grupo pidió a los observadores presentes una lista de los servicios de pago disponibles para pequeños exportadores."),
		click(`input[name="close"]`),
		click(`form[action$="/outcome"] button[type=submit]`),
		waitFor(".post-outcome"))
	assertText(t, tab, ".post-outcome", "Outcome of the meeting", "MSME Day 2019", "English", "list the payment services", "Español")
	assertText(t, tab, ".thread-header", "Closed")
	browsertest.Screenshot(t, tab, "outcome-entry-1280")
	browsertest.Do(t, tab, chromedp.EmulateViewport(390, 844))
	browsertest.Screenshot(t, tab, "outcome-entry-390")

	// Live: the delegate's open thread shows the outcome entry without a reload.
	browsertest.Do(t, reader, waitFor(".post-outcome"))
	assertText(t, reader, ".post-outcome", "Outcome of the meeting", "list the payment services")

	// On the agenda, the outcome in the reader's language first, the others folded.
	browsertest.Do(t, reader, chromedp.Navigate(eventURL), waitFor("#agenda"))
	assertText(t, reader, fmt.Sprintf("#agenda-%d", item.ID), "Outcome", "list the payment services", "Español")
	// A visitor sees only the curated challenge, under its public document's title, with its outcome.
	visitor := b.Tab()
	browsertest.Do(t, visitor, chromedp.EmulateViewport(1280, 900), chromedp.Navigate(eventURL), waitFor("#agenda"))
	assertText(t, visitor, "#agenda", "Paper certificates of origin hold up small exporters", "Raised by a business from the Americas", "Outcome")
	if got := browsertest.Text(t, visitor, "#agenda"); strings.Contains(got, "Small software exporters") || strings.Contains(got, "Informal fees") || strings.Contains(got, "Lucía") {
		t.Errorf("a visitor's agenda shows a challenge not made public, or a name:\n%s", got)
	}
	noViolations(t, visitor, axe, "the public agenda")
	browsertest.Screenshot(t, visitor, "agenda-public-1280")
	browsertest.Do(t, visitor, chromedp.EmulateViewport(390, 844))
	browsertest.Screenshot(t, visitor, "agenda-public-390")

	// Live, for a visitor too: once the challenge is published as a public
	// document, their open page shows it on the agenda, under its public title.
	d, _, err := app.Store.CurateThread(ctx, mod.ID, th.ID, "Online payments out of reach for small software exporters", "Summary.", nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := app.Store.SetDocumentStatus(ctx, mod.ID, d.ID, store.Published); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(browsertest.Text(t, visitor, "#agenda"), "Online payments out of reach") {
		if time.Now().After(deadline) {
			t.Fatalf("the visitor's agenda did not update live:\n%s", browsertest.Text(t, visitor, "#agenda"))
		}
		time.Sleep(200 * time.Millisecond)
	}

	// The public dashboard's funnel counts it all, and passes axe on a phone.
	browsertest.Do(t, visitor, chromedp.EmulateViewport(390, 844), chromedp.Navigate(app.URL+"/"), waitFor(".funnel"))
	assertText(t, visitor, ".funnel", "From a challenge to a meeting's outcome", "with an outcome", "MSME Day 2019")
	noViolations(t, visitor, axe, "the dashboard's funnel")
	browsertest.Screenshot(t, visitor, "dashboard-funnel-390")
}
