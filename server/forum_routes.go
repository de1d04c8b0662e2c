package server

import (
	"net/http"

	"ideasx/store"
)

// forumRoutes is the members-only forum. Every route goes through forumMember.
func (s *Server) forumRoutes(mux *http.ServeMux) {
	mux.Handle("GET /forum", s.forumMember(s.forumIndex))
	mux.Handle("GET /forum/themes/{slug}", s.forumMember(s.forumTheme))
	mux.Handle("GET /forum/new", s.forumMember(s.threadNew))
	mux.Handle("POST /forum/threads", s.forumMember(s.threadCreate))
	mux.Handle("GET /forum/threads/{ref}", s.forumMember(s.threadShow))
	mux.Handle("POST /forum/threads/{id}/posts", s.forumMember(s.postCreate))
	mux.Handle("POST /forum/threads/{id}/switch", s.moderator(s.threadSwitchSave))
	mux.Handle("POST /forum/threads/{id}/status", s.forumMember(s.threadStatusSave))
	mux.Handle("POST /forum/threads/{id}/watch", s.forumMember(s.threadWatchSave))
	mux.Handle("POST /forum/threads/{id}/move", s.moderator(s.threadMove))
	mux.Handle("POST /forum/themes/{slug}/watch", s.forumMember(s.themeWatchSave))
	mux.Handle("POST /forum/posts/{id}/useful", s.forumMember(s.postUseful))
	mux.Handle("GET /forum/posts/{id}/edit", s.forumMember(s.postEdit))
	mux.Handle("POST /forum/posts/{id}", s.forumMember(s.postUpdate))
	mux.Handle("POST /forum/posts/{id}/delete", s.forumMember(s.postDelete))
	mux.Handle("POST /forum/posts/{id}/restore", s.moderator(s.postRestore))
	mux.Handle("POST /forum/posts/{id}/hide", s.moderator(s.postHide))
	mux.Handle("POST /forum/threads/{id}/attribution", s.moderator(s.threadAttributionSave))
	mux.Handle("POST /forum/posts/{id}/flag", s.forumMember(s.postFlag))
	mux.Handle("GET /moderation/flags", s.moderator(s.flagQueue))
	mux.Handle("GET /forum/people/{handle}", s.forumMember(s.personShow))
	mux.Handle("POST /forum/threads/{id}/curate", s.moderator(s.threadCurate))
	mux.Handle("GET /forum/threads/{id}/export", s.forumMember(s.threadExport))
	mux.Handle("GET /account/consents", s.signedIn(s.consentList))
	mux.Handle("POST /account/consents/{id}", s.signedIn(s.consentSave))
	mux.Handle("GET /moderation/themes", s.moderator(s.themeList))
	mux.Handle("POST /moderation/themes", s.moderator(s.themeSave))
	mux.Handle("POST /moderation/flags/{id}", s.moderator(s.flagResolve))
	mux.Handle("GET /notifications", s.signedIn(s.notificationList))
	mux.Handle("POST /notifications/{id}/open", s.signedIn(s.notificationOpen))
	mux.Handle("POST /notifications/read", s.signedIn(s.notificationsReadAll))
	mux.Handle("GET /account/notifications", s.signedIn(s.notificationPrefsShow))
	mux.Handle("POST /account/notifications", s.signedIn(s.notificationPrefsSave))
}

// forumMember lets through active businesses, members, moderators and
// admins. Anyone else learns nothing of the forum, not even a title: a
// visitor is asked to sign in, a pending or visitor account is told the
// forum is for approved members.
func (s *Server) forumMember(h http.HandlerFunc) http.Handler {
	return s.require((*store.User).CanReadForum, h)
}
