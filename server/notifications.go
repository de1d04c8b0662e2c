package server

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"ideasx/server/i18n"
	"ideasx/server/markdown"
	"ideasx/store"
)

const (
	notificationsPerPage = 50
	maxNotificationPage  = 10000
)

// notificationItem is a notification as its owner may see it now: what it
// names goes through the attribution rules, and what they may no longer
// read (a hidden thread, a removed post) is left out.
type notificationItem struct {
	*store.NotificationView
	// Text is the sentence saying what happened.
	Text    string
	Excerpt string
	// Link is where opening it leads; empty when there is nothing to show.
	Link   string
	Unread bool
}

func (s *Server) notificationItem(ctx context.Context, me *store.User, l *i18n.Localizer, n *store.NotificationView) notificationItem {
	item := notificationItem{NotificationView: n, Unread: n.ReadAt == nil}
	threadVisible := n.ThreadID != nil && n.ThreadTitle != nil && (!valueOr(n.ThreadHidden, false) || me.IsModerator())
	thread := l.T("notif_thread_gone")
	if threadVisible {
		thread = *n.ThreadTitle
		t := &store.Thread{ID: *n.ThreadID, Title: *n.ThreadTitle}
		item.Link = threadURL(t)
		if n.PostID != nil && (!n.PostRemoved || me.IsModerator()) {
			item.Link = postAnchor(t, &store.Post{ID: *n.PostID})
			if n.PostBody != nil && (n.Kind == store.NotifyReply || n.Kind == store.NotifyThreadReply || n.Kind == store.NotifyMention || n.Kind == store.NotifyOutcome) {
				item.Excerpt = markdown.Excerpt(*n.PostBody, 200)
			}
		}
	}
	who := l.T("notif_someone")
	if n.ActorID != nil && n.ActorName != nil {
		mode := store.OnTheRecord
		if n.ThreadAttribution != nil {
			mode = *n.ThreadAttribution
		}
		b := attribute(me, mode, *n.ActorID, *n.ActorName, valueOr(n.ActorOrg, ""), valueOr(n.ActorOrgKind, ""))
		who = bylineText(l, b)
	}
	switch n.Kind {
	case store.NotifyPendingAccount:
		item.Text = l.T("notif_pending_account", "Name", valueOr(n.SubjectName, ""))
		item.Link = "/moderation/accounts"
	case store.NotifyNewFlag:
		item.Text = l.T("notif_new_flag", "Thread", thread)
		item.Link = "/moderation/flags"
	case store.NotifyApproved:
		item.Text = l.T("notif_approved" + approvedRole(me))
		item.Link = approvedLink(me)
	case store.NotifyStatus, store.NotifyAccepted, store.NotifyAnswerAccepted:
		cw := s.changeWords(ctx, l, me, n)
		id := "notif_" + string(n.Kind)
		if n.Kind == store.NotifyStatus {
			id += cw.Variant
		}
		item.Text = l.T(id, "Who", cw.Who, "Thread", thread, "From", cw.From, "To", cw.To, "Target", cw.Target)
	case store.NotifyConsentRequest, store.NotifyConsentsGiven, store.NotifyConsentDeclined:
		s.consentItem(ctx, l, n, who, &item)
	default:
		item.Text = l.T("notif_"+string(n.Kind), "Who", who, "Thread", thread)
	}
	return item
}

// bylineText is a byline as one line of text. A moderator reading a name
// that others do not see is told so, as on the thread's page.
func bylineText(l *i18n.Localizer, b byline) string {
	switch {
	case b.Withheld:
		return b.Name + " (" + b.Organisation + ", " + l.T("chatham_withheld") + ")"
	case b.KindID != "":
		return l.T(b.KindID)
	case b.Organisation != "":
		return b.Name + " (" + b.Organisation + ")"
	}
	return b.Name
}

func (s *Server) notificationList(w http.ResponseWriter, r *http.Request) {
	me := currentUser(r)
	// A person's list is short; a page far past its end is simply empty,
	// and the bound keeps the offset from overflowing.
	page := 1
	if n, err := parseID(r.URL.Query().Get("page")); err == nil {
		page = int(min(n, maxNotificationPage))
	}
	list, err := s.store.Notifications(r.Context(), me.ID, notificationsPerPage+1, (page-1)*notificationsPerPage)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	v := s.newView(w, r, "notif_title")
	more := len(list) > notificationsPerPage
	list = list[:min(len(list), notificationsPerPage)]
	items := make([]notificationItem, len(list))
	for i := range list {
		items[i] = s.notificationItem(r.Context(), me, v.Localizer, &list[i])
	}
	data := map[string]any{"Items": items, "PrevURL": "", "NextURL": ""}
	if page > 1 {
		data["PrevURL"] = fmt.Sprintf("/notifications?page=%d", page-1)
	}
	if more {
		data["NextURL"] = fmt.Sprintf("/notifications?page=%d", page+1)
	}
	v.Data = data
	s.render(w, r, http.StatusOK, "notifications", v)
}

// notificationOpen marks one notification read and goes where it points.
func (s *Server) notificationOpen(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		s.notFound(w, r)
		return
	}
	me := currentUser(r)
	n, err := s.store.NotificationByID(r.Context(), me.ID, id)
	if errors.Is(err, store.ErrNotFound) {
		s.notFound(w, r)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if err := s.store.MarkNotificationsRead(r.Context(), me.ID, id); err != nil {
		s.serverError(w, r, err)
		return
	}
	item := s.notificationItem(r.Context(), me, s.localizer(r), n)
	to := item.Link
	if to == "" {
		to = "/notifications"
	}
	privateRedirect(w, r, to, http.StatusSeeOther)
}

func (s *Server) notificationsReadAll(w http.ResponseWriter, r *http.Request) {
	if err := s.store.MarkNotificationsRead(r.Context(), currentUser(r).ID, 0); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.redirectWithFlash(w, r, "/notifications", "notif_all_read")
}

// notificationKinds are the kinds a person may set: the moderators' own only for moderators.
func notificationKinds(me *store.User) []store.NotificationKind {
	var out []store.NotificationKind
	for _, k := range store.NotificationKinds {
		if !k.ModeratorOnly() || me.IsModerator() {
			out = append(out, k)
		}
	}
	return out
}

// readPrefs reads the notification settings (page or API): a channel for
// each kind me may set ("channel_<kind>"), and how often the digest comes;
// what is left out keeps its value.
func readPrefs(f *form, me *store.User) (map[store.NotificationKind]store.Channel, string) {
	channels := stringsOf(store.Channels)
	chosen := map[store.NotificationKind]store.Channel{}
	for _, k := range notificationKinds(me) {
		if c := f.choice("channel_"+string(k), false, channels...); c != "" {
			chosen[k] = store.Channel(c)
		}
	}
	return chosen, f.choice("digest", false, store.DigestFrequencies...)
}

func (s *Server) notificationPrefsShow(w http.ResponseWriter, r *http.Request) {
	me := currentUser(r)
	prefs, err := s.store.Prefs(r.Context(), me.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	v := s.newView(w, r, "notif_prefs_title")
	// Account requests and flags are gathered in a daily summary of their
	// own, whatever the digest's frequency.
	daily := map[string]bool{}
	for _, k := range notificationKinds(me) {
		if k.InModerationSummary() {
			daily[string(k)] = true
		}
	}
	v.Data = map[string]any{"Kinds": notificationKinds(me), "Channels": store.Channels, "Prefs": prefs, "Frequencies": store.DigestFrequencies,
		"Daily": daily}
	s.render(w, r, http.StatusOK, "notification_prefs", v)
}

func (s *Server) notificationPrefsSave(w http.ResponseWriter, r *http.Request) {
	me := currentUser(r)
	f := s.parseForm(w, r)
	if f == nil {
		return
	}
	chosen, digest := readPrefs(f, me)
	if !f.ok() {
		s.fail(w, r, http.StatusUnprocessableEntity, "invalid_choice", "error_choice")
		return
	}
	if err := s.store.SetPrefs(r.Context(), me.ID, chosen, digest); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.redirectWithFlash(w, r, "/account/notifications", "notif_prefs_saved")
}

// unreadCount is shown in every page's header, with the seq of the
// person's live topic read first, so that the page's script asks for every
// change after the count. A failure only hides the count.
func (s *Server) unreadCount(r *http.Request) (int, int64) {
	me := currentUser(r)
	if me == nil {
		return 0, 0
	}
	seq, err := s.store.TopicSeq(r.Context(), fmt.Sprintf("user:%d", me.ID))
	if err != nil {
		s.log.WarnContext(r.Context(), "unread notifications", "error", err)
		return 0, 0
	}
	n, err := s.store.UnreadNotifications(r.Context(), me.ID)
	if err != nil {
		s.log.WarnContext(r.Context(), "unread notifications", "error", err)
	}
	return n, seq
}
