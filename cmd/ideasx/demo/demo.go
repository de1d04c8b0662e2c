// Package demo loads example content, written for this project from the
// facts of the working group's 2019 meetings, so that a new installation
// shows what the platform is for. Loading it twice adds nothing twice.
package demo

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"time"

	"ideasx/server/files"
	"ideasx/store"
)

// Report counts what a run added.
type Report struct {
	Categories, Documents, Files, Events, Sessions, People, Threads int
}

// Load adds the demo categories, documents (with small generated PDFs) and events.
func Load(ctx context.Context, st *store.Store) (Report, error) {
	var rep Report
	cats, err := loadCategories(ctx, st, &rep)
	if err != nil {
		return rep, err
	}
	docs, err := loadDocuments(ctx, st, cats, &rep)
	if err != nil {
		return rep, err
	}
	if err := loadEvents(ctx, st, docs, &rep); err != nil {
		return rep, err
	}
	if err := loadProgramme(ctx, st, &rep); err != nil {
		return rep, err
	}
	if err := loadForum(ctx, st, &rep); err != nil {
		return rep, err
	}
	if err := loadRegistration(ctx, st); err != nil {
		return rep, err
	}
	return rep, nil
}

func loadCategories(ctx context.Context, st *store.Store, rep *Report) (map[string]int64, error) {
	existing, err := st.Categories(ctx)
	if err != nil {
		return nil, err
	}
	ids := map[string]int64{}
	for _, c := range existing {
		ids[c.Slug] = c.ID
	}
	for i, c := range []store.Category{
		{Slug: "official-documents", NameEN: "Official documents", NameFR: "Documents officiels", NameES: "Documentos oficiales"},
		{Slug: "meeting-reports", NameEN: "Meeting reports", NameFR: "Rapports de réunion", NameES: "Informes de reuniones"},
		{Slug: "newsletters", NameEN: "Newsletters", NameFR: "Bulletins", NameES: "Boletines"},
		{Slug: "studies", NameEN: "Studies", NameFR: "Études", NameES: "Estudios"},
		{Slug: "presentations", NameEN: "Presentations", NameFR: "Présentations", NameES: "Presentaciones"},
	} {
		if _, ok := ids[c.Slug]; ok {
			continue
		}
		c.Position = (i + 1) * 10
		if err := st.SaveCategory(ctx, 0, &c); err != nil {
			return nil, fmt.Errorf("demo category %s: %w", c.Slug, err)
		}
		ids[c.Slug] = c.ID
		rep.Categories++
	}
	return ids, nil
}

type demoDoc struct {
	key, symbol, title, category, summary string
	date                                  time.Time
	visibility                            store.Visibility
	status                                store.DocStatus
	derestrict                            *time.Time
	revises                               string
	tags                                  []string
	// files maps a language to the paragraphs of its PDF.
	files map[string][]string
}

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func ptr[T any](v T) *T { return &v }

func loadDocuments(ctx context.Context, st *store.Store, cats map[string]int64, rep *Report) (map[string]int64, error) {
	ids := map[string]int64{}
	for _, dd := range documents() {
		id, err := st.DocumentIDByTitle(ctx, dd.title)
		if err != nil {
			return nil, err
		}
		if id != 0 {
			ids[dd.key] = id
			continue
		}
		d := store.Document{
			Symbol: dd.symbol, Title: dd.title, Summary: dd.summary, DocDate: dd.date, Visibility: dd.visibility,
			Status: dd.status, DerestrictAt: dd.derestrict, Tags: dd.tags,
		}
		if d.Visibility == "" {
			d.Visibility = store.Public
		}
		if d.Status == "" {
			d.Status = store.Published
		}
		if c, ok := cats[dd.category]; ok {
			d.CategoryID = &c
		}
		if dd.revises != "" {
			prev := ids[dd.revises]
			d.RevisesID = &prev
		}
		if err := st.SaveDocument(ctx, 0, &d); err != nil {
			return nil, fmt.Errorf("demo document %q: %w", dd.title, err)
		}
		ids[dd.key] = d.ID
		rep.Documents++
		for _, lang := range []string{"en", "fr", "es"} {
			paragraphs, ok := dd.files[lang]
			if !ok {
				continue
			}
			if err := addPDF(ctx, st, d.ID, lang, dd, paragraphs); err != nil {
				return nil, err
			}
			rep.Files++
		}
	}
	return ids, nil
}

func addPDF(ctx context.Context, st *store.Store, docID int64, lang string, dd demoDoc, paragraphs []string) error {
	title := dd.title
	if dd.symbol != "" {
		title = dd.symbol + " — " + title
	}
	pdf, err := files.GeneratePDF(title, paragraphs...)
	if err != nil {
		return fmt.Errorf("demo pdf: %w", err)
	}
	kind, err := files.Sniff(pdf)
	if err != nil {
		return fmt.Errorf("demo pdf: %w", err)
	}
	name := files.SafeFilename(dd.key+"-"+lang+".pdf", kind)
	f, err := st.AddFile(ctx, 0, store.NewFile{DocumentID: docID, Lang: lang, Filename: name, ContentType: kind.MIME}, bytes.NewReader(pdf))
	if err != nil {
		return fmt.Errorf("demo file: %w", err)
	}
	text, err := files.ExtractText(bytes.NewReader(pdf), int64(len(pdf)), kind)
	if err != nil || text == "" {
		return nil
	}
	return st.SetFileText(ctx, f.ID, text)
}

func loadEvents(ctx context.Context, st *store.Store, docs map[string]int64, rep *Report) error {
	geneva, err := time.LoadLocation("Europe/Zurich")
	if err != nil {
		return err
	}
	at := func(y int, m time.Month, d, h, min int) time.Time { return time.Date(y, m, d, h, min, 0, 0, geneva) }
	for _, e := range events(at, docs) {
		id, err := st.EventIDByTitle(ctx, e.Title)
		if err != nil {
			return err
		}
		if id != 0 {
			continue
		}
		e.Timezone = "Europe/Zurich"
		if e.Visibility == "" {
			e.Visibility = store.Public
		}
		if err := st.SaveEvent(ctx, 0, &e); err != nil {
			return fmt.Errorf("demo event %q: %w", e.Title, err)
		}
		rep.Events++
	}
	return nil
}

func randomSecret() []byte {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return b
}
