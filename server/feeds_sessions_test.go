package server_test

import (
	"strings"
	"testing"

	ics "github.com/arran4/golang-ical"

	"ideasx/server/servertest"
)

// TestCalendarCarriesSessions: events.ics and a meeting's own .ics hold
// its timetable in the meeting's entry, read back by a calendar parser,
// and a members-only meeting's sessions stay out of the public feed.
func TestCalendarCarriesSessions(t *testing.T) {
	t.Parallel()
	forEachEngine(t, func(t *testing.T, app *servertest.App) {
		w := seedProgramme(t, app)
		c := app.Client()
		for _, path := range []string{"/events.ics", eventPage(w.public) + "/calendar.ics"} {
			r := c.Get(path)
			cal, err := ics.ParseCalendar(strings.NewReader(r.Body))
			if err != nil || r.Status != 200 {
				t.Fatalf("%s: %d, parse: %v", path, r.Status, err)
			}
			var desc string
			for _, ev := range cal.Events() {
				if p := ev.GetProperty(ics.ComponentPropertySummary); p != nil && p.Value == "MSME Day 2030" {
					desc = ev.GetProperty(ics.ComponentPropertyDescription).Value
				}
			}
			for _, want := range []string{"A day on trade for small firms.", "Times are Europe/Zurich time (CEST).", "10:00–10:10  Opening remarks",
				"Opening remarks: Alan Wolff, Deputy Director-General, WTO", "15:20–16:00  Impact investment", "Venue: Room W",
				"Speaker: Freda Ampofo, Founder, Kaeme", "Moderator: Crispin Conroy, Permanent Observer, ICC"} {
				if !strings.Contains(desc, want) {
					t.Errorf("%s: the meeting's description lacks %q:\n%s", path, want, desc)
				}
			}
			if strings.Index(desc, "Opening remarks") > strings.Index(desc, "Impact investment") {
				t.Errorf("%s: sessions out of time order:\n%s", path, desc)
			}
			if strings.Contains(r.Body, "Closed breakfast talk") || strings.Contains(r.Body, "Quiet Delegate") {
				t.Errorf("%s: a members-only meeting's session reaches the public calendar", path)
			}
		}
		// In French, the labels are French and the titles as translated.
		fr := c.Get("/fr/events.ics")
		if !strings.Contains(fr.Body, "Investissement d'impact") && !strings.Contains(fr.Body, "Investissement d\\'impact") {
			t.Errorf("French calendar lacks the French session title:\n%s", fr.Body)
		}
	})
}
