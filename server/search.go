package server

import (
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"ideasx/server/markdown"
	"ideasx/store"
)

// searchShow is the one search box's results page.
func (s *Server) searchShow(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	text := strings.TrimSpace(q.Get("q"))
	if len([]rune(text)) > 200 {
		text = string([]rune(text)[:200])
	}
	f := store.SearchFilter{Access: store.AccessFor(currentUser(r)), Limit: 30}
	f.Year, _ = strconv.Atoi(q.Get("year"))
	cats, err := s.store.Categories(r.Context())
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	f.CategoryID = categoryID(cats, q.Get("category"))
	scope := q.Get("in")
	me := currentUser(r)
	if !me.CanReadForum() || (scope != "documents" && scope != "forum") {
		scope = ""
	}
	// Documents have no author organisation: a search by organisation is a forum search.
	if searchOrg(r) != 0 {
		scope = "forum"
	}
	var results []searchResult
	if scope != "forum" {
		hits, err := s.store.SearchDocuments(r.Context(), text, f)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		for i := range hits {
			results = append(results, searchResult{Hit: hits[i], Snippet: snippet(markdown.Excerpt(hits[i].Text, 5000), text, 240)})
		}
	}
	var forum []forumResult
	if me.CanReadForum() && scope != "documents" {
		var err error
		if forum, err = s.searchForum(r, text); err != nil {
			s.serverError(w, r, err)
			return
		}
	}
	var orgs []store.Organisation
	if me.CanReadForum() {
		var err error
		if orgs, err = s.store.ForumOrganisations(r.Context(), me.IsModerator()); err != nil {
			s.serverError(w, r, err)
			return
		}
	}
	v := s.newView(w, r, "search_title")
	v.Form = url.Values{"q": {text}, "category": {q.Get("category")}, "year": {q.Get("year")}, "in": {scope}, "org": {q.Get("org")}}
	v.Data = map[string]any{"Results": results, "Forum": forum, "Query": text, "Categories": cats, "Count": len(results) + len(forum),
		"Organisations": orgs}
	s.render(w, r, http.StatusOK, "search", v)
}

// searchOrg is the organisation a forum member asks forum results from (0 for
// any); the store decides in which threads it may match.
func searchOrg(r *http.Request) int64 {
	if !currentUser(r).CanReadForum() {
		return 0
	}
	id, err := parseID(r.URL.Query().Get("org"))
	if err != nil {
		return 0
	}
	return id
}

// forumResult is a thread found by a search, as any member may see it: no
// author and no organisation, whatever the thread's attribution mode.
type forumResult struct {
	Hit     store.ForumHit
	URL     string
	Snippet template.HTML
	Theme   *store.Theme
}

func (s *Server) searchForum(r *http.Request, text string) ([]forumResult, error) {
	q := r.URL.Query()
	// Only moderators may find by organisation what was said where names or
	// organisations are withheld from members.
	f := store.ForumSearchFilter{Limit: 20, OrganisationID: searchOrg(r), AllAttributions: currentUser(r).IsModerator()}
	switch q.Get("kind") {
	case "challenge":
		f.Kind = store.Challenge
	case "discussion":
		f.Kind = store.Discussion
	}
	switch st := store.ChallengeStatus(q.Get("status")); st {
	case store.StatusOpen, store.StatusAnswered, store.StatusReferred, store.StatusClosed:
		f.Status = st
	}
	_, themes, err := s.themeMap(r)
	if err != nil {
		return nil, err
	}
	for id, t := range themes {
		if t.Slug == q.Get("theme") {
			f.ThemeID = id
		}
	}
	hits, err := s.store.SearchForum(r.Context(), text, f)
	if err != nil {
		return nil, err
	}
	out := make([]forumResult, len(hits))
	for i, h := range hits {
		t := store.Thread{ID: h.ThreadID, Title: h.Title}
		out[i] = forumResult{Hit: h, URL: postAnchor(&t, &store.Post{ID: h.PostID}), Theme: themes[h.ThemeID],
			Snippet: snippet(markdown.Excerpt(h.Body, 5000), text, 240)}
	}
	return out, nil
}

type searchResult struct {
	Hit     store.SearchHit
	Snippet template.HTML
}

// snippet cuts text around the first word of the query it contains and
// marks every query word in it with <mark>, comparing folded words so that
// "geneve" marks "Genève". Everything else is escaped.
func snippet(text, query string, limit int) template.HTML {
	words := strings.Fields(store.FoldSearch(query))
	runes := []rune(strings.Join(strings.Fields(text), " "))
	// Fold rune by rune so that positions in the folded text are positions in the original.
	folded := make([]string, len(runes))
	for i, r := range runes {
		folded[i] = store.FoldSearch(string(r))
	}
	matchAt := func(i int) int {
		for _, w := range words {
			j, k := i, 0
			for j < len(runes) && k < len(w) {
				f := folded[j]
				if f == "" || !strings.HasPrefix(w[k:], f) {
					break
				}
				k += len(f)
				j++
			}
			if k == len(w) && (i == 0 || folded[i-1] == "") {
				return j - i
			}
		}
		return 0
	}
	start := 0
	for i := range runes {
		if matchAt(i) > 0 {
			start = max(0, i-limit/3)
			// Begin with a whole word: after the first space before the match.
			if start > 0 && runes[start-1] != ' ' {
				if j := slices.Index(runes[start:i], ' '); j >= 0 {
					start += j + 1
				}
			}
			break
		}
	}
	end := min(len(runes), start+limit)
	var b strings.Builder
	if start > 0 {
		b.WriteString("…")
	}
	for i := start; i < end; {
		if n := matchAt(i); n > 0 {
			b.WriteString("<mark>" + template.HTMLEscapeString(string(runes[i:min(i+n, end)])) + "</mark>")
			i += n
			continue
		}
		b.WriteString(template.HTMLEscapeString(string(runes[i])))
		i++
	}
	if end < len(runes) {
		b.WriteString("…")
	}
	return template.HTML(b.String())
}
