package server

import (
	"context"
	"errors"

	"ideasx/store"
)

// acceptedAnswerer names the author of the thread's accepted reply as the
// reader may see them (the same byline as on the post itself), or nil when
// there is none or the reply is removed and the reader may not see it.
func (s *Server) acceptedAnswerer(ctx context.Context, reader *store.User, t *store.Thread) (*byline, error) {
	if t.AcceptedPostID == nil {
		return nil, nil
	}
	p, err := s.store.PostByID(ctx, *t.AcceptedPostID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if p.ThreadID != t.ID {
		return nil, nil
	}
	v := s.viewPost(reader, t, *p, false)
	if !v.Visible {
		return nil, nil
	}
	return &v.Author, nil
}
