package server

import (
	"context"

	"ideasx/server/i18n"
	"ideasx/server/markdown"
	"ideasx/store"
)

// consentLink is where a consent notice leads: the asked person to the
// draft they answer about, the moderator to the draft they may publish.
func consentLink(n *store.NotificationView) string {
	doc := itoa64(valueOr(n.SubjectID, 0))
	if n.Kind == store.NotifyConsentRequest {
		return "/account/consents/" + doc
	}
	return "/moderation/documents/" + doc
}

// consentItem says a consent notice in the notification centre.
func (s *Server) consentItem(ctx context.Context, l *i18n.Localizer, n *store.NotificationView, who string, item *notificationItem) {
	item.Text = l.T("notif_"+string(n.Kind), "Who", who, "Title", valueOr(n.SubjectTitle, ""))
	item.Link = consentLink(n)
	item.Excerpt = s.consentExcerpt(ctx, n)
}

// consentNote says a consent notice in a mail: for the person asked, the
// passage that names them; for the moderator, the note of a refusal.
func (s *Server) consentNote(ctx context.Context, l *i18n.Localizer, u *store.User, n *store.NotificationView, who string, note *mailNote) {
	ids := mailKindText[n.Kind]
	args := []any{"Who", who, "Title", valueOr(n.SubjectTitle, "")}
	note.Subject, note.Lead, note.Item = l.T(ids[0], args...), l.T(ids[1], args...), l.T(ids[2], args...)
	note.Link = s.cfg.BaseURL + consentLink(n)
	note.LinkLabel = l.T("mail_" + string(n.Kind) + "_button")
	note.Excerpt = s.consentExcerpt(ctx, n)
}

// consentExcerpt is the text a consent notice quotes. A failure to read it
// only leaves the quote out: the notice still says what to do.
func (s *Server) consentExcerpt(ctx context.Context, n *store.NotificationView) string {
	if n.SubjectID == nil {
		return ""
	}
	switch n.Kind {
	case store.NotifyConsentRequest:
		c, err := s.store.ConsentRequest(ctx, n.UserID, *n.SubjectID)
		if err != nil {
			return ""
		}
		d, err := s.store.DocumentByID(ctx, *n.SubjectID, store.Access{Members: true, Curator: true})
		if err != nil {
			return ""
		}
		return markdown.Excerpt(store.PassageNaming(d.Summary, c.NamedAs), 600)
	case store.NotifyConsentDeclined:
		if n.ActorID == nil {
			return ""
		}
		c, err := s.store.ConsentRequest(ctx, *n.ActorID, *n.SubjectID)
		if err != nil {
			return ""
		}
		return c.Note
	}
	return ""
}
