// Package views parses the HTML templates once at start and renders pages;
// it also serves the static assets under content-hashed URLs.
package views

import (
	"bytes"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"sync"
)

// Renderer holds one parsed template set per page.
type Renderer struct {
	pages  map[string]*template.Template
	static *Static
	// layout holds the partials that the "fragment" function renders
	// alone, and fragments what it rendered.
	layout    *template.Template
	fragments *fragments[template.HTML]
	parts     *fragments[template.HTML] // what Part rendered
	// kept is what RenderKept rendered, as bytes: a writer is handed them
	// as they are, where a string would be copied for every request.
	kept *fragments[[]byte]
}

// New parses layout/*.html as the shared layout and partials, then each
// pages/*.html on top of a copy of it. A template error fails here, at
// start, never during a request.
func New(files fs.FS, static *Static, funcs template.FuncMap) (*Renderer, error) {
	r := &Renderer{pages: map[string]*template.Template{}, static: static, fragments: newFragments[template.HTML](fragmentsKept),
		parts: newFragments[template.HTML](partsKept), kept: newFragments[[]byte](partsKept)}
	all := template.FuncMap{
		"fragment": r.fragment,
		"static":   static.URL,
		"add":      func(a, b int) int { return a + b },
		"dict":     dict,
	}
	for k, v := range funcs {
		all[k] = v
	}
	layout, err := template.New("layout").Funcs(all).ParseFS(files, "layout/*.html")
	if err != nil {
		return nil, fmt.Errorf("views: layout: %w", err)
	}
	names, err := fs.Glob(files, "pages/*.html")
	if err != nil {
		return nil, err
	}
	r.layout = layout
	for _, name := range names {
		t, err := layout.Clone()
		if err != nil {
			return nil, err
		}
		if _, err := t.ParseFS(files, name); err != nil {
			return nil, fmt.Errorf("views: %s: %w", name, err)
		}
		r.pages[strings.TrimSuffix(path.Base(name), ".html")] = t
	}
	return r, nil
}

// fragmentsKept bounds the fragments remembered, per generation: a post of
// a thread is a few kilobytes, so two generations hold tens of megabytes.
const fragmentsKept = 8192

// Has reports whether a page template exists.
func (r *Renderer) Has(page string) bool { _, ok := r.pages[page]; return ok }

// Render writes page with data. The page is rendered to memory first so
// that a template error yields a clean error, not half a page.
func (r *Renderer) Render(w http.ResponseWriter, status int, page string, data any) error {
	return r.RenderKept(w, status, page, "", data)
}

// RenderKept is Render for a page that is kept under key, for WriteKept
// to send again as it is while its key stays the same (its caller asks
// WriteKept first); an empty key keeps nothing. The key must name
// everything the page is drawn from, its reader included.
func (r *Renderer) RenderKept(w http.ResponseWriter, status int, page, key string, data any) error {
	t, ok := r.pages[page]
	if !ok {
		return fmt.Errorf("views: no page %q", page)
	}
	buf := pageBuffers.Get().(*bytes.Buffer)
	defer putPageBuffer(buf)
	if err := t.ExecuteTemplate(buf, "base", data); err != nil {
		return fmt.Errorf("views: render %s: %w", page, err)
	}
	if key != "" {
		r.kept.put(page+"\x00"+key, bytes.Clone(buf.Bytes()))
	}
	// The writers below copy what they are given (net/http's and the
	// compressor's buffers), so the buffer can serve the next page.
	writeHead(w, status)
	_, err := w.Write(buf.Bytes())
	return err
}

// WriteKept sends the page RenderKept kept under key, if it still has it,
// sparing its caller the work of gathering the page's data.
func (r *Renderer) WriteKept(w http.ResponseWriter, status int, page, key string) (bool, error) {
	if key == "" {
		return false, nil
	}
	h, hit := r.kept.get(page + "\x00" + key)
	if !hit {
		return false, nil
	}
	writeHead(w, status)
	_, err := w.Write(h)
	return true, err
}

func writeHead(w http.ResponseWriter, status int) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
}

// pageBuffers keeps the buffers pages are rendered into: a thread page is
// about 100 KB, and growing a new buffer to that size for each one was the
// largest part of the garbage collector's work under load.
var pageBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

func putPageBuffer(b *bytes.Buffer) {
	// A rare huge page should not stay in memory for good.
	if b.Cap() > 1<<20 {
		return
	}
	b.Reset()
	pageBuffers.Put(b)
}

// dict builds a map from name/value pairs, to pass several values to a partial.
func dict(kv ...any) (map[string]any, error) {
	if len(kv)%2 != 0 {
		return nil, fmt.Errorf("dict: odd number of arguments")
	}
	m := make(map[string]any, len(kv)/2)
	for i := 0; i < len(kv); i += 2 {
		k, ok := kv[i].(string)
		if !ok {
			return nil, fmt.Errorf("dict: key %v is not a string", kv[i])
		}
		m[k] = kv[i+1]
	}
	return m, nil
}
