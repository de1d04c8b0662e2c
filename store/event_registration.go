package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
)

// RegistrationSettings are what a meeting's organisers chose about
// registering for it. A meeting without a row has registration off.
type RegistrationSettings struct {
	EventID int64 `db:"event_id" json:"-"`
	Enabled bool  `db:"enabled" json:"enabled"`
	// Who may register: visitors (no account, or one not yet approved),
	// businesses, and members (delegations, observers and the secretariat).
	OpenVisitors   bool       `db:"open_visitors" json:"open_visitors"`
	OpenBusinesses bool       `db:"open_businesses" json:"open_businesses"`
	OpenMembers    bool       `db:"open_members" json:"open_members"`
	Deadline       *time.Time `db:"deadline" json:"deadline"`
	// Capacity is the number of seats; 0 means no limit. Past it people
	// join the waiting list.
	Capacity          int  `db:"capacity" json:"capacity"`
	AskOrganisation   bool `db:"ask_organisation" json:"ask_organisation"`
	AskAttendance     bool `db:"ask_attendance" json:"ask_attendance"`
	AskInterpretation bool `db:"ask_interpretation" json:"ask_interpretation"`
	AskAccessibility  bool `db:"ask_accessibility" json:"ask_accessibility"`
	// LinkRevealMinutes is how long before the start the online link is
	// shown to those holding a seat.
	LinkRevealMinutes int       `db:"link_reveal_minutes" json:"link_reveal_minutes"`
	ICSSequence       int       `db:"ics_sequence" json:"-"`
	UpdatedAt         time.Time `db:"updated_at" json:"-"`
}

// DefaultLinkReveal is when the online link appears when organisers say nothing.
const DefaultLinkReveal = 60

// RegistrantKind is who registers, as the settings open registration to.
type RegistrantKind string

const (
	RegistrantVisitor  RegistrantKind = "visitor"
	RegistrantBusiness RegistrantKind = "business"
	RegistrantMember   RegistrantKind = "member"
)

// RegistrantKindOf is the kind u registers as (nil: a visitor). An
// account awaiting approval registers as a visitor would.
func RegistrantKindOf(u *User) RegistrantKind {
	if !u.Active() {
		return RegistrantVisitor
	}
	switch u.Role {
	case RoleBusiness:
		return RegistrantBusiness
	case RoleMember, RoleModerator, RoleAdmin:
		return RegistrantMember
	}
	return RegistrantVisitor
}

// OpenTo reports whether people of kind k may register.
func (rs *RegistrationSettings) OpenTo(k RegistrantKind) bool {
	switch k {
	case RegistrantVisitor:
		return rs.OpenVisitors
	case RegistrantBusiness:
		return rs.OpenBusinesses
	case RegistrantMember:
		return rs.OpenMembers
	}
	return false
}

// LinkRevealAt is when people holding a seat see the online link of e.
func (rs *RegistrationSettings) LinkRevealAt(e *Event) time.Time {
	return e.StartsAt.Add(-time.Duration(rs.LinkRevealMinutes) * time.Minute)
}

// RegistrationStatus is where a registration stands.
type RegistrationStatus string

const (
	RegistrationConfirmed RegistrationStatus = "confirmed"
	RegistrationWaiting   RegistrationStatus = "waiting"
	RegistrationCancelled RegistrationStatus = "cancelled"
)

// Attendance answers, when organisers ask how people attend.
const (
	AttendInPerson = "in_person"
	AttendOnline   = "online"
)

// Registration is one person's registration for a meeting.
type Registration struct {
	ID      int64              `db:"id" json:"id"`
	EventID int64              `db:"event_id" json:"event_id"`
	UserID  *int64             `db:"user_id" json:"user_id"`
	Name    string             `db:"name" json:"name"`
	Email   string             `db:"email" json:"email"`
	Locale  string             `db:"locale" json:"locale"`
	Status  RegistrationStatus `db:"status" json:"status"`
	// OrgKind and Country are the registrant's when they registered ("" for visitors).
	OrgKind        string     `db:"org_kind" json:"org_kind"`
	Country        string     `db:"country" json:"country"`
	Organisation   string     `db:"organisation" json:"organisation"`
	Attendance     string     `db:"attendance" json:"attendance"`
	Interpretation string     `db:"interpretation" json:"interpretation"`
	Accessibility  string     `db:"accessibility" json:"accessibility"`
	CreatedAt      time.Time  `db:"created_at" json:"created_at"`
	UpdatedAt      time.Time  `db:"updated_at" json:"updated_at"`
	CancelledAt    *time.Time `db:"cancelled_at" json:"cancelled_at"`
	CheckedInAt    *time.Time `db:"checked_in_at" json:"checked_in_at"`
	CheckedInBy    *int64     `db:"checked_in_by" json:"-"`
	ReminderSentAt *time.Time `db:"reminder_sent_at" json:"-"`
}

// Active reports whether the registration holds a seat or a place in the queue.
func (r *Registration) Active() bool { return r.Status != RegistrationCancelled }

// Errors of registering, each a message of its own to the person.
var (
	// ErrRegistrationClosed: registration is off, the meeting has
	// started or was cancelled.
	ErrRegistrationClosed = errors.New("registration closed")
	// ErrRegistrationDeadline: the deadline has passed.
	ErrRegistrationDeadline = errors.New("registration deadline passed")
	// ErrRegistrationNotOpen: not open to the person's kind.
	ErrRegistrationNotOpen = errors.New("registration not open to this kind of participant")
	// ErrNotConfirmed: checking in someone without a seat.
	ErrNotConfirmed = errors.New("registration holds no seat")
)

// CapacityError refuses a capacity below the seats already taken.
type CapacityError struct{ Confirmed int }

func (e *CapacityError) Error() string {
	return fmt.Sprintf("capacity below the %d seats taken", e.Confirmed)
}

const registrationColumns = `r.id, r.event_id, r.user_id, r.name, r.email, r.locale, r.status, r.org_kind, r.country, r.organisation,
	r.attendance, r.interpretation, r.accessibility, r.created_at, r.updated_at, r.cancelled_at, r.checked_in_at, r.checked_in_by, r.reminder_sent_at`

// RegistrationSettingsOf returns event eventID's settings, or registration
// off with the defaults when none were saved.
func (s *Store) RegistrationSettingsOf(ctx context.Context, eventID int64) (*RegistrationSettings, error) {
	return s.registrationSettings(ctx, s.db, eventID, false)
}

func (s *Store) registrationSettings(ctx context.Context, q querier, eventID int64, lock bool) (*RegistrationSettings, error) {
	suffix := ""
	if lock && s.dialect.name() == "postgres" {
		// One registration, cancellation or change of capacity at a time
		// per meeting, so that two last seats are not both given away.
		// SQLite's transactions already write one at a time.
		suffix = " FOR UPDATE"
	}
	var rs RegistrationSettings
	err := s.get(ctx, q, &rs, `SELECT event_id, enabled, open_visitors, open_businesses, open_members, deadline, capacity,
		ask_organisation, ask_attendance, ask_interpretation, ask_accessibility, link_reveal_minutes, ics_sequence, updated_at
		FROM event_registration_settings WHERE event_id = ?`+suffix, eventID)
	if errors.Is(err, ErrNotFound) {
		return &RegistrationSettings{EventID: eventID, LinkRevealMinutes: DefaultLinkReveal}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("registration settings: %w", err)
	}
	return &rs, nil
}

// SaveRegistrationSettings saves rs. A capacity below the seats already
// taken is refused with a *CapacityError and changes nothing; a larger one
// gives the new seats to the waiting list, in its order, at once.
func (s *Store) SaveRegistrationSettings(ctx context.Context, actorID int64, rs *RegistrationSettings) error {
	if rs.Capacity < 0 || rs.LinkRevealMinutes < 0 {
		return fmt.Errorf("registration settings: negative number")
	}
	now := s.now()
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		var exists int
		if err := s.get(ctx, tx, &exists, `SELECT COUNT(*) FROM events WHERE id = ?`, rs.EventID); err != nil {
			return fmt.Errorf("registration settings: %w", err)
		}
		if exists == 0 {
			return fmt.Errorf("registration settings: %w", ErrNotFound)
		}
		before, err := s.registrationSettings(ctx, tx, rs.EventID, true)
		if err != nil {
			return err
		}
		confirmed, err := s.countRegistrations(ctx, tx, rs.EventID, RegistrationConfirmed)
		if err != nil {
			return err
		}
		if rs.Capacity > 0 && rs.Capacity < confirmed {
			return &CapacityError{Confirmed: confirmed}
		}
		var deadline any
		if rs.Deadline != nil {
			deadline = rs.Deadline.UTC()
		}
		rs.ICSSequence, rs.UpdatedAt = before.ICSSequence, now
		if _, err := s.exec(ctx, tx, `INSERT INTO event_registration_settings (event_id, enabled, open_visitors, open_businesses, open_members,
				deadline, capacity, ask_organisation, ask_attendance, ask_interpretation, ask_accessibility, link_reveal_minutes, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (event_id) DO UPDATE SET enabled = excluded.enabled, open_visitors = excluded.open_visitors,
				open_businesses = excluded.open_businesses, open_members = excluded.open_members, deadline = excluded.deadline,
				capacity = excluded.capacity, ask_organisation = excluded.ask_organisation, ask_attendance = excluded.ask_attendance,
				ask_interpretation = excluded.ask_interpretation, ask_accessibility = excluded.ask_accessibility,
				link_reveal_minutes = excluded.link_reveal_minutes, updated_at = excluded.updated_at`,
			rs.EventID, rs.Enabled, rs.OpenVisitors, rs.OpenBusinesses, rs.OpenMembers, deadline, rs.Capacity,
			rs.AskOrganisation, rs.AskAttendance, rs.AskInterpretation, rs.AskAccessibility, rs.LinkRevealMinutes, now); err != nil {
			return fmt.Errorf("save registration settings: %w", err)
		}
		if _, err := s.promoteWaiting(ctx, tx, rs.EventID, rs.Capacity, confirmed); err != nil {
			return err
		}
		if err := s.registrationChanged(ctx, tx, rs.EventID); err != nil {
			return err
		}
		return s.audit(ctx, tx, AuditEntry{ActorID: actorID, Action: "event.registration_settings", TargetType: "event", TargetID: rs.EventID,
			Before: map[string]any{"enabled": before.Enabled, "capacity": before.Capacity, "deadline": before.Deadline},
			After:  map[string]any{"enabled": rs.Enabled, "capacity": rs.Capacity, "deadline": rs.Deadline}})
	})
}

// registrationChanged tells the meeting's live readers that its
// registrations changed: the event carries no more than that (no name, no
// count), and each page fetches its part again with its reader's rights.
func (s *Store) registrationChanged(ctx context.Context, q querier, eventID int64) error {
	return s.emit(ctx, q, EventTopic(eventID), EventChanged, map[string]any{"event_id": eventID, "part": "registration"})
}

func (s *Store) countRegistrations(ctx context.Context, q querier, eventID int64, status RegistrationStatus) (int, error) {
	var n int
	if err := s.get(ctx, q, &n, `SELECT COUNT(*) FROM event_registrations WHERE event_id = ? AND status = ?`, eventID, status); err != nil {
		return 0, fmt.Errorf("count registrations: %w", err)
	}
	return n, nil
}

// promoteWaiting gives free seats (capacity 0: all) to the waiting list in
// the order people joined it, telling each by mail, and returns them.
func (s *Store) promoteWaiting(ctx context.Context, tx *sqlx.Tx, eventID int64, capacity, confirmed int) ([]Registration, error) {
	limit := capacity - confirmed
	if capacity == 0 {
		limit = -1
	}
	if limit == 0 {
		return nil, nil
	}
	var waiting []Registration
	q := `SELECT ` + registrationColumns + ` FROM event_registrations r WHERE r.event_id = ? AND r.status = 'waiting' ORDER BY r.created_at, r.id`
	args := []any{eventID}
	if limit > 0 {
		q += ` LIMIT ?`
		args = append(args, limit)
	}
	if err := s.selectAll(ctx, tx, &waiting, q, args...); err != nil {
		return nil, fmt.Errorf("waiting list: %w", err)
	}
	now := s.now()
	for i := range waiting {
		r := &waiting[i]
		if _, err := s.exec(ctx, tx, `UPDATE event_registrations SET status = 'confirmed', updated_at = ? WHERE id = ?`, now, r.ID); err != nil {
			return nil, fmt.Errorf("promote: %w", err)
		}
		r.Status, r.UpdatedAt = RegistrationConfirmed, now
		if err := s.queueRegistrationMail(ctx, tx, r, RegMailPromoted, nil); err != nil {
			return nil, err
		}
	}
	return waiting, nil
}

// Register records r for its event: a seat when one is free, else a place
// on the waiting list (r.Status says which). kind is who registers, as the
// settings open registration to. Errors: ErrNotFound (no such event),
// ErrRegistrationClosed, ErrRegistrationDeadline, ErrRegistrationNotOpen,
// and ErrConflict when the person (account or address) already holds a
// registration for it. The confirmation mail is queued with it.
func (s *Store) Register(ctx context.Context, r *Registration, kind RegistrantKind) error {
	now := s.now()
	r.Email = strings.ToLower(strings.TrimSpace(r.Email))
	if r.Locale == "" {
		r.Locale = "en"
	}
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		var ev struct {
			StartsAt    time.Time  `db:"starts_at"`
			CancelledAt *time.Time `db:"cancelled_at"`
		}
		if err := s.get(ctx, tx, &ev, `SELECT starts_at, cancelled_at FROM events WHERE id = ?`, r.EventID); err != nil {
			return fmt.Errorf("register: %w", err)
		}
		rs, err := s.registrationSettings(ctx, tx, r.EventID, true)
		if err != nil {
			return err
		}
		switch {
		case !rs.Enabled || ev.CancelledAt != nil || !now.Before(ev.StartsAt):
			return ErrRegistrationClosed
		case rs.Deadline != nil && now.After(*rs.Deadline):
			return ErrRegistrationDeadline
		case !rs.OpenTo(kind):
			return ErrRegistrationNotOpen
		}
		var dup int
		if err := s.get(ctx, tx, &dup, `SELECT COUNT(*) FROM event_registrations WHERE event_id = ? AND status <> 'cancelled'
			AND (email = ? OR (user_id IS NOT NULL AND user_id = ?))`, r.EventID, r.Email, nullID(valueOr64(r.UserID))); err != nil {
			return fmt.Errorf("register: %w", err)
		}
		if dup > 0 {
			return fmt.Errorf("register: %w", ErrConflict)
		}
		confirmed, err := s.countRegistrations(ctx, tx, r.EventID, RegistrationConfirmed)
		if err != nil {
			return err
		}
		r.Status = RegistrationConfirmed
		if rs.Capacity > 0 && confirmed >= rs.Capacity {
			r.Status = RegistrationWaiting
		}
		r.CreatedAt, r.UpdatedAt = now, now
		id, err := s.insert(ctx, tx, `INSERT INTO event_registrations (event_id, user_id, name, email, locale, status, org_kind, country,
				organisation, attendance, interpretation, accessibility, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, r.EventID, r.UserID, r.Name, r.Email, r.Locale, r.Status, r.OrgKind, r.Country,
			r.Organisation, r.Attendance, r.Interpretation, r.Accessibility, now, now)
		if err != nil {
			return fmt.Errorf("register: %w", err)
		}
		r.ID = id
		what := RegMailConfirmed
		if r.Status == RegistrationWaiting {
			what = RegMailWaiting
		}
		if err := s.queueRegistrationMail(ctx, tx, r, what, nil); err != nil {
			return err
		}
		if err := s.registrationChanged(ctx, tx, r.EventID); err != nil {
			return err
		}
		return s.audit(ctx, tx, AuditEntry{ActorID: valueOr64(r.UserID), Action: "event_registration.create", TargetType: "event_registration",
			TargetID: id, After: map[string]any{"event_id": r.EventID, "status": r.Status}})
	})
}

func valueOr64(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}

// CancelRegistration cancels registration id (actorID 0: by its signed
// link). The first on the waiting list takes a freed seat, in the same
// transaction, and is told by mail; promoted is them, or nil. Cancelling
// what is already cancelled changes nothing and says so with ok false.
func (s *Store) CancelRegistration(ctx context.Context, actorID, id int64) (reg *Registration, promoted *Registration, err error) {
	now := s.now()
	err = s.inTx(ctx, func(tx *sqlx.Tx) error {
		var eventID int64
		if err := s.get(ctx, tx, &eventID, `SELECT event_id FROM event_registrations WHERE id = ?`, id); err != nil {
			return fmt.Errorf("cancel registration: %w", err)
		}
		rs, err := s.registrationSettings(ctx, tx, eventID, true)
		if err != nil {
			return err
		}
		r, err := s.registrationByID(ctx, tx, id)
		if err != nil {
			return err
		}
		reg = r
		if r.Status == RegistrationCancelled {
			return nil
		}
		held := r.Status == RegistrationConfirmed
		if _, err := s.exec(ctx, tx, `UPDATE event_registrations SET status = 'cancelled', cancelled_at = ?, updated_at = ? WHERE id = ?`,
			now, now, id); err != nil {
			return fmt.Errorf("cancel registration: %w", err)
		}
		r.Status, r.CancelledAt, r.UpdatedAt = RegistrationCancelled, &now, now
		if held {
			if err := s.queueRegistrationMail(ctx, tx, r, RegMailCancelled, nil); err != nil {
				return err
			}
			confirmed, err := s.countRegistrations(ctx, tx, eventID, RegistrationConfirmed)
			if err != nil {
				return err
			}
			up, err := s.promoteWaiting(ctx, tx, eventID, rs.Capacity, confirmed)
			if err != nil {
				return err
			}
			if len(up) > 0 {
				promoted = &up[0]
			}
		}
		if err := s.registrationChanged(ctx, tx, eventID); err != nil {
			return err
		}
		return s.audit(ctx, tx, AuditEntry{ActorID: actorID, Action: "event_registration.cancel", TargetType: "event_registration",
			TargetID: id, After: map[string]any{"event_id": eventID, "was_confirmed": held}})
	})
	return reg, promoted, err
}

// CheckIn marks that the holder of registration id came, and returns it;
// already is true when they had been checked in before (nothing changes).
// A registration without a seat gives ErrNotConfirmed.
func (s *Store) CheckIn(ctx context.Context, actorID, id int64) (reg *Registration, already bool, err error) {
	now := s.now()
	err = s.inTx(ctx, func(tx *sqlx.Tx) error {
		r, err := s.registrationByID(ctx, tx, id)
		if err != nil {
			return err
		}
		reg = r
		if r.Status != RegistrationConfirmed {
			return ErrNotConfirmed
		}
		if r.CheckedInAt != nil {
			already = true
			return nil
		}
		if _, err := s.exec(ctx, tx, `UPDATE event_registrations SET checked_in_at = ?, checked_in_by = ?, updated_at = ? WHERE id = ?`,
			now, nullID(actorID), now, id); err != nil {
			return fmt.Errorf("check in: %w", err)
		}
		r.CheckedInAt, r.UpdatedAt = &now, now
		if actorID != 0 {
			r.CheckedInBy = &actorID
		}
		if err := s.registrationChanged(ctx, tx, r.EventID); err != nil {
			return err
		}
		return s.audit(ctx, tx, AuditEntry{ActorID: actorID, Action: "event_registration.check_in", TargetType: "event_registration",
			TargetID: id, After: map[string]any{"event_id": r.EventID}})
	})
	return reg, already, err
}

// RegistrationByID loads one registration, whatever its status.
func (s *Store) RegistrationByID(ctx context.Context, id int64) (*Registration, error) {
	return s.registrationByID(ctx, s.db, id)
}

func (s *Store) registrationByID(ctx context.Context, q querier, id int64) (*Registration, error) {
	var r Registration
	if err := s.get(ctx, q, &r, `SELECT `+registrationColumns+` FROM event_registrations r WHERE r.id = ?`, id); err != nil {
		return nil, fmt.Errorf("registration: %w", err)
	}
	return &r, nil
}

// OwnRegistration is userID's active registration for the event (ErrNotFound when none).
func (s *Store) OwnRegistration(ctx context.Context, eventID, userID int64) (*Registration, error) {
	var r Registration
	if err := s.get(ctx, s.db, &r, `SELECT `+registrationColumns+` FROM event_registrations r
		WHERE r.event_id = ? AND r.user_id = ? AND r.status <> 'cancelled' ORDER BY r.id DESC LIMIT 1`, eventID, userID); err != nil {
		return nil, fmt.Errorf("own registration: %w", err)
	}
	return &r, nil
}

// EventRegistrations lists every registration of an event, for its
// organisers: seats first, then the waiting list in its order, then the cancelled.
func (s *Store) EventRegistrations(ctx context.Context, eventID int64) ([]Registration, error) {
	var out []Registration
	if err := s.selectAll(ctx, s.db, &out, `SELECT `+registrationColumns+` FROM event_registrations r WHERE r.event_id = ?
		ORDER BY CASE r.status WHEN 'confirmed' THEN 0 WHEN 'waiting' THEN 1 ELSE 2 END, r.created_at, r.id`, eventID); err != nil {
		return nil, fmt.Errorf("event registrations: %w", err)
	}
	return out, nil
}

// RegistrationCounts are an event's numbers, for its page and organisers.
type RegistrationCounts struct {
	Confirmed int `db:"confirmed" json:"confirmed"`
	Waiting   int `db:"waiting" json:"waiting"`
	Attended  int `db:"attended" json:"attended"`
}

// CountRegistrations counts an event's seats taken, waiting list and attendance.
func (s *Store) CountRegistrations(ctx context.Context, eventID int64) (RegistrationCounts, error) {
	var c RegistrationCounts
	err := s.get(ctx, s.db, &c, `SELECT
		COALESCE(SUM(CASE WHEN status = 'confirmed' THEN 1 ELSE 0 END), 0) AS confirmed,
		COALESCE(SUM(CASE WHEN status = 'waiting' THEN 1 ELSE 0 END), 0) AS waiting,
		COALESCE(SUM(CASE WHEN status = 'confirmed' AND checked_in_at IS NOT NULL THEN 1 ELSE 0 END), 0) AS attended
		FROM event_registrations WHERE event_id = ?`, eventID)
	if err != nil {
		return c, fmt.Errorf("count registrations: %w", err)
	}
	return c, nil
}

// WaitingPosition is r's place on the waiting list (1 is next), 0 when not waiting.
func (s *Store) WaitingPosition(ctx context.Context, r *Registration) (int, error) {
	if r.Status != RegistrationWaiting {
		return 0, nil
	}
	var n int
	err := s.get(ctx, s.db, &n, `SELECT COUNT(*) FROM event_registrations WHERE event_id = ? AND status = 'waiting'
		AND (created_at < ? OR (created_at = ? AND id <= ?))`, r.EventID, r.CreatedAt, r.CreatedAt, r.ID)
	if err != nil {
		return 0, fmt.Errorf("waiting position: %w", err)
	}
	return n, nil
}

// EventOnlineURL is the online link of an event as saved, for those the
// caller has established may see it (organisers, and people holding a
// seat once the settings' time before the start has come).
func (s *Store) EventOnlineURL(ctx context.Context, eventID int64) (string, error) {
	var u string
	if err := s.get(ctx, s.db, &u, `SELECT online_url FROM events WHERE id = ?`, eventID); err != nil {
		return "", fmt.Errorf("event online link: %w", err)
	}
	return u, nil
}
