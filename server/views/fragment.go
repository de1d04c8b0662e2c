package views

import (
	"bytes"
	"fmt"
	"html/template"
	"sync"
)

// Keyed is what a page hands to the "fragment" template function: the data
// of a piece of the page, and a key that changes whenever anything the piece
// is drawn from changes (see Key). Two readers whose keys are equal get the
// same bytes, so the key must name all of it, the reader's rights included.
type Keyed interface {
	FragmentKey() (string, bool)
}

// fragments remembers rendered pieces of pages. It keeps two generations:
// when the newer one is full the older is dropped, so that what is still
// asked for survives and memory stays bounded without an LRU's bookkeeping.
type fragments[V any] struct {
	mu       sync.Mutex
	cur, old map[string]V
	max      int
}

func newFragments[V any](max int) *fragments[V] {
	return &fragments[V]{cur: map[string]V{}, old: map[string]V{}, max: max}
}

func (f *fragments[V]) get(key string) (V, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if h, ok := f.cur[key]; ok {
		return h, true
	}
	h, ok := f.old[key]
	if ok {
		f.putLocked(key, h)
	}
	return h, ok
}

func (f *fragments[V]) put(key string, h V) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.putLocked(key, h)
}

func (f *fragments[V]) putLocked(key string, h V) {
	if len(f.cur) >= f.max {
		f.old, f.cur = f.cur, make(map[string]V, f.max)
	}
	f.cur[key] = h
}

// fragment renders the template name with data, or gives back what it
// rendered before for the same key. Data without a usable key is rendered
// every time.
func (r *Renderer) fragment(name string, data Keyed) (template.HTML, error) {
	key, ok := data.FragmentKey()
	if ok {
		key = name + "\x00" + key
	} else {
		key = ""
	}
	h, err := drawKept(r.fragments, key, r.layout, name, data)
	if err != nil {
		return "", fmt.Errorf("fragment %s: %w", name, err)
	}
	return h, nil
}

// partsKept bounds the page parts remembered, per generation: a thread's
// body is about 100 KB.
const partsKept = 128

// Part renders the template name of page with data, as the page would in
// the text context where it places it, or gives back what it rendered
// before under key; an empty key renders it every time. As with
// fragments, the key must name everything the part is drawn from.
func (r *Renderer) Part(page, name, key string, data any) (template.HTML, error) {
	t, ok := r.pages[page]
	if !ok {
		return "", fmt.Errorf("views: no page %q", page)
	}
	if key != "" {
		key = page + "\x00" + name + "\x00" + key
	}
	h, err := drawKept(r.parts, key, t, name, data)
	if err != nil {
		return "", fmt.Errorf("views: %s %s: %w", page, name, err)
	}
	return h, nil
}

// drawKept renders template name of t with data, or gives back what it
// rendered before under key, kept in cache; an empty key keeps nothing.
// The template escaped what it wrote in the text context where the page
// places the piece, so it is HTML there.
func drawKept(cache *fragments[template.HTML], key string, t *template.Template, name string, data any) (template.HTML, error) {
	if key != "" {
		if h, hit := cache.get(key); hit {
			return h, nil
		}
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, name, data); err != nil {
		return "", err
	}
	h := template.HTML(buf.String())
	if key != "" {
		cache.put(key, h)
	}
	return h, nil
}
