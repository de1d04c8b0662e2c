package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"
	"github.com/mmcdole/gofeed"

	"ideasx/server/servertest"
	"ideasx/store"
	"ideasx/store/storetest"
)

// entryLangs reads each Atom entry's id and xml:lang as written.
var entryLangRE = regexp.MustCompile(`<entry xml:lang="([^"]*)">\s*<id>([^<]*)</id>`)

var atomLanguageTag = regexp.MustCompile(`^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$`)

// TestAtomIDsSurviveARename: a feed reader keys entries on their id, so a
// new title must not make the document look new.
func TestAtomIDsSurviveARename(t *testing.T) {
	t.Parallel()
	app := servertest.New(t, storetest.SQLite, nil)
	lib := seedLibrary(t, app)
	c := app.Client()
	idOf := func() string {
		feed, err := gofeed.NewParser().ParseString(c.Get("/en/documents.atom").Body)
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range feed.Items {
			if strings.Contains(it.Title, "INF/MSME/R/1") {
				return it.GUID
			}
		}
		t.Fatal("the public document is not in the feed")
		return ""
	}
	before := idOf()
	if want := fmt.Sprintf("%s/documents/%d", app.BaseURL, lib.public.ID); before != want {
		t.Errorf("entry id: got %q, want %q", before, want)
	}
	lib.public.Title = "Customs report, renamed"
	if err := app.Store.SaveDocument(context.Background(), 0, lib.public); err != nil {
		t.Fatal(err)
	}
	if after := idOf(); after != before {
		t.Errorf("renaming changed the entry id from %q to %q", before, after)
	}
	// The id leads to the document.
	if r := c.Get(strings.TrimPrefix(before, app.BaseURL)); r.Status != http.StatusMovedPermanently || !strings.Contains(r.Location, "customs-report-renamed") {
		t.Errorf("the id as an address: %d %q", r.Status, r.Location)
	}
}

// TestFeedsPerLanguage: each language has its own feed addresses, cacheable
// by anyone; the plain address follows Accept-Language and says so (Vary),
// and no entry claims the feed's language for a text in another.
func TestFeedsPerLanguage(t *testing.T) {
	t.Parallel()
	app := servertest.New(t, storetest.SQLite, nil)
	lib := seedLibrary(t, app)
	c := app.Client()
	c.Header.Set("Accept-Language", "es")

	fr := c.Get("/fr/documents.atom")
	if fr.Status != http.StatusOK || variesOnLanguage(fr.Header) || fr.Header.Get("Cache-Control") != "public, max-age=300" {
		t.Errorf("/fr/documents.atom: %d Vary %q Cache-Control %q", fr.Status, fr.Header.Values("Vary"), fr.Header.Get("Cache-Control"))
	}
	feed, err := gofeed.NewParser().ParseString(fr.Body)
	if err != nil {
		t.Fatalf("French feed: %v", err)
	}
	if feed.Language != "fr" || !strings.Contains(feed.Title, "Documents") || feed.FeedLink != app.BaseURL+"/fr/documents.atom" || feed.Link != app.BaseURL+"/fr/documents" {
		t.Errorf("French feed: lang %q title %q self %q alternate %q", feed.Language, feed.Title, feed.FeedLink, feed.Link)
	}
	langs := map[string]string{}
	for _, m := range entryLangRE.FindAllStringSubmatch(fr.Body, -1) {
		langs[m[2]] = m[1]
		// RFC 4287's atomLanguageTag (jing with its RELAX NG schema says the same).
		if !atomLanguageTag.MatchString(m[1]) {
			t.Errorf("xml:lang %q is not an atomLanguageTag", m[1])
		}
	}
	// The public report has one file, in English: its entry says so. The
	// derestricted study has none: its language is "undetermined".
	if got := langs[fmt.Sprintf("%s/documents/%d", app.BaseURL, lib.public.ID)]; got != "en" {
		t.Errorf("English document in the French feed: xml:lang %q, want en\n%s", got, fr.Body)
	}
	if got := langs[fmt.Sprintf("%s/documents/%d", app.BaseURL, lib.derestricted.ID)]; got != "und" {
		t.Errorf("document of unknown language in the French feed: xml:lang %q, want und", got)
	}

	plain := c.Get("/documents.atom")
	if !variesOnLanguage(plain.Header) || plain.Header.Get("Content-Location") != app.BaseURL+"/es/documents.atom" {
		t.Errorf("/documents.atom: Vary %q Content-Location %q", plain.Header.Values("Vary"), plain.Header.Get("Content-Location"))
	}
	if !strings.Contains(plain.Body, `<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="es">`) {
		t.Errorf("/documents.atom with Accept-Language: es is not Spanish\n%s", plain.Body)
	}
	// The switcher's cookie does not reach the plain feed, which a shared cache keys on Accept-Language alone.
	c.Post("/lang", url.Values{"lang": {"fr"}, "next": {"/"}})
	if body := c.Get("/documents.atom").Body; !strings.Contains(body, `xml:lang="es">`) {
		t.Errorf("the language cookie changed /documents.atom")
	}

	for _, path := range []string{"/events.ics", "/fr/events.ics"} {
		r := c.Get(path)
		if _, err := ics.ParseCalendar(strings.NewReader(r.Body)); err != nil {
			t.Errorf("%s: %v", path, err)
		}
		if variesOnLanguage(r.Header) != (path == "/events.ics") {
			t.Errorf("%s: Vary %q", path, r.Header.Values("Vary"))
		}
	}
}

// variesOnLanguage reports whether a response says it depends on Accept-Language.
func variesOnLanguage(h http.Header) bool {
	for _, v := range h.Values("Vary") {
		for f := range strings.SplitSeq(v, ",") {
			if strings.EqualFold(strings.TrimSpace(f), "Accept-Language") {
				return true
			}
		}
	}
	return false
}

// TestCrawlersAreGuided: robots.txt keeps crawlers off what they cannot read
// and names the sitemap; public pages name their canonical address, their
// language versions and their Open Graph card.
func TestCrawlersAreGuided(t *testing.T) {
	t.Parallel()
	app := servertest.New(t, storetest.SQLite, nil)
	lib := seedLibrary(t, app)
	c := app.Client()
	robots := c.Get("/robots.txt")
	if robots.Status != http.StatusOK || !strings.HasPrefix(robots.Header.Get("Content-Type"), "text/plain") {
		t.Fatalf("robots.txt: %d %s", robots.Status, robots.Header.Get("Content-Type"))
	}
	for _, want := range []string{"User-agent: *", "Disallow: /forum\n", "Disallow: /fr/forum\n", "Disallow: /moderation\n", "Disallow: /admin\n",
		"Disallow: /account\n", "Sitemap: " + app.BaseURL + "/sitemap.xml"} {
		if !strings.Contains(robots.Body, want) {
			t.Errorf("robots.txt lacks %q\n%s", want, robots.Body)
		}
	}
	if strings.Contains(robots.Body, "Disallow: /documents") || strings.Contains(robots.Body, "Disallow: /events") || strings.Contains(robots.Body, "Disallow: /\n") {
		t.Errorf("robots.txt keeps crawlers off public pages\n%s", robots.Body)
	}

	doc := c.Get(fmt.Sprintf("/documents/%d", lib.public.ID)).Location
	for _, path := range []string{doc, "/fr" + doc} {
		r := c.Get(path)
		canonical := app.BaseURL + path
		wants := []string{
			`<link rel="canonical" href="` + canonical + `">`,
			`<meta property="og:url" content="` + canonical + `">`,
			`<link rel="alternate" hreflang="en" href="` + app.BaseURL + "/en" + doc + `">`,
			`<link rel="alternate" hreflang="fr" href="` + app.BaseURL + "/fr" + doc + `">`,
			`<link rel="alternate" hreflang="es" href="` + app.BaseURL + "/es" + doc + `">`,
			`<link rel="alternate" hreflang="x-default" href="` + app.BaseURL + doc + `">`,
			`<meta property="og:title" content="Open report on customs">`,
			`<meta property="og:description" content="Customs procedures for small exporters.">`,
			`<meta property="og:site_name" content="`, `<meta property="og:type" content="website">`,
		}
		if strings.HasPrefix(path, "/fr") {
			wants = append(wants, `<html lang="fr">`, `<meta property="og:locale" content="fr_FR">`, `<meta property="og:locale:alternate" content="en_GB">`)
		} else {
			wants = append(wants, `<html lang="en">`, `<meta property="og:locale" content="en_GB">`)
		}
		for _, want := range wants {
			if !strings.Contains(r.Body, want) {
				t.Errorf("%s lacks %s", path, want)
			}
		}
	}
	// A renamed-title address redirects within its language.
	if r := c.Get(fmt.Sprintf("/es/documents/%d", lib.public.ID)); r.Location != "/es"+doc {
		t.Errorf("/es short address: redirected to %q, want /es%s", r.Location, doc)
	}
	// An error page is not indexed and names no canonical address.
	if r := c.Get("/fr/no-such-page"); r.Status != http.StatusNotFound || strings.Contains(r.Body, `rel="canonical"`) || !strings.Contains(r.Body, `<meta name="robots" content="noindex">`) {
		t.Errorf("404 page: %d, canonical or no noindex", r.Status)
	}
	// The sitemap lists each page once with its three languages.
	sm := c.Get("/sitemap.xml").Body
	if !strings.Contains(sm, `hreflang="fr" href="`+app.BaseURL+"/fr"+doc+`"`) || !strings.Contains(sm, `hreflang="x-default" href="`+app.BaseURL+doc+`"`) {
		t.Errorf("sitemap lacks the language alternates\n%s", sm)
	}
	// Members-only pages are still members-only under a prefix.
	if r := c.Get("/fr/forum"); r.Status == http.StatusOK {
		t.Errorf("/fr/forum for a visitor: %d", r.Status)
	}
}

// TestEventCalendarKeepsPlaceAndLink: an event held in a room and online
// keeps both in the calendars; each event has its own .ics behind an "Add
// to calendar" link, readable by whoever may read the event.
func TestEventCalendarKeepsPlaceAndLink(t *testing.T) {
	t.Parallel()
	app := servertest.New(t, storetest.SQLite, nil)
	ctx := context.Background()
	hybrid := &store.Event{Title: "Hybrid open meeting", StartsAt: time.Date(2030, 6, 27, 10, 0, 0, 0, time.UTC), EndsAt: time.Date(2030, 6, 27, 12, 0, 0, 0, time.UTC),
		Timezone: "Europe/Zurich", Visibility: store.Public, Place: "Room D, Centre William Rappard", OnlineURL: "https://meet.example.org/msme?pwd=1"}
	secret := &store.Event{Title: "Delegates retreat", StartsAt: time.Date(2030, 7, 1, 10, 0, 0, 0, time.UTC), EndsAt: time.Date(2030, 7, 1, 12, 0, 0, 0, time.UTC),
		Timezone: "Europe/Zurich", Visibility: store.MembersOnly, OnlineURL: "https://meet.example.org/secret"}
	for _, e := range []*store.Event{hybrid, secret} {
		if err := app.Store.SaveEvent(ctx, 0, e); err != nil {
			t.Fatal(err)
		}
	}
	c := app.Client()
	checkHybrid := func(name, body string) {
		t.Helper()
		cal, err := ics.ParseCalendar(strings.NewReader(body))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		var ev *ics.VEvent
		for _, e := range cal.Events() {
			if e.GetProperty(ics.ComponentPropertySummary).Value == hybrid.Title {
				ev = e
			}
		}
		if ev == nil {
			t.Fatalf("%s lacks the hybrid meeting", name)
		}
		if p := ev.GetProperty(ics.ComponentPropertyLocation); p == nil || p.Value != hybrid.Place {
			t.Errorf("%s LOCATION: %v", name, p)
		}
		if p := ev.GetProperty("CONFERENCE"); p == nil || p.Value != hybrid.OnlineURL {
			t.Errorf("%s CONFERENCE: %v", name, p)
		}
		if p := ev.GetProperty(ics.ComponentPropertyDescription); p == nil || !strings.Contains(p.Value, hybrid.OnlineURL) {
			t.Errorf("%s DESCRIPTION lacks the link for clients without CONFERENCE: %v", name, p)
		}
		if p := ev.GetProperty(ics.ComponentPropertyUniqueId); p == nil || p.Value != fmt.Sprintf("event-%d@127.0.0.1", hybrid.ID) {
			t.Errorf("%s UID: %v", name, p)
		}
	}
	checkHybrid("/events.ics", c.Get("/events.ics").Body)

	page := c.Get(fmt.Sprintf("/events/%d", hybrid.ID))
	page = c.Get(page.Location)
	link := regexp.MustCompile(`href="(/events/[^"]+/calendar\.ics)"[^>]*>Add to calendar`).FindStringSubmatch(page.Body)
	if link == nil {
		t.Fatalf("the event page has no Add to calendar link\n%s", page.Body)
	}
	one := c.Get(link[1])
	if one.Status != http.StatusOK || !strings.HasPrefix(one.Header.Get("Content-Type"), "text/calendar") || !strings.Contains(one.Header.Get("Content-Disposition"), ".ics") {
		t.Fatalf("%s: %d %s %s", link[1], one.Status, one.Header.Get("Content-Type"), one.Header.Get("Content-Disposition"))
	}
	checkHybrid(link[1], one.Body)

	// The members' event and its link: not for visitors, anywhere.
	secretICS := fmt.Sprintf("/events/%d/calendar.ics", secret.ID)
	if r := c.Get(secretICS); r.Status != http.StatusNotFound || strings.Contains(r.Body, "meet.example.org/secret") {
		t.Errorf("visitor on the members' event .ics: %d", r.Status)
	}
	for _, path := range []string{"/events.ics", "/fr/events.ics"} {
		if strings.Contains(c.Get(path).Body, "meet.example.org/secret") {
			t.Errorf("%s carries the members' online link", path)
		}
	}
	app.CreateUser("member@x.example", store.RoleMember, "Delegation of Peru", store.OrgMember)
	m := app.Client()
	m.SignIn("member@x.example")
	r := m.Get(secretICS)
	if r.Status != http.StatusOK || !strings.Contains(r.Body, "CONFERENCE;VALUE=URI;FEATURE=VIDEO:https://meet.example.org/secret") {
		t.Errorf("member on the members' event .ics: %d\n%s", r.Status, r.Body)
	}
	if cc := r.Header.Get("Cache-Control"); !strings.Contains(cc, "private") {
		t.Errorf("members' event .ics Cache-Control %q", cc)
	}
	if strings.Contains(m.Get("/events.ics").Body, "meet.example.org/secret") {
		t.Error("the public calendar carries the members' link for a member (a cache would pass it on)")
	}

	// A meeting taking registrations keeps its link for its registrants
	// (issue 16): no calendar carries it, the event's own .ics included.
	if err := app.Store.SaveRegistrationSettings(ctx, 0, &store.RegistrationSettings{EventID: hybrid.ID, Enabled: true, OpenVisitors: true,
		OpenBusinesses: true, OpenMembers: true, LinkRevealMinutes: 60}); err != nil {
		t.Fatal(err)
	}
	for _, cl := range []*servertest.Client{c, m} {
		for _, path := range []string{"/events.ics", "/fr/events.ics", link[1]} {
			if body := cl.Get(path).Body; strings.Contains(body, "meet.example.org/msme") || !strings.Contains(body, "Room D") {
				t.Errorf("%s of a meeting taking registrations: the link is there or the place is not\n%s", path, body)
			}
		}
	}

	// A cancelled meeting stays in the calendars, marked so.
	if err := app.Store.CancelEvent(ctx, 0, hybrid.ID); err != nil {
		t.Fatal(err)
	}
	if body := c.Get("/events.ics").Body; !strings.Contains(body, "STATUS:CANCELLED") {
		t.Errorf("the cancelled meeting is not marked CANCELLED\n%s", body)
	}
}

// TestAllDayEvents: the form and the API create all-day events, which the
// calendars carry as dates and the page shows without times.
func TestAllDayEvents(t *testing.T) {
	t.Parallel()
	app := servertest.New(t, storetest.SQLite, nil)
	app.CreateUser("mod@x.example", store.RoleModerator, "Secretariat", store.OrgSecretariat)
	mod := app.Client()
	mod.SignIn("mod@x.example")
	form := url.Values{"title": {"MSME Day"}, "starts": {"2030-06-27T00:00"}, "ends": {"2030-06-28T00:00"}, "timezone": {"Europe/Zurich"},
		"all_day": {"1"}, "place": {"Geneva"}, "visibility": {"public"}}
	if r := mod.Post("/moderation/events", form); r.Status != http.StatusSeeOther {
		t.Fatalf("create all-day by form: %d\n%s", r.Status, r.Body)
	}
	r := mod.Do("POST", "/api/v1/events", strings.NewReader(`{"title":"Open day","starts_at":"2030-07-03","ends_at":"2030-07-03","all_day":true,"timezone":"Europe/Zurich","visibility":"public"}`), "application/json")
	if r.Status != http.StatusCreated {
		t.Fatalf("create all-day by API: %d %s", r.Status, r.Body)
	}
	var created struct {
		ID     int64 `json:"id"`
		AllDay bool  `json:"all_day"`
	}
	if err := json.Unmarshal([]byte(r.Body), &created); err != nil || !created.AllDay {
		t.Errorf("API answer: %v %s", err, r.Body)
	}
	if r := mod.Do("POST", "/api/v1/events", strings.NewReader(`{"title":"Bad day","starts_at":"27 June","all_day":true,"visibility":"public"}`), "application/json"); r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "starts_at") {
		t.Errorf("all-day with an unreadable date: %d %s", r.Status, r.Body)
	}
	body := app.Client().Get("/events.ics").Body
	for _, want := range []string{"DTSTART;VALUE=DATE:20300627\r\n", "DTEND;VALUE=DATE:20300629\r\n", "DTSTART;VALUE=DATE:20300703\r\n", "DTEND;VALUE=DATE:20300704\r\n"} {
		if !strings.Contains(body, want) {
			t.Errorf("events.ics lacks %q\n%s", want, body)
		}
	}
	if _, err := ics.ParseCalendar(strings.NewReader(body)); err != nil {
		t.Errorf("events.ics: %v", err)
	}
	page := app.Client().Get(fmt.Sprintf("/events/%d", created.ID))
	page = app.Client().Get(page.Location)
	if !strings.Contains(page.Body, "3 July 2030") || strings.Contains(page.Body, "Europe/Zurich)") {
		t.Errorf("the all-day event's page shows times or no date")
	}
	// The edit form comes back with the box ticked.
	if edit := mod.Get(fmt.Sprintf("/moderation/events/%d", created.ID)).Body; !regexp.MustCompile(`name="all_day" value="1"[^>]* checked`).MatchString(edit) {
		t.Errorf("the edit form forgets all-day")
	}
}
