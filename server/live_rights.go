package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/sync/errgroup"

	"ideasx/server/live"
	"ideasx/store"
)

// liveRights tells the hub who may follow what and builds what each
// reader sees of an event, with the same rules as the pages and the API.
type liveRights struct{ s *Server }

func (lr liveRights) CanSubscribe(ctx context.Context, u *store.User, t live.Topic) error {
	switch t.Kind {
	case live.TopicDocuments:
		return nil
	case live.TopicUser:
		if u.ID != 0 && u.ID == t.ID {
			return nil
		}
		return live.ErrForbidden
	case live.TopicEvent:
		// Whoever may read the meeting's page may follow it: its events
		// carry no content (see renderEventChange).
		_, err := lr.s.store.EventByID(ctx, t.ID, store.AccessFor(u))
		if errors.Is(err, store.ErrNotFound) {
			return live.ErrForbidden
		}
		return err
	}
	if !u.CanReadForum() {
		return live.ErrForbidden
	}
	switch t.Kind {
	case live.TopicThread:
		th, err := lr.s.store.ThreadByID(ctx, t.ID)
		if errors.Is(err, store.ErrNotFound) || (err == nil && th.Hidden && !u.IsModerator()) {
			return live.ErrForbidden
		}
		return err
	case live.TopicTheme:
		_, err := lr.s.store.ThemeByID(ctx, t.ID)
		if errors.Is(err, store.ErrNotFound) {
			return live.ErrForbidden
		}
		return err
	}
	return nil // forum
}

// audienceView holds an event encoded once per kind of reader: moderators,
// the author of what it is about, and every other member. The attribution
// rules give no more than these three different answers.
type audienceView struct {
	moderator, author, member *live.Frame
	authorID                  int64
	// modsOnly: hidden content, for moderators alone.
	modsOnly bool
	// owner: a user topic, for that person alone; kind, the kind of
	// notification it speaks of, if any, which the owner must still be
	// allowed to see (a demoted moderator hears no more of flags).
	owner int64
	kind  store.NotificationKind
}

func (v *audienceView) For(u *store.User) *live.Frame {
	switch {
	case u == nil:
		return nil
	case v.owner != 0:
		if u.ID == v.owner && u.Active() && (v.kind == "" || u.MaySeeNotification(v.kind)) {
			return v.member
		}
		return nil
	case !u.CanReadForum():
		return nil
	case u.IsModerator():
		return v.moderator
	case v.modsOnly:
		return nil
	case u.ID == v.authorID && v.author != nil:
		return v.author
	}
	return v.member
}

// forumAudiences encodes an event's data once per kind of forum reader:
// moderators, the author of what it is about (none when authorID is 0) and
// every other member — the attribution rules give no more answers. data
// builds what a stand-in reader of each kind may see; hidden keeps the
// event for moderators.
func forumAudiences(typ, topic string, seq, authorID int64, hidden bool, data func(reader *store.User) any) (*audienceView, error) {
	v := &audienceView{authorID: authorID, modsOnly: hidden}
	type kind struct {
		reader *store.User
		frame  **live.Frame
	}
	kinds := []kind{
		{&store.User{ID: -1, Role: store.RoleModerator, Status: store.StatusActive}, &v.moderator},
		{&store.User{ID: -2, Role: store.RoleMember, Status: store.StatusActive}, &v.member},
	}
	if authorID != 0 {
		kinds = append(kinds, kind{&store.User{ID: authorID, Role: store.RoleMember, Status: store.StatusActive}, &v.author})
	}
	for _, k := range kinds {
		f, err := live.NewEventFrame(typ, topic, seq, data(k.reader))
		if err != nil {
			return nil, err
		}
		*k.frame = f
	}
	return v, nil
}

func (lr liveRights) Render(ctx context.Context, ev store.LiveEvent) (live.View, error) {
	var ids struct {
		PostID     int64 `json:"post_id"`
		ThreadID   int64 `json:"thread_id"`
		DocumentID int64 `json:"document_id"`
		// Outcome marks a post that is a meeting's outcome (issue 16).
		Outcome bool `json:"outcome"`
	}
	if err := json.Unmarshal([]byte(ev.Payload), &ids); err != nil {
		return nil, fmt.Errorf("event %d payload: %w", ev.ID, err)
	}
	switch {
	case strings.HasPrefix(ev.Type, "post."):
		return lr.renderPost(ctx, ev, ids.ThreadID, ids.PostID, ids.Outcome)
	case strings.HasPrefix(ev.Type, "thread."):
		return lr.renderThread(ctx, ev, ids.ThreadID)
	case strings.HasPrefix(ev.Type, "document."):
		return lr.renderDocument(ctx, ev, ids.DocumentID)
	case ev.Type == store.EventChanged:
		return renderEventChange(ev)
	case strings.HasPrefix(ev.Topic, live.TopicUser+":"):
		t, err := live.ParseTopic(ev.Topic)
		if err != nil {
			return nil, err
		}
		var note struct {
			Kind store.NotificationKind `json:"kind"`
		}
		_ = json.Unmarshal([]byte(ev.Payload), &note)
		f, err := live.NewEventFrame(ev.Type, ev.Topic, ev.Seq, json.RawMessage(ev.Payload))
		return &audienceView{member: f, owner: t.ID, kind: note.Kind}, err
	}
	// A kind of event this version does not know: nobody gets it.
	return &audienceView{modsOnly: true}, nil
}

func (lr liveRights) renderPost(ctx context.Context, ev store.LiveEvent, threadID, postID int64, outcome bool) (live.View, error) {
	if c := ev.Post; c != nil && c.Post.ID == postID && !outcome {
		// As committed, under the thread's lock: nothing to read. Of the
		// thread, a post's view needs its attribution only.
		t := &store.Thread{ID: threadID, Attribution: c.Attribution, Hidden: c.ThreadHidden}
		return forumAudiences(ev.Type, ev.Topic, ev.Seq, c.Post.AuthorID, c.ThreadHidden, func(reader *store.User) any {
			return apiPostJSON(lr.s.viewPost(reader, t, c.Post, false))
		})
	}
	// Read side by side: every reader of the thread waits for both, and each
	// is two round trips to the database.
	var t *store.Thread
	var p *store.Post
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() (err error) { t, err = lr.s.store.ThreadByID(gctx, threadID); return err })
	g.Go(func() (err error) { p, err = lr.s.store.PostByID(gctx, postID); return err })
	if err := g.Wait(); err != nil {
		return nil, err
	}
	// The page shows an outcome in its own way: the mark (as in the API's
	// post) tells it to fetch the entry as rendered. Only forum readers get
	// post events, and they see every agenda item of the thread.
	var label *outcomeLabel
	if outcome {
		it, err := lr.s.store.OutcomeItem(ctx, postID)
		if err != nil {
			return nil, err
		}
		label = outcomeOf(it)
	}
	return forumAudiences(ev.Type, ev.Topic, ev.Seq, p.AuthorID, t.Hidden, func(reader *store.User) any {
		v := lr.s.viewPost(reader, t, *p, false)
		v.Outcome = label
		return apiPostJSON(v)
	})
}

func (lr liveRights) renderThread(ctx context.Context, ev store.LiveEvent, threadID int64) (live.View, error) {
	t, err := lr.s.store.ThreadByID(ctx, threadID)
	if err != nil {
		return nil, err
	}
	return forumAudiences(ev.Type, ev.Topic, ev.Seq, t.AuthorID, t.Hidden, func(reader *store.User) any {
		return lr.s.apiThreadJSON(reader, t)
	})
}

// RenderPresence names a thread's viewers as its attribution mode allows:
// under the Chatham House rule only moderators learn who is there.
func (lr liveRights) RenderPresence(ctx context.Context, t live.Topic, viewers []live.Viewer) (live.View, error) {
	return lr.renderPeople(ctx, t, "presence", func(name func(live.Viewer) apiAuthor) any {
		list := make([]apiAuthor, len(viewers))
		for i, v := range viewers {
			list[i] = name(v)
		}
		return map[string]any{"viewers": list, "count": len(viewers)}
	})
}

// RenderTyping says who types, named as in RenderPresence.
func (lr liveRights) RenderTyping(ctx context.Context, t live.Topic, who live.Viewer) (live.View, error) {
	return lr.renderPeople(ctx, t, "typing", func(name func(live.Viewer) apiAuthor) any {
		return map[string]any{"author": name(who)}
	})
}

func (lr liveRights) renderPeople(ctx context.Context, t live.Topic, typ string, data func(func(live.Viewer) apiAuthor) any) (live.View, error) {
	th, err := lr.s.store.ThreadByID(ctx, t.ID)
	if err != nil {
		return nil, err
	}
	return forumAudiences(typ, t.String(), 0, 0, th.Hidden, func(reader *store.User) any {
		return data(func(p live.Viewer) apiAuthor {
			kind := store.OrgKind(p.OrgKind)
			return authorJSON(attribute(reader, th.Attribution, p.UserID, p.Name, p.Org, kind), kind)
		})
	})
}

func (lr liveRights) Viewer(u *store.User) live.Viewer {
	return live.Viewer{UserID: u.ID, Name: u.Name, Org: u.OrgName, OrgKind: string(u.OrgKind)}
}

// libraryView is a document as the three kinds of library reader see it:
// nil for a kind that may not see it (a draft, a members-only document).
type libraryView struct{ public, members, curator *live.Frame }

func (v *libraryView) For(u *store.User) *live.Frame {
	switch {
	case u.IsModerator():
		return v.curator
	case u.CanReadForum():
		return v.members
	}
	return v.public
}

func (lr liveRights) renderDocument(ctx context.Context, ev store.LiveEvent, id int64) (live.View, error) {
	v := &libraryView{}
	for _, out := range []struct {
		access store.Access
		frame  **live.Frame
	}{{store.Access{}, &v.public}, {store.Access{Members: true}, &v.members}, {store.Access{Members: true, Curator: true}, &v.curator}} {
		d, err := lr.s.store.DocumentByID(ctx, id, out.access)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if *out.frame, err = live.NewEventFrame(ev.Type, ev.Topic, ev.Seq, lr.s.apiDoc(*d)); err != nil {
			return nil, err
		}
	}
	return v, nil
}

// renderEventChange is a meeting's "changed" signal, the same for every
// subscriber (the subscription checked that they may read the meeting).
// It says which part changed and nothing of it: an agenda item only
// members may see must not reach a visitor, not even its id, so each page
// fetches the part again with its reader's own rights.
func renderEventChange(ev store.LiveEvent) (live.View, error) {
	var p struct {
		EventID int64  `json:"event_id"`
		Part    string `json:"part"`
	}
	if err := json.Unmarshal([]byte(ev.Payload), &p); err != nil {
		return nil, fmt.Errorf("event %d payload: %w", ev.ID, err)
	}
	f, err := live.NewEventFrame(ev.Type, ev.Topic, ev.Seq, p)
	if err != nil {
		return nil, err
	}
	return &libraryView{public: f, members: f, curator: f}, nil
}
