package server

import (
	"strings"
	"sync"
	"time"

	"ideasx/server/i18n"
	"ideasx/store"
)

// maxTimeZoneLen bounds a zone name from a form or the API; the longest
// IANA name ("America/Argentina/ComodRivadavia") has 32 characters.
const maxTimeZoneLen = 64

// zones keeps each loaded location: time.LoadLocation reads the zone
// database every time it is called, and every page asks for one.
var zones sync.Map // name → *time.Location

// loadZone returns the location of an IANA zone name, or false for a name
// that is none: empty, "Local" (the server's own clock, which means
// nothing to a reader), a path, or a name the zone database lacks.
func loadZone(name string) (*time.Location, bool) {
	if loc, ok := zones.Load(name); ok {
		return loc.(*time.Location), true
	}
	if name == "" || name == "Local" || len(name) > maxTimeZoneLen || strings.ContainsAny(name, " \\") ||
		strings.HasPrefix(name, "/") || strings.Contains(name, "..") {
		return nil, false
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, false
	}
	zones.Store(name, loc)
	return loc, true
}

// readerZone is where times are shown to u: their own zone, else Geneva's,
// where the group meets (visitors, and an account whose zone the zone
// database of this machine lacks).
func readerZone(u *store.User) *time.Location {
	if u != nil {
		if loc, ok := loadZone(u.TimeZone); ok {
			return loc
		}
	}
	return genevaZone
}

// guessedZone is the zone a sign-up form's script read from the browser.
// It is a guess the person never typed: one the zone database lacks is
// dropped for Geneva's rather than shown as an error.
func guessedZone(f *form) string {
	z := f.values.Get("time_zone")
	if _, ok := loadZone(z); ok {
		return z
	}
	return store.DefaultTimeZone
}

// timeZone reads a required IANA zone name ("America/New_York"), failing
// the field for one the zone database lacks.
func (f *form) timeZone(name string) string {
	v := strings.TrimSpace(f.values.Get(name))
	if v == "" {
		f.fail(name, "error_required")
		return ""
	}
	if _, ok := loadZone(v); !ok {
		f.fail(name, "error_time_zone")
		return ""
	}
	return v
}

// commonZones are offered on the account page without JavaScript, which
// adds every other zone the browser knows: Geneva's first, then the
// capitals the group's members most often write from.
var commonZones = []string{
	"Europe/Zurich", "UTC", "Europe/London", "Europe/Paris", "Europe/Madrid", "Africa/Nairobi", "Africa/Lagos",
	"Africa/Johannesburg", "Asia/Dubai", "Asia/Kolkata", "Asia/Singapore", "Asia/Shanghai", "Asia/Tokyo",
	"Australia/Sydney", "Pacific/Auckland", "America/New_York", "America/Chicago", "America/Los_Angeles",
	"America/Mexico_City", "America/Bogota", "America/Lima", "America/Santiago", "America/Argentina/Buenos_Aires",
	"America/Montevideo", "America/Sao_Paulo",
}

// sameClock reports whether two zones read the same time at t.
func sameClock(t time.Time, a, b *time.Location) bool {
	_, x := t.In(a).Zone()
	_, y := t.In(b).Zone()
	return x == y
}

// ReaderTimeRange is a meeting's time on the reader's clock, for the event
// page to show beside the meeting's own; "" when both clocks agree.
func (v *view) ReaderTimeRange(start, end time.Time, meeting *time.Location) string {
	if sameClock(start, meeting, v.Zone) && sameClock(end, meeting, v.Zone) {
		return ""
	}
	return v.TimeRange(start, end, v.Zone)
}

// ReaderSlot is a programme session's time on the reader's clock ("03:30–
// 05:00 EDT"), with the reader's day first when it is not the meeting's;
// "" when both clocks agree.
func (v *view) ReaderSlot(start, end time.Time) string {
	if sameClock(start, start.Location(), v.Zone) && sameClock(end, end.Location(), v.Zone) {
		return ""
	}
	from, to := start.In(v.Zone), end.In(v.Zone)
	text := from.Format("15:04") + "–" + i18n.Clock(to)
	if from.YearDay() != start.YearDay() || from.Year() != start.Year() {
		text = v.Date(from) + ", " + text
	}
	return text
}

// LocalDate is the day a moment fell on for the reader ("7 December 2026"
// in New York may be the 8th in Geneva). Calendar dates (a document's date,
// a meeting's day) keep Date, in their own zone.
func (v *view) LocalDate(t time.Time) string { return v.Date(t.In(v.Zone)) }
