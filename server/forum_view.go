package server

import (
	"fmt"

	"ideasx/store"
)

func threadURL(t *store.Thread) string {
	return fmt.Sprintf("/forum/threads/%d-%s", t.ID, slug(t.Title))
}

// byline is who a reader is told wrote something, per the thread's
// attribution mode (SPEC §3). Under Chatham House rules other readers get
// only the kind of organisation; moderators, and authors reading their own
// words, still see the name, marked as hidden from others.
type byline struct {
	Name         string
	Organisation string
	// KindID is the translation id of "a business", "a delegation", … when the name is withheld.
	KindID string
	// Withheld is set when the reader sees a name that others do not.
	Withheld bool
	// Handle, when set, links the name to the person's page (see linkAuthor).
	Handle string
}

func attribute(reader *store.User, mode store.Attribution, authorID int64, name, org string, kind store.OrgKind) byline {
	privileged := reader.IsModerator() || reader.ID == authorID
	switch mode {
	case store.PersonalCapacity:
		return byline{Name: name}
	case store.ChathamHouse:
		if privileged {
			return byline{Name: name, Organisation: org, Withheld: true}
		}
		return byline{KindID: "chatham_" + string(kind)}
	default:
		return byline{Name: name, Organisation: org}
	}
}

// linkAuthor links a post's author to their page where the reader may
// learn all it shows (name, organisation): on the record, and for those
// who see the names under the Chatham House rule. In personal capacity the
// name stays unlinked, since the page would name the organisation the
// thread leaves out.
func linkAuthor(b byline, mode store.Attribution, handle string) byline {
	if b.Name != "" && (mode == store.OnTheRecord || b.Withheld) {
		b.Handle = handle
	}
	return b
}

// threadView is a thread as one reader may see it.
type threadView struct {
	*store.Thread
	URL    string
	Author byline
	Theme  *store.Theme
}

// postView is a post as one reader may see it.
type postView struct {
	store.Post
	Author byline
	// Visible is false for a deleted or hidden post shown to a non-moderator.
	Visible bool
	Opening bool
	// CanChange: the reader may edit or delete it. Marked: the reader found it useful.
	CanChange, Marked bool
	// Outcome is set when the post is a meeting's outcome (issue 16).
	Outcome *outcomeLabel
}

func (s *Server) viewThread(reader *store.User, t *store.Thread, themes map[int64]*store.Theme) threadView {
	return threadView{Thread: t, URL: threadURL(t), Theme: themes[t.ThemeID],
		Author: attribute(reader, t.Attribution, t.AuthorID, t.AuthorName, t.OrgName, t.OrgKind)}
}

func (s *Server) viewPost(reader *store.User, t *store.Thread, p store.Post, opening bool) postView {
	v := postView{Post: p, Opening: opening, Visible: !p.Removed() || reader.IsModerator(), CanChange: mayChange(reader, &p),
		Author: attribute(reader, t.Attribution, p.AuthorID, p.AuthorName, p.OrgName, p.OrgKind)}
	v.Author = linkAuthor(v.Author, t.Attribution, p.AuthorHandle)
	if !v.Visible {
		// Nothing of a removed post reaches a member: not its text, not its author.
		v.Body, v.HTML, v.Author, v.Attachments = "", "", byline{}, nil
	}
	return v
}
