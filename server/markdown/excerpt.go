package markdown

import (
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
func plainText(s string) string {
	var b strings.Builder
	z := html.NewTokenizer(strings.NewReader(s))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return strings.Join(strings.Fields(b.String()), " ")
		case html.TextToken:
			b.Write(z.Text()) // entities already decoded
		case html.StartTagToken, html.EndTagToken, html.SelfClosingTagToken:
			if name, _ := z.TagName(); blockTags[string(name)] {
				b.WriteByte(' ')
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
