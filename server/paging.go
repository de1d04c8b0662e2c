package server

import (
	"net/url"
	"strconv"
)

// pageLinks makes the address of each page of a filtered list at path:
// the filters that are set, then the page.
func pageLinks(path string, filters url.Values) func(page int) string {
	next := url.Values{}
	for k, vals := range filters {
		if len(vals) > 0 && vals[0] != "" {
			next.Set(k, vals[0])
		}
	}
	return func(page int) string {
		next.Set("page", strconv.Itoa(page))
		return path + "?" + next.Encode()
	}
}

// maxPage bounds the page number a list accepts. A page far past any list's
// end is simply empty; without the bound (page-1)*perPage overflows into a
// negative offset, which the database refuses (a 500 for a bad link).
const maxPage = 100000

// pageParam reads a list's page from its query: 1 when it is missing or
// not a positive number, at most maxPage.
func pageParam(q url.Values) int {
	n, err := strconv.ParseInt(q.Get("page"), 10, 64)
	if err != nil || n < 1 {
		return 1
	}
	return int(min(n, maxPage))
}

// apiLimitOffset reads an API list's paging from its query: limit 1 to 200
// (def when absent), offset 0 or more. A bad value is noted in f.
func apiLimitOffset(f *form, q url.Values, def int) (limit, offset int) {
	limit = def
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 200 {
			f.fail("limit", "error_choice")
		}
		limit = n
	}
	if v := q.Get("offset"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			f.fail("offset", "error_choice")
		}
		offset = n
	}
	return limit, offset
}
