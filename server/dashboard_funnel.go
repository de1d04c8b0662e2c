package server

import (
	"context"

	"ideasx/store"
)

// dashboardFunnel is the loop from a challenge to a meeting's outcome in
// numbers: in all, per theme, and per meeting (members-only meetings
// counted together, unnamed).
type dashboardFunnel struct {
	Total    store.FunnelStep
	Themes   []funnelTheme
	Meetings []funnelMeeting
}

type funnelTheme struct {
	Theme *store.Theme
	store.FunnelStep
}

type funnelMeeting struct {
	store.MeetingFunnel
	// URL is the public meeting's page; empty for the members-only ones counted together.
	URL string
}

func (s *Server) dashboardFunnel(ctx context.Context, themes map[int64]*store.Theme) (*dashboardFunnel, error) {
	f, err := s.store.FunnelFigures(ctx)
	if err != nil {
		return nil, err
	}
	d := &dashboardFunnel{}
	for _, t := range f.Themes {
		d.Themes = append(d.Themes, funnelTheme{Theme: themes[t.ThemeID], FunnelStep: t.FunnelStep})
		d.Total.Posted += t.Posted
		d.Total.Answered += t.Answered
		d.Total.Referred += t.Referred
		d.Total.Discussed += t.Discussed
		d.Total.WithOutcome += t.WithOutcome
	}
	for _, m := range f.Meetings {
		fm := funnelMeeting{MeetingFunnel: m}
		if m.Title != "" {
			fm.URL = eventURL(&store.Event{ID: m.EventID, Title: m.Title})
		}
		d.Meetings = append(d.Meetings, fm)
	}
	return d, nil
}
