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
// The items of a list are joined with "; " (unless an item ends with its
// own punctuation), so that a list flattened into one line still reads as
// a list.
func plainText(s string) string {
	var b strings.Builder
	z := html.NewTokenizer(strings.NewReader(s))
	afterItem := false // a list item ended, and only blanks followed yet
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			return strings.Join(strings.Fields(b.String()), " ")
		case html.TextToken:
			text := z.Text() // entities already decoded
			if len(strings.TrimSpace(string(text))) > 0 {
				afterItem = false
			}
			b.Write(text)
		case html.StartTagToken, html.EndTagToken, html.SelfClosingTagToken:
			name, _ := z.TagName()
			if string(name) == "li" && tt == html.StartTagToken && afterItem {
				if last := strings.TrimRightFunc(b.String(), unicode.IsSpace); last != "" && !strings.ContainsRune(".!?:;,", rune(last[len(last)-1])) {
					b.Reset()
					b.WriteString(last + ";")
				}
			}
			if string(name) == "li" && tt == html.EndTagToken {
				afterItem = true
			} else if string(name) != "li" {
				afterItem = false
			}
			if blockTags[string(name)] {
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
