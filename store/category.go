package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
)

// Category groups documents (official documents, meeting reports, …); moderators manage the list.
type Category struct {
	ID        int64     `db:"id" json:"id"`
	Slug      string    `db:"slug" json:"slug"`
	NameEN    string    `db:"name_en" json:"name_en"`
	NameFR    string    `db:"name_fr" json:"name_fr"`
	NameES    string    `db:"name_es" json:"name_es"`
	Position  int       `db:"position" json:"position"`
	CreatedAt time.Time `db:"created_at" json:"-"`
}

// Name is the category's name in lang.
func (c Category) Name(lang string) string {
	switch lang {
	case "fr":
		return c.NameFR
	case "es":
		return c.NameES
	}
	return c.NameEN
}

const categoryColumns = `id, slug, name_en, name_fr, name_es, position, created_at`

// Categories lists the categories in their display order.
func (s *Store) Categories(ctx context.Context) ([]Category, error) {
	var out []Category
	if err := s.selectAll(ctx, s.db, &out, `SELECT `+categoryColumns+` FROM categories ORDER BY position, id`); err != nil {
		return nil, fmt.Errorf("categories: %w", err)
	}
	return out, nil
}

// CategoryBySlug loads one category.
func (s *Store) CategoryBySlug(ctx context.Context, slug string) (*Category, error) {
	var c Category
	if err := s.get(ctx, s.db, &c, `SELECT `+categoryColumns+` FROM categories WHERE slug = ?`, slug); err != nil {
		return nil, fmt.Errorf("category: %w", err)
	}
	return &c, nil
}

// SaveCategory creates c, or updates it when it has an ID. A slug in use gives ErrConflict.
func (s *Store) SaveCategory(ctx context.Context, actorID int64, c *Category) error {
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		action := "category.update"
		if c.ID == 0 {
			action = "category.create"
			c.CreatedAt = s.now()
			id, err := s.insert(ctx, tx, `INSERT INTO categories (slug, name_en, name_fr, name_es, position, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
				c.Slug, c.NameEN, c.NameFR, c.NameES, c.Position, c.CreatedAt)
			if err != nil {
				return fmt.Errorf("create category: %w", err)
			}
			c.ID = id
		} else {
			n, err := s.exec(ctx, tx, `UPDATE categories SET slug = ?, name_en = ?, name_fr = ?, name_es = ?, position = ? WHERE id = ?`,
				c.Slug, c.NameEN, c.NameFR, c.NameES, c.Position, c.ID)
			if err != nil {
				return fmt.Errorf("update category: %w", err)
			}
			if n == 0 {
				return fmt.Errorf("update category: %w", ErrNotFound)
			}
		}
		return s.audit(ctx, tx, AuditEntry{ActorID: actorID, Action: action, TargetType: "category", TargetID: c.ID, After: c})
	})
}
