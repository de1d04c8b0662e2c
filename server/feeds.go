package server

import (
	"bytes"
	"fmt"
	"net/http"
	"time"

	"ideasx/server/feeds"
	"ideasx/server/i18n"
	"ideasx/server/markdown"
	"ideasx/store"
)

// Feeds are for the public: they are built as a visitor sees the site,
// whoever asks, so that a cached copy never carries members-only entries.
var publicAccess = store.Access{}

// feedLanguage is the language of a feed's own words (its title, the
// calendar's name). /fr/documents.atom is French for everyone; the address
// without a prefix follows Accept-Language alone, never the account or the
// switcher's cookie, so that a shared cache keyed on Vary: Accept-Language
// (which writeFeed sends) never hands one reader another's language.
func feedLanguage(r *http.Request) (lang string, negotiated bool) {
	if l := urlLang(r); l != "" {
		return l, false
	}
	return i18n.Match(r.Header.Get("Accept-Language")), true
}

// langPrefix is the path prefix of a language's own addresses.
func langPrefix(lang string) string { return "/" + lang }

// documentEntryID is a document's permanent Atom id: its address by number
// alone, which still leads to it, and which a new title (the slug) or a
// move to another language's feed does not change.
func (s *Server) documentEntryID(id int64) string {
	return fmt.Sprintf("%s/documents/%d", s.cfg.BaseURL, id)
}

// documentTextLang is the language of a document's title and summary as far
// as the site knows it: that of its files when they are all in one
// language, else unknown ("").
func documentTextLang(d *store.Document) string {
	if len(d.Langs) == 1 {
		return d.Langs[0]
	}
	return ""
}

func (s *Server) documentFeed(w http.ResponseWriter, r *http.Request) {
	docs, _, err := s.store.ListDocuments(r.Context(), store.DocFilter{Access: publicAccess, Limit: 50})
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	lang, negotiated := feedLanguage(r)
	l := s.tr.For(lang)
	base, own := s.cfg.BaseURL, s.cfg.BaseURL+langPrefix(lang)
	self := own + "/documents.atom"
	if negotiated {
		self = base + "/documents.atom"
	}
	feed := feeds.Feed{
		// One feed per language: the same entries under another title.
		ID: own + "/documents.atom", Title: l.T("site_name") + " — " + l.T("documents_title"), Subtitle: l.T("documents_description"),
		SelfURL: self, AltURL: own + "/documents", Lang: lang, Author: l.T("site_name"),
		Updated: s.store.Now(),
	}
	for i, d := range docs {
		if i == 0 {
			feed.Updated = d.UpdatedAt
		}
		published := d.CreatedAt
		if d.PublishedAt != nil {
			published = *d.PublishedAt
		}
		title := d.Title
		if d.Symbol != "" {
			title = d.Symbol + " — " + d.Title
		}
		feed.Entries = append(feed.Entries, feeds.Entry{
			ID: s.documentEntryID(d.ID), Title: title, URL: own + documentURL(&d), Lang: documentTextLang(&d),
			Summary: markdown.Excerpt(d.Summary, 600), Published: published, Updated: d.UpdatedAt, Categories: d.Tags,
		})
	}
	s.writeFeed(w, r, negotiated, own+"/documents.atom", "application/atom+xml; charset=utf-8",
		func(b *bytes.Buffer) error { return feeds.WriteAtom(b, feed) })
}

func (s *Server) sitemap(w http.ResponseWriter, r *http.Request) {
	var urls []feeds.URL
	// Every public page is listed once, in its x-default address, with its
	// three language versions as alternates.
	add := func(path string, lastMod time.Time) {
		alts := map[string]string{"x-default": s.cfg.BaseURL + path}
		for _, l := range i18n.Languages {
			alts[l] = s.cfg.BaseURL + langPrefix(l) + path
		}
		urls = append(urls, feeds.URL{Loc: s.cfg.BaseURL + path, LastMod: lastMod, Alternates: alts})
	}
	for _, p := range []string{"/", "/documents", "/events"} {
		add(p, time.Time{})
	}
	for offset := 0; offset < 45000; offset += 100 {
		docs, total, err := s.store.ListDocuments(r.Context(), store.DocFilter{Access: publicAccess, Limit: 100, Offset: offset})
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		for _, d := range docs {
			add(documentURL(&d), d.UpdatedAt)
		}
		if offset+100 >= total {
			break
		}
	}
	events, err := s.store.AllEvents(r.Context(), publicAccess)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	for _, e := range events {
		add(eventURL(&e), e.UpdatedAt)
	}
	s.writeFeed(w, r, false, "", "application/xml; charset=utf-8", func(b *bytes.Buffer) error { return feeds.WriteSitemap(b, urls) })
}

func (s *Server) eventCalendar(w http.ResponseWriter, r *http.Request) {
	events, err := s.store.AllEvents(r.Context(), publicAccess)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	lang, negotiated := feedLanguage(r)
	l := s.tr.For(lang)
	cal := feeds.Calendar{ProdID: "-//Ideas Exchange//ideasx//EN", Name: l.T("site_name") + " — " + l.T("events_title")}
	for i := range events {
		ev := s.calendarEvent(&events[i], lang)
		if err := s.withSessions(r.Context(), &ev, &events[i], lang); err != nil {
			s.serverError(w, r, err)
			return
		}
		cal.Events = append(cal.Events, ev)
	}
	s.writeFeed(w, r, negotiated, s.cfg.BaseURL+langPrefix(lang)+"/events.ics", "text/calendar; charset=utf-8",
		func(b *bytes.Buffer) error { return feeds.WriteICS(b, cal) })
}

// calendarEvent is e as a calendar holds it. Its UID is the event's number
// at the site's domain, the same in every language and in the site-wide
// feed, so that a client that has both updates one entry.
//
// The online link goes with the event to whoever may read the event, as on
// its page: the calendars are built for visitors (public events only), and
// an event's own .ics for its reader. A meeting that takes registrations
// has none here (the store reads it as empty for all but its organisers):
// its registrants get it, when it is time, with their own invitation.
func (s *Server) calendarEvent(e *store.Event, lang string) feeds.Event {
	ev := feeds.Event{
		UID: fmt.Sprintf("event-%d@%s", e.ID, s.cfg.Domain()), Summary: e.Title, Description: markdown.Excerpt(e.Programme, 2000),
		Location: e.Place, OnlineURL: e.OnlineURL, URL: s.cfg.BaseURL + langPrefix(lang) + eventURL(e),
		Start: e.StartsAt, End: e.EndsAt, AllDay: e.AllDay, Updated: e.UpdatedAt,
	}
	if e.AllDay {
		loc := e.Location()
		ev.Start = dayOf(e.StartsAt.In(loc))
		ev.End = dayOf(e.EndsAt.In(loc))
	}
	if e.CancelledAt != nil {
		// Subscribed calendars strike it through rather than drop it unseen.
		ev.Status = "CANCELLED"
	}
	return ev
}

// eventICS is one event's calendar file, for the "Add to calendar" link of
// its page: the reader gets it if they may read the event.
func (s *Server) eventICS(w http.ResponseWriter, r *http.Request) {
	e, ok := s.eventFromRef(w, r)
	if !ok {
		return
	}
	lang := s.lang(r)
	ev := s.calendarEvent(e, lang)
	if err := s.withSessions(r.Context(), &ev, e, lang); err != nil {
		s.serverError(w, r, err)
		return
	}
	cal := feeds.Calendar{ProdID: "-//Ideas Exchange//ideasx//EN", Events: []feeds.Event{ev}}
	var b bytes.Buffer
	if err := feeds.WriteICS(&b, cal); err != nil {
		s.serverError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/calendar; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="event-%d.ics"`, e.ID))
	if e.Visibility == store.Public {
		w.Header().Set("Cache-Control", "public, max-age=300")
	} else {
		w.Header().Set("Cache-Control", "private, no-store")
	}
	_, _ = w.Write(b.Bytes())
}

func dayOf(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

// writeFeed renders to memory first, so that an error is a clean 500 and not
// a truncated document. A negotiated feed (no language in its address) says
// that it varies with Accept-Language and where its language's own copy
// lives (Content-Location).
func (s *Server) writeFeed(w http.ResponseWriter, r *http.Request, negotiated bool, location, contentType string, write func(*bytes.Buffer) error) {
	var b bytes.Buffer
	if err := write(&b); err != nil {
		s.serverError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Cache-Control", "public, max-age=300")
	if negotiated {
		w.Header().Add("Vary", "Accept-Language")
		w.Header().Set("Content-Location", location)
	}
	_, _ = w.Write(b.Bytes())
}
