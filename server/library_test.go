package server_test

import (
	"bytes"
	"context"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"
	"github.com/mmcdole/gofeed"

	"ideasx/server/files"
	"ideasx/server/servertest"
	"ideasx/store"
	"ideasx/store/storetest"
)

// library holds one document of each kind a reader may or may not see.
type library struct {
	public, members, draft, derestricted, restricted *store.Document
	publicFile, membersFile                          *store.DocFile
	publicEvent, membersEvent                        *store.Event
}

func seedLibrary(t *testing.T, app *servertest.App) library {
	t.Helper()
	ctx := context.Background()
	save := func(d store.Document) *store.Document {
		if d.DocDate.IsZero() {
			d.DocDate = time.Date(2019, 6, 27, 0, 0, 0, 0, time.UTC)
		}
		if d.Status == "" {
			d.Status = store.Published
		}
		if err := app.Store.SaveDocument(ctx, 0, &d); err != nil {
			t.Fatal(err)
		}
		return &d
	}
	past, future := time.Now().Add(-24*time.Hour), time.Now().Add(24*time.Hour)
	lib := library{
		public:       save(store.Document{Title: "Open report on customs", Symbol: "INF/MSME/R/1", Visibility: store.Public, Summary: "Customs procedures for small exporters."}),
		members:      save(store.Document{Title: "Secret delegates note", Symbol: "INF/MSME/W/99", Visibility: store.MembersOnly, Summary: "Confidential customs discussion."}),
		draft:        save(store.Document{Title: "Unfinished draft summary", Status: store.Draft, Visibility: store.Public, Summary: "customs draft"}),
		derestricted: save(store.Document{Title: "Formerly restricted study", Visibility: store.MembersOnly, DerestrictAt: &past, Summary: "customs study"}),
		restricted:   save(store.Document{Title: "Still restricted memo", Visibility: store.MembersOnly, DerestrictAt: &future, Summary: "customs memo"}),
	}
	pdf, err := files.GeneratePDF("Open report", "Customs procedures for small exporters in Geneva.")
	if err != nil {
		t.Fatal(err)
	}
	add := func(d *store.Document) *store.DocFile {
		f, err := app.Store.AddFile(ctx, 0, store.NewFile{DocumentID: d.ID, Lang: "en", Filename: "report.pdf", ContentType: "application/pdf"}, bytes.NewReader(pdf))
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	lib.publicFile, lib.membersFile = add(lib.public), add(lib.members)
	lib.publicEvent = &store.Event{Title: "Open meeting on customs", StartsAt: time.Now().Add(48 * time.Hour), EndsAt: time.Now().Add(50 * time.Hour),
		Timezone: "Europe/Zurich", Visibility: store.Public, DocumentIDs: []int64{lib.public.ID, lib.members.ID}}
	lib.membersEvent = &store.Event{Title: "Delegates retreat", StartsAt: time.Now().Add(72 * time.Hour), EndsAt: time.Now().Add(74 * time.Hour),
		Timezone: "Europe/Zurich", Visibility: store.MembersOnly}
	for _, e := range []*store.Event{lib.publicEvent, lib.membersEvent} {
		if err := app.Store.SaveEvent(ctx, 0, e); err != nil {
			t.Fatal(err)
		}
	}
	return lib
}

func docPath(d *store.Document) string { return fmt.Sprintf("/documents/%d", d.ID) }

func filePath(f *store.DocFile) string {
	return fmt.Sprintf("/documents/%d/files/%d/%s", f.DocumentID, f.ID, f.Filename)
}

// TestLibraryVisibilityByRole checks, for each kind of reader, every path
// a document's title or content could leave by.
func TestLibraryVisibilityByRole(t *testing.T) {
	t.Parallel()
	forEachEngine(t, func(t *testing.T, app *servertest.App) {
		lib := seedLibrary(t, app)
		clients := signedInClients(t, app)
		type want struct{ public, members, draft, derestricted, restricted bool }
		expect := map[string]want{
			"visitor":   {true, false, false, true, false},
			"pending":   {true, false, false, true, false},
			"suspended": {true, false, false, true, false},
			"business":  {true, true, false, true, true},
			"member":    {true, true, false, true, true},
			"moderator": {true, true, true, true, true},
			"admin":     {true, true, true, true, true},
		}
		for role, w := range expect {
			c := clients[role]
			list := c.Get("/documents").Body
			search := c.Get("/search?q=customs").Body
			apiList := c.Get("/api/v1/documents").Body
			apiSearch := c.Get("/api/v1/search?q=customs").Body
			for _, d := range []struct {
				doc     *store.Document
				visible bool
				listed  bool
			}{
				{lib.public, w.public, true}, {lib.members, w.members, true}, {lib.draft, w.draft, false},
				{lib.derestricted, w.derestricted, true}, {lib.restricted, w.restricted, true},
			} {
				status := c.Get(docPath(d.doc)).Status
				if d.visible && status != http.StatusMovedPermanently || !d.visible && status != http.StatusNotFound {
					t.Errorf("%s opening %q: got %d", role, d.doc.Title, status)
				}
				if got := c.Get(fmt.Sprintf("/api/v1/documents/%d", d.doc.ID)).Status; got != map[bool]int{true: 200, false: 404}[d.visible] {
					t.Errorf("%s API %q: got %d", role, d.doc.Title, got)
				}
				inList := d.visible && d.listed
				for name, body := range map[string]string{"list": list, "search": search, "API list": apiList, "API search": apiSearch} {
					if strings.Contains(body, d.doc.Title) != inList {
						t.Errorf("%s: %q in the %s is %v, want %v", role, d.doc.Title, name, !inList, inList)
					}
				}
			}
			if got := c.Get(filePath(lib.membersFile)).Status; got != map[bool]int{true: 200, false: 404}[w.members] {
				t.Errorf("%s downloading the members' file: got %d", role, got)
			}
			if got := c.Get(filePath(lib.publicFile)).Status; got != http.StatusOK {
				t.Errorf("%s downloading the public file: got %d", role, got)
			}
			for _, path := range []string{"/events", "/api/v1/events"} {
				if strings.Contains(c.Get(path).Body, "Delegates retreat") != w.members {
					t.Errorf("%s sees the members' event on %s: %v", role, path, !w.members)
				}
			}
			if got := c.Get(fmt.Sprintf("/api/v1/events/%d", lib.membersEvent.ID)).Status; got != map[bool]int{true: 200, false: 404}[w.members] {
				t.Errorf("%s API members' event: got %d", role, got)
			}
			// Feeds are public whoever asks: a cached copy never holds members-only entries.
			for _, feed := range []string{"/documents.atom", "/sitemap.xml", "/events.ics"} {
				body := c.Get(feed).Body
				for _, secret := range []string{lib.members.Title, lib.restricted.Title, lib.draft.Title, "Delegates retreat"} {
					if strings.Contains(body, secret) {
						t.Errorf("%s: %s carries %q", role, feed, secret)
					}
				}
			}
		}
	})
}

func TestDocumentPageShowsRevisionsAndDownloads(t *testing.T) {
	t.Parallel()
	app := servertest.New(t, storetest.SQLite, nil)
	ctx := context.Background()
	old := store.Document{Title: "Work programme", Symbol: "INF/MSME/W/1/Rev.1", DocDate: time.Date(2018, 6, 1, 0, 0, 0, 0, time.UTC), Visibility: store.Public, Status: store.Published}
	if err := app.Store.SaveDocument(ctx, 0, &old); err != nil {
		t.Fatal(err)
	}
	cur := store.Document{Title: "Work programme, revised", Symbol: "INF/MSME/W/1/Rev.2", DocDate: time.Date(2018, 11, 1, 0, 0, 0, 0, time.UTC),
		Visibility: store.Public, Status: store.Published, RevisesID: &old.ID, Summary: "The **current** programme."}
	if err := app.Store.SaveDocument(ctx, 0, &cur); err != nil {
		t.Fatal(err)
	}
	c := app.Client()
	r := c.Get(docPath(&old))
	if r.Status != http.StatusMovedPermanently {
		t.Fatalf("short URL: got %d, want a redirect to the canonical one", r.Status)
	}
	page := c.Get(r.Location)
	mustContain(t, page, "A newer revision of this document exists", "INF/MSME/W/1/Rev.2", "<title>Work programme · Ideas Exchange</title>")
	page = c.Get(strings.Replace(r.Location, fmt.Sprint(old.ID)+"-work-programme", fmt.Sprint(cur.ID)+"-work-programme-revised", 1))
	mustContain(t, page, "<strong>current</strong>", "INF/MSME/W/1/Rev.1", `<meta name="description" content="The current programme.">`)
	if strings.Contains(page.Body, "A newer revision") {
		t.Error("the current revision says a newer one exists")
	}
}

func upload(t *testing.T, c *servertest.Client, docID int64, lang, name string, content []byte) servertest.Response {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	if lang != "" {
		_ = mw.WriteField("lang", lang)
	}
	if name != "" || content != nil {
		fw, _ := mw.CreateFormFile("file", name)
		_, _ = fw.Write(content)
	}
	_ = mw.Close()
	return c.Do(http.MethodPost, fmt.Sprintf("/moderation/documents/%d/files", docID), &body, mw.FormDataContentType())
}

func TestUploadChecks(t *testing.T) {
	t.Parallel()
	forEachEngine(t, func(t *testing.T, app *servertest.App) {
		app.CreateUser("mod@x.example", store.RoleModerator, "Secretariat", store.OrgSecretariat)
		mod := app.Client()
		mod.SignIn("mod@x.example")
		d := store.Document{Title: "Uploads", DocDate: time.Now(), Visibility: store.Public, Status: store.Published}
		if err := app.Store.SaveDocument(context.Background(), 0, &d); err != nil {
			t.Fatal(err)
		}
		pdf, _ := files.GeneratePDF("Upload test", "Première version du rapport.")
		big := append(append([]byte{}, pdf...), bytes.Repeat([]byte{' '}, 26<<20)...)
		for _, c := range []struct {
			name, filename, lang string
			content              []byte
			status               int
			message              string
		}{
			{"26 MB", "big.pdf", "en", big, http.StatusRequestEntityTooLarge, "larger than 25 MB"},
			{"HTML renamed .pdf", "report.pdf", "en", []byte("<!doctype html><html><script>alert(1)</script></html>"), http.StatusUnprocessableEntity, "not accepted"},
			{"SVG", "chart.svg", "en", []byte(`<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>`), http.StatusUnprocessableEntity, "not accepted"},
			{"empty", "empty.pdf", "en", []byte{}, http.StatusUnprocessableEntity, "empty"},
			{"no language", "report.pdf", "", pdf, http.StatusUnprocessableEntity, "language"},
		} {
			r := upload(t, mod, d.ID, c.lang, c.filename, c.content)
			if r.Status != c.status || !strings.Contains(r.Body, c.message) {
				t.Errorf("%s: got %d, want %d with %q", c.name, r.Status, c.status, c.message)
			}
		}
		if files, _ := app.Store.DocumentFiles(context.Background(), d.ID); len(files) != 0 {
			t.Fatalf("refused uploads stored %d files", len(files))
		}

		// Control characters in the part's header make the form unreadable: refused, nothing kept.
		if r := upload(t, mod, d.ID, "fr", "bell\x07.pdf", pdf); r.Status != http.StatusBadRequest || !strings.Contains(r.Body, "could not be read") {
			t.Errorf("control characters in the name: got %d", r.Status)
		}
		r := upload(t, mod, d.ID, "fr", "../../etc/passwd.exe", pdf)
		if r.Status != http.StatusSeeOther {
			t.Fatalf("good upload: got %d\n%s", r.Status, r.Body)
		}
		pdf2, _ := files.GeneratePDF("Upload test", "Deuxième version du rapport.")
		if r := upload(t, mod, d.ID, "fr", "rapport.pdf", pdf2); r.Status != http.StatusSeeOther {
			t.Fatalf("second upload: got %d", r.Status)
		}
		all, _ := app.Store.DocumentFiles(context.Background(), d.ID)
		if len(all) != 2 || all[0].Version != 2 || all[1].Version != 1 {
			t.Fatalf("versions: %+v", all)
		}
		if all[1].Filename != "passwd.pdf" {
			t.Errorf("unsafe name stored as %q, want passwd.pdf", all[1].Filename)
		}
		visitor := app.Client()
		dl := visitor.Get(filePath(&all[0]))
		if dl.Status != http.StatusOK || dl.Body != string(pdf2) {
			t.Errorf("current version: got %d, %d bytes", dl.Status, len(dl.Body))
		}
		for h, want := range map[string]string{"Content-Type": "application/pdf", "X-Content-Type-Options": "nosniff", "Content-Disposition": "rapport.pdf"} {
			if !strings.Contains(dl.Header.Get(h), want) {
				t.Errorf("%s: got %q, want %q", h, dl.Header.Get(h), want)
			}
		}
		if got := visitor.Get(filePath(&all[1])).Status; got != http.StatusNotFound {
			t.Errorf("visitor downloading version 1: got %d, want 404", got)
		}
		if got := mod.Get(filePath(&all[1])); got.Status != http.StatusOK || got.Body != string(pdf) {
			t.Errorf("moderator downloading version 1: got %d", got.Status)
		}
		// Range requests, for resuming and for PDF viewers.
		visitor.Header.Set("Range", "bytes=0-3")
		if part := visitor.Get(filePath(&all[0])); part.Status != http.StatusPartialContent || part.Body != "%PDF" {
			t.Errorf("range: got %d %q", part.Status, part.Body)
		}
		visitor.Header.Del("Range")
		if hits, _ := app.Store.SearchDocuments(context.Background(), "deuxieme", store.SearchFilter{}); len(hits) != 1 {
			t.Errorf("the uploaded PDF's text is not searchable (%d hits)", len(hits))
		}
	})
}

func TestDocumentFormChecksInput(t *testing.T) {
	t.Parallel()
	forEachEngine(t, func(t *testing.T, app *servertest.App) {
		app.CreateUser("mod@x.example", store.RoleModerator, "Secretariat", store.OrgSecretariat)
		mod := app.Client()
		mod.SignIn("mod@x.example")
		good := url.Values{"title": {"Report"}, "symbol": {"INF/MSME/R/10"}, "date": {"2019-06-28"}, "visibility": {"public"}, "summary": {"Text"}, "tags": {"Customs, customs ,E-commerce"}}
		r := mod.Post("/moderation/documents", good)
		if r.Status != http.StatusSeeOther {
			t.Fatalf("create: got %d\n%s", r.Status, r.Body)
		}
		for _, c := range []struct {
			name, field, value, message string
		}{
			{"no title", "title", "", "Please fill in"},
			{"symbol taken", "symbol", "INF/MSME/R/10", "already has this symbol"},
			{"bad date", "date", "28/06/2019", "valid date"},
			{"unknown visibility", "visibility", "secret", "choose one"},
			{"unknown revision", "revises", "INF/NOPE/1", "No document has this symbol"},
			{"derestriction of a public document", "derestrict", "2030-01-01", "only applies"},
		} {
			form := url.Values{}
			for k, v := range good {
				form[k] = v
			}
			form.Set(c.field, c.value)
			r := mod.Post("/moderation/documents", form)
			if r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, c.message) {
				t.Errorf("%s: got %d, want 422 with %q", c.name, r.Status, c.message)
			}
		}
		docs, total, _ := app.Store.ListDocuments(context.Background(), store.DocFilter{Access: store.Access{Members: true, Curator: true}, Status: store.Draft})
		if total != 1 || strings.Join(docs[0].Tags, "|") != "customs|e-commerce" {
			t.Errorf("got %d drafts with tags %v, want one with customs|e-commerce", total, docs[0].Tags)
		}
	})
}

func TestDerestrictionNeedsNobody(t *testing.T) {
	t.Parallel()
	app := servertest.New(t, storetest.SQLite, nil)
	ctx := context.Background()
	soon := time.Now().Add(time.Hour)
	d := store.Document{Title: "Embargoed note", Visibility: store.MembersOnly, Status: store.Published, DerestrictAt: &soon, DocDate: time.Now()}
	if err := app.Store.SaveDocument(ctx, 0, &d); err != nil {
		t.Fatal(err)
	}
	c := app.Client()
	check := func(want bool) {
		t.Helper()
		for path, body := range map[string]string{"list": c.Get("/documents").Body, "search": c.Get("/search?q=embargoed").Body,
			"feed": c.Get("/documents.atom").Body, "sitemap": c.Get("/sitemap.xml").Body} {
			if (strings.Contains(body, "Embargoed note") || strings.Contains(body, "-embargoed-note")) != want {
				t.Errorf("%s shows the note: %v, want %v", path, !want, want)
			}
		}
	}
	check(false)
	app.Store.SetClock(func() time.Time { return time.Now().Add(2 * time.Hour) })
	check(true)
	if got := c.Get(docPath(&d)).Status; got != http.StatusMovedPermanently {
		t.Errorf("page after the date: got %d", got)
	}
}

func TestFeedsParse(t *testing.T) {
	t.Parallel()
	app := servertest.New(t, storetest.SQLite, nil)
	lib := seedLibrary(t, app)
	c := app.Client()
	atom := c.Get("/documents.atom")
	if !strings.HasPrefix(atom.Header.Get("Content-Type"), "application/atom+xml") {
		t.Errorf("atom content type: %s", atom.Header.Get("Content-Type"))
	}
	feed, err := gofeed.NewParser().ParseString(atom.Body)
	if err != nil {
		t.Fatalf("atom does not parse: %v", err)
	}
	titles := map[string]bool{}
	for _, it := range feed.Items {
		titles[it.Title] = true
	}
	if !titles["INF/MSME/R/1 — "+lib.public.Title] || len(feed.Items) != 2 {
		t.Errorf("atom entries: %v", titles)
	}
	cal, err := ics.ParseCalendar(strings.NewReader(c.Get("/events.ics").Body))
	if err != nil {
		t.Fatalf("ics does not parse: %v", err)
	}
	if evs := cal.Events(); len(evs) != 1 || evs[0].GetProperty(ics.ComponentPropertySummary).Value != lib.publicEvent.Title {
		t.Errorf("ics events: %d", len(evs))
	} else if start, err := evs[0].GetStartAt(); err != nil || !start.Equal(lib.publicEvent.StartsAt.Truncate(time.Second)) {
		t.Errorf("ics start: %v %v, want %v", start, err, lib.publicEvent.StartsAt)
	}
	sm := c.Get("/sitemap.xml")
	if !strings.Contains(sm.Body, "<urlset") || !strings.Contains(sm.Body, fmt.Sprintf("/documents/%d-", lib.public.ID)) {
		t.Errorf("sitemap lacks the public document")
	}
}

func TestModeratorsManageCategories(t *testing.T) {
	t.Parallel()
	app := servertest.New(t, storetest.SQLite, nil)
	app.CreateUser("mod@x.example", store.RoleModerator, "Secretariat", store.OrgSecretariat)
	mod := app.Client()
	mod.SignIn("mod@x.example")
	form := url.Values{"slug": {"studies"}, "name_en": {"Studies"}, "name_fr": {"Études"}, "name_es": {"Estudios"}}
	if got := mod.Post("/moderation/categories", form).Status; got != http.StatusSeeOther {
		t.Fatalf("create: %d", got)
	}
	if got := mod.Post("/moderation/categories", form).Status; got != http.StatusUnprocessableEntity {
		t.Errorf("duplicate slug: %d", got)
	}
	form.Set("slug", "Bad Slug")
	if r := mod.Post("/moderation/categories", form); r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "lower-case") {
		t.Errorf("bad slug: %d", r.Status)
	}
	cats, _ := app.Store.Categories(context.Background())
	rename := url.Values{"id": {fmt.Sprint(cats[0].ID)}, "slug": {"studies"}, "name_en": {"Studies and research"}, "name_fr": {"Études"}, "name_es": {"Estudios"}}
	if got := mod.Post("/moderation/categories", rename).Status; got != http.StatusSeeOther {
		t.Fatalf("rename: %d", got)
	}
	if got := mod.Post("/moderation/categories", url.Values{"id": {"x"}, "slug": {"a"}}).Status; got != http.StatusNotFound {
		t.Errorf("bad id: %d", got)
	}
	mustContain(t, mod.Get("/documents"), "Studies and research")
}
