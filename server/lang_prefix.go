package server

import (
	"net/http"
	"strings"

	"ideasx/server/i18n"
)

// urlLanguage serves every page and feed also under /en/, /fr/ and /es/,
// in that language whoever asks: a search engine, a feed reader or a shared
// link gets one language per address, which the pages announce to crawlers
// with hreflang alternates and the feeds with their own URLs. The address
// without a prefix stays the one the site links to; it speaks the reader's
// language (account, switcher cookie, then Accept-Language) and is the
// x-default alternate. Only reads carry a prefix: forms post to the plain
// addresses.
func (s *Server) urlLanguage(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet || r.Method == http.MethodHead {
			if lang, rest, ok := splitLanguagePrefix(r.URL.Path); ok {
				st := state(r)
				st.lang, st.urlLang = lang, lang
				r2 := new(http.Request)
				*r2 = *r
				u := *r.URL
				u.Path, u.RawPath = rest, ""
				r2.URL = &u
				next.ServeHTTP(w, r2)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// splitLanguagePrefix reads "/fr/documents" as "fr" and "/documents"; "/fr"
// alone is the French home page.
func splitLanguagePrefix(path string) (lang, rest string, ok bool) {
	for _, l := range i18n.Languages {
		p := "/" + l
		if path == p {
			return l, "/", true
		}
		if strings.HasPrefix(path, p+"/") {
			return l, path[len(p):], true
		}
	}
	return "", "", false
}

// urlLang is the language the address asked for, "" without a prefix.
func urlLang(r *http.Request) string { return state(r).urlLang }

// withURLLang keeps the address's language prefix on a local path, so that
// a redirect from /fr/documents/12 lands on the French page too.
func withURLLang(r *http.Request, to string) string {
	lang := urlLang(r)
	if lang == "" || !strings.HasPrefix(to, "/") || strings.HasPrefix(to, "//") {
		return to
	}
	return "/" + lang + to
}

// CanonicalURL is the page's own address as the layout announces it
// (rel=canonical, og:url): the language copy it was asked as, query kept,
// since a second page of a list is not a copy of the first.
func (v *view) CanonicalURL() string {
	if v.URLLang == "" {
		return v.BaseURL + v.Here
	}
	return v.LangURL(v.URLLang)
}

// LangURL is this page's address in language lang (its hreflang alternate).
func (v *view) LangURL(lang string) string { return v.BaseURL + "/" + lang + v.Here }

// DefaultURL is the address that speaks the reader's language (x-default).
func (v *view) DefaultURL() string { return v.BaseURL + v.Here }

// ogLocales are the Open Graph locales (language_TERRITORY) of the
// interface languages.
var ogLocales = map[string]string{"en": "en_GB", "fr": "fr_FR", "es": "es_ES"}

// OGLocale is the page's og:locale.
func (v *view) OGLocale() string { return ogLocales[v.Lang()] }

// OGLocaleAlternates are the other languages the page exists in.
func (v *view) OGLocaleAlternates() []string {
	var out []string
	for _, l := range i18n.Languages {
		if l != v.Lang() {
			out = append(out, ogLocales[l])
		}
	}
	return out
}
