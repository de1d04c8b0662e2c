package store_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"ideasx/store"
	"ideasx/store/storetest"
)

var (
	visitor = store.Access{}
	member  = store.Access{Members: true}
	curator = store.Access{Members: true, Curator: true}
)

func saveDoc(t *testing.T, s *store.Store, d store.Document) *store.Document {
	t.Helper()
	if d.DocDate.IsZero() {
		d.DocDate = time.Date(2019, 6, 27, 0, 0, 0, 0, time.UTC)
	}
	if d.Visibility == "" {
		d.Visibility = store.Public
	}
	if d.Status == "" {
		d.Status = store.Published
	}
	if err := s.SaveDocument(context.Background(), 0, &d); err != nil {
		t.Fatalf("save %q: %v", d.Title, err)
	}
	return &d
}

func titles(docs []store.Document) string {
	var out []string
	for _, d := range docs {
		out = append(out, d.Title)
	}
	return strings.Join(out, ", ")
}

func TestDocumentVisibilityByReader(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		saveDoc(t, s, store.Document{Title: "Public report"})
		saveDoc(t, s, store.Document{Title: "Members note", Visibility: store.MembersOnly})
		saveDoc(t, s, store.Document{Title: "Draft", Status: store.Draft})
		past := time.Now().Add(-time.Hour)
		future := time.Now().Add(time.Hour)
		saveDoc(t, s, store.Document{Title: "Derestricted", Visibility: store.MembersOnly, DerestrictAt: &past})
		saveDoc(t, s, store.Document{Title: "Still restricted", Visibility: store.MembersOnly, DerestrictAt: &future})
		for _, c := range []struct {
			name   string
			access store.Access
			want   int
		}{{"visitor", visitor, 2}, {"member", member, 4}, {"curator", curator, 4}} {
			docs, total, err := s.ListDocuments(ctx, store.DocFilter{Access: c.access, Sort: "title"})
			if err != nil {
				t.Fatal(err)
			}
			if total != c.want || len(docs) != c.want {
				t.Errorf("%s sees %d (%s), want %d", c.name, total, titles(docs), c.want)
			}
		}
		drafts, _, _ := s.ListDocuments(ctx, store.DocFilter{Access: curator, Status: store.Draft})
		if titles(drafts) != "Draft" {
			t.Errorf("curator's drafts: %s", titles(drafts))
		}
		if n, _ := s.DerestrictDue(ctx); n != 1 {
			t.Errorf("derestriction job changed %d documents, want 1", n)
		}
		if n, _ := s.DerestrictDue(ctx); n != 0 {
			t.Errorf("second run changed %d, want 0", n)
		}
	})
}

func TestSymbolUniqueAndRevisionChain(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		r0 := saveDoc(t, s, store.Document{Title: "Work programme", Symbol: "INF/MSME/W/1"})
		r1 := saveDoc(t, s, store.Document{Title: "Work programme, revised", Symbol: "INF/MSME/W/1/Rev.1", RevisesID: &r0.ID})
		r2 := saveDoc(t, s, store.Document{Title: "Work programme, second revision", Symbol: "INF/MSME/W/1/Rev.2", RevisesID: &r1.ID})
		dup := store.Document{Title: "Copy", Symbol: "INF/MSME/W/1", DocDate: time.Now(), Visibility: store.Public, Status: store.Draft}
		if err := s.SaveDocument(ctx, 0, &dup); !errors.Is(err, store.ErrConflict) {
			t.Errorf("duplicate symbol: got %v, want ErrConflict", err)
		}
		chain, err := s.RevisionChain(ctx, r1.ID, visitor)
		if err != nil {
			t.Fatal(err)
		}
		if len(chain) != 3 {
			t.Errorf("chain from Rev.1: %s, want all three", titles(chain))
		}
		if cur, _ := s.CurrentRevision(ctx, r0.ID, visitor); cur != r2.ID {
			t.Errorf("current revision of the original: got %d, want %d", cur, r2.ID)
		}
		r0.RevisesID = &r2.ID
		if err := s.SaveDocument(ctx, 0, r0); !errors.Is(err, store.ErrRevisionLoop) {
			t.Errorf("revision loop: got %v, want ErrRevisionLoop", err)
		}
	})
}

func TestSearchRanksTitlesAndFoldsAccents(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		saveDoc(t, s, store.Document{Title: "Meeting report", Summary: "Participants discussed trade finance for small firms."})
		saveDoc(t, s, store.Document{Title: "Trade finance gaps for MSMEs", Summary: "A study."})
		saveDoc(t, s, store.Document{Title: "Réunion de Genève", Summary: "Les micro, petites et moyennes entreprises à l'exportation."})
		saveDoc(t, s, store.Document{Title: "Accès à l'information", Symbol: "INF/MSME/W/12/Rev.2", Summary: "Plateforme."})
		saveDoc(t, s, store.Document{Title: "Hidden finance", Summary: "trade finance", Visibility: store.MembersOnly})
		cases := []struct {
			q      string
			access store.Access
			first  string
			count  int
		}{
			{"trade finance", visitor, "Trade finance gaps for MSMEs", 2},
			{"trade finance", member, "", 3},
			{"geneve", visitor, "Réunion de Genève", 1},
			{"EXPORTATION", visitor, "Réunion de Genève", 1},
			{"INF/MSME/W/12", visitor, "Accès à l'information", 1},
			{"acces a l", visitor, "Accès à l'information", 1},
			{"fin", visitor, "Trade finance gaps for MSMEs", 2},
			{"<script>\"'", visitor, "", 0},
			{"", visitor, "", 0},
		}
		for _, c := range cases {
			hits, err := s.SearchDocuments(ctx, c.q, store.SearchFilter{Access: c.access})
			if err != nil {
				t.Fatalf("%q: %v", c.q, err)
			}
			if len(hits) != c.count {
				var got []string
				for _, h := range hits {
					got = append(got, h.Title)
				}
				t.Errorf("%q: got %d hits %v, want %d", c.q, len(hits), got, c.count)
				continue
			}
			if c.first != "" && hits[0].Title != c.first {
				t.Errorf("%q: first hit %q, want %q", c.q, hits[0].Title, c.first)
			}
		}
	})
}

func TestFilesKeepVersionsAndReadInRanges(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		d := saveDoc(t, s, store.Document{Title: "Newsletter"})
		big := bytes.Repeat([]byte("0123456789abcdef"), 40000) // 640 KB: three chunks
		v1, err := s.AddFile(ctx, 0, store.NewFile{DocumentID: d.ID, Lang: "fr", Filename: "v1.pdf", ContentType: "application/pdf"}, bytes.NewReader(big))
		if err != nil {
			t.Fatal(err)
		}
		v2, err := s.AddFile(ctx, 0, store.NewFile{DocumentID: d.ID, Lang: "fr", Filename: "v2.pdf", ContentType: "application/pdf"}, strings.NewReader("second"))
		if err != nil {
			t.Fatal(err)
		}
		if v1.Version != 1 || v2.Version != 2 || v1.Size != int64(len(big)) {
			t.Errorf("versions %d, %d and size %d", v1.Version, v2.Version, v1.Size)
		}
		files, _ := s.DocumentFiles(ctx, d.ID)
		if len(files) != 2 || files[0].Version != 2 {
			t.Errorf("files: %+v, want version 2 first", files)
		}
		r := s.OpenFile(ctx, v1)
		all, err := io.ReadAll(r)
		if err != nil || !bytes.Equal(all, big) {
			t.Fatalf("whole read: %d bytes, %v", len(all), err)
		}
		part := make([]byte, 100)
		if _, err := r.ReadAt(part, 262100); err != nil || !bytes.Equal(part, big[262100:262200]) {
			t.Errorf("read across a chunk boundary: %v", err)
		}
		if _, err := s.AddFile(ctx, 0, store.NewFile{DocumentID: d.ID, Lang: "en", Filename: "big", MaxSize: 1000}, bytes.NewReader(big)); !errors.Is(err, store.ErrTooLarge) {
			t.Errorf("over the limit: got %v, want ErrTooLarge", err)
		}
		if files, _ := s.DocumentFiles(ctx, d.ID); len(files) != 2 {
			t.Errorf("a refused upload left a file row: %d files", len(files))
		}
		if err := s.SetFileText(ctx, v2.ID, "Compétitivité des entreprises"); err != nil {
			t.Fatal(err)
		}
		if hits, _ := s.SearchDocuments(ctx, "competitivite", store.SearchFilter{}); len(hits) != 1 {
			t.Errorf("file text is not searchable: %d hits", len(hits))
		}
	})
}

func TestEventsUpcomingAndPast(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		doc := saveDoc(t, s, store.Document{Title: "Programme of MSME Day"})
		secret := saveDoc(t, s, store.Document{Title: "Delegates' note", Visibility: store.MembersOnly})
		past := store.Event{Title: "MSME Day 2019", StartsAt: time.Date(2019, 6, 27, 7, 0, 0, 0, time.UTC), EndsAt: time.Date(2019, 6, 27, 16, 0, 0, 0, time.UTC),
			Timezone: "Europe/Zurich", Visibility: store.Public, DocumentIDs: []int64{doc.ID, secret.ID}}
		next := store.Event{Title: "Next meeting", StartsAt: time.Now().Add(48 * time.Hour), EndsAt: time.Now().Add(50 * time.Hour), Timezone: "Europe/Zurich", Visibility: store.Public}
		closed := store.Event{Title: "Members' retreat", StartsAt: time.Now().Add(72 * time.Hour), EndsAt: time.Now().Add(74 * time.Hour), Timezone: "Europe/Zurich", Visibility: store.MembersOnly}
		for _, e := range []*store.Event{&past, &next, &closed} {
			if err := s.SaveEvent(ctx, 0, e); err != nil {
				t.Fatal(err)
			}
		}
		up, _ := s.ListEvents(ctx, visitor, true, 10)
		if len(up) != 1 || up[0].Title != "Next meeting" {
			t.Errorf("visitor's upcoming: %+v", up)
		}
		up, _ = s.ListEvents(ctx, member, true, 10)
		if len(up) != 2 {
			t.Errorf("member's upcoming: %d, want 2", len(up))
		}
		gone, _ := s.ListEvents(ctx, visitor, false, 10)
		if len(gone) != 1 || gone[0].Title != "MSME Day 2019" {
			t.Errorf("past: %+v", gone)
		}
		docs, _ := s.EventDocuments(ctx, past.ID, visitor)
		if titles(docs) != "Programme of MSME Day" {
			t.Errorf("visitor sees linked documents %q", titles(docs))
		}
		if _, err := s.EventByID(ctx, closed.ID, visitor); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("visitor reading a members-only event: %v", err)
		}
		e, err := s.EventByID(ctx, past.ID, visitor)
		if err != nil || !e.StartsAt.Equal(past.StartsAt) || e.Location().String() != "Europe/Zurich" {
			t.Errorf("event round trip: %+v %v", e, err)
		}
	})
}
