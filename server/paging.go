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
