package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
)

// Roles of the people on a session, in the order the programme lists them.
const (
	SessionOpening   = "opening"
	SessionSpeaker   = "speaker"
	SessionModerator = "moderator"
)

// SessionRoles are the roles a person on a session may have.
var SessionRoles = []string{SessionOpening, SessionSpeaker, SessionModerator}

// ErrSideEventChain means a side event would be linked to an event that is
// itself a side event (or to itself): the programme shows one level only.
var ErrSideEventChain = errors.New("a side event's main event cannot itself be a side event")

// InLanguage picks the text for lang from the English text and its French
// and Spanish variants, which are empty where they do not differ.
func InLanguage(lang, en, fr, es string) string {
	switch {
	case lang == "fr" && fr != "":
		return fr
	case lang == "es" && es != "":
		return es
	}
	return en
}

// EventSession is one slot of a meeting's programme.
type EventSession struct {
	ID            int64     `db:"id" json:"id"`
	EventID       int64     `db:"event_id" json:"-"`
	StartsAt      time.Time `db:"starts_at" json:"starts_at"`
	EndsAt        time.Time `db:"ends_at" json:"ends_at"`
	Title         string    `db:"title" json:"title"`
	TitleFR       string    `db:"title_fr" json:"title_fr"`
	TitleES       string    `db:"title_es" json:"title_es"`
	Description   string    `db:"description" json:"description"`
	DescriptionFR string    `db:"description_fr" json:"description_fr"`
	DescriptionES string    `db:"description_es" json:"description_es"`
	Venue         string    `db:"venue" json:"venue"`
	// Languages are the interpretation languages ("en", "fr", "es").
	Languages []string        `db:"-" json:"languages"`
	People    []SessionPerson `db:"-" json:"people"`
}

// SessionPerson is someone speaking, moderating or opening a session,
// with or without an account on the platform.
type SessionPerson struct {
	ID             int64  `db:"id" json:"id"`
	SessionID      int64  `db:"session_id" json:"-"`
	Role           string `db:"role" json:"role"`
	Name           string `db:"name" json:"name"`
	UserID         *int64 `db:"user_id" json:"user_id,omitempty"`
	Handle         string `db:"handle" json:"handle,omitempty"`
	Title          string `db:"title" json:"title"`
	TitleFR        string `db:"title_fr" json:"title_fr"`
	TitleES        string `db:"title_es" json:"title_es"`
	Organisation   string `db:"organisation" json:"organisation"`
	OrganisationFR string `db:"organisation_fr" json:"organisation_fr"`
	OrganisationES string `db:"organisation_es" json:"organisation_es"`
}

// CoOrganiser is an organisation a meeting is held with.
type CoOrganiser struct {
	ID      int64  `db:"id" json:"-"`
	EventID int64  `db:"event_id" json:"-"`
	Name    string `db:"name" json:"name"`
	NameFR  string `db:"name_fr" json:"name_fr"`
	NameES  string `db:"name_es" json:"name_es"`
	URL     string `db:"url" json:"url"`
}

// EventSessions lists an event's sessions in time order with their people.
// The caller has checked that the reader may see the event.
func (s *Store) EventSessions(ctx context.Context, eventID int64) ([]EventSession, error) {
	var rows []struct {
		EventSession
		Langs string `db:"languages"`
	}
	if err := s.selectAll(ctx, s.db, &rows, `SELECT id, event_id, starts_at, ends_at, title, title_fr, title_es, description,
		description_fr, description_es, venue, languages FROM event_sessions WHERE event_id = ? ORDER BY starts_at, ends_at, id`, eventID); err != nil {
		return nil, fmt.Errorf("event sessions: %w", err)
	}
	var people []SessionPerson
	if err := s.selectAll(ctx, s.db, &people, `SELECT p.id, p.session_id, p.role, p.name, p.user_id, COALESCE(u.handle, '') AS handle,
		p.title, p.title_fr, p.title_es, p.organisation, p.organisation_fr, p.organisation_es
		FROM event_session_people p JOIN event_sessions es ON es.id = p.session_id LEFT JOIN users u ON u.id = p.user_id
		WHERE es.event_id = ? ORDER BY p.session_id, p.position, p.id`, eventID); err != nil {
		return nil, fmt.Errorf("session people: %w", err)
	}
	bySession := map[int64][]SessionPerson{}
	for _, p := range people {
		bySession[p.SessionID] = append(bySession[p.SessionID], p)
	}
	out := make([]EventSession, len(rows))
	for i, r := range rows {
		out[i] = r.EventSession
		out[i].Languages = splitLanguages(r.Langs)
		out[i].People = bySession[r.ID]
		if out[i].People == nil {
			out[i].People = []SessionPerson{}
		}
	}
	return out, nil
}

func splitLanguages(s string) []string {
	out := []string{}
	for _, l := range strings.Split(s, ",") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// SaveEventSession creates sess (ID 0) or updates it, replacing its people,
// in one transaction: a failure leaves the session as it was.
func (s *Store) SaveEventSession(ctx context.Context, actorID int64, sess *EventSession) error {
	sess.StartsAt, sess.EndsAt = sess.StartsAt.UTC(), sess.EndsAt.UTC()
	langs := strings.Join(sess.Languages, ",")
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		action := "event_session.update"
		if sess.ID == 0 {
			action = "event_session.create"
			id, err := s.insert(ctx, tx, `INSERT INTO event_sessions (event_id, starts_at, ends_at, title, title_fr, title_es,
				description, description_fr, description_es, venue, languages) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				sess.EventID, sess.StartsAt, sess.EndsAt, sess.Title, sess.TitleFR, sess.TitleES,
				sess.Description, sess.DescriptionFR, sess.DescriptionES, sess.Venue, langs)
			if err != nil {
				return fmt.Errorf("create session: %w", err)
			}
			sess.ID = id
		} else {
			// The event id in the condition keeps a session from moving to another event by a forged form.
			n, err := s.exec(ctx, tx, `UPDATE event_sessions SET starts_at = ?, ends_at = ?, title = ?, title_fr = ?, title_es = ?,
				description = ?, description_fr = ?, description_es = ?, venue = ?, languages = ? WHERE id = ? AND event_id = ?`,
				sess.StartsAt, sess.EndsAt, sess.Title, sess.TitleFR, sess.TitleES, sess.Description, sess.DescriptionFR,
				sess.DescriptionES, sess.Venue, langs, sess.ID, sess.EventID)
			if err != nil {
				return fmt.Errorf("update session: %w", err)
			}
			if n == 0 {
				return fmt.Errorf("update session: %w", ErrNotFound)
			}
			if _, err := s.exec(ctx, tx, `DELETE FROM event_session_people WHERE session_id = ?`, sess.ID); err != nil {
				return fmt.Errorf("update session: %w", err)
			}
		}
		for i := range sess.People {
			p := &sess.People[i]
			p.SessionID = sess.ID
			id, err := s.insert(ctx, tx, `INSERT INTO event_session_people (session_id, position, role, name, user_id, title, title_fr, title_es,
				organisation, organisation_fr, organisation_es) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				sess.ID, i, p.Role, p.Name, p.UserID, p.Title, p.TitleFR, p.TitleES, p.Organisation, p.OrganisationFR, p.OrganisationES)
			if err != nil {
				return fmt.Errorf("session person: %w", err)
			}
			p.ID = id
		}
		if err := s.touchEvent(ctx, tx, sess.EventID); err != nil {
			return err
		}
		return s.audit(ctx, tx, AuditEntry{ActorID: actorID, Action: action, TargetType: "event", TargetID: sess.EventID,
			After: map[string]any{"session_id": sess.ID, "title": sess.Title, "starts_at": sess.StartsAt, "people": len(sess.People)}})
	})
}

// DeleteEventSession removes a session of an event with its people.
func (s *Store) DeleteEventSession(ctx context.Context, actorID, eventID, sessionID int64) error {
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		var title string
		if err := s.get(ctx, tx, &title, `SELECT title FROM event_sessions WHERE id = ? AND event_id = ?`, sessionID, eventID); err != nil {
			return fmt.Errorf("delete session: %w", err)
		}
		if _, err := s.exec(ctx, tx, `DELETE FROM event_sessions WHERE id = ?`, sessionID); err != nil {
			return fmt.Errorf("delete session: %w", err)
		}
		if err := s.touchEvent(ctx, tx, eventID); err != nil {
			return err
		}
		return s.audit(ctx, tx, AuditEntry{ActorID: actorID, Action: "event_session.delete", TargetType: "event", TargetID: eventID,
			Before: map[string]any{"session_id": sessionID, "title": title}})
	})
}

// touchEvent marks the event changed, so feeds and caches see the new programme.
func (s *Store) touchEvent(ctx context.Context, tx *sqlx.Tx, eventID int64) error {
	n, err := s.exec(ctx, tx, `UPDATE events SET updated_at = ? WHERE id = ?`, s.now(), eventID)
	if err != nil {
		return fmt.Errorf("touch event: %w", err)
	}
	if n == 0 {
		return fmt.Errorf("touch event: %w", ErrNotFound)
	}
	return s.programmeChanged(ctx, tx, eventID)
}

// programmeChanged tells the meeting page's live readers to fetch it again.
func (s *Store) programmeChanged(ctx context.Context, q querier, eventID int64) error {
	return s.emit(ctx, q, EventTopic(eventID), EventChanged, map[string]any{"event_id": eventID, "part": "programme"})
}

// CoOrganisers lists the organisations an event is held with, in the order given.
func (s *Store) CoOrganisers(ctx context.Context, eventID int64) ([]CoOrganiser, error) {
	out := []CoOrganiser{}
	if err := s.selectAll(ctx, s.db, &out, `SELECT id, event_id, name, name_fr, name_es, url FROM event_co_organisers
		WHERE event_id = ? ORDER BY position, id`, eventID); err != nil {
		return nil, fmt.Errorf("co-organisers: %w", err)
	}
	return out, nil
}

// SaveEventLinks replaces an event's co-organisers and sets the main event
// it is a side event of (0: none), in one transaction.
func (s *Store) SaveEventLinks(ctx context.Context, actorID, eventID, mainEventID int64, orgs []CoOrganiser) error {
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		if mainEventID != 0 {
			if mainEventID == eventID {
				return ErrSideEventChain
			}
			var mainOfMain *int64
			if err := s.get(ctx, tx, &mainOfMain, `SELECT main_event_id FROM events WHERE id = ?`, mainEventID); err != nil {
				return fmt.Errorf("main event: %w", err)
			}
			var sides int
			if err := s.get(ctx, tx, &sides, `SELECT COUNT(*) FROM events WHERE main_event_id = ?`, eventID); err != nil {
				return fmt.Errorf("side events: %w", err)
			}
			if mainOfMain != nil || sides > 0 {
				return ErrSideEventChain
			}
		}
		n, err := s.exec(ctx, tx, `UPDATE events SET main_event_id = ?, updated_at = ? WHERE id = ?`, nullID(mainEventID), s.now(), eventID)
		if err != nil {
			return fmt.Errorf("main event: %w", err)
		}
		if n == 0 {
			return fmt.Errorf("main event: %w", ErrNotFound)
		}
		if _, err := s.exec(ctx, tx, `DELETE FROM event_co_organisers WHERE event_id = ?`, eventID); err != nil {
			return fmt.Errorf("co-organisers: %w", err)
		}
		names := make([]string, len(orgs))
		for i, o := range orgs {
			names[i] = o.Name
			if _, err := s.exec(ctx, tx, `INSERT INTO event_co_organisers (event_id, position, name, name_fr, name_es, url) VALUES (?, ?, ?, ?, ?, ?)`,
				eventID, i, o.Name, o.NameFR, o.NameES, o.URL); err != nil {
				return fmt.Errorf("co-organiser: %w", err)
			}
		}
		if err := s.programmeChanged(ctx, tx, eventID); err != nil {
			return err
		}
		return s.audit(ctx, tx, AuditEntry{ActorID: actorID, Action: "event.links", TargetType: "event", TargetID: eventID,
			After: map[string]any{"main_event_id": mainEventID, "co_organisers": names}})
	})
}

// SideEvents lists the side events of a main event that the reader may see.
func (s *Store) SideEvents(ctx context.Context, mainEventID int64, a Access) ([]Event, error) {
	w := where{}
	w.add(`e.main_event_id = ?`, mainEventID)
	eventReadable(&w, a)
	cond, args := w.sql()
	out := []Event{}
	if err := s.selectAll(ctx, s.db, &out, `SELECT `+eventColumns+` FROM events e`+cond+` ORDER BY e.starts_at, e.id`, args...); err != nil {
		return nil, fmt.Errorf("side events: %w", err)
	}
	return out, nil
}

// DeleteEvent removes an event with its programme; side events stay, unlinked.
func (s *Store) DeleteEvent(ctx context.Context, actorID, id int64) error {
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		var title string
		if err := s.get(ctx, tx, &title, `SELECT title FROM events WHERE id = ?`, id); err != nil {
			return fmt.Errorf("delete event: %w", err)
		}
		if _, err := s.exec(ctx, tx, `DELETE FROM events WHERE id = ?`, id); err != nil {
			return fmt.Errorf("delete event: %w", err)
		}
		return s.audit(ctx, tx, AuditEntry{ActorID: actorID, Action: "event.delete", TargetType: "event", TargetID: id,
			Before: map[string]any{"title": title}})
	})
}
