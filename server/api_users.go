package server

import (
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"ideasx/store"
)

// userFilterProperties: the users page calls the organisation filter "org".
var userFilterProperties = map[string]string{"org": "organisation_id"}

func (s *Server) apiUserList(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := s.apiForm(r, map[string]string{"q": q.Get("q"), "role": q.Get("role"), "status": q.Get("status"),
		"org": q.Get("organisation_id")}).as(userFilterProperties)
	filter := readUserFilter(f)
	filter.Limit, filter.Offset = apiLimitOffset(f, q, usersPerPage)
	if !f.ok() {
		s.apiValidation(w, r, f)
		return
	}
	users, total, err := s.store.ListUsers(r.Context(), filter)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	out := make([]apiAccount, len(users))
	for i := range users {
		out[i] = toAPIAccount(&users[i])
	}
	writeJSON(w, http.StatusOK, map[string]any{"users": out, "total": total})
}

// apiUserChange loads the target of an admin's change and reads the JSON
// body holding the one property named: 404 for no such account, 409 for
// one's own, 400 for a body that is not JSON of that shape.
func (s *Server) apiUserChange(w http.ResponseWriter, r *http.Request, property string) (*store.User, *form, bool) {
	target, ok := s.userTarget(w, r)
	if !ok {
		return nil, nil, false
	}
	var in map[string]string
	if !s.decodeJSON(w, r, &in) {
		return nil, nil, false
	}
	for k := range in {
		if k != property {
			s.apiError(w, r, http.StatusBadRequest, "bad_json", "error_bad_json")
			return nil, nil, false
		}
	}
	return target, s.apiForm(r, in), true
}

func (s *Server) apiUserRole(w http.ResponseWriter, r *http.Request) {
	target, f, ok := s.apiUserChange(w, r, "role")
	if !ok {
		return
	}
	role := store.Role(f.choice("role", true, assignableRoles...))
	if !f.ok() {
		s.apiValidation(w, r, f)
		return
	}
	if err := s.store.SetRole(r.Context(), currentUser(r).ID, target.ID, role); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.writeAccount(w, r, target.ID)
}

func (s *Server) apiUserStatus(w http.ResponseWriter, r *http.Request) {
	target, f, ok := s.apiUserChange(w, r, "status")
	if !ok {
		return
	}
	status, err := readStatus(f, target)
	if errors.Is(err, errUseApproval) {
		s.apiError(w, r, http.StatusConflict, "pending", "error_use_approval")
		return
	}
	if !f.ok() {
		s.apiValidation(w, r, f)
		return
	}
	if err := s.store.SetStatus(r.Context(), currentUser(r).ID, target.ID, status); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.writeAccount(w, r, target.ID)
}

// apiAuditEntry is one line of the audit log. Actor is nil for what was
// done from the command line; before and after are the states recorded.
type apiAuditEntry struct {
	ID         int64           `json:"id"`
	Actor      *apiNamed       `json:"actor"`
	Action     string          `json:"action"`
	TargetType string          `json:"target_type"`
	TargetID   int64           `json:"target_id"`
	Before     json.RawMessage `json:"before"`
	After      json.RawMessage `json:"after"`
	CreatedAt  time.Time       `json:"created_at"`
}

// auditState is a recorded state as JSON: null when none was recorded.
func auditState(s string) json.RawMessage {
	if s == "" || !json.Valid([]byte(s)) {
		return json.RawMessage("null")
	}
	return json.RawMessage(s)
}

func (s *Server) apiAuditList(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := s.apiForm(r, map[string]string{"action": q.Get("action"), "actor_id": q.Get("actor_id")})
	filter := store.AuditFilter{Action: f.text("action", false, 100)}
	actor, err := f.optionalID("actor_id")
	if err != nil {
		f.fail("actor_id", "error_choice")
	}
	filter.ActorID = actor
	filter.Limit, filter.Offset = apiLimitOffset(f, q, auditPerPage)
	if !f.ok() {
		s.apiValidation(w, r, f)
		return
	}
	entries, err := s.store.AuditLog(r.Context(), filter)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	out := make([]apiAuditEntry, len(entries))
	for i, e := range entries {
		out[i] = apiAuditEntry{ID: e.ID, Action: e.Action, TargetType: e.TargetType, TargetID: e.TargetID,
			Before: auditState(e.BeforeJSON), After: auditState(e.AfterJSON), CreatedAt: e.CreatedAt}
		if e.ActorID != store.SystemActor {
			out[i].Actor = &apiNamed{e.ActorID, e.ActorName}
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"entries": out})
}
