package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// AuditEntry records one moderator or admin action: who, what, on what, the
// state before and after, and when.
type AuditEntry struct {
	ID         int64     `db:"id" json:"id"`
	ActorID    int64     `db:"actor_id" json:"actor_id"`
	ActorName  string    `db:"actor_name" json:"actor_name"`
	Action     string    `db:"action" json:"action"`
	TargetType string    `db:"target_type" json:"target_type"`
	TargetID   int64     `db:"target_id" json:"target_id"`
	BeforeJSON string    `db:"before_state" json:"before"`
	AfterJSON  string    `db:"after_state" json:"after"`
	CreatedAt  time.Time `db:"created_at" json:"created_at"`
	Before     any       `db:"-" json:"-"`
	After      any       `db:"-" json:"-"`
}

func marshalState(v any) (string, error) {
	if v == nil {
		return "", nil
	}
	b, err := json.Marshal(v)
	return string(b), err
}

// SystemActor is the ActorID of actions no account took: those run from the
// command line (ideasx user …). It is stored as a NULL actor.
const SystemActor int64 = 0

// audit writes e inside the transaction of the action it records, so that
// an action and its trace are kept or lost together.
func (s *Store) audit(ctx context.Context, q querier, e AuditEntry) error {
	before, err := marshalState(e.Before)
	if err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	after, err := marshalState(e.After)
	if err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	var actor any
	if e.ActorID != 0 {
		actor = e.ActorID
	}
	_, err = s.exec(ctx, q, `INSERT INTO audit_log (actor_id, action, target_type, target_id, before_state, after_state, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, actor, e.Action, e.TargetType, e.TargetID, before, after, s.now())
	if err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	return nil
}

// AuditFilter narrows the audit log.
type AuditFilter struct {
	Action  string
	ActorID int64
	Limit   int
	Offset  int
}

// AuditLog lists entries, newest first.
func (s *Store) AuditLog(ctx context.Context, f AuditFilter) ([]AuditEntry, error) {
	var w where
	if f.Action != "" {
		w.add(`a.action = ?`, f.Action)
	}
	if f.ActorID != 0 {
		w.add(`a.actor_id = ?`, f.ActorID)
	}
	cond, args := w.sql()
	if f.Limit <= 0 || f.Limit > 200 {
		f.Limit = 50
	}
	var out []AuditEntry
	err := s.selectAll(ctx, s.db, &out, `SELECT a.id, COALESCE(a.actor_id, 0) AS actor_id, COALESCE(u.name, '') AS actor_name,
		a.action, a.target_type, a.target_id, a.before_state, a.after_state, a.created_at
		FROM audit_log a LEFT JOIN users u ON u.id = a.actor_id`+cond+` ORDER BY a.created_at DESC, a.id DESC LIMIT ? OFFSET ?`,
		append(args, f.Limit, f.Offset)...)
	if err != nil {
		return nil, fmt.Errorf("audit log: %w", err)
	}
	return out, nil
}
