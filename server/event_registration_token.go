package server

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strconv"
	"strings"
)

// A registration's links work without signing in, as Eventbrite's do: a
// visitor has no account, and a delegate opens the mail on a phone. Each
// names one registration and what it is for, signed with a key derived
// from the site's secret (the same on every instance), so that nobody can
// make one for another registration or turn a confirmation link into a
// check-in. They do not expire; what they allow ends with the registration.
const (
	// regTokenManage opens the registration's page: its details, the QR
	// code, the online link when it is time, and cancelling.
	regTokenManage = "m"
	// regTokenCheckIn is what the QR code carries: opened by an organiser,
	// it checks the person in.
	regTokenCheckIn = "c"
)

var errBadRegistrationToken = errors.New("bad registration token")

func (s *Server) registrationKey(ctx context.Context) ([]byte, error) {
	base, err := s.unsubscribeKey(ctx)
	if err != nil {
		return nil, err
	}
	// A key of its own, derived from the site's: an unsubscribe signature
	// never passes for a registration one.
	mac := hmac.New(sha256.New, base)
	mac.Write([]byte("ideasx-event-registration-key"))
	return mac.Sum(nil), nil
}

func registrationMAC(key []byte, payload string) []byte {
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte("ideasx-registration\x00" + payload))
	return mac.Sum(nil)
}

// registrationToken is "{purpose}{registration id}.{signature}".
func (s *Server) registrationToken(ctx context.Context, purpose string, regID int64) (string, error) {
	key, err := s.registrationKey(ctx)
	if err != nil {
		return "", err
	}
	payload := purpose + strconv.FormatInt(regID, 10)
	return payload + "." + base64.RawURLEncoding.EncodeToString(registrationMAC(key, payload)), nil
}

// checkRegistrationToken returns the registration a token of purpose was
// made for, or errBadRegistrationToken.
func (s *Server) checkRegistrationToken(ctx context.Context, purpose, token string) (int64, error) {
	payload, sigText, ok := strings.Cut(token, ".")
	if !ok || !strings.HasPrefix(payload, purpose) {
		return 0, errBadRegistrationToken
	}
	id, err := parseID(strings.TrimPrefix(payload, purpose))
	if err != nil {
		return 0, errBadRegistrationToken
	}
	sig, err := base64.RawURLEncoding.DecodeString(sigText)
	if err != nil {
		return 0, errBadRegistrationToken
	}
	key, err := s.registrationKey(ctx)
	if err != nil {
		return 0, err
	}
	if !hmac.Equal(sig, registrationMAC(key, payload)) {
		return 0, errBadRegistrationToken
	}
	return id, nil
}

// registrationLinks are the absolute links of a registration's page and check-in.
func (s *Server) registrationPageURL(ctx context.Context, regID int64) (string, error) {
	t, err := s.registrationToken(ctx, regTokenManage, regID)
	if err != nil {
		return "", err
	}
	return "/registrations/" + t, nil
}

func (s *Server) checkInURL(ctx context.Context, regID int64) (string, error) {
	t, err := s.registrationToken(ctx, regTokenCheckIn, regID)
	if err != nil {
		return "", err
	}
	return s.cfg.BaseURL + "/checkin/" + t, nil
}
