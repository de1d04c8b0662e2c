package store

import (
	"context"
	"fmt"
	"time"
)

// RegistrationFigure is how many people of one kind of organisation and
// one country registered for a public meeting (holding a seat) and came.
type RegistrationFigure struct {
	EventID    int64     `db:"event_id"`
	Title      string    `db:"title"`
	StartsAt   time.Time `db:"starts_at"`
	Timezone   string    `db:"timezone"`
	OrgKind    string    `db:"org_kind"`
	Country    string    `db:"country"`
	Registered int       `db:"registered"`
	Attended   int       `db:"attended"`
}

// RegistrationFigures counts, for every public meeting that takes
// registrations, the seats taken and the people who came, by kind of
// organisation and country. Numbers only: no name leaves the store here.
func (s *Store) RegistrationFigures(ctx context.Context) ([]RegistrationFigure, error) {
	var out []RegistrationFigure
	err := s.selectAll(ctx, s.db, &out, `SELECT e.id AS event_id, e.title, e.starts_at, e.timezone, r.org_kind, r.country,
			COUNT(*) AS registered, COALESCE(SUM(CASE WHEN r.checked_in_at IS NOT NULL THEN 1 ELSE 0 END), 0) AS attended
		FROM event_registrations r JOIN events e ON e.id = r.event_id
		WHERE e.visibility = 'public' AND r.status = 'confirmed'
		GROUP BY e.id, e.title, e.starts_at, e.timezone, r.org_kind, r.country
		ORDER BY e.starts_at DESC, e.id, r.org_kind, r.country`)
	if err != nil {
		return nil, fmt.Errorf("registration figures: %w", err)
	}
	return out, nil
}
