package feeds

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	ics "github.com/arran4/golang-ical"
	"github.com/mmcdole/gofeed"
)

// geneva is a fixed +02:00 zone (Geneva in summer), so that the tests show
// the writers convert to UTC instead of copying the wall clock.
var geneva = time.FixedZone("CEST", 2*60*60)

// checkWellFormed decodes every token of doc, which fails on any XML
// well-formedness error (bad escaping, unbalanced tags, invalid chars).
func checkWellFormed(t *testing.T, doc []byte) {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(doc))
	for {
		_, err := d.Token()
		if err == io.EOF {
			return
		}
		if err != nil {
			t.Fatalf("not well-formed XML: %v\n%s", err, doc)
		}
	}
}

func testFeed() Feed {
	return Feed{
		ID:       "tag:ideas.example.org,2019:documents",
		Title:    "Documents — Échange d'idées & PME",
		Subtitle: "Documents publiés par le groupe <MSME>",
		SelfURL:  "https://ideas.example.org/fr/documents.atom",
		AltURL:   "https://ideas.example.org/fr/documents?lang=fr&sort=date",
		Lang:     "fr",
		Author:   "Groupe informel sur les MPME",
		Entries: []Entry{
			{
				ID:         "tag:ideas.example.org,2019:document/12",
				Title:      "Réunion des PME & <ateliers> à Genève",
				URL:        "https://ideas.example.org/fr/documents/12?v=2&lang=fr",
				Summary:    "Résumé : l'économie « verte » & les PME < 250 salariés.\nDeuxième ligne.",
				Published:  time.Date(2019, 6, 27, 9, 30, 0, 0, geneva),
				Updated:    time.Date(2019, 6, 28, 10, 0, 0, 0, geneva),
				Categories: []string{"Rapports de réunion", "PME & commerce"},
				Author:     "Secrétariat",
			},
			{
				ID:        "https://ideas.example.org/es/documentos/13",
				Title:     "Día de las MIPYME: año 2019 — señalización ]]> fin",
				URL:       "https://ideas.example.org/es/documentos/13",
				Summary:   "Año de la pequeña empresa; niños, señoras y \"comillas\".",
				Published: time.Date(2019, 6, 30, 23, 59, 59, 0, time.UTC),
			},
			{
				ID:        "tag:ideas.example.org,2019:document/14",
				Title:     `INF/MSME/W/1/Rev.2 ]]> <![CDATA[ "quoted" & 'single'`,
				URL:       "https://ideas.example.org/en/documents/14",
				Summary:   "Plain text with <b>not bold</b> & an ampersand; also ]]> and &amp; literally.",
				Published: time.Date(2019, 7, 1, 0, 0, 0, 0, geneva),
				Updated:   time.Date(2019, 7, 2, 8, 0, 0, 0, geneva),
			},
		},
	}
}

func TestWriteAtomRoundTrip(t *testing.T) {
	in := testFeed()
	var buf bytes.Buffer
	if err := WriteAtom(&buf, in); err != nil {
		t.Fatalf("WriteAtom: %v", err)
	}
	doc := buf.Bytes()
	checkWellFormed(t, doc)

	for _, want := range []string{
		`<?xml version="1.0" encoding="UTF-8"?>`,
		`<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="fr">`,
		`<link rel="self" type="application/atom+xml" href="https://ideas.example.org/fr/documents.atom">`,
		`<link rel="alternate" type="text/html" href="https://ideas.example.org/fr/documents?lang=fr&amp;sort=date">`,
		`<author>`,
		`<updated>2019-07-02T06:00:00Z</updated>`, // latest entry, in UTC
		`<published>2019-06-27T07:30:00Z</published>`,
		`<title type="text">`,
		`<summary type="text">`,
		`<category term="PME &amp; commerce">`,
	} {
		if !bytes.Contains(doc, []byte(want)) {
			t.Errorf("document lacks %s\n%s", want, doc)
		}
	}
	if bytes.Contains(doc, []byte("]]>")) {
		t.Errorf("got a raw ]]> in the document, want it escaped\n%s", doc)
	}

	f, err := gofeed.NewParser().Parse(bytes.NewReader(doc))
	if err != nil {
		t.Fatalf("gofeed: %v\n%s", err, doc)
	}
	if got, want := f.FeedType, "atom"; got != want {
		t.Errorf("feed type: got %q, want %q", got, want)
	}
	feedChecks := []struct{ name, got, want string }{
		{"title", f.Title, in.Title},
		{"subtitle", f.Description, in.Subtitle},
		{"language", f.Language, in.Lang},
		{"alternate link", f.Link, in.AltURL},
		{"self link", f.FeedLink, in.SelfURL},
	}
	for _, c := range feedChecks {
		if c.got != c.want {
			t.Errorf("feed %s: got %q, want %q", c.name, c.got, c.want)
		}
	}
	if f.Author == nil || f.Author.Name != in.Author {
		t.Errorf("feed author: got %+v, want %q", f.Author, in.Author)
	}
	if len(f.Items) != len(in.Entries) {
		t.Fatalf("entries: got %d, want %d", len(f.Items), len(in.Entries))
	}
	for i, want := range in.Entries {
		got := f.Items[i]
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			for _, c := range []struct{ name, got, want string }{
				{"id", got.GUID, want.ID},
				{"title", got.Title, want.Title},
				{"link", got.Link, want.URL},
				{"summary", got.Description, want.Summary},
				{"published", got.Published, want.Published.UTC().Format(time.RFC3339)},
			} {
				if c.got != c.want {
					t.Errorf("%s: got %q, want %q", c.name, c.got, c.want)
				}
			}
			if got.PublishedParsed == nil || !got.PublishedParsed.Equal(want.Published) {
				t.Errorf("published: got %v, want %v", got.PublishedParsed, want.Published)
			}
			wantUpdated := want.Updated
			if wantUpdated.IsZero() {
				wantUpdated = want.Published
			}
			if got.UpdatedParsed == nil || !got.UpdatedParsed.Equal(wantUpdated) {
				t.Errorf("updated: got %v, want %v", got.UpdatedParsed, wantUpdated)
			}
			if fmt.Sprint(got.Categories) != fmt.Sprint(want.Categories) && len(want.Categories) > 0 {
				t.Errorf("categories: got %q, want %q", got.Categories, want.Categories)
			}
			if want.Author != "" && (got.Author == nil || got.Author.Name != want.Author) {
				t.Errorf("author: got %+v, want %q", got.Author, want.Author)
			}
		})
	}
}

func TestWriteAtomFeedAuthor(t *testing.T) {
	tests := []struct {
		name       string
		feed       Feed
		wantAuthor string // "" means no feed-level author element
	}{
		{
			name:       "all entries have authors, no feed author",
			feed:       Feed{ID: "tag:x,2019:f", Title: "T", Entries: []Entry{{ID: "tag:x,2019:1", Title: "a", URL: "https://x/1", Updated: time.Unix(1, 0), Author: "Ann"}}},
			wantAuthor: "",
		},
		{
			name:       "entry without author falls back to feed title",
			feed:       Feed{ID: "tag:x,2019:f", Title: "Ideas Exchange", Entries: []Entry{{ID: "tag:x,2019:1", Title: "a", URL: "https://x/1", Updated: time.Unix(1, 0)}}},
			wantAuthor: "Ideas Exchange",
		},
		{
			name:       "feed author given",
			feed:       Feed{ID: "tag:x,2019:f", Title: "T", Author: "Secretariat", Entries: []Entry{{ID: "tag:x,2019:1", Title: "a", URL: "https://x/1", Updated: time.Unix(1, 0)}}},
			wantAuthor: "Secretariat",
		},
		{
			name:       "empty feed with explicit updated",
			feed:       Feed{ID: "tag:x,2019:f", Title: "Empty", Updated: time.Unix(1, 0)},
			wantAuthor: "Empty",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := WriteAtom(&buf, tt.feed); err != nil {
				t.Fatalf("WriteAtom: %v", err)
			}
			checkWellFormed(t, buf.Bytes())
			var doc struct {
				Author *struct {
					Name string `xml:"name"`
				} `xml:"author"`
			}
			if err := xml.Unmarshal(buf.Bytes(), &doc); err != nil {
				t.Fatal(err)
			}
			got := ""
			if doc.Author != nil {
				got = doc.Author.Name
			}
			if got != tt.wantAuthor {
				t.Errorf("feed author: got %q, want %q", got, tt.wantAuthor)
			}
		})
	}
}

func TestWriteAtomErrors(t *testing.T) {
	ok := Entry{ID: "tag:x,2019:1", Title: "a", URL: "https://x/1", Updated: time.Unix(1, 0)}
	tests := []struct {
		name string
		mod  func(*Feed)
	}{
		{"no feed id", func(f *Feed) { f.ID = " " }},
		{"no feed title", func(f *Feed) { f.Title = "" }},
		{"empty feed without updated", func(f *Feed) { f.Entries = nil }},
		{"entry without id", func(f *Feed) { f.Entries[0].ID = "" }},
		{"entry without title", func(f *Feed) { f.Entries[0].Title = "" }},
		{"entry without url", func(f *Feed) { f.Entries[0].URL = "" }},
		{"entry without dates", func(f *Feed) { f.Entries[0].Updated = time.Time{} }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := Feed{ID: "tag:x,2019:f", Title: "T", Entries: []Entry{ok}}
			tt.mod(&f)
			var buf bytes.Buffer
			err := WriteAtom(&buf, f)
			if err == nil {
				t.Fatalf("got no error, want one")
			}
			if buf.Len() != 0 {
				t.Errorf("got %d bytes written on error, want 0", buf.Len())
			}
		})
	}
}

func TestWriteAtomControlCharacters(t *testing.T) {
	f := Feed{ID: "tag:x,2019:f", Title: "T\x00\x01itle\x7f", Updated: time.Unix(0, 0), Entries: []Entry{{
		ID: "tag:x,2019:1", Title: "bell\x07 and \xff invalid", URL: "https://x/1", Published: time.Unix(1, 0),
		Summary: "line\r\nbreak\rhere",
	}}}
	var buf bytes.Buffer
	if err := WriteAtom(&buf, f); err != nil {
		t.Fatal(err)
	}
	checkWellFormed(t, buf.Bytes())
	got, err := gofeed.NewParser().Parse(&buf)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ name, got, want string }{
		{"feed title", got.Title, "Title\x7f"},
		{"entry title", got.Items[0].Title, "bell and \uFFFD invalid"},
		{"summary", got.Items[0].Description, "line\nbreak\nhere"},
	} {
		if c.got != c.want {
			t.Errorf("%s: got %q, want %q", c.name, c.got, c.want)
		}
	}
}

// sitemapDoc is the decoded shape of a sitemap, namespaces included, so
// that a wrong namespace shows up as a missing element.
type sitemapDoc struct {
	XMLName xml.Name `xml:"http://www.sitemaps.org/schemas/sitemap/0.9 urlset"`
	URLs    []struct {
		Loc     string `xml:"http://www.sitemaps.org/schemas/sitemap/0.9 loc"`
		LastMod string `xml:"http://www.sitemaps.org/schemas/sitemap/0.9 lastmod"`
		Links   []struct {
			Rel      string `xml:"rel,attr"`
			Hreflang string `xml:"hreflang,attr"`
			Href     string `xml:"href,attr"`
		} `xml:"http://www.w3.org/1999/xhtml link"`
	} `xml:"http://www.sitemaps.org/schemas/sitemap/0.9 url"`
}

func TestWriteSitemap(t *testing.T) {
	alts := map[string]string{
		"en":        "https://ideas.example.org/en/documents/12",
		"fr":        "https://ideas.example.org/fr/documents/12",
		"es":        "https://ideas.example.org/es/documents/12",
		"x-default": "https://ideas.example.org/documents/12",
	}
	tests := []struct {
		name        string
		urls        []URL
		wantXHTML   bool
		wantLastMod []string
	}{
		{
			name: "plain",
			urls: []URL{
				{Loc: "https://ideas.example.org/"},
				{Loc: "https://ideas.example.org/documents?category=3&year=2019", LastMod: time.Date(2019, 6, 28, 0, 0, 0, 0, time.UTC)},
				{Loc: "https://ideas.example.org/events/7", LastMod: time.Date(2019, 7, 1, 0, 30, 0, 0, geneva)},
			},
			wantLastMod: []string{"", "2019-06-28", "2019-06-30T22:30:00Z"},
		},
		{
			name: "with language alternates",
			urls: []URL{
				{Loc: alts["en"], Alternates: alts, LastMod: time.Date(2019, 6, 28, 0, 0, 0, 0, time.UTC)},
				{Loc: alts["fr"], Alternates: alts},
				{Loc: "https://ideas.example.org/about"},
			},
			wantXHTML:   true,
			wantLastMod: []string{"2019-06-28", "", ""},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := WriteSitemap(&buf, tt.urls); err != nil {
				t.Fatalf("WriteSitemap: %v", err)
			}
			doc := buf.Bytes()
			checkWellFormed(t, doc)
			hasNS := bytes.Contains(doc, []byte(`xmlns:xhtml="http://www.w3.org/1999/xhtml"`))
			if hasNS != tt.wantXHTML {
				t.Errorf("xhtml namespace declared: got %v, want %v\n%s", hasNS, tt.wantXHTML, doc)
			}
			if tt.wantXHTML && !bytes.Contains(doc, []byte(`<xhtml:link rel="alternate" hreflang="fr" href="https://ideas.example.org/fr/documents/12">`)) {
				t.Errorf("no literal xhtml:link for fr\n%s", doc)
			}
			var got sitemapDoc
			if err := xml.Unmarshal(doc, &got); err != nil {
				t.Fatalf("unmarshal: %v", err)
			}
			if len(got.URLs) != len(tt.urls) {
				t.Fatalf("urls: got %d, want %d", len(got.URLs), len(tt.urls))
			}
			for i, want := range tt.urls {
				g := got.URLs[i]
				if g.Loc != want.Loc {
					t.Errorf("url %d loc: got %q, want %q", i, g.Loc, want.Loc)
				}
				if g.LastMod != tt.wantLastMod[i] {
					t.Errorf("url %d lastmod: got %q, want %q", i, g.LastMod, tt.wantLastMod[i])
				}
				if len(g.Links) != len(want.Alternates) {
					t.Errorf("url %d alternates: got %d, want %d", i, len(g.Links), len(want.Alternates))
				}
				for _, l := range g.Links {
					if l.Rel != "alternate" || want.Alternates[l.Hreflang] != l.Href {
						t.Errorf("url %d alternate: got %+v, want rel=alternate href=%q", i, l, want.Alternates[l.Hreflang])
					}
				}
			}
		})
	}
}

func TestWriteSitemapLimits(t *testing.T) {
	many := func(n int) []URL {
		urls := make([]URL, n)
		for i := range urls {
			urls[i] = URL{Loc: fmt.Sprintf("https://ideas.example.org/documents/%d", i)}
		}
		return urls
	}
	tests := []struct {
		name    string
		urls    []URL
		wantErr error // nil: success; errAny: any error
	}{
		{"empty", nil, nil},
		{"exactly 50000", many(MaxSitemapURLs), nil},
		{"50001", many(MaxSitemapURLs + 1), ErrTooManyURLs},
		{"relative loc", []URL{{Loc: "/documents/1"}}, errAny},
		{"empty loc", []URL{{Loc: ""}}, errAny},
		{"relative alternate", []URL{{Loc: "https://x/en", Alternates: map[string]string{"fr": "/fr"}}}, errAny},
		{"too large", []URL{{Loc: "https://x/" + strings.Repeat("a", MaxSitemapBytes)}}, ErrSitemapTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			err := WriteSitemap(&buf, tt.urls)
			switch {
			case tt.wantErr == nil && err != nil:
				t.Fatalf("got error %v, want none", err)
			case tt.wantErr == nil:
				checkWellFormed(t, buf.Bytes())
				if got := bytes.Count(buf.Bytes(), []byte("<loc>")); got != len(tt.urls) {
					t.Errorf("locs: got %d, want %d", got, len(tt.urls))
				}
			case err == nil:
				t.Fatalf("got no error, want %v", tt.wantErr)
			case tt.wantErr != errAny && !errors.Is(err, tt.wantErr):
				t.Fatalf("got error %v, want %v", err, tt.wantErr)
			case buf.Len() != 0:
				t.Errorf("got %d bytes written on error, want 0", buf.Len())
			}
		})
	}
}

var errAny = errors.New("any error")

// checkICSLines checks the physical form of an iCalendar stream: CRLF
// everywhere, no line over 75 octets, no UTF-8 sequence cut by a fold, and
// valid UTF-8 once unfolded. It returns the unfolded logical lines.
func checkICSLines(t testing.TB, raw []byte) []string {
	t.Helper()
	s := string(raw)
	if !strings.HasSuffix(s, "\r\n") {
		t.Fatalf("stream does not end with CRLF")
	}
	phys := strings.Split(strings.TrimSuffix(s, "\r\n"), "\r\n")
	var logical []string
	// A builder, not +=, keeps unfolding linear: the fuzzer produces
	// values of thousands of physical lines.
	var cur strings.Builder
	flush := func() {
		if cur.Len() > 0 {
			logical = append(logical, cur.String())
			cur.Reset()
		}
	}
	for i, l := range phys {
		if l == "" {
			t.Fatalf("line %d: empty line", i+1)
		}
		if strings.ContainsAny(l, "\r\n") {
			t.Fatalf("line %d: bare CR or LF in %q", i+1, l)
		}
		if len(l) > 75 {
			t.Fatalf("line %d: got %d octets, want ≤ 75: %q", i+1, len(l), l)
		}
		if !utf8.ValidString(l) {
			t.Fatalf("line %d: a fold split a UTF-8 sequence: %q", i+1, l)
		}
		if strings.HasPrefix(l, " ") {
			if i == 0 || len(l) == 1 {
				t.Fatalf("line %d: bad continuation %q", i+1, l)
			}
			cur.WriteString(l[1:])
			continue
		}
		flush()
		cur.WriteString(l)
	}
	flush()
	for _, l := range logical {
		if !utf8.ValidString(l) {
			t.Fatalf("unfolded line is not valid UTF-8: %q", l)
		}
	}
	return logical
}

func icsProp(ev *ics.VEvent, p ics.ComponentProperty) string {
	if prop := ev.GetProperty(p); prop != nil {
		return prop.Value
	}
	return ""
}

func TestWriteICS(t *testing.T) {
	// 62 ASCII bytes after "DESCRIPTION:" (12) put the "é" on octets
	// 75–76, so a byte-count fold that ignored UTF-8 would cut it in two;
	// the emoji (4 octets each) then land on later fold points.
	longDesc := strings.Repeat("x", 62) + "é " +
		strings.Repeat("Journée des MPME 🎉🌍 — petites et moyennes entreprises, ", 6) +
		"fin.\nAvec une nouvelle ligne; et des virgules, partout 👩‍👩‍👧."
	events := []Event{
		{
			UID:         "event-1@ideas.example.org",
			Summary:     "Night session across the month boundary",
			Description: "Starts on 30 June and ends on 1 July (UTC).",
			Location:    "Online",
			URL:         "https://ideas.example.org/events/1?lang=en&x=1",
			Start:       time.Date(2019, 6, 30, 23, 0, 0, 0, time.UTC),
			End:         time.Date(2019, 7, 1, 3, 30, 0, 0, geneva), // 01:30Z
			Updated:     time.Date(2019, 6, 1, 12, 0, 0, 0, time.UTC),
			Status:      "CONFIRMED",
		},
		{
			UID:         "event-2@ideas.example.org",
			Summary:     "MSME Day",
			Description: "MSME Day 27–28 June 2019",
			Location:    "WTO, Centre William Rappard, Genève",
			Start:       time.Date(2019, 6, 27, 0, 0, 0, 0, geneva), // 26 June in UTC
			End:         time.Date(2019, 6, 28, 0, 0, 0, 0, geneva),
			AllDay:      true,
			Updated:     time.Date(2019, 5, 2, 8, 0, 0, 0, geneva),
		},
		{
			UID:         "event-3@ideas.example.org",
			Summary:     "Réunion informelle — PME 🎉 (long)",
			Description: longDesc,
			Location:    "Salle S3, Genève 🇨🇭",
			Start:       time.Date(2019, 6, 30, 0, 0, 0, 0, time.UTC),
			AllDay:      true, // one day, on the last day of the month
			Updated:     time.Date(2019, 6, 2, 0, 0, 0, 0, time.UTC),
			Status:      "cancelled",
		},
		{
			UID:         "event-4;odd,uid\\@ideas.example.org",
			Summary:     `Commas, semicolons; backslash\ and "quotes": colons`,
			Description: "Line one\nLine two, with; specials\\\n\nafter an empty line\\n (literal backslash-n)",
			Location:    "Room 1; Floor 2, Building \\A\\",
			Start:       time.Date(2019, 12, 31, 23, 0, 0, 0, time.UTC),
			End:         time.Date(2020, 1, 1, 1, 0, 0, 0, time.UTC),
			Updated:     time.Date(2019, 12, 1, 0, 0, 0, 0, time.UTC),
		},
	}
	cal := Calendar{ProdID: "-//Ideas Exchange//Events//EN", Name: "Ideas Exchange — événements", Events: events}

	var buf bytes.Buffer
	if err := WriteICS(&buf, cal); err != nil {
		t.Fatalf("WriteICS: %v", err)
	}
	raw := buf.Bytes()
	logical := checkICSLines(t, raw)

	// Make sure the long description really exercised a fold that had to
	// back up before a multi-byte character.
	backedUp := false
	phys := strings.Split(string(raw), "\r\n")
	for i := 0; i+1 < len(phys); i++ {
		if strings.HasPrefix(phys[i+1], " ") && len(phys[i]) < 75 {
			backedUp = true
		}
	}
	if !backedUp {
		t.Errorf("no fold had to avoid splitting a UTF-8 sequence; the test data no longer covers that")
	}

	wantLines := []string{
		"BEGIN:VCALENDAR",
		"VERSION:2.0",
		"PRODID:-//Ideas Exchange//Events//EN",
		"CALSCALE:GREGORIAN",
		"METHOD:PUBLISH",
		"X-WR-CALNAME:Ideas Exchange — événements",
		"DTSTAMP:20190601T120000Z",
		"DTSTART:20190630T230000Z",
		"DTEND:20190701T013000Z",
		"DTSTART;VALUE=DATE:20190627",
		"DTEND;VALUE=DATE:20190629",
		"DTSTART;VALUE=DATE:20190630",
		"DTEND;VALUE=DATE:20190701",
		"STATUS:CANCELLED",
		`SUMMARY:Commas\, semicolons\; backslash\\ and "quotes": colons`,
		`DESCRIPTION:Line one\nLine two\, with\; specials\\\n\nafter an empty line\\n (literal backslash-n)`,
		"URL:https://ideas.example.org/events/1?lang=en&x=1",
		"END:VCALENDAR",
	}
	have := map[string]bool{}
	for _, l := range logical {
		have[l] = true
	}
	for _, w := range wantLines {
		if !have[w] {
			t.Errorf("no line %q in\n%s", w, raw)
		}
	}

	parsed, err := ics.ParseCalendar(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("golang-ical: %v\n%s", err, raw)
	}
	calProps := map[string]string{}
	for _, p := range parsed.CalendarProperties {
		calProps[p.IANAToken] = p.Value
	}
	for k, want := range map[string]string{
		"VERSION": "2.0", "PRODID": cal.ProdID, "CALSCALE": "GREGORIAN",
		"METHOD": "PUBLISH", "X-WR-CALNAME": cal.Name,
	} {
		if calProps[k] != want {
			t.Errorf("calendar %s: got %q, want %q", k, calProps[k], want)
		}
	}

	got := parsed.Events()
	if len(got) != len(events) {
		t.Fatalf("events: got %d, want %d", len(got), len(events))
	}
	for i, want := range events {
		ev := got[i]
		t.Run(want.UID, func(t *testing.T) {
			wantStatus := strings.ToUpper(want.Status)
			for _, c := range []struct{ name, got, want string }{
				{"UID", ev.Id(), want.UID},
				{"SUMMARY", icsProp(ev, ics.ComponentPropertySummary), want.Summary},
				{"DESCRIPTION", icsProp(ev, ics.ComponentPropertyDescription), want.Description},
				{"LOCATION", icsProp(ev, ics.ComponentPropertyLocation), want.Location},
				{"URL", icsProp(ev, ics.ComponentPropertyUrl), want.URL},
				{"STATUS", icsProp(ev, ics.ComponentPropertyStatus), wantStatus},
			} {
				if c.got != c.want {
					t.Errorf("%s: got %q, want %q", c.name, c.got, c.want)
				}
			}
			stamp, err := ev.GetDtStampTime()
			if err != nil || !stamp.Equal(want.Updated) {
				t.Errorf("DTSTAMP: got %v (%v), want %v", stamp, err, want.Updated)
			}
			if want.AllDay {
				// golang-ical reads a DATE in time.Local; only the
				// calendar date is meaningful, so compare that.
				if v := ev.GetProperty(ics.ComponentPropertyDtStart).ICalParameters["VALUE"]; len(v) != 1 || v[0] != "DATE" {
					t.Errorf("DTSTART VALUE: got %q, want [DATE]", v)
				}
				start, err := ev.GetAllDayStartAt()
				if err != nil {
					t.Fatalf("all-day start: %v", err)
				}
				end, err := ev.GetAllDayEndAt()
				if err != nil {
					t.Fatalf("all-day end: %v", err)
				}
				last := want.End
				if last.IsZero() {
					last = want.Start
				}
				if got, want := start.Format(time.DateOnly), want.Start.Format(time.DateOnly); got != want {
					t.Errorf("start date: got %s, want %s", got, want)
				}
				// Exclusive end: the day after the last day.
				wantEnd := time.Date(last.Year(), last.Month(), last.Day()+1, 0, 0, 0, 0, time.UTC)
				if got, want := end.Format(time.DateOnly), wantEnd.Format(time.DateOnly); got != want {
					t.Errorf("end date: got %s, want %s", got, want)
				}
				return
			}
			start, err := ev.GetStartAt()
			if err != nil || !start.Equal(want.Start) || start.Location() != time.UTC {
				t.Errorf("start: got %v (%v), want %v in UTC", start, err, want.Start)
			}
			end, err := ev.GetEndAt()
			if err != nil || !end.Equal(want.End) {
				t.Errorf("end: got %v (%v), want %v", end, err, want.End)
			}
		})
	}
}

func TestWriteICSSanitises(t *testing.T) {
	// A CRLF in user text must not end the line: otherwise a description
	// could close the event and open a forged one.
	ev := Event{
		UID:         "u1@x",
		Summary:     "Title\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:forged",
		Description: "bell\x07, nul\x00, tab\tkept, lone CR\rhere, bad \xff byte",
		URL:         "https://x/e?a=1\r\nATTACH:evil",
		Start:       time.Date(2019, 1, 1, 10, 0, 0, 0, time.UTC),
		Updated:     time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC),
	}
	var buf bytes.Buffer
	if err := WriteICS(&buf, Calendar{ProdID: "-//t//t//EN", Events: []Event{ev}}); err != nil {
		t.Fatal(err)
	}
	checkICSLines(t, buf.Bytes())
	cal, err := ics.ParseCalendar(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	evs := cal.Events()
	if len(evs) != 1 {
		t.Fatalf("events: got %d, want 1\n%s", len(evs), buf.Bytes())
	}
	for _, c := range []struct{ name, got, want string }{
		{"SUMMARY", icsProp(evs[0], ics.ComponentPropertySummary), "Title\nEND:VEVENT\nBEGIN:VEVENT\nUID:forged"},
		{"DESCRIPTION", icsProp(evs[0], ics.ComponentPropertyDescription), "bell, nul, tab\tkept, lone CR\nhere, bad \uFFFD byte"},
		{"URL", icsProp(evs[0], ics.ComponentPropertyUrl), "https://x/e?a=1ATTACH:evil"},
	} {
		if c.got != c.want {
			t.Errorf("%s: got %q, want %q", c.name, c.got, c.want)
		}
	}
	if p := evs[0].GetProperty(ics.ComponentPropertyDtEnd); p != nil {
		t.Errorf("DTEND: got %q, want none for an event without End", p.Value)
	}
}

func TestWriteICSErrors(t *testing.T) {
	base := func() Event {
		return Event{
			UID:     "u@x",
			Start:   time.Date(2019, 6, 27, 9, 0, 0, 0, time.UTC),
			End:     time.Date(2019, 6, 27, 10, 0, 0, 0, time.UTC),
			Updated: time.Date(2019, 6, 1, 0, 0, 0, 0, time.UTC),
		}
	}
	tests := []struct {
		name string
		mod  func(*Calendar)
	}{
		{"no prodid", func(c *Calendar) { c.ProdID = "" }},
		{"no uid", func(c *Calendar) { c.Events[0].UID = "" }},
		{"no start", func(c *Calendar) { c.Events[0].Start = time.Time{} }},
		{"no updated", func(c *Calendar) { c.Events[0].Updated = time.Time{} }},
		{"end before start", func(c *Calendar) { c.Events[0].End = c.Events[0].Start.Add(-time.Minute) }},
		{"all-day last day before first", func(c *Calendar) {
			c.Events[0].AllDay = true
			c.Events[0].End = c.Events[0].Start.AddDate(0, 0, -1)
		}},
		{"unknown status", func(c *Calendar) { c.Events[0].Status = "POSTPONED" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := Calendar{ProdID: "-//t//t//EN", Events: []Event{base()}}
			tt.mod(&c)
			var buf bytes.Buffer
			if err := WriteICS(&buf, c); err == nil {
				t.Fatalf("got no error, want one")
			}
			if buf.Len() != 0 {
				t.Errorf("got %d bytes written on error, want 0", buf.Len())
			}
		})
	}
}

// wantICSText is what a TEXT value should read as after a round trip,
// computed rune by rune (independently of escapeText) from text whose CRLF
// pairs crlfToLF has already merged: invalid UTF-8 turns into U+FFFD, CR
// into LF, other controls but tab disappear.
func wantICSText(s string) string {
	var b strings.Builder
	for _, r := range strings.ToValidUTF8(s, "\uFFFD") {
		switch {
		case r == '\n' || r == '\t':
			b.WriteRune(r)
		case r == '\r':
			b.WriteRune('\n')
		case r < 0x20 || r == 0x7F:
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func FuzzICSText(f *testing.F) {
	for _, s := range [][2]string{
		{"", ""},
		{"MSME Day", "MSME Day 27–28 June 2019"},
		{`a,b;c\d`, "line\nline\\n"},
		{strings.Repeat("é", 80), strings.Repeat("🎉x", 50)},
		{"x\r\ny", "\x00\x01\x7f\xff"},
		{" leading space", "trailing space "},
		{"\\", "\\\\,;:\""},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, summary, desc string) {
		ev := Event{
			UID:         "fuzz@x",
			Summary:     summary,
			Description: desc,
			Location:    desc,
			Start:       time.Date(2019, 6, 27, 9, 0, 0, 0, time.UTC),
			Updated:     time.Date(2019, 6, 1, 0, 0, 0, 0, time.UTC),
		}
		var buf bytes.Buffer
		if err := WriteICS(&buf, Calendar{ProdID: "-//t//t//EN", Name: summary, Events: []Event{ev}}); err != nil {
			t.Fatalf("WriteICS: %v", err)
		}
		checkICSLines(t, buf.Bytes())
		cal, err := ics.ParseCalendar(bytes.NewReader(buf.Bytes()))
		if err != nil {
			t.Fatalf("golang-ical: %v\n%q", err, buf.Bytes())
		}
		evs := cal.Events()
		if len(evs) != 1 {
			t.Fatalf("events: got %d, want 1\n%q", len(evs), buf.Bytes())
		}
		for _, c := range []struct{ name, in, got string }{
			{"SUMMARY", summary, icsProp(evs[0], ics.ComponentPropertySummary)},
			{"DESCRIPTION", desc, icsProp(evs[0], ics.ComponentPropertyDescription)},
			{"LOCATION", desc, icsProp(evs[0], ics.ComponentPropertyLocation)},
		} {
			want := wantICSText(crlfToLF(c.in))
			if clean(c.in) && want != c.in {
				t.Fatalf("oracle disagrees with itself on clean input %q", c.in)
			}
			if c.got != want {
				t.Errorf("%s: got %q, want %q (input %q)", c.name, c.got, want, c.in)
			}
		}
	})
}

// crlfToLF folds CRLF pairs first, as the writer does, so that "\r\n" is
// one newline and not two.
func crlfToLF(s string) string { return strings.ReplaceAll(s, "\r\n", "\n") }

// clean reports whether s is valid UTF-8 with no control character other
// than newline and tab: such text must come back exactly as it went in.
func clean(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if (r < 0x20 && r != '\n' && r != '\t') || r == 0x7F {
			return false
		}
	}
	return true
}

// wantAtomText is what gofeed should read back from a text construct,
// computed independently of plainText: invalid UTF-8 turns into U+FFFD,
// CRLF and CR into LF, characters XML 1.0 cannot carry disappear, and
// surrounding white space goes.
func wantAtomText(s string) string {
	var b strings.Builder
	for _, r := range strings.ToValidUTF8(crlfToLF(s), "\uFFFD") {
		switch {
		case r == '\r':
			b.WriteRune('\n')
		case r == '\n' || r == '\t':
			b.WriteRune(r)
		case r < 0x20 || r == 0xFFFE || r == 0xFFFF:
		default:
			b.WriteRune(r)
		}
	}
	return strings.TrimSpace(b.String())
}

func FuzzAtomText(f *testing.F) {
	for _, s := range [][2]string{
		{"Réunion & <PME>", "]]> fin"},
		{"&amp; literally", "&#34; &lt;"},
		{"<![CDATA[ x ]]>", "\x00\x01\xff"},
		{" padded ", "\r\n"},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, title, summary string) {
		in := Feed{ID: "tag:x,2019:f", Title: "T", Author: "A", Updated: time.Unix(1, 0), Entries: []Entry{{
			ID: "tag:x,2019:1", Title: title, URL: "https://x/1", Summary: summary, Published: time.Unix(1, 0),
		}}}
		var buf bytes.Buffer
		if err := WriteAtom(&buf, in); err != nil {
			if strings.TrimSpace(title) == "" {
				return // a blank title is rightly refused
			}
			t.Fatalf("WriteAtom: %v", err)
		}
		checkWellFormed(t, buf.Bytes())
		got, err := gofeed.NewParser().Parse(bytes.NewReader(buf.Bytes()))
		if err != nil {
			t.Fatalf("gofeed: %v\n%s", err, buf.Bytes())
		}
		if len(got.Items) != 1 {
			t.Fatalf("entries: got %d, want 1", len(got.Items))
		}
		for _, c := range []struct{ name, got, want string }{
			{"title", got.Items[0].Title, wantAtomText(title)},
			{"summary", got.Items[0].Description, wantAtomText(summary)},
		} {
			if c.got != c.want {
				t.Errorf("%s: got %q, want %q\n%s", c.name, c.got, c.want, buf.Bytes())
			}
		}
	})
}

// TestWriteICSPlaceAndOnlineLink: the online link is a CONFERENCE, and is
// also put where clients without CONFERENCE look: the LOCATION when there
// is no place, else the end of the DESCRIPTION.
func TestWriteICSPlaceAndOnlineLink(t *testing.T) {
	link := "https://meet.example.org/msme?pwd=1"
	for _, tt := range []struct {
		name, place, description string
		wantLocation, wantDesc   string
	}{
		{"place and link", "Room D, CWR", "Opening remarks", "Room D, CWR", "Opening remarks\n\n" + link},
		{"place and link, no description", "Room D", "", "Room D", link},
		{"link only", "", "Opening remarks", link, "Opening remarks"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			err := WriteICS(&buf, Calendar{ProdID: "-//x//y//EN", Events: []Event{{UID: "event-1@x", Summary: "Meeting", Description: tt.description,
				Location: tt.place, OnlineURL: link, URL: "https://x/events/1", Start: time.Unix(0, 0), Updated: time.Unix(0, 0)}}})
			if err != nil {
				t.Fatal(err)
			}
			cal, err := ics.ParseCalendar(&buf)
			if err != nil {
				t.Fatal(err)
			}
			ev := cal.Events()[0]
			get := func(p ics.ComponentProperty) string {
				if v := ev.GetProperty(p); v != nil {
					return v.Value
				}
				return ""
			}
			unescape := strings.NewReplacer(`\n`, "\n", `\,`, ",", `\;`, ";", `\\`, `\`)
			if got := unescape.Replace(get(ics.ComponentPropertyLocation)); got != tt.wantLocation {
				t.Errorf("LOCATION %q, want %q", got, tt.wantLocation)
			}
			if got := unescape.Replace(get(ics.ComponentPropertyDescription)); got != tt.wantDesc {
				t.Errorf("DESCRIPTION %q, want %q", got, tt.wantDesc)
			}
			if got := get("CONFERENCE"); got != link {
				t.Errorf("CONFERENCE %q, want %q", got, link)
			}
			if got := get(ics.ComponentPropertyUrl); got != "https://x/events/1" {
				t.Errorf("URL %q", got)
			}
		})
	}
}
