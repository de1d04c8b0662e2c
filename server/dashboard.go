package server

import (
	"context"
	"sync"
	"time"

	"golang.org/x/text/language"

	"ideasx/store"
)

// The dashboard is public and the same for everyone, so it is computed at
// most once every dashboardTTL per instance.
const dashboardTTL = 30 * time.Second

var regions = []struct {
	ID   string
	Code language.Region
}{
	{"region_africa", language.MustParseRegion("002")},
	{"region_americas", language.MustParseRegion("019")},
	{"region_asia", language.MustParseRegion("142")},
	{"region_europe", language.MustParseRegion("150")},
	{"region_oceania", language.MustParseRegion("009")},
}

// regionOf names a country's continent by its translation id.
func regionOf(country string) string {
	r, err := language.ParseRegion(country)
	if err == nil {
		for _, g := range regions {
			if g.Code.Contains(r) {
				return g.ID
			}
		}
	}
	return "region_other"
}

type dashboard struct {
	Total, Answered, Referred int
	Themes                    []dashboardTheme
	Regions                   []dashboardRegion
	// Funnel follows challenges from the forum to a meeting's outcome (issue 16).
	Funnel *dashboardFunnel
}

type dashboardTheme struct {
	Theme                            *store.Theme
	Open, Answered, Referred, Closed int
	Total                            int
	// Percentages for the bar: widths add up to 100.
	OpenPct, AnsweredPct, ReferredPct, ClosedPct int
}

type dashboardRegion struct {
	ID                    string
	Businesses, Delegates int
}

type dashboardCache struct {
	mu    sync.Mutex
	at    time.Time
	value *dashboard
}

func (s *Server) dashboard(ctx context.Context) (*dashboard, error) {
	s.dash.mu.Lock()
	defer s.dash.mu.Unlock()
	if s.dash.value != nil && time.Since(s.dash.at) < dashboardTTL {
		return s.dash.value, nil
	}
	f, err := s.store.Figures(ctx)
	if err != nil {
		return nil, err
	}
	themes, err := s.store.Themes(ctx, true)
	if err != nil {
		return nil, err
	}
	byID := map[int64]*store.Theme{}
	for i := range themes {
		byID[themes[i].ID] = &themes[i]
	}
	d := &dashboard{}
	for _, t := range f.Themes {
		dt := dashboardTheme{Theme: byID[t.ThemeID], Open: t.Open, Answered: t.Answered, Referred: t.Referred, Closed: t.Closed}
		dt.Total = t.Open + t.Answered + t.Referred + t.Closed
		if dt.Total > 0 {
			dt.AnsweredPct, dt.ReferredPct, dt.ClosedPct = t.Answered*100/dt.Total, t.Referred*100/dt.Total, t.Closed*100/dt.Total
			dt.OpenPct = 100 - dt.AnsweredPct - dt.ReferredPct - dt.ClosedPct
		}
		d.Total += dt.Total
		d.Answered += t.Answered
		d.Referred += t.Referred
		d.Themes = append(d.Themes, dt)
	}
	index := map[string]int{}
	for _, p := range f.Participants {
		id := regionOf(p.Country)
		i, ok := index[id]
		if !ok {
			i = len(d.Regions)
			index[id] = i
			d.Regions = append(d.Regions, dashboardRegion{ID: id})
		}
		if p.Kind == store.OrgMember {
			d.Regions[i].Delegates += p.Count
		} else {
			d.Regions[i].Businesses += p.Count
		}
	}
	if d.Funnel, err = s.dashboardFunnel(ctx, byID); err != nil {
		return nil, err
	}
	s.dash.at, s.dash.value = time.Now(), d
	return d, nil
}
