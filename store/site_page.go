package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/jmoiron/sqlx"
)

// SitePageLangs are the languages a site page can be written in, English
// first because the others fall back to it.
var SitePageLangs = []string{"en", "fr", "es"}

// SitePageSlugs are the pages admins may write.
var SitePageSlugs = []string{"privacy", "contact"}

// IsSitePage reports whether slug names a page admins may write.
func IsSitePage(slug string) bool {
	for _, s := range SitePageSlugs {
		if s == slug {
			return true
		}
	}
	return false
}

func isSitePageLang(lang string) bool {
	for _, l := range SitePageLangs {
		if l == lang {
			return true
		}
	}
	return false
}

// SitePageTexts is the Markdown an admin wrote for one page, by language;
// a language nobody wrote is absent.
func (s *Store) SitePageTexts(ctx context.Context, slug string) (map[string]string, error) {
	var rows []struct {
		Lang string `db:"lang"`
		Body string `db:"body"`
	}
	if err := s.selectAll(ctx, s.db, &rows, `SELECT lang, body FROM site_pages WHERE slug = ?`, slug); err != nil {
		return nil, fmt.Errorf("site page %s: %w", slug, err)
	}
	out := make(map[string]string, len(rows))
	for _, r := range rows {
		out[r.Lang] = r.Body
	}
	return out, nil
}

// SitePageText is the Markdown to show for slug in lang: the text in lang,
// else the English one, else "" (the caller then shows its built-in text).
func (s *Store) SitePageText(ctx context.Context, slug, lang string) (string, error) {
	var body string
	err := s.get(ctx, s.db, &body, `SELECT body FROM site_pages WHERE slug = ? AND lang IN (?, 'en')
		ORDER BY CASE WHEN lang = ? THEN 0 ELSE 1 END LIMIT 1`, slug, lang, lang)
	if errors.Is(err, sql.ErrNoRows) || errors.Is(err, ErrNotFound) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("site page %s: %w", slug, err)
	}
	return body, nil
}

// SaveSitePage stores an admin's text for slug in lang, audited; an empty
// body removes it, so the page falls back to English or the built-in text.
// An unknown page or language is ErrNotFound.
func (s *Store) SaveSitePage(ctx context.Context, actorID int64, slug, lang, body string) error {
	if !IsSitePage(slug) || !isSitePageLang(lang) {
		return fmt.Errorf("save site page %s/%s: %w", slug, lang, ErrNotFound)
	}
	var actor any
	if actorID != SystemActor {
		actor = actorID
	}
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		var before string
		err := s.get(ctx, tx, &before, `SELECT body FROM site_pages WHERE slug = ? AND lang = ?`, slug, lang)
		if err != nil && !errors.Is(err, sql.ErrNoRows) && !errors.Is(err, ErrNotFound) {
			return fmt.Errorf("save site page: %w", err)
		}
		if body == "" {
			_, err = s.exec(ctx, tx, `DELETE FROM site_pages WHERE slug = ? AND lang = ?`, slug, lang)
		} else {
			_, err = s.exec(ctx, tx, `INSERT INTO site_pages (slug, lang, body, updated_by, updated_at) VALUES (?, ?, ?, ?, ?)
				ON CONFLICT (slug, lang) DO UPDATE SET body = excluded.body, updated_by = excluded.updated_by,
				updated_at = excluded.updated_at`, slug, lang, body, actor, s.now())
		}
		if err != nil {
			return fmt.Errorf("save site page: %w", err)
		}
		return s.audit(ctx, tx, AuditEntry{ActorID: actorID, Action: "page.update", TargetType: "site_page",
			Before: map[string]any{"page": slug, "lang": lang, "body": before},
			After:  map[string]any{"page": slug, "lang": lang, "body": body}})
	})
}
