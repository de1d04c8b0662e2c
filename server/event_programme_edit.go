package server

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"ideasx/store"
)

// The programme editor is one page of plain forms: one per session (with a
// few empty rows for people), one to add a session, and one for the
// co-organisers and the main event. Each form is saved in one transaction;
// a form with a problem comes back with what was typed and the page's other
// forms as stored.

// emptyRows is how many blank rows a form offers for adding people or
// co-organisers without JavaScript.
const emptyRows = 3

// maxRows bounds the rows a posted form may claim, so a forged count cannot
// make the handler loop for long.
const maxRows = 60

// rowsForm is one form of the editor, with its values and its problems.
type rowsForm struct {
	ID     int64 // the session's id; 0 for a new one
	Prefix string
	Values url.Values
	Errors map[string]string
	Rows   []int
	// Starts and People sum a stored session up in the editor's list.
	Starts string
	People int
}

func newRowsForm(prefix string, rows int) *rowsForm {
	f := &rowsForm{Prefix: prefix, Values: url.Values{}, Errors: map[string]string{}}
	f.setRows(rows)
	return f
}

func (f *rowsForm) setRows(n int) {
	f.Rows = make([]int, n)
	for i := range f.Rows {
		f.Rows[i] = i
	}
	f.Values.Set("rows", strconv.Itoa(n))
}

// rowField names a field of row i, e.g. "p2.name".
func rowField(kind string, i int, field string) string { return fmt.Sprintf("%s%d.%s", kind, i, field) }

// postedRows is how many rows a posted form says it has.
func postedRows(f *form) int {
	n, err := strconv.Atoi(f.values.Get("rows"))
	if err != nil || n < 0 {
		return 0
	}
	return min(n, maxRows)
}

// programmePage is what the editor template receives.
type programmePage struct {
	Event      *store.Event
	Sessions   []*rowsForm
	NewSession *rowsForm
	Links      *rowsForm
	MainEvents []store.Event
	HasSides   bool
	Roles      []string
	Languages  []string
}

// programmeEditor loads an event for the editor; it has answered when ok is false.
func (s *Server) programmeEditor(w http.ResponseWriter, r *http.Request) (*store.Event, bool) {
	id, ok := pathID(r)
	return s.visibleEvent(w, r, id, ok)
}

func (s *Server) eventProgrammeEdit(w http.ResponseWriter, r *http.Request) {
	e, ok := s.programmeEditor(w, r)
	if !ok {
		return
	}
	s.renderProgrammeEditor(w, r, e, http.StatusOK, nil)
}

// renderProgrammeEditor shows the editor with every form as stored, except
// failed, the form that came back with problems (nil when none did).
func (s *Server) renderProgrammeEditor(w http.ResponseWriter, r *http.Request, e *store.Event, status int, failed *rowsForm) {
	ctx := r.Context()
	sessions, err := s.store.EventSessions(ctx, e.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	orgs, err := s.store.CoOrganisers(ctx, e.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	all, err := s.store.AllEvents(ctx, store.AccessFor(currentUser(r)))
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	sides, err := s.store.SideEvents(ctx, e.ID, store.AccessFor(currentUser(r)))
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	loc := e.Location()
	page := &programmePage{Event: e, Roles: store.SessionRoles, Languages: []string{"en", "fr", "es"}, HasSides: len(sides) > 0}
	for _, ev := range all {
		if ev.ID != e.ID && ev.MainEventID == nil {
			page.MainEvents = append(page.MainEvents, ev)
		}
	}
	for _, sess := range sessions {
		page.Sessions = append(page.Sessions, sessionFormOf(sess, loc))
	}
	page.NewSession = newRowsForm("new", emptyRows+1)
	next := e.StartsAt
	if n := len(sessions); n > 0 {
		next = sessions[n-1].EndsAt
	}
	page.NewSession.Values.Set("starts", next.In(loc).Format("2006-01-02T15:04"))
	page.Links = linksFormOf(e, orgs)

	v := s.newView(w, r, "programme_edit")
	if failed != nil {
		switch {
		case failed.Prefix == "links":
			page.Links = failed
		case failed.ID == 0:
			page.NewSession = failed
		default:
			for i, sf := range page.Sessions {
				if sf.ID == failed.ID {
					failed.Starts, failed.People = sf.Starts, sf.People
					page.Sessions[i] = failed
				}
			}
		}
		v.Errors = failed.Errors
	}
	v.Data = page
	s.render(w, r, status, "event_programme", v)
}

// sessionFormOf fills a session's form from the store, with empty rows after its people.
func sessionFormOf(sess store.EventSession, zone *time.Location) *rowsForm {
	f := newRowsForm(fmt.Sprintf("s%d", sess.ID), len(sess.People)+emptyRows)
	f.ID = sess.ID
	f.Starts = sess.StartsAt.In(zone).Format("15:04") + "–" + sess.EndsAt.In(zone).Format("15:04")
	f.People = len(sess.People)
	v := f.Values
	v.Set("starts", sess.StartsAt.In(zone).Format("2006-01-02T15:04"))
	v.Set("ends", sess.EndsAt.In(zone).Format("2006-01-02T15:04"))
	v.Set("title", sess.Title)
	v.Set("title_fr", sess.TitleFR)
	v.Set("title_es", sess.TitleES)
	v.Set("description", sess.Description)
	v.Set("description_fr", sess.DescriptionFR)
	v.Set("description_es", sess.DescriptionES)
	v.Set("venue", sess.Venue)
	v["languages"] = append([]string(nil), sess.Languages...)
	for i, p := range sess.People {
		v.Set(rowField("p", i, "role"), p.Role)
		v.Set(rowField("p", i, "name"), p.Name)
		v.Set(rowField("p", i, "account"), p.Handle)
		v.Set(rowField("p", i, "title"), p.Title)
		v.Set(rowField("p", i, "title_fr"), p.TitleFR)
		v.Set(rowField("p", i, "title_es"), p.TitleES)
		v.Set(rowField("p", i, "org"), p.Organisation)
		v.Set(rowField("p", i, "org_fr"), p.OrganisationFR)
		v.Set(rowField("p", i, "org_es"), p.OrganisationES)
	}
	return f
}

func linksFormOf(e *store.Event, orgs []store.CoOrganiser) *rowsForm {
	f := newRowsForm("links", len(orgs)+emptyRows)
	if e.MainEventID != nil {
		f.Values.Set("main_event", strconv.FormatInt(*e.MainEventID, 10))
	}
	for i, o := range orgs {
		f.Values.Set(rowField("o", i, "name"), o.Name)
		f.Values.Set(rowField("o", i, "name_fr"), o.NameFR)
		f.Values.Set(rowField("o", i, "name_es"), o.NameES)
		f.Values.Set(rowField("o", i, "url"), o.URL)
	}
	return f
}
