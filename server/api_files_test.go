package server_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"os"
	"sort"
	"strings"
	"testing"

	"ideasx/server/files"
	"ideasx/server/servertest"
	"ideasx/store"
	"ideasx/store/storetest"
)

// TestUploadLimitSaysTheLimit: the API's answer to a file over the limit
// said "larger than <no value> MB"; it says the limit, in each language,
// and so does the page.
func TestUploadLimitSaysTheLimit(t *testing.T) {
	t.Parallel()
	app := servertest.New(t, storetest.SQLite, map[string]string{"IDEASX_MAX_UPLOAD_MB": "1"})
	app.CreateUser("mod@x.example", store.RoleModerator, "Secretariat", store.OrgSecretariat)
	mod := app.Client()
	mod.SignIn("mod@x.example")
	r := mod.Do("POST", "/api/v1/documents", strings.NewReader(`{"title":"Big note","date":"2019-10-01","visibility":"public"}`), "application/json")
	var doc struct{ ID int64 }
	if err := json.Unmarshal([]byte(r.Body), &doc); err != nil || doc.ID == 0 {
		t.Fatalf("create: %d %s", r.Status, r.Body)
	}
	upload := func(path, lang string) servertest.Response {
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		_ = mw.WriteField("lang", "en")
		fw, _ := mw.CreateFormFile("file", "big.txt")
		_, _ = fw.Write(bytes.Repeat([]byte("customs "), (1<<20)/8+100))
		_ = mw.Close()
		mod.Header.Set("Accept-Language", lang)
		return mod.Do("POST", path, &body, mw.FormDataContentType())
	}
	for lang, want := range map[string]string{"en": "larger than 1 MB", "fr": "dépasse 1 Mo", "es": "supera los 1 MB"} {
		r := upload(fmt.Sprintf("/api/v1/documents/%d/files", doc.ID), lang)
		if r.Status != http.StatusRequestEntityTooLarge {
			t.Errorf("%s: got %d, want 413", lang, r.Status)
		}
		assertAPIError(t, r, "invalid_file")
		if strings.Contains(r.Body, "<no value>") || !strings.Contains(r.Body, want) {
			t.Errorf("%s: the message does not say the limit (%q): %s", lang, want, r.Body)
		}
	}
	page := upload(fmt.Sprintf("/moderation/documents/%d/files", doc.ID), "en")
	if page.Status != http.StatusRequestEntityTooLarge || strings.Contains(page.Body, "<no value>") || !strings.Contains(page.Body, "larger than 1 MB") {
		t.Errorf("the page's message: got %d", page.Status)
	}
}

// TestOpenAPIDocumentsTheDownloadTypes: downloadFile answers with the
// file's own type, so the document lists every type a file may have.
func TestOpenAPIDocumentsTheDownloadTypes(t *testing.T) {
	t.Parallel()
	raw, err := os.ReadFile("openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Paths map[string]map[string]struct {
			OperationID string `json:"operationId"`
			Responses   map[string]struct {
				Content map[string]json.RawMessage `json:"content"`
			} `json:"responses"`
		} `json:"paths"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	op := doc.Paths["/documents/{ref}/files/{file}"]["get"]
	if op.OperationID != "downloadFile" {
		t.Fatalf("no downloadFile operation: %+v", op)
	}
	var want, got []string
	for _, k := range files.Kinds() {
		want = append(want, k.MIME)
	}
	for mt := range op.Responses["200"].Content {
		got = append(got, mt)
	}
	sort.Strings(want)
	sort.Strings(got)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("200 documents:\n%s\nfiles are sent as:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if _, ok := op.Responses["206"].Content["multipart/byteranges"]; !ok {
		t.Error("206 lacks multipart/byteranges (several ranges)")
	}
}
