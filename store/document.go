package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
)

// Visibility says who may read a document or an event.
type Visibility string

// Visibilities.
const (
	Public      Visibility = "public"
	MembersOnly Visibility = "members"
)

// DocStatus is where a document is in its life.
type DocStatus string

// Document states.
const (
	Draft     DocStatus = "draft"
	Published DocStatus = "published"
	Archived  DocStatus = "archived"
)

// Access is what a reader may see of the library.
type Access struct {
	// Members reads members-only documents (active business, member and up).
	Members bool
	// Curator sees drafts and archived documents too (moderators, admins).
	Curator bool
}

// AccessFor is the library access of an account (nil for a visitor).
func AccessFor(u *User) Access {
	return Access{Members: u.CanReadForum(), Curator: u.IsModerator()}
}

// Document is an entry of the public library.
type Document struct {
	ID           int64      `db:"id" json:"id"`
	Symbol       string     `db:"symbol" json:"symbol,omitempty"`
	Title        string     `db:"title" json:"title"`
	Summary      string     `db:"summary" json:"summary"`
	CategoryID   *int64     `db:"category_id" json:"category_id"`
	Category     *Category  `db:"-" json:"-"`
	DocDate      time.Time  `db:"doc_date" json:"date"`
	Visibility   Visibility `db:"visibility" json:"visibility"`
	Status       DocStatus  `db:"status" json:"status"`
	DerestrictAt *time.Time `db:"derestrict_at" json:"derestrict_at,omitempty"`
	RevisesID    *int64     `db:"revises_id" json:"revises_id,omitempty"`
	CreatedAt    time.Time  `db:"created_at" json:"created_at"`
	UpdatedAt    time.Time  `db:"updated_at" json:"updated_at"`
	PublishedAt  *time.Time `db:"published_at" json:"published_at,omitempty"`
	Tags         []string   `db:"-" json:"tags"`
	// Langs are the languages the document has a file in.
	Langs []string `db:"-" json:"languages"`
	// PublicNow says whether anyone may read it at the time it was loaded.
	PublicNow bool `db:"-" json:"public"`
}

// IsPublicAt reports whether anyone may read the document at t: it is public,
// or members-only with a derestriction date that has come.
func (d *Document) IsPublicAt(t time.Time) bool {
	return d.Visibility == Public || (d.DerestrictAt != nil && !d.DerestrictAt.After(t))
}

const documentColumns = `d.id, COALESCE(d.symbol, '') AS symbol, d.title, d.summary, d.category_id, d.doc_date, d.visibility,
	d.status, d.derestrict_at, d.revises_id, d.created_at, d.updated_at, d.published_at`

// readable adds the conditions under which a reader with access a sees a document.
func (s *Store) readable(w *where, a Access) {
	switch {
	case a.Curator:
	case a.Members:
		w.add(`d.status = 'published'`)
	default:
		w.add(`d.status = 'published' AND (d.visibility = 'public' OR (d.derestrict_at IS NOT NULL AND d.derestrict_at <= ?))`, s.now())
	}
}

// ErrRevisionLoop is returned when a document would revise itself, directly or not.
var ErrRevisionLoop = errors.New("a document cannot revise itself or a later revision of itself")

// SaveDocument creates d (ID 0) or updates it, with its tags, in one
// transaction that also refreshes its search entry and writes the audit log.
// A symbol already used gives ErrConflict.
func (s *Store) SaveDocument(ctx context.Context, actorID int64, d *Document) error {
	d.Tags = normalizeTags(d.Tags)
	now := s.now()
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		var before *Document
		if d.ID != 0 {
			var old Document
			if err := s.get(ctx, tx, &old, `SELECT `+documentColumns+` FROM documents d WHERE d.id = ?`, d.ID); err != nil {
				return fmt.Errorf("save document: %w", err)
			}
			before = &old
		}
		if d.RevisesID != nil {
			if err := s.checkRevision(ctx, tx, d.ID, *d.RevisesID); err != nil {
				return err
			}
		}
		if before != nil && before.Status == Draft && d.Status == Draft && before.Summary != d.Summary {
			if err := s.reaskChanged(ctx, tx, actorID, d.ID, before.Summary, d.Summary); err != nil {
				return err
			}
		}
		if before != nil && d.Status == Published {
			missing, err := s.consentsMissing(ctx, tx, d.ID)
			if err != nil {
				return fmt.Errorf("save document: %w", err)
			}
			if missing > 0 {
				return ErrConsentMissing
			}
			if before.Status != Published {
				if d.Summary, err = s.publishedSummary(ctx, tx, d.ID, d.Summary); err != nil {
					return err
				}
			}
		}
		symbol := sql.NullString{String: strings.TrimSpace(d.Symbol), Valid: strings.TrimSpace(d.Symbol) != ""}
		d.UpdatedAt = now
		if d.Status == Published && (before == nil || before.PublishedAt == nil) {
			d.PublishedAt = &now
		} else if before != nil {
			d.PublishedAt = before.PublishedAt
		}
		if before == nil {
			d.CreatedAt = now
			id, err := s.insert(ctx, tx, `INSERT INTO documents (symbol, title, summary, category_id, doc_date, visibility, status,
				derestrict_at, revises_id, created_by, created_at, updated_at, published_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				symbol, d.Title, d.Summary, d.CategoryID, d.DocDate.UTC(), d.Visibility, d.Status, utcPtr(d.DerestrictAt), d.RevisesID,
				nullID(actorID), now, now, d.PublishedAt)
			if err != nil {
				return fmt.Errorf("create document: %w", err)
			}
			d.ID = id
		} else {
			d.CreatedAt = before.CreatedAt
			if _, err := s.exec(ctx, tx, `UPDATE documents SET symbol = ?, title = ?, summary = ?, category_id = ?, doc_date = ?,
				visibility = ?, status = ?, derestrict_at = ?, revises_id = ?, updated_at = ?, published_at = ? WHERE id = ?`,
				symbol, d.Title, d.Summary, d.CategoryID, d.DocDate.UTC(), d.Visibility, d.Status, utcPtr(d.DerestrictAt), d.RevisesID,
				now, d.PublishedAt, d.ID); err != nil {
				return fmt.Errorf("update document: %w", err)
			}
			if _, err := s.exec(ctx, tx, `DELETE FROM document_tags WHERE document_id = ?`, d.ID); err != nil {
				return fmt.Errorf("update document tags: %w", err)
			}
		}
		for _, tag := range d.Tags {
			if _, err := s.exec(ctx, tx, `INSERT INTO document_tags (document_id, tag) VALUES (?, ?)`, d.ID, tag); err != nil {
				return fmt.Errorf("document tag: %w", err)
			}
		}
		if err := s.reindexDocument(ctx, tx, d.ID); err != nil {
			return err
		}
		action := "document.update"
		if before == nil {
			action = "document.create"
		}
		if err := s.documentChanged(ctx, tx, d.ID); err != nil {
			return err
		}
		return s.audit(ctx, tx, AuditEntry{ActorID: actorID, Action: action, TargetType: "document", TargetID: d.ID,
			Before: auditDocument(before), After: auditDocument(d)})
	})
}

func auditDocument(d *Document) any {
	if d == nil {
		return nil
	}
	return map[string]any{"title": d.Title, "symbol": d.Symbol, "status": d.Status, "visibility": d.Visibility}
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

func utcPtr(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.UTC()
}

// checkRevision refuses a revision chain that would loop back to id.
func (s *Store) checkRevision(ctx context.Context, tx *sqlx.Tx, id, revises int64) error {
	seen := map[int64]bool{}
	for cur := revises; cur != 0; {
		if cur == id || seen[cur] {
			return ErrRevisionLoop
		}
		seen[cur] = true
		var next sql.NullInt64
		if err := s.get(ctx, tx, &next, `SELECT revises_id FROM documents WHERE id = ?`, cur); err != nil {
			return fmt.Errorf("revision chain: %w", err)
		}
		cur = next.Int64
	}
	return nil
}

func normalizeTags(tags []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, t := range tags {
		t = strings.ToLower(strings.Join(strings.Fields(t), " "))
		if t != "" && !seen[t] && len([]rune(t)) <= 40 {
			seen[t] = true
			out = append(out, t)
		}
	}
	sort.Strings(out)
	return out
}

// SetDocumentStatus publishes, archives or restores (to draft) a document.
func (s *Store) SetDocumentStatus(ctx context.Context, actorID, id int64, status DocStatus) error {
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		var before DocStatus
		if err := s.get(ctx, tx, &before, `SELECT status FROM documents WHERE id = ?`, id); err != nil {
			return fmt.Errorf("document status: %w", err)
		}
		if status == Published {
			missing, err := s.consentsMissing(ctx, tx, id)
			if err != nil {
				return fmt.Errorf("document status: %w", err)
			}
			if missing > 0 {
				return ErrConsentMissing
			}
			if before != Published {
				if err := s.anonymiseOnPublish(ctx, tx, id); err != nil {
					return err
				}
			}
		}
		now := s.now()
		if _, err := s.exec(ctx, tx, `UPDATE documents SET status = ?, updated_at = ?,
			published_at = CASE WHEN ? = 'published' AND published_at IS NULL THEN ? ELSE published_at END WHERE id = ?`,
			status, now, status, now, id); err != nil {
			return fmt.Errorf("document status: %w", err)
		}
		if err := s.documentChanged(ctx, tx, id); err != nil {
			return err
		}
		return s.audit(ctx, tx, AuditEntry{ActorID: actorID, Action: "document.status", TargetType: "document", TargetID: id,
			Before: map[string]any{"status": before}, After: map[string]any{"status": status}})
	})
}

// DocumentByID loads a document the reader may see, with its tags and category.
func (s *Store) DocumentByID(ctx context.Context, id int64, a Access) (*Document, error) {
	w := where{}
	w.add(`d.id = ?`, id)
	s.readable(&w, a)
	cond, args := w.sql()
	var d Document
	if err := s.get(ctx, s.db, &d, `SELECT `+documentColumns+` FROM documents d`+cond, args...); err != nil {
		return nil, fmt.Errorf("document: %w", err)
	}
	docs := []Document{d}
	if err := s.fillDocuments(ctx, docs); err != nil {
		return nil, err
	}
	return &docs[0], nil
}

// fillDocuments loads the tags, file languages and categories of docs.
func (s *Store) fillDocuments(ctx context.Context, docs []Document) error {
	if len(docs) == 0 {
		return nil
	}
	ids := make([]any, len(docs))
	index := map[int64]int{}
	for i, d := range docs {
		ids[i] = d.ID
		index[d.ID] = i
	}
	q, args, err := sqlx.In(`SELECT document_id, tag FROM document_tags WHERE document_id IN (?) ORDER BY tag`, ids)
	if err != nil {
		return err
	}
	var tags []struct {
		DocumentID int64  `db:"document_id"`
		Tag        string `db:"tag"`
	}
	if err := s.selectAll(ctx, s.db, &tags, q, args...); err != nil {
		return fmt.Errorf("document tags: %w", err)
	}
	for _, t := range tags {
		docs[index[t.DocumentID]].Tags = append(docs[index[t.DocumentID]].Tags, t.Tag)
	}
	q, args, err = sqlx.In(`SELECT DISTINCT document_id, lang FROM document_files WHERE document_id IN (?) ORDER BY lang`, ids)
	if err != nil {
		return err
	}
	var langs []struct {
		DocumentID int64  `db:"document_id"`
		Lang       string `db:"lang"`
	}
	if err := s.selectAll(ctx, s.db, &langs, q, args...); err != nil {
		return fmt.Errorf("document languages: %w", err)
	}
	for _, l := range langs {
		docs[index[l.DocumentID]].Langs = append(docs[index[l.DocumentID]].Langs, l.Lang)
	}
	cats, err := s.Categories(ctx)
	if err != nil {
		return err
	}
	now := s.now()
	for i := range docs {
		docs[i].PublicNow = docs[i].IsPublicAt(now)
		for j := range cats {
			if docs[i].CategoryID != nil && cats[j].ID == *docs[i].CategoryID {
				docs[i].Category = &cats[j]
			}
		}
	}
	return nil
}

// DocFilter narrows and orders the document list.
type DocFilter struct {
	Access     Access
	CategoryID int64
	Year       int
	Lang       string // has a file in this language
	Tag        string
	Status     DocStatus // curators only; empty means published for everyone
	Sort       string    // "newest" (default), "oldest", "title", "symbol"
	Limit      int
	Offset     int
}

// ListDocuments returns a page of the documents f selects, and how many there are.
func (s *Store) ListDocuments(ctx context.Context, f DocFilter) ([]Document, int, error) {
	w := where{}
	s.readable(&w, f.Access)
	if f.Status != "" && f.Access.Curator {
		w.add(`d.status = ?`, f.Status)
	} else if f.Status == "" && f.Access.Curator {
		w.add(`d.status = 'published'`)
	}
	if f.CategoryID != 0 {
		w.add(`d.category_id = ?`, f.CategoryID)
	}
	if f.Year != 0 {
		start := timeYear(f.Year)
		w.add(`d.doc_date >= ? AND d.doc_date < ?`, start, start.AddDate(1, 0, 0))
	}
	if f.Lang != "" {
		w.add(`EXISTS (SELECT 1 FROM document_files f WHERE f.document_id = d.id AND f.lang = ?)`, f.Lang)
	}
	if f.Tag != "" {
		w.add(`EXISTS (SELECT 1 FROM document_tags t WHERE t.document_id = d.id AND t.tag = ?)`, strings.ToLower(f.Tag))
	}
	cond, args := w.sql()
	var total int
	if err := s.get(ctx, s.db, &total, `SELECT count(*) FROM documents d`+cond, args...); err != nil {
		return nil, 0, fmt.Errorf("count documents: %w", err)
	}
	order := `d.doc_date DESC, d.id DESC`
	switch f.Sort {
	case "oldest":
		order = `d.doc_date, d.id`
	case "title":
		order = `lower(d.title), d.id`
	case "symbol":
		order = `(d.symbol IS NULL), d.symbol, d.id`
	}
	if f.Limit <= 0 || f.Limit > 100 {
		f.Limit = 20
	}
	var docs []Document
	if err := s.selectAll(ctx, s.db, &docs, `SELECT `+documentColumns+` FROM documents d`+cond+` ORDER BY `+order+` LIMIT ? OFFSET ?`,
		append(args, f.Limit, f.Offset)...); err != nil {
		return nil, 0, fmt.Errorf("list documents: %w", err)
	}
	return docs, total, s.fillDocuments(ctx, docs)
}

// DocumentYears lists the years that published documents fall in, newest first.
func (s *Store) DocumentYears(ctx context.Context, a Access) ([]int, error) {
	// One step per year, from the latest document down, rather than every
	// document's date: a library of ten thousand has a dozen years.
	var years []int
	for {
		w := where{}
		s.readable(&w, a)
		if n := len(years); n > 0 {
			w.add(`d.doc_date < ?`, timeYear(years[n-1]))
		}
		cond, args := w.sql()
		var latest time.Time
		err := s.get(ctx, s.db, &latest, `SELECT d.doc_date FROM documents d`+cond+` ORDER BY d.doc_date DESC LIMIT 1`, args...)
		if errors.Is(err, ErrNotFound) {
			return years, nil
		}
		if err != nil {
			return nil, fmt.Errorf("document years: %w", err)
		}
		years = append(years, latest.UTC().Year())
	}
}

// Tags lists the tags in use on documents the reader may see, most used first.
func (s *Store) Tags(ctx context.Context, a Access, limit int) ([]string, error) {
	w := where{}
	s.readable(&w, a)
	cond, args := w.sql()
	var tags []string
	err := s.selectAll(ctx, s.db, &tags, `SELECT t.tag FROM document_tags t JOIN documents d ON d.id = t.document_id`+cond+
		` GROUP BY t.tag ORDER BY count(*) DESC, t.tag LIMIT ?`, append(args, limit)...)
	if err != nil {
		return nil, fmt.Errorf("tags: %w", err)
	}
	return tags, nil
}

// RevisionChain returns every revision of the document's chain that the
// reader may see, newest first: what it revises, and what revises it.
func (s *Store) RevisionChain(ctx context.Context, id int64, a Access) ([]Document, error) {
	ids := map[int64]bool{id: true}
	frontier := []int64{id}
	for len(frontier) > 0 && len(ids) < 50 {
		q, args, err := sqlx.In(`SELECT id FROM documents WHERE revises_id IN (?) UNION SELECT revises_id FROM documents WHERE id IN (?) AND revises_id IS NOT NULL`, frontier, frontier)
		if err != nil {
			return nil, err
		}
		var found []int64
		if err := s.selectAll(ctx, s.db, &found, q, args...); err != nil {
			return nil, fmt.Errorf("revision chain: %w", err)
		}
		frontier = frontier[:0]
		for _, f := range found {
			if !ids[f] {
				ids[f] = true
				frontier = append(frontier, f)
			}
		}
	}
	if len(ids) == 1 {
		return nil, nil
	}
	list := make([]int64, 0, len(ids))
	for i := range ids {
		list = append(list, i)
	}
	w := where{}
	q, args, err := sqlx.In(`d.id IN (?)`, list)
	if err != nil {
		return nil, err
	}
	w.add(q, args...)
	s.readable(&w, a)
	cond, wargs := w.sql()
	var docs []Document
	if err := s.selectAll(ctx, s.db, &docs, `SELECT `+documentColumns+` FROM documents d`+cond+` ORDER BY d.doc_date DESC, d.id DESC`, wargs...); err != nil {
		return nil, fmt.Errorf("revision chain: %w", err)
	}
	return docs, nil
}

// CurrentRevision follows the chain forward from id to the newest revision
// the reader may see; it returns id itself when nothing newer is visible.
func (s *Store) CurrentRevision(ctx context.Context, id int64, a Access) (int64, error) {
	chain, err := s.RevisionChain(ctx, id, a)
	if err != nil || len(chain) == 0 {
		return id, err
	}
	// Newer revisions point at older ones; the current one is not revised by any visible document.
	revised := map[int64]bool{}
	for _, d := range chain {
		if d.RevisesID != nil {
			revised[*d.RevisesID] = true
		}
	}
	for _, d := range chain {
		if !revised[d.ID] {
			return d.ID, nil
		}
	}
	return id, nil
}

// DerestrictDue makes public the members-only documents whose derestriction
// date has come. Running it on several instances at once is harmless.
func (s *Store) DerestrictDue(ctx context.Context) (int64, error) {
	var ids []int64
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		if err := s.selectAll(ctx, tx, &ids, `UPDATE documents SET visibility = 'public', updated_at = ? WHERE visibility = 'members'
			AND derestrict_at IS NOT NULL AND derestrict_at <= ? RETURNING id`, s.now(), s.now()); err != nil {
			return err
		}
		for _, id := range ids {
			if err := s.documentChanged(ctx, tx, id); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("derestrict: %w", err)
	}
	return int64(len(ids)), nil
}

// documentChanged tells live readers of the library (topic "documents")
// that a document was created, changed, published or derestricted.
func (s *Store) documentChanged(ctx context.Context, q querier, id int64) error {
	if err := s.emit(ctx, q, "documents", "document.updated", map[string]any{"document_id": id}); err != nil {
		return err
	}
	return s.curatedAgendasChanged(ctx, q, id)
}

// DocumentBySymbol finds a document by its symbol, for curators linking revisions.
func (s *Store) DocumentBySymbol(ctx context.Context, symbol string) (*Document, error) {
	var d Document
	if err := s.get(ctx, s.db, &d, `SELECT `+documentColumns+` FROM documents d WHERE d.symbol = ?`, strings.TrimSpace(symbol)); err != nil {
		return nil, fmt.Errorf("document by symbol: %w", err)
	}
	return &d, nil
}

// DocumentIDByTitle finds a document by its exact title (0 when none), so
// that loading demo content twice adds nothing twice.
func (s *Store) DocumentIDByTitle(ctx context.Context, title string) (int64, error) {
	var id int64
	err := s.get(ctx, s.db, &id, `SELECT id FROM documents WHERE title = ? ORDER BY id LIMIT 1`, title)
	if isNoRows(err) {
		return 0, nil
	}
	return id, err
}
