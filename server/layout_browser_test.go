package server_test

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"ideasx/server/browsertest"
	"ideasx/server/i18n"
	"ideasx/server/servertest"
	"ideasx/store/storetest"
)

// The phone of issue 14, and the desktop that must stay as it is.
const (
	phoneWidth, phoneHeight     = 390, 844
	desktopWidth, desktopHeight = 1280, 900
	// firstItemLimit is how far down a phone's screen the first item of a
	// list may start: the content, not the header, is what one came for.
	firstItemLimit = 500
	layoutTabs     = 3
)

// firstItemSelector finds the first item of a page's main list: threads,
// posts, documents, events, results, notifications, queues and the rows of
// the moderators' and admins' tables.
const firstItemSelector = `main :is(.thread-list, .posts, .doc-list, .event-list, .search-results, .notif-list, .queue) > li,
  main table.table:not(.dash-table) > tbody > tr`

// notListPages hold a list below what they are for: the home page's
// introduction, the account form above its tokens.
var notListPages = []string{"/", "/account"}

// TestEveryPageFitsAPhone visits every page the route × role walk knows,
// as every role signed in by cookie and as a visitor, in every language, at
// 390 × 844 and at 1280 px, and fails when a page scrolls sideways, when
// the first item of a list starts below y=500 on the phone, or when
// axe-core finds a violation (at both widths, in English). To keep to a
// few minutes it opens, for each role, one path of each route (with and
// without a query), and a page that comes out the same for two roles (but
// for the closed account menu) once.
func TestEveryPageFitsAPhone(t *testing.T) {
	t.Parallel()
	axe := browsertest.LoadAxe(t)
	b := browsertest.New(t)
	axeCatches(t, b, axe)
	start := time.Now()
	w := seedCanaries(t, servertest.New(t, storetest.SQLite, nil))
	seedWideContent(t, w)
	gets, _ := w.routes(t)

	// The pages kept as pictures for a person to look at, by "role lang
	// path", or "any lang path" for a page that every role sees alike.
	shots := map[string]string{
		"member en /forum": "forum", "any en /documents": "documents", "member es /account": "account-es",
		"admin en /admin/users": "admin-users", "moderator en /moderation/categories": "categories",
		"moderator en /moderation/organisations": "organisations", "moderator en /forum/themes/" + rrTheme(t, w.app).Slug: "theme",
	}
	thread := rrClient(w, "member").Get(w.samples["/forum/threads/{ref}"][0]).Location
	shots["member en "+thread] = "thread"
	shots["moderator en "+thread] = "thread-moderator"
	shots["any en "+rrClient(w, "member").Get(w.samples["/documents/{ref}"][0]).Location] = "document"
	var ids []rrIdentity
	for _, id := range w.identities {
		if id.auth != "token" {
			ids = append(ids, id)
		}
	}
	type visit struct {
		role, path string
		header     http.Header
	}
	var visits int
	var mu sync.Mutex
	fail := func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		t.Errorf(format, args...)
	}
	langs := i18n.Languages
	if only := os.Getenv("IDEASX_TEST_LAYOUT_LANGS"); only != "" {
		// A quicker run while working on one language: IDEASX_TEST_LAYOUT_LANGS=es
		langs = strings.Split(only, ",")
	}
	// Which paths show a different kind of page does not depend on the
	// language: chosen once, as it asks the server for every path.
	rolePaths := map[string][]string{}
	for _, id := range ids {
		rolePaths[id.role] = layoutPaths(id.client, gets)
	}
	phase := time.Now()
	for _, lang := range langs {
		// An account's language wins over the switcher's cookie. Set
		// through the store, as the account page does: the server keeps
		// each session's account for a second unless it wrote meanwhile.
		for _, u := range w.users {
			if err := w.app.Store.SetLocale(context.Background(), u.ID, lang); err != nil {
				t.Fatal(err)
			}
		}
		seen := map[[32]byte]bool{}
		byRole := map[string][]visit{}
		var roles []string
		for _, id := range ids {
			header := id.header.Clone()
			header.Add("Cookie", "ideasx_lang="+lang)
			for _, path := range rolePaths[id.role] {
				r := id.client.Get(path)
				sum := sha256.Sum256([]byte(layoutNormal(r.Body)))
				if seen[sum] {
					continue
				}
				seen[sum] = true
				if byRole[id.role] == nil {
					roles = append(roles, id.role)
				}
				byRole[id.role] = append(byRole[id.role], visit{id.role, path, header})
			}
		}
		n := 0
		for _, vs := range byRole {
			n += len(vs)
		}
		t.Logf("%s: %d distinct pages among %d roles (%s)", lang, n, len(roles), time.Since(phase).Round(time.Millisecond))
		jobs := make(chan []visit)
		var wg sync.WaitGroup
		for range layoutTabs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for vs := range jobs {
					checkLayout(t, b, axe, shots, w.app.URL, lang, vs[0].header, pathsOf(vs, func(v visit) string { return v.path }), vs[0].role, fail)
				}
			}()
		}
		for _, role := range roles {
			vs := byRole[role]
			visits += len(vs)
			// Long lists are shared between tabs.
			for len(vs) > 0 {
				n := min(len(vs), 12)
				jobs <- vs[:n]
				vs = vs[n:]
			}
		}
		close(jobs)
		wg.Wait()
		t.Logf("%s: checked in %s", lang, time.Since(phase).Round(time.Millisecond))
		phase = time.Now()
	}
	t.Logf("%d GET paths, %d distinct pages in %d languages at %d and %d px, in %s",
		len(gets), visits, len(langs), phoneWidth, desktopWidth, time.Since(start).Round(time.Millisecond))
}

func pathsOf[V any](vs []V, f func(V) string) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = f(v)
	}
	return out
}

// layoutPaths picks, among the paths the route walk tries, one page of
// each kind a reader can open: the first path of each route (and set of
// query parameters) that shows a page, else the first that shows an error
// page, and one error page of each status.
func layoutPaths(c *servertest.Client, gets []string) []string {
	var out []string
	chosen := map[string]int{} // shape → index in out, or -1 for an error page there
	for _, path := range gets {
		if !layoutPage(path) {
			continue
		}
		shape := layoutShape(path)
		if i, ok := chosen[shape]; ok && i >= 0 {
			continue
		}
		r := c.Get(path)
		if (r.Status == http.StatusMovedPermanently || r.Status == http.StatusPermanentRedirect) && strings.HasPrefix(r.Location, "/") {
			// A thread's or a document's address without its slug.
			path = r.Location
			r = c.Get(path)
		}
		if r.Status >= 300 && r.Status < 400 || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") {
			continue
		}
		if r.Status >= 400 {
			if _, ok := chosen[shape]; ok {
				continue
			}
			chosen[shape] = -1
			shape = fmt.Sprintf("error %d", r.Status)
			if _, ok := chosen[shape]; ok {
				continue
			}
		}
		if i, ok := chosen[shape+" page"]; ok {
			out[i] = path
			continue
		}
		chosen[shape] = len(out)
		if r.Status < 400 {
			chosen[shape+" page"] = len(out)
		}
		out = append(out, path)
	}
	return out
}

var (
	layoutDigits = regexp.MustCompile(`[0-9]+`)
	// What differs between two readers of the same page and changes
	// nothing a browser lays out: the closed account menu, the live topic.
	layoutPersonal = regexp.MustCompile(`(?s)<details class="account-menu">.*?</details>|data-live-user-[a-z]+="[^"]*"`)
)

// layoutShape is a path's route, and whether it has a query: a list with
// its filters or tabs is the same page as with others.
func layoutShape(path string) string {
	p, q, _ := strings.Cut(path, "?")
	shape := layoutDigits.ReplaceAllString(p, "N")
	if q != "" {
		shape += "?"
	}
	return shape
}

// layoutNormal is a page without what layoutPersonal matches.
func layoutNormal(body string) string { return layoutPersonal.ReplaceAllString(body, "") }

// layoutPage tells the pages from the API, files, feeds and probes.
func layoutPage(path string) bool {
	for _, p := range []string{"/api/", "/static/", "/ws", "/healthz", "/readyz", "/metrics", "/robots.txt", "/sitemap"} {
		if strings.HasPrefix(path, p) {
			return false
		}
	}
	return !strings.Contains(path, "/files/") && !strings.HasSuffix(path, ".atom") && !strings.HasSuffix(path, ".ics")
}

// pageLayout is what the browser measured on one page at one width.
type pageLayout struct {
	Lang      string   `json:"lang"`
	Width     float64  `json:"width"`
	View      float64  `json:"view"`
	Wide      []string `json:"wide"`
	FirstItem *float64 `json:"first"`
}

const measureLayout = `(() => {
  const de = document.documentElement, vw = de.clientWidth;
  const out = {lang: de.lang, width: de.scrollWidth, view: vw, wide: [], first: null};
  const scrolls = el => { for (let p = el.parentElement; p; p = p.parentElement) {
    if (p === document.body || p === de) return false;
    const o = getComputedStyle(p).overflowX; if (o !== "visible") return true; } return false; };
  if (de.scrollWidth > vw) {
    for (const el of document.body.querySelectorAll("*")) {
      if (out.wide.length >= 5) break;
      const r = el.getBoundingClientRect();
      if (r.right <= vw + 1 || r.width === 0 || scrolls(el) || !el.checkVisibility()) continue;
      if ([...el.children].some(c => c.getBoundingClientRect().right > vw + 1)) continue;
      out.wide.push(el.tagName.toLowerCase() + (el.className && typeof el.className === "string" ? "." + el.className.trim().split(/\s+/).join(".") : "") +
        " right=" + Math.round(r.right) + " «" + (el.textContent || "").trim().slice(0, 50) + "»");
    }
  }
  const first = document.querySelector(SELECTOR);
  if (first) out.first = first.getBoundingClientRect().top + window.scrollY;
  return out;
})()`

// checkLayout opens one tab as a role and checks its pages at both widths.
func checkLayout(t *testing.T, b *browsertest.Browser, axe *browsertest.Axe, shots map[string]string, base, lang string, h http.Header, paths []string, role string, fail func(string, ...any)) {
	ctx, cancel, err := b.NewTab()
	if err != nil {
		fail("new tab: %v", err)
		return
	}
	defer cancel()
	if err := browsertest.SetCookies(ctx, base, h); err != nil {
		fail("cookies: %v", err)
		return
	}
	sel, _ := json.Marshal(firstItemSelector)
	measure := strings.Replace(measureLayout, "SELECTOR", string(sel), 1)
	for _, path := range paths {
		where := fmt.Sprintf("%s as %s in %s", path, role, lang)
		run := func(steps ...chromedp.Action[chromedp.Void]) bool {
			ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
			defer cancel()
			if err := chromedp.Do(ctx, steps...); err != nil {
				fail("%s: %v", where, err)
				return false
			}
			return true
		}
		if !run(chromedp.EmulateViewport(phoneWidth, phoneHeight), chromedp.Navigate(base+path)) {
			continue
		}
		for _, width := range []int64{phoneWidth, desktopWidth} {
			if width == desktopWidth && !run(chromedp.EmulateViewport(desktopWidth, desktopHeight)) {
				break
			}
			at := fmt.Sprintf("%s at %d px", where, width)
			l, err := chromedp.Run(ctx, chromedp.Evaluate[pageLayout](measure))
			if err != nil {
				fail("%s: %v", at, err)
				continue
			}
			if l.Lang != lang {
				fail("%s: the page is in %q, want %q", at, l.Lang, lang)
			}
			if l.Width > l.View {
				fail("%s: the page is %.0f px wide in a %.0f px window: %s", at, l.Width, l.View, strings.Join(l.Wide, "; "))
			}
			if width == phoneWidth && l.FirstItem != nil && *l.FirstItem > firstItemLimit && !slices.Contains(notListPages, path) {
				fail("%s: the list's first item starts at y=%.0f, want at most %d", at, *l.FirstItem, firstItemLimit)
			}
			name := shots[role+" "+lang+" "+path]
			if name == "" {
				name = shots["any "+lang+" "+path]
			}
			if name != "" {
				browsertest.Screenshot(t, ctx, fmt.Sprintf("%s-%d", name, width))
			}
			if name == "forum" && width == phoneWidth {
				checkOpenMenu(t, ctx, axe, fail)
			}
			if lang != "en" {
				// Languages change the words, not the markup, the colours
				// or the names of controls (the translation tests check
				// that every text is there): axe-core, most of this walk's
				// time, looks at the English pages; widths are measured in
				// every language.
				continue
			}
			actx, acancel := context.WithTimeout(ctx, 30*time.Second)
			t0 := time.Now()
			vs, err := axe.Check(actx)
			acancel()
			if testing.Verbose() {
				t.Logf("%s: axe in %s", at, time.Since(t0).Round(time.Millisecond))
			}
			if err != nil {
				fail("%s: axe-core: %v", at, err)
			}
			for _, v := range vs {
				fail("%s: axe-core: %s", at, v)
			}
		}
	}
}

// seedWideContent adds what made a phone's page wide: one long URL, a long
// line of code and a table in a reply.
func seedWideContent(t *testing.T, w *rrWorld) {
	t.Helper()
	member := rrClient(w, "member")
	thread := strings.TrimPrefix(w.samples["/forum/threads/{id}"][0], "/forum/threads/")
	body := "The rules: https://example.org/" + strings.Repeat("customs-procedures-for-small-exporters/", 8) + "index.html\n\n" +
		"```\n" + strings.Repeat("certificate_of_origin_reference_number=", 6) + "\n```\n\n" +
		"| Country | Days to issue a certificate of origin on paper | Days electronically |\n|---|---|---|\n| Kenya | 21 | 2 |\n"
	in, _ := json.Marshal(map[string]string{"body": body})
	if r := doJSON(member, "POST", "/api/v1/threads/"+thread+"/posts", string(in)); r.Status != http.StatusCreated {
		t.Fatalf("reply with a long URL: %d %s", r.Status, r.Body)
	}
}

// rrClient is role's cookie client.
func rrClient(w *rrWorld, role string) *servertest.Client {
	for _, id := range w.identities {
		if id.role == role && id.auth == "cookie" {
			return id.client
		}
	}
	panic("no cookie client for " + role)
}

// axeCatches makes sure axe-core runs and reports: on a page with an image
// without a text alternative, it must find one violation, or every page
// passing proves nothing.
func axeCatches(t *testing.T, b *browsertest.Browser, axe *browsertest.Axe) {
	t.Helper()
	ctx, cancel, err := b.NewTab()
	if err != nil {
		t.Fatal(err)
	}
	defer cancel()
	browsertest.Do(t, ctx, chromedp.Navigate(`data:text/html,<!doctype html><html lang="en"><title>t</title><main><img src="x.png"></main></html>`))
	vs, err := axe.Check(ctx)
	if err != nil {
		t.Fatalf("axe-core: %v", err)
	}
	if !slices.ContainsFunc(vs, func(v browsertest.Violation) bool { return v.ID == "image-alt" }) {
		t.Fatalf("axe-core found %v on an image without alt, want image-alt", vs)
	}
}

// checkOpenMenu opens the phone's menu, which the walk sees closed, and
// checks it as it checks a page: it must not widen the page, it must hold
// the sections, and axe-core must find nothing in it.
func checkOpenMenu(t *testing.T, ctx context.Context, axe *browsertest.Axe, fail func(string, ...any)) {
	browsertest.Do(t, ctx, chromedp.Click(chromedp.CSS(".site-menu > summary")), chromedp.WaitVisible(chromedp.CSS(".site-menu-panel nav a[href='/forum']")))
	browsertest.Screenshot(t, ctx, "forum-menu-390")
	wide, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > document.documentElement.clientWidth`))
	if err != nil || wide {
		fail("the open menu: wider than the phone (%v)", err)
	}
	vs, err := axe.Check(ctx)
	if err != nil {
		fail("the open menu: axe-core: %v", err)
	}
	for _, v := range vs {
		fail("the open menu: axe-core: %s", v)
	}
	browsertest.Do(t, ctx, chromedp.Click(chromedp.CSS(".site-menu > summary")))
}
