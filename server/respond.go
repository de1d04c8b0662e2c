package server

import (
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"time"

	"ideasx/server/files"
	"ideasx/server/i18n"
	"ideasx/store"
)

// view is what every page template receives. Localizer methods (.T, .Date,
// .Number, .Lang) come with it.
type view struct {
	*i18n.Localizer
	User        *store.User
	Title       string
	Description string
	Path        string
	Flash       string
	Errors      map[string]string
	Form        url.Values
	Data        any
	Languages   []string
	BaseURL     string
	// Zone is where times of day are shown: the reader's own zone, Geneva's
	// (where the group meets) for visitors.
	Zone *time.Location
	// Here is the request's own address, escaped as it came, for the forms
	// that send the reader back where they were (the language switcher).
	Here string
	// Unread counts the signed-in person's unread notifications, for the
	// header; UserSeq is where their live topic stood when they were counted.
	Unread  int
	UserSeq int64
	// Preview is a post's text rendered as it would be posted, when the
	// form's Preview button sent it back (nothing saved).
	Preview *postPreview
	// URLLang is the language prefix the page was asked with (/fr/…), ""
	// for the plain address; the layout's canonical link and hreflang
	// alternates are built from it and Here.
	URLLang string
	// NoIndex keeps error pages out of search engines (and without a
	// canonical address).
	NoIndex bool
}

// HasErrors reports whether a form came back with problems.
func (v *view) HasErrors() bool { return len(v.Errors) > 0 }

// lang is the interface language for this request: the account's setting,
// else the visitor's choice in the switcher, else the browser's.
func (s *Server) lang(r *http.Request) string {
	st := state(r)
	if st.lang != "" {
		return st.lang
	}
	var choices []string
	if st.user != nil {
		choices = append(choices, st.user.Locale)
	}
	if c, err := r.Cookie(langCookie); err == nil {
		choices = append(choices, c.Value)
	}
	st.lang = i18n.Match(r.Header.Get("Accept-Language"), choices...)
	return st.lang
}

func (s *Server) localizer(r *http.Request) *i18n.Localizer { return s.tr.For(s.lang(r)) }

func (s *Server) newView(w http.ResponseWriter, r *http.Request, titleID string) *view {
	v := s.uncountedView(w, r, titleID)
	v.Unread, v.UserSeq = s.unreadCount(r)
	return v
}

// uncountedView is newView for a page that reads the unread count along
// with the rest of what it asks the database (a thread's page).
func (s *Server) uncountedView(w http.ResponseWriter, r *http.Request, titleID string) *view {
	l := s.localizer(r)
	v := &view{
		Localizer: l, User: currentUser(r), Path: r.URL.Path, Here: r.URL.RequestURI(), Errors: map[string]string{},
		Form: url.Values{}, Languages: i18n.Languages, BaseURL: s.cfg.BaseURL, Zone: readerZone(currentUser(r)),
		Preview: previewOf(r), URLLang: urlLang(r),
	}
	if titleID != "" {
		v.Title = l.T(titleID)
	}
	v.Flash = s.takeFlash(w, r, l)
	return v
}

func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, page string, v *view) {
	if err := s.views.Render(w, status, page, v); err != nil {
		s.serverError(w, r, err)
	}
}

// fail answers with an error: JSON for the API, a page for browsers. msgID
// is a translation id; the message is safe to show.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, status int, code, msgID string) {
	if isAPI(r) {
		s.apiError(w, r, status, code, msgID)
		return
	}
	titleID := fmt.Sprintf("error_title_%d", status)
	if !s.tr.IDs("en")[titleID] {
		titleID = "error_title"
	}
	v := s.newView(w, r, titleID)
	v.NoIndex = true
	v.Data = map[string]any{"Status": status, "Message": v.T(msgID)}
	if err := s.views.Render(w, status, "error", v); err != nil {
		s.log.ErrorContext(r.Context(), "render error page", "error", err)
		http.Error(w, http.StatusText(status), status)
	}
}

func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	s.fail(w, r, http.StatusNotFound, "not_found", "error_not_found")
}

// serverError logs err with the request id and shows a message that leaks
// nothing. A database out of reach (a restart, a failover) is no bug: it
// answers 503 with Retry-After and says that what was sent may not have
// been saved, so that nobody leaves believing a post went through.
func (s *Server) serverError(w http.ResponseWriter, r *http.Request, err error) {
	if store.Unavailable(err) {
		s.log.WarnContext(r.Context(), "database unavailable", "request_id", state(r).id, "method", r.Method, "path", r.URL.Path, "error", err)
		w.Header().Set("Retry-After", "5")
		s.fail(w, r, http.StatusServiceUnavailable, "unavailable", "error_unavailable")
		return
	}
	s.log.ErrorContext(r.Context(), "internal error", "request_id", state(r).id, "method", r.Method, "path", r.URL.Path, "error", err)
	s.fail(w, r, http.StatusInternalServerError, "internal", "error_internal")
}

type apiErrorBody struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// apiError writes SPEC §8's error shape. args fill the message's
// placeholders, as for Localizer.T.
func (s *Server) apiError(w http.ResponseWriter, r *http.Request, status int, code, msgID string, args ...any) {
	var body apiErrorBody
	body.Error.Code = code
	body.Error.Message = s.localizer(r).T(msgID, args...)
	writeJSON(w, status, body)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(true)
	_ = enc.Encode(v)
}

const (
	flashCookie = "ideasx_flash"
	langCookie  = "ideasx_lang"
)

// setFlash shows a one-time message (a translation id starting "flash_") on the next page.
func (s *Server) setFlash(w http.ResponseWriter, msgID string) {
	http.SetCookie(w, &http.Cookie{Name: flashCookie, Value: msgID, Path: "/", MaxAge: 60,
		HttpOnly: true, Secure: s.cfg.SecureCookies(), SameSite: http.SameSiteLaxMode})
}

func (s *Server) takeFlash(w http.ResponseWriter, r *http.Request, l *i18n.Localizer) string {
	c, err := r.Cookie(flashCookie)
	if err != nil || !strings.HasPrefix(c.Value, "flash_") {
		return ""
	}
	http.SetCookie(w, &http.Cookie{Name: flashCookie, Value: "", Path: "/", MaxAge: -1})
	return l.T(c.Value)
}

// redirectWithFlash is the end of most successful form posts.
func (s *Server) redirectWithFlash(w http.ResponseWriter, r *http.Request, to, msgID string) {
	if msgID != "" {
		s.setFlash(w, msgID)
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
}

func templateFuncs() template.FuncMap {
	return template.FuncMap{
		"langName": i18n.LanguageName,
		"int64":    func(n int) int64 { return int64(n) },
		"country":  countryName,
		"docURL":   func(d store.Document) string { return documentURL(&d) },
		"eventURL": func(e store.Event) string { return eventURL(&e) },
		"fileURL":  fileURL,
		"deref":    func(p *int64) int64 { return *p },
		// pct5 rounds a percentage to a multiple of 5, the steps the stylesheet has widths for
		// (the Content-Security-Policy forbids inline styles).
		"pct5":   func(p int) int { return (p + 2) / 5 * 5 },
		"inZone": func(t time.Time, e store.Event) time.Time { return t.In(e.Location()) },
		// Post HTML was sanitised by the markdown package when it was written.
		"safeHTML": func(p postView) template.HTML { return template.HTML(p.HTML) },
		"initial": func(name string) string {
			for _, r := range strings.TrimSpace(name) {
				return strings.ToUpper(string(r))
			}
			return "?"
		},
		"hasRole": func(u *store.User, role string) bool {
			return u != nil && string(u.Role) == role
		},

		// A post's files (attachment_download.go); fileKind labels one by its type.
		"attachmentURL": func(a store.Attachment) string { return attachmentURL(&a) },
		"previewURL":    func(a store.Attachment) string { return attachmentPreviewURL(&a) },
		"fileKind":      func(contentType string) files.Kind { k, _ := files.KindOf(contentType); return k },
	}
}

// genevaZone is loaded once; without tzdata it falls back to UTC.
var genevaZone = func() *time.Location {
	if loc, err := time.LoadLocation("Europe/Zurich"); err == nil {
		return loc
	}
	return time.UTC
}()
