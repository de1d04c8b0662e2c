package server

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/go-pdf/fpdf"

	"ideasx/server/i18n"
	"ideasx/server/markdown"
	"ideasx/store"
)

// eventProgrammePDF is a meeting's programme as a PDF in the reader's
// language (or the address's: /fr/events/12-x/programme.pdf), for those who
// print or forward it. The same people read it as the meeting page, and
// like that page it is not stored by caches, since its language follows
// the reader's account and cookie.
func (s *Server) eventProgrammePDF(w http.ResponseWriter, r *http.Request) {
	e, ok := s.eventFromRef(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	access := store.AccessFor(currentUser(r))
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
	sides, err := s.store.SideEvents(ctx, e.ID, access)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	p := programmeDoc{Event: e, Sessions: sessions, CoOrganisers: orgs, SideEvents: sides,
		L: s.localizer(r), URL: s.cfg.BaseURL + withURLLang(r, eventURL(e))}
	if e.MainEventID != nil {
		main, err := s.store.EventByID(ctx, *e.MainEventID, access)
		switch {
		case errors.Is(err, store.ErrNotFound):
			// A members-only main event stays unnamed to visitors.
		case err != nil:
			s.serverError(w, r, err)
			return
		default:
			p.MainEvent = main
		}
	}
	out, err := p.render()
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Language", p.L.Lang())
	w.Header().Set("Content-Disposition", fmt.Sprintf(`inline; filename="programme-%d-%s.pdf"`, e.ID, p.L.Lang()))
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(out)
}

// programmeDoc is what the PDF shows: the meeting page's facts and
// timetable, never its online link (which may be for registrants only).
type programmeDoc struct {
	Event        *store.Event
	MainEvent    *store.Event
	Sessions     []store.EventSession
	CoOrganisers []store.CoOrganiser
	SideEvents   []store.Event
	L            *i18n.Localizer
	URL          string // the meeting page, printed in the footer
}

// Layout, in millimetres on A4.
const (
	pdfMargin    = 18
	pdfTimeWidth = 34 // the time column of the timetable
	pdfLine      = 5.2
)

// render lays the programme out with fpdf's core Helvetica, which needs no
// font file: text goes through its UTF-8 to Windows-1252 translator, which
// covers French and Spanish (é, ñ, ç, œ, «», –); a character outside that
// code page prints as ".".
func (p programmeDoc) render() ([]byte, error) {
	e, l := p.Event, p.L
	loc := e.Location()
	doc := fpdf.New("P", "mm", "A4", "")
	tr := doc.UnicodeTranslatorFromDescriptor("")
	doc.SetTitle(e.Title+" — "+l.T("programme_title"), true)
	doc.SetCreator("Ideas Exchange", true)
	doc.SetLang(l.Lang())
	doc.SetMargins(pdfMargin, pdfMargin, pdfMargin)
	doc.SetAutoPageBreak(true, pdfMargin+6)
	doc.AliasNbPages("{nb}")
	doc.SetFooterFunc(func() {
		doc.SetY(-pdfMargin)
		doc.SetFont("Helvetica", "", 8)
		doc.SetTextColor(100, 100, 100)
		doc.CellFormat(0, 4, tr(p.URL), "", 0, "L", false, 0, "")
		doc.SetX(pdfMargin)
		doc.CellFormat(0, 4, tr(l.T("programme_pdf_page", "N", doc.PageNo(), "Total", "{nb}")), "", 0, "R", false, 0, "")
		doc.SetTextColor(0, 0, 0)
	})
	doc.AddPage()

	text := func(style string, size float64, s string) {
		doc.SetFont("Helvetica", style, size)
		doc.MultiCell(0, pdfLine*size/10.5, tr(s), "", "L", false)
	}
	// The facts' labels get a column as wide as the longest of them needs.
	labelWidth := float64(pdfTimeWidth)
	doc.SetFont("Helvetica", "B", 10.5)
	for _, id := range []string{"event_when", "event_where", "programme_co_organisers", "programme_side_event_of"} {
		labelWidth = max(labelWidth, doc.GetStringWidth(tr(l.T(id)))+3)
	}
	fact := func(label, value string) {
		if value == "" {
			return
		}
		doc.SetFont("Helvetica", "B", 10.5)
		doc.CellFormat(labelWidth, pdfLine, tr(label), "", 0, "L", false, 0, "")
		doc.SetFont("Helvetica", "", 10.5)
		doc.MultiCell(0, pdfLine, tr(value), "", "L", false)
	}
	heading := func(size float64, s string) {
		doc.Ln(3)
		text("B", size, s)
		doc.Ln(1)
	}

	text("B", 18, e.Title)
	doc.Ln(2)
	if e.CancelledAt != nil {
		doc.SetTextColor(160, 0, 0)
		text("B", 11, l.T("event_cancelled_notice"))
		doc.SetTextColor(0, 0, 0)
		doc.Ln(1)
	}
	when := l.TimeRange(e.StartsAt, e.EndsAt, loc) + " (" + e.Timezone + ")"
	if e.AllDay {
		when = l.Date(e.StartsAt.In(loc))
		if end := l.Date(e.EndsAt.In(loc)); end != when {
			when += " – " + end
		}
	}
	fact(l.T("event_when"), when)
	switch {
	case e.Place != "":
		fact(l.T("event_where"), e.Place)
	case e.OnlineURL != "":
		// Only that it is online: the link itself may be for registrants.
		fact(l.T("event_where"), l.T("event_online"))
	}
	names := make([]string, len(p.CoOrganisers))
	for i, o := range coOrganiserLines(p.CoOrganisers, l.Lang()) {
		names[i] = o.Name
	}
	fact(l.T("programme_co_organisers"), strings.Join(names, ", "))
	if p.MainEvent != nil {
		fact(l.T("programme_side_event_of"), p.MainEvent.Title)
	}

	// The free text introduces the timetable, or is the programme when no
	// sessions are set, as on the page.
	if intro := plainParagraphs(e.Programme); len(intro) > 0 || len(p.Sessions) == 0 {
		heading(14, l.T("programme_title"))
		for _, para := range intro {
			text("", 10.5, para)
			doc.Ln(2)
		}
	}
	if tt := buildTimetable(e, p.Sessions, l.Lang()); tt != nil {
		if len(plainParagraphs(e.Programme)) == 0 {
			heading(14, l.T("programme_title"))
		}
		doc.SetTextColor(90, 90, 90)
		text("I", 9.5, l.T("programme_times_in", "Zone", tt.Zone, "Abbrev", tt.Abbrev))
		doc.SetTextColor(0, 0, 0)
		p.timetable(doc, tr, tt)
	}

	if len(p.SideEvents) > 0 {
		heading(13, l.T("programme_side_events"))
		for _, side := range p.SideEvents {
			text("B", 10.5, side.Title)
			line := l.TimeRange(side.StartsAt, side.EndsAt, side.Location())
			if side.Place != "" {
				line += " · " + side.Place
			}
			text("", 9.5, line)
			doc.Ln(1.5)
		}
	}

	var buf bytes.Buffer
	if err := doc.Output(&buf); err != nil {
		return nil, fmt.Errorf("programme PDF: %w", err)
	}
	return buf.Bytes(), nil
}

// timetable writes the sessions by day and part of day: the time on the
// left, the session on the right, as the page and the newsletter set it.
func (p programmeDoc) timetable(doc *fpdf.Fpdf, tr func(string) string, tt *timetable) {
	l := p.L
	descriptions := map[int64]string{}
	for _, s := range p.Sessions {
		descriptions[s.ID] = strings.Join(plainParagraphs(store.InLanguage(l.Lang(), s.Description, s.DescriptionFR, s.DescriptionES)), "\n")
	}
	body := float64(pdfMargin + pdfTimeWidth)
	for _, day := range tt.Days {
		if len(tt.Days) > 1 {
			doc.Ln(3)
			doc.SetFont("Helvetica", "B", 13)
			doc.MultiCell(0, 7, tr(l.Date(day.Date)), "", "L", false)
		}
		for _, part := range day.Parts {
			if part.NameID != "" {
				doc.Ln(2)
				doc.SetFont("Helvetica", "B", 11.5)
				doc.SetTextColor(60, 60, 60)
				doc.MultiCell(0, 6, tr(l.T(part.NameID)), "", "L", false)
				doc.SetTextColor(0, 0, 0)
			}
			for _, slot := range part.Slots {
				// Keep a session's time and title together on one page.
				pageW, pageH := doc.GetPageSize()
				if doc.GetY() > pageH-pdfMargin-6-20 {
					doc.AddPage()
				}
				doc.Ln(1.5)
				x, y := doc.GetXY()
				doc.SetDrawColor(200, 200, 200)
				doc.Line(x, y, pageW-pdfMargin, y)
				doc.Ln(1.5)
				doc.SetFont("Helvetica", "B", 10.5)
				doc.CellFormat(pdfTimeWidth, pdfLine, tr(slot.Starts.Format("15:04")+"–"+slot.Ends.Format("15:04")+" "+tt.Abbrev), "", 0, "L", false, 0, "")
				doc.SetLeftMargin(body)
				doc.MultiCell(0, pdfLine+0.4, tr(slot.Title), "", "L", false)
				doc.SetFont("Helvetica", "", 9.5)
				var meta []string
				if slot.Venue != "" {
					meta = append(meta, l.T("programme_venue")+l.T("programme_label_sep")+slot.Venue)
				}
				if len(slot.Languages) > 0 {
					langs := make([]string, len(slot.Languages))
					for i, code := range slot.Languages {
						langs[i] = i18n.LanguageName(code)
					}
					meta = append(meta, l.T("programme_interpretation")+l.T("programme_label_sep")+strings.Join(langs, ", "))
				}
				if len(meta) > 0 {
					doc.SetTextColor(70, 70, 70)
					doc.MultiCell(0, pdfLine-0.4, tr(strings.Join(meta, " · ")), "", "L", false)
					doc.SetTextColor(0, 0, 0)
				}
				if d := descriptions[slot.ID]; d != "" {
					doc.Ln(0.8)
					doc.MultiCell(0, pdfLine-0.4, tr(d), "", "L", false)
				}
				for _, g := range slot.Groups {
					doc.Ln(0.8)
					doc.SetFont("Helvetica", "B", 9.5)
					doc.MultiCell(0, pdfLine-0.4, tr(l.T(g.LabelID)), "", "L", false)
					for _, person := range g.People {
						line := person.Name
						for _, more := range []string{person.Title, person.Organisation} {
							if more != "" {
								line += ", " + more
							}
						}
						doc.SetFont("Helvetica", "", 9.5)
						doc.MultiCell(0, pdfLine-0.4, tr(line), "", "L", false)
					}
				}
				doc.SetLeftMargin(pdfMargin)
				doc.SetX(pdfMargin)
				doc.Ln(1)
			}
		}
	}
}

// plainParagraphs is Markdown as plain text, one string per paragraph (a
// list becomes one line, its items separated by "; "), for the PDF.
func plainParagraphs(src string) []string {
	var out []string
	for _, block := range strings.Split(strings.ReplaceAll(src, "\r\n", "\n"), "\n\n") {
		if t := markdown.Excerpt(block, len(block)+1); strings.TrimSpace(t) != "" {
			out = append(out, t)
		}
	}
	return out
}
