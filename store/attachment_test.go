package store_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"testing"
	"time"

	"ideasx/store"
	"ideasx/store/storetest"
)

func upload(t *testing.T, s *store.Store, u *store.User, name string, content []byte) *store.Attachment {
	t.Helper()
	a, err := s.AddAttachment(context.Background(), store.NewAttachment{UploaderID: u.ID, Filename: name, ContentType: "application/pdf", MaxSize: 1 << 20},
		bytes.NewReader(content))
	if err != nil {
		t.Fatalf("upload %s: %v", name, err)
	}
	return a
}

func attachmentNames(as []store.Attachment) []string {
	var out []string
	for _, a := range as {
		out = append(out, a.Filename)
	}
	return out
}

func TestPostAttachments(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		theme := firstTheme(t, s)
		biz := mustUser(t, s, "biz@x.org", store.RoleBusiness, "Andes Textiles")
		del := mustUser(t, s, "del@x.org", store.RoleMember, "Delegation of Chile")

		// Bigger than a chunk, so that reading it back crosses chunks.
		big := bytes.Repeat([]byte("%PDF-1.4 certificate "), 20000)
		spec := upload(t, s, biz, "spec.pdf", big)
		photo, err := s.AddAttachment(ctx, store.NewAttachment{UploaderID: biz.ID, Filename: "stamp.png", ContentType: "image/png",
			MaxSize: 1 << 20, Width: 1600, Height: 1200, Preview: []byte("small png"), PreviewType: "image/png", PreviewWidth: 800, PreviewHeight: 600},
			bytes.NewReader([]byte("large png")))
		if err != nil {
			t.Fatal(err)
		}
		if current, earlier, _ := s.AttachmentPlaces(ctx, spec.ID); current != 0 || len(earlier) != 0 {
			t.Errorf("a fresh upload is on post %d and revisions of %v, want nowhere", current, earlier)
		}
		got, err := io.ReadAll(s.OpenAttachment(ctx, spec))
		if err != nil || !bytes.Equal(got, big) || spec.Size != int64(len(big)) {
			t.Errorf("read back %d bytes (%v), want %d", len(got), err, len(big))
		}
		if b, err := s.AttachmentPreview(ctx, photo.ID); err != nil || string(b) != "small png" {
			t.Errorf("preview: %q, %v", b, err)
		}
		if _, err := s.AttachmentPreview(ctx, spec.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("preview of a PDF: got %v, want ErrNotFound", err)
		}

		// Too large: nothing kept.
		if _, err := s.AddAttachment(ctx, store.NewAttachment{UploaderID: biz.ID, Filename: "x.pdf", ContentType: "application/pdf", MaxSize: 10},
			bytes.NewReader(make([]byte, 11))); !errors.Is(err, store.ErrTooLarge) {
			t.Errorf("over the limit: got %v, want ErrTooLarge", err)
		}
		var n int
		if err := s.DB().QueryRowContext(ctx, `SELECT count(*) FROM attachments`).Scan(&n); err != nil || n != 2 {
			t.Errorf("%d attachments stored (%v), want 2: the refused one left nothing", n, err)
		}

		th, err := s.CreateThread(ctx, store.NewThread{ThemeID: theme.ID, Kind: store.Challenge, Title: "Stamps", Attribution: store.OnTheRecord,
			Body: "See the files", HTML: "<p>x</p>", Author: biz, Attachments: []int64{spec.ID, photo.ID, spec.ID}})
		if err != nil {
			t.Fatal(err)
		}
		posts, _ := s.Posts(ctx, th.ID, 0, 10)
		if names := attachmentNames(posts[0].Attachments); len(names) != 2 || names[0] != "spec.pdf" || names[1] != "stamp.png" {
			t.Errorf("opening post's files: %v, want [spec.pdf stamp.png]", names)
		}
		if !posts[0].Attachments[1].IsImage() || posts[0].Attachments[0].IsImage() {
			t.Errorf("images: %+v", posts[0].Attachments)
		}

		// Someone else's upload, or one already on a post, cannot be taken.
		mine := upload(t, s, del, "note.pdf", []byte("%PDF-1.4 note"))
		for _, ids := range [][]int64{{spec.ID}, {mine.ID + 1000}} {
			if _, err := s.CreatePost(ctx, store.NewPost{ThreadID: th.ID, Author: del, Body: "x", HTML: "x", Attachments: ids}); !errors.Is(err, store.ErrAttachmentUnavailable) {
				t.Errorf("reply taking %v: got %v, want ErrAttachmentUnavailable", ids, err)
			}
		}
		if _, err := s.CreatePost(ctx, store.NewPost{ThreadID: th.ID, Author: biz, Body: "x", HTML: "x", Attachments: []int64{mine.ID}}); !errors.Is(err, store.ErrAttachmentUnavailable) {
			t.Errorf("taking another's upload: got %v, want ErrAttachmentUnavailable", err)
		}
		if th2, _ := s.ThreadByID(ctx, th.ID); th2.PostCount != 1 {
			t.Errorf("refused replies left %d posts, want 1", th2.PostCount)
		}
		reply, err := s.CreatePost(ctx, store.NewPost{ThreadID: th.ID, Author: del, Body: "x", HTML: "x", Attachments: []int64{mine.ID}})
		if err != nil || len(reply.Attachments) != 1 || reply.Attachments[0].ID != mine.ID {
			t.Fatalf("reply with its own upload: %+v, %v", reply, err)
		}

		// An edit drops the PDF and adds a new upload; the revision keeps what the post had.
		extra := upload(t, s, biz, "annex.pdf", []byte("%PDF-1.4 annex"))
		ids := []int64{photo.ID, extra.ID}
		if err := s.EditPostWith(ctx, store.PostEdit{PostID: posts[0].ID, Editor: biz, Body: "See the photo", HTML: "<p>y</p>", Attachments: &ids}); err != nil {
			t.Fatal(err)
		}
		p, _ := s.PostByID(ctx, posts[0].ID)
		if names := attachmentNames(p.Attachments); len(names) != 2 || names[0] != "stamp.png" || names[1] != "annex.pdf" {
			t.Errorf("after the edit: %v, want [stamp.png annex.pdf]", names)
		}
		revs, _ := s.PostRevisions(ctx, p.ID)
		if len(revs) != 1 || len(attachmentNames(revs[0].Attachments)) != 2 || revs[0].Attachments[0].Filename != "spec.pdf" {
			t.Errorf("revision's files: %+v", revs)
		}
		if current, earlier, _ := s.AttachmentPlaces(ctx, spec.ID); current != 0 || len(earlier) != 1 || earlier[0] != p.ID {
			t.Errorf("removed file: on %d, in revisions of %v; want only in revisions of %d", current, earlier, p.ID)
		}
		// A file the post had may come back; it may not go to another post.
		back := []int64{spec.ID}
		if err := s.EditPostWith(ctx, store.PostEdit{PostID: p.ID, Editor: biz, Body: "Back", HTML: "x", Attachments: &back}); err != nil {
			t.Errorf("bringing back a file the post had: %v", err)
		}
		if err := s.EditPostWith(ctx, store.PostEdit{PostID: reply.ID, Editor: del, Body: "Mine", HTML: "x", Attachments: &back}); !errors.Is(err, store.ErrAttachmentUnavailable) {
			t.Errorf("taking another post's file by edit: got %v, want ErrAttachmentUnavailable", err)
		}
		if r, _ := s.PostByID(ctx, reply.ID); r.Body != "x" || len(r.Attachments) != 1 {
			t.Errorf("a refused edit changed the reply: %+v", r)
		}
		// A text-only edit keeps the files.
		if err := s.EditPost(ctx, p.ID, biz, "Text only", "x"); err != nil {
			t.Fatal(err)
		}
		if p, _ := s.PostByID(ctx, p.ID); len(p.Attachments) != 1 || p.Attachments[0].ID != spec.ID {
			t.Errorf("a text edit changed the files: %+v", p.Attachments)
		}
		// Uploads no post took go after a day; files on posts or in their history stay.
		stray := upload(t, s, biz, "stray.pdf", []byte("%PDF-1.4 stray"))
		if n, err := s.PurgeUnusedAttachments(ctx, time.Hour); err != nil || n != 0 {
			t.Errorf("purging fresh uploads: %d (%v), want none", n, err)
		}
		if n, err := s.PurgeUnusedAttachments(ctx, -time.Hour); err != nil || n != 1 {
			t.Errorf("purging: %d (%v), want the stray upload only", n, err)
		}
		if _, err := s.AttachmentByID(ctx, stray.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("the stray upload: %v, want gone", err)
		}
		if _, err := s.AttachmentByID(ctx, extra.ID); err != nil {
			t.Errorf("a file in a post's history was purged: %v", err)
		}
		// A moderator taking a file away is in the audit log, with the ids before and after.
		mod := mustUser(t, s, "mod@x.org", store.RoleModerator, "Secretariat")
		none := []int64{}
		if err := s.EditPostWith(ctx, store.PostEdit{PostID: p.ID, Editor: mod, Body: "Text only", HTML: "x", Attachments: &none}); err != nil {
			t.Fatal(err)
		}
		log, err := s.AuditLog(ctx, store.AuditFilter{Action: "post.edit"})
		if err != nil || len(log) != 1 || log[0].BeforeJSON != fmt.Sprintf(`{"attachments":[%d],"body":"Text only"}`, spec.ID) ||
			log[0].AfterJSON != `{"attachments":[],"body":"Text only"}` {
			t.Errorf("audit of a moderator's edit: %+v (%v)", log, err)
		}
	})
}
