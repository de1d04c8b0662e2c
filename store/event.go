package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
)

// Event is a meeting, workshop or day of the working group.
type Event struct {
	ID         int64      `db:"id" json:"id"`
	Title      string     `db:"title" json:"title"`
	StartsAt   time.Time  `db:"starts_at" json:"starts_at"`
	EndsAt     time.Time  `db:"ends_at" json:"ends_at"`
	Timezone   string     `db:"timezone" json:"timezone"`
	AllDay     bool       `db:"all_day" json:"all_day"`
	Place      string     `db:"place" json:"place,omitempty"`
	OnlineURL  string     `db:"online_url" json:"online_url,omitempty"`
	Programme  string     `db:"programme" json:"programme"`
	Visibility Visibility `db:"visibility" json:"visibility"`
	// MainEventID names the meeting this one is a side event of.
	MainEventID *int64 `db:"main_event_id" json:"main_event_id"`
	// CancelledAt is when the organisers cancelled the meeting.
	CancelledAt *time.Time `db:"cancelled_at" json:"cancelled_at,omitempty"`
	CreatedAt   time.Time  `db:"created_at" json:"created_at"`
	UpdatedAt   time.Time  `db:"updated_at" json:"updated_at"`
	// DocumentIDs are the linked documents, when saving.
	DocumentIDs []int64 `db:"-" json:"document_ids"`
}

// Location is the event's time zone (Geneva's when unknown).
func (e *Event) Location() *time.Location {
	if loc, err := time.LoadLocation(e.Timezone); err == nil {
		return loc
	}
	loc, err := time.LoadLocation("Europe/Zurich")
	if err != nil {
		return time.UTC
	}
	return loc
}

// eventOnlineMasked reads the online link as empty when the meeting takes
// registrations: then only people holding a seat see it (and only from a
// set time before the start), through EventOnlineURL, never through a read
// of the event that pages, feeds and the API share.
const eventOnlineMasked = `CASE WHEN EXISTS (SELECT 1 FROM event_registration_settings ers WHERE ers.event_id = e.id AND ers.enabled) THEN '' ELSE e.online_url END AS online_url`

const eventColumns = `e.id, e.title, e.starts_at, e.ends_at, e.timezone, e.all_day, e.place, ` + eventOnlineMasked +
	`, e.programme, e.visibility, e.main_event_id, e.cancelled_at, e.created_at, e.updated_at`

// eventColumnsFor are the columns as reader a may see them: curators (the
// organisers) read the online link as saved, to edit it.
func eventColumnsFor(a Access) string {
	if a.Curator {
		return strings.Replace(eventColumns, eventOnlineMasked, "e.online_url", 1)
	}
	return eventColumns
}

func eventReadable(w *where, a Access) {
	if !a.Members && !a.Curator {
		w.add(`e.visibility = 'public'`)
	}
}

// SaveEvent creates e (ID 0) or updates it, with its linked documents.
func (s *Store) SaveEvent(ctx context.Context, actorID int64, e *Event) error {
	now := s.now()
	e.StartsAt, e.EndsAt = e.StartsAt.UTC(), e.EndsAt.UTC()
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		action := "event.update"
		e.UpdatedAt = now
		if e.ID == 0 {
			action = "event.create"
			e.CreatedAt = now
			id, err := s.insert(ctx, tx, `INSERT INTO events (title, starts_at, ends_at, timezone, all_day, place, online_url, programme, visibility, created_by, created_at, updated_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, e.Title, e.StartsAt, e.EndsAt, e.Timezone, e.AllDay, e.Place, e.OnlineURL,
				e.Programme, e.Visibility, nullID(actorID), now, now)
			if err != nil {
				return fmt.Errorf("create event: %w", err)
			}
			e.ID = id
		} else {
			before, err := s.eventChangeState(ctx, tx, e.ID)
			if errors.Is(err, ErrNotFound) {
				return fmt.Errorf("update event: %w", ErrNotFound)
			}
			if err != nil {
				return fmt.Errorf("update event: %w", err)
			}
			n, err := s.exec(ctx, tx, `UPDATE events SET title = ?, starts_at = ?, ends_at = ?, timezone = ?, all_day = ?, place = ?, online_url = ?,
				programme = ?, visibility = ?, updated_at = ? WHERE id = ?`, e.Title, e.StartsAt.UTC(), e.EndsAt.UTC(), e.Timezone, e.AllDay, e.Place,
				e.OnlineURL, e.Programme, e.Visibility, now, e.ID)
			if err != nil {
				return fmt.Errorf("update event: %w", err)
			}
			if n == 0 {
				return fmt.Errorf("update event: %w", ErrNotFound)
			}
			if err := s.programmeChanged(ctx, tx, e.ID); err != nil {
				return err
			}
			if _, err := s.exec(ctx, tx, `DELETE FROM event_documents WHERE event_id = ?`, e.ID); err != nil {
				return fmt.Errorf("update event: %w", err)
			}
			if err := s.tellRegistrantsOfChange(ctx, tx, e.ID, before); err != nil {
				return fmt.Errorf("update event: %w", err)
			}
		}
		for _, docID := range e.DocumentIDs {
			if _, err := s.exec(ctx, tx, `INSERT INTO event_documents (event_id, document_id) VALUES (?, ?)`, e.ID, docID); err != nil {
				return fmt.Errorf("event document: %w", err)
			}
		}
		return s.audit(ctx, tx, AuditEntry{ActorID: actorID, Action: action, TargetType: "event", TargetID: e.ID,
			After: map[string]any{"title": e.Title, "starts_at": e.StartsAt, "visibility": e.Visibility}})
	})
}

// EventByID loads an event the reader may see.
func (s *Store) EventByID(ctx context.Context, id int64, a Access) (*Event, error) {
	w := where{}
	w.add(`e.id = ?`, id)
	eventReadable(&w, a)
	cond, args := w.sql()
	var e Event
	if err := s.get(ctx, s.db, &e, `SELECT `+eventColumnsFor(a)+` FROM events e`+cond, args...); err != nil {
		return nil, fmt.Errorf("event: %w", err)
	}
	if err := s.selectAll(ctx, s.db, &e.DocumentIDs, `SELECT document_id FROM event_documents WHERE event_id = ? ORDER BY document_id`, id); err != nil {
		return nil, fmt.Errorf("event documents: %w", err)
	}
	return &e, nil
}

// ListEvents lists upcoming events (soonest first) or past ones (latest first).
func (s *Store) ListEvents(ctx context.Context, a Access, upcoming bool, limit int) ([]Event, error) {
	w := where{}
	eventReadable(&w, a)
	order := ` ORDER BY e.starts_at DESC, e.id DESC`
	if upcoming {
		w.add(`e.ends_at >= ?`, s.now())
		order = ` ORDER BY e.starts_at, e.id`
	} else {
		w.add(`e.ends_at < ?`, s.now())
	}
	cond, args := w.sql()
	var out []Event
	if err := s.selectAll(ctx, s.db, &out, `SELECT `+eventColumnsFor(a)+` FROM events e`+cond+order+` LIMIT ?`, append(args, limit)...); err != nil {
		return nil, fmt.Errorf("events: %w", err)
	}
	return out, nil
}

// AllEvents lists every event the reader may see, for the calendar feed.
func (s *Store) AllEvents(ctx context.Context, a Access) ([]Event, error) {
	w := where{}
	eventReadable(&w, a)
	cond, args := w.sql()
	var out []Event
	if err := s.selectAll(ctx, s.db, &out, `SELECT `+eventColumns+` FROM events e`+cond+` ORDER BY e.starts_at, e.id`, args...); err != nil {
		return nil, fmt.Errorf("events: %w", err)
	}
	return out, nil
}

// EventDocuments lists the documents linked to an event that the reader may see.
func (s *Store) EventDocuments(ctx context.Context, eventID int64, a Access) ([]Document, error) {
	w := where{}
	w.add(`d.id IN (SELECT document_id FROM event_documents WHERE event_id = ?)`, eventID)
	s.readable(&w, a)
	cond, args := w.sql()
	var docs []Document
	if err := s.selectAll(ctx, s.db, &docs, `SELECT `+documentColumns+` FROM documents d`+cond+` ORDER BY d.doc_date, d.id`, args...); err != nil {
		return nil, fmt.Errorf("event documents: %w", err)
	}
	return docs, s.fillDocuments(ctx, docs)
}

// DocumentEvents lists the events a document is linked to that the reader may see.
func (s *Store) DocumentEvents(ctx context.Context, docID int64, a Access) ([]Event, error) {
	w := where{}
	w.add(`e.id IN (SELECT event_id FROM event_documents WHERE document_id = ?)`, docID)
	eventReadable(&w, a)
	cond, args := w.sql()
	var out []Event
	if err := s.selectAll(ctx, s.db, &out, `SELECT `+eventColumns+` FROM events e`+cond+` ORDER BY e.starts_at`, args...); err != nil {
		return nil, fmt.Errorf("document events: %w", err)
	}
	return out, nil
}

// EventIDByTitle finds an event by its exact title (0 when none).
func (s *Store) EventIDByTitle(ctx context.Context, title string) (int64, error) {
	var id int64
	err := s.get(ctx, s.db, &id, `SELECT id FROM events WHERE title = ? ORDER BY id LIMIT 1`, title)
	if isNoRows(err) {
		return 0, nil
	}
	return id, err
}
