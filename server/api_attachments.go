package server

import (
	"fmt"
	"mime"
	"net/http"
	"strconv"

	"ideasx/store"
)

// apiAttachment is a file attached to a post (or uploaded for one), as the
// API gives it: url downloads it (GET /api/v1/attachments/{id}), and an
// image has a preview_url to a smaller copy.
type apiAttachment struct {
	ID          int64  `json:"id"`
	Filename    string `json:"filename"`
	ContentType string `json:"content_type"`
	Size        int64  `json:"size"`
	SHA256      string `json:"sha256"`
	Width       int    `json:"width,omitempty"`
	Height      int    `json:"height,omitempty"`
	URL         string `json:"url"`
	PreviewURL  string `json:"preview_url,omitempty"`
}

func apiAttachmentJSON(a *store.Attachment) apiAttachment {
	out := apiAttachment{ID: a.ID, Filename: a.Filename, ContentType: a.ContentType, Size: a.Size, SHA256: a.SHA256,
		Width: a.Width, Height: a.Height, URL: fmt.Sprintf("/api/v1/attachments/%d", a.ID)}
	if a.IsImage() {
		out.PreviewURL = attachmentPreviewURL(a)
	}
	return out
}

func apiAttachmentsJSON(as []store.Attachment) []apiAttachment {
	out := make([]apiAttachment, len(as))
	for i := range as {
		out[i] = apiAttachmentJSON(&as[i])
	}
	return out
}

// apiAttachmentUpload takes one or more files ("file" parts of a multipart
// body) with the checks of the pages' uploads, and stores them for the
// caller's next post or edit to name in its "attachments". Nothing is
// stored when one is refused.
func (s *Server) apiAttachmentUpload(w http.ResponseWriter, r *http.Request) {
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "multipart/form-data" {
		s.apiError(w, r, http.StatusUnsupportedMediaType, "unsupported_media_type", "error_bad_form")
		return
	}
	f := s.parsePostForm(w, r)
	if f == nil {
		return
	}
	defer f.closeUploads()
	if msg := f.errors["files"]; msg != "" {
		writeJSON(w, f.uploadStatus, apiFieldError("invalid_file", msg, "file"))
		return
	}
	if len(f.uploads) == 0 {
		s.apiValidation(w, r, f.failed("file", "error_file_missing"))
		return
	}
	out := make([]apiAttachment, 0, len(f.uploads))
	var added []int64
	for _, up := range f.uploads {
		a, err := s.storeUpload(r.Context(), currentUser(r), up)
		if err != nil {
			s.discardAttachments(r, added)
			s.serverError(w, r, err)
			return
		}
		added = append(added, a.ID)
		out = append(out, apiAttachmentJSON(a))
	}
	writeJSON(w, http.StatusCreated, map[string]any{"attachments": out})
}

// apiFieldError is the API's error shape naming one property.
func apiFieldError(code, msg, property string) map[string]any {
	return map[string]any{"error": map[string]any{"code": code, "message": msg, "fields": map[string]string{property: msg}}}
}

// failed records a problem and returns f, for one-line answers.
func (f *form) failed(field, msgID string) *form {
	f.fail(field, msgID)
	return f
}

// setIDs puts ids in the form under name, as the pages' forms send them.
func (f *form) setIDs(name string, ids []int64) {
	f.values.Del(name)
	for _, id := range ids {
		f.values.Add(name, strconv.FormatInt(id, 10))
	}
}
