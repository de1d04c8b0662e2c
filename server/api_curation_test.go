package server_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"ideasx/server/servertest"
	"ideasx/store"
)

// TestAPICuration: a moderator's program drafts a document from a thread
// (once: asking again gives the same draft), cannot publish it while the
// person it names has not agreed (409 naming them), and publishes it once
// they have; a member may do neither.
func TestAPICuration(t *testing.T) {
	t.Parallel()
	forEachEngine(t, func(t *testing.T, app *servertest.App) {
		app.CreateUser("biz@x.example", store.RoleBusiness, "Andes Textiles", store.OrgBusiness)
		app.CreateUser("del@x.example", store.RoleMember, "Delegation of Chile", store.OrgMember)
		app.CreateUser("mod@x.example", store.RoleModerator, "Secretariat", store.OrgSecretariat)
		biz, del, mod := app.Client(), app.Client(), app.Client()
		biz.SignIn("biz@x.example")
		del.SignIn("del@x.example")
		mod.SignIn("mod@x.example")
		thread := curationThread(t, app, biz, del, "Stamps twice", "record")

		if r := apiJSON(del, "POST", "/api/v1/threads/"+thread+"/curate", ""); r.Status != http.StatusForbidden {
			t.Errorf("member curates: got %d, want 403", r.Status)
		}
		r := apiJSON(mod, "POST", "/api/v1/threads/"+thread+"/curate", "")
		var doc struct {
			ID     int64  `json:"id"`
			Status string `json:"status"`
		}
		if r.Status != http.StatusCreated || json.Unmarshal([]byte(r.Body), &doc) != nil || doc.Status != "draft" {
			t.Fatalf("curate: %d %s", r.Status, r.Body)
		}
		again := apiJSON(mod, "POST", "/api/v1/threads/"+thread+"/curate", "")
		if again.Status != http.StatusOK || !strings.Contains(again.Body, `"id":`+itoa(doc.ID)+`,`) {
			t.Errorf("curate again: got %d %s, want 200 with draft %d", again.Status, again.Body, doc.ID)
		}
		status := "/api/v1/documents/" + itoa(doc.ID) + "/status"
		if r := apiJSON(del, "POST", status, `{"status":"published"}`); r.Status != http.StatusForbidden {
			t.Errorf("member publishes: got %d, want 403", r.Status)
		}
		if r := apiJSON(mod, "POST", status, `{"status":"public"}`); r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, `"status":`) {
			t.Errorf("unknown status: got %d %s, want 422 naming status", r.Status, r.Body)
		}
		r = apiJSON(mod, "POST", status, `{"status":"published"}`)
		if r.Status != http.StatusConflict || !strings.Contains(r.Body, "consent_missing") || !strings.Contains(r.Body, "Test biz") {
			t.Errorf("publish before consent: got %d %s, want 409 naming Test biz", r.Status, r.Body)
		}
		consents := "/api/v1/documents/" + itoa(doc.ID) + "/consents"
		if r := apiJSON(del, "GET", consents, ""); r.Status != http.StatusForbidden {
			t.Errorf("member reads the consents: got %d, want 403", r.Status)
		}
		if r := apiJSON(mod, "GET", consents, ""); r.Status != http.StatusOK || strings.Count(r.Body, `"answer":"pending"`) != 2 ||
			!strings.Contains(r.Body, `"all_agreed":false`) {
			t.Errorf("consents before anyone answered: got %d %s, want two pending", r.Status, r.Body)
		}
		for _, c := range []*servertest.Client{biz, del} {
			if r := apiJSON(c, "PUT", "/api/v1/consents/"+itoa(doc.ID), `{"answer":"granted"}`); r.Status != http.StatusOK {
				t.Fatalf("consent: %d %s", r.Status, r.Body)
			}
		}
		if r := apiJSON(mod, "GET", consents, ""); !strings.Contains(r.Body, `"all_agreed":true`) {
			t.Errorf("consents once all agreed: %s", r.Body)
		}
		r = apiJSON(mod, "POST", status, `{"status":"published"}`)
		if r.Status != http.StatusOK || !strings.Contains(r.Body, `"status":"published"`) {
			t.Errorf("publish: %d %s", r.Status, r.Body)
		}
		for _, action := range []string{"thread.curate", "document.status"} {
			if entries, err := app.Store.AuditLog(t.Context(), store.AuditFilter{Action: action}); err != nil || len(entries) != 1 {
				t.Errorf("audit %s: got %d entries (%v), want 1", action, len(entries), err)
			}
		}
	})
}
