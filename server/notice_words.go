package server

import (
	"context"
	"errors"

	"ideasx/server/i18n"
	"ideasx/store"
)

// noticeWords are what a status or acceptance notice says beyond its kind:
// the change it is about as it was recorded when made (the thread may have
// moved on since: a refer, close and reopen in a row are three different
// notices), who made it as the recipient may see them, and, for a
// referral, where the challenge went.
type noticeWords struct {
	// Variant ends the ids of its sentences: "" when the change is
	// known, "_referred" for a referral, "_unknown" when nothing was
	// recorded (notices older than the record of their change).
	Variant           string
	Who, From, To     string
	Target, TargetURL string
	Note              string
}

// isChangeNotice reports whether notices of kind k tell of a status change.
func isChangeNotice(k store.NotificationKind) bool {
	return k == store.NotifyStatus || k == store.NotifyAccepted || k == store.NotifyAnswerAccepted
}

// changeActor names who made a status change as the thread's page does:
// the challenge's author under the thread's attribution rule; anyone else
// is a moderator, named to moderators and "the secretariat" to others.
func changeActor(l *i18n.Localizer, u *store.User, n *store.NotificationView) string {
	if n.ActorID == nil || n.ActorName == nil {
		return l.T("notif_someone")
	}
	if n.ThreadAuthorID != nil && *n.ActorID == *n.ThreadAuthorID {
		mode := valueOr(n.ThreadAttribution, store.OnTheRecord)
		return bylineText(l, attribute(u, mode, *n.ActorID, *n.ActorName, valueOr(n.ActorOrg, ""), valueOr(n.ActorOrgKind, "")))
	}
	if u.IsModerator() {
		return *n.ActorName
	}
	return l.T("chatham_secretariat")
}

// changeWords puts the change of notice n into words for u.
func (s *Server) changeWords(ctx context.Context, l *i18n.Localizer, u *store.User, n *store.NotificationView) noticeWords {
	w := noticeWords{Who: changeActor(l, u, n)}
	c := n.Change
	if c.To == nil || c.From == nil {
		w.Variant = "_unknown"
		return w
	}
	w.From, w.To, w.Note = l.T("challenge_"+string(*c.From)), l.T("challenge_"+string(*c.To)), valueOr(c.Note, "")
	if *c.To == store.StatusReferred {
		w.Variant = "_referred"
		w.Target, w.TargetURL = s.referralTarget(ctx, l, u, c)
	}
	return w
}

// referralTarget names the event or document a challenge was referred to,
// by its title when u may read it, else only by what it is.
func (s *Server) referralTarget(ctx context.Context, l *i18n.Localizer, u *store.User, c store.NoticeChange) (string, string) {
	access := store.AccessFor(u)
	if c.EventID != nil {
		e, err := s.store.EventByID(ctx, *c.EventID, access)
		if err == nil {
			return l.T("notif_target_event", "Title", e.Title), eventURL(e)
		}
		s.logTargetError(ctx, err)
		return l.T("notif_target_event_unnamed"), ""
	}
	if c.DocumentID != nil {
		d, err := s.store.DocumentByID(ctx, *c.DocumentID, access)
		if err == nil {
			return l.T("notif_target_document", "Title", d.Title), documentURL(d)
		}
		s.logTargetError(ctx, err)
		return l.T("notif_target_document_unnamed"), ""
	}
	// The event or document was deleted since.
	return l.T("notif_target_group"), ""
}

// logTargetError notes a failure to read a referral's target; the notice
// still goes out, naming the target only by what it is.
func (s *Server) logTargetError(ctx context.Context, err error) {
	if !errors.Is(err, store.ErrNotFound) {
		s.log.WarnContext(ctx, "referral target of a notice", "error", err)
	}
}

// approvedRole is the id suffix of the approval's words for u's role: a
// visitor is not told of a forum they cannot enter.
func approvedRole(u *store.User) string {
	switch u.Role {
	case store.RoleVisitor, store.RoleBusiness, store.RoleMember, store.RoleModerator, store.RoleAdmin:
		return "_" + string(u.Role)
	}
	return "_visitor"
}

// approvedLink is where an approved account starts: the forum for those
// who may read it, the library for the others.
func approvedLink(u *store.User) string {
	if u.CanReadForum() {
		return "/forum"
	}
	return "/documents"
}
