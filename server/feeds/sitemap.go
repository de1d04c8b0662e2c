package feeds

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"
)

// MaxSitemapURLs is the most URLs one sitemap file may list (sitemaps.org
// 0.9). Callers with more split them over several sitemaps and a sitemap
// index.
const MaxSitemapURLs = 50000

// MaxSitemapBytes is the most a sitemap file may weigh uncompressed
// (sitemaps.org 0.9: 50 MiB). Long URLs with many alternates can reach it
// before MaxSitemapURLs does.
const MaxSitemapBytes = 50 << 20

// URL is one page listed in a sitemap.
type URL struct {
	// Loc is the absolute URL of the page (http or https).
	Loc string
	// LastMod is when the page last changed; omitted when zero.
	LastMod time.Time
	// Alternates maps an hreflang value ("en", "fr", "es", "x-default")
	// to the absolute URL of that language version. Search engines expect
	// every version to list all of them, itself included. Optional.
	Alternates map[string]string
}

// ErrTooManyURLs is returned by WriteSitemap when given more than
// MaxSitemapURLs URLs, so that the caller can split them.
var ErrTooManyURLs = errors.New("feeds: more than 50000 URLs in one sitemap")

// ErrSitemapTooLarge is returned by WriteSitemap when the document would
// exceed MaxSitemapBytes.
var ErrSitemapTooLarge = errors.New("feeds: sitemap larger than 50 MiB")

const xhtmlNS = "http://www.w3.org/1999/xhtml"

// The xhtml prefix is written literally ("xhtml:link" and an xmlns:xhtml
// attribute) rather than through encoding/xml's namespace support, which
// would redeclare a default namespace on each link: equivalent XML, but not
// the form search engines document and test against.
type smURLSet struct {
	XMLName xml.Name `xml:"http://www.sitemaps.org/schemas/sitemap/0.9 urlset"`
	XHTML   string   `xml:"xmlns:xhtml,attr,omitempty"`
	URLs    []smURL  `xml:"url"`
}

type smURL struct {
	Loc        string   `xml:"loc"`
	LastMod    string   `xml:"lastmod,omitempty"`
	Alternates []smLink `xml:"xhtml:link"`
}

type smLink struct {
	Rel      string `xml:"rel,attr"`
	Hreflang string `xml:"hreflang,attr"`
	Href     string `xml:"href,attr"`
}

// absoluteHTTP reports whether s looks like an absolute http(s) URL, which
// is all the sitemap protocol accepts; a relative path here is a bug in the
// caller that search engines would silently ignore.
func absoluteHTTP(s string) bool {
	l := strings.ToLower(s)
	return (strings.HasPrefix(l, "https://") && len(s) > len("https://")) ||
		(strings.HasPrefix(l, "http://") && len(s) > len("http://"))
}

// sitemapTime writes a date alone when the time of day carries no
// information (midnight UTC, as dates from a DATE column are), and a full
// W3C datetime otherwise.
func sitemapTime(t time.Time) string {
	t = t.UTC()
	if t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0 && t.Nanosecond() == 0 {
		return t.Format(time.DateOnly)
	}
	return t.Format(time.RFC3339)
}

// WriteSitemap writes urls to w as a sitemaps.org 0.9 urlset, with the
// xhtml namespace when any URL has language alternates.
//
// It writes nothing and returns ErrTooManyURLs above MaxSitemapURLs,
// ErrSitemapTooLarge above MaxSitemapBytes, or an error naming the first
// URL that is not absolute.
func WriteSitemap(w io.Writer, urls []URL) error {
	if len(urls) > MaxSitemapURLs {
		return fmt.Errorf("%w: got %d", ErrTooManyURLs, len(urls))
	}
	set := smURLSet{URLs: make([]smURL, 0, len(urls))}
	for i, u := range urls {
		if !absoluteHTTP(u.Loc) {
			return fmt.Errorf("feeds: sitemap URL %d: %q is not an absolute http(s) URL", i, u.Loc)
		}
		su := smURL{Loc: xmlChars(u.Loc)}
		if !u.LastMod.IsZero() {
			su.LastMod = sitemapTime(u.LastMod)
		}
		if len(u.Alternates) > 0 {
			set.XHTML = xhtmlNS
			// Map order is random; sorting keeps the output byte-stable,
			// which matters for ETags and for diffing.
			langs := make([]string, 0, len(u.Alternates))
			for lang := range u.Alternates {
				langs = append(langs, lang)
			}
			sort.Strings(langs)
			for _, lang := range langs {
				href := u.Alternates[lang]
				if !absoluteHTTP(href) {
					return fmt.Errorf("feeds: sitemap URL %q: alternate %q: %q is not an absolute http(s) URL", u.Loc, lang, href)
				}
				su.Alternates = append(su.Alternates, smLink{Rel: "alternate", Hreflang: xmlChars(lang), Href: xmlChars(href)})
			}
		}
		set.URLs = append(set.URLs, su)
	}

	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	enc := xml.NewEncoder(&buf)
	enc.Indent("", "  ")
	if err := enc.Encode(set); err != nil {
		return fmt.Errorf("feeds: encoding sitemap: %w", err)
	}
	buf.WriteByte('\n')
	if buf.Len() > MaxSitemapBytes {
		return fmt.Errorf("%w: %d bytes", ErrSitemapTooLarge, buf.Len())
	}
	_, err := w.Write(buf.Bytes())
	return err
}
