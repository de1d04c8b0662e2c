package feeds

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"
)

// Calendar is an iCalendar feed (RFC 5545) of the group's events, meant to
// be subscribed to from calendar applications.
type Calendar struct {
	// ProdID identifies the product that wrote the calendar, e.g.
	// "-//Ideas Exchange//Events//EN".
	ProdID string
	// Name is shown by calendar applications as the subscription's name
	// (X-WR-CALNAME, a de facto extension).
	Name string
	// Events are written in the given order.
	Events []Event
}

// Event is one VEVENT of a Calendar.
type Event struct {
	// UID is the permanent, globally unique identifier of the event, e.g.
	// "event-42@ideas.example.org". Calendar applications update the
	// event they already have when the UID matches, and duplicate it when
	// the UID changes.
	UID string
	// Summary is the title (plain text).
	Summary string
	// Description is plain text; newlines are kept.
	Description string
	// Location is the place where people meet (plain text).
	Location string
	// OnlineURL is the link to join online. It becomes a CONFERENCE
	// property (RFC 7986), which Thunderbird and Apple Calendar offer as
	// "join"; since many clients read only LOCATION, it is also the
	// LOCATION of an event with no place, and else the last line of the
	// DESCRIPTION, so that an event with both keeps both everywhere.
	OnlineURL string
	// URL is the absolute URL of the event's page.
	URL string
	// Start is when the event starts. For an all-day event only its date,
	// in its own location, counts.
	Start time.Time
	// End is when a timed event ends (optional). For an all-day event it is
	// the LAST day of the event, inclusive, as people write dates ("27–28
	// June"); the writer turns it into the exclusive end that RFC 5545
	// wants. Zero means a one-day event.
	End time.Time
	// AllDay makes DTSTART/DTEND plain dates, with no time or time zone,
	// so that a day-long meeting in Geneva does not show up as starting the
	// evening before in America.
	AllDay bool
	// Updated is the last change; it becomes DTSTAMP and LAST-MODIFIED, so
	// that clients see edits. Required: using the time of the request
	// instead would make every download look different.
	Updated time.Time
	// Status is "CONFIRMED", "TENTATIVE" or "CANCELLED"; optional.
	Status string
}

const (
	icsUTC  = "20060102T150405Z"
	icsDate = "20060102"
	// icsLineMax is the most octets a physical line may hold, CRLF
	// excluded (RFC 5545 §3.1).
	icsLineMax = 75
)

// WriteICS writes c to w as an iCalendar object with METHOD:PUBLISH.
//
// Lines end with CRLF and are folded at 75 octets without splitting a
// UTF-8 sequence; TEXT values are escaped. Control characters, which RFC
// 5545 does not allow in values, are dropped (CR and CRLF become newlines),
// and invalid UTF-8 becomes U+FFFD. It writes nothing and returns an error
// when an event lacks its UID, Start or Updated, ends before it starts, or
// has an unknown Status.
func WriteICS(w io.Writer, c Calendar) error {
	if strings.TrimSpace(c.ProdID) == "" {
		return errors.New("feeds: calendar has no PRODID")
	}
	var b icsBuilder
	b.line("BEGIN", "VCALENDAR")
	b.line("VERSION", "2.0")
	b.text("PRODID", c.ProdID)
	b.line("CALSCALE", "GREGORIAN")
	b.line("METHOD", "PUBLISH")
	if c.Name != "" {
		b.text("X-WR-CALNAME", c.Name)
	}
	for i, e := range c.Events {
		if err := b.event(e); err != nil {
			return fmt.Errorf("feeds: calendar event %d (%q): %w", i, e.UID, err)
		}
	}
	b.line("END", "VCALENDAR")
	_, err := w.Write(b.buf.Bytes())
	return err
}

func (b *icsBuilder) event(e Event) error {
	if strings.TrimSpace(e.UID) == "" {
		return errors.New("no UID")
	}
	if e.Start.IsZero() {
		return errors.New("no start")
	}
	if e.Updated.IsZero() {
		return errors.New("no Updated time for DTSTAMP")
	}
	status := strings.ToUpper(strings.TrimSpace(e.Status))
	switch status {
	case "", "CONFIRMED", "TENTATIVE", "CANCELLED":
	default:
		return fmt.Errorf("unknown status %q", e.Status)
	}

	b.line("BEGIN", "VEVENT")
	b.text("UID", e.UID)
	b.line("DTSTAMP", e.Updated.UTC().Format(icsUTC))
	if e.AllDay {
		start := dateOf(e.Start)
		last := start
		if !e.End.IsZero() {
			last = dateOf(e.End)
		}
		if last.Before(start) {
			return errors.New("last day before first day")
		}
		// DTEND of a DATE event is exclusive (RFC 5545 §3.6.1): a
		// two-day event on 27–28 June ends on 29 June. AddDate works on
		// the calendar, so 30 June + 1 day is 1 July.
		b.line("DTSTART;VALUE=DATE", start.Format(icsDate))
		b.line("DTEND;VALUE=DATE", last.AddDate(0, 0, 1).Format(icsDate))
	} else {
		b.line("DTSTART", e.Start.UTC().Format(icsUTC))
		if !e.End.IsZero() {
			if e.End.Before(e.Start) {
				return errors.New("end before start")
			}
			b.line("DTEND", e.End.UTC().Format(icsUTC))
		}
	}
	b.line("LAST-MODIFIED", e.Updated.UTC().Format(icsUTC))
	if e.Summary != "" {
		b.text("SUMMARY", e.Summary)
	}
	online := icsURI(e.OnlineURL)
	description, location := e.Description, e.Location
	switch {
	case online == "":
	case strings.TrimSpace(location) == "":
		location = online
	case description == "":
		description = online
	default:
		description += "\n\n" + online
	}
	if description != "" {
		b.text("DESCRIPTION", description)
	}
	if location != "" {
		b.text("LOCATION", location)
	}
	if u := icsURI(e.URL); u != "" {
		b.line("URL", u)
	}
	if online != "" {
		b.line("CONFERENCE;VALUE=URI;FEATURE=VIDEO", online)
	}
	if status != "" {
		b.line("STATUS", status)
	}
	b.line("END", "VEVENT")
	return nil
}

// dateOf keeps the calendar date of t as seen in t's own location: an
// event stored as 27 June 00:00 in Geneva is on 27 June, although it is
// still 26 June in UTC.
func dateOf(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// icsBuilder accumulates content lines in memory, so that WriteICS can
// fail without having written half a calendar.
type icsBuilder struct {
	buf bytes.Buffer
}

// text writes a property whose value type is TEXT, escaped.
func (b *icsBuilder) text(name, value string) {
	b.line(name, escapeText(value))
}

// line writes one content line, folded so that no physical line exceeds 75
// octets. Folding counts bytes, not runes (the limit is in octets, and a
// line of accented letters or emoji is far over it long before 75 runes),
// but never cuts inside a UTF-8 sequence: a client that decodes each
// physical line on its own would otherwise show replacement characters.
func (b *icsBuilder) line(name, value string) {
	s := name + ":" + value
	limit := icsLineMax
	for len(s) > limit {
		cut := limit
		// Back up to the start of a rune. A UTF-8 sequence is at most 4
		// bytes long, so this loop runs at most 3 times.
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		if cut == 0 {
			// Unreachable with valid UTF-8, which escapeText and icsURI
			// guarantee; cutting anyway beats looping forever.
			cut = limit
		}
		b.buf.WriteString(s[:cut])
		b.buf.WriteString("\r\n ")
		s = s[cut:]
		// Continuation lines start with the single space, which counts.
		limit = icsLineMax - 1
	}
	b.buf.WriteString(s)
	b.buf.WriteString("\r\n")
}

// escapeText applies the TEXT escaping of RFC 5545 §3.3.11 after dropping
// what TEXT cannot carry. A raw CR or LF would end the content line and
// let a user-supplied description inject properties, so line breaks all
// become the two characters `\n`.
func escapeText(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	var out strings.Builder
	out.Grow(len(s) + len(s)/8)
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\':
			out.WriteString(`\\`)
		case ';':
			out.WriteString(`\;`)
		case ',':
			out.WriteString(`\,`)
		case '\n':
			out.WriteString(`\n`)
		case '\r':
			out.WriteString(`\n`)
			if i+1 < len(s) && s[i+1] == '\n' {
				i++
			}
		case '\t':
			out.WriteByte(c)
		default:
			// Bytes ≥ 0x80 belong to multi-byte runes and are copied
			// as they are; only ASCII controls are dropped.
			if c < 0x20 || c == 0x7F {
				continue
			}
			out.WriteByte(c)
		}
	}
	return out.String()
}

// icsURI makes a URL safe to put on a content line: URI values are not
// escaped like TEXT, so anything that could end the line or is not allowed
// in a URI anyway (controls, spaces) is removed.
func icsURI(s string) string {
	s = strings.ToValidUTF8(s, "")
	return strings.Map(func(r rune) rune {
		if r <= 0x20 || r == 0x7F {
			return -1
		}
		return r
	}, s)
}
