package server

import (
	"net/url"
	"strings"
	"unicode"
)

// maxReturnPath bounds a return address: a longer one is not a page of ours.
const maxReturnPath = 2048

// returnPath is the one check for every address taken from a request to
// send the browser back to (a "next" field, the language switcher, a
// Referer): raw is used when it is a path on this site, fallback otherwise.
func returnPath(raw, fallback string) string {
	if isLocalPath(raw) {
		return raw
	}
	return fallback
}

// isLocalPath accepts only what every browser resolves to this origin.
// Browsers are more lenient than net/url: they drop tabs and newlines
// anywhere in a URL and read a backslash as a slash, so "/\t/evil" and
// "/\\evil" both become "//evil", another host. So nothing of the kind
// passes, raw or percent-encoded, and the path must read back exactly as
// net/url writes it, which leaves no room for a second interpretation.
func isLocalPath(raw string) bool {
	if raw == "" || len(raw) > maxReturnPath || raw[0] != '/' || strings.HasPrefix(raw, "//") {
		return false
	}
	decoded, err := url.PathUnescape(raw)
	if err != nil || strings.ContainsFunc(raw, unsafeInURL) || strings.ContainsFunc(decoded, unsafeInURL) {
		return false
	}
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "" || u.Opaque != "" || u.User != nil || u.Host != "" {
		return false
	}
	// "/%2f/evil" is harmless to a browser but a proxy or server that
	// decodes before redirecting turns it into "//evil".
	if !strings.HasPrefix(u.Path, "/") || strings.HasPrefix(u.Path, "//") {
		return false
	}
	return u.String() == raw
}

// unsafeInURL are the characters browsers strip or reinterpret: control
// characters (C0, DEL and C1) and the backslash.
func unsafeInURL(c rune) bool { return c == '\\' || unicode.IsControl(c) }
