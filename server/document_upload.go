package server

import (
	"io"
	"net/http"

	"ideasx/server/files"
	"ideasx/server/i18n"
	"ideasx/store"
)

// documentUpload takes a language file for a document. The upload is first
// spooled to a temporary file, so that the database transaction that stores
// it lasts as long as a local copy takes, not as long as a slow network.
func (s *Server) documentUpload(w http.ResponseWriter, r *http.Request) {
	d, ok := s.loadCuratedDocument(w, r)
	if !ok {
		return
	}
	limit := s.cfg.MaxUploadBytes()
	r.Body = http.MaxBytesReader(w, r.Body, limit+64<<10)
	mr, err := r.MultipartReader()
	if err != nil {
		s.uploadFailed(w, r, d, http.StatusBadRequest, "error_bad_form")
		return
	}
	var (
		lang string
		up   *spooledFile
	)
	defer func() {
		if up != nil {
			up.Close()
		}
	}()
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			s.uploadReadFailed(w, r, d, err)
			return
		}
		switch part.FormName() {
		case "lang":
			b, _ := io.ReadAll(io.LimitReader(part, 8))
			lang = i18n.ParseLang(string(b))
		case "file":
			if up != nil {
				continue
			}
			if up, err = spoolUpload(part, part.FileName(), limit); err != nil {
				s.uploadReadFailed(w, r, d, err)
				return
			}
		}
		part.Close()
	}
	if lang == "" {
		s.uploadFailed(w, r, d, http.StatusUnprocessableEntity, "error_file_lang")
		return
	}
	if up == nil {
		s.uploadFailed(w, r, d, http.StatusUnprocessableEntity, "error_file_missing")
		return
	}
	kind := up.kind
	stored, err := s.store.AddFile(r.Context(), currentUser(r).ID, store.NewFile{
		DocumentID: d.ID, Lang: lang, Filename: files.SafeFilename(up.name, kind), ContentType: kind.MIME, MaxSize: limit,
	}, up.tmp)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	// Text extraction is best effort: a file whose text cannot be read is still published.
	if text, err := files.ExtractText(up.tmp, stored.Size, kind); err != nil {
		s.log.WarnContext(r.Context(), "extract text", "file_id", stored.ID, "error", err)
	} else if text != "" {
		if err := s.store.SetFileText(r.Context(), stored.ID, text); err != nil {
			s.serverError(w, r, err)
			return
		}
	}
	if isAPI(r) {
		writeJSON(w, http.StatusCreated, apiFile{DocFile: *stored, URL: s.cfg.BaseURL + fileURL(*stored)})
		return
	}
	s.redirectWithFlash(w, r, "/moderation/documents/"+itoa64(d.ID), "flash_file_uploaded")
}

// uploadReadFailed shows the form again with why the file was refused.
func (s *Server) uploadReadFailed(w http.ResponseWriter, r *http.Request, d *store.Document, err error) {
	status, msgID := uploadProblem(err)
	if status == http.StatusBadRequest {
		s.log.InfoContext(r.Context(), "upload not read", "error", err)
	}
	s.uploadFailed(w, r, d, status, msgID)
}

// uploadFailed shows the document's form again with the reason next to the file field.
func (s *Server) uploadFailed(w http.ResponseWriter, r *http.Request, d *store.Document, status int, msgID string) {
	if isAPI(r) {
		s.apiError(w, r, status, "invalid_file", msgID, "Max", s.cfg.MaxUploadMB)
		return
	}
	v := s.newView(w, r, "document_edit_title")
	v.Errors["file"] = v.T(msgID, "Max", s.cfg.MaxUploadMB)
	v.Form = s.documentFormValues(r, d)
	s.renderDocumentForm(w, r, v, status, d)
}
