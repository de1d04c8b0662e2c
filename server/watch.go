package server

import (
	"errors"
	"net/http"
	"strconv"

	"ideasx/store"
)

// threadWatchSave sets the reader's level on a thread: watch, mute, or nothing.
func (s *Server) threadWatchSave(w http.ResponseWriter, r *http.Request) {
	t, ok := s.threadFromPath(w, r, pathID)
	if !ok {
		return
	}
	f := s.parseForm(w, r)
	if f != nil && s.saveWatch(w, r, f, "thread", t.ID) {
		s.redirectWithFlash(w, r, threadURL(t), "flash_watch_saved")
	}
}

func (s *Server) themeWatchSave(w http.ResponseWriter, r *http.Request) {
	themes, _, err := s.themeMap(r)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	for _, t := range themes {
		if t.Slug == r.PathValue("slug") {
			if f := s.parseForm(w, r); f != nil && s.saveWatch(w, r, f, "theme", t.ID) {
				s.redirectWithFlash(w, r, "/forum/themes/"+t.Slug, "flash_watch_saved")
			}
			return
		}
	}
	s.notFound(w, r)
}

// saveWatch sets the reader's checked "level" on a thread or a theme, for the
// page or the API; when it answers false, it has already answered the problem.
func (s *Server) saveWatch(w http.ResponseWriter, r *http.Request, f *form, targetType string, id int64) bool {
	level := f.choice("level", false, store.Watching, store.Muted)
	if !f.ok() {
		s.formProblem(w, r, f, "invalid_level", "error_choice")
		return false
	}
	if err := s.store.SetWatch(r.Context(), currentUser(r).ID, targetType, id, level); err != nil {
		s.serverError(w, r, err)
		return false
	}
	return true
}

// threadMove puts a thread in another theme (moderators).
func (s *Server) threadMove(w http.ResponseWriter, r *http.Request) {
	t, ok := s.threadFromPath(w, r, pathID)
	if !ok {
		return
	}
	f := s.parseForm(w, r)
	if f == nil {
		return
	}
	s.moveThread(w, r, t, f)
}

// moveThread puts a thread in the active theme whose id is the form's
// "theme", for the page or the API.
func (s *Server) moveThread(w http.ResponseWriter, r *http.Request, t *store.Thread, f *form) {
	themeID, err := strconv.ParseInt(f.values.Get("theme"), 10, 64)
	if err == nil {
		err = s.store.MoveThread(r.Context(), currentUser(r).ID, t.ID, themeID)
	}
	switch {
	case err == nil:
		s.threadChanged(w, r, t, "flash_thread_moved")
	case errors.Is(err, store.ErrNotFound), errors.Is(err, strconv.ErrSyntax), errors.Is(err, strconv.ErrRange):
		s.fail(w, r, http.StatusUnprocessableEntity, "invalid_theme", "error_theme_choice")
	default:
		s.serverError(w, r, err)
	}
}
