package server_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"ideasx/server/servertest"
	"ideasx/store"
)

// visitorCacheCount reads ideasx_visitor_cache_total for result.
func visitorCacheCount(t *testing.T, app *servertest.App, result string) float64 {
	t.Helper()
	families, err := app.Server.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() != "ideasx_visitor_cache_total" {
			continue
		}
		for _, m := range f.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "result" && l.GetValue() == result {
					return m.GetCounter().GetValue()
				}
			}
		}
	}
	return 0
}

// The visitors' one-second cache of public pages: a visitor's second look
// is served from it, and nobody ever gets a page meant for someone else or
// a page older than the last change this instance made.
func TestVisitorCacheNeverServesAnotherReadersPage(t *testing.T) {
	t.Parallel()
	forEachEngine(t, func(t *testing.T, app *servertest.App) {
		lib := seedLibrary(t, app)
		clients := signedInClients(t, app)
		visitor := clients["visitor"]

		// A background job's write (the derestricted document is due) may
		// rightly make the first copy stale: a few tries, one must hit.
		var first, second servertest.Response
		served := false
		for try := 0; try < 5 && !served; try++ {
			first = visitor.Get("/documents")
			hits := visitorCacheCount(t, app, "hit")
			second = visitor.Get("/documents")
			served = visitorCacheCount(t, app, "hit") == hits+1
		}
		if !served {
			t.Fatal("a visitor's second look at /documents was never served from the cache")
		}
		if second.Body != first.Body || second.Status != http.StatusOK {
			t.Errorf("the cached page differs from the rendered one (status %d)", second.Status)
		}
		for _, h := range []string{"Content-Type", "Cache-Control", "Vary", "Content-Location", "Content-Security-Policy"} {
			if strings.Join(first.Header.Values(h), ", ") != strings.Join(second.Header.Values(h), ", ") {
				t.Errorf("%s: rendered %q, cached %q", h, first.Header.Values(h), second.Header.Values(h))
			}
		}

		// The compressor outside the cache labels each answer for its own
		// client: a copy first sent as zstd is gzip for a gzip client.
		zstd, gzip := app.Client(), app.Client()
		zstd.Header.Set("Accept-Encoding", "zstd")
		gzip.Header.Set("Accept-Encoding", "gzip")
		zstd.Get("/events")
		if r := gzip.Get("/events"); r.Header.Get("Content-Encoding") != "gzip" {
			t.Errorf("a gzip client's /events after a zstd client's: Content-Encoding %q", r.Header.Get("Content-Encoding"))
		}

		// Signed-in readers, pending accounts included, never get the visitors' copy.
		for name, c := range clients {
			if name == "visitor" || name == "suspended" {
				continue
			}
			r := c.Get("/documents")
			if name != "pending" && name != "business" && !strings.Contains(r.Body, lib.members.Title) {
				t.Errorf("%s was served the visitors' /documents: no members-only document", name)
			}
			if !strings.Contains(r.Body, "Org of "+name) && !strings.Contains(r.Body, name+"@roles.example") {
				t.Errorf("%s's /documents does not carry their account", name)
			}
		}
		if r := visitor.Get("/documents"); strings.Contains(r.Body, lib.members.Title) {
			t.Error("a visitor got a member's /documents")
		}

		// Each language has its own copy; the plain address follows the browser.
		french := app.Client()
		french.Header.Set("Accept-Language", "fr")
		if r := french.Get("/documents"); !strings.Contains(r.Body, `lang="fr"`) {
			t.Error("a French visitor got another language's cached /documents")
		}
		if r := visitor.Get("/documents"); !strings.Contains(r.Body, `lang="en"`) {
			t.Error("an English visitor got the French cached /documents")
		}

		// A one-time message is the visitor's own, and not kept for the next.
		flashed := app.Client()
		flashed.Header.Set("Cookie", "ideasx_flash=flash_signed_out")
		if r := flashed.Get("/documents"); !strings.Contains(r.Body, "You are signed out.") {
			t.Error("a visitor with a message waiting got the cached page without it")
		}
		if r := app.Client().Get("/documents"); strings.Contains(r.Body, "You are signed out.") {
			t.Error("another visitor's one-time message was served from the cache")
		}

		// A change shows on the next look, well within the cache's second.
		page := visitor.Get(docPath(lib.public)).Location
		if visitor.Get(page).Status != http.StatusOK {
			t.Fatalf("%s: not a document page", page)
		}
		lib.public.Summary = "Customs procedures, revised after the June meeting."
		if err := app.Store.SaveDocument(context.Background(), 0, lib.public); err != nil {
			t.Fatal(err)
		}
		added := &store.Document{Title: "Freshly published guide", Status: store.Published, Visibility: store.Public,
			DocDate: time.Date(2019, 7, 1, 0, 0, 0, 0, time.UTC)}
		if err := app.Store.SaveDocument(context.Background(), 0, added); err != nil {
			t.Fatal(err)
		}
		if r := visitor.Get("/documents"); !strings.Contains(r.Body, added.Title) {
			t.Error("the visitors' /documents was served from before the change")
		}
		if r := visitor.Get(page); !strings.Contains(r.Body, lib.public.Summary) {
			t.Error("the visitors' document page was served from before the change")
		}
	})
}
