package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"strings"

	"ideasx/server/i18n"
	"ideasx/server/mail"
	"ideasx/server/markdown"
	"ideasx/store"
)

// mailView is what every mail template receives (frontend/templates/mail):
// the recipient's Localizer (.T, .Date, .Lang), the shared fields of the
// layout, and Data, the mail's own.
type mailView struct {
	*i18n.Localizer
	Subject string
	BaseURL string
	// Name is the recipient's name, for the greeting.
	Name string
	// UnsubscribeURL and PrefsURL are set on notification and digest mails,
	// which then carry List-Unsubscribe headers and a footer saying why they came.
	UnsubscribeURL string
	PrefsURL       string
	Digest         bool
	// ListID names the kind of mail (notifications, digest, …) for the
	// List-Id header of notification and digest mails, set with the footer.
	ListID string
	// ThreadID groups the mails about one forum thread (In-Reply-To and
	// References to the thread's own id) in the recipient's mail client.
	ThreadID int64
	Data     any
}

// renderMail renders mail template name for one recipient.
func (s *Server) renderMail(name, to string, v *mailView) (mail.Message, error) {
	v.BaseURL = s.cfg.BaseURL
	text, html, err := s.mails.Render(name, v)
	if err != nil {
		return mail.Message{}, err
	}
	domain := s.cfg.Domain()
	m := mail.Message{To: to, Subject: v.Subject, Text: text, HTML: html, MessageID: mail.NewMessageID(domain),
		Headers: map[string]string{"Content-Language": v.Lang()}}
	if v.UnsubscribeURL != "" {
		// RFC 8058: mail clients offer their own "unsubscribe" button and
		// POST to the link, without the person signing in.
		m.Headers["List-Unsubscribe"] = "<" + v.UnsubscribeURL + ">"
		m.Headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
	}
	if v.ListID != "" {
		// RFC 2919: one id per kind of mail, for the recipient's filters.
		m.Headers["List-Id"] = headerPhrase(v.T("site_name")) + " <" + v.ListID + "." + domain + ">"
	}
	if v.ThreadID != 0 {
		// Every mail about a thread answers the same (never sent) root,
		// so that clients that thread by References put them together.
		root := fmt.Sprintf("<thread-%d@%s>", v.ThreadID, domain)
		m.Headers["In-Reply-To"] = root
		m.Headers["References"] = root
	}
	return m, nil
}

// headerPhrase writes a display name for a header: quoted when it is
// ASCII, else as an RFC 2047 encoded word (preformatted headers are ASCII).
func headerPhrase(s string) string {
	for _, r := range s {
		if r >= 0x80 || r < 0x20 {
			return mime.QEncoding.Encode("utf-8", s)
		}
	}
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

// accountMail builds one of the mails about an account (registration,
// invitation, reset) now, in the language of the request or the account.
// The caller hands it to the store call that writes what it announces, so
// that it is queued in that transaction; it waits in the outbox while SMTP
// is away like any other, and its one-time link is wiped once it is sent.
func (s *Server) accountMail(l *i18n.Localizer, to, name, template, subjectID string, data any) (mail.Message, error) {
	return s.renderMail(template, to, &mailView{Localizer: l, Subject: l.T(subjectID), Name: name, Data: data})
}

// mailKindText are, per notification kind, the ids of its mail's subject,
// its opening sentence, and its line in a digest.
var mailKindText = map[store.NotificationKind][3]string{
	store.NotifyThreadReply:     {"mail_thread_reply_subject", "mail_thread_reply_lead", "mail_item_thread_reply"},
	store.NotifyReply:           {"mail_reply_subject", "mail_reply_lead", "mail_item_reply"},
	store.NotifyMention:         {"mail_mention_subject", "mail_mention_lead", "mail_item_mention"},
	store.NotifyNewThread:       {"mail_new_thread_subject", "mail_new_thread_lead", "mail_item_new_thread"},
	store.NotifyStatus:          {"mail_status_subject", "mail_status_lead", "mail_item_status"},
	store.NotifyAccepted:        {"mail_accepted_subject", "mail_accepted_lead", "mail_item_accepted"},
	store.NotifyAnswerAccepted:  {"mail_answer_accepted_subject", "mail_answer_accepted_lead", "mail_item_answer_accepted"},
	store.NotifyApproved:        {"mail_approved_subject", "mail_approved_lead", "mail_item_approved"},
	store.NotifyFlagHandled:     {"mail_flag_handled_subject", "mail_flag_handled_lead", "mail_item_flag_handled"},
	store.NotifyPendingAccount:  {"mail_pending_account_subject", "mail_pending_account_lead", "mail_item_pending_account"},
	store.NotifyNewFlag:         {"mail_new_flag_subject", "mail_new_flag_lead", "mail_item_new_flag"},
	store.NotifyConsentRequest:  {"mail_consent_request_subject", "mail_consent_request_lead", "mail_item_consent_request"},
	store.NotifyConsentsGiven:   {"mail_consents_given_subject", "mail_consents_given_lead", "mail_item_consents_given"},
	store.NotifyConsentDeclined: {"mail_consent_declined_subject", "mail_consent_declined_lead", "mail_item_consent_declined"},
	store.NotifyOutcome:         {"mail_outcome_subject", "mail_outcome_lead", "mail_item_outcome"},
}

// mailKindName is what the unsubscribe page says a kind of mail is.
var mailKindName = map[string]string{
	string(store.NotifyThreadReply):     "mail_kind_thread_reply",
	string(store.NotifyReply):           "mail_kind_reply",
	string(store.NotifyMention):         "mail_kind_mention",
	string(store.NotifyNewThread):       "mail_kind_new_thread",
	string(store.NotifyStatus):          "mail_kind_status",
	string(store.NotifyAccepted):        "mail_kind_accepted",
	string(store.NotifyAnswerAccepted):  "mail_kind_answer_accepted",
	string(store.NotifyApproved):        "mail_kind_approved",
	string(store.NotifyFlagHandled):     "mail_kind_flag_handled",
	string(store.NotifyPendingAccount):  "mail_kind_pending_account",
	string(store.NotifyNewFlag):         "mail_kind_new_flag",
	string(store.NotifyConsentRequest):  "mail_kind_consent_request",
	string(store.NotifyConsentsGiven):   "mail_kind_consents_given",
	string(store.NotifyConsentDeclined): "mail_kind_consent_declined",
	string(store.NotifyOutcome):         "mail_kind_outcome",
	store.MailDigest:                    "mail_kind_digest",
	store.MailModerationSummary:         "mail_kind_moderation_summary",
}

// mayMail is the check at send time: whether what notification n tells
// may still reach u now. Its cause may have changed since it was queued:
// the account suspended or its role lowered, the thread hidden, the post
// deleted or hidden.
func mayMail(u *store.User, n *store.NotificationView) bool {
	// The same rule as the notification centre's (which the store applies when listing).
	if !u.MaySeeNotification(n.Kind) {
		return false
	}
	if n.ThreadID != nil && (n.ThreadTitle == nil || (valueOr(n.ThreadHidden, false) && !u.IsModerator())) {
		return false
	}
	// The reporter of a post that was then hidden is still told the flag
	// was handled, without the post.
	if n.PostID != nil && n.PostRemoved && n.Kind != store.NotifyFlagHandled {
		return false
	}
	return true
}

func valueOr[T any](p *T, def T) T {
	if p == nil {
		return def
	}
	return *p
}

// mailNote is one notification put into words for its recipient.
type mailNote struct {
	Subject, Lead, Item string
	Excerpt             string
	Link, LinkLabel     string
}

// noteFor says notification n to u, who may read it (mayMail): names go
// through the attribution rules of the thread, as on its page.
func (s *Server) noteFor(ctx context.Context, l *i18n.Localizer, u *store.User, n *store.NotificationView) mailNote {
	ids := mailKindText[n.Kind]
	who := l.T("mail_someone")
	if n.ActorID != nil && n.ActorName != nil {
		mode := valueOr(n.ThreadAttribution, store.OnTheRecord)
		who = bylineText(l, attribute(u, mode, *n.ActorID, *n.ActorName, valueOr(n.ActorOrg, ""), valueOr(n.ActorOrgKind, "")))
	}
	var cw noticeWords
	switch {
	case isChangeNotice(n.Kind):
		cw = s.changeWords(ctx, l, u, n)
		who = cw.Who
		if n.Kind == store.NotifyStatus {
			for i := range ids {
				ids[i] += cw.Variant
			}
		}
	case n.Kind == store.NotifyApproved:
		ids[1] += approvedRole(u)
	}
	args := []any{"Who", who, "Thread", valueOr(n.ThreadTitle, ""), "From", cw.From, "To", cw.To, "Target", cw.Target,
		"Name", valueOr(n.SubjectName, "")}
	note := mailNote{Subject: l.T(ids[0], args...), Lead: l.T(ids[1], args...), Item: l.T(ids[2], args...)}

	base := s.cfg.BaseURL
	var thread *store.Thread
	if n.ThreadID != nil {
		thread = &store.Thread{ID: *n.ThreadID, Title: valueOr(n.ThreadTitle, "")}
	}
	switch n.Kind {
	case store.NotifyReply, store.NotifyThreadReply, store.NotifyMention, store.NotifyAccepted, store.NotifyAnswerAccepted, store.NotifyOutcome:
		if thread != nil && n.PostID != nil {
			note.Link, note.LinkLabel = base+postAnchor(thread, &store.Post{ID: *n.PostID}), l.T("mail_read_post")
			note.Excerpt = markdown.Excerpt(valueOr(n.PostBody, ""), 300)
		} else if thread != nil {
			note.Link, note.LinkLabel = base+threadURL(thread), l.T("mail_open_thread")
		}
	case store.NotifyNewThread, store.NotifyStatus, store.NotifyFlagHandled:
		if thread != nil {
			note.Link, note.LinkLabel = base+threadURL(thread), l.T("mail_open_thread")
		}
		// What the moderator wrote with the change, as the thread shows it.
		note.Excerpt = cw.Note
	case store.NotifyNewFlag:
		note.Link, note.LinkLabel = base+"/moderation/flags", l.T("mail_review_flags")
	case store.NotifyPendingAccount:
		note.Link, note.LinkLabel = base+"/moderation/accounts", l.T("mail_review_requests")
	case store.NotifyApproved:
		note.Link, note.LinkLabel = base+"/signin?next="+approvedLink(u), l.T("nav_signin")
	case store.NotifyConsentRequest, store.NotifyConsentsGiven, store.NotifyConsentDeclined:
		s.consentNote(ctx, l, u, n, who, &note)
	}
	return note
}

// withFooter adds what notification and digest mails end with: why the mail
// came, the settings, and a signed link that unsubscribes from its kind.
func (s *Server) withFooter(ctx context.Context, v *mailView, userID int64, kind string) error {
	token, err := s.unsubscribeToken(ctx, userID, kind)
	if err != nil {
		return err
	}
	v.UnsubscribeURL = s.cfg.BaseURL + "/unsubscribe/" + token
	v.PrefsURL = s.cfg.BaseURL + "/account/notifications"
	v.Digest = kind == store.MailDigest
	switch kind {
	case store.MailDigest:
		v.ListID = "digest"
	case store.MailModerationSummary:
		v.ListID = "moderation-summary"
	default:
		v.ListID = "notifications"
	}
	return nil
}

// notificationMail builds, at send time, the mail of notification n to u;
// ok is false when nothing may be sent any more.
func (s *Server) notificationMail(ctx context.Context, u *store.User, n *store.NotificationView) (m mail.Message, ok bool, err error) {
	if !mayMail(u, n) {
		return m, false, nil
	}
	prefs, err := s.store.Prefs(ctx, u.ID)
	if err != nil {
		return m, false, err
	}
	// The person may have chosen otherwise since the mail was queued.
	if prefs.Channels[n.Kind] != store.ChannelEmail {
		return m, false, nil
	}
	l := s.tr.For(u.Locale)
	note := s.noteFor(ctx, l, u, n)
	v := &mailView{Localizer: l, Subject: note.Subject, Name: u.Name, Data: note, ThreadID: valueOr(n.ThreadID, 0)}
	if err := s.withFooter(ctx, v, u.ID, string(n.Kind)); err != nil {
		return m, false, err
	}
	m, err = s.renderMail("notification", u.Email, v)
	return m, err == nil, err
}

// digestGroup is one thread of a digest, or the news that has none.
type digestGroup struct {
	Title, URL string
	Items      []digestItem
}

type digestItem struct {
	When, Text, Excerpt, Link string
}

// digestMail builds the digest of window p for u from the notifications it
// covers that u may still read, or, for kind MailModerationSummary, the
// moderator's daily summary of account requests and flags; ok is false
// when none is left.
func (s *Server) digestMail(ctx context.Context, u *store.User, p store.DigestPayload, kind string) (m mail.Message, ok bool, err error) {
	if !u.Active() {
		return m, false, nil
	}
	prefs, err := s.store.Prefs(ctx, u.ID)
	if err != nil {
		return m, false, err
	}
	moderation := kind == store.MailModerationSummary
	if prefs.Digest == "off" && !moderation {
		return m, false, nil
	}
	items, err := s.store.DigestItems(ctx, u.ID, p.From, p.To, moderation)
	if err != nil {
		return m, false, err
	}
	l := s.tr.For(u.Locale)
	var groups []*digestGroup
	byThread := map[int64]*digestGroup{}
	var other *digestGroup
	for i := range items {
		n := &items[i]
		if !mayMail(u, n) {
			continue
		}
		note := s.noteFor(ctx, l, u, n)
		item := digestItem{When: l.DateTime(n.CreatedAt, readerZone(u)), Text: note.Item, Excerpt: note.Excerpt, Link: note.Link}
		if n.ThreadID == nil {
			if other == nil {
				other = &digestGroup{Title: l.T("mail_digest_other")}
			}
			other.Items = append(other.Items, item)
			continue
		}
		g := byThread[*n.ThreadID]
		if g == nil {
			t := &store.Thread{ID: *n.ThreadID, Title: valueOr(n.ThreadTitle, "")}
			g = &digestGroup{Title: t.Title, URL: s.cfg.BaseURL + threadURL(t)}
			byThread[t.ID] = g
			groups = append(groups, g)
		}
		if item.Link == g.URL {
			item.Link = "" // the thread's heading already leads there
		}
		g.Items = append(g.Items, item)
	}
	if other != nil {
		groups = append(groups, other)
	}
	if len(groups) == 0 {
		return m, false, nil
	}
	data := struct {
		Lead   string
		Groups []*digestGroup
	}{Lead: l.T("mail_"+kind+"_lead", "Date", l.Date(p.From.In(readerZone(u)))), Groups: groups}
	v := &mailView{Localizer: l, Subject: l.T("mail_"+kind+"_subject", "Date", l.Date(p.To.In(readerZone(u)))), Name: u.Name, Data: data}
	if err := s.withFooter(ctx, v, u.ID, kind); err != nil {
		return m, false, err
	}
	m, err = s.renderMail("digest", u.Email, v)
	return m, err == nil, err
}

// outboxMail builds the mail of a queued row as it may be sent now.
func (s *Server) outboxMail(ctx context.Context, om *store.OutboxMail) (mail.Message, bool, error) {
	if om.Kind == store.MailRegistration {
		return s.registrationMail(ctx, om)
	}
	if om.Kind == store.MailAccount {
		var m mail.Message
		if err := json.Unmarshal([]byte(om.Payload), &m); err != nil || m.To == "" {
			return mail.Message{}, false, fmt.Errorf("account mail %d: unreadable", om.ID)
		}
		return m, true, nil
	}
	if om.UserID == nil {
		return mail.Message{}, false, nil
	}
	u, err := s.store.UserByID(ctx, *om.UserID)
	if errors.Is(err, store.ErrNotFound) {
		return mail.Message{}, false, nil
	}
	if err != nil {
		return mail.Message{}, false, err
	}
	if om.Kind == store.MailDigest || om.Kind == store.MailModerationSummary {
		var p store.DigestPayload
		if err := json.Unmarshal([]byte(om.Payload), &p); err != nil {
			return mail.Message{}, false, fmt.Errorf("digest payload of mail %d: %w", om.ID, err)
		}
		return s.digestMail(ctx, u, p, om.Kind)
	}
	if om.NotificationID == nil {
		return mail.Message{}, false, fmt.Errorf("mail %d of kind %q has no notification", om.ID, om.Kind)
	}
	n, err := s.store.NotificationByID(ctx, u.ID, *om.NotificationID)
	if errors.Is(err, store.ErrNotFound) {
		return mail.Message{}, false, nil
	}
	if err != nil {
		return mail.Message{}, false, err
	}
	return s.notificationMail(ctx, u, n)
}
