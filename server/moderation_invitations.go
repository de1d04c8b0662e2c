package server

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"ideasx/server/auth"
	"ideasx/server/i18n"
	"ideasx/store"
)

const invitationTTL = 7 * 24 * time.Hour

// recentInvitations is how many of the latest invitations the page and the API list.
const recentInvitations = 50

// invitableRoles: moderators bring in businesses and delegations; only an
// admin may hand out moderation rights.
func invitableRoles(u *store.User) []string {
	roles := []string{string(store.RoleBusiness), string(store.RoleMember)}
	if u.IsAdmin() {
		roles = append(roles, string(store.RoleModerator), string(store.RoleAdmin))
	}
	return roles
}

func (s *Server) invitationList(w http.ResponseWriter, r *http.Request) {
	v := s.newView(w, r, "invitations_title")
	s.renderInvitations(w, r, v, http.StatusOK, "")
}

func (s *Server) renderInvitations(w http.ResponseWriter, r *http.Request, v *view, status int, link string) {
	orgs, err := s.store.Organisations(r.Context())
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	recent, err := s.store.RecentInvitations(r.Context(), recentInvitations)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	v.Data = map[string]any{
		"Organisations": orgs, "Invitations": recent, "Roles": invitableRoles(currentUser(r)),
		"Kinds": store.OrgKinds, "Countries": countries(v.Lang()), "Link": link, "Now": s.store.Now(),
	}
	s.render(w, r, status, "invitations", v)
}

func (s *Server) invitationCreate(w http.ResponseWriter, r *http.Request) {
	f := s.parseForm(w, r)
	if f == nil {
		return
	}
	v := s.newView(w, r, "invitations_title")
	v.Form = f.values
	inv, link, err := s.invite(r, f)
	switch {
	case errors.Is(err, errEmailHasAccount):
		v.Errors = f.errors
		s.renderInvitations(w, r, v, http.StatusConflict, "")
		return
	case err != nil:
		s.serverError(w, r, err)
		return
	case !f.ok():
		v.Errors = f.errors
		s.renderInvitations(w, r, v, http.StatusUnprocessableEntity, "")
		return
	}
	done := s.newView(w, r, "invitations_title")
	done.Flash = done.T("flash_invitation_sent", "Email", inv.Email)
	s.renderInvitations(w, r, done, http.StatusOK, link)
}

// errEmailHasAccount: the address to invite already has an account.
var errEmailHasAccount = errors.New("e-mail already has an account")

// invite checks an invitation form (the page's or the API's) and, when it
// is sound, records the invitation, with its organisation if named anew,
// and queues the mail carrying the link, which it returns. Problems
// with the form are left in f (nothing is saved); an address that already
// has an account gives errEmailHasAccount, noted in f under "email" too.
func (s *Server) invite(r *http.Request, f *form) (*store.Invitation, string, error) {
	me := currentUser(r)
	email := f.email("email")
	role := f.choice("role", true, invitableRoles(me)...)
	// The mail is in the invitee's language, which only the inviter knows.
	lang := f.choice("lang", false, i18n.Languages...)
	if lang == "" {
		lang = s.lang(r)
	}
	orgID, err := strconv.ParseInt(f.values.Get("organisation_id"), 10, 64)
	var newOrg store.Organisation
	if err != nil || orgID <= 0 {
		orgID = 0
		newOrg = store.Organisation{
			Name:    f.text("org_name", true, 150),
			Kind:    store.OrgKind(f.choice("org_kind", true, kindStrings()...)),
			Country: f.country("org_country", false),
		}
	} else if _, err := s.store.OrganisationByID(r.Context(), orgID); errors.Is(err, store.ErrNotFound) {
		f.fail("organisation_id", "error_choice")
	} else if err != nil {
		return nil, "", err
	}
	if !f.ok() {
		return nil, "", nil
	}
	if _, err := s.store.UserByEmail(r.Context(), email); err == nil {
		f.fail("email", "error_email_has_account")
		return nil, "", errEmailHasAccount
	}
	plain, hash := auth.NewToken("")
	inv := store.Invitation{Email: email, Role: store.Role(role), OrganisationID: orgID, InvitedBy: me.ID}
	link := s.cfg.BaseURL + "/invite/" + plain
	m, err := s.accountMail(s.tr.For(lang), email, "", "invitation", "mail_invitation_subject",
		map[string]any{"Inviter": me.Name, "URL": link, "Days": int(invitationTTL.Hours() / 24)})
	switch {
	case err != nil:
	case orgID == 0:
		// An organisation named anew is joined if one of that name exists,
		// else made, with the invitation or not at all.
		err = s.store.CreateInvitationInOrg(r.Context(), &inv, &newOrg, hash, invitationTTL, m)
	default:
		err = s.store.CreateInvitation(r.Context(), &inv, hash, invitationTTL, m)
	}
	if err != nil {
		return nil, "", err
	}
	s.mailer.wake()
	return &inv, link, nil
}

func kindStrings() []string {
	out := make([]string, len(store.OrgKinds))
	for i, k := range store.OrgKinds {
		out[i] = string(k)
	}
	return out
}

// invitationRevoke withdraws an open invitation after asking; one already
// used or expired has nothing left to withdraw.
func (s *Server) invitationRevoke(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		s.notFound(w, r)
		return
	}
	inv, err := s.store.InvitationByID(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		s.notFound(w, r)
		return
	}
	if err == nil && invitationState(inv, s.store.Now()) != "open" {
		err = store.ErrInvitationClosed
	}
	if err == nil {
		l := s.localizer(r)
		if !s.confirmed(w, r, confirmation{Question: "confirm_revoke_invitation", Effect: "confirm_revoke_invitation_effect",
			Button: "confirm_revoke_invitation_button", Details: []confirmDetail{{l.T("field_email"), inv.Email},
				{l.T("field_organisation"), inv.OrgName}, {l.T("field_role"), l.T("role_" + string(inv.Role))}},
			Back: "/moderation/invitations"}) {
			return
		}
		err = s.store.RevokeInvitation(r.Context(), currentUser(r).ID, id)
	}
	switch {
	case errors.Is(err, store.ErrInvitationClosed):
		s.redirectWithFlash(w, r, "/moderation/invitations", "flash_invitation_closed")
	case err != nil:
		s.serverError(w, r, err)
	default:
		s.redirectWithFlash(w, r, "/moderation/invitations", "flash_invitation_revoked")
	}
}
