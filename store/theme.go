package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
)

// Theme is a forum section (trade finance, rules of origin, …), named in the three languages.
type Theme struct {
	ID            int64     `db:"id" json:"id"`
	Slug          string    `db:"slug" json:"slug"`
	NameEN        string    `db:"name_en" json:"name_en"`
	NameFR        string    `db:"name_fr" json:"name_fr"`
	NameES        string    `db:"name_es" json:"name_es"`
	DescriptionEN string    `db:"description_en" json:"description_en"`
	DescriptionFR string    `db:"description_fr" json:"description_fr"`
	DescriptionES string    `db:"description_es" json:"description_es"`
	Position      int       `db:"position" json:"position"`
	Archived      bool      `db:"archived" json:"archived"`
	CreatedAt     time.Time `db:"created_at" json:"-"`
}

// Name is the theme's name in lang.
func (t Theme) Name(lang string) string {
	return pick(lang, t.NameEN, t.NameFR, t.NameES)
}

// Description is the theme's description in lang.
func (t Theme) Description(lang string) string {
	return pick(lang, t.DescriptionEN, t.DescriptionFR, t.DescriptionES)
}

func pick(lang, en, fr, es string) string {
	switch {
	case lang == "fr" && fr != "":
		return fr
	case lang == "es" && es != "":
		return es
	}
	return en
}

const themeColumns = `id, slug, name_en, name_fr, name_es, description_en, description_fr, description_es, position, archived, created_at`

// Themes lists the themes in order; archived ones only when asked.
func (s *Store) Themes(ctx context.Context, withArchived bool) ([]Theme, error) {
	w := where{}
	if !withArchived {
		w.add(`archived = ?`, false)
	}
	cond, args := w.sql()
	var out []Theme
	err := s.selectAll(ctx, s.db, &out, `SELECT `+themeColumns+` FROM themes`+cond+` ORDER BY position, id`, args...)
	if err != nil {
		return nil, fmt.Errorf("themes: %w", err)
	}
	return out, nil
}

// ThemeByID loads one theme.
func (s *Store) ThemeByID(ctx context.Context, id int64) (*Theme, error) {
	var t Theme
	if err := s.get(ctx, s.db, &t, `SELECT `+themeColumns+` FROM themes WHERE id = ?`, id); err != nil {
		return nil, fmt.Errorf("theme: %w", err)
	}
	return &t, nil
}

// SaveTheme creates t (ID 0) or updates it. A slug in use gives ErrConflict.
func (s *Store) SaveTheme(ctx context.Context, actorID int64, t *Theme) error {
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		action := "theme.update"
		if t.ID == 0 {
			action = "theme.create"
			t.CreatedAt = s.now()
			id, err := s.insert(ctx, tx, `INSERT INTO themes (slug, name_en, name_fr, name_es, description_en, description_fr, description_es,
				position, archived, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, t.Slug, t.NameEN, t.NameFR, t.NameES,
				t.DescriptionEN, t.DescriptionFR, t.DescriptionES, t.Position, t.Archived, t.CreatedAt)
			if err != nil {
				return fmt.Errorf("create theme: %w", err)
			}
			t.ID = id
		} else {
			n, err := s.exec(ctx, tx, `UPDATE themes SET slug = ?, name_en = ?, name_fr = ?, name_es = ?, description_en = ?,
				description_fr = ?, description_es = ?, position = ?, archived = ? WHERE id = ?`, t.Slug, t.NameEN, t.NameFR, t.NameES,
				t.DescriptionEN, t.DescriptionFR, t.DescriptionES, t.Position, t.Archived, t.ID)
			if err != nil {
				return fmt.Errorf("update theme: %w", err)
			}
			if n == 0 {
				return fmt.Errorf("update theme: %w", ErrNotFound)
			}
		}
		return s.audit(ctx, tx, AuditEntry{ActorID: actorID, Action: action, TargetType: "theme", TargetID: t.ID,
			After: map[string]any{"slug": t.Slug, "name_en": t.NameEN, "archived": t.Archived}})
	})
}
