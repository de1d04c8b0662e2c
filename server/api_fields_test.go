package server_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"testing"

	"ideasx/server/servertest"
	"ideasx/store"
	"ideasx/store/storetest"
)

// TestProgrammeErrorsNameTheJSONProperties: a session's and a meeting's
// links' errors named the editor's form fields ("ends", "p0.name",
// "o0.name"); they name what the client sent ("ends_at",
// "people[0].name", "co_organisers[0].name").
func TestProgrammeErrorsNameTheJSONProperties(t *testing.T) {
	t.Parallel()
	app := servertest.New(t, storetest.SQLite, nil)
	app.CreateUser("mod@x.example", store.RoleModerator, "Secretariat", store.OrgSecretariat)
	mod := app.Client()
	mod.SignIn("mod@x.example")
	r := sendJSON(mod, "POST", "/api/v1/events", `{"title":"Week","starts_at":"2030-10-01T09:00","ends_at":"2030-10-01T17:00","visibility":"public"}`)
	var event struct{ ID int64 }
	if r.Status != http.StatusCreated || json.Unmarshal([]byte(r.Body), &event) != nil {
		t.Fatalf("create event: %d %s", r.Status, r.Body)
	}
	for _, tc := range []struct {
		method, path, body string
		want               []string
	}{
		{"POST", "/sessions", `{"starts_at":"2030-10-01T11:00","ends_at":"2030-10-01T10:00","title":"Opening","people":[{"role":"speaker","name":""}]}`,
			[]string{"ends_at", "people[0].name"}},
		{"POST", "/sessions", `{"starts_at":"2030-10-01T10:00","ends_at":"2030-10-01T11:00","title":"Panel","people":[{"role":"speaker","name":"Ana","handle":"nobody.here"}]}`,
			[]string{"people[0].handle"}},
		{"PUT", "/links", `{"co_organisers":[{"name":"UNCTAD"},{"name":"","url":"https://example.org"}]}`, []string{"co_organisers[1].name"}},
	} {
		r := sendJSON(mod, tc.method, fmt.Sprintf("/api/v1/events/%d%s", event.ID, tc.path), tc.body)
		if r.Status != http.StatusUnprocessableEntity {
			t.Errorf("%s: got %d, want 422: %s", tc.path, r.Status, r.Body)
			continue
		}
		fields := apiFields(t, r)
		for _, p := range tc.want {
			if fields[p] == "" {
				t.Errorf("%s: no error on %s: %v", tc.path, p, fields)
			}
		}
		if len(fields) != len(tc.want) {
			t.Errorf("%s: got errors on %v, want only %v", tc.path, fields, tc.want)
		}
	}
}
