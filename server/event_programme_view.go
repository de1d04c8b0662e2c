package server

import (
	"html/template"
	"time"

	"ideasx/server/markdown"
	"ideasx/store"
)

// timetable is a meeting's programme as the page lays it out: by day, each
// day split into morning, afternoon and evening when it has more than one,
// as the group's newsletters print it.
type timetable struct {
	// Zone is the meeting's time zone name; Abbrev what its clock says on
	// the first day ("CEST"), so that a reader abroad knows which time it is.
	Zone, Abbrev string
	Days         []timetableDay
}

type timetableDay struct {
	Date  time.Time
	Parts []timetablePart
}

type timetablePart struct {
	NameID string // "" when the day has one part only
	Slots  []timetableSlot
}

type timetableSlot struct {
	ID                 int64
	Starts, Ends       time.Time // in the meeting's zone
	Title              string
	Description        template.HTML
	Venue              string
	Languages          []string
	Groups             []peopleGroup
	StartsUTC, EndsUTC string // for <time datetime> and the reader's-zone script
}

type peopleGroup struct {
	LabelID string
	People  []personLine
}

type personLine struct {
	Name, Title, Organisation, Handle string
}

// partOfDay names when a session starts, in the meeting's zone.
func partOfDay(t time.Time) string {
	switch h := t.Hour(); {
	case h < 12:
		return "programme_morning"
	case h < 18:
		return "programme_afternoon"
	}
	return "programme_evening"
}

// buildTimetable lays out sessions (in time order) for a reader of lang.
func buildTimetable(e *store.Event, sessions []store.EventSession, lang string) *timetable {
	if len(sessions) == 0 {
		return nil
	}
	loc := e.Location()
	tt := &timetable{Zone: e.Timezone, Abbrev: sessions[0].StartsAt.In(loc).Format("MST")}
	for _, s := range sessions {
		starts, ends := s.StartsAt.In(loc), s.EndsAt.In(loc)
		if n := len(tt.Days); n == 0 || tt.Days[n-1].Date.YearDay() != starts.YearDay() || tt.Days[n-1].Date.Year() != starts.Year() {
			tt.Days = append(tt.Days, timetableDay{Date: starts})
		}
		day := &tt.Days[len(tt.Days)-1]
		part := partOfDay(starts)
		if n := len(day.Parts); n == 0 || day.Parts[n-1].NameID != part {
			day.Parts = append(day.Parts, timetablePart{NameID: part})
		}
		p := &day.Parts[len(day.Parts)-1]
		p.Slots = append(p.Slots, timetableSlot{
			ID: s.ID, Starts: starts, Ends: ends, Venue: s.Venue, Languages: s.Languages,
			Title:       store.InLanguage(lang, s.Title, s.TitleFR, s.TitleES),
			Description: markdown.Render(store.InLanguage(lang, s.Description, s.DescriptionFR, s.DescriptionES)),
			Groups:      groupPeople(s.People, lang),
			StartsUTC:   s.StartsAt.UTC().Format(time.RFC3339), EndsUTC: s.EndsAt.UTC().Format(time.RFC3339),
		})
	}
	for i := range tt.Days {
		if len(tt.Days[i].Parts) == 1 {
			tt.Days[i].Parts[0].NameID = ""
		}
	}
	return tt
}

// groupPeople lists a session's people by role, opening remarks first and
// the moderator last, each in the order the organisers gave.
func groupPeople(people []store.SessionPerson, lang string) []peopleGroup {
	var out []peopleGroup
	for _, role := range store.SessionRoles {
		var g peopleGroup
		for _, p := range people {
			if p.Role != role {
				continue
			}
			g.People = append(g.People, personLine{Name: p.Name, Handle: p.Handle,
				Title:        store.InLanguage(lang, p.Title, p.TitleFR, p.TitleES),
				Organisation: store.InLanguage(lang, p.Organisation, p.OrganisationFR, p.OrganisationES)})
		}
		if len(g.People) == 0 {
			continue
		}
		g.LabelID = "programme_role_" + role
		if len(g.People) > 1 {
			g.LabelID += "_many"
		}
		out = append(out, g)
	}
	return out
}

// coOrganiserLine is a co-organiser in the reader's language.
type coOrganiserLine struct{ Name, URL string }

func coOrganiserLines(orgs []store.CoOrganiser, lang string) []coOrganiserLine {
	out := make([]coOrganiserLine, len(orgs))
	for i, o := range orgs {
		out[i] = coOrganiserLine{Name: store.InLanguage(lang, o.Name, o.NameFR, o.NameES), URL: o.URL}
	}
	return out
}
