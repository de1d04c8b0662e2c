package store_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"ideasx/store"
	"ideasx/store/storetest"
)

// TestCopySQLiteToPostgres moves a small installation and then uses the
// Postgres store as the server would after the move.
func TestCopySQLiteToPostgres(t *testing.T) {
	ctx := context.Background()
	srcOpts := storetest.Options(t, storetest.SQLite)
	src, err := store.Open(ctx, srcOpts)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := src.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	theme := firstTheme(t, src)
	biz := mustUser(t, src, "biz@x.org", store.RoleBusiness, "Andes Textiles")
	del := mustUser(t, src, "del@x.org", store.RoleMember, "Delegation of Chile")
	mod := mustUser(t, src, "mod@x.org", store.RoleModerator, "Secretariat")
	th := newThread(t, src, biz, theme.ID, "Certificates of origin take weeks")
	posts, _ := src.Posts(ctx, th.ID, 0, 10)
	reply, err := src.CreatePost(ctx, store.NewPost{ThreadID: th.ID, Author: del, Body: "We issue them online.", HTML: "<p>x</p>", QuotePostID: &posts[0].ID})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := src.ToggleUseful(ctx, del, posts[0].ID); err != nil {
		t.Fatal(err)
	}
	if err := src.SetThreadSwitch(ctx, mod.ID, th.ID, store.SwitchPinned, true); err != nil {
		t.Fatal(err)
	}
	doc := saveDoc(t, src, store.Document{Title: "Competitiveness outlook"})
	content := bytes.Repeat([]byte("0123456789abcdef"), 40000) // three chunks
	file, err := src.AddFile(ctx, 0, store.NewFile{DocumentID: doc.ID, Lang: "en", Filename: "outlook.pdf", ContentType: "application/pdf"}, bytes.NewReader(content))
	if err != nil {
		t.Fatal(err)
	}
	ev := &store.Event{Title: "Workshop", StartsAt: time.Date(2027, 3, 1, 9, 0, 0, 0, time.UTC), EndsAt: time.Date(2027, 3, 1, 17, 0, 0, 0, time.UTC),
		Timezone: "Europe/Zurich", AllDay: true, Visibility: store.Public}
	if err := src.SaveEvent(ctx, mod.ID, ev); err != nil {
		t.Fatal(err)
	}
	topic := fmt.Sprintf("thread:%d", th.ID)
	srcEvents, _ := src.EventsSince(ctx, topic, 0, 10)
	srcThread, _ := src.ThreadByID(ctx, th.ID)

	dstURL := storetest.NewPostgresSchema(t)
	dst := storetest.OpenOptions(t, store.Options{DatabaseURL: dstURL})
	path := store.SQLiteFile(srcOpts)

	if _, err := store.CopySQLiteToPostgres(ctx, path, dst, store.CopyOptions{}); !errors.Is(err, store.ErrInUse) {
		t.Fatalf("copy while the source is open: got %v, want ErrInUse", err)
	}
	src.Close()

	report, err := store.CopySQLiteToPostgres(ctx, path, dst, store.CopyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !report.OK() {
		t.Fatalf("report not OK: %+v", report)
	}
	counts := map[string]int64{}
	for _, tb := range report.Tables {
		counts[tb.Name] = tb.Target
	}
	for _, name := range []string{"users", "organisations", "themes", "threads", "posts", "reactions", "notifications",
		"documents", "document_files", "file_chunks", "events", "live_events", "topic_seqs", "audit_log"} {
		if counts[name] == 0 {
			t.Errorf("table %s: copied 0 rows, want the seeded ones (report %v)", name, counts)
		}
	}
	if report.Files != 1 || report.Bytes != int64(len(content)) || report.Sequences == 0 {
		t.Errorf("files %d (%d bytes), sequences %d; want 1 file of %d bytes and some sequences", report.Files, report.Bytes, report.Sequences, len(content))
	}

	f, err := dst.FileByID(ctx, file.ID)
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(dst.OpenFile(ctx, f))
	if err != nil || !bytes.Equal(got, content) {
		t.Errorf("copied file: %d bytes (%v), want the %d bytes uploaded", len(got), err, len(content))
	}
	copied, err := dst.ThreadByID(ctx, th.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !copied.Pinned || copied.Title != th.Title || copied.CreatedAt.Sub(srcThread.CreatedAt).Abs() > time.Microsecond {
		t.Errorf("copied thread: pinned %v, %q, created %v; want pinned, %q, %v", copied.Pinned, copied.Title, copied.CreatedAt, th.Title, srcThread.CreatedAt)
	}
	if kept, counted := unreadTables(t, dst.DB()); kept != counted || kept == "" {
		t.Errorf("unread counts after the copy: kept %q, counted %q; want the same, not empty", kept, counted)
	}
	if hits, err := dst.SearchDocuments(ctx, "competitiveness", store.SearchFilter{}); err != nil || len(hits) != 1 {
		t.Errorf("document search after the copy: %d hits (%v), want 1", len(hits), err)
	}
	if hits, err := dst.SearchForum(ctx, "certificates", store.ForumSearchFilter{}); err != nil || len(hits) != 1 {
		t.Errorf("forum search after the copy: %d hits (%v), want 1", len(hits), err)
	}
	dstEvents, err := dst.EventsSince(ctx, topic, 0, 10)
	if err != nil || fmt.Sprint(eventKeys(dstEvents)) != fmt.Sprint(eventKeys(srcEvents)) {
		t.Errorf("live events after the copy: %v (%v), want %v", eventKeys(dstEvents), err, eventKeys(srcEvents))
	}

	// The server's first writes after the move: no id or sequence collides.
	delOnDst, _ := dst.UserByID(ctx, del.ID)
	next, err := dst.CreatePost(ctx, store.NewPost{ThreadID: th.ID, Author: delOnDst, Body: "And on paper?", HTML: "<p>x</p>"})
	if err != nil || next.ID <= reply.ID {
		t.Fatalf("new post after the copy: %v, id %v; want an id above %d", err, next, reply.ID)
	}
	if evs, _ := dst.EventsSince(ctx, topic, int64(len(srcEvents)), 10); len(evs) == 0 || evs[0].Seq != int64(len(srcEvents))+1 {
		t.Errorf("live sequence after the copy: %v, want it to go on from %d", eventKeys(evs), len(srcEvents))
	}
	bizOnDst, _ := dst.UserByID(ctx, biz.ID)
	if th2 := newThread(t, dst, bizOnDst, theme.ID, "A second thread"); th2.ID <= th.ID {
		t.Errorf("new thread id %d, want above %d", th2.ID, th.ID)
	}

	if _, err := store.CopySQLiteToPostgres(ctx, path, dst, store.CopyOptions{}); !errors.Is(err, store.ErrTargetNotEmpty) {
		t.Fatalf("second copy without Replace: got %v, want ErrTargetNotEmpty", err)
	}
	again, err := store.CopySQLiteToPostgres(ctx, path, dst, store.CopyOptions{Replace: true})
	if err != nil || !again.OK() {
		t.Fatalf("copy again with Replace: %v, %+v", err, again)
	}
	if fmt.Sprint(again.Tables) != fmt.Sprint(report.Tables) {
		t.Errorf("copy again: %v, want the first copy's counts %v", again.Tables, report.Tables)
	}
}

func eventKeys(evs []store.LiveEvent) []string {
	var out []string
	for _, e := range evs {
		out = append(out, fmt.Sprintf("%d:%s", e.Seq, e.Type))
	}
	return out
}

// TestCopyReportsWhatItCannotCopy: a table the target lacks stops the copy
// and names it; a file whose bytes do not hash to its recorded SHA-256 is
// reported, and the report is not OK.
func TestCopyReportsWhatItCannotCopy(t *testing.T) {
	ctx := context.Background()
	srcOpts := storetest.Options(t, storetest.SQLite)
	src, err := store.Open(ctx, srcOpts)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := src.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	doc := saveDoc(t, src, store.Document{Title: "Outlook"})
	if _, err := src.AddFile(ctx, 0, store.NewFile{DocumentID: doc.ID, Lang: "en", Filename: "a.txt", ContentType: "text/plain"}, bytes.NewReader([]byte("hello"))); err != nil {
		t.Fatal(err)
	}
	src.Close()
	path := store.SQLiteFile(srcOpts)
	raw, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if _, err := raw.Exec(`CREATE TABLE local_notes (id INTEGER PRIMARY KEY, note TEXT)`); err != nil {
		t.Fatal(err)
	}
	dst := storetest.OpenOptions(t, store.Options{DatabaseURL: storetest.NewPostgresSchema(t)})
	if _, err := store.CopySQLiteToPostgres(ctx, path, dst, store.CopyOptions{}); err == nil || !strings.Contains(err.Error(), "local_notes") {
		t.Fatalf("copy with a table the target lacks: got %v, want an error naming local_notes", err)
	}

	if _, err := raw.Exec(`DROP TABLE local_notes`); err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(`UPDATE document_files SET sha256 = 'not the hash'`); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	report, err := store.CopySQLiteToPostgres(ctx, path, dst, store.CopyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if report.OK() || len(report.FileMismatches) != 1 || !strings.Contains(report.FileMismatches[0], "a.txt") {
		t.Errorf("copy of a file that does not match its checksum: OK %v, mismatches %v; want one naming a.txt", report.OK(), report.FileMismatches)
	}
}
