package server

import (
	"net/http"
	"net/mail"

	"ideasx/server/markdown"
	"ideasx/store"
)

// maxSitePageChars bounds one language of a site page: a long privacy
// notice is a few thousand characters, and the form limit is 64 KiB.
const maxSitePageChars = 20000

// sitePageRoutes mounts the privacy notice and contact page, which anyone
// may read, and the admin page where they are written.
func (s *Server) sitePageRoutes(mux *routeTable) {
	mux.HandleFunc("GET /privacy", s.sitePageShow("privacy"))
	mux.HandleFunc("GET /contact", s.sitePageShow("contact"))
	mux.Handle("GET /admin/pages", s.admin(s.sitePagesEdit))
	mux.Handle("POST /admin/pages/{slug}/{lang}", s.admin(s.sitePageSave))
}

// secretariatAddress is where the built-in contact page sends people: the
// address the site's mail comes from, without its display name.
func (s *Server) secretariatAddress() string {
	if a, err := mail.ParseAddress(s.cfg.MailFrom); err == nil {
		return a.Address
	}
	return s.cfg.MailFrom
}

// sitePageShow renders what an admin wrote in the reader's language, else
// in English, else the built-in text, so that the page is never empty.
func (s *Server) sitePageShow(slug string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		v := s.newView(w, r, "page_"+slug+"_title")
		body, err := s.store.SitePageText(r.Context(), slug, v.Lang())
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		if body == "" {
			body = v.T("page_"+slug+"_default", "Email", s.secretariatAddress())
		}
		v.Data = map[string]any{"Body": markdown.Render(body)}
		s.render(w, r, http.StatusOK, "site_page", v)
	}
}

func (s *Server) sitePagesEdit(w http.ResponseWriter, r *http.Request) {
	s.renderSitePagesEdit(w, r, s.newView(w, r, "site_pages_title"), http.StatusOK)
}

// sitePageForm is one textarea of the admin page: a page in one language.
type sitePageForm struct {
	Slug, Lang, Body, Error string
}

func (s *Server) renderSitePagesEdit(w http.ResponseWriter, r *http.Request, v *view, status int) {
	type page struct {
		Slug  string
		Forms []sitePageForm
	}
	var pages []page
	for _, slug := range store.SitePageSlugs {
		texts, err := s.store.SitePageTexts(r.Context(), slug)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		p := page{Slug: slug}
		for _, lang := range store.SitePageLangs {
			f := sitePageForm{Slug: slug, Lang: lang, Body: texts[lang]}
			// The form that failed keeps what was typed, with its message.
			if v.Form.Get("slug") == slug && v.Form.Get("lang") == lang {
				f.Body, f.Error = v.Form.Get("body"), v.Errors["body"]
			}
			p.Forms = append(p.Forms, f)
		}
		pages = append(pages, p)
	}
	v.Data = map[string]any{"Pages": pages}
	s.render(w, r, status, "site_pages", v)
}

// sitePageSave stores one page in one language; an empty text goes back to
// the English one, or to the built-in text.
func (s *Server) sitePageSave(w http.ResponseWriter, r *http.Request) {
	slug, lang := r.PathValue("slug"), r.PathValue("lang")
	if !store.IsSitePage(slug) {
		s.notFound(w, r)
		return
	}
	f := s.parseForm(w, r)
	if f == nil {
		return
	}
	body := f.multiline("body", maxSitePageChars)
	if f.ok() {
		err := s.store.SaveSitePage(r.Context(), currentUser(r).ID, slug, lang, body)
		if s.savedNamed(w, r, f, err, "/admin/pages", "flash_site_page_saved") {
			return
		}
	}
	v := s.newView(w, r, "site_pages_title")
	v.Form, v.Errors = f.values, f.errors
	v.Form.Set("slug", slug)
	v.Form.Set("lang", lang)
	s.renderSitePagesEdit(w, r, v, http.StatusUnprocessableEntity)
}
