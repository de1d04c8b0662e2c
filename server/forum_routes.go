package server

import (
	"net/http"

	"ideasx/store"
)

// forumRoutes is the members-only forum. Every route goes through forumMember.
func (s *Server) forumRoutes(mux *routeTable) {
	s.forum(mux, "GET /forum", s.forumMember(s.forumIndex))
	s.forum(mux, "GET /forum/themes/{slug}", s.forumMember(s.forumTheme))
	s.forum(mux, "GET /forum/new", s.forumMember(s.threadNew))
	s.forum(mux, "POST /forum/threads", s.forumMember(s.threadCreate))
	s.forum(mux, "GET /forum/threads/{ref}", s.forumMember(s.threadShow))
	s.forum(mux, "POST /forum/threads/{id}/posts", s.forumMember(s.postCreate))
	s.forum(mux, "POST /forum/threads/{id}/switch", s.moderator(s.threadSwitchSave))
	s.forum(mux, "POST /forum/threads/{id}/status", s.forumMember(s.threadStatusSave))
	s.forum(mux, "POST /forum/threads/{id}/watch", s.forumMember(s.threadWatchSave))
	s.forum(mux, "POST /forum/threads/{id}/move", s.moderator(s.threadMove))
	s.forum(mux, "POST /forum/themes/{slug}/watch", s.forumMember(s.themeWatchSave))
	s.forum(mux, "POST /forum/posts/{id}/useful", s.forumMember(s.postUseful))
	s.forum(mux, "GET /forum/posts/{id}/edit", s.forumMember(s.postEdit))
	s.forum(mux, "POST /forum/posts/{id}", s.forumMember(s.postUpdate))
	s.forum(mux, "POST /forum/posts/{id}/delete", s.forumMember(s.postDelete))
	s.forum(mux, "POST /forum/posts/{id}/restore", s.moderator(s.postRestore))
	s.forum(mux, "POST /forum/posts/{id}/hide", s.moderator(s.postHide))
	s.forum(mux, "POST /forum/threads/{id}/attribution", s.moderator(s.threadAttributionSave))
	s.forum(mux, "POST /forum/posts/{id}/flag", s.forumMember(s.postFlag))
	s.forum(mux, "GET /moderation/flags", s.moderator(s.flagQueue))
	s.forum(mux, "GET /forum/people/{handle}", s.forumMember(s.personShow))
	s.forum(mux, "POST /forum/threads/{id}/curate", s.moderator(s.threadCurate))
	s.forum(mux, "GET /forum/threads/{id}/export", s.forumMember(s.threadExport))
	// Drafts are titled after threads: the list, like them, takes forum access.
	s.forum(mux, "GET /account/consents", s.forumMember(s.consentList))
	// The draft quotes the forum: reading it takes forum access, as the thread did.
	s.forum(mux, "GET /account/consents/{id}", s.forumMember(s.consentShow))
	s.forum(mux, "POST /account/consents/{id}", s.forumMember(s.consentSave))
	s.forum(mux, "GET /moderation/themes", s.moderator(s.themeList))
	s.forum(mux, "POST /moderation/themes", s.moderator(s.themeSave))
	s.forum(mux, "POST /moderation/flags/{id}", s.moderator(s.flagResolve))
	s.forum(mux, "GET /notifications", s.signedIn(s.notificationList))
	s.forum(mux, "POST /notifications/{id}/open", s.signedIn(s.notificationOpen))
	s.forum(mux, "POST /notifications/read", s.signedIn(s.notificationsReadAll))
	s.forum(mux, "GET /account/notifications", s.signedIn(s.notificationPrefsShow))
	s.forum(mux, "POST /account/notifications", s.signedIn(s.notificationPrefsSave))
}

// forum registers a route of the forum and records it, so that a test can
// walk every one of them as each role.
func (s *Server) forum(mux *routeTable, pattern string, h http.Handler) {
	s.forumPatterns = append(s.forumPatterns, pattern)
	mux.Handle(pattern, h)
}

// ForumRoutes lists the forum's patterns ("GET /forum").
func (s *Server) ForumRoutes() []string { return s.forumPatterns }

// forumMember lets through active businesses, members, moderators and
// admins. Anyone else learns nothing of the forum, not even a title: a
// visitor is asked to sign in, a pending or visitor account is told the
// forum is for approved members.
func (s *Server) forumMember(h http.HandlerFunc) http.Handler {
	return s.require((*store.User).CanReadForum, h)
}
