package server_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"ideasx/server/servertest"
	"ideasx/store"
)

func apiJSON(c *servertest.Client, method, path, body string) servertest.Response {
	return c.Do(method, path, strings.NewReader(body), "application/json")
}

// TestAPIThemesAndCategories: a moderator's program creates, renames and
// archives themes and categories as the moderation pages do, with the same
// checks (a taken slug names the slug property), rights and audit entries.
func TestAPIThemesAndCategories(t *testing.T) {
	t.Parallel()
	forEachEngine(t, func(t *testing.T, app *servertest.App) {
		app.CreateUser("mod@x.example", store.RoleModerator, "Secretariat", store.OrgSecretariat)
		app.CreateUser("del@x.example", store.RoleMember, "Delegation of Chile", store.OrgMember)
		mod, del := app.Client(), app.Client()
		mod.SignIn("mod@x.example")
		del.SignIn("del@x.example")

		theme := `{"slug":"e-invoicing","name_en":"E-invoicing","name_fr":"Facturation électronique","name_es":"Facturación electrónica","position":7}`
		if r := apiJSON(del, "POST", "/api/v1/themes", theme); r.Status != http.StatusForbidden {
			t.Errorf("member creates a theme: got %d, want 403", r.Status)
		}
		r := apiJSON(mod, "POST", "/api/v1/themes", theme)
		var th store.Theme
		if r.Status != http.StatusCreated || json.Unmarshal([]byte(r.Body), &th) != nil || th.ID == 0 || th.NameFR != "Facturation électronique" {
			t.Fatalf("create theme: %d %s", r.Status, r.Body)
		}
		r = apiJSON(mod, "POST", "/api/v1/themes", theme)
		if r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, `"slug":`) {
			t.Errorf("a taken slug: got %d %s, want 422 naming slug", r.Status, r.Body)
		}
		r = apiJSON(mod, "PUT", fmt.Sprintf("/api/v1/themes/%d", th.ID), strings.Replace(theme, `"position":7`, `"position":7,"archived":true`, 1))
		if r.Status != http.StatusOK || !strings.Contains(r.Body, `"archived":true`) {
			t.Errorf("archive theme: %d %s", r.Status, r.Body)
		}
		if r := apiJSON(del, "GET", "/api/v1/themes?archived=include", ""); strings.Contains(r.Body, "e-invoicing") {
			t.Errorf("an archived theme is still offered: %s", r.Body)
		}
		if r := apiJSON(mod, "GET", "/api/v1/themes?archived=include", ""); !strings.Contains(r.Body, `"slug":"e-invoicing"`) {
			t.Errorf("a moderator cannot find the archived theme to bring it back: %s", r.Body)
		}
		if r := apiJSON(mod, "PUT", "/api/v1/themes/987654", theme); r.Status != http.StatusNotFound {
			t.Errorf("unknown theme: got %d, want 404", r.Status)
		}
		if r := apiJSON(mod, "POST", "/api/v1/themes", `{"slug":"Not A Slug","name_en":"","name_fr":"x","name_es":"x"}`); r.Status != http.StatusUnprocessableEntity ||
			!strings.Contains(r.Body, `"slug":`) || !strings.Contains(r.Body, `"name_en":`) {
			t.Errorf("bad theme: got %d %s, want 422 naming slug and name_en", r.Status, r.Body)
		}

		cat := `{"slug":"guides","name_en":"Guides","name_fr":"Guides","name_es":"Guías","position":3}`
		if r := apiJSON(del, "POST", "/api/v1/categories", cat); r.Status != http.StatusForbidden {
			t.Errorf("member creates a category: got %d, want 403", r.Status)
		}
		r = apiJSON(mod, "POST", "/api/v1/categories", cat)
		var c store.Category
		if r.Status != http.StatusCreated || json.Unmarshal([]byte(r.Body), &c) != nil || c.ID == 0 {
			t.Fatalf("create category: %d %s", r.Status, r.Body)
		}
		r = apiJSON(mod, "PUT", fmt.Sprintf("/api/v1/categories/%d", c.ID), strings.Replace(cat, "Guías", "Manuales", 1))
		if r.Status != http.StatusOK || !strings.Contains(apiJSON(del, "GET", "/api/v1/categories", "").Body, "Manuales") {
			t.Errorf("rename category: %d %s", r.Status, r.Body)
		}

		for _, action := range []string{"theme.create", "theme.update", "category.create", "category.update"} {
			entries, err := app.Store.AuditLog(t.Context(), store.AuditFilter{Action: action})
			if err != nil || len(entries) != 1 {
				t.Errorf("audit %s: got %d entries (%v), want 1", action, len(entries), err)
			}
		}
	})
}
