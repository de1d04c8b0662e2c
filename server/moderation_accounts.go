package server

import (
	"context"
	"errors"
	"net/http"
	"strconv"

	"ideasx/store"
)

// approvableRoles are what a moderator may grant a person who registered.
var approvableRoles = []string{string(store.RoleBusiness), string(store.RoleMember), string(store.RoleVisitor)}

func (s *Server) pendingList(w http.ResponseWriter, r *http.Request) {
	pending, err := s.store.PendingRequests(r.Context())
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	v := s.newView(w, r, "pending_title")
	v.Data = map[string]any{"Pending": pending, "Roles": approvableRoles, "Kinds": registrationKinds}
	s.render(w, r, http.StatusOK, "pending", v)
}

func pathID(r *http.Request) (int64, bool) {
	id, err := parseID(r.PathValue("id"))
	return id, err == nil
}

// parseID reads a positive row id from a URL.
func parseID(s string) (int64, error) {
	id, err := strconv.ParseInt(s, 10, 64)
	if err == nil && id <= 0 {
		err = strconv.ErrRange
	}
	return id, err
}

func (s *Server) pendingApprove(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		s.notFound(w, r)
		return
	}
	f := s.parseForm(w, r)
	if f == nil {
		return
	}
	role, kind := readApproval(f)
	if !f.ok() {
		s.fail(w, r, http.StatusUnprocessableEntity, "invalid_role", "error_choice")
		return
	}
	err := s.store.ApproveUser(r.Context(), currentUser(r).ID, id, role, kind)
	switch {
	case errors.Is(err, store.ErrNotPending):
		s.redirectWithFlash(w, r, "/moderation/accounts", "flash_already_handled")
		return
	case err != nil:
		s.serverError(w, r, err)
		return
	}
	// The approval is a notification, mailed from the outbox (by default).
	s.redirectWithFlash(w, r, "/moderation/accounts", "flash_account_approved")
}

// readApproval reads what approving a request sets (page or API): the role,
// and the organisation's kind, sent only while that kind is a
// registration's claim, since the approval is where a moderator settles it.
func readApproval(f *form) (store.Role, store.OrgKind) {
	role := f.choice("role", true, approvableRoles...)
	kind := f.choice("org_kind", false, registrationKinds...)
	return store.Role(role), store.OrgKind(kind)
}

// pendingAccount loads the account behind a request: ErrNotFound when there
// is none, ErrNotPending once a moderator has handled it.
func (s *Server) pendingAccount(ctx context.Context, id int64) (*store.User, error) {
	u, err := s.store.UserByID(ctx, id)
	if err == nil && u.Status != store.StatusPending {
		err = store.ErrNotPending
	}
	return u, err
}

func (s *Server) pendingReject(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		s.notFound(w, r)
		return
	}
	u, err := s.pendingAccount(r.Context(), id)
	if err == nil {
		l := s.localizer(r)
		if !s.confirmed(w, r, confirmation{Question: "confirm_reject", Effect: "confirm_reject_effect", Button: "confirm_reject_button",
			Details: []confirmDetail{{l.T("field_name"), u.Name}, {l.T("field_email"), u.Email}, {l.T("field_organisation"), u.OrgName}},
			Back:    "/moderation/accounts"}) {
			return
		}
		err = s.store.RejectUser(r.Context(), currentUser(r).ID, id)
	}
	switch {
	case errors.Is(err, store.ErrNotPending), errors.Is(err, store.ErrNotFound):
		s.redirectWithFlash(w, r, "/moderation/accounts", "flash_already_handled")
	case err != nil:
		s.serverError(w, r, err)
	default:
		s.redirectWithFlash(w, r, "/moderation/accounts", "flash_account_rejected")
	}
}
