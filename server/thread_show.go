package server

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"ideasx/store"
)

const postsPerPage = 50

// loadThread finds the thread of the path; a hidden thread exists for moderators only.
func (s *Server) loadThread(w http.ResponseWriter, r *http.Request, id int64) (*store.Thread, bool) {
	t, err := s.store.ThreadByID(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && t.Hidden && !currentUser(r).IsModerator()) {
		s.notFound(w, r)
		return nil, false
	}
	if err != nil {
		s.serverError(w, r, err)
		return nil, false
	}
	return t, true
}

// threadFromPath loads the thread named by the path (its id, or its
// "{id}-{slug}" reference), answering 404 itself when there is none to show.
func (s *Server) threadFromPath(w http.ResponseWriter, r *http.Request, read func(*http.Request) (int64, bool)) (*store.Thread, bool) {
	id, ok := read(r)
	if !ok {
		s.notFound(w, r)
		return nil, false
	}
	return s.loadThread(w, r, id)
}

func (s *Server) threadShow(w http.ResponseWriter, r *http.Request) {
	id, ok := refID(r)
	if !ok {
		s.notFound(w, r)
		return
	}
	s.renderThread(w, r, id, nil, http.StatusOK)
}

// renderThread shows thread id with a page of its posts and the reply form;
// form carries a reply that came back with problems. Without a form it is
// the thread's own page, which answers 404 for a thread the reader may not
// see and sends other addresses of it to its canonical one.
func (s *Server) renderThread(w http.ResponseWriter, r *http.Request, id int64, f *form, status int) {
	me := currentUser(r)
	after, _ := strconv.ParseInt(r.URL.Query().Get("after"), 10, 64)
	access := store.AccessFor(me)
	tr, err := s.store.ReadThreadReader(r.Context(), me, id)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	snap, err := s.threadSnapshot(r.Context(), id, after, access, tr.ThreadSeq)
	if errors.Is(err, store.ErrNotFound) || (err == nil && snap.Thread.Hidden && !me.IsModerator()) {
		s.notFound(w, r)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if canonical := threadURL(snap.Thread); f == nil && r.URL.Path != canonical {
		privateRedirect(w, r, canonical, http.StatusMovedPermanently)
		return
	}
	// Read before coverage is counted, so that the reader's own delegation
	// is in it: a first read is a write, after which the snapshot is read again.
	if posts := snap.Posts; len(posts) > 0 {
		wrote := s.store.Writes()
		if err := s.store.MarkReadAfter(r.Context(), me, tr, id, posts[len(posts)-1].ID); err != nil {
			s.serverError(w, r, err)
			return
		}
		if s.store.Writes() != wrote {
			if snap, err = s.threadSnapshot(r.Context(), id, after, access, tr.ThreadSeq); err != nil {
				s.serverError(w, r, err)
				return
			}
		}
	}
	v := s.uncountedView(w, r, "")
	v.Unread, v.UserSeq = tr.Unread, tr.UserSeq
	t := snap.Thread
	v.Title = t.Title
	if f != nil {
		v.Form, v.Errors = f.values, f.errors
	} else if q := r.URL.Query().Get("quote"); q != "" {
		s.prefillQuote(r, v, t, q)
	}
	// The body is drawn for the stand-in alone: nothing of the view that
	// names the person reaches it.
	bv := &view{Localizer: v.Localizer, User: bodyReader(me, snap), Zone: v.Zone, Form: v.Form, Errors: v.Errors,
		Preview: v.Preview, Languages: v.Languages}
	key := bodyKey(bv, snap, after, tr)
	// Kept for this person's next look while nothing on it changes.
	page := pageKey(v, key)
	if sent, err := s.views.WriteKept(w, status, "thread", page); sent || err != nil {
		if err != nil {
			s.serverError(w, r, err)
		}
		return
	}
	data, err := s.threadData(r, bv, snap, after, tr)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	bv.Data = data
	if key == "" {
		// Drawn in place: kept nowhere, it need not be drawn apart.
		data["BodyView"] = bv
	} else if data["Body"], err = s.views.Part("thread", "thread-body", key, bv); err != nil {
		s.serverError(w, r, err)
		return
	}
	v.Data = data
	if err := s.views.RenderKept(w, status, "thread", page, v); err != nil {
		s.serverError(w, r, err)
	}
}

// threadData is what the thread's page shows the reader of body view bv,
// a bodyReader: all of it is drawn from the snapshot, tr and that reader,
// and for moderators from the lists their tools offer.
func (s *Server) threadData(r *http.Request, bv *view, snap *threadSnapshot, after int64, tr *store.ThreadReader) (map[string]any, error) {
	reader, t, posts := bv.User, snap.Thread, snap.Posts
	views := make([]postView, len(posts))
	for i, p := range posts {
		views[i] = s.viewPost(reader, t, p, after == 0 && i == 0)
		views[i].Marked = tr.Useful[p.ID]
	}
	markOutcomesFrom(snap.Agenda, views)
	canReply := !t.Locked || reader.IsModerator()
	canAccept := t.Kind == store.Challenge && store.CanTransition(t.Status, store.StatusAnswered, reader.ID == t.AuthorID, reader.IsModerator())
	canUnaccept := t.Kind == store.Challenge && t.Status == store.StatusAnswered && store.CanTransition(t.Status, store.StatusOpen, reader.ID == t.AuthorID, reader.IsModerator())
	data := map[string]any{"Thread": s.viewThread(reader, t, snap.Themes), "Posts": postItems(bv, t, views, canReply, canAccept, canUnaccept), "CanReply": canReply,
		"History": s.viewHistory(reader, t, snap.History, s.answererOf(reader, t, snap.Accepted)), "FlagReasons": flagReasons, "Watch": tr.Watch, "CanAccept": canAccept, "CanUnaccept": canUnaccept,
		"LiveTopic": fmt.Sprintf("thread:%d", t.ID), "LiveSeq": snap.Seq, "MaxUploadMB": s.cfg.MaxUploadMB}
	if t.Kind == store.Challenge {
		data["Coverage"] = snap.Coverage
		// Which delegations answered would tell who spoke, which the
		// attribution mode may forbid: then only the counts are shown.
		data["CoverageNames"] = t.Attribution == store.OnTheRecord || reader.IsModerator()
	}
	if reader.IsModerator() {
		active, err := s.store.Themes(r.Context(), false)
		if err != nil {
			return nil, err
		}
		data["MoveThemes"] = active
		data["Attributions"] = store.Attributions
	}
	if reader.IsModerator() && t.Kind == store.Challenge {
		access := store.AccessFor(reader)
		events, err := s.store.AllEvents(r.Context(), access)
		if err != nil {
			return nil, err
		}
		docs, _, err := s.store.ListDocuments(r.Context(), store.DocFilter{Access: access, Limit: 100})
		if err != nil {
			return nil, err
		}
		data["ReferEvents"], data["ReferDocuments"] = events, docs
		data["CanRefer"] = store.CanTransition(t.Status, store.StatusReferred, false, true)
		data["CanClose"] = store.CanTransition(t.Status, store.StatusClosed, false, true)
		data["CanReopen"] = t.Status == store.StatusClosed
	}
	threadDocuments(snap.Documents, reader, data)
	if len(posts) == postsPerPage {
		data["NextURL"] = fmt.Sprintf("%s?after=%d", threadURL(t), posts[len(posts)-1].ID)
	}
	return data, nil
}

// prefillQuote starts a reply with the quoted post's text as a Markdown quote.
func (s *Server) prefillQuote(r *http.Request, v *view, t *store.Thread, raw string) {
	id, err := parseID(raw)
	if err != nil {
		return
	}
	p, err := s.store.PostByID(r.Context(), id)
	if err != nil || p.ThreadID != t.ID || p.Removed() {
		return
	}
	lines := strings.Split(p.Body, "\n")
	for i := range lines {
		lines[i] = "> " + lines[i]
	}
	v.Form.Set("body", strings.Join(lines, "\n")+"\n\n")
	v.Form.Set("quote", raw)
}

func (s *Server) postCreate(w http.ResponseWriter, r *http.Request) {
	t, ok := s.threadFromPath(w, r, pathID)
	if !ok {
		return
	}
	f := s.parsePostForm(w, r)
	if f == nil {
		return
	}
	defer f.closeUploads()
	if wantsPreview(f) {
		f.uploadsNotKept()
		pr, err := s.withPreview(r, f)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		s.renderThread(w, pr, t.ID, f, previewStatus(f))
		return
	}
	var quote *int64
	if q := f.values.Get("quote"); q != "" {
		if qid, err := parseID(q); err == nil {
			quote = &qid
		}
	}
	c, err := s.addReply(r, t.ID, f, quote)
	switch {
	case errors.Is(err, store.ErrLocked):
		f.fail("body", "error_thread_locked")
	case errors.Is(err, store.ErrNotFound):
		f.fail("body", "error_quote_missing")
	case err != nil:
		s.serverError(w, r, err)
		return
	case c != nil:
		s.markSent(w)
		http.Redirect(w, r, postAnchor(t, &c.Post), http.StatusSeeOther)
		return
	}
	f.uploadsNotKept()
	s.renderThread(w, r, t.ID, f, http.StatusUnprocessableEntity)
}

// addReply checks a reply's text in f and saves it to thread threadID, for
// the page and the API. Problems with the text are left in f and nothing
// is saved (nil, nil); a thread closed to the author and a quoted post not
// in it come back as store.ErrLocked and store.ErrNotFound, for each
// caller to word its own way (a missing thread is store.ErrNotFound too,
// and a hidden one store.ErrLocked: a caller that has not read the thread
// reads it then).
func (s *Server) addReply(r *http.Request, threadID int64, f *form, quote *int64) (*store.CommittedPost, error) {
	np := store.NewPost{ThreadID: threadID, Author: currentUser(r), Body: f.multiline("body", maxPostLen), QuotePostID: quote}
	if np.Body == "" {
		f.fail("body", "error_required")
	}
	if !f.ok() {
		return nil, nil
	}
	var err error
	if np.HTML, np.Mentions, err = s.renderPost(r.Context(), np.Body); err != nil {
		return nil, err
	}
	var added []int64
	if np.Attachments, added, err = s.saveAttachments(r, f); err != nil || !f.ok() {
		return nil, err
	}
	c, err := s.store.Reply(r.Context(), np)
	if err != nil {
		s.discardAttachments(r, added)
	}
	if attachmentRefused(f, err) {
		return nil, nil
	}
	return c, err
}

func (s *Server) threadSwitchSave(w http.ResponseWriter, r *http.Request) {
	t, ok := s.threadFromPath(w, r, pathID)
	if !ok {
		return
	}
	f := s.parseForm(w, r)
	if f == nil {
		return
	}
	s.switchThread(w, r, t, f)
}

// switchThread pins, locks or hides a thread, or undoes it (moderators),
// for the page or the API: "switch" names the setting, "on" is "true" or "false".
func (s *Server) switchThread(w http.ResponseWriter, r *http.Request, t *store.Thread, f *form) {
	sw := f.choice("switch", true, string(store.SwitchPinned), string(store.SwitchLocked), string(store.SwitchHidden))
	on := f.choice("on", true, "true", "false") == "true"
	if !f.ok() {
		s.formProblem(w, r, f, "invalid_switch", "error_choice")
		return
	}
	if sw == string(store.SwitchHidden) && on && !t.Hidden && !s.confirmed(w, r, confirmation{Question: "confirm_thread_hide",
		Effect: "confirm_thread_hide_effect", Button: "confirm_thread_hide_button",
		Details: []confirmDetail{{f.l.T("confirm_detail_thread"), t.Title}}, Back: threadURL(t)}) {
		return
	}
	if err := s.store.SetThreadSwitch(r.Context(), currentUser(r).ID, t.ID, store.ThreadSwitch(sw), on); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.threadChanged(w, r, t, "flash_thread_updated")
}

// threadChanged ends a change to a thread: the thread as the reader now sees
// it for the API, back to it with flash for a browser.
func (s *Server) threadChanged(w http.ResponseWriter, r *http.Request, t *store.Thread, flash string) {
	if !isAPI(r) {
		s.redirectWithFlash(w, r, threadURL(t), flash)
		return
	}
	t, err := s.store.ThreadByID(r.Context(), t.ID)
	if err == nil {
		t.LastReadPostID, err = s.store.ReadPosition(r.Context(), currentUser(r).ID, t.ID)
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, s.apiThreadJSON(currentUser(r), t))
}

// historyItem is a status change with its actor as the reader may see them:
// the author under the thread's attribution mode, or the secretariat.
// Answerer, on the acceptance of the reply that is accepted now, names who
// wrote it, as the reply itself does; an acceptance since withdrawn says
// only that an answer was accepted, as which reply it was is not recorded.
type historyItem struct {
	store.StatusChange
	Actor    byline
	Answerer *byline
}

func (s *Server) viewHistory(reader *store.User, t *store.Thread, changes []store.StatusChange, answerer *byline) []historyItem {
	out := make([]historyItem, len(changes))
	// Only an acceptance sets the accepted reply and only its withdrawal
	// clears it: the last acceptance is the one of the reply accepted now.
	lastAccept := -1
	for i, c := range changes {
		if c.To == store.StatusAnswered && t.AcceptedPostID != nil {
			lastAccept = i
		}
	}
	for i, c := range changes {
		out[i].StatusChange = c
		if i == lastAccept {
			out[i].Answerer = answerer
		}
		if c.ActorID == t.AuthorID {
			out[i].Actor = attribute(reader, t.Attribution, t.AuthorID, t.AuthorName, t.OrgName, t.OrgKind)
		} else if reader.IsModerator() {
			out[i].Actor = byline{Name: c.ActorName}
		} else {
			out[i].Actor = byline{KindID: "chatham_secretariat"}
		}
	}
	return out
}
