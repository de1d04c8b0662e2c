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

// FuzzPageParam: whatever a link says, a list's page is at least 1 and
// its offset, even at the largest page size in use (100), stays positive.
func FuzzPageParam(f *testing.F) {
	for _, s := range []string{"", "1", "0", "-1", "2", "100000", "100001", "9223372036854775807", "-9223372036854775808",
		"99999999999999999999", "1e9", "0x10", " 3", "3 ", "+4", "٣"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		page := pageParam(url.Values{"page": {raw}})
		if page < 1 || page > maxPage {
			t.Fatalf("page %q read as %d", raw, page)
		}
		if offset := (page - 1) * 100; offset < 0 {
			t.Fatalf("page %q gives offset %d", raw, offset)
		}
	})
}
