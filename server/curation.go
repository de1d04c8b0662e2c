package server

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strings"

	"ideasx/server/i18n"
	"ideasx/server/markdown"
	"ideasx/store"
)

// threadCurate drafts a public document from a thread: its title, and the
// Markdown source of its opening post and accepted answer as block quotes
// (headings, lists, tables and links kept), each attributed as the thread's
// mode allows the public to read. People named in it are asked to consent;
// under the Chatham House rule nobody is named, so nobody is asked. A
// thread that already has a draft is not drafted twice: the moderator is
// taken to that draft.
func (s *Server) threadCurate(w http.ResponseWriter, r *http.Request) {
	t, ok := s.threadFromPath(w, r, pathID)
	if !ok {
		return
	}
	d, existing, err := s.draftFromThread(r, t)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	flash := "flash_curated"
	if existing {
		flash = "flash_curation_exists"
	}
	s.redirectWithFlash(w, r, "/moderation/documents/"+itoa64(d.ID), flash)
}

// draftFromThread writes the draft of thread t and asks the people it names,
// for the page and the API alike; existing is set when t had a draft already.
func (s *Server) draftFromThread(r *http.Request, t *store.Thread) (d *store.Document, existing bool, err error) {
	posts, err := s.store.Posts(r.Context(), t.ID, 0, 1)
	if err != nil {
		return nil, false, err
	}
	quotedPosts := posts
	if t.AcceptedPostID != nil && (len(posts) == 0 || posts[0].ID != *t.AcceptedPostID) {
		accepted, err := s.store.PostByID(r.Context(), *t.AcceptedPostID)
		if err != nil {
			return nil, false, err
		}
		quotedPosts = append(quotedPosts, *accepted)
	}
	l := s.localizer(r)
	var b strings.Builder
	var quoted []store.QuotedPerson
	seen := map[int64]bool{}
	for i, p := range quotedPosts {
		if p.Removed() {
			continue
		}
		who := publicAttribution(l, t.Attribution, p)
		label := l.T("curation_challenge_from", "Who", who)
		if i > 0 {
			label = l.T("curation_answer_from", "Who", who)
		}
		body, err := s.withoutMentions(r, l, s.withoutPrivateLinks(l, p.Body))
		if err != nil {
			return nil, false, err
		}
		fmt.Fprintf(&b, "**%s**\n\n%s\n\n", label, quoteMarkdown(body))
		if t.Attribution != store.ChathamHouse && !seen[p.AuthorID] {
			seen[p.AuthorID] = true
			quoted = append(quoted, store.QuotedPerson{UserID: p.AuthorID, NamedAs: who, AnonymousAs: l.T("anon_" + string(p.OrgKind))})
		}
	}
	return s.store.CurateThread(r.Context(), currentUser(r).ID, t.ID, t.Title, strings.TrimSpace(b.String()), quoted)
}

// publicAttribution is how a post's author may be named to the public,
// within a sentence ("as a business put it").
func publicAttribution(l *i18n.Localizer, mode store.Attribution, p store.Post) string {
	switch mode {
	case store.OnTheRecord:
		return p.AuthorName + " (" + p.OrgName + ")"
	case store.PersonalCapacity:
		return p.AuthorName
	default:
		return l.T("anon_" + string(p.OrgKind))
	}
}

func quoteMarkdown(text string) string {
	lines := strings.Split(strings.TrimSpace(strings.ReplaceAll(text, "\r\n", "\n")), "\n")
	for i := range lines {
		lines[i] = strings.TrimRight("> "+lines[i], " ")
	}
	return strings.Join(lines, "\n")
}

// withoutMentions replaces each @handle of a quoted post that names an
// account with "a participant": the people a post mentions were not asked
// to be named in public, and under the Chatham House rule a handle would
// name them. Longer handles go first, so that one is never cut inside another.
func (s *Server) withoutMentions(r *http.Request, l *i18n.Localizer, body string) (string, error) {
	users, err := s.store.UsersByHandles(r.Context(), markdown.Mentions(body))
	if err != nil {
		return "", err
	}
	handles := make([]string, 0, len(users))
	for h := range users {
		handles = append(handles, h)
	}
	sort.Slice(handles, func(i, j int) bool { return len(handles[i]) > len(handles[j]) })
	for _, h := range handles {
		re := regexp.MustCompile(`(?i)@` + regexp.QuoteMeta(h) + `\b`)
		body = re.ReplaceAllLiteralString(body, l.T("curation_participant"))
	}
	return body, nil
}

// privateArea are the paths that only signed-in people may open: a public
// document must not link there.
var privateArea = regexp.MustCompile(`^/(forum|account|moderation|admin|notifications|api)(/|$|\?|#)`)

// mdLink is an inline Markdown link or image: [text](url "title").
var mdLink = regexp.MustCompile(`(!?)\[([^\]\n]*)\]\(\s*<?([^)\s>]*)>?(?:\s+"[^"\n]*")?\s*\)`)

// bareURL is a URL written out, which Linkify makes a link.
var bareURL = regexp.MustCompile(`(?:https?://|/)[^\s<>()\[\]]+`)

// withoutPrivateLinks keeps, of each link of a post to a members-only page
// of the site (a thread, an upload, an account page), only its text; an
// image there becomes its description and an address written out a note
// that a members-only link was left out.
func (s *Server) withoutPrivateLinks(l *i18n.Localizer, body string) string {
	body = mdLink.ReplaceAllStringFunc(body, func(m string) string {
		sub := mdLink.FindStringSubmatch(m)
		if !s.isPrivateURL(sub[3]) {
			return m
		}
		return sub[2]
	})
	return bareURL.ReplaceAllStringFunc(body, func(m string) string {
		if !strings.HasPrefix(m, "http") || !s.isPrivateURL(strings.TrimRight(m, ".,;:!?")) {
			return m
		}
		return "(" + l.T("curation_link_removed") + ")"
	})
}

func (s *Server) isPrivateURL(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil {
		return false
	}
	if u.Host != "" {
		base, err := url.Parse(s.cfg.BaseURL)
		if err != nil || !strings.EqualFold(u.Host, base.Host) {
			return false
		}
	} else if u.Scheme != "" {
		return false
	}
	return privateArea.MatchString(u.Path)
}

// waitingFor says who a draft still waits for ("waiting for 2 of 3
// people: Ana Ruiz (not answered), Bo Li (refused)"), or "" when nobody.
func waitingFor(l *i18n.Localizer, cs []store.Consent) string {
	var names []string
	for _, c := range cs {
		if c.Status != store.ConsentGranted {
			names = append(names, l.T("curation_waiting_person", "Name", c.Name, "State", l.T("consent_"+c.Status)))
		}
	}
	if len(names) == 0 {
		return ""
	}
	return l.T("curation_waiting_for", "Count", len(cs), "Waiting", len(names), "Names", strings.Join(names, ", "))
}

// publishBlocked answers a publication that consents forbid: the API with
// 409 and the reason, a browser with a page that says who is awaited and
// leads back to the draft.
func (s *Server) publishBlocked(w http.ResponseWriter, r *http.Request, docID int64) {
	l := s.localizer(r)
	cs, err := s.store.DocumentConsents(r.Context(), docID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	reason := waitingFor(l, cs)
	if reason == "" {
		reason = l.T("error_consent_missing")
	}
	if isAPI(r) {
		var body apiErrorBody
		body.Error.Code = "consent_missing"
		body.Error.Message = l.T("curation_publish_blocked_api", "Reason", reason)
		writeJSON(w, http.StatusConflict, body)
		return
	}
	v := s.newView(w, r, "curation_publish_blocked_title")
	v.Data = map[string]any{"Reason": reason, "DocURL": "/moderation/documents/" + itoa64(docID)}
	s.render(w, r, http.StatusConflict, "publish_blocked", v)
}

// threadDocuments adds to a thread's page what became of it, from the
// documents drawn from it: the public ones for every member, and for
// moderators the draft that waits, which they open instead of drafting a
// second one.
func threadDocuments(docs []store.Document, me *store.User, data map[string]any) {
	var public []store.Document
	for _, d := range docs {
		switch {
		case d.Status == store.Published && d.Visibility == store.Public:
			public = append(public, d)
		case d.Status == store.Draft && me.IsModerator() && data["CurationDraft"] == nil:
			data["CurationDraft"] = d
		}
	}
	data["PublicDocuments"] = public
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

// consentLoad finds the request of the path made to the signed-in person
// and its document; anyone else learns nothing of the draft (404).
func (s *Server) consentLoad(w http.ResponseWriter, r *http.Request) (*store.Consent, *store.Document, bool) {
	id, ok := pathID(r)
	if !ok {
		s.notFound(w, r)
		return nil, nil, false
	}
	c, err := s.store.ConsentRequest(r.Context(), currentUser(r).ID, id)
	if errors.Is(err, store.ErrNotFound) {
		s.notFound(w, r)
		return nil, nil, false
	}
	if err != nil {
		s.serverError(w, r, err)
		return nil, nil, false
	}
	// The person was asked, so they may read the draft a moderator wrote.
	d, err := s.store.DocumentByID(r.Context(), id, store.Access{Members: true, Curator: true})
	if err != nil {
		s.serverError(w, r, err)
		return nil, nil, false
	}
	return c, d, true
}

// consentShow is the draft as it would be published, the asked person's
// passages marked, with their answer.
func (s *Server) consentShow(w http.ResponseWriter, r *http.Request) {
	c, d, ok := s.consentLoad(w, r)
	if !ok {
		return
	}
	s.renderConsent(w, r, http.StatusOK, c, d, nil)
}

func (s *Server) renderConsent(w http.ResponseWriter, r *http.Request, status int, c *store.Consent, d *store.Document, f *form) {
	all, err := s.store.DocumentConsents(r.Context(), d.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	v := s.newView(w, r, "consent_page_title")
	if f != nil {
		v.Form, v.Errors = f.values, f.errors
	} else {
		v.Form.Set("answer", c.Answer())
		v.Form.Set("note", c.Note)
	}
	shownAs := c.NamedAs
	if c.Anonymous {
		shownAs = c.AnonymousAs
	}
	v.Data = map[string]any{"Consent": c, "Document": d, "Preview": consentPreview(d.Summary, all, c.UserID),
		"ShownAs": shownAs, "Answers": []string{store.ConsentGranted, store.ConsentAnonymous, store.ConsentDeclined}}
	s.render(w, r, status, "consent", v)
}

func (s *Server) consentSave(w http.ResponseWriter, r *http.Request) {
	c, d, ok := s.consentLoad(w, r)
	if !ok {
		return
	}
	f := s.parseForm(w, r)
	if f == nil {
		return
	}
	answer := f.choice("answer", true, store.ConsentGranted, store.ConsentAnonymous, store.ConsentDeclined)
	note := f.multiline("note", 2000)
	if d.Status != store.Draft {
		f.fail("answer", "error_consent_closed")
	}
	if !f.ok() {
		s.renderConsent(w, r, http.StatusUnprocessableEntity, c, d, f)
		return
	}
	err := s.store.AnswerConsent(r.Context(), currentUser(r).ID, d.ID, answer, note)
	if errors.Is(err, store.ErrNotFound) {
		s.notFound(w, r)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.redirectWithFlash(w, r, "/account/consents/"+itoa64(d.ID), "flash_consent_saved")
}
