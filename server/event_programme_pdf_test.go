package server_test

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"ideasx/server/files"
	"ideasx/server/servertest"
	"ideasx/store"
)

// pdfText is the text a reader of the PDF would see, white space collapsed.
func pdfText(t *testing.T, r servertest.Response) string {
	t.Helper()
	kind, _ := files.KindOf("application/pdf")
	text, err := files.ExtractText(bytes.NewReader([]byte(r.Body)), int64(len(r.Body)), kind)
	if err != nil {
		t.Fatalf("extract the programme PDF: %v", err)
	}
	return text
}

func pdfMustContain(t *testing.T, who, text string, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if !strings.Contains(text, p) {
			t.Errorf("%s: the PDF lacks %q; it reads: %s", who, p, text)
		}
	}
}

// TestProgrammePDF: the printable programme reaches whoever reads the
// meeting page (a members-only meeting's is a 404 to others), in the
// address's language with the French fields and accents intact, shows the
// free text when no sessions are set, and never carries the online link.
func TestProgrammePDF(t *testing.T) {
	t.Parallel()
	forEachEngine(t, func(t *testing.T, app *servertest.App) {
		ctx := context.Background()
		w := seedProgramme(t, app)
		const secretLink = "https://meet.example/registrants-only-room"
		w.public.OnlineURL = secretLink
		if err := app.Store.SaveEvent(ctx, 0, w.public); err != nil {
			t.Fatal(err)
		}
		closing := store.EventSession{EventID: w.public.ID, StartsAt: w.public.EndsAt.Add(-30 * time.Minute), EndsAt: w.public.EndsAt,
			Title: "Closing session", TitleFR: "Séance de clôture", TitleES: "Sesión de clausura", Venue: "Salle des Pas Perdus"}
		if err := app.Store.SaveEventSession(ctx, 0, &closing); err != nil {
			t.Fatal(err)
		}

		for role, c := range signedInClients(t, app) {
			members := role == "business" || role == "member" || role == "moderator" || role == "admin"
			got := c.Get(eventPage(w.public) + "/programme.pdf")
			if got.Status != http.StatusOK || got.Header.Get("Content-Type") != "application/pdf" {
				t.Fatalf("%s: public programme PDF: got %d %q", role, got.Status, got.Header.Get("Content-Type"))
			}
			if cc := got.Header.Get("Cache-Control"); !strings.Contains(cc, "no-store") {
				t.Errorf("%s: Cache-Control %q, want no-store as on the meeting page", role, cc)
			}
			text := pdfText(t, got)
			if strings.Contains(text, "meet.example") || strings.Contains(got.Body, "meet.example") {
				t.Errorf("%s: the PDF carries the online link", role)
			}
			closed := c.Get(eventPage(w.members) + "/programme.pdf")
			if members != (closed.Status == http.StatusOK) {
				t.Errorf("%s: members-only programme PDF: got %d", role, closed.Status)
			}
			if members {
				pdfMustContain(t, role, pdfText(t, closed), "Delegates breakfast", "Closed breakfast talk", "Quiet Delegate", "Closed Circle Foundation", "Side events", "Impact Lab")
			} else if strings.Contains(closed.Body, "Closed breakfast talk") || closed.Header.Get("Content-Type") == "application/pdf" {
				t.Errorf("%s: the members-only programme leaks", role)
			}
		}

		visitor := app.Client()
		en := pdfText(t, visitor.Get("/en"+eventPage(w.public)+"/programme.pdf"))
		pdfMustContain(t, "en", en, "MSME Day 2030", "Programme", "A day on trade for small firms.", "Co-organised with", "International Trade Centre",
			"Times are Europe/Zurich time (CEST).", "Morning", "Afternoon", "10:00–10:10 CEST", "Opening remarks", "Alan Wolff, Deputy Director-General, WTO",
			"15:20–16:00 CEST", "Impact investment", "Venue: Room W", "Interpretation: English, Français", "Speaker", "Freda Ampofo, Founder, Kaeme",
			"Moderator", "Crispin Conroy, Permanent Observer, ICC", "Closing session", "Where", "Online", "Page 1 of 1")
		if opening, impact := strings.Index(en, "Opening remarks"), strings.Index(en, "Impact investment"); opening > impact {
			t.Errorf("en: sessions out of time order: opening at %d, impact investment at %d", opening, impact)
		}

		frResp := visitor.Get("/fr" + eventPage(w.public) + "/programme.pdf")
		if frResp.Header.Get("Content-Language") != "fr" {
			t.Errorf("fr: Content-Language %q", frResp.Header.Get("Content-Language"))
		}
		fr := pdfText(t, frResp)
		pdfMustContain(t, "fr", fr, "Séance de clôture", "Salle des Pas Perdus", "Investissement d'impact", "Freda Ampofo, Fondatrice, Kaeme",
			"Centre du commerce international", "Après-midi", "Modération", "En ligne")
		if strings.Contains(fr, "Closing session") {
			t.Errorf("fr: the English session title shows in the French PDF")
		}
		es := pdfText(t, visitor.Get("/es"+eventPage(w.public)+"/programme.pdf"))
		pdfMustContain(t, "es", es, "Sesión de clausura", "Programa")

		// No sessions: the free programme text is the programme.
		side := pdfText(t, visitor.Get(eventPage(w.side)+"/programme.pdf"))
		pdfMustContain(t, "side event", side, "Impact Lab", "Programme", "Held at the ITC.")
		if strings.Contains(side, "Delegates breakfast") {
			t.Errorf("the side event's PDF names its members-only main event to a visitor")
		}

		// The meeting page links its PDF, in the page's language.
		mustContain(t, visitor.Get("/fr"+eventPage(w.public)), "/fr"+eventPage(w.public)+"/programme.pdf", "Programme (PDF)")
		mustContain(t, visitor.Get(eventPage(w.public)), `href="`+eventPage(w.public)+`/programme.pdf"`)
	})
}
