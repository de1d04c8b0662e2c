package server

import (
	"net/http"
	"sort"
	"time"

	"ideasx/store"
)

// The public figures of meetings: how many registered (holding a seat) and
// how many came, by kind of organisation and by region. Numbers only, and
// a number below figuresMin is shown as "fewer than 3": at a small meeting
// "1 business from Oceania" would name someone. When a breakdown has one
// such cell, the next smallest is hidden too, so that it cannot be had
// from the total.
const figuresMin = 3

type figureCell struct {
	LabelID              string
	Registered, Attended int
	// Hidden: shown as "fewer than 3".
	RegisteredHidden, AttendedHidden bool
}

type eventFigures struct {
	EventID              int64
	Title                string
	StartsAt             time.Time
	Loc                  *time.Location
	Registered, Attended int
	Kinds, Regions       []figureCell
	URL                  string
	Tables               []figureTable
}

type figureTable struct {
	CaptionID, HeadID string
	Cells             []figureCell
}

var figureKindLabels = map[string]string{
	string(store.OrgBusiness): "figures_kind_business", string(store.OrgMember): "figures_kind_member",
	string(store.OrgObserver): "figures_kind_observer", string(store.OrgSecretariat): "figures_kind_secretariat",
	"": "figures_kind_visitor",
}

func buildFigures(rows []store.RegistrationFigure) []eventFigures {
	var out []eventFigures
	kinds, regions := map[string]*figureCell{}, map[string]*figureCell{}
	flush := func() {
		if len(out) == 0 {
			return
		}
		f := &out[len(out)-1]
		f.Kinds, f.Regions = suppressed(kinds), suppressed(regions)
		f.Tables = []figureTable{{"figures_by_kind", "figures_kind", f.Kinds}, {"figures_by_region", "dashboard_region", f.Regions}}
		kinds, regions = map[string]*figureCell{}, map[string]*figureCell{}
	}
	add := func(m map[string]*figureCell, label string, r store.RegistrationFigure) {
		c := m[label]
		if c == nil {
			c = &figureCell{LabelID: label}
			m[label] = c
		}
		c.Registered += r.Registered
		c.Attended += r.Attended
	}
	for _, r := range rows {
		if len(out) == 0 || out[len(out)-1].EventID != r.EventID {
			flush()
			loc, err := time.LoadLocation(r.Timezone)
			if err != nil {
				loc = genevaZone
			}
			out = append(out, eventFigures{EventID: r.EventID, Title: r.Title, StartsAt: r.StartsAt, Loc: loc,
				URL: eventURL(&store.Event{ID: r.EventID, Title: r.Title})})
		}
		f := &out[len(out)-1]
		f.Registered += r.Registered
		f.Attended += r.Attended
		label, ok := figureKindLabels[r.OrgKind]
		if !ok {
			label = "figures_kind_other"
		}
		add(kinds, label, r)
		region := "figures_region_not_stated"
		if r.Country != "" {
			region = regionOf(r.Country)
		}
		add(regions, region, r)
	}
	flush()
	return out
}

// suppressed orders cells by label and hides the small numbers.
func suppressed(m map[string]*figureCell) []figureCell {
	cells := make([]figureCell, 0, len(m))
	for _, c := range m {
		cells = append(cells, *c)
	}
	sort.Slice(cells, func(i, j int) bool { return cells[i].LabelID < cells[j].LabelID })
	hide(cells, func(c *figureCell) (int, *bool) { return c.Registered, &c.RegisteredHidden })
	hide(cells, func(c *figureCell) (int, *bool) { return c.Attended, &c.AttendedHidden })
	return cells
}

func hide(cells []figureCell, field func(*figureCell) (int, *bool)) {
	hidden, smallest := 0, -1
	for i := range cells {
		n, h := field(&cells[i])
		if n > 0 && n < figuresMin {
			*h = true
			hidden++
		}
	}
	if hidden != 1 {
		return
	}
	for i := range cells {
		n, h := field(&cells[i])
		if !*h && n > 0 && (smallest < 0 || n < func() int { m, _ := field(&cells[smallest]); return m }()) {
			smallest = i
		}
	}
	if smallest >= 0 {
		_, h := field(&cells[smallest])
		*h = true
	}
}

func (s *Server) eventFiguresShow(w http.ResponseWriter, r *http.Request) {
	rows, err := s.store.RegistrationFigures(r.Context())
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	v := s.newView(w, r, "figures_title")
	v.Description = v.T("figures_intro")
	v.Data = map[string]any{"Events": buildFigures(rows), "Min": figuresMin}
	s.render(w, r, http.StatusOK, "event_figures", v)
}
