package server

import (
	"net/http"
	"net/url"
	"strconv"

	"ideasx/server/i18n"
	"ideasx/store"
)

const documentsPerPage = 20

var documentSorts = []string{"newest", "oldest", "title", "symbol"}

// documentList is the public library with its filters. Filters are links
// and a GET form, so the list works and can be bookmarked without JavaScript.
func (s *Server) documentList(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	access := store.AccessFor(currentUser(r))
	f := store.DocFilter{Access: access, Limit: documentsPerPage, Tag: q.Get("tag"), Sort: "newest"}
	for _, so := range documentSorts {
		if q.Get("sort") == so {
			f.Sort = so
		}
	}
	if lang := i18n.ParseLang(q.Get("lang")); lang != "" {
		f.Lang = lang
	}
	f.Year, _ = strconv.Atoi(q.Get("year"))
	cats, err := s.store.Categories(r.Context())
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	f.CategoryID = categoryID(cats, q.Get("category"))
	page := pageParam(q)
	f.Offset = (page - 1) * documentsPerPage
	docs, total, err := s.store.ListDocuments(r.Context(), f)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	years, err := s.store.DocumentYears(r.Context(), access)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	tags, err := s.store.Tags(r.Context(), access, 30)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	v := s.newView(w, r, "documents_title")
	v.Description = v.T("documents_description")
	v.Form = url.Values{"category": {q.Get("category")}, "year": {q.Get("year")}, "lang": {f.Lang}, "tag": {f.Tag}, "sort": {f.Sort}}
	data := map[string]any{"Documents": docs, "Total": total, "Categories": cats, "Years": years, "Tags": tags, "Sorts": documentSorts, "Page": page}
	keep := url.Values{}
	for k, vals := range v.Form {
		if vals[0] != "" && !(k == "sort" && vals[0] == "newest") {
			keep.Set(k, vals[0])
		}
	}
	if page > 1 {
		data["PrevURL"] = pageLink("/documents", keep, page-1)
	}
	if page*documentsPerPage < total {
		data["NextURL"] = pageLink("/documents", keep, page+1)
	}
	v.Data = data
	s.render(w, r, http.StatusOK, "documents", v)
}

func pageLink(path string, q url.Values, page int) string {
	c := url.Values{}
	for k, v := range q {
		c[k] = v
	}
	if page > 1 {
		c.Set("page", strconv.Itoa(page))
	}
	if len(c) == 0 {
		return path
	}
	return path + "?" + c.Encode()
}

// documentDrafts lists documents by status for moderators: drafts by default.
func (s *Server) documentDrafts(w http.ResponseWriter, r *http.Request) {
	status := store.Draft
	for _, st := range []store.DocStatus{store.Draft, store.Published, store.Archived} {
		if r.URL.Query().Get("status") == string(st) {
			status = st
		}
	}
	docs, total, err := s.store.ListDocuments(r.Context(), store.DocFilter{Access: store.AccessFor(currentUser(r)), Status: status, Limit: 100})
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	v := s.newView(w, r, "curation_title")
	v.Form = url.Values{"status": {string(status)}}
	v.Data = map[string]any{"Documents": docs, "Total": total, "Statuses": []store.DocStatus{store.Draft, store.Published, store.Archived}}
	s.render(w, r, http.StatusOK, "curation", v)
}
