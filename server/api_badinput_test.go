package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"ideasx/server/servertest"
	"ideasx/store"
)

// apiFields reads the fields of an API validation error (422).
func apiFields(t *testing.T, r servertest.Response) map[string]string {
	t.Helper()
	var body struct {
		Error struct {
			Code   string            `json:"code"`
			Fields map[string]string `json:"fields"`
		} `json:"error"`
	}
	if err := json.Unmarshal([]byte(r.Body), &body); err != nil || body.Error.Code != "invalid" {
		t.Errorf("not a validation error: %d %s", r.Status, r.Body)
	}
	return body.Error.Fields
}

func sendJSON(c *servertest.Client, method, path, body string) servertest.Response {
	return c.Do(method, path, strings.NewReader(body), "application/json")
}

// TestFarPagesAreEmptyNotErrors: a page number past what an int holds once
// multiplied by the page size made the offset negative and the database
// refuse (500). Every paged list, page and API, answers an empty page.
func TestFarPagesAreEmptyNotErrors(t *testing.T) {
	t.Parallel()
	forEachEngine(t, func(t *testing.T, app *servertest.App) {
		app.CreateUser("admin@x.example", store.RoleAdmin, "Secretariat", store.OrgSecretariat)
		admin := app.Client()
		admin.SignIn("admin@x.example")
		for _, page := range []string{"9223372036854775807", "4611686018427387904", "-9223372036854775808", "99999999999999999999", "1e9", "0x10"} {
			for _, path := range []string{"/documents", "/admin/users", "/admin/audit", "/moderation/organisations", "/notifications", "/api/v1/documents"} {
				r := admin.Get(path + "?page=" + url.QueryEscape(page))
				if r.Status != http.StatusOK {
					t.Errorf("%s?page=%s: got %d, want 200", path, page, r.Status)
				}
			}
		}
		r := admin.Get("/api/v1/documents?page=9223372036854775807")
		var list struct {
			Documents []json.RawMessage `json:"documents"`
			Page      int64             `json:"page"`
		}
		if err := json.Unmarshal([]byte(r.Body), &list); err != nil || list.Documents == nil || len(list.Documents) != 0 || list.Page < 2 {
			t.Errorf("a far page is an empty list with its page number: %s", r.Body)
		}
		if r := admin.Get("/api/v1/organisations?offset=9223372036854775807"); r.Status != http.StatusOK {
			t.Errorf("organisations at the largest offset: got %d, want 200", r.Status)
		}
	})
}

// TestUnknownCategoryIsAFieldError: a document naming a category that
// does not exist broke a foreign key (500); it is the client's mistake,
// told against the field or property it sent.
func TestUnknownCategoryIsAFieldError(t *testing.T) {
	t.Parallel()
	forEachEngine(t, func(t *testing.T, app *servertest.App) {
		app.CreateUser("mod@x.example", store.RoleModerator, "Secretariat", store.OrgSecretariat)
		mod := app.Client()
		mod.SignIn("mod@x.example")
		doc := `{"title":"Customs note","date":"2019-10-01","visibility":"public","category_id":%d}`
		r := sendJSON(mod, "POST", "/api/v1/documents", fmt.Sprintf(doc, 987654))
		if r.Status != http.StatusUnprocessableEntity {
			t.Fatalf("create with an unknown category: got %d, want 422: %s", r.Status, r.Body)
		}
		if f := apiFields(t, r); f["category_id"] == "" || f["category"] != "" {
			t.Errorf("the error names category_id: %s", r.Body)
		}
		r = sendJSON(mod, "POST", "/api/v1/documents", fmt.Sprintf(doc, 0))
		if r.Status != http.StatusCreated {
			t.Fatalf("create: %d %s", r.Status, r.Body)
		}
		var created struct{ ID int64 }
		_ = json.Unmarshal([]byte(r.Body), &created)
		r = sendJSON(mod, "PUT", fmt.Sprintf("/api/v1/documents/%d", created.ID), fmt.Sprintf(doc, 987654))
		if r.Status != http.StatusUnprocessableEntity || apiFields(t, r)["category_id"] == "" {
			t.Errorf("update with an unknown category: got %d, want 422 on category_id: %s", r.Status, r.Body)
		}
		page := mod.Post("/moderation/documents", url.Values{"title": {"Other note"}, "date": {"2019-10-01"}, "visibility": {"public"}, "category": {"987654"}})
		if page.Status != http.StatusUnprocessableEntity || !strings.Contains(page.Body, `value="Other note"`) {
			t.Errorf("the page form with an unknown category: got %d, want 422 with the form kept", page.Status)
		}
		page = mod.Post(fmt.Sprintf("/moderation/documents/%d", created.ID), url.Values{"title": {"Customs note"}, "date": {"2019-10-01"}, "visibility": {"public"}, "category": {"987654"}})
		if page.Status != http.StatusUnprocessableEntity {
			t.Errorf("the page's update with an unknown category: got %d, want 422", page.Status)
		}
	})
}

// TestOnlyModeratorsReferToATarget: an author accepting a reply sent an
// event or document id along; an unknown one broke a foreign key (500), a
// known one was stored as if the thread had been referred to it.
func TestOnlyModeratorsReferToATarget(t *testing.T) {
	t.Parallel()
	forEachEngine(t, func(t *testing.T, app *servertest.App) {
		app.CreateUser("biz@x.example", store.RoleBusiness, "Andes Textiles", store.OrgBusiness)
		app.CreateUser("del@x.example", store.RoleMember, "Delegation of Chile", store.OrgMember)
		app.CreateUser("mod@x.example", store.RoleModerator, "Secretariat", store.OrgSecretariat)
		biz, del, mod := app.Client(), app.Client(), app.Client()
		biz.SignIn("biz@x.example")
		del.SignIn("del@x.example")
		mod.SignIn("mod@x.example")
		r := sendJSON(biz, "POST", "/api/v1/threads", fmt.Sprintf(`{"theme_id":%d,"kind":"challenge","title":"Border fees","body":"Unpublished fees.","attribution":"record"}`, themeID(t, app)))
		var th struct{ ID int64 }
		_ = json.Unmarshal([]byte(r.Body), &th)
		r = sendJSON(del, "POST", fmt.Sprintf("/api/v1/threads/%d/posts", th.ID), `{"body":"We publish ours online."}`)
		var post struct{ ID int64 }
		_ = json.Unmarshal([]byte(r.Body), &post)
		r = sendJSON(mod, "POST", "/api/v1/documents", `{"title":"Fees note","date":"2019-10-01","visibility":"public","status":"published"}`)
		var doc struct{ ID int64 }
		_ = json.Unmarshal([]byte(r.Body), &doc)
		if th.ID == 0 || post.ID == 0 || doc.ID == 0 {
			t.Fatalf("setup: thread %d, post %d, document %d", th.ID, post.ID, doc.ID)
		}
		status := fmt.Sprintf("/api/v1/threads/%d/status", th.ID)
		for _, body := range []string{
			fmt.Sprintf(`{"to":"answered","post_id":%d,"event_id":987654}`, post.ID),
			fmt.Sprintf(`{"to":"answered","post_id":%d,"document_id":987654}`, post.ID),
			fmt.Sprintf(`{"to":"answered","post_id":%d,"document_id":%d}`, post.ID, doc.ID),
		} {
			r := sendJSON(biz, "POST", status, body)
			if r.Status != http.StatusUnprocessableEntity {
				t.Errorf("author accepting with %s: got %d, want 422", body, r.Status)
			}
			assertAPIError(t, r, "referral_only")
		}
		page := biz.Post(fmt.Sprintf("/forum/threads/%d/status", th.ID), url.Values{"to": {"answered"}, "post": {fmt.Sprint(post.ID)}, "document": {fmt.Sprint(doc.ID)}})
		if page.Status != http.StatusUnprocessableEntity {
			t.Errorf("author accepting with a document through the page: got %d, want 422", page.Status)
		}
		if r := sendJSON(mod, "POST", status, `{"to":"referred","event_id":987654}`); r.Status != http.StatusUnprocessableEntity {
			t.Errorf("moderator referring to an unknown event: got %d, want 422", r.Status)
		} else {
			assertAPIError(t, r, "referral")
		}
		if r := sendJSON(biz, "POST", status, fmt.Sprintf(`{"to":"answered","post_id":%d}`, post.ID)); r.Status != http.StatusOK {
			t.Fatalf("author accepting: %d %s", r.Status, r.Body)
		}
		if r := sendJSON(mod, "POST", status, fmt.Sprintf(`{"to":"referred","document_id":%d}`, doc.ID)); r.Status != http.StatusOK {
			t.Fatalf("moderator referring: %d %s", r.Status, r.Body)
		}
		history, err := app.Store.StatusHistory(context.Background(), th.ID)
		if err != nil || len(history) != 2 {
			t.Fatalf("history: %v %+v", err, history)
		}
		if history[0].DocumentID != nil || history[0].EventID != nil {
			t.Errorf("the author's acceptance carries a target: %+v", history[0])
		}
		if history[1].DocumentID == nil || *history[1].DocumentID != doc.ID {
			t.Errorf("the moderator's referral lost its document: %+v", history[1])
		}
	})
}

// TestWrongMethodAnswers405: a path that exists under other methods says
// which (Allow), in the API's error shape or as a page; an unknown path
// stays 404.
func TestWrongMethodAnswers405(t *testing.T) {
	t.Parallel()
	forEachEngine(t, func(t *testing.T, app *servertest.App) {
		c := app.Client()
		for _, tc := range []struct{ method, path, allow string }{
			{"DELETE", "/api/v1/documents", "GET, HEAD, POST"},
			{"PATCH", "/api/v1/documents/12", "GET, HEAD, PUT"},
			{"GET", "/api/v1/threads/3/status", "POST"},
			{"POST", "/api/v1/openapi.json", "GET, HEAD"},
		} {
			r := c.Do(tc.method, tc.path, strings.NewReader(`{}`), "application/json")
			if r.Status != http.StatusMethodNotAllowed || r.Header.Get("Allow") != tc.allow {
				t.Errorf("%s %s: got %d Allow %q, want 405 Allow %q", tc.method, tc.path, r.Status, r.Header.Get("Allow"), tc.allow)
			}
			assertAPIError(t, r, "method_not_allowed")
		}
		r := c.Do("DELETE", "/signin", nil, "")
		if r.Status != http.StatusMethodNotAllowed || r.Header.Get("Allow") != "GET, HEAD, POST" {
			t.Errorf("DELETE /signin: got %d Allow %q, want 405 Allow \"GET, HEAD, POST\"", r.Status, r.Header.Get("Allow"))
		}
		if !strings.Contains(r.Header.Get("Content-Type"), "text/html") || !strings.Contains(r.Body, "Method not allowed") {
			t.Errorf("the 405 page: %s\n%s", r.Header.Get("Content-Type"), r.Body)
		}
		fr := app.Client()
		fr.Header.Set("Accept-Language", "fr")
		if r := fr.Do("PUT", "/documents", nil, ""); r.Status != http.StatusMethodNotAllowed || !strings.Contains(r.Body, "Méthode non autorisée") {
			t.Errorf("PUT /documents in French: %d", r.Status)
		}
		for _, path := range []string{"/no/such/page", "/api/v1/nothing"} {
			if r := c.Do("DELETE", path, nil, ""); r.Status != http.StatusNotFound || r.Header.Get("Allow") != "" {
				t.Errorf("DELETE %s: got %d Allow %q, want 404", path, r.Status, r.Header.Get("Allow"))
			}
		}
	})
}

// TestAPIErrorsNameTheProperties: the API checks bodies with the pages'
// form checks; its errors name the properties sent (starts_at, theme_id),
// never the form's fields (starts, theme).
func TestAPIErrorsNameTheProperties(t *testing.T) {
	t.Parallel()
	forEachEngine(t, func(t *testing.T, app *servertest.App) {
		app.CreateUser("mod@x.example", store.RoleModerator, "Secretariat", store.OrgSecretariat)
		mod := app.Client()
		mod.SignIn("mod@x.example")
		for _, tc := range []struct {
			name, method, path, body string
			want                     []string
		}{
			{"event without times", "POST", "/api/v1/events", `{"title":"Meeting","visibility":"public"}`, []string{"starts_at"}},
			{"event ending first", "POST", "/api/v1/events", `{"title":"Meeting","starts_at":"2030-10-02T10:00","ends_at":"2030-10-01T10:00","visibility":"public"}`, []string{"ends_at"}},
			{"event with an unknown document", "POST", "/api/v1/events", `{"title":"Meeting","starts_at":"2030-10-01T10:00","ends_at":"2030-10-01T12:00","visibility":"public","document_ids":[987654]}`, []string{"document_ids"}},
			{"public document with a derestriction", "POST", "/api/v1/documents", `{"title":"Note","date":"2019-10-01","visibility":"public","derestrict_at":"2030-01-01"}`, []string{"derestrict_at"}},
			{"thread without a theme", "POST", "/api/v1/threads", `{"theme_id":0,"kind":"challenge","title":"Fees","body":"Text.","attribution":"record"}`, []string{"theme_id"}},
		} {
			r := sendJSON(mod, tc.method, tc.path, tc.body)
			if r.Status != http.StatusUnprocessableEntity {
				t.Errorf("%s: got %d, want 422: %s", tc.name, r.Status, r.Body)
				continue
			}
			fields := apiFields(t, r)
			for _, p := range tc.want {
				if fields[p] == "" {
					t.Errorf("%s: no error on %s: %s", tc.name, p, r.Body)
				}
			}
			for _, form := range []string{"starts", "ends", "documents", "derestrict", "theme", "category"} {
				if _, ok := fields[form]; ok {
					t.Errorf("%s: the error names the form field %q: %s", tc.name, form, r.Body)
				}
			}
		}
	})
}

// TestUnreadableAddressIs400: a NUL or bytes that are not UTF-8 in an
// address's query reached Postgres, which refused them (500); the fuzz
// test found it. Every page and API list answers 400 instead.
func TestUnreadableAddressIs400(t *testing.T) {
	t.Parallel()
	forEachEngine(t, func(t *testing.T, app *servertest.App) {
		app.CreateUser("admin@x.example", store.RoleAdmin, "Secretariat", store.OrgSecretariat)
		admin := app.Client()
		admin.SignIn("admin@x.example")
		for _, path := range []string{"/api/v1/documents?tag=%00", "/api/v1/documents?category=%00", "/api/v1/documents?lang=a%00",
			"/api/v1/organisations?q=a%00b", "/api/v1/search?q=%FF%FE", "/api/v1/threads?list=%C3%28", "/api/v1/documents/1%00"} {
			r := admin.Get(path)
			if r.Status != http.StatusBadRequest {
				t.Errorf("%s: got %d, want 400", path, r.Status)
			}
			assertAPIError(t, r, "bad_request")
		}
		for _, path := range []string{"/documents?tag=%00", "/search?q=a%00", "/admin/users?q=%FF", "/moderation/organisations?q=%00"} {
			r := admin.Get(path)
			if r.Status != http.StatusBadRequest || !strings.Contains(r.Body, "characters that cannot be read") {
				t.Errorf("%s: got %d, want 400 with a page saying why", path, r.Status)
			}
		}
		if r := admin.Get("/documents?tag=caf%C3%A9&q=%E2%82%AC"); r.Status != http.StatusOK {
			t.Errorf("UTF-8 in a query: got %d, want 200", r.Status)
		}

		app.CreateUser("biz@x.example", store.RoleBusiness, "Andes Textiles", store.OrgBusiness)
		biz := app.Client()
		biz.SignIn("biz@x.example")
		r := sendJSON(biz, "POST", "/api/v1/threads", fmt.Sprintf(`{"theme_id":%d,"kind":"challenge","title":"Border fees","body":"Unpublished fees.","attribution":"record"}`, themeID(t, app)))
		var th struct{ ID int64 }
		_ = json.Unmarshal([]byte(r.Body), &th)
		for _, note := range []string{`a\u0000b`, strings.Repeat("n", 501)} {
			r := sendJSON(admin, "POST", fmt.Sprintf("/api/v1/threads/%d/status", th.ID), `{"to":"closed","note":"`+note+`"}`)
			if r.Status != http.StatusUnprocessableEntity || apiFields(t, r)["note"] == "" {
				t.Errorf("closing with a note of %d bytes: got %d, want 422 on note: %s", len(note), r.Status, r.Body)
			}
		}
		if r := admin.Post(fmt.Sprintf("/forum/threads/%d/status", th.ID), url.Values{"to": {"closed"}, "note": {"a\x00b"}}); r.Status != http.StatusUnprocessableEntity {
			t.Errorf("closing through the page with a NUL in the note: got %d, want 422", r.Status)
		}
	})
}
