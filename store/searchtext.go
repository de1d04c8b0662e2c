package store

import (
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// FoldSearch turns text into the words the search index holds: lower case,
// accents removed, anything but letters and digits turned into spaces. The
// same folding applies to what is indexed and to what is asked, so "genève"
// finds "Geneve" and "INF/MSME/W/1" finds the words of its symbol, on both
// engines alike.
func FoldSearch(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := true
	for _, r := range norm.NFD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(unicode.ToLower(r))
			space = false
		case !space:
			b.WriteByte(' ')
			space = true
		}
	}
	return strings.TrimSpace(b.String())
}

// searchTokens splits a folded query into at most 12 words.
func searchTokens(q string) []string {
	words := strings.Fields(FoldSearch(q))
	if len(words) > 12 {
		words = words[:12]
	}
	return words
}

func timeYear(y int) time.Time { return time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC) }
