package server

import (
	"ideasx/store"
)

// answererOf names the author of the thread's accepted reply p (as stored,
// nil when it is gone) as the reader may see them: the same byline as on the
// post itself, or nil when there is none or the reply is removed and the
// reader may not see it.
func (s *Server) answererOf(reader *store.User, t *store.Thread, p *store.Post) *byline {
	if t.AcceptedPostID == nil || p == nil || p.ThreadID != t.ID {
		return nil
	}
	v := s.viewPost(reader, t, *p, false)
	if !v.Visible {
		return nil
	}
	return &v.Author
}
