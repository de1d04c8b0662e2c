package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/jmoiron/sqlx"
)

// AccountRequest is what a registration said about its organisation. For an
// organisation that already existed these are claims only: they are shown
// to the moderator and change nothing.
type AccountRequest struct {
	UserID     int64   `db:"user_id"`
	Kind       OrgKind `db:"kind"`
	Country    string  `db:"country"`
	SizeClass  string  `db:"size_class"`
	Sector     string  `db:"sector"`
	CreatedOrg bool    `db:"created_org"`
}

// RegisterUser creates a pending account from a registration. An
// organisation named like claim (case and spacing ignored) is joined, as a
// request a moderator sees as such; otherwise one is created from claim,
// whose kind stays a claim (the organisation is a business meanwhile) until
// a moderator confirms it. The mail announcing the request is queued with it.
func (s *Store) RegisterUser(ctx context.Context, nu NewUser, claim Organisation, mail ...any) (*User, error) {
	var id int64
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		org := Organisation{Name: claim.Name, Kind: OrgBusiness, Country: claim.Country, Sector: claim.Sector, ClaimedKind: claim.Kind}
		if claim.Kind == OrgBusiness {
			org.SizeClass = claim.SizeClass
		}
		var existing Organisation
		err := s.get(ctx, tx, &existing, `SELECT `+orgColumns+` FROM organisations WHERE name_key = ?`, orgNameKey(claim.Name))
		created := false
		switch {
		case err == nil:
			org = existing
		case isNoRows(err):
			if err := s.createOrganisation(ctx, tx, &org); err != nil {
				return err
			}
			created = true
		default:
			return fmt.Errorf("register: find organisation: %w", err)
		}
		if id, err = s.createUser(ctx, tx, nu, org.ID); err != nil {
			return err
		}
		if _, err := s.exec(ctx, tx, `INSERT INTO account_requests (user_id, kind, country, size_class, sector, created_org)
			VALUES (?, ?, ?, ?, ?, ?)`, id, claim.Kind, claim.Country, claim.SizeClass, claim.Sector, created); err != nil {
			return fmt.Errorf("register: request: %w", err)
		}
		return s.queueAccountMails(ctx, tx, mail)
	})
	if err != nil {
		return nil, err
	}
	return s.UserByID(ctx, id)
}

// PendingRequest is an account waiting for approval, with what a moderator
// needs to judge it: what it claimed, the organisation it would join as it
// is now, and who else is in it.
type PendingRequest struct {
	User
	// Claim is nil for requests made before claims were recorded.
	Claim  *AccountRequest
	Org    Organisation
	Others []OrgPerson
}

// CreatedOrg reports whether the request created its organisation.
func (p *PendingRequest) CreatedOrg() bool { return p.Claim != nil && p.Claim.CreatedOrg }

// NewOrg reports whether the request created its organisation and nobody
// else has joined it since: rejecting it then deletes the organisation.
func (p *PendingRequest) NewOrg() bool { return p.CreatedOrg() && len(p.Others) == 0 }

// EmailMatches reports whether the requester's address is at one of the
// organisation's e-mail domains.
func (p *PendingRequest) EmailMatches() bool { return p.Org.MatchesEmail(p.Email) }

// PendingRequests lists accounts waiting for approval, oldest first.
func (s *Store) PendingRequests(ctx context.Context) ([]PendingRequest, error) {
	users, err := s.PendingUsers(ctx)
	if err != nil || len(users) == 0 {
		return nil, err
	}
	var claims []AccountRequest
	if err := s.selectAll(ctx, s.db, &claims, `SELECT r.user_id, r.kind, r.country, r.size_class, r.sector, r.created_org
		FROM account_requests r JOIN users u ON u.id = r.user_id WHERE u.status = 'pending'`); err != nil {
		return nil, fmt.Errorf("pending requests: %w", err)
	}
	var orgs []Organisation
	if err := s.selectAll(ctx, s.db, &orgs, `SELECT `+orgColumns+` FROM organisations
		WHERE id IN (SELECT organisation_id FROM users WHERE status = 'pending')`); err != nil {
		return nil, fmt.Errorf("pending requests: %w", err)
	}
	byOrg := map[int64]Organisation{}
	ids := make([]int64, 0, len(orgs))
	for _, o := range orgs {
		byOrg[o.ID] = o
		ids = append(ids, o.ID)
	}
	people, err := s.OrganisationPeople(ctx, ids...)
	if err != nil {
		return nil, err
	}
	byClaim := map[int64]*AccountRequest{}
	for i := range claims {
		byClaim[claims[i].UserID] = &claims[i]
	}
	out := make([]PendingRequest, len(users))
	for i, u := range users {
		out[i] = PendingRequest{User: u, Claim: byClaim[u.ID], Org: byOrg[u.OrganisationID]}
		for _, p := range people {
			if p.OrganisationID == u.OrganisationID && p.ID != u.ID {
				out[i].Others = append(out[i].Others, p)
			}
		}
	}
	return out, nil
}

// ErrNotPending is returned when approving or rejecting an account that is not waiting.
var ErrNotPending = errors.New("account is not pending")

// ApproveUser activates a pending account with the given role. When its
// organisation's kind is still a registration's claim, the moderator's
// approval settles it: orgKind, or the claimed kind when orgKind is empty.
func (s *Store) ApproveUser(ctx context.Context, actorID, userID int64, role Role, orgKind OrgKind) error {
	if orgKind != "" && !orgKind.Valid() {
		return fmt.Errorf("approve user: unknown organisation kind %q", orgKind)
	}
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		n, err := s.exec(ctx, tx, `UPDATE users SET role = ?, status = 'active', updated_at = ? WHERE id = ? AND status = 'pending'`,
			role, s.now(), userID)
		if err != nil {
			return fmt.Errorf("approve user: %w", err)
		}
		if n == 0 {
			return ErrNotPending
		}
		if err := s.confirmClaimedKind(ctx, tx, actorID, userID, orgKind); err != nil {
			return err
		}
		if _, err := s.exec(ctx, tx, `DELETE FROM account_requests WHERE user_id = ?`, userID); err != nil {
			return fmt.Errorf("approve user: %w", err)
		}
		if err := s.notifyUser(ctx, tx, NotifyApproved, userID, actorID, 0, 0, 0); err != nil {
			return err
		}
		if err := s.accountChanged(ctx, tx, userID); err != nil {
			return err
		}
		return s.audit(ctx, tx, AuditEntry{ActorID: actorID, Action: "user.approve", TargetType: "user", TargetID: userID,
			Before: map[string]any{"status": StatusPending}, After: map[string]any{"status": StatusActive, "role": role}})
	})
}

// confirmClaimedKind turns the claimed kind of the account's organisation,
// if it still has one, into its kind.
func (s *Store) confirmClaimedKind(ctx context.Context, tx *sqlx.Tx, actorID, userID int64, kind OrgKind) error {
	var o Organisation
	if err := s.get(ctx, tx, &o, `SELECT `+orgColumns+` FROM organisations WHERE id = (SELECT organisation_id FROM users WHERE id = ?)`,
		userID); err != nil {
		return fmt.Errorf("approve user: organisation: %w", err)
	}
	if o.ClaimedKind == "" {
		return nil
	}
	if kind == "" {
		kind = o.ClaimedKind
	}
	before := o
	o.Kind, o.ClaimedKind = kind, ""
	if kind != OrgBusiness {
		o.SizeClass = ""
	}
	if _, err := s.exec(ctx, tx, `UPDATE organisations SET kind = ?, size_class = ?, claimed_kind = '' WHERE id = ?`,
		o.Kind, o.SizeClass, o.ID); err != nil {
		return fmt.Errorf("approve user: organisation: %w", err)
	}
	return s.audit(ctx, tx, AuditEntry{ActorID: actorID, Action: "organisation.confirm", TargetType: "organisation", TargetID: o.ID,
		Before: orgState(&before), After: orgState(&o)})
}

// RejectUser deletes a pending account; its e-mail may register again. The
// organisation goes with it when nobody else (no account, invitation,
// thread or post) is in it and either this request created it or no
// moderator has confirmed it yet, so that a rejected request leaves no
// organisation behind for the next one to join.
func (s *Store) RejectUser(ctx context.Context, actorID, userID int64) error {
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		var u User
		if err := s.get(ctx, tx, &u, userSelect+` WHERE u.id = ?`, userID); err != nil {
			return fmt.Errorf("reject user: %w", err)
		}
		if u.Status != StatusPending {
			return ErrNotPending
		}
		var created bool
		if err := s.get(ctx, tx, &created, `SELECT created_org FROM account_requests WHERE user_id = ?`, userID); err != nil && !isNoRows(err) {
			return fmt.Errorf("reject user: %w", err)
		}
		if _, err := s.exec(ctx, tx, `DELETE FROM users WHERE id = ?`, userID); err != nil {
			return fmt.Errorf("reject user: %w", err)
		}
		removed, err := s.exec(ctx, tx, `DELETE FROM organisations WHERE id = ? AND (? OR claimed_kind <> '')
			AND NOT EXISTS (SELECT 1 FROM users WHERE organisation_id = organisations.id)
			AND NOT EXISTS (SELECT 1 FROM invitations WHERE organisation_id = organisations.id)
			AND NOT EXISTS (SELECT 1 FROM threads WHERE organisation_id = organisations.id)
			AND NOT EXISTS (SELECT 1 FROM posts WHERE organisation_id = organisations.id)`, u.OrganisationID, created)
		if err != nil {
			return fmt.Errorf("reject user: organisation: %w", err)
		}
		before := map[string]any{"email": u.Email, "name": u.Name, "organisation": u.OrgName}
		var after any
		if removed > 0 {
			after = map[string]any{"organisation_removed": u.OrganisationID}
		}
		return s.audit(ctx, tx, AuditEntry{ActorID: actorID, Action: "user.reject", TargetType: "user", TargetID: userID,
			Before: before, After: after})
	})
}
