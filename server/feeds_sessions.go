package server

import (
	"context"
	"strings"

	"ideasx/server/feeds"
	"ideasx/server/markdown"
	"ideasx/store"
)

// withSessions writes a meeting's timetable into its calendar entry's
// description, after its introduction: one line per session with its time
// in the meeting's zone, then its venue and people.
//
// The sessions stay inside the meeting's one entry rather than each being
// an entry of its own (RELATED-TO the meeting): Google Calendar, Outlook
// and Apple Calendar ignore RELATED-TO, so a subscriber would get a day of
// overlapping, unrelated entries beside the meeting, and every client
// shows the description.
func (s *Server) withSessions(ctx context.Context, ev *feeds.Event, e *store.Event, lang string) error {
	sessions, err := s.store.EventSessions(ctx, e.ID)
	if err != nil || len(sessions) == 0 {
		return err
	}
	l := s.tr.For(lang)
	tt := buildTimetable(e, sessions, lang)
	var b strings.Builder
	b.WriteString(l.T("programme_title") + " — " + l.T("programme_times_in", "Zone", tt.Zone, "Abbrev", tt.Abbrev) + "\n")
	multi := len(tt.Days) > 1
	for _, day := range tt.Days {
		if multi {
			b.WriteString("\n" + l.Date(day.Date) + "\n")
		}
		for _, part := range day.Parts {
			for _, slot := range part.Slots {
				b.WriteString("\n" + slot.Starts.Format("15:04") + "–" + slot.Ends.Format("15:04") + "  " + slot.Title + "\n")
				if slot.Venue != "" {
					b.WriteString("   " + l.T("programme_venue") + l.T("programme_label_sep") + slot.Venue + "\n")
				}
				for _, g := range slot.Groups {
					names := make([]string, len(g.People))
					for i, p := range g.People {
						names[i] = strings.Join(nonEmpty(p.Name, p.Title, p.Organisation), ", ")
					}
					b.WriteString("   " + l.T(g.LabelID) + l.T("programme_label_sep") + strings.Join(names, "; ") + "\n")
				}
			}
		}
	}
	intro := markdown.Excerpt(e.Programme, 600)
	if intro != "" {
		ev.Description = intro + "\n\n" + b.String()
	} else {
		ev.Description = b.String()
	}
	ev.Description = strings.TrimRight(ev.Description, "\n")
	return nil
}

func nonEmpty(parts ...string) []string {
	out := parts[:0]
	for _, p := range parts {
		if p != "" {
			out = append(out, p)
		}
	}
	return out
}
