package server

import (
	"errors"
	"net/http"
	"net/url"

	"ideasx/store"
)

const usersPerPage = 50

// auditPerPage is how many audit entries a page shows (the API's default).
const auditPerPage = 100

func (s *Server) userList(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	page := pageParam(q)
	// The page drops a filter it cannot read; the API names it.
	filter := readUserFilter(&form{values: q, errors: map[string]string{}, l: s.localizer(r)})
	filter.Limit, filter.Offset = usersPerPage, (page-1)*usersPerPage
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

// readUserFilter reads the users list's filters (page or API): words of a
// name, address or organisation, a role, a status, an organisation's id.
func readUserFilter(f *form) store.UserFilter {
	filter := store.UserFilter{Query: f.values.Get("q")}
	filter.Role = store.Role(f.choice("role", false, stringsOf(store.Roles)...))
	filter.Status = store.Status(f.choice("status", false, stringsOf(store.Statuses)...))
	if id, err := f.optionalID("org"); err == nil {
		filter.OrganisationID = id
	} else {
		f.fail("org", "error_choice")
	}
	return filter
}

// stringsOf lists a string type's values as plain strings, for form.choice.
func stringsOf[T ~string](values []T) []string {
	out := make([]string, len(values))
	for i, v := range values {
		out[i] = string(v)
	}
	return out
}

// userTarget loads the target of an admin action (page or API), refusing
// actions on oneself so that an admin cannot lock the last admin out by
// mistake.
func (s *Server) userTarget(w http.ResponseWriter, r *http.Request) (*store.User, bool) {
	id, ok := pathID(r)
	if !ok {
		s.notFound(w, r)
		return nil, false
	}
	target, err := s.store.UserByID(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		s.notFound(w, r)
		return nil, false
	}
	if err != nil {
		s.serverError(w, r, err)
		return nil, false
	}
	if target.ID == currentUser(r).ID {
		s.fail(w, r, http.StatusConflict, "own_account", "error_own_account")
		return nil, false
	}
	return target, true
}

func (s *Server) userChange(w http.ResponseWriter, r *http.Request) (*store.User, *form, bool) {
	target, ok := s.userTarget(w, r)
	if !ok {
		return nil, nil, false
	}
	f := s.parseForm(w, r)
	return target, f, f != nil
}

// assignableRoles are the roles an admin may give: pending is a state an
// account is in until approved, not one to put it back into.
var assignableRoles = []string{string(store.RoleVisitor), string(store.RoleBusiness), string(store.RoleMember),
	string(store.RoleModerator), string(store.RoleAdmin)}

// errUseApproval: a pending account is activated by approving its
// request, which sets its role, not by changing its status.
var errUseApproval = errors.New("pending account: approve it instead")

// readStatus reads a suspension or reactivation of target (page or API).
func readStatus(f *form, target *store.User) (store.Status, error) {
	status := store.Status(f.choice("status", true, string(store.StatusActive), string(store.StatusSuspended)))
	if target.Status == store.StatusPending && status == store.StatusActive {
		return "", errUseApproval
	}
	return status, nil
}

func (s *Server) userRoleSave(w http.ResponseWriter, r *http.Request) {
	target, f, ok := s.userChange(w, r)
	if !ok {
		return
	}
	role := store.Role(f.choice("role", true, assignableRoles...))
	if !f.ok() {
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
	status, err := readStatus(f, target)
	if errors.Is(err, errUseApproval) {
		s.fail(w, r, http.StatusConflict, "pending", "error_use_approval")
		return
	}
	if !f.ok() {
		s.fail(w, r, http.StatusUnprocessableEntity, "invalid_status", "error_choice")
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
	entries, err := s.store.AuditLog(r.Context(), store.AuditFilter{Action: q.Get("action"), Limit: auditPerPage, Offset: (page - 1) * auditPerPage})
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	v := s.newView(w, r, "audit_title")
	v.Form = url.Values{"action": {q.Get("action")}}
	v.Data = map[string]any{"Entries": entries, "Page": page}
	s.render(w, r, http.StatusOK, "audit", v)
}
