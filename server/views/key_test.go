package views

import (
	"html/template"
	"testing"
	"time"
)

type keyedPost struct {
	ID       int64
	Body     string
	EditedAt *time.Time
	Files    []keyedFile
	hidden   bool
}

type keyedFile struct{ Name string }

func TestKeyNamesEverythingAPieceIsDrawnFrom(t *testing.T) {
	at := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	later := at.Add(time.Minute)
	base := keyedPost{ID: 1, Body: "text", EditedAt: &at, Files: []keyedFile{{"a.pdf"}}}
	k0, ok := Key("en", base)
	if !ok {
		t.Fatal("a struct of strings, numbers, times and slices has no key")
	}
	same := base
	copyAt := at
	same.EditedAt = &copyAt
	if k, _ := Key("en", same); k != k0 {
		t.Error("the same post through another pointer has another key")
	}
	changes := map[string]func(p *keyedPost){
		"body":            func(p *keyedPost) { p.Body = "other" },
		"edit time":       func(p *keyedPost) { p.EditedAt = &later },
		"no edit time":    func(p *keyedPost) { p.EditedAt = nil },
		"file name":       func(p *keyedPost) { p.Files = []keyedFile{{"b.pdf"}} },
		"one more file":   func(p *keyedPost) { p.Files = append([]keyedFile{{"a.pdf"}}, keyedFile{"c.png"}) },
		"unexported flag": func(p *keyedPost) { p.hidden = true },
	}
	for what, change := range changes {
		p := base
		change(&p)
		if k, _ := Key("en", p); k == k0 {
			t.Errorf("a change of %s keeps the key", what)
		}
	}
	if k, _ := Key("fr", base); k == k0 {
		t.Error("another language keeps the key")
	}
	// Strings are delimited: moving a letter from one to the next is a change.
	if a, _ := Key("ab", "c"); a == func() string { k, _ := Key("a", "bc"); return k }() {
		t.Error(`"ab","c" and "a","bc" share a key`)
	}
	if _, ok := Key(map[string]int{}); !ok {
		t.Error("an empty map, which says nothing, got no key")
	}
	if _, ok := Key(map[string]int{"a": 1}); ok {
		t.Error("a map, whose order is random, got a key")
	}
}

func TestFragmentsKeepTwoGenerations(t *testing.T) {
	f := newFragments[template.HTML](2)
	f.put("a", "A")
	f.put("b", "B")
	f.put("c", "C") // a new generation: a and b are the old one
	if _, ok := f.get("a"); !ok {
		t.Fatal("a fragment of the previous generation is gone")
	}
	f.put("d", "D") // a (asked for again) and c are kept, b goes
	if _, ok := f.get("b"); ok {
		t.Error("a fragment nobody asked for survived two generations")
	}
	for _, k := range []string{"a", "d"} {
		if _, ok := f.get(k); !ok {
			t.Errorf("fragment %s is gone", k)
		}
	}
}
