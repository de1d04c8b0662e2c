package server

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"ideasx/server/markdown"
	"ideasx/store"
)

// threadCurate drafts a public document from a thread: its title, its
// opening post and accepted answer, each attributed as the thread's mode
// allows the public to read. People named in it are asked to consent;
// under the Chatham House rule nobody is named, so nobody is asked.
func (s *Server) threadCurate(w http.ResponseWriter, r *http.Request) {
	t, ok := s.threadFromPath(w, r, pathID)
	if !ok {
		return
	}
	posts, err := s.store.Posts(r.Context(), t.ID, 0, 1)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	quotedPosts := posts
	if t.AcceptedPostID != nil {
		accepted, err := s.store.PostByID(r.Context(), *t.AcceptedPostID)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		quotedPosts = append(quotedPosts, *accepted)
	}
	l := s.tr.For(s.lang(r))
	var b strings.Builder
	var quoted []int64
	seen := map[int64]bool{}
	for i, p := range quotedPosts {
		if p.Removed() {
			continue
		}
		who := publicAttribution(l.T, t.Attribution, p)
		label := l.T("curation_challenge_from", "Who", who)
		if i > 0 {
			label = l.T("curation_answer_from", "Who", who)
		}
		fmt.Fprintf(&b, "**%s**\n\n%s\n\n", label, quoteMarkdown(markdown.Excerpt(p.Body, 1500)))
		if t.Attribution != store.ChathamHouse && !seen[p.AuthorID] {
			seen[p.AuthorID] = true
			quoted = append(quoted, p.AuthorID)
		}
	}
	d, err := s.store.CurateThread(r.Context(), currentUser(r).ID, t.ID, t.Title, strings.TrimSpace(b.String()), quoted)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.redirectWithFlash(w, r, "/moderation/documents/"+itoa64(d.ID), "flash_curated")
}

// publicAttribution is how a post's author may be named to the public.
func publicAttribution(t func(string, ...any) string, mode store.Attribution, p store.Post) string {
	switch mode {
	case store.OnTheRecord:
		return p.AuthorName + " (" + p.OrgName + ")"
	case store.PersonalCapacity:
		return p.AuthorName
	default:
		return t("chatham_" + string(p.OrgKind))
	}
}

func quoteMarkdown(text string) string {
	lines := strings.Split(text, "\n")
	for i := range lines {
		lines[i] = "> " + lines[i]
	}
	return strings.Join(lines, "\n")
}

func (s *Server) consentList(w http.ResponseWriter, r *http.Request) {
	reqs, err := s.store.ConsentRequests(r.Context(), currentUser(r).ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	v := s.newView(w, r, "consents_title")
	v.Data = map[string]any{"Requests": reqs}
	s.render(w, r, http.StatusOK, "consents", v)
}

func (s *Server) consentSave(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		s.notFound(w, r)
		return
	}
	f := s.parseForm(w, r)
	if f == nil {
		return
	}
	answer := f.choice("answer", true, store.ConsentGranted, store.ConsentDeclined)
	if !f.ok() {
		s.fail(w, r, http.StatusUnprocessableEntity, "invalid_answer", "error_choice")
		return
	}
	err := s.store.AnswerConsent(r.Context(), currentUser(r).ID, id, answer == store.ConsentGranted)
	if errors.Is(err, store.ErrNotFound) {
		s.notFound(w, r)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.redirectWithFlash(w, r, "/account/consents", "flash_consent_saved")
}
