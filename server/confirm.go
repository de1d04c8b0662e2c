package server

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// Destructive or hard-to-undo actions (delete a post, hide a post or a
// thread, reject an account request, suspend an account, revoke a token,
// publish a document) ask first, the same way for each:
//
//   - The page's form posts to the action's own endpoint, as it always did.
//   - The handler loads and authorises as usual; then, unless the form
//     carries confirm=1, it changes nothing and answers 200 with a
//     confirmation page: what will happen, what it affects, a Confirm button
//     that re-posts the same fields with confirm=1 to the same address (so
//     the cross-origin protection of every form applies to it too), and a
//     Cancel link back to a safe local page (see returnPath).
//   - With JavaScript, static/js/confirm.js intercepts the submit of a form
//     marked data-confirm, asks in a native <dialog> with the same words,
//     and submits with confirm=1: the confirmation page is then never seen.
//   - The JSON API (/api/...) is not affected, nor is a page's address
//     called with a bearer token: a program has already decided, and has no
//     page to read.

// confirmation describes the question an action asks before it is done.
// Question, Effect and Button are translation ids, shared with the form's
// data-confirm attributes so the dialog and the page say the same thing.
type confirmation struct {
	Question, Effect, Button string
	// Details say what the action affects (a token's name, a person).
	Details []confirmDetail
	// Quote is an excerpt of the text affected (a post), shown quoted.
	Quote string
	// Back is where Cancel goes when the page the form was on is unknown.
	Back string
}

type confirmDetail struct{ Label, Value string }

// confirmPage is what the confirmation page shows.
type confirmPage struct {
	Effect, Button, Quote, Action, Cancel string
	Details                               []confirmDetail
	Fields                                []confirmField
}

type confirmField struct{ Name, Value string }

// confirmed reports whether the action may go ahead: for the API and any
// request with a bearer token always, for a browser when the form says
// confirm=1. Otherwise it has answered with the confirmation page (or a
// form error) and the caller stops.
func (s *Server) confirmed(w http.ResponseWriter, r *http.Request, c confirmation) bool {
	if isAPI(r) || state(r).viaToken {
		return true
	}
	f := s.parseForm(w, r)
	if f == nil {
		return false
	}
	if f.values.Get("confirm") == "1" {
		return true
	}
	v := s.newView(w, r, c.Question)
	page := confirmPage{Effect: v.T(c.Effect), Button: v.T(c.Button), Quote: c.Quote, Details: c.Details,
		Action: r.URL.Path, Cancel: cancelPath(r, c.Back)}
	keys := make([]string, 0, len(f.values))
	for k := range f.values {
		if k != "confirm" {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	for _, k := range keys {
		for _, val := range f.values[k] {
			page.Fields = append(page.Fields, confirmField{k, val})
		}
	}
	// The language switcher sends the reader back to Here, which must be a
	// page one can GET: the action's address is not.
	v.Here = page.Cancel
	v.Data = page
	s.render(w, r, http.StatusOK, "confirm", v)
	return false
}

// cancelPath is where Cancel leads: the page the form was posted from, when
// it is one of ours, else fallback. A fallback's #fragment (a post in its
// thread) is kept when the page is the same.
func cancelPath(r *http.Request, fallback string) string {
	ref, err := url.Parse(r.Referer())
	if r.Referer() == "" || err != nil || (ref.Host != "" && ref.Host != r.Host) || ref.Path == r.URL.Path {
		return fallback
	}
	back := returnPath(ref.RequestURI(), fallback)
	if path, frag, ok := strings.Cut(fallback, "#"); ok && back != fallback && ref.Path == path {
		back += "#" + frag
	}
	return back
}
