package server

import (
	"errors"
	"net/http"
	"strings"

	"ideasx/store"
)

func (s *Server) eventSessionCreate(w http.ResponseWriter, r *http.Request) {
	s.eventSessionSave(w, r, 0)
}

func (s *Server) eventSessionUpdate(w http.ResponseWriter, r *http.Request) {
	sid, err := parseID(r.PathValue("sid"))
	if err != nil {
		s.notFound(w, r)
		return
	}
	s.eventSessionSave(w, r, sid)
}

// eventSessionSave saves one session with its people from the editor.
func (s *Server) eventSessionSave(w http.ResponseWriter, r *http.Request, sessionID int64) {
	e, ok := s.programmeEditor(w, r)
	if !ok {
		return
	}
	f := s.parseForm(w, r)
	if f == nil {
		return
	}
	sess := &store.EventSession{ID: sessionID, EventID: e.ID}
	if err := s.readSessionForm(r, f, e, sess); err != nil {
		s.serverError(w, r, err)
		return
	}
	if f.ok() {
		err := s.store.SaveEventSession(r.Context(), currentUser(r).ID, sess)
		switch {
		case errors.Is(err, store.ErrNotFound):
			s.notFound(w, r)
			return
		case errors.Is(err, store.ErrMissingReference):
			// The account named was removed between the check and the save.
			f.fail("form", "error_account_unknown")
		case err != nil:
			s.serverError(w, r, err)
			return
		default:
			s.redirectWithFlash(w, r, programmeEditURL(e)+"#session-"+itoa64(sess.ID), "flash_session_saved")
			return
		}
	}
	back := newRowsForm("new", postedRows(f))
	if sessionID != 0 {
		back.ID, back.Prefix = sessionID, "s"+itoa64(sessionID)
	}
	back.Values, back.Errors = f.values, f.errors
	s.renderProgrammeEditor(w, r, e, http.StatusUnprocessableEntity, back)
}

func programmeEditURL(e *store.Event) string {
	return "/moderation/events/" + itoa64(e.ID) + "/programme"
}

// readSessionForm checks a session form. Times are typed in the meeting's
// zone, as on the event form; a person row with nothing typed is skipped, a
// row marked for removal is dropped.
func (s *Server) readSessionForm(r *http.Request, f *form, e *store.Event, sess *store.EventSession) error {
	loc := e.Location()
	sess.StartsAt = f.localTime("starts", loc)
	sess.EndsAt = f.localTime("ends", loc)
	if !sess.StartsAt.IsZero() && !sess.EndsAt.IsZero() && !sess.EndsAt.After(sess.StartsAt) {
		f.fail("ends", "error_ends_before_starts")
	}
	sess.Title = f.text("title", true, 300)
	sess.TitleFR = f.text("title_fr", false, 300)
	sess.TitleES = f.text("title_es", false, 300)
	sess.Description = f.multiline("description", 5000)
	sess.DescriptionFR = f.multiline("description_fr", 5000)
	sess.DescriptionES = f.multiline("description_es", 5000)
	sess.Venue = f.text("venue", false, 300)
	sess.Languages = nil
	for _, l := range f.values["languages"] {
		switch l {
		case "en", "fr", "es":
			sess.Languages = append(sess.Languages, l)
		default:
			f.fail("languages", "error_choice")
		}
	}
	// People with an account are named by its handle; the account is looked up once the rows are read.
	type account struct {
		person, row int
		handle      string
	}
	var accounts []account
	for i := range postedRows(f) {
		field := func(name string) string { return rowField("p", i, name) }
		if f.values.Get(field("remove")) != "" || rowEmpty(f, "p", i, "name", "account", "title", "title_fr", "title_es", "org", "org_fr", "org_es") {
			continue
		}
		sess.People = append(sess.People, store.SessionPerson{
			Role:           f.choice(field("role"), true, store.SessionRoles...),
			Name:           f.text(field("name"), true, 200),
			Title:          f.text(field("title"), false, 300),
			TitleFR:        f.text(field("title_fr"), false, 300),
			TitleES:        f.text(field("title_es"), false, 300),
			Organisation:   f.text(field("org"), false, 300),
			OrganisationFR: f.text(field("org_fr"), false, 300),
			OrganisationES: f.text(field("org_es"), false, 300),
		})
		if h := strings.TrimPrefix(f.text(field("account"), false, 100), "@"); h != "" {
			accounts = append(accounts, account{person: len(sess.People) - 1, row: i, handle: h})
		}
	}
	if len(accounts) == 0 {
		return nil
	}
	handles := make([]string, len(accounts))
	for i, a := range accounts {
		handles[i] = a.handle
	}
	users, err := s.store.UsersByHandles(r.Context(), handles)
	if err != nil {
		return err
	}
	for _, a := range accounts {
		u, ok := users[strings.ToLower(a.handle)]
		if !ok {
			f.fail(rowField("p", a.row, "account"), "error_account_unknown")
			continue
		}
		sess.People[a.person].UserID = &u.ID
	}
	return nil
}

// rowEmpty reports whether row i of a form has none of fields filled in.
func rowEmpty(f *form, kind string, i int, fields ...string) bool {
	for _, name := range fields {
		if strings.TrimSpace(f.values.Get(rowField(kind, i, name))) != "" {
			return false
		}
	}
	return true
}

func (s *Server) eventSessionDelete(w http.ResponseWriter, r *http.Request) {
	e, ok := s.programmeEditor(w, r)
	if !ok {
		return
	}
	sid, err := parseID(r.PathValue("sid"))
	if err != nil {
		s.notFound(w, r)
		return
	}
	if !s.confirmed(w, r, confirmation{Question: "confirm_session_delete", Effect: "confirm_session_delete_effect",
		Button: "confirm_session_delete_button", Back: programmeEditURL(e)}) {
		return
	}
	err = s.store.DeleteEventSession(r.Context(), currentUser(r).ID, e.ID, sid)
	switch {
	case errors.Is(err, store.ErrNotFound):
		s.notFound(w, r)
	case err != nil:
		s.serverError(w, r, err)
	default:
		s.redirectWithFlash(w, r, programmeEditURL(e), "flash_session_deleted")
	}
}
