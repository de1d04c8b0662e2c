package server

import (
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"ideasx/store"
)

// maxMentionQuery bounds what follows the "@" in a look-up; a handle has
// at most 30 characters, a name or an organisation a little more.
const maxMentionQuery = 50

// apiMentionSuggestion is a person the editor offers after "@", with only
// what the thread's attribution lets the writer see.
type apiMentionSuggestion struct {
	Handle           string `json:"handle"`
	Name             string `json:"name,omitempty"`
	Organisation     string `json:"organisation,omitempty"`
	OrganisationKind string `json:"organisation_kind,omitempty"`
	// InThread: the person wrote in the thread (never said under the Chatham House rule).
	InThread bool `json:"in_thread,omitempty"`
}

// apiMentionSuggestions answers the editor's "@" (static/js/mentions.js):
// people who may read the thread, found by handle, name or organisation.
// ?thread= is the thread being answered, with the rights of reading it (an
// unknown or hidden thread is a 404); without it, a new thread whose
// writer picked ?attribution=. What is found and shown follows the
// attribution, as the thread's own bylines do: on the record, names and
// organisations, those who wrote in the thread first; in personal
// capacity, no organisations; under the Chatham House rule (for all but
// moderators, who see who wrote what) only handles the forum already shows
// the writer, matched by handle, with nobody put first for having spoken.
func (s *Server) apiMentionSuggestions(w http.ResponseWriter, r *http.Request) {
	me := currentUser(r)
	if ok, wait := s.allow(r, s.limits.mentions, strconv.FormatInt(me.ID, 10)); !ok {
		w.Header().Set("Retry-After", formatSeconds(wait))
		s.apiError(w, r, http.StatusTooManyRequests, "rate_limited", "error_mentions_rate_limited")
		return
	}
	query := r.URL.Query()
	f := &form{values: query, errors: map[string]string{}, l: s.localizer(r)}
	text := strings.TrimPrefix(strings.TrimSpace(query.Get("q")), "@")
	if utf8.RuneCountInString(text) > maxMentionQuery {
		f.fail("q", "error_mention_query")
	}
	mode := store.OnTheRecord
	var threadID int64
	if ref := query.Get("thread"); ref != "" {
		id, err := strconv.ParseInt(ref, 10, 64)
		if err != nil || id <= 0 {
			s.notFound(w, r)
			return
		}
		t, ok := s.loadThread(w, r, id)
		if !ok {
			return
		}
		threadID, mode = t.ID, t.Attribution
	} else if a := query.Get("attribution"); a != "" {
		mode = store.Attribution(f.choice("attribution", false, attributionNames()...))
	}
	if !f.ok() {
		s.apiValidation(w, r, f)
		return
	}
	hidden := mode == store.ChathamHouse && !me.IsModerator()
	found, err := s.store.SuggestMentions(r.Context(), store.MentionQuery{
		Text: text, ThreadID: threadID, WriterID: me.ID,
		HandlesOnly: hidden, WithoutOrganisation: mode == store.PersonalCapacity,
	})
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	out := make([]apiMentionSuggestion, 0, len(found))
	for _, c := range found {
		sug := apiMentionSuggestion{Handle: c.Handle}
		if !hidden {
			sug.Name, sug.InThread = c.Name, c.InThread
			if mode != store.PersonalCapacity {
				sug.Organisation, sug.OrganisationKind = c.OrgName, string(c.OrgKind)
			}
		}
		out = append(out, sug)
	}
	writeJSON(w, http.StatusOK, map[string]any{"suggestions": out})
}

func attributionNames() []string {
	out := make([]string, len(store.Attributions))
	for i, a := range store.Attributions {
		out[i] = string(a)
	}
	return out
}
