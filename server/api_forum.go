package server

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"ideasx/store"
)

func (s *Server) forumAPIRoutes(mux *routeTable) {
	s.api(mux, "GET /api/v1/themes", s.forumMember(s.apiThemes))
	s.api(mux, "GET /api/v1/threads", s.forumMember(s.apiThreadList))
	s.api(mux, "POST /api/v1/threads", s.forumMember(s.apiThreadCreate))
	s.api(mux, "GET /api/v1/threads/{ref}", s.forumMember(s.apiThreadShow))
	s.api(mux, "POST /api/v1/threads/{ref}/posts", refAsID(s.forumMember(s.apiPostCreate)))
	s.api(mux, "POST /api/v1/preview", s.forumMember(s.apiPreview))
	s.api(mux, "GET /api/v1/mention-suggestions", s.forumMember(s.apiMentionSuggestions))
	s.api(mux, "POST /api/v1/threads/{ref}/status", refAsID(s.forumMember(s.apiThreadStatus)))
	s.api(mux, "POST /api/v1/posts/{id}/useful", s.forumMember(s.apiPostUseful))
	s.api(mux, "PUT /api/v1/threads/{ref}/read", refAsID(s.forumMember(s.apiThreadRead)))
	s.api(mux, "PUT /api/v1/threads/{ref}/watch", refAsID(s.forumMember(s.apiThreadWatch)))
	s.api(mux, "PATCH /api/v1/posts/{id}", s.forumMember(s.apiPostUpdate))
	s.api(mux, "DELETE /api/v1/posts/{id}", s.forumMember(s.postDelete))
	s.api(mux, "GET /api/v1/posts/{id}/revisions", s.forumMember(s.apiPostRevisions))
	s.api(mux, "POST /api/v1/posts/{id}/flags", s.forumMember(s.apiPostFlag))
	// Moderators.
	s.api(mux, "POST /api/v1/posts/{id}/restore", s.moderator(s.postRestore))
	s.api(mux, "POST /api/v1/posts/{id}/hide", s.moderator(s.postHide))
	s.api(mux, "GET /api/v1/flags", s.moderator(s.apiFlagQueue))
	s.api(mux, "POST /api/v1/flags/{id}", s.moderator(s.apiFlagResolve))
	s.api(mux, "POST /api/v1/threads/{ref}/switch", refAsID(s.moderator(s.apiThreadSwitch)))
	s.api(mux, "POST /api/v1/threads/{ref}/move", refAsID(s.moderator(s.apiThreadMove)))
	s.api(mux, "POST /api/v1/threads/{ref}/attribution", refAsID(s.moderator(s.apiThreadAttribution)))
}

// apiAuthor is who wrote something, as the reader may see it: under the
// Chatham House rule only the kind of organisation.
type apiAuthor struct {
	Name             string `json:"name,omitempty"`
	Organisation     string `json:"organisation,omitempty"`
	OrganisationKind string `json:"organisation_kind"`
	// HiddenFromOthers: the caller sees a name that other members do not.
	HiddenFromOthers bool `json:"hidden_from_others,omitempty"`
	// Handle leads to the person's page (/forum/people/{handle}), given with a post's author where the page links the name.
	Handle string `json:"handle,omitempty"`
}

func authorJSON(b byline, kind store.OrgKind) apiAuthor {
	return apiAuthor{Name: b.Name, Organisation: b.Organisation, OrganisationKind: string(kind), HiddenFromOthers: b.Withheld, Handle: b.Handle}
}

type apiThread struct {
	ID             int64                 `json:"id"`
	ThemeID        int64                 `json:"theme_id"`
	Kind           store.ThreadKind      `json:"kind"`
	Title          string                `json:"title"`
	Attribution    store.Attribution     `json:"attribution"`
	Status         store.ChallengeStatus `json:"status,omitempty"`
	Pinned         bool                  `json:"pinned"`
	Locked         bool                  `json:"locked"`
	Replies        int                   `json:"replies"`
	Readers        int64                 `json:"readers"`
	Unread         bool                  `json:"unread"`
	LastReadPostID int64                 `json:"last_read_post_id"`
	AcceptedPostID *int64                `json:"accepted_post_id,omitempty"`
	Author         apiAuthor             `json:"author"`
	Tags           []string              `json:"tags"`
	CreatedAt      time.Time             `json:"created_at"`
	LastPostAt     time.Time             `json:"last_post_at"`
	URL            string                `json:"url"`
}

// apiPost is a post as the JSON API (and the live updates) give it.
type apiPost struct {
	ID          int64      `json:"id"`
	ThreadID    int64      `json:"thread_id"`
	Author      *apiAuthor `json:"author,omitempty"`
	Body        string     `json:"body,omitempty"`
	HTML        string     `json:"html,omitempty"`
	QuotePostID *int64     `json:"quote_post_id,omitempty"`
	Useful      int        `json:"useful"`
	Removed     bool       `json:"removed"`
	CreatedAt   time.Time  `json:"created_at"`
	EditedAt    *time.Time `json:"edited_at,omitempty"`
	// Attachments are the post's files; none for a removed post shown to a member.
	Attachments []apiAttachment `json:"attachments"`
	// Outcome is set when the post is a meeting's outcome (issue 16).
	Outcome *apiPostOutcome `json:"outcome,omitempty"`
}

// apiPostOutcome says which meeting and agenda item a post is the outcome of.
type apiPostOutcome struct {
	EventID      int64 `json:"event_id"`
	AgendaItemID int64 `json:"agenda_item_id"`
}

func (s *Server) apiThreadJSON(reader *store.User, t *store.Thread) apiThread {
	b := attribute(reader, t.Attribution, t.AuthorID, t.AuthorName, t.OrgName, t.OrgKind)
	tags := t.Tags
	if tags == nil {
		tags = []string{}
	}
	return apiThread{ID: t.ID, ThemeID: t.ThemeID, Kind: t.Kind, Title: t.Title, Attribution: t.Attribution, Status: t.Status,
		Pinned: t.Pinned, Locked: t.Locked, Replies: t.PostCount - 1, Readers: t.ViewCount, Unread: t.Unread(), LastReadPostID: t.LastReadPostID, AcceptedPostID: t.AcceptedPostID,
		Author: authorJSON(b, t.OrgKind), Tags: tags, CreatedAt: t.CreatedAt, LastPostAt: t.LastPostAt, URL: s.cfg.BaseURL + threadURL(t)}
}

func apiPostJSON(v postView) apiPost {
	out := apiPost{ID: v.ID, ThreadID: v.ThreadID, QuotePostID: v.QuotePostID, Useful: v.Useful, Removed: v.Removed(), CreatedAt: v.CreatedAt, EditedAt: v.EditedAt}
	out.Attachments = apiAttachmentsJSON(v.Attachments)
	if v.Outcome != nil {
		out.Outcome = &apiPostOutcome{EventID: v.Outcome.EventID, AgendaItemID: v.Outcome.ItemID}
	}
	if v.Visible {
		a := authorJSON(v.Author, v.OrgKind)
		out.Author, out.Body, out.HTML = &a, v.Body, v.HTML
	}
	return out
}

// apiThemes lists the themes threads may go in; ?archived=include adds, for
// moderators, the archived ones, as /moderation/themes shows them, so that
// a program can find a theme it archived and bring it back.
func (s *Server) apiThemes(w http.ResponseWriter, r *http.Request) {
	withArchived := currentUser(r).IsModerator() && r.URL.Query().Get("archived") == "include"
	themes, err := s.store.Themes(r.Context(), withArchived)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"themes": nonNil(themes)})
}

func (s *Server) apiThreadList(w http.ResponseWriter, r *http.Request) {
	me := currentUser(r)
	q := r.URL.Query()
	f := store.ThreadFilter{Limit: threadsPerPage, WithHidden: me.IsModerator(), ReaderID: me.ID, After: parseCursor(q.Get("after"))}
	f.ThemeID, _ = strconv.ParseInt(q.Get("theme_id"), 10, 64)
	applyList(&f, q.Get("list"), me)
	threads, err := s.store.ListThreads(r.Context(), f)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	out := make([]apiThread, len(threads))
	for i := range threads {
		out[i] = s.apiThreadJSON(me, &threads[i])
	}
	body := map[string]any{"threads": out}
	if len(threads) == threadsPerPage {
		last := threads[len(threads)-1]
		body["next"] = formatCursor(last.LastPostAt, last.ID)
	}
	writeJSON(w, http.StatusOK, body)
}

func (s *Server) apiThreadShow(w http.ResponseWriter, r *http.Request) {
	t, ok := s.threadFromPath(w, r, refID)
	if !ok {
		return
	}
	me := currentUser(r)
	after, _ := strconv.ParseInt(r.URL.Query().Get("after"), 10, 64)
	posts, err := s.store.Posts(r.Context(), t.ID, after, postsPerPage)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	// Showing a thread through the API does not move the read position
	// (a client may fetch ahead); PUT …/read does.
	if t.LastReadPostID, err = s.store.ReadPosition(r.Context(), me.ID, t.ID); err != nil {
		s.serverError(w, r, err)
		return
	}
	watch, err := s.store.WatchLevel(r.Context(), me.ID, "thread", t.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	views := make([]postView, len(posts))
	for i, p := range posts {
		views[i] = s.viewPost(me, t, p, after == 0 && i == 0)
	}
	if err := s.markOutcomes(r, t, views); err != nil {
		s.serverError(w, r, err)
		return
	}
	out := make([]apiPost, len(views))
	for i := range views {
		out[i] = apiPostJSON(views[i])
	}
	writeJSON(w, http.StatusOK, map[string]any{"thread": s.apiThreadJSON(me, t), "posts": out, "watch": watch})
}

type apiThreadInput struct {
	ThemeID     int64    `json:"theme_id"`
	Kind        string   `json:"kind"`
	Title       string   `json:"title"`
	Body        string   `json:"body"`
	Attribution string   `json:"attribution"`
	Tags        []string `json:"tags"`
	// Attachments are ids from POST /api/v1/attachments.
	Attachments []int64 `json:"attachments"`
}

// apiThreadCreate takes JSON and goes through the web form's checks.
func (s *Server) apiThreadCreate(w http.ResponseWriter, r *http.Request) {
	var in apiThreadInput
	if !s.decodeJSON(w, r, &in) {
		return
	}
	f := s.apiForm(r, map[string]string{"theme": strconv.FormatInt(in.ThemeID, 10), "kind": in.Kind, "title": in.Title,
		"body": in.Body, "attribution": in.Attribution, "tags": strings.Join(in.Tags, ",")}).as(threadProperties)
	f.setIDs("attachments", in.Attachments)
	th, err := s.createThread(r, f)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if th != nil {
		writeJSON(w, http.StatusCreated, s.apiThreadJSON(currentUser(r), th))
		return
	}
	s.apiValidation(w, r, f)
}

type apiPostInput struct {
	Body        string  `json:"body"`
	QuotePostID int64   `json:"quote_post_id"`
	Attachments []int64 `json:"attachments"`
}

// apiPostCreate reads the thread only when no reply is written: a reply
// written has shown its thread there and open to its author, and brings
// back what its view needs of it (a read less per reply). A refusal, or a
// body not fit to send, is answered as if the thread had been read first:
// 404 for a thread the author may not see, whatever else is wrong.
func (s *Server) apiPostCreate(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		s.notFound(w, r)
		return
	}
	refuse := func(answer func()) {
		if _, ok := s.loadThread(w, r, id); ok {
			answer()
		}
	}
	var in apiPostInput
	if err := readJSON(w, r, &in); err != nil {
		refuse(func() { s.apiError(w, r, http.StatusBadRequest, "bad_json", "error_bad_json") })
		return
	}
	f := s.apiForm(r, map[string]string{"body": in.Body})
	f.setIDs("attachments", in.Attachments)
	var quote *int64
	if in.QuotePostID != 0 {
		quote = &in.QuotePostID
	}
	c, err := s.addReply(r, id, f, quote)
	switch {
	case errors.Is(err, store.ErrLocked):
		refuse(func() { s.apiError(w, r, http.StatusConflict, "locked", "error_thread_locked") })
		return
	case errors.Is(err, store.ErrNotFound):
		f.fail("quote_post_id", "error_quote_missing")
	case err != nil:
		s.serverError(w, r, err)
		return
	case c != nil:
		t := &store.Thread{ID: id, Attribution: c.Attribution, Hidden: c.ThreadHidden}
		writeJSON(w, http.StatusCreated, apiPostJSON(s.viewPost(currentUser(r), t, c.Post, false)))
		return
	}
	refuse(func() { s.apiValidation(w, r, f) })
}

func (s *Server) apiPostUseful(w http.ResponseWriter, r *http.Request) {
	p, _, ok := s.loadPost(w, r)
	if !ok {
		return
	}
	set, err := s.store.ToggleUseful(r.Context(), currentUser(r), p.ID)
	if errors.Is(err, store.ErrNotFound) {
		s.notFound(w, r)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"post_id": p.ID, "useful": set})
}
