package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
)

// Consent states of a person quoted by name in a curated document.
const (
	ConsentPending  = "pending"
	ConsentGranted  = "granted"
	ConsentDeclined = "declined"
)

// Consent is one person's answer about being quoted in a curated document.
type Consent struct {
	DocumentID int64      `db:"document_id"`
	UserID     int64      `db:"user_id"`
	Name       string     `db:"name"`
	OrgName    string     `db:"org_name"`
	Status     string     `db:"status"`
	AskedAt    time.Time  `db:"asked_at"`
	AnsweredAt *time.Time `db:"answered_at"`
	Title      string     `db:"title"`
}

// ErrConsentMissing is returned when publishing a curated document that
// someone it quotes by name has not agreed to.
var ErrConsentMissing = errors.New("a person quoted by name has not consented")

// CurateThread creates a draft document from a thread, linked back to it,
// and asks each of the quoted people for consent, in one transaction.
func (s *Store) CurateThread(ctx context.Context, actorID, threadID int64, title, summary string, quoted []int64) (*Document, error) {
	var d Document
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		now := s.now()
		id, err := s.insert(ctx, tx, `INSERT INTO documents (title, summary, doc_date, visibility, status, created_by, created_at, updated_at, source_thread_id)
			VALUES (?, ?, ?, 'public', 'draft', ?, ?, ?, ?)`, title, summary, now, nullID(actorID), now, now, threadID)
		if err != nil {
			return fmt.Errorf("curate: %w", err)
		}
		for _, u := range quoted {
			if _, err := s.exec(ctx, tx, `INSERT INTO curation_consents (document_id, user_id, status, asked_at) VALUES (?, ?, 'pending', ?)
				ON CONFLICT (document_id, user_id) DO NOTHING`, id, u, now); err != nil {
				return fmt.Errorf("curate: consent: %w", err)
			}
		}
		if err := s.reindexDocument(ctx, tx, id); err != nil {
			return err
		}
		if err := s.audit(ctx, tx, AuditEntry{ActorID: actorID, Action: "thread.curate", TargetType: "thread", TargetID: threadID,
			After: map[string]any{"document_id": id, "quoted": quoted}}); err != nil {
			return err
		}
		return s.get(ctx, tx, &d, `SELECT `+documentColumns+` FROM documents d WHERE d.id = ?`, id)
	})
	if err != nil {
		return nil, err
	}
	return &d, nil
}

// SourceThread is the thread a curated document was drawn from (0 when none).
func (s *Store) SourceThread(ctx context.Context, docID int64) (int64, error) {
	var id *int64
	if err := s.get(ctx, s.db, &id, `SELECT source_thread_id FROM documents WHERE id = ?`, docID); err != nil {
		return 0, fmt.Errorf("source thread: %w", err)
	}
	if id == nil {
		return 0, nil
	}
	return *id, nil
}

// DocumentConsents lists who a curated document asked, and their answers.
func (s *Store) DocumentConsents(ctx context.Context, docID int64) ([]Consent, error) {
	var out []Consent
	if err := s.selectAll(ctx, s.db, &out, `SELECT c.document_id, c.user_id, u.name, o.name AS org_name, c.status, c.asked_at, c.answered_at, d.title
		FROM curation_consents c JOIN users u ON u.id = c.user_id JOIN organisations o ON o.id = u.organisation_id JOIN documents d ON d.id = c.document_id
		WHERE c.document_id = ? ORDER BY u.name`, docID); err != nil {
		return nil, fmt.Errorf("consents: %w", err)
	}
	return out, nil
}

// ConsentRequests lists the curated documents that ask this person, newest first.
func (s *Store) ConsentRequests(ctx context.Context, userID int64) ([]Consent, error) {
	var out []Consent
	if err := s.selectAll(ctx, s.db, &out, `SELECT c.document_id, c.user_id, u.name, o.name AS org_name, c.status, c.asked_at, c.answered_at, d.title
		FROM curation_consents c JOIN users u ON u.id = c.user_id JOIN organisations o ON o.id = u.organisation_id JOIN documents d ON d.id = c.document_id
		WHERE c.user_id = ? ORDER BY c.asked_at DESC`, userID); err != nil {
		return nil, fmt.Errorf("consent requests: %w", err)
	}
	return out, nil
}

// AnswerConsent records a person's answer; they may change it while the document is a draft.
func (s *Store) AnswerConsent(ctx context.Context, userID, docID int64, granted bool) error {
	status := ConsentDeclined
	if granted {
		status = ConsentGranted
	}
	n, err := s.exec(ctx, s.db, `UPDATE curation_consents SET status = ?, answered_at = ? WHERE user_id = ? AND document_id = ?
		AND document_id IN (SELECT id FROM documents WHERE status = 'draft')`, status, s.now(), userID, docID)
	if err != nil {
		return fmt.Errorf("answer consent: %w", err)
	}
	if n == 0 {
		return fmt.Errorf("answer consent: %w", ErrNotFound)
	}
	return nil
}

// consentsMissing counts the people a document quotes who have not agreed.
func (s *Store) consentsMissing(ctx context.Context, q querier, docID int64) (int, error) {
	var n int
	err := s.get(ctx, q, &n, `SELECT count(*) FROM curation_consents WHERE document_id = ? AND status <> 'granted'`, docID)
	return n, err
}
