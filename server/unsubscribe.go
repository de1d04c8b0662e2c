package server

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"ideasx/server/i18n"
	"ideasx/store"
)

// Unsubscribe links (RFC 8058) work without signing in: the token names
// the person and the kind of mail, and is signed with the site's own key
// (store.Secret, the same on every instance), so that nobody can make one
// for someone else. It does not expire: a link in an old mail still stops
// that kind of mail, which is all it can do.

const unsubscribeSecret = "unsubscribe"

// unsubscribeKey is the signing key, read once.
func (s *Server) unsubscribeKey(ctx context.Context) ([]byte, error) {
	s.unsubKeyMu.Lock()
	defer s.unsubKeyMu.Unlock()
	if s.unsubKey == nil {
		key, err := s.store.Secret(ctx, unsubscribeSecret)
		if err != nil {
			return nil, err
		}
		s.unsubKey = key
	}
	return s.unsubKey, nil
}

func unsubscribeMAC(key []byte, payload string) []byte {
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte("ideasx-unsubscribe\x00" + payload))
	return mac.Sum(nil)
}

// unsubscribeToken is "{user id}.{kind}.{signature}".
func (s *Server) unsubscribeToken(ctx context.Context, userID int64, kind string) (string, error) {
	key, err := s.unsubscribeKey(ctx)
	if err != nil {
		return "", err
	}
	payload := strconv.FormatInt(userID, 10) + "." + kind
	return payload + "." + base64.RawURLEncoding.EncodeToString(unsubscribeMAC(key, payload)), nil
}

var errBadUnsubscribe = errors.New("bad unsubscribe token")

// checkUnsubscribeToken returns the person and kind a token was made for.
func (s *Server) checkUnsubscribeToken(ctx context.Context, token string) (int64, string, error) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return 0, "", errBadUnsubscribe
	}
	userID, err := strconv.ParseInt(parts[0], 10, 64)
	if err != nil || userID <= 0 {
		return 0, "", errBadUnsubscribe
	}
	if _, ok := mailKindName[parts[1]]; !ok {
		return 0, "", errBadUnsubscribe
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		return 0, "", errBadUnsubscribe
	}
	key, err := s.unsubscribeKey(ctx)
	if err != nil {
		return 0, "", err
	}
	if !hmac.Equal(sig, unsubscribeMAC(key, parts[0]+"."+parts[1])) {
		return 0, "", errBadUnsubscribe
	}
	return userID, parts[1], nil
}

// unsubscribeLoad checks the link and finds its owner; it answers the
// request itself when that fails.
func (s *Server) unsubscribeLoad(w http.ResponseWriter, r *http.Request) (*store.User, string, bool) {
	userID, kind, err := s.checkUnsubscribeToken(r.Context(), r.PathValue("token"))
	if errors.Is(err, errBadUnsubscribe) {
		s.fail(w, r, http.StatusBadRequest, "bad_link", "error_unsubscribe_link")
		return nil, "", false
	}
	if err != nil {
		s.serverError(w, r, err)
		return nil, "", false
	}
	u, err := s.store.UserByID(r.Context(), userID)
	if errors.Is(err, store.ErrNotFound) {
		s.fail(w, r, http.StatusBadRequest, "bad_link", "error_unsubscribe_link")
		return nil, "", false
	}
	if err != nil {
		s.serverError(w, r, err)
		return nil, "", false
	}
	// The page speaks the language of the mail it came from.
	if st := state(r); currentUser(r) == nil || currentUser(r).ID == u.ID {
		st.lang = i18n.Match(r.Header.Get("Accept-Language"), u.Locale)
	}
	return u, kind, true
}

func (s *Server) unsubscribeView(w http.ResponseWriter, r *http.Request, kind string, done bool) *view {
	title := "unsubscribe_title"
	if done {
		title = "unsubscribe_done_title"
	}
	v := s.newView(w, r, title)
	v.Data = map[string]any{"Token": r.PathValue("token"), "What": v.T(mailKindName[kind]),
		"Digest": kind == store.MailDigest, "Done": done}
	return v
}

// unsubscribeShow asks before unsubscribing: a link that changed something
// on GET would be followed by mail scanners and link previews.
func (s *Server) unsubscribeShow(w http.ResponseWriter, r *http.Request) {
	_, kind, ok := s.unsubscribeLoad(w, r)
	if !ok {
		return
	}
	s.render(w, r, http.StatusOK, "unsubscribe", s.unsubscribeView(w, r, kind, false))
}

// unsubscribeSave is the button of the page and the one-click POST of mail
// clients (body "List-Unsubscribe=One-Click", which needs no reading): the
// kind goes from e-mail to the notification centre only, the digest off.
func (s *Server) unsubscribeSave(w http.ResponseWriter, r *http.Request) {
	u, kind, ok := s.unsubscribeLoad(w, r)
	if !ok {
		return
	}
	var err error
	if kind == store.MailDigest {
		err = s.store.SetDigest(r.Context(), u.ID, "off")
	} else if kind == store.MailModerationSummary {
		// The summary stops; what it gathered stays in the notification centre.
		var prefs *store.NotificationPrefs
		if prefs, err = s.store.Prefs(r.Context(), u.ID); err == nil {
			for _, k := range store.NotificationKinds {
				if err == nil && k.InModerationSummary() && prefs.Channels[k] == store.ChannelDigest {
					err = s.store.SetPref(r.Context(), u.ID, k, store.ChannelInApp)
				}
			}
		}
	} else {
		var prefs *store.NotificationPrefs
		if prefs, err = s.store.Prefs(r.Context(), u.ID); err == nil && prefs.Channels[store.NotificationKind(kind)] == store.ChannelEmail {
			err = s.store.SetPref(r.Context(), u.ID, store.NotificationKind(kind), store.ChannelInApp)
		}
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.log.InfoContext(r.Context(), "unsubscribed", "user_id", u.ID, "kind", kind)
	s.render(w, r, http.StatusOK, "unsubscribe", s.unsubscribeView(w, r, kind, true))
}
