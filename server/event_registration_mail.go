package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	netmail "net/mail"

	"ideasx/server/feeds"
	"ideasx/server/i18n"
	"ideasx/server/mail"
	"ideasx/server/markdown"
	"ideasx/store"
)

// registrationMailData is what the registration mail templates show.
type registrationMailData struct {
	Lead       string
	EventTitle string
	EventURL   string
	When       string
	Place      string
	// OnlineURL only when the registrant holds a seat and it is time.
	OnlineURL string
	// OnlineFrom says when the link will appear, when there is one and it is not yet time.
	OnlineFrom string
	ManageURL  string
	// Message is the organisers' message, as text and as sanitised HTML.
	Message     string
	MessageHTML template.HTML
	Invitation  bool
}

// registrationMailText are, per kind, the ids of its subject and lead.
var registrationMailText = map[string][2]string{
	store.RegMailConfirmed:      {"mail_reg_confirmed_subject", "mail_reg_confirmed_lead"},
	store.RegMailWaiting:        {"mail_reg_waiting_subject", "mail_reg_waiting_lead"},
	store.RegMailPromoted:       {"mail_reg_promoted_subject", "mail_reg_promoted_lead"},
	store.RegMailCancelled:      {"mail_reg_cancelled_subject", "mail_reg_cancelled_lead"},
	store.RegMailUpdated:        {"mail_reg_updated_subject", "mail_reg_updated_lead"},
	store.RegMailEventCancelled: {"mail_reg_event_cancelled_subject", "mail_reg_event_cancelled_lead"},
	store.RegMailReminder:       {"mail_reg_reminder_subject", "mail_reg_reminder_lead"},
	store.RegMailMessage:        {"mail_reg_message_subject", "mail_reg_message_lead"},
}

// registrationMail builds, at send time, a mail to a meeting's registrant;
// ok is false when it no longer applies (the registration cancelled since,
// the meeting deleted).
func (s *Server) registrationMail(ctx context.Context, om *store.OutboxMail) (m mail.Message, ok bool, err error) {
	var p store.RegistrationMailPayload
	if err := json.Unmarshal([]byte(om.Payload), &p); err != nil {
		return m, false, fmt.Errorf("registration mail %d: %w", om.ID, err)
	}
	ids, known := registrationMailText[p.What]
	if !known {
		return m, false, fmt.Errorf("registration mail %d: unknown kind %q", om.ID, p.What)
	}
	reg, err := s.store.RegistrationByID(ctx, p.RegistrationID)
	if errors.Is(err, store.ErrNotFound) {
		return m, false, nil
	}
	if err != nil {
		return m, false, err
	}
	// What went with a seat goes only to who still holds it.
	switch p.What {
	case store.RegMailConfirmed, store.RegMailPromoted, store.RegMailUpdated, store.RegMailReminder:
		if reg.Status != store.RegistrationConfirmed {
			return m, false, nil
		}
	case store.RegMailWaiting:
		if reg.Status != store.RegistrationWaiting {
			return m, false, nil
		}
	case store.RegMailMessage:
		if !reg.Active() {
			return m, false, nil
		}
	}
	e, err := s.store.EventByID(ctx, reg.EventID, store.Access{Members: true, Curator: true})
	if errors.Is(err, store.ErrNotFound) {
		return m, false, nil
	}
	if err != nil {
		return m, false, err
	}
	if e.CancelledAt != nil && p.What != store.RegMailEventCancelled && p.What != store.RegMailCancelled {
		return m, false, nil
	}
	rs, err := s.store.RegistrationSettingsOf(ctx, e.ID)
	if err != nil {
		return m, false, err
	}
	l := s.tr.For(reg.Locale)
	manage, err := s.registrationPageURL(ctx, reg.ID)
	if err != nil {
		return m, false, err
	}
	loc := e.Location()
	args := []any{"Event", e.Title, "Subject", p.Subject}
	data := registrationMailData{
		Lead: l.T(ids[1], args...), EventTitle: e.Title, EventURL: s.cfg.BaseURL + eventURL(e),
		When: eventWhen(l, e), Place: e.Place, ManageURL: s.cfg.BaseURL + manage,
	}
	if p.What == store.RegMailMessage {
		data.Message = p.Body
		data.MessageHTML = markdown.Render(p.Body)
	}
	holdsSeat := reg.Status == store.RegistrationConfirmed && e.CancelledAt == nil
	if holdsSeat && e.OnlineURL != "" {
		if !s.store.Now().Before(rs.LinkRevealAt(e)) {
			data.OnlineURL = e.OnlineURL
		} else {
			data.OnlineFrom = l.DateTime(rs.LinkRevealAt(e), loc)
		}
	}
	msg := &mailView{Localizer: l, Subject: l.T(ids[0], args...), Name: reg.Name, Data: &data}
	var calendar, method string
	switch p.What {
	case store.RegMailConfirmed, store.RegMailPromoted, store.RegMailUpdated:
		calendar, method, err = s.invitation(l, e, reg, rs.ICSSequence, false)
	case store.RegMailCancelled, store.RegMailEventCancelled:
		calendar, method, err = s.invitation(l, e, reg, rs.ICSSequence, true)
	}
	if err != nil {
		return m, false, err
	}
	data.Invitation = calendar != ""
	m, err = s.renderMail("event_registration", reg.Email, msg)
	if err != nil {
		return m, false, err
	}
	m.Calendar, m.CalendarMethod = calendar, method
	return m, true, nil
}

// eventWhen is a meeting's date and time as its page gives them.
func eventWhen(l *i18n.Localizer, e *store.Event) string {
	loc := e.Location()
	if e.AllDay {
		first, last := l.Date(e.StartsAt.In(loc)), l.Date(e.EndsAt.In(loc))
		if first == last {
			return first
		}
		return first + " – " + last
	}
	return l.TimeRange(e.StartsAt, e.EndsAt, loc) + " (" + e.Timezone + ")"
}

// eventUID is a meeting's iCalendar UID, the same in the calendar feed and
// in every invitation, so that clients update the one copy they have.
func (s *Server) eventUID(e *store.Event) string {
	return fmt.Sprintf("event-%d@%s", e.ID, s.cfg.Domain())
}

// invitation writes the iCalendar invitation of reg to e (or its
// withdrawal). It never carries the online link: a calendar keeps and
// syncs what it is given, and the link is shown from a set time only.
func (s *Server) invitation(l *i18n.Localizer, e *store.Event, reg *store.Registration, seq int, cancel bool) (string, string, error) {
	from, err := netmail.ParseAddress(s.cfg.MailFrom)
	if err != nil {
		return "", "", fmt.Errorf("invitation: organizer address: %w", err)
	}
	ev := feeds.Event{UID: s.eventUID(e), Summary: e.Title, Description: markdown.Excerpt(e.Programme, 2000),
		Location: e.Place, URL: s.cfg.BaseURL + eventURL(e), Start: e.StartsAt, End: e.EndsAt, AllDay: e.AllDay, Updated: s.store.Now()}
	if e.AllDay {
		loc := e.Location()
		ev.Start, ev.End = dayOf(e.StartsAt.In(loc)), dayOf(e.EndsAt.In(loc))
	}
	name := from.Name
	if name == "" {
		name = l.T("site_name")
	}
	inv := feeds.Invitation{ProdID: "-//Ideas Exchange//ideasx//EN", Cancel: cancel, Event: ev, Sequence: seq,
		OrganizerName: name, OrganizerEmail: from.Address, AttendeeName: reg.Name, AttendeeEmail: reg.Email}
	var b bytes.Buffer
	if err := feeds.WriteInvitation(&b, inv); err != nil {
		return "", "", err
	}
	method := "REQUEST"
	if cancel {
		method = "CANCEL"
	}
	return b.String(), method, nil
}
