package server_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"ideasx/server/auth"
	"ideasx/server/files"
	"ideasx/server/servertest"
	"ideasx/store"
	"ideasx/store/storetest"
)

// sharedCacheable reports whether a proxy or CDN may keep the answer.
func sharedCacheable(cc string) bool {
	cc = strings.ToLower(cc)
	return !strings.Contains(cc, "private") && !strings.Contains(cc, "no-store")
}

// tokenClient is an API client with a fresh bearer token of u.
func tokenClient(t testing.TB, app *servertest.App, u *store.User) *servertest.Client {
	t.Helper()
	plain, hash := auth.NewToken("ixp_")
	if _, err := app.Store.CreateAPIToken(context.Background(), u.ID, "cache test", hash); err != nil {
		t.Fatal(err)
	}
	c := app.Client()
	c.Header.Set("Authorization", "Bearer "+plain)
	return c
}

// TestDownloadCacheControlByRole: a shared cache may keep only what anyone
// may download (the current file of a public, published document); an
// older version, which only moderators get, never.
func TestDownloadCacheControlByRole(t *testing.T) {
	t.Parallel()
	forEachEngine(t, func(t *testing.T, app *servertest.App) {
		ctx := context.Background()
		lib := seedLibrary(t, app)
		pdf, err := files.GeneratePDF("Open report, second version", "Customs procedures, revised.")
		if err != nil {
			t.Fatal(err)
		}
		newer, err := app.Store.AddFile(ctx, 0, store.NewFile{DocumentID: lib.public.ID, Lang: "en", Filename: "report-v2.pdf", ContentType: "application/pdf"}, bytes.NewReader(pdf))
		if err != nil {
			t.Fatal(err)
		}
		older := lib.publicFile
		clients := signedInClients(t, app)
		mod, _ := app.Store.UserByEmail(ctx, "moderator@roles.example")
		modToken := tokenClient(t, app, mod)
		apiPath := func(f *store.DocFile) string { return fmt.Sprintf("/api/v1/documents/%d/files/%d", f.DocumentID, f.ID) }

		cases := []struct {
			who    string
			c      *servertest.Client
			path   string
			status int
			want   string // "public" or "private": whether a shared cache may keep it
		}{
			{"visitor, current public file", clients["visitor"], filePath(newer), 200, "public"},
			{"visitor, current public file by the API", clients["visitor"], apiPath(newer), 200, "public"},
			{"visitor, older version", clients["visitor"], filePath(older), 404, "private"},
			{"member, current public file", clients["member"], filePath(newer), 200, "private"},
			{"member, older version", clients["member"], filePath(older), 404, "private"},
			{"member, members-only file", clients["member"], filePath(lib.membersFile), 200, "private"},
			{"moderator, older version", clients["moderator"], filePath(older), 200, "private"},
			{"moderator, older version by the API", clients["moderator"], apiPath(older), 200, "private"},
			{"moderator with a token, older version", modToken, filePath(older), 200, "private"},
			{"admin, older version", clients["admin"], filePath(older), 200, "private"},
			{"moderator, members-only file", clients["moderator"], filePath(lib.membersFile), 200, "private"},
		}
		for _, tc := range cases {
			r := tc.c.Get(tc.path)
			cc := r.Header.Get("Cache-Control")
			if r.Status != tc.status {
				t.Errorf("%s: got %d, want %d", tc.who, r.Status, tc.status)
			}
			if sharedCacheable(cc) != (tc.want == "public") {
				t.Errorf("%s: Cache-Control %q, want %s", tc.who, cc, tc.want)
			}
		}
		if r := clients["visitor"].Get(filePath(newer)); r.Header.Get("Cache-Control") != "public, no-cache" {
			t.Errorf("visitor, current public file: Cache-Control %q, want public, no-cache", r.Header.Get("Cache-Control"))
		}

		// Partial and conditional answers carry the same header.
		mc := clients["moderator"]
		mc.Header.Set("Range", "bytes=0-9")
		r := mc.Get(filePath(older))
		mc.Header.Del("Range")
		if r.Status != http.StatusPartialContent || sharedCacheable(r.Header.Get("Cache-Control")) {
			t.Errorf("moderator, range of an older version: got %d with Cache-Control %q, want 206 private", r.Status, r.Header.Get("Cache-Control"))
		}
		mc.Header.Set("If-None-Match", `"`+older.SHA256+`"`)
		r = mc.Get(filePath(older))
		mc.Header.Del("If-None-Match")
		if r.Status != http.StatusNotModified || sharedCacheable(r.Header.Get("Cache-Control")) {
			t.Errorf("moderator, revalidating an older version: got %d with Cache-Control %q, want 304 private", r.Status, r.Header.Get("Cache-Control"))
		}

		// A cache asks again each time, so a document made members-only
		// stops being served from it at once.
		vc := clients["visitor"]
		vc.Header.Set("If-None-Match", `"`+newer.SHA256+`"`)
		if r := vc.Get(filePath(newer)); r.Status != http.StatusNotModified {
			t.Errorf("visitor revalidating the public file: got %d, want 304", r.Status)
		}
		lib.public.Visibility = store.MembersOnly
		if err := app.Store.SaveDocument(ctx, 0, lib.public); err != nil {
			t.Fatal(err)
		}
		if r := vc.Get(filePath(newer)); r.Status != http.StatusNotFound {
			t.Errorf("visitor revalidating the file of a document made members-only: got %d, want 404", r.Status)
		}
		vc.Header.Del("If-None-Match")
	})
}

// TestRedirectsToTitlesArePrivate: a canonical address carries the title,
// which not every reader may learn, so no shared cache keeps the redirect.
func TestRedirectsToTitlesArePrivate(t *testing.T) {
	t.Parallel()
	app := servertest.New(t, storetest.SQLite, nil)
	lib := seedLibrary(t, app)
	clients := signedInClients(t, app)
	thread := postThread(t, clients["business"], themeID(t, app), "Secret title about customs", "record")
	threadID := regexp.MustCompile(`/forum/threads/(\d+)`).FindStringSubmatch(thread)[1]
	for _, tc := range []struct {
		who, path, title string
	}{
		{"member", docPath(lib.members), "secret-delegates-note"},
		{"member", fmt.Sprintf("/events/%d", lib.membersEvent.ID), "delegates-retreat"},
		{"member", "/forum/threads/" + threadID, "secret-title-about-customs"},
		{"moderator", docPath(lib.draft), "unfinished-draft-summary"},
		{"visitor", docPath(lib.public), "open-report-on-customs"},
		{"visitor", fmt.Sprintf("/events/%d", lib.publicEvent.ID), "open-meeting-on-customs"},
	} {
		r := clients[tc.who].Get(tc.path)
		if r.Status != http.StatusMovedPermanently || !strings.Contains(r.Location, tc.title) {
			t.Errorf("%s on %s: got %d to %q, want a redirect to the title", tc.who, tc.path, r.Status, r.Location)
		}
		if cc := r.Header.Get("Cache-Control"); !strings.Contains(cc, "private") {
			t.Errorf("%s on %s: Cache-Control %q, want private", tc.who, tc.path, cc)
		}
	}
	// Pages that depend on who asks are not kept at all.
	for _, path := range []string{thread, "/forum", "/notifications", "/api/v1/me"} {
		if cc := clients["member"].Get(path).Header.Get("Cache-Control"); cc != "no-store" {
			t.Errorf("member on %s: Cache-Control %q, want no-store", path, cc)
		}
	}
}

// TestSignedInAnswersArePrivate: whatever a handler says, an answer to a
// request that carries a session or a token is not for a shared cache,
// while visitors' static files and feeds stay cacheable by proxies.
func TestSignedInAnswersArePrivate(t *testing.T) {
	t.Parallel()
	app := servertest.New(t, storetest.SQLite, nil)
	member := app.CreateUser("member@x.example", store.RoleMember, "Delegation of Chile", store.OrgMember)
	cookie := app.Client()
	cookie.SignIn(member.Email)
	stale := app.Client()
	stale.Header.Set("Cookie", "ideasx_session=no-longer-valid")
	token := tokenClient(t, app, member)
	css := regexp.MustCompile(`/static/css/app\.css\?v=[0-9a-f]+`).FindString(app.Client().Get("/").Body)
	if css == "" {
		t.Fatal("the home page links no stylesheet")
	}
	for _, path := range []string{css, "/documents.atom", "/events.ics", "/sitemap.xml"} {
		visitor := app.Client().Get(path).Header.Get("Cache-Control")
		if !strings.HasPrefix(visitor, "public, max-age=") {
			t.Errorf("visitor on %s: Cache-Control %q, want public with a lifetime", path, visitor)
		}
		for who, c := range map[string]*servertest.Client{"session": cookie, "stale session": stale, "token": token} {
			cc := c.Get(path).Header.Get("Cache-Control")
			if sharedCacheable(cc) || strings.Contains(cc, "public") {
				t.Errorf("%s on %s: Cache-Control %q, want private", who, path, cc)
			}
			// The reader's own browser still keeps it as long as a visitor's.
			if lifetime := visitor[strings.Index(visitor, "max-age="):]; !strings.Contains(cc, lifetime) {
				t.Errorf("%s on %s: Cache-Control %q lost %q", who, path, cc, lifetime)
			}
		}
	}
	// A redirect with no header of its own gets one.
	if r := cookie.Get("/signin?next=/forum"); r.Status != http.StatusSeeOther || r.Header.Get("Cache-Control") != "private" {
		t.Errorf("signed-in redirect: got %d with Cache-Control %q, want 303 private", r.Status, r.Header.Get("Cache-Control"))
	}
}

// TestHSTSOnlyOverHTTPS: with an https base URL every answer, errors and
// redirects included, tells browsers to come back over https only; over
// http none does.
func TestHSTSOnlyOverHTTPS(t *testing.T) {
	t.Parallel()
	paths := []string{"/", "/healthz", "/signin", "/forum", "/no-such-page", "/api/v1/me", "/api/v1/documents", "/documents.atom"}
	secure := servertest.New(t, storetest.SQLite, map[string]string{"IDEASX_BASE_URL": "https://ideas.example"})
	for _, path := range paths {
		r := secure.Client().Get(path)
		if got := r.Header.Get("Strict-Transport-Security"); got != "max-age=31536000; includeSubDomains" {
			t.Errorf("https site, %s (%d): Strict-Transport-Security %q", path, r.Status, got)
		}
	}
	plain := servertest.New(t, storetest.SQLite, nil)
	for _, path := range paths {
		if got := plain.Client().Get(path).Header.Get("Strict-Transport-Security"); got != "" {
			t.Errorf("http site, %s: Strict-Transport-Security %q, want none", path, got)
		}
	}
}
