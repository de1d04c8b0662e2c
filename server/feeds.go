package server

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"
	"time"

	"ideasx/server/feeds"
	"ideasx/server/markdown"
	"ideasx/store"
)

// Feeds are for the public: they are built as a visitor sees the site,
// whoever asks, so that a cached copy never carries members-only entries.
var publicAccess = store.Access{}

func (s *Server) documentFeed(w http.ResponseWriter, r *http.Request) {
	docs, _, err := s.store.ListDocuments(r.Context(), store.DocFilter{Access: publicAccess, Limit: 50})
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	l := s.localizer(r)
	feed := feeds.Feed{
		ID: s.cfg.BaseURL + "/documents", Title: l.T("site_name") + " — " + l.T("documents_title"), Subtitle: l.T("documents_description"),
		SelfURL: s.cfg.BaseURL + "/documents.atom", AltURL: s.cfg.BaseURL + "/documents", Lang: l.Lang(), Author: l.T("site_name"),
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
			ID: s.cfg.BaseURL + documentURL(&d), Title: title, URL: s.cfg.BaseURL + documentURL(&d),
			Summary: markdown.Excerpt(d.Summary, 600), Published: published, Updated: d.UpdatedAt, Categories: d.Tags,
		})
	}
	s.writeFeed(w, r, "application/atom+xml; charset=utf-8", func(b *bytes.Buffer) error { return feeds.WriteAtom(b, feed) })
}

func (s *Server) sitemap(w http.ResponseWriter, r *http.Request) {
	urls := []feeds.URL{{Loc: s.cfg.BaseURL + "/"}, {Loc: s.cfg.BaseURL + "/documents"}, {Loc: s.cfg.BaseURL + "/events"}}
	for offset := 0; offset < 45000; offset += 100 {
		docs, total, err := s.store.ListDocuments(r.Context(), store.DocFilter{Access: publicAccess, Limit: 100, Offset: offset})
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		for _, d := range docs {
			urls = append(urls, feeds.URL{Loc: s.cfg.BaseURL + documentURL(&d), LastMod: d.UpdatedAt})
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
		urls = append(urls, feeds.URL{Loc: s.cfg.BaseURL + eventURL(&e), LastMod: e.UpdatedAt})
	}
	s.writeFeed(w, r, "application/xml; charset=utf-8", func(b *bytes.Buffer) error { return feeds.WriteSitemap(b, urls) })
}

func (s *Server) eventCalendar(w http.ResponseWriter, r *http.Request) {
	events, err := s.store.AllEvents(r.Context(), publicAccess)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	l := s.localizer(r)
	host := strings.TrimPrefix(strings.TrimPrefix(s.cfg.BaseURL, "https://"), "http://")
	cal := feeds.Calendar{ProdID: "-//Ideas Exchange//ideasx//EN", Name: l.T("site_name") + " — " + l.T("events_title")}
	for _, e := range events {
		location := e.Place
		if location == "" {
			location = e.OnlineURL
		}
		ev := feeds.Event{
			UID: fmt.Sprintf("event-%d@%s", e.ID, host), Summary: e.Title, Description: markdown.Excerpt(e.Programme, 2000),
			Location: location, URL: s.cfg.BaseURL + eventURL(&e), Start: e.StartsAt, End: e.EndsAt, AllDay: e.AllDay, Updated: e.UpdatedAt,
		}
		if e.AllDay {
			loc := e.Location()
			ev.Start = dayOf(e.StartsAt.In(loc))
			ev.End = dayOf(e.EndsAt.In(loc))
		}
		cal.Events = append(cal.Events, ev)
	}
	s.writeFeed(w, r, "text/calendar; charset=utf-8", func(b *bytes.Buffer) error { return feeds.WriteICS(b, cal) })
}

func dayOf(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

// writeFeed renders to memory first, so that an error is a clean 500 and not a truncated document.
func (s *Server) writeFeed(w http.ResponseWriter, r *http.Request, contentType string, write func(*bytes.Buffer) error) {
	var b bytes.Buffer
	if err := write(&b); err != nil {
		s.serverError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Cache-Control", "public, max-age=300")
	_, _ = w.Write(b.Bytes())
}
