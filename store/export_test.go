package store

import (
	"context"
	"time"

	"github.com/jmoiron/sqlx"
)

// SetSearchBounds makes forum search look among window posts first and
// rank candidates, for a test to see its windows at work on a few posts;
// the returned function puts them back.
func SetSearchBounds(window int64, candidates int) func() {
	w, c := searchWindow, searchCandidates
	searchWindow, searchCandidates = window, candidates
	return func() { searchWindow, searchCandidates = w, c }
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
