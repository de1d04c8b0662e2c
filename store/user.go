package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
)

// Role is what an account may do (SPEC §1).
type Role string

// Roles, from least to most rights.
const (
	RoleVisitor   Role = "visitor"
	RolePending   Role = "pending"
	RoleBusiness  Role = "business"
	RoleMember    Role = "member"
	RoleModerator Role = "moderator"
	RoleAdmin     Role = "admin"
)

// Roles lists every role in order of rights.
var Roles = []Role{RoleVisitor, RolePending, RoleBusiness, RoleMember, RoleModerator, RoleAdmin}

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	for _, v := range Roles {
		if r == v {
			return true
		}
	}
	return false
}

// IsModerator is true for moderators and admins.
func (r Role) IsModerator() bool { return r == RoleModerator || r == RoleAdmin }

// IsAdmin is true for admins.
func (r Role) IsAdmin() bool { return r == RoleAdmin }

// Status is an account's state.
type Status string

// Account states.
const (
	StatusActive    Status = "active"
	StatusPending   Status = "pending"
	StatusSuspended Status = "suspended"
)

// Statuses lists every status.
var Statuses = []Status{StatusActive, StatusPending, StatusSuspended}

// User is an account, with its organisation's main facts joined in.
type User struct {
	ID             int64      `db:"id" json:"id"`
	Email          string     `db:"email" json:"email"`
	Name           string     `db:"name" json:"name"`
	OrganisationID int64      `db:"organisation_id" json:"organisation_id"`
	Role           Role       `db:"role" json:"role"`
	Status         Status     `db:"status" json:"status"`
	Locale         string     `db:"locale" json:"locale"`
	Handle         string     `db:"handle" json:"handle"`
	TimeZone       string     `db:"time_zone" json:"time_zone"` // IANA name the person reads times in
	PasswordHash   string     `db:"password_hash" json:"-"`
	CreatedAt      time.Time  `db:"created_at" json:"created_at"`
	UpdatedAt      time.Time  `db:"updated_at" json:"-"`
	LastSeenAt     *time.Time `db:"last_seen_at" json:"-"`
	OrgName        string     `db:"org_name" json:"-"`
	OrgKind        OrgKind    `db:"org_kind" json:"-"`
	OrgCountry     string     `db:"org_country" json:"-"`
	OrgSizeClass   string     `db:"org_size_class" json:"-"`
	OrgSector      string     `db:"org_sector" json:"-"`
}

// Active reports whether the account may sign in and act.
func (u *User) Active() bool { return u != nil && u.Status == StatusActive }

// CanReadForum reports whether u may read members-only content.
func (u *User) CanReadForum() bool {
	if !u.Active() {
		return false
	}
	switch u.Role {
	case RoleBusiness, RoleMember, RoleModerator, RoleAdmin:
		return true
	}
	return false
}

// IsModerator reports whether u is an active moderator or admin.
func (u *User) IsModerator() bool { return u.Active() && u.Role.IsModerator() }

// IsAdmin reports whether u is an active admin.
func (u *User) IsAdmin() bool { return u.Active() && u.Role.IsAdmin() }

// NormalizeEmail trims and lower-cases an address; accounts are unique on the result.
func NormalizeEmail(email string) string { return strings.ToLower(strings.TrimSpace(email)) }

const (
	userColumns = `u.id, u.email, u.name, u.organisation_id, u.role, u.status, u.locale, u.handle, u.time_zone, u.password_hash,
	u.created_at, u.updated_at, u.last_seen_at,
	o.name AS org_name, o.kind AS org_kind, o.country AS org_country, o.size_class AS org_size_class, o.sector AS org_sector`
	userSelect = `SELECT ` + userColumns + ` FROM users u JOIN organisations o ON o.id = u.organisation_id`
)

// NewUser is what creating an account needs.
type NewUser struct {
	Email        string
	Name         string
	Role         Role
	Status       Status
	Locale       string
	PasswordHash string
	// TimeZone is an IANA name the caller checked; empty gives DefaultTimeZone.
	TimeZone string
}

// DefaultTimeZone is Geneva's, where the group meets: the zone of visitors
// and of accounts whose browser did not say.
const DefaultTimeZone = "Europe/Zurich"

func (s *Store) createUser(ctx context.Context, q querier, nu NewUser, orgID int64) (int64, error) {
	now := s.now()
	zone := nu.TimeZone
	if zone == "" {
		zone = DefaultTimeZone
	}
	id, err := s.insert(ctx, q, `INSERT INTO users (email, name, organisation_id, role, status, locale, time_zone, password_hash, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		NormalizeEmail(nu.Email), strings.TrimSpace(nu.Name), orgID, nu.Role, nu.Status, nu.Locale, zone, nu.PasswordHash, now, now)
	if err != nil {
		return 0, fmt.Errorf("create user: %w", err)
	}
	if err := s.assignHandle(ctx, q, id, nu.Name); err != nil {
		return 0, err
	}
	if tx, ok := q.(*sqlx.Tx); ok && nu.Status == StatusPending {
		if err := s.notifyModerators(ctx, tx, NotifyPendingAccount, id, 0, 0, id); err != nil {
			return 0, err
		}
	}
	return id, nil
}

// CreateUser creates an account in an organisation that is found by name or
// created from org. A used e-mail gives ErrConflict and writes nothing.
// The mail announcing it, when given, is queued with it.
func (s *Store) CreateUser(ctx context.Context, nu NewUser, org Organisation, mail ...any) (*User, error) {
	var id int64
	err := s.inTx(ctx, func(tx *sqlx.Tx) (err error) {
		if id, err = s.createUserInOrg(ctx, tx, nu, org); err != nil {
			return err
		}
		return s.queueAccountMails(ctx, tx, mail)
	})
	if err != nil {
		return nil, err
	}
	return s.UserByID(ctx, id)
}

func (s *Store) createUserInOrg(ctx context.Context, tx *sqlx.Tx, nu NewUser, org Organisation) (int64, error) {
	if err := s.findOrCreateOrganisation(ctx, tx, &org); err != nil {
		return 0, err
	}
	return s.createUser(ctx, tx, nu, org.ID)
}

// UserByID loads one account.
func (s *Store) UserByID(ctx context.Context, id int64) (*User, error) {
	var u User
	if err := s.get(ctx, s.db, &u, userSelect+` WHERE u.id = ?`, id); err != nil {
		return nil, fmt.Errorf("user by id: %w", err)
	}
	return &u, nil
}

// UserByEmail loads one account by e-mail, ignoring case.
func (s *Store) UserByEmail(ctx context.Context, email string) (*User, error) {
	var u User
	if err := s.get(ctx, s.db, &u, userSelect+` WHERE u.email = ?`, NormalizeEmail(email)); err != nil {
		return nil, fmt.Errorf("user by email: %w", err)
	}
	return &u, nil
}

// UserFilter narrows the users list.
type UserFilter struct {
	Query          string
	Role           Role
	Status         Status
	OrganisationID int64
	Limit          int
	Offset         int
}

// ListUsers returns a page of accounts matching f, newest first, and how many match in all.
func (s *Store) ListUsers(ctx context.Context, f UserFilter) ([]User, int, error) {
	var w where
	if q := strings.TrimSpace(f.Query); q != "" {
		p := likePattern(q)
		w.add(`(lower(u.name) LIKE ? ESCAPE '\' OR u.email LIKE ? ESCAPE '\' OR o.name_key LIKE ? ESCAPE '\')`, p, p, p)
	}
	if f.Role != "" {
		w.add(`u.role = ?`, f.Role)
	}
	if f.Status != "" {
		w.add(`u.status = ?`, f.Status)
	}
	if f.OrganisationID != 0 {
		w.add(`u.organisation_id = ?`, f.OrganisationID)
	}
	cond, args := w.sql()
	var total int
	if err := s.get(ctx, s.db, &total, `SELECT count(*) FROM users u JOIN organisations o ON o.id = u.organisation_id`+cond, args...); err != nil {
		return nil, 0, fmt.Errorf("count users: %w", err)
	}
	if f.Limit <= 0 || f.Limit > 200 {
		f.Limit = 50
	}
	var out []User
	err := s.selectAll(ctx, s.db, &out, userSelect+cond+` ORDER BY u.created_at DESC, u.id DESC LIMIT ? OFFSET ?`,
		append(args, f.Limit, f.Offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("list users: %w", err)
	}
	return out, total, nil
}

// PendingUsers lists accounts waiting for approval, oldest first.
func (s *Store) PendingUsers(ctx context.Context) ([]User, error) {
	var out []User
	if err := s.selectAll(ctx, s.db, &out, userSelect+` WHERE u.status = 'pending' ORDER BY u.created_at, u.id`); err != nil {
		return nil, fmt.Errorf("pending users: %w", err)
	}
	return out, nil
}

// CountAdmins counts active admins.
func (s *Store) CountAdmins(ctx context.Context) (int, error) {
	var n int
	if err := s.get(ctx, s.db, &n, `SELECT count(*) FROM users WHERE role = 'admin' AND status = 'active'`); err != nil {
		return 0, fmt.Errorf("count admins: %w", err)
	}
	return n, nil
}

// SetRole changes an account's role.
func (s *Store) SetRole(ctx context.Context, actorID, userID int64, role Role) error {
	return s.changeUser(ctx, actorID, userID, "user.role", "role", string(role))
}

// SetStatus suspends or reactivates an account. Suspending ends its sessions.
func (s *Store) SetStatus(ctx context.Context, actorID, userID int64, status Status) error {
	return s.changeUser(ctx, actorID, userID, "user.status", "status", string(status))
}

// changeUser updates one audited column (role or status) of an account.
func (s *Store) changeUser(ctx context.Context, actorID, userID int64, action, column, value string) error {
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		var before string
		if err := s.get(ctx, tx, &before, `SELECT `+column+` FROM users WHERE id = ?`, userID); err != nil {
			return fmt.Errorf("%s: %w", action, err)
		}
		if before == value {
			return nil
		}
		if _, err := s.exec(ctx, tx, `UPDATE users SET `+column+` = ?, updated_at = ? WHERE id = ?`, value, s.now(), userID); err != nil {
			return fmt.Errorf("%s: %w", action, err)
		}
		if column == "status" && value == string(StatusSuspended) {
			if _, err := s.exec(ctx, tx, `DELETE FROM sessions WHERE user_id = ?`, userID); err != nil {
				return fmt.Errorf("%s: end sessions: %w", action, err)
			}
		}
		if err := s.accountChanged(ctx, tx, userID); err != nil {
			return err
		}
		return s.audit(ctx, tx, AuditEntry{ActorID: actorID, Action: action, TargetType: "user", TargetID: userID,
			Before: map[string]any{column: before}, After: map[string]any{column: value}})
	})
}

// UpdateProfile changes what a person may change about themselves.
func (s *Store) UpdateProfile(ctx context.Context, userID int64, name, locale string) error {
	_, err := s.exec(ctx, s.db, `UPDATE users SET name = ?, locale = ?, updated_at = ? WHERE id = ?`,
		strings.TrimSpace(name), locale, s.now(), userID)
	if err != nil {
		return fmt.Errorf("update profile: %w", err)
	}
	return nil
}

// SaveProfile changes the account page's profile form at once: name,
// language and time zone (an IANA name the caller checked).
func (s *Store) SaveProfile(ctx context.Context, userID int64, name, locale, zone string) error {
	_, err := s.exec(ctx, s.db, `UPDATE users SET name = ?, locale = ?, time_zone = ?, updated_at = ? WHERE id = ?`,
		strings.TrimSpace(name), locale, zone, s.now(), userID)
	if err != nil {
		return fmt.Errorf("save profile: %w", err)
	}
	return nil
}

// SetTimeZone records the zone a person reads times in; the caller checked
// that it is a zone time.LoadLocation knows.
func (s *Store) SetTimeZone(ctx context.Context, userID int64, zone string) error {
	if _, err := s.exec(ctx, s.db, `UPDATE users SET time_zone = ?, updated_at = ? WHERE id = ?`, zone, s.now(), userID); err != nil {
		return fmt.Errorf("set time zone: %w", err)
	}
	return nil
}

// SetLocale records the interface language a person chose.
func (s *Store) SetLocale(ctx context.Context, userID int64, locale string) error {
	if _, err := s.exec(ctx, s.db, `UPDATE users SET locale = ?, updated_at = ? WHERE id = ?`, locale, s.now(), userID); err != nil {
		return fmt.Errorf("set locale: %w", err)
	}
	return nil
}

// SetPassword replaces the password hash, ends every session but keep
// (empty keeps none) and revokes every API token, so that a stolen session
// or token dies with the old password.
func (s *Store) SetPassword(ctx context.Context, userID int64, hash, keepSessionID string) error {
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		return s.setPassword(ctx, tx, userID, hash, keepSessionID)
	})
}

func (s *Store) setPassword(ctx context.Context, tx *sqlx.Tx, userID int64, hash, keepSessionID string) error {
	if _, err := s.exec(ctx, tx, `UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ?`, hash, s.now(), userID); err != nil {
		return fmt.Errorf("set password: %w", err)
	}
	if _, err := s.exec(ctx, tx, `DELETE FROM sessions WHERE user_id = ? AND id <> ?`, userID, keepSessionID); err != nil {
		return fmt.Errorf("set password: end sessions: %w", err)
	}
	if err := s.revokeAPITokens(ctx, tx, userID); err != nil {
		return fmt.Errorf("set password: %w", err)
	}
	// Live connections check their session or token again, and close.
	return s.accountChanged(ctx, tx, userID)
}
