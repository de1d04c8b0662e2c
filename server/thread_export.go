package server

import (
	"fmt"
	"net/http"
	"strings"
)

// threadExport gives a thread as a Markdown file, for a member's notes or
// a delegation's report. Names follow the same attribution rule as the page:
// under the Chatham House rule another member's export names nobody.
func (s *Server) threadExport(w http.ResponseWriter, r *http.Request) {
	t, ok := s.threadFromPath(w, r, pathID)
	if !ok {
		return
	}
	me := currentUser(r)
	l := s.localizer(r)
	var b strings.Builder
	fmt.Fprintf(&b, "# %s\n\n", t.Title)
	fmt.Fprintf(&b, "%s · %s", l.T("kind_"+string(t.Kind)), l.T("attribution_"+string(t.Attribution)))
	if t.Status != "" {
		fmt.Fprintf(&b, " · %s", l.T("challenge_"+string(t.Status)))
	}
	fmt.Fprintf(&b, "\n%s%s\n", s.cfg.BaseURL, threadURL(t))
	for after := int64(0); ; {
		posts, err := s.store.Posts(r.Context(), t.ID, after, 200)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		for _, p := range posts {
			v := s.viewPost(me, t, p, false)
			if !v.Visible {
				continue
			}
			fmt.Fprintf(&b, "\n---\n\n**%s** — %s\n\n%s\n", exportByline(l.T, v.Author), l.DateTime(p.CreatedAt, readerZone(me)), strings.TrimSpace(v.Body))
		}
		if len(posts) < 200 {
			break
		}
		after = posts[len(posts)-1].ID
	}
	w.Header().Set("Content-Type", "text/markdown; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="thread-%d.md"`, t.ID))
	w.Header().Set("Cache-Control", "private, no-store")
	_, _ = w.Write([]byte(b.String()))
}

func exportByline(t func(string, ...any) string, b byline) string {
	switch {
	case b.KindID != "":
		return t(b.KindID)
	case b.Organisation != "":
		return b.Name + " (" + b.Organisation + ")"
	default:
		return b.Name
	}
}
