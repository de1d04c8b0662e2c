package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
)

// Post is a message in a thread, with its author's name and organisation joined in.
type Post struct {
	ID             int64      `db:"id"`
	ThreadID       int64      `db:"thread_id"`
	AuthorID       int64      `db:"author_id"`
	OrganisationID int64      `db:"organisation_id"`
	Body           string     `db:"body"`
	HTML           string     `db:"html"`
	QuotePostID    *int64     `db:"quote_post_id"`
	CreatedAt      time.Time  `db:"created_at"`
	EditedAt       *time.Time `db:"edited_at"`
	DeletedAt      *time.Time `db:"deleted_at"`
	HiddenAt       *time.Time `db:"hidden_at"`
	AuthorName     string     `db:"author_name"`
	AuthorHandle   string     `db:"author_handle"`
	OrgName        string     `db:"org_name"`
	OrgKind        OrgKind    `db:"org_kind"`
	Useful         int        `db:"useful"`
	// Attachments are the files the post has now, in their order.
	Attachments []Attachment `db:"-"`
}

// Removed reports whether the post is deleted or hidden: its content is
// then for moderators only.
func (p *Post) Removed() bool { return p.DeletedAt != nil || p.HiddenAt != nil }

const postSelect = `SELECT p.id, p.thread_id, p.author_id, p.organisation_id, p.body, p.html, p.quote_post_id, p.created_at,
	p.edited_at, p.deleted_at, p.hidden_at, u.name AS author_name, u.handle AS author_handle, o.name AS org_name, o.kind AS org_kind,
	(SELECT count(*) FROM reactions r WHERE r.post_id = p.id AND r.kind = 'useful') AS useful
	FROM posts p JOIN users u ON u.id = p.author_id JOIN organisations o ON o.id = p.organisation_id`

// postReturning gives back a post as postSelect reads it, from the INSERT
// that writes it: no second round trip to read it back.
const postReturning = ` RETURNING id, thread_id, author_id, organisation_id, body, html, quote_post_id, created_at,
	edited_at, deleted_at, hidden_at,
	(SELECT u.name FROM users u WHERE u.id = posts.author_id) AS author_name,
	(SELECT u.handle FROM users u WHERE u.id = posts.author_id) AS author_handle,
	(SELECT o.name FROM organisations o WHERE o.id = posts.organisation_id) AS org_name,
	(SELECT o.kind FROM organisations o WHERE o.id = posts.organisation_id) AS org_kind,
	0 AS useful`

// NewPost is a reply; HTML is the rendered Body; Mentions are the people it names.
type NewPost struct {
	ThreadID    int64
	Author      *User
	Body, HTML  string
	QuotePostID *int64
	Mentions    []int64
	// Attachments are ids of the author's uploads for the post to take.
	Attachments []int64
	// openingTitle is the thread's title when the post opens it: its
	// search entry carries the title too.
	openingTitle string
}

// CreatePost adds a reply. A locked thread takes replies from moderators
// only (ErrLocked for others); a quoted post must be in the same thread.
// The reply comes back from its INSERT, inside the transaction: once the commit is
// confirmed nothing can fail, so an error always means it was not saved
// (a read after the commit, with the database gone in between, made a
// saved reply look failed, and its author send it twice).
func (s *Store) CreatePost(ctx context.Context, np NewPost) (*Post, error) {
	c, err := s.Reply(ctx, np)
	if err != nil {
		return nil, err
	}
	return &c.Post, nil
}

// Reply is CreatePost that also gives back what a view of the post needs
// of its thread, as committed: a caller that has not read the thread
// (the API) need not read it after.
func (s *Store) Reply(ctx context.Context, np NewPost) (*CommittedPost, error) {
	return s.dialect.createPost(ctx, s, np)
}

// createPostInTx is Reply as a transaction of several statements.
func (s *Store) createPostInTx(ctx context.Context, np NewPost) (*CommittedPost, error) {
	var c CommittedPost
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		// Before the INSERT, whose foreign key would fail on a missing post.
		if err := s.checkQuote(ctx, tx, np); err != nil {
			return err
		}
		_, err := s.addPost(ctx, tx, np, &c, true)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &c, nil
}

// checkQuote refuses a reply that quotes a post not in its thread (ErrNotFound).
func (s *Store) checkQuote(ctx context.Context, q querier, np NewPost) error {
	if np.QuotePostID == nil {
		return nil
	}
	var n int
	if err := s.get(ctx, q, &n, `SELECT count(*) FROM posts WHERE id = ? AND thread_id = ?`, *np.QuotePostID, np.ThreadID); err != nil {
		return fmt.Errorf("create post: %w", err)
	}
	if n == 0 {
		return fmt.Errorf("create post: quoted post: %w", ErrNotFound)
	}
	return nil
}

// notOpen says why a post's INSERT from an open thread inserted nothing:
// the thread is missing (ErrNotFound) or closed to the author (ErrLocked).
func (s *Store) notOpen(ctx context.Context, q querier, threadID int64) error {
	var one int
	if err := s.get(ctx, q, &one, `SELECT 1 FROM threads WHERE id = ?`, threadID); err != nil {
		return fmt.Errorf("add post: %w", err)
	}
	return ErrLocked
}

// addPost inserts a post, moves the thread's counters and makes the author
// watch the thread; the caller holds the transaction. A locked or hidden
// thread takes posts from moderators only (ErrLocked), which the INSERT
// itself checks. With into, it gives back the new post as saved, with its
// files and what its views need of the thread. With announce, the
// thread's theme and the forum hear that it moved.
func (s *Store) addPost(ctx context.Context, tx *sqlx.Tx, np NewPost, into *CommittedPost, announce bool) (int64, error) {
	now := s.now()
	// Indexed from what is being written, not read back: one round trip
	// less; on Postgres, where the words are the row's own columns, in the
	// row as it is inserted, not by a second write of it.
	title := ""
	if np.openingTitle != "" {
		title = FoldSearch(np.openingTitle)
	}
	body := FoldSearch(np.Body)
	inRow := s.dialect.searchInRow()
	var p Post
	var err error
	open := `FROM threads t WHERE t.id = ? AND (? OR NOT (t.locked OR t.hidden))`
	if inRow {
		err = s.get(ctx, tx, &p, `INSERT INTO posts (thread_id, author_id, organisation_id, body, html, quote_post_id, created_at, search_title, search_body)
			SELECT t.id, ?, ?, ?, ?, ?, ?, ?, ? `+open+postReturning,
			np.Author.ID, np.Author.OrganisationID, np.Body, np.HTML, np.QuotePostID, now, title, body, np.ThreadID, np.Author.IsModerator())
	} else {
		err = s.get(ctx, tx, &p, `INSERT INTO posts (thread_id, author_id, organisation_id, body, html, quote_post_id, created_at)
			SELECT t.id, ?, ?, ?, ?, ?, ? `+open+postReturning,
			np.Author.ID, np.Author.OrganisationID, np.Body, np.HTML, np.QuotePostID, now, np.ThreadID, np.Author.IsModerator())
	}
	if errors.Is(err, ErrNotFound) {
		return 0, s.notOpen(ctx, tx, np.ThreadID)
	}
	if err != nil {
		return 0, fmt.Errorf("add post: %w", err)
	}
	s.wrote()
	id := p.ID
	if _, err := s.exec(ctx, tx, `INSERT INTO watches (user_id, target_type, target_id, level, created_at) VALUES (?, 'thread', ?, 'watch', ?)
		ON CONFLICT (user_id, target_type, target_id) DO NOTHING`, np.Author.ID, np.ThreadID, now); err != nil {
		return 0, fmt.Errorf("add post: watch: %w", err)
	}
	if !inRow {
		if err := s.dialect.indexPost(ctx, tx, id, title, body); err != nil {
			return 0, err
		}
	}
	if err := s.recordMentions(ctx, tx, id, np.Mentions); err != nil {
		return 0, err
	}
	if len(np.Attachments) > 0 {
		if err := s.setPostAttachments(ctx, tx, id, np.Author.ID, np.Attachments); err != nil {
			return 0, err
		}
	}
	told, err := s.notifyPost(ctx, tx, np.Author.ID, np.ThreadID, id)
	if err != nil {
		return 0, err
	}
	if into != nil {
		into.Post = p
		if len(np.Attachments) > 0 {
			if err := s.loadPostAttachments(ctx, tx, &into.Post); err != nil {
				return 0, err
			}
		}
	}
	// The thread's row and its topics' counters are what every reply to
	// the thread waits for: they are taken last, so that they are held for
	// the few statements before the commit and no longer.
	// What readers' views need of the thread comes back with the row,
	// locked now until the commit: as committed.
	var t struct {
		ThemeID     int64       `db:"theme_id"`
		Attribution Attribution `db:"attribution"`
		Hidden      bool        `db:"hidden"`
	}
	if err := s.get(ctx, tx, &t, `UPDATE threads SET post_count = post_count + 1, last_post_id = ?, last_post_at = ?, updated_at = ? WHERE id = ?
		RETURNING theme_id, attribution, hidden`, id, now, now, np.ThreadID); err != nil {
		return 0, fmt.Errorf("add post: %w", err)
	}
	s.wrote()
	created := topicEvent{Topic: fmt.Sprintf("thread:%d", np.ThreadID), Type: "post.created",
		Payload: map[string]any{"post_id": id, "thread_id": np.ThreadID}}
	if into != nil {
		into.Attribution, into.ThreadHidden = t.Attribution, t.Hidden
		committed := *into
		created.post = &committed
	}
	evs := []topicEvent{created}
	if announce {
		payload := map[string]any{"thread_id": np.ThreadID, "theme_id": t.ThemeID}
		evs = append(evs, topicEvent{Topic: fmt.Sprintf("theme:%d", t.ThemeID), Type: "thread.updated", Payload: payload},
			topicEvent{Topic: "forum", Type: "thread.updated", Payload: payload})
	}
	// Those notified are numbered with the thread, in one batch.
	if err := s.emitAll(ctx, tx, append(evs, told...)); err != nil {
		return 0, err
	}
	return id, nil
}

// PostByID loads one post.
func (s *Store) PostByID(ctx context.Context, id int64) (*Post, error) {
	var p Post
	if err := s.get(ctx, s.db, &p, postSelect+` WHERE p.id = ?`, id); err != nil {
		return nil, fmt.Errorf("post: %w", err)
	}
	if err := s.loadPostAttachments(ctx, s.db, &p); err != nil {
		return nil, err
	}
	return &p, nil
}

// Posts returns a thread's posts after afterID, oldest first.
func (s *Store) Posts(ctx context.Context, threadID, afterID int64, limit int) ([]Post, error) {
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	var out []Post
	if err := s.selectAll(ctx, s.db, &out, postSelect+` WHERE p.thread_id = ? AND p.id > ? ORDER BY p.id LIMIT ?`, threadID, afterID, limit); err != nil {
		return nil, fmt.Errorf("posts: %w", err)
	}
	ptrs := make([]*Post, len(out))
	for i := range out {
		ptrs[i] = &out[i]
	}
	if err := s.loadPostAttachments(ctx, s.db, ptrs...); err != nil {
		return nil, err
	}
	return out, nil
}

// recordMentions keeps who a post names, for notifications.
func (s *Store) recordMentions(ctx context.Context, tx *sqlx.Tx, postID int64, userIDs []int64) error {
	for _, u := range userIDs {
		if _, err := s.exec(ctx, tx, `INSERT INTO post_mentions (post_id, user_id) VALUES (?, ?) ON CONFLICT (post_id, user_id) DO NOTHING`, postID, u); err != nil {
			return fmt.Errorf("mention: %w", err)
		}
	}
	return nil
}

// PostMentions lists who a post names.
func (s *Store) PostMentions(ctx context.Context, postID int64) ([]int64, error) {
	var ids []int64
	if err := s.selectAll(ctx, s.db, &ids, `SELECT user_id FROM post_mentions WHERE post_id = ? ORDER BY user_id`, postID); err != nil {
		return nil, fmt.Errorf("post mentions: %w", err)
	}
	return ids, nil
}

// EditPost replaces a post's text, keeping the previous text as a revision;
// people it newly names are added to its mentions.
func (s *Store) EditPost(ctx context.Context, postID int64, editor *User, body, html string, mentions ...int64) error {
	return s.EditPostWith(ctx, PostEdit{PostID: postID, Editor: editor, Body: body, HTML: html, Mentions: mentions})
}

// PostEdit is a new text for a post, and with Attachments (when not nil)
// its new list of files: the ones to keep and the editor's new uploads.
type PostEdit struct {
	PostID      int64
	Editor      *User
	Body, HTML  string
	Mentions    []int64
	Attachments *[]int64
}

// EditPostWith saves a PostEdit, keeping the previous text and files as a
// revision; ErrAttachmentUnavailable (and nothing saved) when a file may
// not be taken.
func (s *Store) EditPostWith(ctx context.Context, e PostEdit) error {
	postID, editor, body, html, mentions := e.PostID, e.Editor, e.Body, e.HTML, e.Mentions
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		var p Post
		if err := s.get(ctx, tx, &p, postSelect+` WHERE p.id = ?`, postID); err != nil {
			return fmt.Errorf("edit post: %w", err)
		}
		now := s.now()
		revID, err := s.insert(ctx, tx, `INSERT INTO post_revisions (post_id, body, editor_id, created_at) VALUES (?, ?, ?, ?)`,
			postID, p.Body, editor.ID, now)
		if err != nil {
			return fmt.Errorf("edit post: %w", err)
		}
		if err := s.keepRevisionAttachments(ctx, tx, postID, revID); err != nil {
			return err
		}
		if e.Attachments != nil {
			if err := s.setPostAttachments(ctx, tx, postID, editor.ID, *e.Attachments); err != nil {
				return err
			}
		}
		if _, err := s.exec(ctx, tx, `UPDATE posts SET body = ?, html = ?, edited_at = ? WHERE id = ?`, body, html, now, postID); err != nil {
			return fmt.Errorf("edit post: %w", err)
		}
		if err := s.indexPostText(ctx, tx, postID); err != nil {
			return err
		}
		if err := s.recordMentions(ctx, tx, postID, mentions); err != nil {
			return err
		}
		// Only those named for the first time hear of it: an edit does not
		// notify again whoever was already mentioned.
		if err := s.notifyUsers(ctx, tx, NotifyMention, ptr(p.AuthorID), ptr(p.ThreadID), ptr(postID), nil,
			`SELECT user_id FROM post_mentions WHERE post_id = ? AND user_id NOT IN
				(SELECT user_id FROM notifications WHERE post_id = ? AND kind = 'mention')`, postID, postID); err != nil {
			return err
		}
		if editor.ID != p.AuthorID {
			before, after := map[string]any{"body": p.Body}, map[string]any{"body": body}
			// A moderator's change to someone's files is recorded as their ids.
			if e.Attachments != nil {
				var had []int64
				if err := s.selectAll(ctx, tx, &had, `SELECT attachment_id FROM post_revision_attachments WHERE revision_id = ? ORDER BY position`, revID); err != nil {
					return fmt.Errorf("edit post: %w", err)
				}
				before["attachments"], after["attachments"] = had, *e.Attachments
			}
			if err := s.audit(ctx, tx, AuditEntry{ActorID: editor.ID, Action: "post.edit", TargetType: "post", TargetID: postID,
				Before: before, After: after}); err != nil {
				return err
			}
		}
		return s.emit(ctx, tx, fmt.Sprintf("thread:%d", p.ThreadID), "post.updated", map[string]any{"post_id": postID, "thread_id": p.ThreadID})
	})
}

// PostRevision is an earlier text of a post.
type PostRevision struct {
	ID   int64  `db:"id"`
	Body string `db:"body"`
	// EditorID is who replaced this text (0 when the account is gone), with
	// their name and organisation, to be attributed like an author.
	EditorID      int64     `db:"editor_id"`
	EditorName    string    `db:"editor_name"`
	EditorOrg     string    `db:"editor_org"`
	EditorOrgKind OrgKind   `db:"editor_org_kind"`
	CreatedAt     time.Time `db:"created_at"`
	// Attachments are the files the post had with this text.
	Attachments []Attachment `db:"-"`
}

// PostRevisions lists a post's earlier texts, newest first.
func (s *Store) PostRevisions(ctx context.Context, postID int64) ([]PostRevision, error) {
	var out []PostRevision
	if err := s.selectAll(ctx, s.db, &out, `SELECT r.id, r.body, COALESCE(r.editor_id, 0) AS editor_id, COALESCE(u.name, '') AS editor_name,
		COALESCE(o.name, '') AS editor_org, COALESCE(o.kind, '') AS editor_org_kind, r.created_at
		FROM post_revisions r LEFT JOIN users u ON u.id = r.editor_id LEFT JOIN organisations o ON o.id = u.organisation_id
		WHERE r.post_id = ? ORDER BY r.id DESC`, postID); err != nil {
		return nil, fmt.Errorf("post revisions: %w", err)
	}
	if err := s.loadRevisionAttachments(ctx, out); err != nil {
		return nil, err
	}
	return out, nil
}

// SetPostDeleted soft-deletes a post (deleted true) or restores it.
func (s *Store) SetPostDeleted(ctx context.Context, postID int64, actor *User, deleted bool) error {
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		var threadID int64
		if err := s.get(ctx, tx, &threadID, `SELECT thread_id FROM posts WHERE id = ?`, postID); err != nil {
			return fmt.Errorf("delete post: %w", err)
		}
		var at, by any
		typ, action := "post.updated", "post.restore"
		if deleted {
			at, by, typ, action = s.now(), actor.ID, "post.deleted", "post.delete"
		}
		if _, err := s.exec(ctx, tx, `UPDATE posts SET deleted_at = ?, deleted_by = ? WHERE id = ?`, at, by, postID); err != nil {
			return fmt.Errorf("delete post: %w", err)
		}
		if actor.IsModerator() {
			if err := s.audit(ctx, tx, AuditEntry{ActorID: actor.ID, Action: action, TargetType: "post", TargetID: postID,
				Before: map[string]any{"deleted": !deleted}, After: map[string]any{"deleted": deleted}}); err != nil {
				return err
			}
		}
		return s.emit(ctx, tx, fmt.Sprintf("thread:%d", threadID), typ, map[string]any{"post_id": postID, "thread_id": threadID})
	})
}
