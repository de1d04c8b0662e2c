package store

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jmoiron/sqlx"
)

// OrgSummary is an organisation in the moderators' list, with how many
// accounts it has.
type OrgSummary struct {
	Organisation
	People int `db:"people" json:"people"`
}

// OrgFilter narrows the organisations list. Verified is "yes", "no" or empty.
type OrgFilter struct {
	Query    string
	Kind     OrgKind
	Verified string
	Limit    int
	Offset   int
}

// ListOrganisations returns a page of organisations matching f, by name,
// and how many match in all.
func (s *Store) ListOrganisations(ctx context.Context, f OrgFilter) ([]OrgSummary, int, error) {
	var w where
	if q := orgNameKey(f.Query); q != "" {
		p := likePattern(q)
		w.add(`(name_key LIKE ? ESCAPE '\' OR email_domains LIKE ? ESCAPE '\')`, p, p)
	}
	if f.Kind != "" {
		w.add(`kind = ?`, f.Kind)
	}
	switch f.Verified {
	case "yes":
		w.add(`verified = ?`, true)
	case "no":
		w.add(`verified = ?`, false)
	}
	cond, args := w.sql()
	var total int
	if err := s.get(ctx, s.db, &total, `SELECT count(*) FROM organisations`+cond, args...); err != nil {
		return nil, 0, fmt.Errorf("count organisations: %w", err)
	}
	if f.Limit <= 0 || f.Limit > 200 {
		f.Limit = 50
	}
	var out []OrgSummary
	err := s.selectAll(ctx, s.db, &out, `SELECT `+orgColumns+`,
		(SELECT count(*) FROM users u WHERE u.organisation_id = organisations.id) AS people
		FROM organisations`+cond+` ORDER BY name_key, id LIMIT ? OFFSET ?`, append(args, f.Limit, f.Offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("list organisations: %w", err)
	}
	return out, total, nil
}

// OrgPerson is an account as the organisation pages list it.
type OrgPerson struct {
	ID             int64  `db:"id" json:"id"`
	Name           string `db:"name" json:"name"`
	Email          string `db:"email" json:"email"`
	Role           Role   `db:"role" json:"role"`
	Status         Status `db:"status" json:"status"`
	OrganisationID int64  `db:"organisation_id" json:"-"`
}

// OrganisationPeople lists the accounts of some organisations, by name.
func (s *Store) OrganisationPeople(ctx context.Context, orgIDs ...int64) ([]OrgPerson, error) {
	if len(orgIDs) == 0 {
		return nil, nil
	}
	query, args, err := sqlx.In(`SELECT id, name, email, role, status, organisation_id FROM users
		WHERE organisation_id IN (?) ORDER BY lower(name), id`, orgIDs)
	if err != nil {
		return nil, fmt.Errorf("organisation people: %w", err)
	}
	var out []OrgPerson
	if err := s.selectAll(ctx, s.db, &out, query, args...); err != nil {
		return nil, fmt.Errorf("organisation people: %w", err)
	}
	return out, nil
}

// orgState is what the audit log records of an organisation.
func orgState(o *Organisation) map[string]any {
	return map[string]any{"name": o.Name, "kind": o.Kind, "country": o.Country, "size_class": o.SizeClass,
		"sector": o.Sector, "email_domains": o.EmailDomains, "verified": o.Verified, "claimed_kind": o.ClaimedKind}
}

// UpdateOrganisation saves a moderator's edit of o (every field but the
// creation time). A moderator's edit settles a registration's claim: the
// kind is now the one the moderator chose. A name another organisation
// has (case and spacing ignored) gives ErrConflict.
func (s *Store) UpdateOrganisation(ctx context.Context, actorID int64, o *Organisation) error {
	if !o.Kind.Valid() {
		return fmt.Errorf("update organisation: unknown kind %q", o.Kind)
	}
	o.Name = strings.Join(strings.Fields(o.Name), " ")
	if o.Kind != OrgBusiness {
		o.SizeClass, o.Sector = "", ""
	}
	o.ClaimedKind = ""
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		var before Organisation
		if err := s.get(ctx, tx, &before, `SELECT `+orgColumns+` FROM organisations WHERE id = ?`, o.ID); err != nil {
			return fmt.Errorf("update organisation: %w", err)
		}
		_, err := s.exec(ctx, tx, `UPDATE organisations SET name = ?, name_key = ?, kind = ?, country = ?, size_class = ?, sector = ?,
			email_domains = ?, verified = ?, claimed_kind = '' WHERE id = ?`,
			o.Name, orgNameKey(o.Name), o.Kind, o.Country, o.SizeClass, o.Sector, o.EmailDomains, o.Verified, o.ID)
		if err != nil {
			return fmt.Errorf("update organisation: %w", err)
		}
		o.CreatedAt = before.CreatedAt
		return s.audit(ctx, tx, AuditEntry{ActorID: actorID, Action: "organisation.update", TargetType: "organisation", TargetID: o.ID,
			Before: orgState(&before), After: orgState(o)})
	})
}

// ErrSameOrganisation is returned when merging an organisation into itself.
var ErrSameOrganisation = errors.New("an organisation cannot be merged into itself")

// MergeOrganisations moves everything of organisation from (accounts,
// invitations, threads, posts, what it has read) into organisation into and
// deletes from. into keeps its own facts; it gains from's e-mail domains.
// It returns how many accounts moved.
func (s *Store) MergeOrganisations(ctx context.Context, actorID, fromID, intoID int64) (int, error) {
	if fromID == intoID {
		return 0, ErrSameOrganisation
	}
	var moved []int64
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		var from, into Organisation
		if err := s.get(ctx, tx, &from, `SELECT `+orgColumns+` FROM organisations WHERE id = ?`, fromID); err != nil {
			return fmt.Errorf("merge organisations: %w", err)
		}
		if err := s.get(ctx, tx, &into, `SELECT `+orgColumns+` FROM organisations WHERE id = ?`, intoID); err != nil {
			return fmt.Errorf("merge organisations: %w", err)
		}
		if err := s.selectAll(ctx, tx, &moved, `SELECT id FROM users WHERE organisation_id = ? ORDER BY id`, fromID); err != nil {
			return fmt.Errorf("merge organisations: %w", err)
		}
		for _, table := range []string{"users", "invitations", "threads", "posts"} {
			if _, err := s.exec(ctx, tx, `UPDATE `+table+` SET organisation_id = ? WHERE organisation_id = ?`, intoID, fromID); err != nil {
				return fmt.Errorf("merge organisations: %s: %w", table, err)
			}
		}
		// A thread both had read keeps into's first reading.
		if _, err := s.exec(ctx, tx, `INSERT INTO thread_org_reads (thread_id, organisation_id, first_read_at)
			SELECT thread_id, ?, first_read_at FROM thread_org_reads WHERE organisation_id = ?
			ON CONFLICT (thread_id, organisation_id) DO NOTHING`, intoID, fromID); err != nil {
			return fmt.Errorf("merge organisations: reads: %w", err)
		}
		if _, err := s.exec(ctx, tx, `DELETE FROM thread_org_reads WHERE organisation_id = ?`, fromID); err != nil {
			return fmt.Errorf("merge organisations: reads: %w", err)
		}
		if _, err := s.exec(ctx, tx, `DELETE FROM organisations WHERE id = ?`, fromID); err != nil {
			return fmt.Errorf("merge organisations: %w", err)
		}
		after := into
		after.EmailDomains = JoinDomains(append(into.Domains(), from.Domains()...))
		if after.EmailDomains != into.EmailDomains {
			if _, err := s.exec(ctx, tx, `UPDATE organisations SET email_domains = ? WHERE id = ?`, after.EmailDomains, intoID); err != nil {
				return fmt.Errorf("merge organisations: %w", err)
			}
		}
		// Their organisation is part of who they are to every page and socket.
		for _, id := range moved {
			if err := s.accountChanged(ctx, tx, id); err != nil {
				return err
			}
		}
		return s.audit(ctx, tx, AuditEntry{ActorID: actorID, Action: "organisation.merge", TargetType: "organisation", TargetID: intoID,
			Before: map[string]any{"from": map[string]any{"id": from.ID, "state": orgState(&from)}, "into": orgState(&into)},
			After:  map[string]any{"into": orgState(&after), "accounts_moved": moved}})
	})
	return len(moved), err
}

// JoinDomains lower-cases, de-duplicates and joins e-mail domains, in the
// order given.
func JoinDomains(domains []string) string {
	seen := map[string]bool{}
	var out []string
	for _, d := range domains {
		d = strings.ToLower(strings.TrimPrefix(strings.TrimSpace(d), "@"))
		if d != "" && !seen[d] {
			seen[d] = true
			out = append(out, d)
		}
	}
	return strings.Join(out, " ")
}
