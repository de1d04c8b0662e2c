package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"mime/multipart"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"ideasx/server/servertest"
	"ideasx/store"
	"ideasx/store/storetest"
)

// testPNG is a 1600 × 800 image: wider than a preview, so one is made smaller.
func testPNG(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 1600, 800))
	for x := 0; x < 1600; x++ {
		img.Set(x, x/2, color.RGBA{11, 93, 122, 255})
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

var testPDF = []byte("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")

type fileField struct {
	field, name string
	data        []byte
}

// postMultipart sends a form with files as a browser does.
func postMultipart(c *servertest.Client, path string, fields map[string]string, files ...fileField) servertest.Response {
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	for _, f := range files {
		w, _ := mw.CreateFormFile(f.field, f.name)
		w.Write(f.data)
	}
	mw.Close()
	return c.Do(http.MethodPost, path, &body, mw.FormDataContentType())
}

func countAttachments(t *testing.T, app *servertest.App) int {
	t.Helper()
	var n int
	if err := app.Store.DB().QueryRowContext(context.Background(), `SELECT count(*) FROM attachments`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

var attachmentLink = regexp.MustCompile(`/forum/attachments/(\d+)/([^"/]+)"`)

// TestAttachmentsOnPosts: files sent with a new thread and a reply are
// shown to those who may read the thread (an image inline by its preview,
// a PDF in the list with its type and size) and to nobody else: a visitor,
// an account awaiting approval, or anyone once a moderator hid the post
// gets 404, on the page's address and in the API. A refused file saves
// nothing, and an edit's history keeps the files each version had.
func TestAttachmentsOnPosts(t *testing.T) {
	t.Parallel()
	for _, e := range storetest.Engines {
		t.Run(string(e), func(t *testing.T) {
			attachmentsOnPosts(t, servertest.New(t, e, map[string]string{"IDEASX_MAX_UPLOAD_MB": "1"}))
		})
	}
}

func attachmentsOnPosts(t *testing.T, app *servertest.App) {
	clients := signedInClients(t, app)
	biz, member, mod := clients["business"], clients["member"], clients["moderator"]
	picture := testPNG(t)
	r := postMultipart(biz, "/forum/threads", map[string]string{"theme": fmt.Sprint(themeID(t, app)), "kind": "challenge",
		"title": "Stamps refused at the border", "body": "The stamp and the rules are attached.", "attribution": "record"},
		fileField{"files", "Rules 2026.pdf", testPDF}, fileField{"files", "../stamp photo.png", picture})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("new thread with files: got %d, want 303\n%s", r.Status, r.Body)
	}
	thread := r.Location
	page := member.Get(thread)
	links := attachmentLink.FindAllStringSubmatch(page.Body, -1)
	if len(links) < 2 {
		t.Fatalf("the thread shows %d attachment links, want the PDF and the image", len(links))
	}
	mustContain(t, page, `Rules 2026.pdf</a>`, `<span class="file-type file-type-pdf" aria-hidden="true">pdf</span>`,
		`alt="stamp photo.png"`, `width="1080" height="540"`)
	var pdfURL, previewURL string
	for _, l := range links {
		switch l[2] {
		case "Rules%202026.pdf":
			pdfURL = "/forum/attachments/" + l[1] + "/" + l[2]
		case "preview":
			previewURL = "/forum/attachments/" + l[1] + "/preview"
		}
	}
	if pdfURL == "" || previewURL == "" {
		t.Fatalf("links: %v", links)
	}
	pdfID := strings.Split(pdfURL, "/")[3]

	for role, want := range map[string]int{"visitor": 404, "pending": 404, "suspended": 404,
		"business": 200, "member": 200, "moderator": 200, "admin": 200} {
		for _, path := range []string{pdfURL, previewURL, "/api/v1/attachments/" + pdfID} {
			got := clients[role].Get(path)
			if got.Status != want {
				t.Errorf("GET %s as %s: got %d, want %d", path, role, got.Status, want)
			}
			if want == 200 && path == pdfURL && (got.Body != string(testPDF) || got.Header.Get("Content-Type") != "application/pdf" ||
				!strings.HasPrefix(got.Header.Get("Content-Security-Policy"), "sandbox")) {
				t.Errorf("the PDF as %s: %q, %v", role, got.Header.Get("Content-Type"), got.Header)
			}
		}
	}
	if got := member.Get(previewURL); got.Header.Get("Content-Type") != "image/png" {
		t.Errorf("preview type %q", got.Header.Get("Content-Type"))
	} else if img, _, err := image.Decode(strings.NewReader(got.Body)); err != nil || img.Bounds().Dx() != 1080 {
		t.Errorf("preview: %v (%v), want 1080 px wide", img, err)
	}

	// A reply with a file, then hidden by a moderator: its file goes with it.
	threadID := regexp.MustCompile(`/forum/threads/(\d+)`).FindStringSubmatch(thread)[1]
	r = postMultipart(member, "/forum/threads/"+threadID+"/posts", map[string]string{"body": "Our notice is attached."},
		fileField{"files", "notice.pdf", testPDF})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("reply with a file: got %d\n%s", r.Status, r.Body)
	}
	postID := regexp.MustCompile(`#post-(\d+)`).FindStringSubmatch(r.Location)[1]
	notice := attachmentLink.FindAllStringSubmatch(biz.Get(thread).Body, -1)
	var noticeURL string
	for _, l := range notice {
		if l[2] == "notice.pdf" {
			noticeURL = "/forum/attachments/" + l[1] + "/notice.pdf"
		}
	}
	if noticeURL == "" || biz.Get(noticeURL).Status != 200 {
		t.Fatalf("the reply's file is not served to the business: %q", noticeURL)
	}
	if r := mod.Post("/forum/posts/"+postID+"/hide", map[string][]string{"confirm": {"1"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("hide: %d", r.Status)
	}
	for role, want := range map[string]int{"business": 404, "member": 404, "moderator": 200} {
		if got := clients[role].Get(noticeURL).Status; got != want {
			t.Errorf("the hidden reply's file as %s: got %d, want %d", role, got, want)
		}
	}
	if strings.Contains(biz.Get(thread).Body, "notice.pdf") {
		t.Error("the thread still lists the hidden reply's file")
	}
	var js struct {
		Posts []struct {
			ID          int64 `json:"id"`
			Attachments []struct {
				Filename string `json:"filename"`
				URL      string `json:"url"`
			} `json:"attachments"`
		} `json:"posts"`
	}
	if err := json.Unmarshal([]byte(biz.Get("/api/v1/threads/"+threadID).Body), &js); err != nil || len(js.Posts) != 2 {
		t.Fatalf("thread JSON: %v", err)
	}
	if len(js.Posts[0].Attachments) != 2 || js.Posts[0].Attachments[0].Filename != "Rules 2026.pdf" || len(js.Posts[1].Attachments) != 0 {
		t.Errorf("thread JSON's files: %+v, want two on the opening post and none on the hidden reply", js.Posts)
	}

	// Refused files: nothing saved, the form comes back with why.
	before := countAttachments(t, app)
	for _, tc := range []struct {
		file fileField
		want string
	}{
		{fileField{"files", "report.pdf", []byte("<html><script>alert(1)</script></html>")}, "This kind of file is not accepted"},
		{fileField{"files", "big.pdf", append(append([]byte{}, testPDF...), make([]byte, 1<<20)...)}, "larger than 1 MB"},
	} {
		r := postMultipart(member, "/forum/threads/"+threadID+"/posts", map[string]string{"body": "Refused reply"},
			fileField{"files", "fine.pdf", testPDF}, tc.file)
		if r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, tc.want) || !strings.Contains(r.Body, "Refused reply") {
			t.Errorf("%s: got %d, want 422 with %q and the text kept", tc.file.name, r.Status, tc.want)
		}
	}
	if n := countAttachments(t, app); n != before {
		t.Errorf("refused posts stored %d files", n-before)
	}
	if strings.Contains(member.Get(thread).Body, "Refused reply") {
		t.Error("a refused reply was posted")
	}

	// An edit drops the PDF and adds a text file; the history keeps the PDF.
	edit := biz.Get(thread)
	openingID := regexp.MustCompile(`/forum/posts/(\d+)/edit`).FindStringSubmatch(edit.Body)[1]
	imgID := strings.Split(previewURL, "/")[3]
	r = postMultipart(biz, "/forum/posts/"+openingID, map[string]string{"body": "Only the photo now.", "attachments_listed": "1", "attachments": imgID},
		fileField{"files", "notes.txt", []byte("Plain notes\n")})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("edit: got %d\n%s", r.Status, r.Body)
	}
	page = member.Get(thread)
	if strings.Contains(page.Body, "Rules 2026.pdf") || !strings.Contains(page.Body, "notes.txt</a>") {
		t.Error("after the edit the thread should list notes.txt and not the PDF")
	}
	mustContain(t, biz.Get("/forum/posts/"+openingID+"/edit"), "Rules 2026.pdf")
	for role, want := range map[string]int{"member": 404, "business": 200, "moderator": 200} {
		if got := clients[role].Get(pdfURL).Status; got != want {
			t.Errorf("the removed PDF (in the history only) as %s: got %d, want %d", role, got, want)
		}
	}
}

// TestAttachmentsAPI: files are uploaded on their own, then named by id in
// a reply; an id the caller may not use is a validation error on
// "attachments", and a refused type names "file".
func TestAttachmentsAPI(t *testing.T) {
	t.Parallel()
	app := servertest.New(t, "sqlite", nil)
	clients := signedInClients(t, app)
	biz, member := clients["business"], clients["member"]
	thread := postThread(t, biz, themeID(t, app), "Customs forms", "record")
	threadID := regexp.MustCompile(`/forum/threads/(\d+)`).FindStringSubmatch(thread)[1]

	r := postMultipart(member, "/api/v1/attachments", nil, fileField{"file", "notice.pdf", testPDF})
	if r.Status != http.StatusCreated {
		t.Fatalf("upload: got %d\n%s", r.Status, r.Body)
	}
	var up struct {
		Attachments []struct {
			ID  int64  `json:"id"`
			URL string `json:"url"`
		} `json:"attachments"`
	}
	if err := json.Unmarshal([]byte(r.Body), &up); err != nil || len(up.Attachments) != 1 {
		t.Fatalf("upload answer: %s", r.Body)
	}
	id := up.Attachments[0].ID
	if got := biz.Get(up.Attachments[0].URL).Status; got != http.StatusNotFound {
		t.Errorf("someone else's upload, on no post yet: got %d, want 404", got)
	}
	if got := member.Get(up.Attachments[0].URL).Status; got != http.StatusOK {
		t.Errorf("one's own upload: got %d, want 200", got)
	}
	body := fmt.Sprintf(`{"body":"Mine","attachments":[%d]}`, id)
	r = biz.Do("POST", "/api/v1/threads/"+threadID+"/posts", strings.NewReader(body), "application/json")
	if r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, `"attachments"`) {
		t.Errorf("a reply naming another's upload: got %d %s, want 422 on attachments", r.Status, r.Body)
	}
	r = member.Do("POST", "/api/v1/threads/"+threadID+"/posts", strings.NewReader(body), "application/json")
	if r.Status != http.StatusCreated || !strings.Contains(r.Body, `"filename":"notice.pdf"`) {
		t.Fatalf("reply with the upload: got %d %s", r.Status, r.Body)
	}
	if got := biz.Get(up.Attachments[0].URL).Status; got != http.StatusOK {
		t.Errorf("the file of a reply, to a reader of the thread: got %d, want 200", got)
	}
	if got := clients["visitor"].Get(up.Attachments[0].URL); got.Status != http.StatusNotFound || !strings.Contains(got.Body, `"not_found"`) {
		t.Errorf("the file to a visitor through the API: got %d %s, want a 404 in the API's shape", got.Status, got.Body)
	}
	r = postMultipart(member, "/api/v1/attachments", nil, fileField{"file", "x.pdf", []byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;")})
	if r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, `"file"`) {
		t.Errorf("a refused type: got %d %s, want 422 naming file", r.Status, r.Body)
	}
	_ = store.ErrAttachmentUnavailable
}
