package store

import (
	"context"
	"fmt"
	"strconv"
	"strings"
)

// handleBase turns a name into the start of a handle: "Lucía Fernández" → "lucia.fernandez".
func handleBase(name string) string {
	h := strings.ReplaceAll(FoldSearch(name), " ", ".")
	if r := []rune(h); len(r) > 30 {
		h = strings.Trim(string(r[:30]), ".")
	}
	if h == "" {
		h = "member"
	}
	return h
}

// assignHandle gives a person the first free handle made from their name
// ("ana.quispe", then "ana.quispe2", …).
func (s *Store) assignHandle(ctx context.Context, q querier, userID int64, name string) error {
	base := handleBase(name)
	for i := 1; i < 1000; i++ {
		h := base
		if i > 1 {
			h += strconv.Itoa(i)
		}
		var n int
		if err := s.get(ctx, q, &n, `SELECT count(*) FROM users WHERE handle = ?`, h); err != nil {
			return fmt.Errorf("assign handle: %w", err)
		}
		if n == 0 {
			if _, err := s.exec(ctx, q, `UPDATE users SET handle = ? WHERE id = ?`, h, userID); err != nil {
				return fmt.Errorf("assign handle: %w", err)
			}
			return nil
		}
	}
	return fmt.Errorf("assign handle: no free handle for %q", base)
}

// fillHandles gives a handle to every account made before handles existed.
func (s *Store) fillHandles(ctx context.Context) error {
	var users []struct {
		ID   int64  `db:"id"`
		Name string `db:"name"`
	}
	if err := s.selectAll(ctx, s.db, &users, `SELECT id, name FROM users WHERE handle = '' ORDER BY id`); err != nil {
		return fmt.Errorf("fill handles: %w", err)
	}
	for _, u := range users {
		if err := s.assignHandle(ctx, s.db, u.ID, u.Name); err != nil {
			return err
		}
	}
	return nil
}

// UsersByHandles finds the accounts behind handles (case ignored).
func (s *Store) UsersByHandles(ctx context.Context, handles []string) (map[string]*User, error) {
	out := map[string]*User{}
	for _, h := range handles {
		var u User
		err := s.get(ctx, s.db, &u, userSelect+` WHERE u.handle = ?`, strings.ToLower(h))
		if isNoRows(err) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("users by handle: %w", err)
		}
		out[strings.ToLower(h)] = &u
	}
	return out, nil
}
