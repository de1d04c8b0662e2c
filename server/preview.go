package server

import (
	"context"
	"encoding/json"
	"errors"
	"html/template"
	"net/http"
	"strconv"
)

// postPreview is a text rendered as it would be posted, shown above the
// form that the Preview button (without JavaScript) sent back.
type postPreview struct {
	HTML template.HTML
}

type previewKey struct{}

// previewOf is the preview that this request asks to show, or nil.
func previewOf(r *http.Request) *postPreview {
	p, _ := r.Context().Value(previewKey{}).(*postPreview)
	return p
}

// wantsPreview: the form came from its Preview button, not its send button.
func wantsPreview(f *form) bool { return f.values.Get("preview") != "" }

// withPreview renders the form's body as the post would be, for the page
// that shows the form again with nothing saved. A body with problems
// (too long, control characters) gets its message on the field and no
// preview; the returned request carries the preview to newView.
func (s *Server) withPreview(r *http.Request, f *form) (*http.Request, error) {
	body := f.multiline("body", maxPostLen)
	if !f.ok() {
		return r, nil
	}
	html, _, err := s.renderPost(r.Context(), body)
	if err != nil {
		return r, err
	}
	return r.WithContext(context.WithValue(r.Context(), previewKey{}, &postPreview{HTML: template.HTML(html)})), nil
}

// previewStatus is a previewed form's answer: 200, or 422 when the body
// came back with a problem, as a refused post would.
func previewStatus(f *form) int {
	if f.ok() {
		return http.StatusOK
	}
	return http.StatusUnprocessableEntity
}

type apiPreviewInput struct {
	Body string `json:"body"`
}

// maxPreviewBytes lets through any body a post may have (maxPostLen
// characters of up to four bytes each) and JSON's escaping of it.
const maxPreviewBytes = maxPostLen*4*2 + 1024

// apiPreview renders a text as a post would be rendered (links, @mentions
// of people who may read the forum, sanitised HTML) and saves nothing:
// the editor's Preview tab. Members only, as posting is.
func (s *Server) apiPreview(w http.ResponseWriter, r *http.Request) {
	if ok, wait := s.allow(r, s.limits.preview, strconv.FormatInt(currentUser(r).ID, 10)); !ok {
		w.Header().Set("Retry-After", formatSeconds(wait))
		s.apiError(w, r, http.StatusTooManyRequests, "rate_limited", "error_preview_rate_limited")
		return
	}
	var in apiPreviewInput
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxPreviewBytes))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			s.apiError(w, r, http.StatusRequestEntityTooLarge, "too_large", "error_preview_too_long")
		} else {
			s.apiError(w, r, http.StatusBadRequest, "bad_json", "error_bad_json")
		}
		return
	}
	f := s.apiForm(r, map[string]string{"body": in.Body})
	body := f.multiline("body", maxPostLen)
	if !f.ok() {
		s.apiValidation(w, r, f)
		return
	}
	html, _, err := s.renderPost(r.Context(), body)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"html": html})
}

// sentCookie tells the editor's script, on the page after a post or a
// thread was saved, that the text it kept as a draft went through and can
// be forgotten. A refused post or one lost to the network brings no such
// cookie, and the draft stays. Scripts read it: it says nothing but "1".
const sentCookie = "ideasx_sent"

func (s *Server) markSent(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: sentCookie, Value: "1", Path: "/", MaxAge: 60,
		Secure: s.cfg.SecureCookies(), SameSite: http.SameSiteLaxMode})
}
