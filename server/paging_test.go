package server

import (
	"net/url"
	"testing"
)

// TestPageLinksKeepTheFiltersSet: a list's next page keeps its filters,
// not the empty ones, and escapes them.
func TestPageLinksKeepTheFiltersSet(t *testing.T) {
	link := pageLinks("/admin/users", url.Values{"q": {"Ada & co"}, "role": {""}, "status": {"active"}})
	if got, want := link(2), "/admin/users?page=2&q=Ada+%26+co&status=active"; got != want {
		t.Errorf("page 2: %q, want %q", got, want)
	}
	if got, want := link(1), "/admin/users?page=1&q=Ada+%26+co&status=active"; got != want {
		t.Errorf("page 1 after page 2: %q, want %q", got, want)
	}
}
