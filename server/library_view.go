package server

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"ideasx/store"
)

// slug makes the readable part of a document or event URL.
func slug(title string) string {
	s := strings.ReplaceAll(store.FoldSearch(title), " ", "-")
	if r := []rune(s); len(r) > 80 {
		s = strings.TrimRight(string(r[:80]), "-")
	}
	return s
}

func documentURL(d *store.Document) string {
	return fmt.Sprintf("/documents/%d-%s", d.ID, slug(d.Title))
}

func eventURL(e *store.Event) string { return fmt.Sprintf("/events/%d-%s", e.ID, slug(e.Title)) }

func fileURL(f store.DocFile) string {
	return fmt.Sprintf("/documents/%d/files/%d/%s", f.DocumentID, f.ID, url.PathEscape(f.Filename))
}

// refID reads the number at the start of a "{id}-{slug}" path segment.
func refID(r *http.Request) (int64, bool) {
	ref := r.PathValue("ref")
	digits := ref
	if i := strings.IndexByte(ref, '-'); i >= 0 {
		digits = ref[:i]
	}
	id, err := strconv.ParseInt(digits, 10, 64)
	return id, err == nil && id > 0
}

func itoa64(n int64) string { return strconv.FormatInt(n, 10) }

// categoryID finds a category by its slug among cats (0 when none matches).
func categoryID(cats []store.Category, slug string) int64 {
	for _, c := range cats {
		if c.Slug == slug {
			return c.ID
		}
	}
	return 0
}
