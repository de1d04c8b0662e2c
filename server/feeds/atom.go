// Package feeds writes the Atom feed, the sitemap and the iCalendar feed.
//
// The writers take plain values and know nothing of the store or of HTTP:
// the handlers fetch documents and events, build absolute URLs, and call
// WriteAtom, WriteSitemap or WriteICS with the response writer. Every writer
// validates its whole input and renders into memory first, so that an error
// is returned before a single byte reaches w and a client never receives
// half a document with a 200 status.
package feeds

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

// Feed is an Atom 1.0 feed (RFC 4287), such as the feed of published
// documents.
type Feed struct {
	// ID is the permanent, absolute IRI of the feed (a tag: URI or the
	// feed's own URL). Feed readers key their state on it, so it must not
	// change when the site moves.
	ID string
	// Title is the human-readable title of the feed (plain text).
	Title string
	// Subtitle is an optional plain-text description.
	Subtitle string
	// SelfURL is the absolute URL the feed is served from
	// (link rel="self"); RFC 4287 recommends it.
	SelfURL string
	// AltURL is the HTML page the feed mirrors (link rel="alternate").
	AltURL string
	// Lang is the language of the feed's text, e.g. "en", written as
	// xml:lang on the root element.
	Lang string
	// Author is the feed-level author name. RFC 4287 requires an author
	// either on the feed or on every entry; when it is empty and an entry
	// has no author, the feed Title is used instead, which for a group's
	// site is the publisher anyway.
	Author string
	// Updated is the last time the feed changed. When zero, the latest
	// entry date is used.
	Updated time.Time
	// Entries are written in the given order (newest first by convention).
	Entries []Entry
}

// Entry is one entry of a Feed.
type Entry struct {
	// ID is the permanent, absolute IRI of the entry, given by the caller
	// (a tag: URI or an absolute URL). It must stay the same across edits,
	// or readers will show the entry again as new.
	ID string
	// Title is plain text.
	Title string
	// URL is the absolute URL of the entry's HTML page. It is required:
	// an Atom entry without content must have an alternate link.
	URL string
	// Summary is plain text (type="text"), not HTML.
	Summary string
	// Published is the first publication time; optional.
	Published time.Time
	// Updated is the last significant change. When zero, Published is used.
	Updated time.Time
	// Categories are written as category terms.
	Categories []string
	// Author is the entry's author name; optional when the feed has one.
	Author string
	// Lang is the language of the entry's own text (title, summary),
	// written as the entry's xml:lang. It is always written: an entry of a
	// French feed whose title is English must not inherit the feed's "fr".
	// "" is written "und", BCP 47's "undetermined" (XML's own xml:lang=""
	// does not match RFC 4287's atomLanguageTag).
	Lang string
}

// The atom* types mirror the XML shape; encoding/xml does all escaping, so
// that "&", "<" and "]]>" in titles can never break the document (text is
// escaped, never wrapped in CDATA).
type atomFeed struct {
	XMLName  xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	Lang     string      `xml:"http://www.w3.org/XML/1998/namespace lang,attr,omitempty"`
	ID       string      `xml:"id"`
	Title    atomText    `xml:"title"`
	Subtitle *atomText   `xml:"subtitle,omitempty"`
	Links    []atomLink  `xml:"link"`
	Updated  string      `xml:"updated"`
	Author   *atomPerson `xml:"author,omitempty"`
	Entries  []atomEntry `xml:"entry"`
}

type atomEntry struct {
	Lang       string         `xml:"http://www.w3.org/XML/1998/namespace lang,attr"`
	ID         string         `xml:"id"`
	Title      atomText       `xml:"title"`
	Links      []atomLink     `xml:"link"`
	Published  string         `xml:"published,omitempty"`
	Updated    string         `xml:"updated"`
	Author     *atomPerson    `xml:"author,omitempty"`
	Categories []atomCategory `xml:"category"`
	Summary    *atomText      `xml:"summary,omitempty"`
}

type atomText struct {
	Type string `xml:"type,attr"`
	Text string `xml:",chardata"`
}

type atomLink struct {
	Rel  string `xml:"rel,attr"`
	Type string `xml:"type,attr,omitempty"`
	Href string `xml:"href,attr"`
}

type atomPerson struct {
	Name string `xml:"name"`
}

type atomCategory struct {
	Term string `xml:"term,attr"`
}

// atomTime formats t as RFC 3339 in UTC. Seconds precision is enough for
// feeds and keeps the output stable whatever the database's precision is.
func atomTime(t time.Time) string {
	return t.UTC().Format(time.RFC3339)
}

// plainText makes s fit for a text construct. XML 1.0 cannot carry most
// control characters even as references, and encoding/xml would turn them
// into U+FFFD; dropping them reads better. Line breaks are normalised the
// way an XML parser would anyway.
//
// Surrounding white space is trimmed too: it means nothing in a title or
// summary, and readers disagree about it. gofeed, for one, trims the raw
// element text before decoding references, so it drops a leading space
// but keeps a leading newline (which encoding/xml writes as &#xA;).
func plainText(s string) string {
	return strings.TrimSpace(xmlChars(s))
}

// xmlChars keeps only what XML 1.0 can carry, with CR and CRLF turned into
// LF. URLs go through it untrimmed.
func xmlChars(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\r':
			return '\n'
		case r == '\n' || r == '\t':
			return r
		case r < 0x20 || r == 0xFFFE || r == 0xFFFF || (r >= 0xD800 && r <= 0xDFFF):
			return -1
		}
		return r
	}, s)
}

// WriteAtom writes f to w as an Atom 1.0 document (RFC 4287).
//
// It returns an error, and writes nothing, when a required element would be
// missing: the feed ID and Title, and for every entry its ID, Title, URL and
// a date (Updated or Published). A zero Feed.Updated is taken from the most
// recent entry; an empty feed must therefore set it.
func WriteAtom(w io.Writer, f Feed) error {
	if strings.TrimSpace(f.ID) == "" {
		return errors.New("feeds: atom feed has no ID")
	}
	// Checked after cleaning, so that a title made only of control
	// characters counts as missing.
	title := plainText(f.Title)
	if title == "" {
		return errors.New("feeds: atom feed has no title")
	}

	out := atomFeed{
		Lang:  f.Lang,
		ID:    xmlChars(f.ID),
		Title: atomText{Type: "text", Text: title},
	}
	if sub := plainText(f.Subtitle); sub != "" {
		out.Subtitle = &atomText{Type: "text", Text: sub}
	}
	if f.SelfURL != "" {
		out.Links = append(out.Links, atomLink{Rel: "self", Type: "application/atom+xml", Href: xmlChars(f.SelfURL)})
	}
	if f.AltURL != "" {
		out.Links = append(out.Links, atomLink{Rel: "alternate", Type: "text/html", Href: xmlChars(f.AltURL)})
	}

	updated := f.Updated
	needFeedAuthor := plainText(f.Author) != ""
	for i, e := range f.Entries {
		if strings.TrimSpace(e.ID) == "" {
			return fmt.Errorf("feeds: atom entry %d has no ID", i)
		}
		title := plainText(e.Title)
		if title == "" {
			return fmt.Errorf("feeds: atom entry %q has no title", e.ID)
		}
		if strings.TrimSpace(e.URL) == "" {
			return fmt.Errorf("feeds: atom entry %q has no URL", e.ID)
		}
		eu := e.Updated
		if eu.IsZero() {
			eu = e.Published
		}
		if eu.IsZero() {
			return fmt.Errorf("feeds: atom entry %q has neither Updated nor Published", e.ID)
		}
		if f.Updated.IsZero() && eu.After(updated) {
			updated = eu
		}
		lang := strings.TrimSpace(xmlChars(e.Lang))
		if lang == "" {
			lang = "und"
		}
		ae := atomEntry{
			Lang:    lang,
			ID:      xmlChars(e.ID),
			Title:   atomText{Type: "text", Text: title},
			Links:   []atomLink{{Rel: "alternate", Type: "text/html", Href: xmlChars(e.URL)}},
			Updated: atomTime(eu),
		}
		if !e.Published.IsZero() {
			ae.Published = atomTime(e.Published)
		}
		if author := plainText(e.Author); author != "" {
			ae.Author = &atomPerson{Name: author}
		} else {
			needFeedAuthor = true
		}
		for _, c := range e.Categories {
			if c = plainText(c); c != "" {
				ae.Categories = append(ae.Categories, atomCategory{Term: c})
			}
		}
		if summary := plainText(e.Summary); summary != "" {
			ae.Summary = &atomText{Type: "text", Text: summary}
		}
		out.Entries = append(out.Entries, ae)
	}
	if updated.IsZero() {
		return errors.New("feeds: atom feed has no Updated time and no dated entry")
	}
	out.Updated = atomTime(updated)
	// An empty feed meets RFC 4287's author rule vacuously, yet validators
	// still warn about it; a feed-level author costs nothing.
	if needFeedAuthor || len(f.Entries) == 0 {
		name := plainText(f.Author)
		if name == "" {
			name = title
		}
		out.Author = &atomPerson{Name: name}
	}

	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	enc := xml.NewEncoder(&buf)
	enc.Indent("", "  ")
	if err := enc.Encode(out); err != nil {
		return fmt.Errorf("feeds: encoding atom: %w", err)
	}
	buf.WriteByte('\n')
	_, err := w.Write(buf.Bytes())
	return err
}
