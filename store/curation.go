package store

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
)

// Consent states of a person quoted by name in a curated document.
const (
	ConsentPending  = "pending"
	ConsentGranted  = "granted"
	ConsentDeclined = "declined"
	// ConsentAnonymous is an answer, not a state: the person agrees to be
	// quoted without their name (state granted, Anonymous set).
	ConsentAnonymous = "anonymous"
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
	DocStatus  DocStatus  `db:"doc_status"`
	// NamedAs is how the draft names the person ("Ana Ruiz (Andes
	// Textiles)"); AnonymousAs what it says instead when Anonymous ("a
	// business"), in the drafting moderator's language.
	NamedAs     string `db:"named_as"`
	AnonymousAs string `db:"anonymous_as"`
	Anonymous   bool   `db:"anonymous"`
	// Note is what a person who refused told the moderator.
	Note string `db:"note"`
}

// Answer is the person's answer as one word: pending, granted, declined or anonymous.
func (c Consent) Answer() string {
	if c.Status == ConsentGranted && c.Anonymous {
		return ConsentAnonymous
	}
	return c.Status
}

// QuotedPerson is someone a draft quotes by name, and how.
type QuotedPerson struct {
	UserID      int64
	NamedAs     string
	AnonymousAs string
}

// ErrConsentMissing is returned when publishing a curated document that
// someone it quotes by name has not agreed to.
var ErrConsentMissing = errors.New("a person quoted by name has not consented")

// CurateThread creates a draft document from a thread, linked back to it,
// and asks each of the quoted people for consent, in one transaction: each
// gets a consent_request notification (live, and mailed at once by
// default). The moderator drafting is taken to agree to their own words. A
// thread that already has a draft gets no second one: that draft is
// returned with existing set.
func (s *Store) CurateThread(ctx context.Context, actorID, threadID int64, title, summary string, quoted []QuotedPerson) (d *Document, existing bool, err error) {
	d = &Document{}
	err = s.inTx(ctx, func(tx *sqlx.Tx) error {
		// Two moderators drafting at once must not both find no draft:
		// the row lock makes the second wait for the first (SQLite's
		// immediate transactions already serialise them).
		if _, err := s.exec(ctx, tx, `UPDATE threads SET id = id WHERE id = ?`, threadID); err != nil {
			return fmt.Errorf("curate: %w", err)
		}
		var found int64
		err := s.get(ctx, tx, &found, `SELECT id FROM documents WHERE source_thread_id = ? AND status = 'draft' ORDER BY id LIMIT 1`, threadID)
		switch {
		case err == nil:
			existing = true
			return s.get(ctx, tx, d, `SELECT `+documentColumns+` FROM documents d WHERE d.id = ?`, found)
		case !errors.Is(err, ErrNotFound):
			return fmt.Errorf("curate: %w", err)
		}
		now := s.now()
		id, err := s.insert(ctx, tx, `INSERT INTO documents (title, summary, doc_date, visibility, status, created_by, created_at, updated_at, source_thread_id)
			VALUES (?, ?, ?, 'public', 'draft', ?, ?, ?, ?)`, title, summary, now, nullID(actorID), now, now, threadID)
		if err != nil {
			return fmt.Errorf("curate: %w", err)
		}
		var ids []int64
		for _, q := range quoted {
			status, answered := ConsentPending, (*time.Time)(nil)
			if q.UserID == actorID {
				status, answered = ConsentGranted, &now
			}
			n, err := s.exec(ctx, tx, `INSERT INTO curation_consents (document_id, user_id, status, asked_at, answered_at, named_as, anonymous_as)
				VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (document_id, user_id) DO NOTHING`, id, q.UserID, status, now, answered, q.NamedAs, q.AnonymousAs)
			if err != nil {
				return fmt.Errorf("curate: consent: %w", err)
			}
			if n > 0 && status == ConsentPending {
				if err := s.notifyUser(ctx, tx, NotifyConsentRequest, q.UserID, actorID, threadID, 0, id); err != nil {
					return err
				}
			}
			ids = append(ids, q.UserID)
		}
		if err := s.reindexDocument(ctx, tx, id); err != nil {
			return err
		}
		if err := s.audit(ctx, tx, AuditEntry{ActorID: actorID, Action: "thread.curate", TargetType: "thread", TargetID: threadID,
			After: map[string]any{"document_id": id, "quoted": ids}}); err != nil {
			return err
		}
		return s.get(ctx, tx, d, `SELECT `+documentColumns+` FROM documents d WHERE d.id = ?`, id)
	})
	if err != nil {
		return nil, false, err
	}
	return d, existing, nil
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

// ThreadDocuments lists the documents drawn from a thread that are drafts
// or published, newest first, for the thread's page: members see what
// became public, moderators also the draft waiting.
func (s *Store) ThreadDocuments(ctx context.Context, threadID int64) ([]Document, error) {
	var out []Document
	if err := s.selectAll(ctx, s.db, &out, `SELECT `+documentColumns+` FROM documents d
		WHERE d.source_thread_id = ? AND d.status IN ('draft', 'published') ORDER BY d.id DESC`, threadID); err != nil {
		return nil, fmt.Errorf("thread documents: %w", err)
	}
	return out, nil
}

const consentSelect = `SELECT c.document_id, c.user_id, u.name, o.name AS org_name, c.status, c.asked_at, c.answered_at,
	d.title, d.status AS doc_status, c.named_as, c.anonymous_as, c.anonymous, c.note
	FROM curation_consents c JOIN users u ON u.id = c.user_id JOIN organisations o ON o.id = u.organisation_id JOIN documents d ON d.id = c.document_id`

// DocumentConsents lists who a curated document asked, and their answers.
func (s *Store) DocumentConsents(ctx context.Context, docID int64) ([]Consent, error) {
	var out []Consent
	if err := s.selectAll(ctx, s.db, &out, consentSelect+` WHERE c.document_id = ? ORDER BY u.name`, docID); err != nil {
		return nil, fmt.Errorf("consents: %w", err)
	}
	return out, nil
}

// ConsentRequests lists the curated documents that ask this person, newest first.
func (s *Store) ConsentRequests(ctx context.Context, userID int64) ([]Consent, error) {
	var out []Consent
	if err := s.selectAll(ctx, s.db, &out, consentSelect+` WHERE c.user_id = ? ORDER BY c.asked_at DESC, c.document_id DESC`, userID); err != nil {
		return nil, fmt.Errorf("consent requests: %w", err)
	}
	return out, nil
}

// ConsentRequest is one person's request for one document (ErrNotFound
// when the document never asked them).
func (s *Store) ConsentRequest(ctx context.Context, userID, docID int64) (*Consent, error) {
	var c Consent
	if err := s.get(ctx, s.db, &c, consentSelect+` WHERE c.user_id = ? AND c.document_id = ?`, userID, docID); err != nil {
		return nil, fmt.Errorf("consent request: %w", err)
	}
	return &c, nil
}

// AnswerConsent records a person's answer (granted, declined or anonymous,
// with a note to the moderator for a refusal); they may change it while
// the document is a draft. The moderator who drafted the document hears,
// in the same transaction, of a refusal and of the last agreement.
func (s *Store) AnswerConsent(ctx context.Context, userID, docID int64, answer, note string) error {
	status, anonymous := ConsentGranted, false
	switch answer {
	case ConsentGranted:
	case ConsentAnonymous:
		anonymous = true
	case ConsentDeclined:
		status = ConsentDeclined
	default:
		return fmt.Errorf("answer consent: unknown answer %q", answer)
	}
	if status != ConsentDeclined {
		note = ""
	}
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		var before Consent
		if err := s.get(ctx, tx, &before, `SELECT c.status, c.anonymous, c.note FROM curation_consents c JOIN documents d ON d.id = c.document_id
			WHERE c.user_id = ? AND c.document_id = ? AND d.status = 'draft'`, userID, docID); err != nil {
			return fmt.Errorf("answer consent: %w", err)
		}
		if _, err := s.exec(ctx, tx, `UPDATE curation_consents SET status = ?, anonymous = ?, note = ?, answered_at = ? WHERE user_id = ? AND document_id = ?`,
			status, anonymous, note, s.now(), userID, docID); err != nil {
			return fmt.Errorf("answer consent: %w", err)
		}
		var threadID int64
		var src *int64
		if err := s.get(ctx, tx, &src, `SELECT source_thread_id FROM documents WHERE id = ?`, docID); err != nil {
			return fmt.Errorf("answer consent: %w", err)
		}
		if src != nil {
			threadID = *src
		}
		switch {
		case status == ConsentDeclined && (before.Status != ConsentDeclined || before.Note != note):
			return s.notifyDrafter(ctx, tx, NotifyConsentDeclined, userID, threadID, docID)
		case status == ConsentGranted && before.Status != ConsentGranted:
			missing, err := s.consentsMissing(ctx, tx, docID)
			if err != nil {
				return fmt.Errorf("answer consent: %w", err)
			}
			if missing == 0 {
				return s.notifyDrafter(ctx, tx, NotifyConsentsGiven, userID, threadID, docID)
			}
		}
		return nil
	})
}

// notifyDrafter tells the moderator who drafted a document of its consents;
// should they no longer be an active moderator, every moderator instead,
// so that the news reaches someone who can publish.
func (s *Store) notifyDrafter(ctx context.Context, tx *sqlx.Tx, kind NotificationKind, actorID, threadID, docID int64) error {
	return s.notifyUsers(ctx, tx, kind, ptr(actorID), ptr(threadID), nil, ptr(docID),
		`SELECT created_by AS user_id FROM documents WHERE id = ? AND created_by IS NOT NULL
		UNION SELECT id AS user_id FROM users WHERE role IN ('moderator', 'admin') AND NOT EXISTS (
			SELECT 1 FROM documents d JOIN users c ON c.id = d.created_by
			WHERE d.id = ? AND c.role IN ('moderator', 'admin') AND c.status = 'active')`, docID, docID)
}

// consentsMissing counts the people a document quotes who have not agreed.
func (s *Store) consentsMissing(ctx context.Context, q querier, docID int64) (int, error) {
	var n int
	err := s.get(ctx, q, &n, `SELECT count(*) FROM curation_consents WHERE document_id = ? AND status <> 'granted'`, docID)
	return n, err
}

// publishedSummary is a curated document's summary as it may be
// published: the words of each person who asked not to be named are
// attributed to the kind of their organisation instead.
func (s *Store) publishedSummary(ctx context.Context, q querier, docID int64, summary string) (string, error) {
	var cs []Consent
	if err := s.selectAll(ctx, q, &cs, `SELECT c.named_as, c.anonymous_as, c.anonymous, u.name
		FROM curation_consents c JOIN users u ON u.id = c.user_id WHERE c.document_id = ? AND c.anonymous`, docID); err != nil {
		return "", fmt.Errorf("published summary: %w", err)
	}
	return Anonymise(summary, cs), nil
}

// Anonymise replaces, in a draft's text, the name of each consent that
// asked for anonymity (as the draft gave it, then the bare name, as a
// whole word) with the kind of organisation the draft gave instead.
func Anonymise(text string, cs []Consent) string {
	for _, c := range cs {
		if !c.Anonymous || c.AnonymousAs == "" {
			continue
		}
		if c.NamedAs != "" {
			text = strings.ReplaceAll(text, c.NamedAs, c.AnonymousAs)
		}
		if name := strings.TrimSpace(c.Name); name != "" {
			re := regexp.MustCompile(`(^|[^\p{L}\p{N}])` + regexp.QuoteMeta(name) + `($|[^\p{L}\p{N}])`)
			// Twice, for names that share a separator ("Li Li"); never
			// more, as the replacement could hold the name.
			for range 2 {
				text = re.ReplaceAllString(text, "${1}"+strings.ReplaceAll(c.AnonymousAs, "$", "$$")+"${2}")
			}
		}
	}
	return text
}

// anonymiseOnPublish writes into a document about to be published the
// summary with the anonymity its quoted people asked for, and reindexes it.
func (s *Store) anonymiseOnPublish(ctx context.Context, tx *sqlx.Tx, docID int64) error {
	var summary string
	if err := s.get(ctx, tx, &summary, `SELECT summary FROM documents WHERE id = ?`, docID); err != nil {
		return fmt.Errorf("publish: %w", err)
	}
	out, err := s.publishedSummary(ctx, tx, docID, summary)
	if err != nil || out == summary {
		return err
	}
	if _, err := s.exec(ctx, tx, `UPDATE documents SET summary = ? WHERE id = ?`, out, docID); err != nil {
		return fmt.Errorf("publish: %w", err)
	}
	return s.reindexDocument(ctx, tx, docID)
}

// PassageNaming is the first block of a draft that names someone, with the
// quote that follows it: what they are asked to agree to.
func PassageNaming(summary, name string) string {
	if name == "" {
		return ""
	}
	blocks := strings.Split(strings.ReplaceAll(summary, "\r\n", "\n"), "\n\n")
	for i, b := range blocks {
		if !strings.Contains(b, name) {
			continue
		}
		out := b
		if i+1 < len(blocks) && strings.HasPrefix(strings.TrimSpace(blocks[i+1]), ">") {
			out += "\n\n" + blocks[i+1]
		}
		return out
	}
	return ""
}

// reaskChanged asks again, when a draft's summary is edited, each person
// who had answered and whose passage (PassageNaming) now reads otherwise:
// they agreed to words that are no longer there. The editor's own answer
// stands, and so does everyone's whose passage did not change.
func (s *Store) reaskChanged(ctx context.Context, tx *sqlx.Tx, actorID, docID int64, before, after string) error {
	var cs []Consent
	if err := s.selectAll(ctx, tx, &cs, `SELECT user_id, named_as, status FROM curation_consents WHERE document_id = ? AND status <> 'pending'`, docID); err != nil {
		return fmt.Errorf("ask again: %w", err)
	}
	if len(cs) == 0 {
		return nil
	}
	var src *int64
	if err := s.get(ctx, tx, &src, `SELECT source_thread_id FROM documents WHERE id = ?`, docID); err != nil {
		return fmt.Errorf("ask again: %w", err)
	}
	var threadID int64
	if src != nil {
		threadID = *src
	}
	for _, c := range cs {
		if c.UserID == actorID || PassageNaming(before, c.NamedAs) == PassageNaming(after, c.NamedAs) {
			continue
		}
		if _, err := s.exec(ctx, tx, `UPDATE curation_consents SET status = 'pending', answered_at = NULL, note = '', asked_at = ?
			WHERE document_id = ? AND user_id = ?`, s.now(), docID, c.UserID); err != nil {
			return fmt.Errorf("ask again: %w", err)
		}
		if err := s.notifyUser(ctx, tx, NotifyConsentRequest, c.UserID, actorID, threadID, 0, docID); err != nil {
			return err
		}
	}
	return nil
}
