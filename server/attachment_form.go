package server

import (
	"context"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"

	"ideasx/server/files"
	"ideasx/store"
)

// maxAttachments bounds the files of one post.
const maxAttachments = 10

// parsePostForm reads a reply, a new thread or a post's edit: an ordinary
// form, or a multipart one (the form as browsers send it with a file input)
// whose "files" fields carry new attachments and whose "attachments" fields
// name the ones to keep. Each file is copied to a temporary file and checked
// (type from content, size) as it arrives, like a library file; a refused
// one leaves a message on "files" and is dropped, so that the form comes
// back with its text and nothing is stored. The caller removes the
// temporary files (closeUploads). On failure it has already answered and
// returns nil.
func (s *Server) parsePostForm(w http.ResponseWriter, r *http.Request) *form {
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "multipart/form-data" {
		return s.parseForm(w, r)
	}
	limit := s.cfg.MaxUploadBytes()
	r.Body = http.MaxBytesReader(w, r.Body, maxAttachments*(limit+4<<10)+maxFormBytes)
	mr, err := r.MultipartReader()
	f := &form{values: url.Values{}, errors: map[string]string{}, l: s.localizer(r)}
	refused := func(err error) *form {
		f.closeUploads()
		if status, _ := uploadProblem(err); status == http.StatusRequestEntityTooLarge {
			s.fail(w, r, status, "too_large", "error_form_too_large")
		} else {
			s.fail(w, r, http.StatusBadRequest, "bad_request", "error_bad_form")
		}
		return nil
	}
	if err != nil {
		return refused(err)
	}
	var textBytes int
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return refused(err)
		}
		name := part.FormName()
		// "files" on the pages, "file" in the API's upload.
		if name != "files" && name != "file" {
			b, err := io.ReadAll(io.LimitReader(part, int64(maxFormBytes-textBytes+1)))
			if err != nil {
				return refused(err)
			}
			if textBytes += len(b); textBytes > maxFormBytes {
				f.closeUploads()
				s.fail(w, r, http.StatusRequestEntityTooLarge, "too_large", "error_form_too_large")
				return nil
			}
			if name != "" {
				f.values.Add(name, string(b))
			}
			continue
		}
		// An empty file input still sends its field, without a file name.
		if part.FileName() == "" {
			continue
		}
		if len(f.uploads) == maxAttachments {
			f.fail("files", "error_too_many_files", "Max", maxAttachments)
			continue
		}
		up, err := spoolUpload(part, part.FileName(), limit)
		if err != nil {
			status, msgID := uploadProblem(err)
			var tooBig *http.MaxBytesError
			if status == http.StatusBadRequest || errors.As(err, &tooBig) {
				// The rest of the request cannot be read.
				return refused(err)
			}
			f.fail("files", msgID, "Max", s.cfg.MaxUploadMB)
			f.uploadStatus = max(f.uploadStatus, status)
			continue
		}
		f.uploads = append(f.uploads, up)
	}
	return f
}

// closeUploads removes the form's temporary copies of its files.
func (f *form) closeUploads() {
	for _, up := range f.uploads {
		up.Close()
	}
	f.uploads = nil
}

// saveAttachments stores the form's new files for the reader and returns
// the ids the post is to have: the ones kept ("attachments") then the new.
// A malformed or excess id is left in f as a problem and nothing is stored.
// The caller discards the new ones (discardAttachments) if the post is not
// saved after all.
func (s *Server) saveAttachments(r *http.Request, f *form) (ids, added []int64, err error) {
	for _, v := range f.values["attachments"] {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			f.fail("attachments", "error_attachment_unavailable")
			continue
		}
		ids = append(ids, id)
	}
	if len(ids)+len(f.uploads) > maxAttachments {
		f.fail("files", "error_too_many_files", "Max", maxAttachments)
	}
	if !f.ok() {
		return nil, nil, nil
	}
	me := currentUser(r)
	for _, up := range f.uploads {
		a, err := s.storeUpload(r.Context(), me, up)
		if err != nil {
			s.discardAttachments(r, added)
			return nil, nil, err
		}
		added = append(added, a.ID)
	}
	return append(ids, added...), added, nil
}

// storeUpload saves one checked file as an attachment waiting for a post,
// with a resized preview when it is an image.
func (s *Server) storeUpload(ctx context.Context, me *store.User, up *spooledFile) (*store.Attachment, error) {
	na := store.NewAttachment{UploaderID: me.ID, Filename: files.SafeFilename(up.name, up.kind), ContentType: up.kind.MIME,
		MaxSize: s.cfg.MaxUploadBytes()}
	if p, err := files.MakePreview(up.tmp, up.kind); err == nil {
		na.Width, na.Height, na.Preview, na.PreviewType = p.Width, p.Height, p.Data, p.MIME
		na.PreviewWidth, na.PreviewHeight = p.PreviewWidth, p.PreviewHeight
	} else if !errors.Is(err, files.ErrNoPreview) {
		return nil, err
	}
	if _, err := up.tmp.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	return s.store.AddAttachment(ctx, na, up.tmp)
}

// discardAttachments removes new uploads that no post took, when the post
// they came with was refused.
func (s *Server) discardAttachments(r *http.Request, ids []int64) {
	if len(ids) == 0 {
		return
	}
	if err := s.store.DiscardAttachments(context.WithoutCancel(r.Context()), currentUser(r).ID, ids); err != nil {
		s.log.WarnContext(r.Context(), "discard attachments", "error", err)
	}
}

// attachmentRefused words store.ErrAttachmentUnavailable in f: the post
// named a file it may not take. It reports whether err was that.
func attachmentRefused(f *form, err error) bool {
	if errors.Is(err, store.ErrAttachmentUnavailable) {
		f.fail("attachments", "error_attachment_unavailable")
		return true
	}
	return false
}

// uploadsNotKept tells, when a form with files comes back (a problem, a
// preview), that its files were not kept and must be chosen again: a
// browser cannot fill a file input.
func (f *form) uploadsNotKept() {
	if len(f.uploads) > 0 {
		f.fail("files", "error_files_again")
	}
}
