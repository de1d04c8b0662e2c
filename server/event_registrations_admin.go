package server

import (
	"encoding/csv"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"ideasx/store"
)

// The organisers' side of registration: the list (page, CSV, printable
// sign-in sheet), the settings, messages to registrants, check-in from the
// list, and cancelling the meeting. Organisers are the moderators, who
// curate events (SPEC §1).

// organisedEvent loads the event of an organisers' page ({id}); it has
// answered when ok is false.
func (s *Server) organisedEvent(w http.ResponseWriter, r *http.Request) (*store.Event, bool) {
	id, ok := pathID(r)
	return s.visibleEvent(w, r, id, ok)
}

type registrationRow struct {
	store.Registration
	WaitingPos int
}

func (s *Server) registrationRows(r *http.Request, eventID int64) ([]registrationRow, error) {
	regs, err := s.store.EventRegistrations(r.Context(), eventID)
	if err != nil {
		return nil, err
	}
	rows := make([]registrationRow, len(regs))
	pos := 0
	for i, reg := range regs {
		rows[i].Registration = reg
		if reg.Status == store.RegistrationWaiting {
			pos++
			rows[i].WaitingPos = pos
		}
	}
	return rows, nil
}

// registrationList is the event's registrations with their counts, for the
// organisers' page and the API.
func (s *Server) registrationList(r *http.Request, eventID int64) ([]registrationRow, store.RegistrationCounts, error) {
	rows, err := s.registrationRows(r, eventID)
	if err != nil {
		return nil, store.RegistrationCounts{}, err
	}
	counts, err := s.store.CountRegistrations(r.Context(), eventID)
	if err != nil {
		return nil, store.RegistrationCounts{}, err
	}
	return rows, counts, nil
}

func (s *Server) eventRegistrationsShow(w http.ResponseWriter, r *http.Request) {
	e, ok := s.organisedEvent(w, r)
	if !ok {
		return
	}
	v, ok := s.settingsFormView(w, r, e)
	if !ok {
		return
	}
	s.renderRegistrations(w, r, v, e, http.StatusOK)
}

func (s *Server) renderRegistrations(w http.ResponseWriter, r *http.Request, v *view, e *store.Event, status int) {
	topic := store.EventTopic(e.ID)
	// Read before the list, so that a change between the two is replayed, not lost.
	seq, err := s.store.TopicSeq(r.Context(), topic)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	rows, counts, err := s.registrationList(r, e.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	rs, err := s.store.RegistrationSettingsOf(r.Context(), e.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	v.Data = map[string]any{"Event": e, "Rows": rows, "Counts": counts, "Settings": rs, "Loc": e.Location(), "LiveTopic": topic, "LiveSeq": seq}
	s.render(w, r, status, "event_registrations", v)
}

// settingsFormView is the organisers' page view with the settings form
// filled in; it has answered when ok is false.
func (s *Server) settingsFormView(w http.ResponseWriter, r *http.Request, e *store.Event) (*view, bool) {
	v := s.newView(w, r, "registrations_title")
	rs, err := s.store.RegistrationSettingsOf(r.Context(), e.ID)
	if err != nil {
		s.serverError(w, r, err)
		return nil, false
	}
	fillSettingsForm(v, e, rs)
	return v, true
}

// fillSettingsForm shows rs in the settings form, times in the meeting's zone.
func fillSettingsForm(v *view, e *store.Event, rs *store.RegistrationSettings) {
	set := func(name string, on bool) {
		if on {
			v.Form.Set(name, "1")
		}
	}
	set("enabled", rs.Enabled)
	set("open_visitors", rs.OpenVisitors)
	set("open_businesses", rs.OpenBusinesses)
	set("open_members", rs.OpenMembers)
	set("ask_organisation", rs.AskOrganisation)
	set("ask_attendance", rs.AskAttendance)
	set("ask_interpretation", rs.AskInterpretation)
	set("ask_accessibility", rs.AskAccessibility)
	if rs.Deadline != nil {
		v.Form.Set("deadline", rs.Deadline.In(e.Location()).Format("2006-01-02T15:04"))
	}
	v.Form.Set("capacity", strconv.Itoa(rs.Capacity))
	v.Form.Set("link_reveal_minutes", strconv.Itoa(rs.LinkRevealMinutes))
}

// readSettingsForm checks the settings form (and the API's same fields).
func readSettingsForm(f *form, e *store.Event) *store.RegistrationSettings {
	on := func(name string) bool { v := f.values.Get(name); return v == "1" || v == "true" || v == "on" }
	rs := &store.RegistrationSettings{EventID: e.ID, Enabled: on("enabled"),
		OpenVisitors: on("open_visitors"), OpenBusinesses: on("open_businesses"), OpenMembers: on("open_members"),
		AskOrganisation: on("ask_organisation"), AskAttendance: on("ask_attendance"),
		AskInterpretation: on("ask_interpretation"), AskAccessibility: on("ask_accessibility")}
	if strings.TrimSpace(f.values.Get("deadline")) != "" {
		d := f.localTime("deadline", e.Location())
		if !d.IsZero() {
			rs.Deadline = &d
		}
	}
	rs.Capacity = f.count("capacity", 100000)
	rs.LinkRevealMinutes = f.count("link_reveal_minutes", 7*24*60)
	if strings.TrimSpace(f.values.Get("link_reveal_minutes")) == "" {
		rs.LinkRevealMinutes = store.DefaultLinkReveal
	}
	if rs.Enabled && !rs.OpenVisitors && !rs.OpenBusinesses && !rs.OpenMembers {
		f.fail("open_visitors", "registration_error_nobody")
	}
	return rs
}

// count reads an optional whole number from 0 to max (empty is 0).
func (f *form) count(name string, max int) int {
	v := strings.TrimSpace(f.values.Get(name))
	if v == "" {
		return 0
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 || n > max {
		f.fail(name, "error_count", "Max", max)
		return 0
	}
	return n
}

// saveRegistrationSettings saves what the page's or the API's form holds.
// Fewer seats than people holding one is the capacity field's error, and
// nothing is saved; once saved, the mailer wakes, as raising the seats may
// have promoted people from the waiting list.
func (s *Server) saveRegistrationSettings(r *http.Request, f *form, rs *store.RegistrationSettings) error {
	err := s.store.SaveRegistrationSettings(r.Context(), currentUser(r).ID, rs)
	var capErr *store.CapacityError
	if errors.As(err, &capErr) {
		f.fail("capacity", "registration_error_capacity", "Count", capErr.Confirmed)
		return nil
	}
	if err == nil {
		s.mailer.wake()
	}
	return err
}

func (s *Server) eventRegistrationSettingsSave(w http.ResponseWriter, r *http.Request) {
	e, ok := s.organisedEvent(w, r)
	if !ok {
		return
	}
	f := s.parseForm(w, r)
	if f == nil {
		return
	}
	rs := readSettingsForm(f, e)
	if s.savedForm(w, r, f, func() error { return s.saveRegistrationSettings(r, f, rs) },
		func() { s.redirectWithFlash(w, r, registrationsURL(e), "flash_registration_settings_saved") }) {
		return
	}
	v := s.newView(w, r, "registrations_title")
	v.Form, v.Errors = f.values, f.errors
	s.renderRegistrations(w, r, v, e, http.StatusUnprocessableEntity)
}

func registrationsURL(e *store.Event) string {
	return fmt.Sprintf("/moderation/events/%d/registrations", e.ID)
}

// eventRegistrationRow loads the registration {rid} of the organisers' event.
func (s *Server) eventRegistrationRow(w http.ResponseWriter, r *http.Request, e *store.Event) (*store.Registration, bool) {
	rid, err := parseID(r.PathValue("rid"))
	if err != nil {
		s.notFound(w, r)
		return nil, false
	}
	reg, err := s.store.RegistrationByID(r.Context(), rid)
	if errors.Is(err, store.ErrNotFound) || (err == nil && reg.EventID != e.ID) {
		s.notFound(w, r)
		return nil, false
	}
	if err != nil {
		s.serverError(w, r, err)
		return nil, false
	}
	return reg, true
}

// organisedRegistrationPost loads the event and the registration {rid} of
// an organisers' form post, after checking the form; it has answered when
// ok is false.
func (s *Server) organisedRegistrationPost(w http.ResponseWriter, r *http.Request) (*store.Event, *store.Registration, bool) {
	e, ok := s.organisedEvent(w, r)
	if !ok {
		return nil, nil, false
	}
	if f := s.parseForm(w, r); f == nil {
		return nil, nil, false
	}
	reg, ok := s.eventRegistrationRow(w, r, e)
	if !ok {
		return nil, nil, false
	}
	return e, reg, true
}

func (s *Server) eventRegistrationCheckIn(w http.ResponseWriter, r *http.Request) {
	e, reg, ok := s.organisedRegistrationPost(w, r)
	if !ok {
		return
	}
	_, _, err := s.store.CheckIn(r.Context(), currentUser(r).ID, reg.ID)
	switch {
	case errors.Is(err, store.ErrNotConfirmed):
		s.fail(w, r, http.StatusConflict, "not_confirmed", "checkin_not_confirmed")
	case err != nil:
		s.serverError(w, r, err)
	default:
		s.redirectWithFlash(w, r, registrationsURL(e)+"#reg-"+itoa64(reg.ID), "flash_checked_in")
	}
}

func (s *Server) eventRegistrationCancelByOrganiser(w http.ResponseWriter, r *http.Request) {
	e, reg, ok := s.organisedRegistrationPost(w, r)
	if !ok {
		return
	}
	if _, _, err := s.store.CancelRegistration(r.Context(), currentUser(r).ID, reg.ID); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.mailer.wake()
	s.redirectWithFlash(w, r, registrationsURL(e), "flash_registration_cancelled")
}

func (s *Server) eventRegistrantsMessage(w http.ResponseWriter, r *http.Request) {
	e, ok := s.organisedEvent(w, r)
	if !ok {
		return
	}
	f := s.parseForm(w, r)
	if f == nil {
		return
	}
	subject := f.text("subject", true, 200)
	body := f.multiline("body", 20000)
	if body == "" {
		f.fail("body", "error_required")
	}
	if f.ok() {
		n, err := s.store.MessageRegistrants(r.Context(), currentUser(r).ID, e.ID, subject, body, f.values.Get("waiting") == "1")
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		s.mailer.wake()
		s.setFlash(w, "flash_message_queued")
		http.Redirect(w, r, registrationsURL(e)+"?sent="+strconv.Itoa(n), http.StatusSeeOther)
		return
	}
	v, ok := s.settingsFormView(w, r, e)
	if !ok {
		return
	}
	for k, vals := range f.values {
		v.Form[k] = vals
	}
	v.Errors = f.errors
	s.renderRegistrations(w, r, v, e, http.StatusUnprocessableEntity)
}

func (s *Server) eventCancel(w http.ResponseWriter, r *http.Request) {
	e, ok := s.organisedEvent(w, r)
	if !ok {
		return
	}
	f := s.parseForm(w, r)
	if f == nil {
		return
	}
	if f.values.Get("confirm") != "1" {
		// The box is required in the browser; a request without it is refused all the same.
		v, ok := s.settingsFormView(w, r, e)
		if !ok {
			return
		}
		v.Errors = map[string]string{"confirm": v.T("event_cancel_unconfirmed")}
		s.renderRegistrations(w, r, v, e, http.StatusUnprocessableEntity)
		return
	}
	if err := s.store.CancelEvent(r.Context(), currentUser(r).ID, e.ID); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.mailer.wake()
	s.redirectWithFlash(w, r, eventURL(e), "flash_event_cancelled")
}

// eventRegistrationsCSV is the list for a spreadsheet: one row per
// registration, the answers to the questions, the status and check-in.
func (s *Server) eventRegistrationsCSV(w http.ResponseWriter, r *http.Request) {
	e, ok := s.organisedEvent(w, r)
	if !ok {
		return
	}
	rows, err := s.registrationRows(r, e.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	l := s.localizer(r)
	loc := e.Location()
	stamp := func(t *time.Time) string {
		if t == nil {
			return ""
		}
		return t.In(loc).Format("2006-01-02 15:04")
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="registrations-%d.csv"`, e.ID))
	w.Header().Set("Cache-Control", "private, no-store")
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{l.T("field_name"), l.T("field_email"), l.T("registration_status"), l.T("registration_waiting_position"),
		l.T("registration_q_organisation"), l.T("registration_kind"), l.T("field_country"), l.T("registration_q_attendance"),
		l.T("registration_q_interpretation"), l.T("registration_q_accessibility"), l.T("registration_registered_at"), l.T("registration_checked_in_at")})
	for _, row := range rows {
		pos := ""
		if row.WaitingPos > 0 {
			pos = strconv.Itoa(row.WaitingPos)
		}
		_ = cw.Write([]string{csvSafe(row.Name), row.Email, l.T("registration_status_" + string(row.Status)), pos,
			csvSafe(row.Organisation), row.OrgKind, row.Country, row.Attendance, row.Interpretation, csvSafe(row.Accessibility),
			stamp(&row.CreatedAt), stamp(row.CheckedInAt)})
	}
	cw.Flush()
}

// csvSafe keeps a spreadsheet from reading a registrant's answer as a
// formula (CSV injection): a leading =, +, - or @ is quoted away.
func csvSafe(v string) string {
	if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
		return "'" + v
	}
	return v
}

// eventSignInSheet is the printable list to sign at the door.
func (s *Server) eventSignInSheet(w http.ResponseWriter, r *http.Request) {
	e, ok := s.organisedEvent(w, r)
	if !ok {
		return
	}
	rows, err := s.registrationRows(r, e.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	var seats []registrationRow
	for _, row := range rows {
		if row.Status == store.RegistrationConfirmed {
			seats = append(seats, row)
		}
	}
	v := s.newView(w, r, "signin_sheet_title")
	v.Data = map[string]any{"Event": e, "Rows": seats}
	s.render(w, r, http.StatusOK, "event_signin_sheet", v)
}
