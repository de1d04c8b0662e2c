package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
)

// Invitation is a single-use, expiring link that creates an active account
// with a preset role and organisation.
type Invitation struct {
	ID             int64      `db:"id" json:"id"`
	Email          string     `db:"email" json:"email"`
	Role           Role       `db:"role" json:"role"`
	OrganisationID int64      `db:"organisation_id" json:"organisation_id"`
	OrgName        string     `db:"org_name" json:"organisation"`
	InvitedBy      int64      `db:"invited_by" json:"invited_by"`
	InviterName    string     `db:"inviter_name" json:"inviter"`
	CreatedAt      time.Time  `db:"created_at" json:"created_at"`
	ExpiresAt      time.Time  `db:"expires_at" json:"expires_at"`
	UsedAt         *time.Time `db:"used_at" json:"used_at"`
}

const invitationSelect = `SELECT i.id, i.email, i.role, i.organisation_id, o.name AS org_name, i.invited_by,
	u.name AS inviter_name, i.created_at, i.expires_at, i.used_at
	FROM invitations i JOIN organisations o ON o.id = i.organisation_id JOIN users u ON u.id = i.invited_by`

// CreateInvitation records an invitation whose link carries the token hashed
// as hash; the mail carrying the link, when given, is queued with it.
func (s *Store) CreateInvitation(ctx context.Context, inv *Invitation, hash string, ttl time.Duration, mail ...any) error {
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		return s.createInvitation(ctx, tx, inv, hash, ttl, mail)
	})
}

// CreateInvitationInOrg is CreateInvitation into an organisation named
// anew: the one named like org (case and spacing ignored) is joined, or org
// is created, in the invitation's transaction, so that an invitation that
// fails leaves no organisation behind.
func (s *Store) CreateInvitationInOrg(ctx context.Context, inv *Invitation, org *Organisation, hash string, ttl time.Duration, mail ...any) error {
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		if err := s.findOrCreateOrganisation(ctx, tx, org); err != nil {
			return err
		}
		inv.OrganisationID = org.ID
		return s.createInvitation(ctx, tx, inv, hash, ttl, mail)
	})
}

func (s *Store) createInvitation(ctx context.Context, tx *sqlx.Tx, inv *Invitation, hash string, ttl time.Duration, mail []any) error {
	inv.Email = NormalizeEmail(inv.Email)
	inv.CreatedAt = s.now()
	inv.ExpiresAt = inv.CreatedAt.Add(ttl)
	id, err := s.insert(ctx, tx, `INSERT INTO invitations (token_hash, email, role, organisation_id, invited_by, created_at, expires_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, hash, inv.Email, inv.Role, inv.OrganisationID, inv.InvitedBy, inv.CreatedAt, inv.ExpiresAt)
	if err != nil {
		return fmt.Errorf("create invitation: %w", err)
	}
	inv.ID = id
	if err := s.queueAccountMails(ctx, tx, mail); err != nil {
		return err
	}
	return s.audit(ctx, tx, AuditEntry{ActorID: inv.InvitedBy, Action: "invitation.create", TargetType: "invitation", TargetID: id,
		After: map[string]any{"email": inv.Email, "role": inv.Role, "organisation_id": inv.OrganisationID}})
}

// InvitationByToken returns the invitation behind a token hash while it can
// still be used; a used, expired or unknown one gives ErrExpired.
func (s *Store) InvitationByToken(ctx context.Context, hash string) (*Invitation, error) {
	var inv Invitation
	err := s.get(ctx, s.db, &inv, invitationSelect+` WHERE i.token_hash = ? AND i.used_at IS NULL AND i.expires_at > ?`, hash, s.now())
	if isNoRows(err) {
		return nil, ErrExpired
	}
	if err != nil {
		return nil, fmt.Errorf("invitation: %w", err)
	}
	return &inv, nil
}

// RecentInvitations lists the latest invitations for the moderators' page.
func (s *Store) RecentInvitations(ctx context.Context, limit int) ([]Invitation, error) {
	var out []Invitation
	if err := s.selectAll(ctx, s.db, &out, invitationSelect+` ORDER BY i.created_at DESC, i.id DESC LIMIT ?`, limit); err != nil {
		return nil, fmt.Errorf("recent invitations: %w", err)
	}
	return out, nil
}

// AcceptInvitation uses the invitation once and creates its active account.
// An e-mail already registered gives ErrConflict and leaves the invitation unused.
func (s *Store) AcceptInvitation(ctx context.Context, hash string, nu NewUser) (*User, error) {
	var id int64
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		var inv Invitation
		err := s.get(ctx, tx, &inv, invitationSelect+` WHERE i.token_hash = ? AND i.used_at IS NULL AND i.expires_at > ?`, hash, s.now())
		if isNoRows(err) {
			return ErrExpired
		}
		if err != nil {
			return fmt.Errorf("accept invitation: %w", err)
		}
		nu.Email, nu.Role, nu.Status = inv.Email, inv.Role, StatusActive
		if id, err = s.createUser(ctx, tx, nu, inv.OrganisationID); err != nil {
			return err
		}
		// The used_at guard makes a second, concurrent acceptance update nothing.
		n, err := s.exec(ctx, tx, `UPDATE invitations SET used_at = ?, used_by = ? WHERE id = ? AND used_at IS NULL`, s.now(), id, inv.ID)
		if err != nil {
			return fmt.Errorf("accept invitation: %w", err)
		}
		if n != 1 {
			return ErrExpired
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return s.UserByID(ctx, id)
}

// ErrInvitationClosed is returned when revoking an invitation that was
// already used or has expired: there is no link left to withdraw.
var ErrInvitationClosed = errors.New("invitation already used or expired")

// RevokeInvitation withdraws an unused invitation: its link stops working
// now (it shows as expired at this moment) and the audit log says who
// withdrew it. An unknown id gives ErrNotFound, a used or expired one
// ErrInvitationClosed.
func (s *Store) RevokeInvitation(ctx context.Context, actorID, id int64) error {
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		inv, err := s.invitationByID(ctx, tx, id)
		if err != nil {
			return err
		}
		now := s.now()
		n, err := s.exec(ctx, tx, `UPDATE invitations SET expires_at = ? WHERE id = ? AND used_at IS NULL AND expires_at > ?`, now, id, now)
		if err != nil {
			return fmt.Errorf("revoke invitation: %w", err)
		}
		if n == 0 {
			return ErrInvitationClosed
		}
		return s.audit(ctx, tx, AuditEntry{ActorID: actorID, Action: "invitation.revoke", TargetType: "invitation", TargetID: id,
			Before: map[string]any{"email": inv.Email, "expires_at": inv.ExpiresAt}, After: map[string]any{"expires_at": now}})
	})
}

// InvitationByID returns one invitation, whatever its state.
func (s *Store) InvitationByID(ctx context.Context, id int64) (*Invitation, error) {
	return s.invitationByID(ctx, s.db, id)
}

func (s *Store) invitationByID(ctx context.Context, q querier, id int64) (*Invitation, error) {
	var inv Invitation
	err := s.get(ctx, q, &inv, invitationSelect+` WHERE i.id = ?`, id)
	if isNoRows(err) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("invitation: %w", err)
	}
	return &inv, nil
}
