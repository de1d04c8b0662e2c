package i18n

import (
	"testing"
	"time"
)

// TestZoneAbbrev: a time of day says whose clock it is, by the zone's
// abbreviation, or by its offset where the zone database has no name.
func TestZoneAbbrev(t *testing.T) {
	at := time.Date(2027, time.January, 15, 12, 0, 0, 0, time.UTC)
	for _, c := range []struct{ zone, want string }{
		{"Europe/Zurich", "13:00 CET"},
		{"America/New_York", "07:00 EST"},
		{"America/Sao_Paulo", "09:00 UTC-3"},
		{"Asia/Kathmandu", "17:45 UTC+5:45"},
		{"UTC", "12:00 UTC"},
	} {
		loc, err := time.LoadLocation(c.zone)
		if err != nil {
			t.Fatal(err)
		}
		if got := Clock(at.In(loc)); got != c.want {
			t.Errorf("%s: got %q, want %q", c.zone, got, c.want)
		}
	}
}
