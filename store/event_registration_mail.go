package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
)

// MailRegistration is the outbox kind of the mails to a meeting's
// registrants. Like notifications, each is built when it is sent, from the
// meeting as it is then: an invitation never carries a time that changed
// meanwhile, nor the online link before it is time.
const MailRegistration = "event_registration"

// What a registration mail says.
const (
	RegMailConfirmed      = "confirmed"       // a seat, with the invitation
	RegMailWaiting        = "waiting"         // on the waiting list
	RegMailPromoted       = "promoted"        // a seat came free for them, with the invitation
	RegMailCancelled      = "cancelled"       // their own cancellation, withdrawing the invitation
	RegMailUpdated        = "updated"         // the meeting's time or place changed, with the new invitation
	RegMailEventCancelled = "event_cancelled" // the meeting is cancelled, withdrawing the invitation
	RegMailReminder       = "reminder"        // the day before
	RegMailMessage        = "message"         // the organisers wrote to registrants
)

// RegistrationMailPayload is what the outbox keeps of a registration mail.
type RegistrationMailPayload struct {
	RegistrationID int64  `json:"registration_id"`
	What           string `json:"what"`
	// Subject and Body are an organisers' message (Markdown), for RegMailMessage.
	Subject string `json:"subject,omitempty"`
	Body    string `json:"body,omitempty"`
}

func (s *Store) queueRegistrationMail(ctx context.Context, q querier, r *Registration, what string, msg *RegistrationMailPayload) error {
	p := RegistrationMailPayload{RegistrationID: r.ID, What: what}
	if msg != nil {
		p.Subject, p.Body = msg.Subject, msg.Body
	}
	body, err := json.Marshal(p)
	if err != nil {
		return err
	}
	now := s.now()
	// user_id stays empty: the mail goes to the address registered, which
	// for a visitor is all there is, and deleting an account must not
	// withdraw a cancellation notice.
	if _, err := s.exec(ctx, q, `INSERT INTO mail_outbox (kind, payload, created_at, next_attempt_at) VALUES (?, ?, ?, ?)`,
		MailRegistration, string(body), now, now); err != nil {
		return fmt.Errorf("queue registration mail: %w", err)
	}
	return nil
}

// registrationChange is what registrants are told about when it changes.
type registrationChange struct {
	StartsAt  time.Time `db:"starts_at"`
	EndsAt    time.Time `db:"ends_at"`
	AllDay    bool      `db:"all_day"`
	Timezone  string    `db:"timezone"`
	Place     string    `db:"place"`
	OnlineURL string    `db:"online_url"`
}

func (s *Store) eventChangeState(ctx context.Context, tx *sqlx.Tx, eventID int64) (*registrationChange, error) {
	var c registrationChange
	if err := s.get(ctx, tx, &c, `SELECT starts_at, ends_at, all_day, timezone, place, online_url FROM events WHERE id = ?`, eventID); err != nil {
		return nil, fmt.Errorf("event: %w", err)
	}
	return &c, nil
}

// tellRegistrantsOfChange is run by SaveEvent after an update: when the
// meeting's time or place changed, the invitation's SEQUENCE goes up and
// everyone holding a seat gets the new invitation.
func (s *Store) tellRegistrantsOfChange(ctx context.Context, tx *sqlx.Tx, eventID int64, before *registrationChange) error {
	after, err := s.eventChangeState(ctx, tx, eventID)
	if err != nil {
		return err
	}
	if before.StartsAt.Equal(after.StartsAt) && before.EndsAt.Equal(after.EndsAt) && before.AllDay == after.AllDay &&
		before.Timezone == after.Timezone && before.Place == after.Place && before.OnlineURL == after.OnlineURL {
		return nil
	}
	if !before.StartsAt.Equal(after.StartsAt) {
		// A meeting moved to another day gets its reminder the day before the new one.
		if _, err := s.exec(ctx, tx, `UPDATE event_registrations SET reminder_sent_at = NULL WHERE event_id = ?`, eventID); err != nil {
			return fmt.Errorf("reset reminders: %w", err)
		}
	}
	return s.mailRegistrants(ctx, tx, eventID, RegMailUpdated, false, nil)
}

// mailRegistrants queues what to everyone holding a seat (and, with
// waiting, the waiting list), raising the invitation's SEQUENCE first when
// the mail carries a changed invitation; it returns how many.
func (s *Store) mailRegistrants(ctx context.Context, tx *sqlx.Tx, eventID int64, what string, waiting bool, msg *RegistrationMailPayload) error {
	_, err := s.mailRegistrantsCount(ctx, tx, eventID, what, waiting, msg)
	return err
}

func (s *Store) mailRegistrantsCount(ctx context.Context, tx *sqlx.Tx, eventID int64, what string, waiting bool, msg *RegistrationMailPayload) (int, error) {
	statuses := `('confirmed')`
	if waiting {
		statuses = `('confirmed', 'waiting')`
	}
	var regs []Registration
	if err := s.selectAll(ctx, tx, &regs, `SELECT `+registrationColumns+` FROM event_registrations r
		WHERE r.event_id = ? AND r.status IN `+statuses+` ORDER BY r.id`, eventID); err != nil {
		return 0, fmt.Errorf("registrants: %w", err)
	}
	if what == RegMailUpdated || what == RegMailEventCancelled {
		if _, err := s.exec(ctx, tx, `UPDATE event_registration_settings SET ics_sequence = ics_sequence + 1 WHERE event_id = ?`, eventID); err != nil {
			return 0, fmt.Errorf("invitation sequence: %w", err)
		}
	}
	for i := range regs {
		if err := s.queueRegistrationMail(ctx, tx, &regs[i], what, msg); err != nil {
			return 0, err
		}
	}
	return len(regs), nil
}

// CancelEvent marks a meeting cancelled: registration closes, its page and
// the calendar feed say so, and every registrant (seat or waiting list) is
// told, the holders of a seat with the invitation withdrawn. Cancelling it
// again changes nothing.
func (s *Store) CancelEvent(ctx context.Context, actorID, eventID int64) error {
	now := s.now()
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := s.registrationSettings(ctx, tx, eventID, true); err != nil {
			return err
		}
		n, err := s.exec(ctx, tx, `UPDATE events SET cancelled_at = ?, updated_at = ? WHERE id = ? AND cancelled_at IS NULL`, now, now, eventID)
		if err != nil {
			return fmt.Errorf("cancel event: %w", err)
		}
		if n == 0 {
			var exists int
			if err := s.get(ctx, tx, &exists, `SELECT COUNT(*) FROM events WHERE id = ?`, eventID); err != nil {
				return fmt.Errorf("cancel event: %w", err)
			}
			if exists == 0 {
				return fmt.Errorf("cancel event: %w", ErrNotFound)
			}
			return nil
		}
		if err := s.mailRegistrants(ctx, tx, eventID, RegMailEventCancelled, true, nil); err != nil {
			return err
		}
		if err := s.registrationChanged(ctx, tx, eventID); err != nil {
			return err
		}
		return s.audit(ctx, tx, AuditEntry{ActorID: actorID, Action: "event.cancel", TargetType: "event", TargetID: eventID})
	})
}

// MessageRegistrants queues the organisers' message (subject, Markdown
// body) to everyone holding a seat and, with waiting, the waiting list;
// it returns how many it goes to.
func (s *Store) MessageRegistrants(ctx context.Context, actorID, eventID int64, subject, body string, waiting bool) (int, error) {
	var n int
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		var err error
		n, err = s.mailRegistrantsCount(ctx, tx, eventID, RegMailMessage, waiting, &RegistrationMailPayload{Subject: subject, Body: body})
		if err != nil {
			return err
		}
		return s.audit(ctx, tx, AuditEntry{ActorID: actorID, Action: "event.message_registrants", TargetType: "event", TargetID: eventID,
			After: map[string]any{"subject": subject, "recipients": n, "waiting_list": waiting}})
	})
	return n, err
}

// ReminderLead is how long before a meeting its reminder goes out.
const ReminderLead = 24 * time.Hour

// QueueDueEventReminders queues the reminder of everyone holding a seat
// for a meeting starting within ReminderLead, once each: the mark is a
// compare-and-set, so instances running this at once queue each one once.
func (s *Store) QueueDueEventReminders(ctx context.Context) (int, error) {
	now := s.now()
	var due []Registration
	if err := s.selectAll(ctx, s.db, &due, `SELECT `+registrationColumns+` FROM event_registrations r JOIN events e ON e.id = r.event_id
		WHERE r.status = 'confirmed' AND r.reminder_sent_at IS NULL AND e.cancelled_at IS NULL AND e.starts_at > ? AND e.starts_at <= ?
		ORDER BY r.id LIMIT 500`, now, now.Add(ReminderLead)); err != nil {
		return 0, fmt.Errorf("due reminders: %w", err)
	}
	queued := 0
	for i := range due {
		r := &due[i]
		err := s.inTx(ctx, func(tx *sqlx.Tx) error {
			n, err := s.exec(ctx, tx, `UPDATE event_registrations SET reminder_sent_at = ? WHERE id = ? AND reminder_sent_at IS NULL AND status = 'confirmed'`, now, r.ID)
			if err != nil || n == 0 {
				return err
			}
			queued++
			return s.queueRegistrationMail(ctx, tx, r, RegMailReminder, nil)
		})
		if err != nil {
			return queued, fmt.Errorf("queue reminder: %w", err)
		}
	}
	return queued, nil
}
