package server

import (
	"errors"
	"net/http"
	"net/mail"
	"net/url"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"ideasx/server/auth"
	"ideasx/server/i18n"
)

// maxFormBytes bounds ordinary forms; uploads have their own limit.
const maxFormBytes = 64 << 10

// Password rules, the same as the command line's (auth.MinPasswordLen).
const (
	minPasswordLen = auth.MinPasswordLen
	maxPasswordLen = auth.MaxPasswordLen
)

// form reads and checks a posted form, collecting one message per field.
type form struct {
	values url.Values
	errors map[string]string
	l      *i18n.Localizer
	// props renames fields to the JSON properties they came from (see as).
	props map[string]string
	// uploads are the checked files of a multipart post form (parsePostForm);
	// uploadStatus is the status of the worst file refused (413, 422), 0 if none.
	uploads      []*spooledFile
	uploadStatus int
}

// parseForm reads the body of a form post. On failure it has already
// answered (400 or 413) and returns nil.
func (s *Server) parseForm(w http.ResponseWriter, r *http.Request) *form {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			s.fail(w, r, http.StatusRequestEntityTooLarge, "too_large", "error_form_too_large")
		} else {
			s.fail(w, r, http.StatusBadRequest, "bad_request", "error_bad_form")
		}
		return nil
	}
	return &form{values: r.PostForm, errors: map[string]string{}, l: s.localizer(r)}
}

func (f *form) fail(field, msgID string, args ...any) {
	if _, ok := f.errors[field]; !ok {
		f.errors[field] = f.l.T(msgID, args...)
	}
}

func (f *form) ok() bool { return len(f.errors) == 0 }

// text returns a trimmed single-line value of at most max characters.
func (f *form) text(name string, required bool, max int) string {
	v := strings.TrimSpace(f.values.Get(name))
	switch {
	case v == "" && required:
		f.fail(name, "error_required")
	case !utf8.ValidString(v) || strings.ContainsFunc(v, unicode.IsControl):
		f.fail(name, "error_invalid_characters")
	case utf8.RuneCountInString(v) > max:
		f.fail(name, "error_too_long", "Max", max)
	}
	return v
}

// email returns a syntactically valid address, lower-cased.
func (f *form) email(name string) string {
	v := f.text(name, true, 254)
	if v == "" || f.errors[name] != "" {
		return v
	}
	addr, err := mail.ParseAddress(v)
	if err != nil || addr.Address != v || !strings.Contains(v[strings.LastIndex(v, "@")+1:], ".") {
		f.fail(name, "error_email")
	}
	return strings.ToLower(v)
}

// newPassword checks a password being chosen, and its confirmation when the form has one.
func (f *form) newPassword(name, confirm string) string {
	v := f.values.Get(name)
	n := utf8.RuneCountInString(v)
	switch {
	case v == "":
		f.fail(name, "error_required")
	case n < minPasswordLen:
		f.fail(name, "error_password_short", "Min", minPasswordLen)
	case n > maxPasswordLen:
		f.fail(name, "error_too_long", "Max", maxPasswordLen)
	case confirm != "" && f.values.Get(confirm) != v:
		f.fail(confirm, "error_password_mismatch")
	}
	return v
}

// choice returns the value when it is one of allowed.
func (f *form) choice(name string, required bool, allowed ...string) string {
	v := strings.TrimSpace(f.values.Get(name))
	if v == "" {
		if required {
			f.fail(name, "error_required")
		}
		return ""
	}
	for _, a := range allowed {
		if v == a {
			return v
		}
	}
	f.fail(name, "error_choice")
	return ""
}

// country returns an ISO 3166-1 alpha-2 code, upper-cased.
func (f *form) country(name string, required bool) string {
	v := strings.ToUpper(strings.TrimSpace(f.values.Get(name)))
	if v == "" {
		if required {
			f.fail(name, "error_required")
		}
		return ""
	}
	if !isCountryCode(v) {
		f.fail(name, "error_country")
		return ""
	}
	return v
}

// multiline returns trimmed text that may span lines (Markdown), at most max characters.
func (f *form) multiline(name string, max int) string {
	v := strings.TrimSpace(strings.ReplaceAll(f.values.Get(name), "\r\n", "\n"))
	switch {
	case !utf8.ValidString(v) || strings.ContainsFunc(v, func(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\t' }):
		f.fail(name, "error_invalid_characters")
	case utf8.RuneCountInString(v) > max:
		f.fail(name, "error_too_long", "Max", max)
	}
	return v
}

// date reads a YYYY-MM-DD day (an <input type="date">), or zero when empty and optional.
func (f *form) date(name string, required bool) time.Time {
	v := strings.TrimSpace(f.values.Get(name))
	if v == "" {
		if required {
			f.fail(name, "error_required")
		}
		return time.Time{}
	}
	t, err := time.Parse(time.DateOnly, v)
	if err != nil || t.Year() < 1900 || t.Year() > 2200 {
		f.fail(name, "error_date")
		return time.Time{}
	}
	return t
}

// localTime reads an <input type="datetime-local"> value as a time in loc.
func (f *form) localTime(name string, loc *time.Location) time.Time {
	v := strings.TrimSpace(f.values.Get(name))
	if v == "" {
		f.fail(name, "error_required")
		return time.Time{}
	}
	t, err := time.ParseInLocation("2006-01-02T15:04", v, loc)
	if err != nil || t.Year() < 1900 || t.Year() > 2200 {
		f.fail(name, "error_date")
		return time.Time{}
	}
	return t
}

// url returns an optional absolute http(s) address.
func (f *form) url(name string) string {
	v := f.text(name, false, 500)
	if v == "" {
		return ""
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		f.fail(name, "error_url")
	}
	return v
}

var slugPattern = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// slug returns a required short name for links: lower-case letters, digits and single dashes.
func (f *form) slug(name string) string {
	v := f.text(name, true, 60)
	if v != "" && !slugPattern.MatchString(v) {
		f.fail(name, "error_slug")
	}
	return v
}

// optionalID reads the id of the row a form edits; 0 when the form makes a new one.
func (f *form) optionalID(name string) (int64, error) {
	if v := f.values.Get(name); v != "" {
		return parseID(v)
	}
	return 0, nil
}

// formProblem answers a checked form that came back with problems: each
// field's message for the API, an error page saying msgID for a browser
// (the pages send these values from buttons and lists, so only a crafted
// request gets there).
func (s *Server) formProblem(w http.ResponseWriter, r *http.Request, f *form, code, msgID string) {
	if isAPI(r) {
		s.apiValidation(w, r, f)
		return
	}
	s.fail(w, r, http.StatusUnprocessableEntity, code, msgID)
}
