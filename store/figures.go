package store

import (
	"context"
	"fmt"
)

// ThemeFigures counts the challenges of one theme by status.
type ThemeFigures struct {
	ThemeID                          int64
	Open, Answered, Referred, Closed int
}

// ParticipantFigures counts organisations that posted, by kind and country.
type ParticipantFigures struct {
	Kind    OrgKind `db:"kind"`
	Country string  `db:"country"`
	Count   int     `db:"n"`
}

// ForumFigures are the anonymous numbers of the dialogue: no title, no name.
type ForumFigures struct {
	Themes       []ThemeFigures
	Participants []ParticipantFigures
}

// Figures computes the public dashboard's numbers with two grouped queries
// over visible threads and posts.
func (s *Store) Figures(ctx context.Context) (*ForumFigures, error) {
	var rows []struct {
		ThemeID int64           `db:"theme_id"`
		Status  ChallengeStatus `db:"status"`
		N       int             `db:"n"`
	}
	if err := s.selectAll(ctx, s.db, &rows, `SELECT theme_id, status, count(*) AS n FROM threads
		WHERE kind = 'challenge' AND hidden = ? GROUP BY theme_id, status ORDER BY theme_id`, false); err != nil {
		return nil, fmt.Errorf("figures: %w", err)
	}
	f := &ForumFigures{}
	index := map[int64]int{}
	for _, r := range rows {
		i, ok := index[r.ThemeID]
		if !ok {
			i = len(f.Themes)
			index[r.ThemeID] = i
			f.Themes = append(f.Themes, ThemeFigures{ThemeID: r.ThemeID})
		}
		t := &f.Themes[i]
		switch r.Status {
		case StatusOpen:
			t.Open += r.N
		case StatusAnswered:
			t.Answered += r.N
		case StatusReferred:
			t.Referred += r.N
		case StatusClosed:
			t.Closed += r.N
		}
	}
	if err := s.selectAll(ctx, s.db, &f.Participants, `SELECT o.kind, o.country, count(DISTINCT o.id) AS n
		FROM organisations o JOIN posts p ON p.organisation_id = o.id JOIN threads t ON t.id = p.thread_id
		WHERE p.deleted_at IS NULL AND p.hidden_at IS NULL AND t.hidden = ? AND o.kind IN ('business', 'member')
		GROUP BY o.kind, o.country ORDER BY o.kind, o.country`, false); err != nil {
		return nil, fmt.Errorf("figures: %w", err)
	}
	return f, nil
}
