package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"ideasx/server/servertest"
	"ideasx/store"
)

// TestRegistrationSettingsAPIByRole: only organisers (moderators, admins)
// read and change a meeting's registration settings, as on the page.
func TestRegistrationSettingsAPIByRole(t *testing.T) {
	t.Parallel()
	forEachEngine(t, func(t *testing.T, app *servertest.App) {
		e := registrationMeeting(t, app, 5)
		path := fmt.Sprintf("/api/v1/events/%d/registration-settings", e.ID)
		body := `{"enabled":true,"open_members":true,"capacity":7}`
		want := map[string]int{"visitor": http.StatusUnauthorized, "business": http.StatusForbidden, "member": http.StatusForbidden,
			"pending": http.StatusForbidden, "suspended": http.StatusUnauthorized, "moderator": http.StatusOK, "admin": http.StatusOK}
		for role, c := range signedInClients(t, app) {
			if r := c.Get(path); r.Status != want[role] {
				t.Errorf("%s: GET got %d, want %d", role, r.Status, want[role])
			} else if r.Status == http.StatusOK && (!strings.Contains(r.Body, `"capacity":`) || !strings.Contains(r.Body, `"timezone":"Europe/Zurich"`)) {
				t.Errorf("%s: GET got %s", role, r.Body)
			}
			if r := c.Do(http.MethodPut, path, strings.NewReader(body), "application/json"); r.Status != want[role] {
				t.Errorf("%s: PUT got %d, want %d", role, r.Status, want[role])
			}
		}
		rs, err := app.Store.RegistrationSettingsOf(context.Background(), e.ID)
		if err != nil || rs.Capacity != 7 || rs.OpenVisitors || !rs.OpenMembers || rs.AskOrganisation {
			t.Errorf("after the organisers' PUT: %+v %v, want 7 seats, members only, no questions", rs, err)
		}
		log, _ := app.Store.AuditLog(context.Background(), store.AuditFilter{Action: "event.registration_settings"})
		by := 0
		for _, entry := range log {
			if entry.ActorID != 0 { // not the setup's
				by++
			}
		}
		if by != 2 {
			t.Errorf("got %d audit entries by organisers, want 2 (the moderator's and the admin's)", by)
		}
	})
}

// TestRegistrationSettingsAPIBadInput: errors name the JSON properties;
// fewer seats than taken is refused with nothing changed; more seats
// promote the waiting list, as the page does.
func TestRegistrationSettingsAPIBadInput(t *testing.T) {
	t.Parallel()
	forEachEngine(t, func(t *testing.T, app *servertest.App) {
		ctx := context.Background()
		e := registrationMeeting(t, app, 2)
		clients := signedInClients(t, app)
		mod := clients["moderator"]
		path := fmt.Sprintf("/api/v1/events/%d/registration-settings", e.ID)
		put := func(body string) servertest.Response {
			return mod.Do(http.MethodPut, path, strings.NewReader(body), "application/json")
		}
		fields := func(r servertest.Response) map[string]string {
			var out struct {
				Error struct{ Fields map[string]string } `json:"error"`
			}
			_ = json.Unmarshal([]byte(r.Body), &out)
			return out.Error.Fields
		}
		r := put(`{"enabled":true,"capacity":-1,"deadline":"next week","link_reveal_minutes":99999999}`)
		got := fields(r)
		for _, prop := range []string{"capacity", "deadline", "link_reveal_minutes", "open_visitors"} {
			if r.Status != http.StatusUnprocessableEntity || got[prop] == "" {
				t.Errorf("bad input: got %d %s, want 422 naming %s", r.Status, r.Body, prop)
			}
		}
		if r := put(`{"enabled":"yes"}`); r.Status != http.StatusBadRequest {
			t.Errorf("wrong type: got %d, want 400", r.Status)
		}
		for _, who := range []string{"member", "business", "moderator"} {
			if r := clients[who].Do(http.MethodPost, fmt.Sprintf("/api/v1/events/%d/registration", e.ID), strings.NewReader(`{"attendance":"online"}`), "application/json"); r.Status != http.StatusCreated {
				t.Fatalf("%s registers: got %d %s", who, r.Status, r.Body)
			}
		}
		// Two seats taken, one waiting.
		all := `{"enabled":true,"open_visitors":true,"open_businesses":true,"open_members":true,"ask_attendance":true,"capacity":%d}`
		r = put(fmt.Sprintf(all, 1))
		if r.Status != http.StatusUnprocessableEntity || fields(r)["capacity"] == "" {
			t.Errorf("below the seats taken: got %d %s, want 422 naming capacity", r.Status, r.Body)
		}
		if rs, _ := app.Store.RegistrationSettingsOf(ctx, e.ID); rs.Capacity != 2 || !rs.AskOrganisation {
			t.Errorf("after the refused change: %+v, want the settings unchanged", rs)
		}
		if r := put(fmt.Sprintf(all, 3)); r.Status != http.StatusOK || !strings.Contains(r.Body, `"capacity":3`) {
			t.Fatalf("more seats: got %d %s", r.Status, r.Body)
		}
		counts, err := app.Store.CountRegistrations(ctx, e.ID)
		if err != nil || counts.Confirmed != 3 || counts.Waiting != 0 {
			t.Errorf("after raising the seats: %+v %v, want the waiting one given a seat", counts, err)
		}
		// A deadline with its offset, as GET answers it, goes back unchanged.
		r = put(`{"enabled":true,"open_members":true,"deadline":"2030-10-01T09:00:00+02:00","capacity":0}`)
		var back struct{ Deadline *time.Time }
		if r.Status != http.StatusOK || json.Unmarshal([]byte(r.Body), &back) != nil || back.Deadline == nil ||
			!back.Deadline.Equal(time.Date(2030, 10, 1, 7, 0, 0, 0, time.UTC)) {
			t.Errorf("deadline: got %d %s, want 07:00 UTC", r.Status, r.Body)
		}
	})
}
