package server

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"ideasx/store"
)

const threadsPerPage = 30

var forumTabs = []string{"latest", "unanswered", "ours", "mine", "watched"}

// forumTabsFor leaves out "not yet answered by my delegation" for readers
// who have no delegation (businesses, the secretariat, observers): coverage
// counts member delegations only.
func forumTabsFor(me *store.User) []string {
	if me.OrgKind == store.OrgMember {
		return forumTabs
	}
	tabs := make([]string, 0, len(forumTabs)-1)
	for _, t := range forumTabs {
		if t != "ours" {
			tabs = append(tabs, t)
		}
	}
	return tabs
}

func (s *Server) themeMap(r *http.Request) ([]store.Theme, map[int64]*store.Theme, error) {
	themes, err := s.store.Themes(r.Context(), true)
	if err != nil {
		return nil, nil, err
	}
	return themes, themesByID(themes), nil
}

// themesByID indexes themes by id, pointing into the slice.
func themesByID(themes []store.Theme) map[int64]*store.Theme {
	m := make(map[int64]*store.Theme, len(themes))
	for i := range themes {
		m[themes[i].ID] = &themes[i]
	}
	return m
}

func (s *Server) forumIndex(w http.ResponseWriter, r *http.Request) {
	s.threadList(w, r, nil)
}

func (s *Server) forumTheme(w http.ResponseWriter, r *http.Request) {
	themes, _, err := s.themeMap(r)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	for i := range themes {
		if themes[i].Slug == r.PathValue("slug") {
			s.threadList(w, r, &themes[i])
			return
		}
	}
	s.notFound(w, r)
}

// threadList shows one page of threads, newest activity first. Pages are
// reached by a cursor ("after") rather than a page number, so that a deep
// page reads as few rows as the first.
func (s *Server) threadList(w http.ResponseWriter, r *http.Request, theme *store.Theme) {
	me := currentUser(r)
	q := r.URL.Query()
	tab := "latest"
	tabs := forumTabsFor(me)
	for _, t := range tabs {
		if q.Get("tab") == t {
			tab = t
		}
	}
	unpinned := false
	f := store.ThreadFilter{Limit: threadsPerPage, WithHidden: me.IsModerator(), Pinned: &unpinned, ReaderID: me.ID}
	if theme != nil {
		f.ThemeID = theme.ID
	}
	applyList(&f, tab, me)
	f.After = parseCursor(q.Get("after"))
	// The live topic's seq, read before the list (see renderThread).
	liveTopic := "forum"
	if theme != nil {
		liveTopic = fmt.Sprintf("theme:%d", theme.ID)
	}
	liveSeq, err := s.store.TopicSeq(r.Context(), liveTopic)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	threads, err := s.store.ListThreads(r.Context(), f)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	var pinned []store.Thread
	if f.After == nil && tab == "latest" {
		yes := true
		f.Pinned = &yes
		if pinned, err = s.store.ListThreads(r.Context(), f); err != nil {
			s.serverError(w, r, err)
			return
		}
	}
	themes, byID, err := s.themeMap(r)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	views := make([]threadView, 0, len(pinned)+len(threads))
	for i := range pinned {
		views = append(views, s.viewThread(me, &pinned[i], byID))
	}
	for i := range threads {
		views = append(views, s.viewThread(me, &threads[i], byID))
	}
	v := s.newView(w, r, "forum_title")
	if theme != nil {
		v.Title = theme.Name(v.Lang())
		v.Description = theme.Description(v.Lang())
	}
	base := r.URL.Path
	data := map[string]any{"Threads": views, "Themes": themes, "Theme": theme, "Tab": tab, "Tabs": tabs, "Base": base,
		"LiveTopic": liveTopic, "LiveSeq": liveSeq, "FirstPage": f.After == nil}
	if theme != nil {
		level, err := s.store.WatchLevel(r.Context(), me.ID, "theme", theme.ID)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		data["Watch"] = level
	}
	if len(threads) == threadsPerPage {
		last := threads[len(threads)-1]
		next := url.Values{"after": {formatCursor(last.LastPostAt, last.ID)}}
		if tab != "latest" {
			next.Set("tab", tab)
		}
		data["NextURL"] = base + "?" + next.Encode()
	}
	v.Data = data
	s.render(w, r, http.StatusOK, "forum", v)
}

func formatCursor(t time.Time, id int64) string { return fmt.Sprintf("%d-%d", t.UnixNano(), id) }

// parseCursor reads "unixnano-id"; anything else means the first page.
func parseCursor(v string) *store.ThreadCursor {
	ns, id, ok := strings.Cut(v, "-")
	if !ok {
		return nil
	}
	n, err1 := strconv.ParseInt(ns, 10, 64)
	i, err2 := strconv.ParseInt(id, 10, 64)
	if err1 != nil || err2 != nil || i <= 0 {
		return nil
	}
	return &store.ThreadCursor{LastPostAt: time.Unix(0, n).UTC(), ID: i}
}

// applyList narrows a thread filter to one of the forum's lists for the reader.
func applyList(f *store.ThreadFilter, list string, me *store.User) {
	switch list {
	case "unanswered":
		f.Kind, f.Status = store.Challenge, store.StatusOpen
	case "ours":
		f.Kind, f.Status, f.NotAnsweredByOrg = store.Challenge, store.StatusOpen, me.OrganisationID
	case "mine":
		f.AuthorID = me.ID
	case "watched":
		f.WatchedBy = me.ID
	}
}
