package server

import (
	"net/http"
	"strings"

	"ideasx/server/i18n"
)

// robotsPrivate are the paths a crawler has no business in: what only
// members, moderators or one account may read (which would only answer
// with the sign-in page), one-time links, the search (endless combinations
// of the same documents) and the API (the pages carry the same text).
var robotsPrivate = []string{
	"/forum", "/account", "/notifications", "/moderation", "/admin",
	"/invite", "/reset", "/unsubscribe", "/setup", "/search", "/api/", "/ws",
}

// robots answers /robots.txt: every crawler is welcome on the public pages
// and told where the sitemap is. The language copies (/fr/forum…) are
// listed too: the prefix is stripped before routing, so they lead to the
// same members-only pages.
func (s *Server) robots(w http.ResponseWriter, r *http.Request) {
	var b strings.Builder
	b.WriteString("User-agent: *\n")
	for _, p := range robotsPrivate {
		b.WriteString("Disallow: " + p + "\n")
	}
	for _, l := range i18n.Languages {
		for _, p := range robotsPrivate {
			b.WriteString("Disallow: /" + l + p + "\n")
		}
	}
	b.WriteString("\nSitemap: " + s.cfg.BaseURL + "/sitemap.xml\n")
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=3600")
	_, _ = w.Write([]byte(b.String()))
}
