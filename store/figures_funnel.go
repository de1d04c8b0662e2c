package store

import (
	"context"
	"fmt"
	"time"
)

// FunnelStep counts the challenges that reached each step of the loop from
// a business's challenge to a meeting's outcome: each step counts those
// that reached it at any time, whatever their status now (a referred
// challenge since closed still counts as referred).
type FunnelStep struct {
	Posted, Answered, Referred, Discussed, WithOutcome int
}

// ThemeFunnel is the funnel of one theme.
type ThemeFunnel struct {
	ThemeID int64
	FunnelStep
}

// MeetingFunnel counts one meeting's agenda items: all of them, and those
// with an outcome. Title is empty for a members-only meeting, whose items
// are counted together (Count meetings) so that the public learns nothing
// of it but numbers.
type MeetingFunnel struct {
	EventID         int64
	Title           string
	StartsAt        time.Time
	Meetings        int
	Items, Outcomes int
}

// Funnel is the public dashboard's count of the loop, by theme and by meeting.
type Funnel struct {
	Themes   []ThemeFunnel
	Meetings []MeetingFunnel
}

// FunnelFigures counts, over visible challenges, how many were posted,
// answered, referred, discussed at a meeting (on the agenda of one that has
// begun) and given an outcome, per theme; and per meeting how many items it
// had and how many got an outcome. Numbers only: no title of a challenge,
// and no title of a members-only meeting.
func (s *Store) FunnelFigures(ctx context.Context) (*Funnel, error) {
	now := s.now()
	var rows []struct {
		ThemeID     int64 `db:"theme_id"`
		Posted      int   `db:"posted"`
		Answered    int   `db:"answered"`
		Referred    int   `db:"referred"`
		Discussed   int   `db:"discussed"`
		WithOutcome int   `db:"with_outcome"`
	}
	if err := s.selectAll(ctx, s.db, &rows, `SELECT t.theme_id, count(*) AS posted,
		SUM(CASE WHEN t.accepted_post_id IS NOT NULL OR EXISTS (SELECT 1 FROM thread_status_changes c WHERE c.thread_id = t.id AND c.to_status = 'answered') THEN 1 ELSE 0 END) AS answered,
		SUM(CASE WHEN t.status = 'referred' OR EXISTS (SELECT 1 FROM thread_status_changes c WHERE c.thread_id = t.id AND c.to_status = 'referred') THEN 1 ELSE 0 END) AS referred,
		SUM(CASE WHEN EXISTS (SELECT 1 FROM event_agenda_items a JOIN events e ON e.id = a.event_id WHERE a.thread_id = t.id AND e.starts_at <= ?) THEN 1 ELSE 0 END) AS discussed,
		SUM(CASE WHEN EXISTS (SELECT 1 FROM event_agenda_items a WHERE a.thread_id = t.id AND a.outcome_at IS NOT NULL) THEN 1 ELSE 0 END) AS with_outcome
		FROM threads t WHERE t.kind = 'challenge' AND t.hidden = ? GROUP BY t.theme_id ORDER BY t.theme_id`, now, false); err != nil {
		return nil, fmt.Errorf("funnel: %w", err)
	}
	f := &Funnel{}
	for _, r := range rows {
		f.Themes = append(f.Themes, ThemeFunnel{ThemeID: r.ThemeID, FunnelStep: FunnelStep{Posted: r.Posted, Answered: r.Answered,
			Referred: r.Referred, Discussed: r.Discussed, WithOutcome: r.WithOutcome}})
	}
	var meetings []struct {
		EventID    int64      `db:"event_id"`
		Title      string     `db:"title"`
		StartsAt   time.Time  `db:"starts_at"`
		Visibility Visibility `db:"visibility"`
		Items      int        `db:"items"`
		Outcomes   int        `db:"outcomes"`
	}
	if err := s.selectAll(ctx, s.db, &meetings, `SELECT e.id AS event_id, e.title, e.starts_at, e.visibility, count(*) AS items,
		SUM(CASE WHEN a.outcome_at IS NOT NULL THEN 1 ELSE 0 END) AS outcomes
		FROM event_agenda_items a JOIN events e ON e.id = a.event_id JOIN threads t ON t.id = a.thread_id
		WHERE t.hidden = ? GROUP BY e.id, e.title, e.starts_at, e.visibility ORDER BY e.starts_at DESC, e.id`, false); err != nil {
		return nil, fmt.Errorf("funnel: meetings: %w", err)
	}
	var closed MeetingFunnel
	for _, m := range meetings {
		if m.Visibility != Public {
			closed.Meetings++
			closed.Items += m.Items
			closed.Outcomes += m.Outcomes
			continue
		}
		f.Meetings = append(f.Meetings, MeetingFunnel{EventID: m.EventID, Title: m.Title, StartsAt: m.StartsAt, Meetings: 1, Items: m.Items, Outcomes: m.Outcomes})
	}
	if closed.Meetings > 0 {
		f.Meetings = append(f.Meetings, closed)
	}
	return f, nil
}
