package server

import (
	"errors"
	"net/http"
	"time"

	"ideasx/store"
)

// accountAPIRoutes are the API's side of the account pages: account
// requests and invitations (moderators), users and the audit log (admins),
// and one's own notification settings. Each goes through the checks and
// store calls its page uses, so both leave the same audit entries.
func (s *Server) accountAPIRoutes(mux *routeTable) {
	s.api(mux, "GET /api/v1/account-requests", s.moderator(s.apiAccountRequestList))
	s.api(mux, "POST /api/v1/account-requests/{id}/approve", s.moderator(s.apiAccountRequestApprove))
	s.api(mux, "POST /api/v1/account-requests/{id}/reject", s.moderator(s.apiAccountRequestReject))
	s.api(mux, "GET /api/v1/invitations", s.moderator(s.apiInvitationList))
	s.api(mux, "POST /api/v1/invitations", s.moderator(s.apiInvitationCreate))
	s.api(mux, "DELETE /api/v1/invitations/{id}", s.moderator(s.apiInvitationRevoke))
	s.api(mux, "GET /api/v1/users", s.admin(s.apiUserList))
	s.api(mux, "PUT /api/v1/users/{id}/role", s.admin(s.apiUserRole))
	s.api(mux, "PUT /api/v1/users/{id}/status", s.admin(s.apiUserStatus))
	s.api(mux, "GET /api/v1/audit", s.admin(s.apiAuditList))
	s.api(mux, "GET /api/v1/notification-preferences", s.signedIn(s.apiNotificationPrefs))
	s.api(mux, "PUT /api/v1/notification-preferences", s.signedIn(s.apiNotificationPrefsSave))
}

// apiAccount is an account as moderators and admins see it.
type apiAccount struct {
	ID           int64           `json:"id"`
	Email        string          `json:"email"`
	Name         string          `json:"name"`
	Handle       string          `json:"handle"`
	Role         store.Role      `json:"role"`
	Status       store.Status    `json:"status"`
	Locale       string          `json:"locale"`
	CreatedAt    time.Time       `json:"created_at"`
	Organisation apiOrganisation `json:"organisation"`
}

func toAPIAccount(u *store.User) apiAccount {
	return apiAccount{ID: u.ID, Email: u.Email, Name: u.Name, Handle: u.Handle, Role: u.Role, Status: u.Status,
		Locale: u.Locale, CreatedAt: u.CreatedAt,
		Organisation: apiOrganisation{ID: u.OrganisationID, Name: u.OrgName, Kind: u.OrgKind, Country: u.OrgCountry}}
}

// writeAccount answers with the account as it now is.
func (s *Server) writeAccount(w http.ResponseWriter, r *http.Request, id int64) {
	u, err := s.store.UserByID(r.Context(), id)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toAPIAccount(u))
}

// apiAccountRequest is an account waiting for approval with what the
// moderators' page shows to judge it.
type apiAccountRequest struct {
	apiAccount
	// Organisation is the one the account would join, as it is now.
	Organisation apiOrgDetail `json:"organisation"`
	// Claim is what the registration said about the organisation; nil for
	// requests made before claims were recorded.
	Claim           *apiClaim         `json:"claim"`
	Others          []store.OrgPerson `json:"others"`
	EmailMatches    bool              `json:"email_matches"`
	NewOrganisation bool              `json:"new_organisation"`
}

type apiClaim struct {
	Kind                store.OrgKind `json:"kind"`
	Country             string        `json:"country"`
	SizeClass           string        `json:"size_class"`
	Sector              string        `json:"sector"`
	CreatedOrganisation bool          `json:"created_organisation"`
}

func (s *Server) apiAccountRequestList(w http.ResponseWriter, r *http.Request) {
	pending, err := s.store.PendingRequests(r.Context())
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	out := make([]apiAccountRequest, len(pending))
	for i := range pending {
		p := &pending[i]
		out[i] = apiAccountRequest{apiAccount: toAPIAccount(&p.User), Organisation: orgDetail(&p.Org),
			Others: p.Others, EmailMatches: p.EmailMatches(), NewOrganisation: p.NewOrg()}
		if out[i].Others == nil {
			out[i].Others = []store.OrgPerson{}
		}
		if c := p.Claim; c != nil {
			out[i].Claim = &apiClaim{Kind: c.Kind, Country: c.Country, SizeClass: c.SizeClass, Sector: c.Sector, CreatedOrganisation: c.CreatedOrg}
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"account_requests": out})
}

// apiPendingAccount loads the request named in the path: 404 for none, 409
// once another moderator has handled it.
func (s *Server) apiPendingAccount(w http.ResponseWriter, r *http.Request) (*store.User, bool) {
	id, ok := pathID(r)
	if !ok {
		s.notFound(w, r)
		return nil, false
	}
	u, err := s.pendingAccount(r.Context(), id)
	s.answerRequestError(w, r, err)
	return u, err == nil
}

// answerRequestError answers what went wrong with a request's handling, if anything.
func (s *Server) answerRequestError(w http.ResponseWriter, r *http.Request, err error) {
	switch {
	case err == nil:
	case errors.Is(err, store.ErrNotFound):
		s.notFound(w, r)
	case errors.Is(err, store.ErrNotPending):
		s.apiError(w, r, http.StatusConflict, "not_pending", "flash_already_handled")
	default:
		s.serverError(w, r, err)
	}
}

type apiApprovalInput struct {
	Role    string `json:"role"`
	OrgKind string `json:"org_kind"`
}

func (s *Server) apiAccountRequestApprove(w http.ResponseWriter, r *http.Request) {
	u, ok := s.apiPendingAccount(w, r)
	if !ok {
		return
	}
	var in apiApprovalInput
	if !s.decodeJSON(w, r, &in) {
		return
	}
	f := s.apiForm(r, map[string]string{"role": in.Role, "org_kind": in.OrgKind})
	role, kind := readApproval(f)
	if !f.ok() {
		s.apiValidation(w, r, f)
		return
	}
	if err := s.store.ApproveUser(r.Context(), currentUser(r).ID, u.ID, role, kind); err != nil {
		s.answerRequestError(w, r, err)
		return
	}
	s.writeAccount(w, r, u.ID)
}

func (s *Server) apiAccountRequestReject(w http.ResponseWriter, r *http.Request) {
	u, ok := s.apiPendingAccount(w, r)
	if !ok {
		return
	}
	if err := s.store.RejectUser(r.Context(), currentUser(r).ID, u.ID); err != nil {
		s.answerRequestError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
