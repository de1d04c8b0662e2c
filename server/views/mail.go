package views

import (
	"bytes"
	"fmt"
	htmltemplate "html/template"
	"io/fs"
	"path"
	"regexp"
	"strings"
	texttemplate "text/template"
)

// Mails holds the e-mail templates: for each mail a plain-text and an HTML
// version, each defining "body" and framed by the shared "layout" of its
// kind (mail/layout.txt, mail/layout.html).
type Mails struct {
	text map[string]*texttemplate.Template
	html map[string]*htmltemplate.Template
}

// NewMails parses mail/*.txt and mail/*.html. Every mail needs both
// versions; a missing one or a template error fails here, at start.
func NewMails(files fs.FS, funcs map[string]any) (*Mails, error) {
	all := map[string]any{"dict": dict}
	for k, v := range funcs {
		all[k] = v
	}
	funcs = all
	textLayout, err := texttemplate.New("mail").Funcs(funcs).ParseFS(files, "mail/layout.txt")
	if err != nil {
		return nil, fmt.Errorf("views: mail layout: %w", err)
	}
	htmlLayout, err := htmltemplate.New("mail").Funcs(funcs).ParseFS(files, "mail/layout.html")
	if err != nil {
		return nil, fmt.Errorf("views: mail layout: %w", err)
	}
	names, err := fs.Glob(files, "mail/*.txt")
	if err != nil {
		return nil, err
	}
	m := &Mails{text: map[string]*texttemplate.Template{}, html: map[string]*htmltemplate.Template{}}
	for _, file := range names {
		name := strings.TrimSuffix(path.Base(file), ".txt")
		if name == "layout" {
			continue
		}
		t, err := texttemplate.Must(textLayout.Clone()).ParseFS(files, file)
		if err != nil {
			return nil, fmt.Errorf("views: %s: %w", file, err)
		}
		h, err := htmltemplate.Must(htmlLayout.Clone()).ParseFS(files, "mail/"+name+".html")
		if err != nil {
			return nil, fmt.Errorf("views: mail %s: %w", name, err)
		}
		m.text[name], m.html[name] = t, h
	}
	return m, nil
}

// Has reports whether mail name exists.
func (m *Mails) Has(name string) bool { _, ok := m.text[name]; return ok }

// blankLines collapses the runs of empty lines that conditional sections
// leave in the text version.
var blankLines = regexp.MustCompile(`\n{3,}`)

// Render returns the text and HTML versions of mail name for data.
func (m *Mails) Render(name string, data any) (text, html string, err error) {
	t, ok := m.text[name]
	if !ok {
		return "", "", fmt.Errorf("views: no mail %q", name)
	}
	var tb, hb bytes.Buffer
	if err := t.ExecuteTemplate(&tb, "layout", data); err != nil {
		return "", "", fmt.Errorf("views: mail %s (text): %w", name, err)
	}
	if err := m.html[name].ExecuteTemplate(&hb, "layout", data); err != nil {
		return "", "", fmt.Errorf("views: mail %s (html): %w", name, err)
	}
	text = blankLines.ReplaceAllString(strings.TrimSpace(tb.String()), "\n\n") + "\n"
	return text, hb.String(), nil
}
