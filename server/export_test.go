package server

// Routes lists every registered pattern of every area ("GET /forum",
// "POST /api/v1/posts/{id}/hide", "/"), in the order they were registered.
func (s *Server) Routes() []string { return s.patterns }
