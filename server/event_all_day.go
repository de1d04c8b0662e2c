package server

import (
	"strings"
	"time"
)

// An all-day event is typed as dates ("27–28 June"), in the form (a
// checkbox next to the times, which are then ignored) and in the API
// (all_day with starts_at/ends_at as "2006-01-02", a time being accepted
// and dropped). It is stored from the first day's midnight to the last
// day's 23:59 in the event's time zone, so that lists keep it "upcoming"
// until its last day is over; pages show it as dates and the calendars as
// DTSTART;VALUE=DATE.

// readAllDay reads the all_day checkbox (or JSON true) and, when set, the
// event's first and last day.
func (f *form) readAllDay(loc *time.Location) (allDay bool, starts, ends time.Time) {
	switch strings.TrimSpace(f.values.Get("all_day")) {
	case "", "0", "false", "off":
		return false, time.Time{}, time.Time{}
	}
	starts = f.day("starts", loc, true)
	ends = f.day("ends", loc, false)
	if ends.IsZero() {
		ends = starts
	}
	if !starts.IsZero() {
		ends = time.Date(ends.Year(), ends.Month(), ends.Day(), 23, 59, 0, 0, loc)
	}
	return true, starts, ends
}

// day reads a date ("2006-01-02", or the date of "2006-01-02T15:04") as
// midnight in loc.
func (f *form) day(name string, loc *time.Location, required bool) time.Time {
	v := strings.TrimSpace(f.values.Get(name))
	if v == "" {
		if required {
			f.fail(name, "error_required")
		}
		return time.Time{}
	}
	if len(v) > len("2006-01-02") && v[len("2006-01-02")] == 'T' {
		v = v[:len("2006-01-02")]
	}
	t, err := time.ParseInLocation("2006-01-02", v, loc)
	if err != nil || t.Year() < 1900 || t.Year() > 2200 {
		f.fail(name, "error_date")
		return time.Time{}
	}
	return t
}
