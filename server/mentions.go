package server

import (
	"context"
	"strings"

	"ideasx/server/markdown"
)

// renderPost turns a post's Markdown into safe HTML, linking @handles of
// people who may read the forum; others stay plain text and are not
// recorded as mentioned, so they are never notified of what they cannot read.
func (s *Server) renderPost(ctx context.Context, body string) (string, []int64, error) {
	handles := markdown.Mentions(body)
	users, err := s.store.UsersByHandles(ctx, handles)
	if err != nil {
		return "", nil, err
	}
	var ids []int64
	seen := map[int64]bool{}
	html := markdown.RenderWithMentions(body, func(h string) (string, bool) {
		u, ok := users[strings.ToLower(h)]
		if !ok || !u.CanReadForum() {
			return "", false
		}
		if !seen[u.ID] {
			seen[u.ID] = true
			ids = append(ids, u.ID)
		}
		return "/forum/people/" + u.Handle, true
	})
	return string(html), ids, nil
}
