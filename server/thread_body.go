package server

import (
	"ideasx/server/views"
	"ideasx/store"
)

// A thread's page is drawn in two parts: its body (the thread, its history
// and coverage, a page of posts and the moderation tools) and what only
// one person may see (the layout's header, the reply form, whose draft is
// theirs, and what the live script says about them). The body was most
// of the time a page took, and it is the same for every reader who stands
// in the same place: it is drawn for a stand-in (bodyReader) and kept
// under a key that names the stand-in and all else it is drawn from.

// bodyReader is who a thread's body is drawn for in me's place: an account
// with me's role and status, so with me's rights and library access, and
// with no name, organisation or id, unless me wrote the thread, a post on
// the page or the accepted reply, where the page shows their own posts as
// theirs. Any other use of me in drawing the body sees a stranger: a
// reader gets less than their due, never another's.
func bodyReader(me *store.User, snap *threadSnapshot) *store.User {
	kind := &store.User{Role: me.Role, Status: me.Status}
	involved := snap.Thread.AuthorID == me.ID || (snap.Accepted != nil && snap.Accepted.AuthorID == me.ID)
	for i := range snap.Posts {
		involved = involved || snap.Posts[i].AuthorID == me.ID
	}
	if involved {
		kind.ID = me.ID
	}
	return kind
}

// bodyKey names everything a thread's body is drawn from in body view bv,
// whose reader is a bodyReader: the snapshot, the page's place, what the
// reader's own reading adds (watching, useful marks) and their language
// and zone. It is empty, and the body drawn every time, for a moderator,
// whose tools list what is read on each view, and for a page that carries
// a reply sent back or a quote (in the form).
func bodyKey(bv *view, snap *threadSnapshot, after int64, tr *store.ThreadReader) string {
	reader := bv.User
	if reader.IsModerator() || len(bv.Errors) > 0 || bv.Preview != nil || len(bv.Form) > 0 {
		return ""
	}
	var marked []int64
	for _, p := range snap.Posts {
		if tr.Useful[p.ID] {
			marked = append(marked, p.ID)
		}
	}
	key, ok := views.Key(snap.id, reader, bv.Lang(), bv.Zone.String(), after, tr.Watch, marked)
	if !ok {
		return ""
	}
	return key
}

// pageKey names everything a thread's whole page is drawn from, once its
// body is keyed by body: the view as it stands for this person (who they
// are, their unread count, the address, the flash message), the language
// and zone. What the reply form and the live settings take from the
// page's data comes from the snapshot and the reader's kind, which body
// names. Empty, and the page drawn every time, when the body is.
func pageKey(v *view, body string) string {
	if body == "" {
		return ""
	}
	k := *v
	// Named below or, for the data, by body; the maps are empty, or body
	// would be.
	k.Localizer, k.Zone, k.Data, k.Errors, k.Form = nil, nil, nil, nil, nil
	key, ok := views.Key(k, v.Lang(), v.Zone.String(), body)
	if !ok {
		return ""
	}
	return key
}
