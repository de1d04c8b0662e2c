package server

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"

	"ideasx/store"
)

const usersPerPage = 50

func (s *Server) userList(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	page := pageParam(q)
	filter := store.UserFilter{Query: q.Get("q"), Limit: usersPerPage, Offset: (page - 1) * usersPerPage}
	if role := store.Role(q.Get("role")); role.Valid() {
		filter.Role = role
	}
	for _, st := range store.Statuses {
		if q.Get("status") == string(st) {
			filter.Status = st
		}
	}
	filter.OrganisationID, _ = strconv.ParseInt(q.Get("org"), 10, 64)
	users, total, err := s.store.ListUsers(r.Context(), filter)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	orgs, err := s.store.Organisations(r.Context())
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	v := s.newView(w, r, "users_title")
	v.Form = url.Values{"q": {filter.Query}, "role": {string(filter.Role)}, "status": {string(filter.Status)}, "org": {q.Get("org")}}
	pageURL := pageLinks("/admin/users", v.Form)
	data := map[string]any{"Users": users, "Total": total, "Organisations": orgs, "Roles": store.Roles, "Statuses": store.Statuses, "Page": page}
	if page > 1 {
		data["PrevURL"] = pageURL(page - 1)
	}
	if page*usersPerPage < total {
		data["NextURL"] = pageURL(page + 1)
	}
	v.Data = data
	s.render(w, r, http.StatusOK, "users", v)
}

// userChange loads the target of an admin action, refusing actions on
// oneself so that an admin cannot lock the last admin out by mistake.
func (s *Server) userChange(w http.ResponseWriter, r *http.Request) (*store.User, *form, bool) {
	id, ok := pathID(r)
	if !ok {
		s.notFound(w, r)
		return nil, nil, false
	}
	target, err := s.store.UserByID(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		s.notFound(w, r)
		return nil, nil, false
	}
	if err != nil {
		s.serverError(w, r, err)
		return nil, nil, false
	}
	if target.ID == currentUser(r).ID {
		s.fail(w, r, http.StatusConflict, "own_account", "error_own_account")
		return nil, nil, false
	}
	f := s.parseForm(w, r)
	return target, f, f != nil
}

func (s *Server) userRoleSave(w http.ResponseWriter, r *http.Request) {
	target, f, ok := s.userChange(w, r)
	if !ok {
		return
	}
	role := store.Role(f.values.Get("role"))
	if !role.Valid() || role == store.RolePending {
		s.fail(w, r, http.StatusUnprocessableEntity, "invalid_role", "error_choice")
		return
	}
	if err := s.store.SetRole(r.Context(), currentUser(r).ID, target.ID, role); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.redirectWithFlash(w, r, backTo(r, "/admin/users"), "flash_role_changed")
}

func (s *Server) userStatusSave(w http.ResponseWriter, r *http.Request) {
	target, f, ok := s.userChange(w, r)
	if !ok {
		return
	}
	status := store.Status(f.values.Get("status"))
	if status != store.StatusActive && status != store.StatusSuspended {
		s.fail(w, r, http.StatusUnprocessableEntity, "invalid_status", "error_choice")
		return
	}
	if target.Status == store.StatusPending && status == store.StatusActive {
		// Activation of a pending account goes through approval, which sets the role.
		s.fail(w, r, http.StatusConflict, "pending", "error_use_approval")
		return
	}
	if status == store.StatusSuspended && target.Status != store.StatusSuspended &&
		!s.confirmed(w, r, suspendConfirmation(f, target, backTo(r, "/admin/users"))) {
		return
	}
	if err := s.store.SetStatus(r.Context(), currentUser(r).ID, target.ID, status); err != nil {
		s.serverError(w, r, err)
		return
	}
	msg := "flash_user_reactivated"
	if status == store.StatusSuspended {
		msg = "flash_user_suspended"
	}
	s.redirectWithFlash(w, r, backTo(r, "/admin/users"), msg)
}

// suspendConfirmation asks before suspending target, naming who it is.
func suspendConfirmation(f *form, target *store.User, back string) confirmation {
	return confirmation{Question: "confirm_suspend", Effect: "confirm_suspend_effect", Button: "confirm_suspend_button",
		Details: []confirmDetail{{f.l.T("field_name"), target.Name}, {f.l.T("field_email"), target.Email},
			{f.l.T("field_organisation"), target.OrgName}, {f.l.T("field_role"), f.l.T("role_" + string(target.Role))}},
		Back: back}
}

// backTo returns to the list the form was posted from, filters included.
func backTo(r *http.Request, fallback string) string {
	if ref, err := url.Parse(r.Referer()); err == nil && ref.Path == fallback && (ref.Host == "" || ref.Host == r.Host) {
		return returnPath(ref.RequestURI(), fallback)
	}
	return fallback
}

func (s *Server) auditList(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	page := pageParam(q)
	entries, err := s.store.AuditLog(r.Context(), store.AuditFilter{Action: q.Get("action"), Limit: 100, Offset: (page - 1) * 100})
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	v := s.newView(w, r, "audit_title")
	v.Form = url.Values{"action": {q.Get("action")}}
	v.Data = map[string]any{"Entries": entries, "Page": page}
	s.render(w, r, http.StatusOK, "audit", v)
}
