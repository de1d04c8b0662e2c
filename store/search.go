package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/jmoiron/sqlx"
)

// reindexDocument refreshes the search entry of a document from its title,
// symbol, summary, tags and the text of its current files.
func (s *Store) reindexDocument(ctx context.Context, tx *sqlx.Tx, id int64) error {
	var d struct {
		Title   string `db:"title"`
		Symbol  string `db:"symbol"`
		Summary string `db:"summary"`
	}
	if err := s.get(ctx, tx, &d, `SELECT title, COALESCE(symbol, '') AS symbol, summary FROM documents WHERE id = ?`, id); err != nil {
		return fmt.Errorf("reindex: %w", err)
	}
	var parts []string
	if err := s.selectAll(ctx, tx, &parts, `SELECT tag FROM document_tags WHERE document_id = ?`, id); err != nil {
		return fmt.Errorf("reindex: %w", err)
	}
	var texts []string
	if err := s.selectAll(ctx, tx, &texts, `SELECT f.text_content FROM document_files f WHERE f.document_id = ?
		AND f.version = (SELECT MAX(g.version) FROM document_files g WHERE g.document_id = f.document_id AND g.lang = f.lang)`, id); err != nil {
		return fmt.Errorf("reindex: %w", err)
	}
	title := FoldSearch(d.Title + " " + d.Symbol)
	body := FoldSearch(d.Summary + " " + strings.Join(parts, " ") + " " + strings.Join(texts, " "))
	if _, err := s.exec(ctx, tx, `UPDATE documents SET search_title = ?, search_body = ? WHERE id = ?`, title, body, id); err != nil {
		return fmt.Errorf("reindex: %w", err)
	}
	return s.dialect.indexDocument(ctx, tx, id, title, body)
}

// SearchHit is a document found by a search, best first.
type SearchHit struct {
	Document
	Rank float64 `db:"rank" json:"rank"`
	// Text is the document's summary (Markdown), which the snippet is cut from.
	Text string `db:"search_text" json:"-"`
}

// SearchFilter narrows a document search.
type SearchFilter struct {
	Access     Access
	CategoryID int64
	Year       int
	Limit      int
}

// SearchDocuments ranks the documents the reader may see against q: words
// in the title or symbol weigh more than words in the summary or files. The
// last word also matches as a prefix, so that searching while typing works.
func (s *Store) SearchDocuments(ctx context.Context, q string, f SearchFilter) ([]SearchHit, error) {
	tokens := searchTokens(q)
	if len(tokens) == 0 {
		return nil, nil
	}
	w := where{}
	s.readable(&w, f.Access)
	if f.Access.Curator {
		w.add(`d.status = 'published'`)
	}
	if f.CategoryID != 0 {
		w.add(`d.category_id = ?`, f.CategoryID)
	}
	if f.Year != 0 {
		start := timeYear(f.Year)
		w.add(`d.doc_date >= ? AND d.doc_date < ?`, start, start.AddDate(1, 0, 0))
	}
	if f.Limit <= 0 || f.Limit > 100 {
		f.Limit = 20
	}
	hits, err := s.dialect.searchDocuments(ctx, s, tokens, w, f.Limit)
	if err != nil {
		return nil, fmt.Errorf("search documents: %w", err)
	}
	docs := make([]Document, len(hits))
	for i := range hits {
		docs[i] = hits[i].Document
	}
	if err := s.fillDocuments(ctx, docs); err != nil {
		return nil, err
	}
	for i := range hits {
		hits[i].Document = docs[i]
	}
	return hits, nil
}
