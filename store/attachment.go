package store

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/jmoiron/sqlx"
)

// Attachment is a file attached to a forum post, or uploaded and waiting
// for a post of its uploader to take it. Who may read it is decided by the
// server from the post it is on (see AttachmentPlaces).
type Attachment struct {
	ID          int64  `db:"id" json:"id"`
	UploaderID  int64  `db:"uploader_id" json:"-"`
	Filename    string `db:"filename" json:"filename"`
	ContentType string `db:"content_type" json:"content_type"`
	Size        int64  `db:"size" json:"size"`
	SHA256      string `db:"sha256" json:"sha256"`
	// Width and Height are an image's size in pixels (0 for other files).
	Width  int `db:"width" json:"width,omitempty"`
	Height int `db:"height" json:"height,omitempty"`
	// PreviewType is the media type of the resized preview, empty when the
	// file has none (it is not an image): it is then listed, not shown.
	PreviewType   string    `db:"preview_type" json:"-"`
	PreviewWidth  int       `db:"preview_width" json:"-"`
	PreviewHeight int       `db:"preview_height" json:"-"`
	CreatedAt     time.Time `db:"created_at" json:"created_at"`
	// OwnerID is the post (or revision) it was loaded for.
	OwnerID int64 `db:"owner_id" json:"-"`
}

// IsImage reports whether the attachment is shown inline, by its preview.
func (a *Attachment) IsImage() bool { return a.PreviewType != "" }

const attachmentColumns = `a.id, a.uploader_id, a.filename, a.content_type, a.size, a.sha256, a.width, a.height,
	a.preview_type, a.preview_width, a.preview_height, a.created_at`

// ErrAttachmentUnavailable means a post was given an attachment it may not
// take: unknown, uploaded by someone else, or already on another post.
var ErrAttachmentUnavailable = errors.New("attachment unavailable")

// NewAttachment describes an upload whose content comes from a reader; an
// image comes with its size and a preview the caller made.
type NewAttachment struct {
	UploaderID    int64
	Filename      string
	ContentType   string
	MaxSize       int64
	Width, Height int
	Preview       []byte
	PreviewType   string
	PreviewWidth  int
	PreviewHeight int
}

// AddAttachment stores an upload, attached to nothing yet, in one
// transaction: a failure or a file over MaxSize leaves nothing behind.
func (s *Store) AddAttachment(ctx context.Context, na NewAttachment, r io.Reader) (*Attachment, error) {
	a := Attachment{UploaderID: na.UploaderID, Filename: na.Filename, ContentType: na.ContentType, Width: na.Width, Height: na.Height,
		PreviewType: na.PreviewType, PreviewWidth: na.PreviewWidth, PreviewHeight: na.PreviewHeight, CreatedAt: s.now()}
	var preview any
	if na.PreviewType != "" {
		preview = na.Preview
	}
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		id, err := s.insert(ctx, tx, `INSERT INTO attachments (uploader_id, filename, content_type, size, sha256, width, height,
			preview, preview_type, preview_width, preview_height, created_at) VALUES (?, ?, ?, 0, '', ?, ?, ?, ?, ?, ?, ?)`,
			a.UploaderID, a.Filename, a.ContentType, a.Width, a.Height, preview, a.PreviewType, a.PreviewWidth, a.PreviewHeight, a.CreatedAt)
		if err != nil {
			return fmt.Errorf("add attachment: %w", err)
		}
		a.ID = id
		if a.Size, a.SHA256, err = s.writeChunks(ctx, tx, `INSERT INTO attachment_chunks (attachment_id, seq, data) VALUES (?, ?, ?)`, id, r, na.MaxSize); err != nil {
			return err
		}
		if _, err := s.exec(ctx, tx, `UPDATE attachments SET size = ?, sha256 = ? WHERE id = ?`, a.Size, a.SHA256, id); err != nil {
			return fmt.Errorf("add attachment: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &a, nil
}

// AttachmentByID loads one attachment's description.
func (s *Store) AttachmentByID(ctx context.Context, id int64) (*Attachment, error) {
	var a Attachment
	if err := s.get(ctx, s.db, &a, `SELECT `+attachmentColumns+`, 0 AS owner_id FROM attachments a WHERE a.id = ?`, id); err != nil {
		return nil, fmt.Errorf("attachment: %w", err)
	}
	return &a, nil
}

// AttachmentPreview returns the bytes of an image's resized preview.
func (s *Store) AttachmentPreview(ctx context.Context, id int64) ([]byte, error) {
	var b []byte
	if err := s.get(ctx, s.db, &b, `SELECT preview FROM attachments WHERE id = ? AND preview IS NOT NULL`, id); err != nil {
		return nil, fmt.Errorf("attachment preview: %w", err)
	}
	return b, nil
}

// OpenAttachment returns a seekable reader over an attachment's content.
func (s *Store) OpenAttachment(ctx context.Context, a *Attachment) *FileReader {
	return &FileReader{ctx: ctx, s: s, id: a.ID, size: a.Size,
		query: `SELECT data FROM attachment_chunks WHERE attachment_id = ? AND seq = ?`}
}

// AttachmentPlaces says where an attachment is: the post that has it now
// (0 when none) and the posts whose earlier revisions had it. An attachment
// in neither is still waiting for its uploader's post.
func (s *Store) AttachmentPlaces(ctx context.Context, id int64) (current int64, earlier []int64, err error) {
	var now []int64
	if err := s.selectAll(ctx, s.db, &now, `SELECT post_id FROM post_attachments WHERE attachment_id = ?`, id); err != nil {
		return 0, nil, fmt.Errorf("attachment places: %w", err)
	}
	if len(now) > 0 {
		current = now[0]
	}
	if err := s.selectAll(ctx, s.db, &earlier, `SELECT DISTINCT r.post_id FROM post_revision_attachments ra
		JOIN post_revisions r ON r.id = ra.revision_id WHERE ra.attachment_id = ? ORDER BY r.post_id`, id); err != nil {
		return 0, nil, fmt.Errorf("attachment places: %w", err)
	}
	return current, earlier, nil
}

// loadPostAttachments fills the attachments of posts, in their order.
func (s *Store) loadPostAttachments(ctx context.Context, q querier, posts ...*Post) error {
	if len(posts) == 0 {
		return nil
	}
	ids := make([]int64, len(posts))
	for i := range posts {
		ids[i] = posts[i].ID
	}
	byOwner, err := s.attachmentsOf(ctx, q, `SELECT `+attachmentColumns+`, pa.post_id AS owner_id FROM post_attachments pa
		JOIN attachments a ON a.id = pa.attachment_id WHERE pa.post_id IN (?) ORDER BY pa.post_id, pa.position`, ids)
	if err != nil {
		return fmt.Errorf("post attachments: %w", err)
	}
	for i := range posts {
		posts[i].Attachments = byOwner[posts[i].ID]
	}
	return nil
}

// loadRevisionAttachments fills the attachments each revision had.
func (s *Store) loadRevisionAttachments(ctx context.Context, revs []PostRevision) error {
	if len(revs) == 0 {
		return nil
	}
	ids := make([]int64, len(revs))
	for i := range revs {
		ids[i] = revs[i].ID
	}
	byOwner, err := s.attachmentsOf(ctx, s.db, `SELECT `+attachmentColumns+`, ra.revision_id AS owner_id FROM post_revision_attachments ra
		JOIN attachments a ON a.id = ra.attachment_id WHERE ra.revision_id IN (?) ORDER BY ra.revision_id, ra.position`, ids)
	if err != nil {
		return fmt.Errorf("revision attachments: %w", err)
	}
	for i := range revs {
		revs[i].Attachments = byOwner[revs[i].ID]
	}
	return nil
}

func (s *Store) attachmentsOf(ctx context.Context, q querier, query string, ids []int64) (map[int64][]Attachment, error) {
	out := map[int64][]Attachment{}
	for start := 0; start < len(ids); start += inListChunk {
		qs, args, err := sqlx.In(query, ids[start:min(start+inListChunk, len(ids))])
		if err != nil {
			return nil, err
		}
		var rows []Attachment
		if err := s.selectAll(ctx, q, &rows, qs, args...); err != nil {
			return nil, err
		}
		for _, a := range rows {
			out[a.OwnerID] = append(out[a.OwnerID], a)
		}
	}
	return out, nil
}

// setPostAttachments makes ids the post's attachments, in that order (a
// repeated id counts once). Each must be the actor's own upload attached to
// nothing yet, or one the post has or had: otherwise ErrAttachmentUnavailable
// and the caller's transaction keeps nothing.
func (s *Store) setPostAttachments(ctx context.Context, tx *sqlx.Tx, postID, actorID int64, ids []int64) error {
	seen := map[int64]bool{}
	var keep []int64
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			keep = append(keep, id)
		}
	}
	for _, id := range keep {
		var row struct {
			UploaderID int64 `db:"uploader_id"`
			Here       int   `db:"here"`
			Elsewhere  int   `db:"elsewhere"`
		}
		err := s.get(ctx, tx, &row, `SELECT a.uploader_id,
			(SELECT count(*) FROM post_attachments pa WHERE pa.attachment_id = a.id AND pa.post_id = ?)
			+ (SELECT count(*) FROM post_revision_attachments ra JOIN post_revisions r ON r.id = ra.revision_id
				WHERE ra.attachment_id = a.id AND r.post_id = ?) AS here,
			(SELECT count(*) FROM post_attachments pa WHERE pa.attachment_id = a.id AND pa.post_id <> ?)
			+ (SELECT count(*) FROM post_revision_attachments ra JOIN post_revisions r ON r.id = ra.revision_id
				WHERE ra.attachment_id = a.id AND r.post_id <> ?) AS elsewhere
			FROM attachments a WHERE a.id = ?`, postID, postID, postID, postID, id)
		if errors.Is(err, ErrNotFound) {
			return ErrAttachmentUnavailable
		}
		if err != nil {
			return fmt.Errorf("attach: %w", err)
		}
		if row.Elsewhere > 0 || (row.Here == 0 && row.UploaderID != actorID) {
			return ErrAttachmentUnavailable
		}
	}
	if _, err := s.exec(ctx, tx, `DELETE FROM post_attachments WHERE post_id = ?`, postID); err != nil {
		return fmt.Errorf("attach: %w", err)
	}
	for i, id := range keep {
		if _, err := s.exec(ctx, tx, `INSERT INTO post_attachments (post_id, attachment_id, position) VALUES (?, ?, ?)`, postID, id, i); err != nil {
			if errors.Is(err, ErrConflict) {
				// Another post took it between the check and now.
				return ErrAttachmentUnavailable
			}
			return fmt.Errorf("attach: %w", err)
		}
	}
	return nil
}

// keepRevisionAttachments records, with the revision that keeps a post's
// previous text, the files the post had then.
func (s *Store) keepRevisionAttachments(ctx context.Context, tx *sqlx.Tx, postID, revisionID int64) error {
	if _, err := s.exec(ctx, tx, `INSERT INTO post_revision_attachments (revision_id, attachment_id, position)
		SELECT ?, attachment_id, position FROM post_attachments WHERE post_id = ?`, revisionID, postID); err != nil {
		return fmt.Errorf("revision attachments: %w", err)
	}
	return nil
}

// DiscardAttachments removes uploads of uploaderID that no post has or had:
// the files of a post that was refused after they were stored.
func (s *Store) DiscardAttachments(ctx context.Context, uploaderID int64, ids []int64) error {
	q, args, err := sqlx.In(`DELETE FROM attachments WHERE uploader_id = ? AND id IN (?)
		AND id NOT IN (SELECT attachment_id FROM post_attachments)
		AND id NOT IN (SELECT attachment_id FROM post_revision_attachments)`, uploaderID, ids)
	if err != nil {
		return fmt.Errorf("discard attachments: %w", err)
	}
	if _, err := s.exec(ctx, s.db, q, args...); err != nil {
		return fmt.Errorf("discard attachments: %w", err)
	}
	return nil
}

// PurgeUnusedAttachments removes uploads older than age that no post has or
// had: files sent with a post that was then not saved, or uploaded through
// the API and never named. It returns how many went.
func (s *Store) PurgeUnusedAttachments(ctx context.Context, age time.Duration) (int64, error) {
	n, err := s.exec(ctx, s.db, `DELETE FROM attachments WHERE created_at < ?
		AND id NOT IN (SELECT attachment_id FROM post_attachments)
		AND id NOT IN (SELECT attachment_id FROM post_revision_attachments)`, s.now().Add(-age))
	if err != nil {
		return 0, fmt.Errorf("purge attachments: %w", err)
	}
	return n, nil
}
