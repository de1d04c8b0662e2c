package server

import (
	"errors"
	"net/http"

	"ideasx/store"
)

// savedForm runs save when f holds valid input and answers for it, unless f
// has problems afterwards (save may put one on a field, such as a name in
// use, rather than fail): a record that is not there is 404, another error
// 500, and success is done's to answer. It reports whether it answered;
// when it did not, f's problems are the caller's to show, on its page or
// as the API's validation error.
func (s *Server) savedForm(w http.ResponseWriter, r *http.Request, f *form, save func() error, done func()) bool {
	if !f.ok() {
		return false
	}
	switch err := save(); {
	case errors.Is(err, store.ErrNotFound):
		s.notFound(w, r)
	case err != nil:
		s.serverError(w, r, err)
	case f.ok():
		done()
	default:
		return false
	}
	return true
}
