package server

import (
	"net/http"
)

// routes mounts every area's route table on one mux and wraps it in the
// middleware that every request goes through.
func (s *Server) routes() http.Handler {
	mux := &routeTable{ServeMux: http.NewServeMux()}
	s.opsRoutes(mux)
	s.publicRoutes(mux)
	s.sitePageRoutes(mux)
	s.libraryRoutes(mux)
	s.registrationRoutes(mux)
	s.agendaRoutes(mux)
	s.forumRoutes(mux)
	s.attachmentRoutes(mux)
	s.accountRoutes(mux)
	s.moderationRoutes(mux)
	s.adminRoutes(mux)
	s.apiRoutesV1(mux)
	s.patterns = mux.patterns

	var h http.Handler = s.metrics.instrument(mux.ServeMux)
	h = s.urlLanguage(h)
	h = s.refuseUnreadableInput(h)
	h = s.authenticate(h)
	h = s.crossOriginProtection(h)
	h = s.transportHeaders(h)
	h = securityHeaders(h)
	h = s.recoverPanics(h)
	h = compress(h)
	h = s.logRequests(h)
	h = requestID(h)
	return h
}

// routeTable is the server's ServeMux, remembering every pattern it is
// given: the route × role test walks them all, so that no route, present
// or future, escapes it.
type routeTable struct {
	*http.ServeMux
	patterns []string
}

// Handle registers and records pattern.
func (t *routeTable) Handle(pattern string, h http.Handler) {
	t.patterns = append(t.patterns, pattern)
	t.ServeMux.Handle(pattern, h)
}

// HandleFunc registers and records pattern.
func (t *routeTable) HandleFunc(pattern string, h func(http.ResponseWriter, *http.Request)) {
	t.Handle(pattern, http.HandlerFunc(h))
}

func (s *Server) opsRoutes(mux *routeTable) {
	mux.HandleFunc("GET /healthz", s.healthz)
	mux.HandleFunc("GET /readyz", s.readyz)
	mux.Handle("GET /metrics", s.metricsHandler())
	mux.Handle("GET /static/{path...}", s.static)
	mux.HandleFunc("GET /ws", s.websocketUpgrade)
	mux.HandleFunc("GET /ws/check", s.websocketCheck)
}

func (s *Server) publicRoutes(mux *routeTable) {
	mux.HandleFunc("GET /{$}", s.visitorCached(s.homeShow))
	mux.HandleFunc("POST /lang", s.languageSave)
	mux.HandleFunc("GET /signin", s.signinShow)
	mux.HandleFunc("POST /signin", s.signinSave)
	mux.HandleFunc("POST /signout", s.signout)
	mux.HandleFunc("GET /register", s.registerShow)
	mux.HandleFunc("POST /register", s.registerSave)
	mux.HandleFunc("GET /reset", s.resetRequestShow)
	mux.HandleFunc("POST /reset", s.resetRequestSave)
	mux.HandleFunc("GET /reset/{token}", s.resetShow)
	mux.HandleFunc("POST /reset/{token}", s.resetSave)
	mux.HandleFunc("GET /invite/{token}", s.invitationShow)
	mux.HandleFunc("POST /invite/{token}", s.invitationSave)
	mux.HandleFunc("GET /setup/{token}", s.setupShow)
	mux.HandleFunc("POST /setup/{token}", s.setupSave)
	mux.HandleFunc("GET /unsubscribe/{token}", s.unsubscribeShow)
	mux.HandleFunc("POST /unsubscribe/{token}", s.unsubscribeSave)
	mux.Handle(catchAllPattern, s.noRoute(mux.ServeMux))
}

func (s *Server) accountRoutes(mux *routeTable) {
	mux.Handle("GET /account", s.signedIn(s.accountShow))
	mux.Handle("POST /account/profile", s.signedIn(s.profileSave))
	mux.Handle("POST /account/password", s.signedIn(s.sessionOnly(s.passwordSave)))
	mux.Handle("POST /account/tokens", s.signedIn(s.sessionOnly(s.tokenCreate)))
	mux.Handle("POST /account/tokens/{id}/revoke", s.signedIn(s.tokenRevoke))
}

func (s *Server) moderationRoutes(mux *routeTable) {
	mux.Handle("GET /moderation/accounts", s.moderator(s.pendingList))
	mux.Handle("POST /moderation/accounts/{id}/approve", s.moderator(s.pendingApprove))
	mux.Handle("POST /moderation/accounts/{id}/reject", s.moderator(s.pendingReject))
	mux.Handle("GET /moderation/invitations", s.moderator(s.invitationList))
	mux.Handle("POST /moderation/invitations", s.moderator(s.invitationCreate))
	mux.Handle("POST /moderation/invitations/{id}/revoke", s.moderator(s.invitationRevoke))
	s.organisationRoutes(mux)
}

func (s *Server) adminRoutes(mux *routeTable) {
	mux.Handle("GET /admin/users", s.admin(s.userList))
	mux.Handle("POST /admin/users/{id}/role", s.admin(s.userRoleSave))
	mux.Handle("POST /admin/users/{id}/status", s.admin(s.userStatusSave))
	mux.Handle("GET /admin/audit", s.admin(s.auditList))
}
