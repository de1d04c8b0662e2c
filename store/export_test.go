package store

import (
	"context"
	"time"

	"github.com/jmoiron/sqlx"
)

// SetSearchCandidates sets how many of the newest matches a forum search
// ranks; the returned function puts it back.
func SetSearchCandidates(candidates int) func() {
	c := searchCandidates
	searchCandidates = candidates
	return func() { searchCandidates = c }
}

// SearchAllAtOnce makes forum search look among all posts at once on both
// engines, ranking the newest candidates matches, for a test to compare
// the narrowed search with; the returned function puts it back.
func SearchAllAtOnce(candidates int) func() {
	n, c := searchNarrows, searchCandidates
	searchNarrows, searchCandidates = false, candidates
	return func() { searchNarrows, searchCandidates = n, c }
}

// FirstSearchSpan says whether a forum search for q looks among some of
// the posts first (narrowed), and how many matching posts it finds there,
// up to the number of candidates it ranks.
func (s *Store) FirstSearchSpan(ctx context.Context, q string) (narrowed bool, found int, err error) {
	var newest int64
	if err := s.get(ctx, s.db, &newest, `SELECT MAX(id) FROM posts`); err != nil {
		return false, 0, err
	}
	spans, err := s.dialect.searchSpans(ctx, s, searchTokens(q), newest)
	if err != nil {
		return false, 0, err
	}
	hits, err := s.dialect.searchPosts(ctx, s, searchTokens(q), where{}, spans[0], 1)
	if err != nil || len(hits) == 0 {
		return !spans[0].all(), 0, err
	}
	return !spans[0].all(), hits[0].Candidates, nil
}

// SetWarmFor bounds Store.Warm's time; the returned function puts it back.
func SetWarmFor(d time.Duration) func() {
	old := warmFor
	warmFor = d
	return func() { warmFor = old }
}

// NotifyTwice tells a person twice in one transaction (of a new flag, as
// a moderator), as no change of the package does today, for a test of the
// unread counts that a second notice carries.
func (s *Store) NotifyTwice(ctx context.Context, userID, actorID int64) error {
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		for range 2 {
			if err := s.notifyUser(ctx, tx, NotifyNewFlag, userID, actorID, 0, 0, 0); err != nil {
				return err
			}
		}
		return nil
	})
}
