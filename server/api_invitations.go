package server

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"ideasx/store"
)

// apiInvitation is an invitation as moderators see it. The link itself is
// only in the answer that made it, as on the page: only its hash is kept.
type apiInvitation struct {
	ID           int64      `json:"id"`
	Email        string     `json:"email"`
	Role         store.Role `json:"role"`
	Organisation apiNamed   `json:"organisation"`
	InvitedBy    apiNamed   `json:"invited_by"`
	State        string     `json:"state"`
	CreatedAt    time.Time  `json:"created_at"`
	ExpiresAt    time.Time  `json:"expires_at"`
	UsedAt       *time.Time `json:"used_at"`
	Link         string     `json:"link,omitempty"`
}

// apiNamed is a row another one points to: its id and name.
type apiNamed struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

// invitationState is what the page's list says of an invitation: used,
// expired (or revoked), or open.
func invitationState(inv *store.Invitation, now time.Time) string {
	switch {
	case inv.UsedAt != nil:
		return "used"
	case !inv.ExpiresAt.After(now):
		return "expired"
	}
	return "open"
}

func toAPIInvitation(inv *store.Invitation, now time.Time) apiInvitation {
	return apiInvitation{ID: inv.ID, Email: inv.Email, Role: inv.Role,
		Organisation: apiNamed{inv.OrganisationID, inv.OrgName}, InvitedBy: apiNamed{inv.InvitedBy, inv.InviterName},
		State: invitationState(inv, now), CreatedAt: inv.CreatedAt, ExpiresAt: inv.ExpiresAt, UsedAt: inv.UsedAt}
}

// apiInvitationList lists the latest invitations, as many as the page shows.
func (s *Server) apiInvitationList(w http.ResponseWriter, r *http.Request) {
	list, err := s.store.RecentInvitations(r.Context(), recentInvitations)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	now := s.store.Now()
	out := make([]apiInvitation, len(list))
	for i := range list {
		out[i] = toAPIInvitation(&list[i], now)
	}
	writeJSON(w, http.StatusOK, map[string]any{"invitations": out})
}

// apiInvitationInput names an existing organisation (organisation_id) or a
// new one (org_name, org_kind, org_country), as the page's form does.
type apiInvitationInput struct {
	Email          string `json:"email"`
	Role           string `json:"role"`
	Lang           string `json:"lang"`
	OrganisationID int64  `json:"organisation_id"`
	OrgName        string `json:"org_name"`
	OrgKind        string `json:"org_kind"`
	OrgCountry     string `json:"org_country"`
}

func (s *Server) apiInvitationCreate(w http.ResponseWriter, r *http.Request) {
	var in apiInvitationInput
	if !s.decodeJSON(w, r, &in) {
		return
	}
	values := map[string]string{"email": in.Email, "role": in.Role, "lang": in.Lang,
		"org_name": in.OrgName, "org_kind": in.OrgKind, "org_country": in.OrgCountry}
	if in.OrganisationID != 0 {
		values["organisation_id"] = strconv.FormatInt(in.OrganisationID, 10)
	}
	f := s.apiForm(r, values)
	inv, link, err := s.invite(r, f)
	switch {
	case errors.Is(err, errEmailHasAccount):
		s.apiError(w, r, http.StatusConflict, "email_has_account", "error_email_has_account")
		return
	case err != nil:
		s.serverError(w, r, err)
		return
	case !f.ok():
		s.apiValidation(w, r, f)
		return
	}
	made, err := s.store.InvitationByID(r.Context(), inv.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	out := toAPIInvitation(made, s.store.Now())
	out.Link = link
	writeJSON(w, http.StatusCreated, out)
}

// apiInvitationRevoke withdraws an unused invitation: its link stops working.
func (s *Server) apiInvitationRevoke(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		s.notFound(w, r)
		return
	}
	err := s.store.RevokeInvitation(r.Context(), currentUser(r).ID, id)
	switch {
	case errors.Is(err, store.ErrNotFound):
		s.notFound(w, r)
	case errors.Is(err, store.ErrInvitationClosed):
		s.apiError(w, r, http.StatusConflict, "not_open", "flash_invitation_closed")
	case err != nil:
		s.serverError(w, r, err)
	default:
		w.WriteHeader(http.StatusNoContent)
	}
}
