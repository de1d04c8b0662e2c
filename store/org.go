package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
)

// OrgKind is what an organisation is to the working group.
type OrgKind string

// Organisation kinds (SPEC §1).
const (
	OrgBusiness    OrgKind = "business"
	OrgMember      OrgKind = "member"
	OrgObserver    OrgKind = "observer"
	OrgSecretariat OrgKind = "secretariat"
)

// OrgKinds lists the kinds in display order.
var OrgKinds = []OrgKind{OrgBusiness, OrgMember, OrgObserver, OrgSecretariat}

// Valid reports whether k is one of the known kinds.
func (k OrgKind) Valid() bool {
	for _, v := range OrgKinds {
		if k == v {
			return true
		}
	}
	return false
}

// SizeClasses are the business size classes; empty means not a business.
var SizeClasses = []string{"micro", "small", "medium", "large"}

// Organisation is a company, association, delegation, observer or the secretariat.
type Organisation struct {
	ID        int64     `db:"id" json:"id"`
	Name      string    `db:"name" json:"name"`
	Kind      OrgKind   `db:"kind" json:"kind"`
	Country   string    `db:"country" json:"country"`
	SizeClass string    `db:"size_class" json:"size_class,omitempty"`
	Sector    string    `db:"sector" json:"sector,omitempty"`
	CreatedAt time.Time `db:"created_at" json:"created_at"`
	// Verified is set by a moderator who has checked who the organisation is.
	Verified bool `db:"verified" json:"verified"`
	// EmailDomains are the domains its people write from, space-separated,
	// lower case; the approval page says whether a request's address matches.
	EmailDomains string `db:"email_domains" json:"-"`
	// ClaimedKind is the kind a registration claimed for an organisation it
	// created; until a moderator confirms it (approving a request, or editing
	// the organisation) it is only a claim and Kind stays business.
	ClaimedKind OrgKind `db:"claimed_kind" json:"claimed_kind,omitempty"`
}

// Domains lists the organisation's e-mail domains.
func (o *Organisation) Domains() []string { return strings.Fields(o.EmailDomains) }

// MatchesEmail reports whether an address is at one of the organisation's
// domains or a subdomain of one.
func (o *Organisation) MatchesEmail(email string) bool {
	at := strings.LastIndex(email, "@")
	if at < 0 {
		return false
	}
	host := strings.ToLower(email[at+1:])
	for _, d := range o.Domains() {
		if host == d || strings.HasSuffix(host, "."+d) {
			return true
		}
	}
	return false
}

// orgNameKey folds case and spacing so that "ACME  Ltd" and "acme ltd" are one organisation.
func orgNameKey(name string) string {
	return strings.ToLower(strings.Join(strings.Fields(name), " "))
}

const orgColumns = `id, name, kind, country, size_class, sector, created_at, verified, email_domains, claimed_kind`

// OrganisationByID loads one organisation.
func (s *Store) OrganisationByID(ctx context.Context, id int64) (*Organisation, error) {
	var o Organisation
	if err := s.get(ctx, s.db, &o, `SELECT `+orgColumns+` FROM organisations WHERE id = ?`, id); err != nil {
		return nil, fmt.Errorf("organisation by id: %w", err)
	}
	return &o, nil
}

// OrganisationByName finds an organisation by its name, ignoring case and spacing.
func (s *Store) OrganisationByName(ctx context.Context, name string) (*Organisation, error) {
	var o Organisation
	if err := s.get(ctx, s.db, &o, `SELECT `+orgColumns+` FROM organisations WHERE name_key = ?`, orgNameKey(name)); err != nil {
		return nil, fmt.Errorf("organisation by name: %w", err)
	}
	return &o, nil
}

// Organisations lists every organisation by name.
func (s *Store) Organisations(ctx context.Context) ([]Organisation, error) {
	var out []Organisation
	if err := s.selectAll(ctx, s.db, &out, `SELECT `+orgColumns+` FROM organisations ORDER BY name_key`); err != nil {
		return nil, fmt.Errorf("organisations: %w", err)
	}
	return out, nil
}

// CreateOrganisation inserts o and sets its ID. A name already taken gives ErrConflict.
func (s *Store) CreateOrganisation(ctx context.Context, o *Organisation) error {
	return s.createOrganisation(ctx, s.db, o)
}

func (s *Store) createOrganisation(ctx context.Context, q querier, o *Organisation) error {
	o.Name = strings.Join(strings.Fields(o.Name), " ")
	o.CreatedAt = s.now()
	id, err := s.insert(ctx, q, `INSERT INTO organisations (name, name_key, kind, country, size_class, sector, created_at, verified, email_domains, claimed_kind)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, o.Name, orgNameKey(o.Name), o.Kind, o.Country, o.SizeClass, o.Sector, o.CreatedAt,
		o.Verified, o.EmailDomains, o.ClaimedKind)
	if err != nil {
		return fmt.Errorf("create organisation: %w", err)
	}
	o.ID = id
	return nil
}

// findOrCreateOrganisation returns the organisation named like o, creating it
// from o when there is none.
func (s *Store) findOrCreateOrganisation(ctx context.Context, tx *sqlx.Tx, o *Organisation) error {
	var existing Organisation
	err := s.get(ctx, tx, &existing, `SELECT `+orgColumns+` FROM organisations WHERE name_key = ?`, orgNameKey(o.Name))
	switch {
	case err == nil:
		*o = existing
		return nil
	case isNoRows(err):
		return s.createOrganisation(ctx, tx, o)
	default:
		return fmt.Errorf("find organisation: %w", err)
	}
}
