package server

import (
	"strings"
	"testing"
)

func TestReturnPathKeepsOnlyLocalPaths(t *testing.T) {
	t.Parallel()
	hostile := []string{
		"",
		"evil.example",
		"//evil.example",
		"///evil.example",
		"/\\evil.example",
		"\\\\evil.example",
		"/\t/evil.example",
		"/\n/evil.example",
		"/\r/evil.example",
		"/\x00/evil.example",
		"/\x7f/evil.example",
		"/%09/evil.example",
		"/%0a/evil.example",
		"/%0D/evil.example",
		"/%00/evil.example",
		"/%7f/evil.example",
		"/%c2%85/evil.example", // U+0085, a C1 control
		"/%5c/evil.example",
		"/%5C%5Cevil.example",
		"/%2f/evil.example",
		"/%2F%2Fevil.example",
		"/%2f%2f/evil.example",
		"https://evil.example",
		"https://evil.example/path",
		"http:evil.example",
		"HTTPS://evil.example",
		"javascript:alert(1)",
		"JavaScript:alert(1)",
		"data:text/html,<script>alert(1)</script>",
		"//user@evil.example",
		"/ /evil.example",
		" /evil.example",
		"/documents?q=%zz",
		"/%zz",
		"/café",
		"/a b",
		"/path#frag ment",
		"/\u2028/evil.example",
		"/" + strings.Repeat("a", maxReturnPath),
	}
	for _, raw := range hostile {
		if got := returnPath(raw, "/fallback"); got != "/fallback" {
			t.Errorf("returnPath(%q): got %q, want the fallback", raw, got)
		}
	}
	local := []string{
		"/",
		"/forum",
		"/documents?category=3&year=2019",
		"/forum/threads/9-trade-finance?after=12",
		"/documents/12-inf-msme-w-1#files",
		"/search?q=caf%C3%A9+geneve",
		"/documents/12-caf%C3%A9",
		"/a/../b",
		"/admin/users?q=a%2Fb",
	}
	for _, raw := range local {
		if got := returnPath(raw, "/fallback"); got != raw {
			t.Errorf("returnPath(%q): got %q, want it kept", raw, got)
		}
	}
}
