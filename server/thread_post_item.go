package server

import (
	"time"

	"ideasx/server/i18n"
	"ideasx/server/views"
	"ideasx/store"
)

// postItem is one post of a thread's page as the "post" template draws it:
// the post as the reader may see it, and the facts of the page and of the
// reader that change its markup. The page renders it through the fragment
// cache, keyed by all of it, so that fifty posts are not drawn again for
// every reader of a busy thread.
type postItem struct {
	*i18n.Localizer // named in the key by its language
	Zone            *time.Location
	P               *postView // a pointer, for the methods of store.Post
	ThreadID        int64
	FlagReasons     []string
	// Mine: the reader wrote it. Moderator: the reader is one.
	Accepted, CanReply, CanAccept, CanUnaccept, Moderator, Mine bool
}

// FragmentKey digests every field, whatever is added later, but the
// localizer and the zone, which it names.
func (it postItem) FragmentKey() (string, bool) {
	k := it
	k.Localizer, k.Zone = nil, nil
	return views.Key(it.Lang(), it.Zone.String(), k)
}

// postItems places a page of posts in its thread for reader v.
func postItems(v *view, t *store.Thread, posts []postView, canReply, canAccept, canUnaccept bool) []postItem {
	items := make([]postItem, len(posts))
	for i := range posts {
		p := &posts[i]
		items[i] = postItem{Localizer: v.Localizer, Zone: v.Zone, P: p, ThreadID: t.ID, FlagReasons: flagReasons,
			Accepted: t.AcceptedPostID != nil && *t.AcceptedPostID == p.ID, CanReply: canReply, CanAccept: canAccept,
			CanUnaccept: canUnaccept, Moderator: v.User.IsModerator(), Mine: p.AuthorID == v.User.ID}
	}
	return items
}
