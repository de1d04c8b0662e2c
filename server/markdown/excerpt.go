package markdown

import (
	"bytes"
	"strings"
	"unicode"

	"golang.org/x/net/html"
)

// blockTags end a run of words: "<p>a</p><p>b</p>" reads "a b", not "ab".
var blockTags = map[string]bool{
	"address": true, "article": true, "aside": true, "blockquote": true, "br": true,
	"dd": true, "details": true, "div": true, "dl": true, "dt": true, "figcaption": true,
	"figure": true, "h1": true, "h2": true, "h3": true, "h4": true, "h5": true, "h6": true,
	"hr": true, "li": true, "ol": true, "p": true, "pre": true, "section": true,
	"summary": true, "table": true, "td": true, "th": true, "tr": true, "ul": true,
}

// Excerpt gives the text of a post for places that cannot show HTML (meta
// descriptions, list previews): the words a reader would see, without
// Markdown syntax, cut to at most max runes. When the text is cut, it ends
// at a word boundary followed by "…", which counts towards max, so that the
// result always fits where max was chosen to fit. The result is text, not
// HTML ("&lt;" has become "<"), to be escaped like any other text.
func Excerpt(src string, max int) string {
	if max <= 0 {
		return ""
	}
	return cut(plainText(string(Render(src))), max)
}

// plainText reads the sanitised HTML rather than the Markdown so that what
// the excerpt shows is what the page shows.
// The items of a list are joined with "; " (unless an item ends with its
// own punctuation), so that a list flattened into one line still reads as
// a list.
func plainText(s string) string {
	var b []byte
	z := html.NewTokenizer(strings.NewReader(s))
	// itemEnd is where the text of the last list item ended while only
	// blanks have followed it, else -1: the next item's separator goes there.
	itemEnd := -1
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			return strings.Join(strings.Fields(string(b)), " ")
		case html.TextToken:
			text := z.Text() // entities already decoded
			if len(bytes.TrimSpace(text)) > 0 {
				itemEnd = -1
			}
			b = append(b, text...)
		case html.StartTagToken, html.EndTagToken, html.SelfClosingTagToken:
			name, _ := z.TagName()
			switch {
			case string(name) == "li" && tt == html.EndTagToken:
				itemEnd = len(bytes.TrimRightFunc(b, unicode.IsSpace))
			case string(name) == "li" && tt == html.StartTagToken && itemEnd > 0:
				if !strings.ContainsRune(".!?:;,", rune(b[itemEnd-1])) {
					b = append(b[:itemEnd], ';')
				}
				itemEnd = -1
			default:
				itemEnd = -1
			}
			if blockTags[string(name)] {
				b = append(b, ' ')
			}
		}
	}
}

func cut(s string, max int) string {
	r := []rune(s)
	if len(r) <= max {
		return s
	}
	keep := max - 1 // room for the ellipsis
	end := keep
	if !unicode.IsSpace(r[keep]) {
		for end > 0 && !unicode.IsSpace(r[end-1]) {
			end--
		}
		if end == 0 {
			// One word longer than max: better a cut word than nothing.
			end = keep
		}
	}
	out := strings.TrimRightFunc(string(r[:end]), func(c rune) bool {
		return unicode.IsSpace(c) || strings.ContainsRune(",;:", c)
	})
	return out + "…"
}
