package feeds

import (
	"errors"
	"io"
	"strconv"
	"strings"
)

// Invitation is an iTIP message (RFC 5546) about one meeting to one
// attendee: METHOD:REQUEST adds the meeting to the attendee's calendar or
// updates the copy it has (same UID, higher SEQUENCE); METHOD:CANCEL
// removes it.
type Invitation struct {
	ProdID string
	// Cancel makes it a METHOD:CANCEL with STATUS:CANCELLED.
	Cancel bool
	// Event is the meeting; its UID must stay the same across updates.
	Event Event
	// Sequence rises with each change attendees are told about.
	Sequence int
	// Organizer is who sends it: a name and an address.
	OrganizerName, OrganizerEmail string
	// The attendee the invitation is for.
	AttendeeName, AttendeeEmail string
}

// WriteInvitation writes inv as an iCalendar object. Like WriteICS it
// writes nothing when something required is missing.
func WriteInvitation(w io.Writer, inv Invitation) error {
	e := inv.Event
	switch {
	case strings.TrimSpace(inv.ProdID) == "":
		return errors.New("feeds: invitation has no PRODID")
	case strings.TrimSpace(e.UID) == "" || e.Start.IsZero() || e.Updated.IsZero():
		return errors.New("feeds: invitation needs a UID, a start and an Updated time")
	case inv.OrganizerEmail == "" || inv.AttendeeEmail == "":
		return errors.New("feeds: invitation needs an organizer and an attendee")
	case !e.End.IsZero() && e.End.Before(e.Start):
		return errors.New("feeds: invitation ends before it starts")
	}
	method, status := "REQUEST", "CONFIRMED"
	if inv.Cancel {
		method, status = "CANCEL", "CANCELLED"
	}
	var b icsBuilder
	b.line("BEGIN", "VCALENDAR")
	b.line("VERSION", "2.0")
	b.text("PRODID", inv.ProdID)
	b.line("CALSCALE", "GREGORIAN")
	b.line("METHOD", method)
	b.line("BEGIN", "VEVENT")
	b.text("UID", e.UID)
	b.line("SEQUENCE", strconv.Itoa(inv.Sequence))
	b.line("DTSTAMP", e.Updated.UTC().Format(icsUTC))
	if e.AllDay {
		start, last := dateOf(e.Start), dateOf(e.Start)
		if !e.End.IsZero() {
			last = dateOf(e.End)
		}
		b.line("DTSTART;VALUE=DATE", start.Format(icsDate))
		b.line("DTEND;VALUE=DATE", last.AddDate(0, 0, 1).Format(icsDate))
	} else {
		b.line("DTSTART", e.Start.UTC().Format(icsUTC))
		if !e.End.IsZero() {
			b.line("DTEND", e.End.UTC().Format(icsUTC))
		}
	}
	b.line("LAST-MODIFIED", e.Updated.UTC().Format(icsUTC))
	if e.Summary != "" {
		b.text("SUMMARY", e.Summary)
	}
	if e.Description != "" {
		b.text("DESCRIPTION", e.Description)
	}
	if e.Location != "" {
		b.text("LOCATION", e.Location)
	}
	if u := icsURI(e.URL); u != "" {
		b.line("URL", u)
	}
	b.line("ORGANIZER;CN="+paramValue(inv.OrganizerName), "mailto:"+icsURI(inv.OrganizerEmail))
	partstat := "ACCEPTED"
	if inv.Cancel {
		partstat = "DECLINED"
	}
	b.line("ATTENDEE;CN="+paramValue(inv.AttendeeName)+";ROLE=REQ-PARTICIPANT;PARTSTAT="+partstat+";RSVP=FALSE",
		"mailto:"+icsURI(inv.AttendeeEmail))
	b.line("STATUS", status)
	b.line("END", "VEVENT")
	b.line("END", "VCALENDAR")
	_, err := w.Write(b.buf.Bytes())
	return err
}

// paramValue quotes a parameter value (RFC 5545 §3.2): it may not hold a
// double quote or a control character, which are dropped.
func paramValue(s string) string {
	s = strings.Map(func(r rune) rune {
		if r == '"' || r < 0x20 || r == 0x7F {
			return -1
		}
		return r
	}, strings.ToValidUTF8(s, ""))
	return `"` + s + `"`
}
