package server

// libraryRoutes is the public area: documents, events, search and feeds,
// and the moderators' pages that curate them.
func (s *Server) libraryRoutes(mux *routeTable) {
	mux.HandleFunc("GET /documents", s.visitorCached(s.documentList))
	mux.HandleFunc("GET /documents/{ref}", s.visitorCached(s.documentShow))
	mux.HandleFunc("GET /documents/{ref}/files/{file}/{name}", s.documentFileDownload)
	mux.HandleFunc("GET /documents.atom", s.visitorCached(s.documentFeed))
	mux.HandleFunc("GET /sitemap.xml", s.visitorCached(s.sitemap))
	mux.HandleFunc("GET /search", s.visitorCached(s.searchShow))
	mux.HandleFunc("GET /events", s.visitorCached(s.eventList))
	mux.HandleFunc("GET /events/{ref}", s.visitorCached(s.eventShow))
	mux.HandleFunc("GET /events.ics", s.visitorCached(s.eventCalendar))
	mux.HandleFunc("GET /events/{ref}/calendar.ics", s.visitorCached(s.eventICS))
	mux.HandleFunc("GET /events/{ref}/programme.pdf", s.eventProgrammePDF)
	mux.HandleFunc("GET /robots.txt", s.visitorCached(s.robots))

	mux.Handle("GET /moderation/documents", s.moderator(s.documentDrafts))
	mux.Handle("GET /moderation/documents/new", s.moderator(s.documentNew))
	mux.Handle("POST /moderation/documents", s.moderator(s.documentCreate))
	mux.Handle("GET /moderation/documents/{id}", s.moderator(s.documentEdit))
	mux.Handle("POST /moderation/documents/{id}", s.moderator(s.documentUpdate))
	mux.Handle("POST /moderation/documents/{id}/status", s.moderator(s.documentStatusSave))
	mux.Handle("POST /moderation/documents/{id}/files", s.moderator(s.documentUpload))
	mux.Handle("GET /moderation/categories", s.moderator(s.categoryList))
	mux.Handle("POST /moderation/categories", s.moderator(s.categorySave))
	mux.Handle("GET /moderation/events/new", s.moderator(s.eventNew))
	mux.Handle("POST /moderation/events", s.moderator(s.eventCreate))
	mux.Handle("GET /moderation/events/{id}", s.moderator(s.eventEdit))
	mux.Handle("POST /moderation/events/{id}", s.moderator(s.eventUpdate))
	mux.Handle("GET /moderation/events/{id}/programme", s.moderator(s.eventProgrammeEdit))
	mux.Handle("POST /moderation/events/{id}/sessions", s.moderator(s.eventSessionCreate))
	mux.Handle("POST /moderation/events/{id}/sessions/{sid}", s.moderator(s.eventSessionUpdate))
	mux.Handle("POST /moderation/events/{id}/sessions/{sid}/delete", s.moderator(s.eventSessionDelete))
	mux.Handle("POST /moderation/events/{id}/links", s.moderator(s.eventLinksSave))
}
