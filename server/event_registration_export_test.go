package server

import (
	"context"
	"strings"
)

// CheckInPathForTest is the path of the check-in link a registration's QR
// code carries, as a phone scanning it would open it.
func (s *Server) CheckInPathForTest(ctx context.Context, regID int64) string {
	u, err := s.checkInURL(ctx, regID)
	if err != nil {
		panic(err)
	}
	return strings.TrimPrefix(u, s.cfg.BaseURL)
}

// RegistrationPathForTest is the path of a registration's own page, as its
// confirmation mail links it.
func (s *Server) RegistrationPathForTest(ctx context.Context, regID int64) string {
	p, err := s.registrationPageURL(ctx, regID)
	if err != nil {
		panic(err)
	}
	return p
}
