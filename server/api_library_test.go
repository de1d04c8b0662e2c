package server_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"ideasx/server/files"
	"ideasx/server/servertest"
	"ideasx/store"
	"ideasx/store/storetest"
)

func TestLibraryAPIWrites(t *testing.T) {
	t.Parallel()
	forEachEngine(t, func(t *testing.T, app *servertest.App) {
		app.CreateUser("mod@x.example", store.RoleModerator, "Secretariat", store.OrgSecretariat)
		app.CreateUser("biz@x.example", store.RoleBusiness, "Firm", store.OrgBusiness)
		mod, biz := app.Client(), app.Client()
		mod.SignIn("mod@x.example")
		biz.SignIn("biz@x.example")
		post := func(c *servertest.Client, method, path, body string) servertest.Response {
			return c.Do(method, path, strings.NewReader(body), "application/json")
		}
		doc := `{"title":"Customs note","symbol":"INF/MSME/W/7","date":"2019-10-01","visibility":"members","summary":"On **customs**.","tags":["customs"],"status":"published"}`
		if r := post(biz, "POST", "/api/v1/documents", doc); r.Status != http.StatusForbidden {
			t.Errorf("business creating a document: got %d, want 403", r.Status)
		}
		r := post(mod, "POST", "/api/v1/documents", doc)
		if r.Status != http.StatusCreated {
			t.Fatalf("create: %d %s", r.Status, r.Body)
		}
		var created struct {
			ID     int64  `json:"id"`
			Status string `json:"status"`
			URL    string `json:"url"`
		}
		_ = json.Unmarshal([]byte(r.Body), &created)
		if created.Status != "published" || !strings.Contains(created.URL, "/documents/") {
			t.Errorf("created: %s", r.Body)
		}
		bad := post(mod, "POST", "/api/v1/documents", `{"title":"","date":"tomorrow","visibility":"x","symbol":"INF/MSME/W/7"}`)
		if bad.Status != http.StatusUnprocessableEntity || !strings.Contains(bad.Body, `"date"`) || !strings.Contains(bad.Body, `"title"`) {
			t.Errorf("invalid document: %d %s", bad.Status, bad.Body)
		}
		if r := post(mod, "POST", "/api/v1/documents", `{"title":`); r.Status != http.StatusBadRequest {
			t.Errorf("broken JSON: got %d", r.Status)
		}
		if r := post(mod, "POST", "/api/v1/documents", `{"title":"x","nonsense":1}`); r.Status != http.StatusBadRequest {
			t.Errorf("unknown field: got %d", r.Status)
		}

		pdf, _ := files.GeneratePDF("Customs note", "Procédures douanières simplifiées.")
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		_ = mw.WriteField("lang", "fr")
		fw, _ := mw.CreateFormFile("file", "note.pdf")
		_, _ = fw.Write(pdf)
		_ = mw.Close()
		up := mod.Do("POST", fmt.Sprintf("/api/v1/documents/%d/files", created.ID), &body, mw.FormDataContentType())
		if up.Status != http.StatusCreated || !strings.Contains(up.Body, `"version":1`) {
			t.Fatalf("upload: %d %s", up.Status, up.Body)
		}
		var file struct{ URL string }
		_ = json.Unmarshal([]byte(up.Body), &file)
		if got := app.Client().Get(strings.TrimPrefix(file.URL, app.URL)).Status; got != http.StatusNotFound {
			t.Errorf("visitor downloading a members-only file: got %d, want 404", got)
		}
		if got := biz.Get(strings.TrimPrefix(file.URL, app.URL)).Status; got != http.StatusOK {
			t.Errorf("business downloading a members-only file: got %d, want 200", got)
		}

		ev := fmt.Sprintf(`{"title":"Open meeting","starts_at":"2030-10-01T10:00","ends_at":"2030-10-01T18:00","visibility":"public","document_ids":[%d]}`, created.ID)
		r = post(mod, "POST", "/api/v1/events", ev)
		if r.Status != http.StatusCreated || !strings.Contains(r.Body, `"starts_at":"2030-10-01T08:00:00Z"`) {
			t.Errorf("event in Geneva time stored in UTC: %d %s", r.Status, r.Body)
		}
		if r := post(mod, "POST", "/api/v1/events", `{"title":"Backwards","starts_at":"2030-10-02T10:00","ends_at":"2030-10-01T10:00","visibility":"public"}`); r.Status != http.StatusUnprocessableEntity {
			t.Errorf("event ending before it starts: got %d", r.Status)
		}
		list := app.Client().Get("/api/v1/events").Body
		if !strings.Contains(list, "Open meeting") {
			t.Errorf("events list: %s", list)
		}
		if hits := biz.Get("/api/v1/search?q=procedures+douanieres").Body; !strings.Contains(hits, "Customs note") {
			t.Errorf("search in the uploaded French text: %s", hits)
		}
	})
}

func TestLibraryAPIRefusesVisitorsWrites(t *testing.T) {
	t.Parallel()
	app := servertest.New(t, storetest.SQLite, nil)
	r := app.Client().Do("POST", "/api/v1/events", strings.NewReader(`{}`), "application/json")
	if r.Status != http.StatusUnauthorized {
		t.Errorf("visitor writing: got %d, want 401", r.Status)
	}
	assertAPIError(t, r, "unauthorized")
}
