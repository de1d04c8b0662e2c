package server

import (
	"html/template"
	"net/http"
	"time"

	"ideasx/server/markdown"
	"ideasx/store"
)

// agendaLine is an agenda item as one reader may see it. Forum readers
// get the challenge's title and its thread; everyone else only items
// whose challenge became a published public document, under that
// document's title (written for the public by a moderator) and never with
// a person's or organisation's name.
type agendaLine struct {
	ID       int64
	Position int
	Title    string
	URL      string
	// By is who raised the challenge, as the reader may know it: under the
	// Chatham House rule, and always for the public, only the kind of
	// organisation and its region ("A business from the Americas").
	By byline
	// Region is the translation id of the organisation's region, shown with KindID.
	Region string
	// DocTitle and DocURL name the public document drawn from the challenge, if any.
	DocTitle, DocURL string
	Outcome          *outcomeView
	// CanRecord: the reader is a moderator and the outcome is not yet recorded.
	CanRecord bool
	// UpTo and DownTo are the positions the moderator's arrows move it to (0: no arrow).
	UpTo, DownTo int
}

// outcomeView is a meeting's outcome on an item, in the reader's language
// when it was written in it, the other languages after it.
type outcomeView struct {
	Lang   string
	HTML   template.HTML
	Others []outcomeText
	At     time.Time
	PostID int64
}

type outcomeText struct {
	Lang string
	HTML template.HTML
}

// agendaByline is who raised an item, for reader: the thread's attribution
// rule for forum readers, and for the Chatham House rule and the public
// the kind of organisation with its region instead of any name.
func agendaByline(reader *store.User, it *store.AgendaItem) (byline, string) {
	region := regionOf(it.OrgCountry)
	if !reader.CanReadForum() {
		return byline{KindID: "agenda_from_" + string(it.OrgKind)}, region
	}
	b := attribute(reader, it.Attribution, it.AuthorID, it.AuthorName, it.OrgName, it.OrgKind)
	if b.KindID != "" {
		b.KindID = "agenda_from_" + string(it.OrgKind)
	}
	return b, region
}

// viewOutcome renders an item's outcome for a reader of lang (nil when none).
func viewOutcome(it *store.AgendaItem, lang string) *outcomeView {
	if !it.HasOutcome() {
		return nil
	}
	texts := it.Outcomes()
	first := 0
	for i, t := range texts {
		if t.Lang == lang {
			first = i
		}
	}
	o := &outcomeView{At: *it.OutcomeAt}
	if it.OutcomePostID != nil {
		o.PostID = *it.OutcomePostID
	}
	for i, t := range texts {
		html := markdown.Render(t.Text)
		if i == first {
			o.Lang, o.HTML = t.Lang, html
			continue
		}
		o.Others = append(o.Others, outcomeText{Lang: t.Lang, HTML: html})
	}
	return o
}

func (s *Server) viewAgendaLine(reader *store.User, it *store.AgendaItem, lang string) agendaLine {
	l := agendaLine{ID: it.ID, Position: it.Position, Outcome: viewOutcome(it, lang),
		CanRecord: reader.IsModerator() && !it.HasOutcome()}
	l.By, l.Region = agendaByline(reader, it)
	if it.PublicDocID != nil && it.PublicDocTitle != nil {
		d := &store.Document{ID: *it.PublicDocID, Title: *it.PublicDocTitle}
		l.DocTitle, l.DocURL = d.Title, documentURL(d)
	}
	if reader.CanReadForum() {
		t := &store.Thread{ID: it.ThreadID, Title: it.ThreadTitle}
		l.Title, l.URL = t.Title, threadURL(t)
	} else {
		l.Title, l.URL = l.DocTitle, l.DocURL
	}
	return l
}

// addAgenda puts the meeting's agenda as the reader may see it into the
// event page's data, and the live topic and seq the page follows.
func (s *Server) addAgenda(r *http.Request, e *store.Event, data map[string]any) error {
	me := currentUser(r)
	topic := store.EventTopic(e.ID)
	// Read before the agenda, so that a change between the two is replayed, not lost.
	seq, err := s.store.TopicSeq(r.Context(), topic)
	if err != nil {
		return err
	}
	items, err := s.store.EventAgenda(r.Context(), e.ID, store.AccessFor(me))
	if err != nil {
		return err
	}
	lang := s.lang(r)
	lines := make([]agendaLine, len(items))
	for i := range items {
		lines[i] = s.viewAgendaLine(me, &items[i], lang)
		// Positions as the reader sees the list: 1 is first.
		if i > 0 {
			lines[i].UpTo = i
		}
		if i < len(items)-1 {
			lines[i].DownTo = i + 2
		}
	}
	data["Agenda"] = lines
	data["AgendaMembers"] = me.CanReadForum()
	data["AgendaModerator"] = me.IsModerator()
	data["LiveTopic"], data["LiveSeq"] = topic, seq
	return nil
}
