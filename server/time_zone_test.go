package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"ideasx/server/servertest"
	"ideasx/store"
	"ideasx/store/storetest"
)

// TestTimeZoneOnAccountPage: the account page shows and changes the zone;
// an unknown one is refused next to the field with nothing saved (not the
// name typed with it either).
func TestTimeZoneOnAccountPage(t *testing.T) {
	t.Parallel()
	forEachEngine(t, func(t *testing.T, app *servertest.App) {
		ctx := context.Background()
		u := app.CreateUser("bo@kenya.example", store.RoleMember, "Delegation of Kenya", store.OrgMember)
		c := app.Client()
		c.SignIn(u.Email)
		mustContain(t, c.Get("/account"), `name="time_zone" type="text" value="Europe/Zurich"`, "Time zone")

		for _, bad := range []string{"Mars/Olympus_Mons", "Local", "../../etc/passwd", "Europe/Zurich " + strings.Repeat("x", 70)} {
			r := c.Post("/account/profile", url.Values{"name": {"Someone Else"}, "locale": {""}, "time_zone": {bad}})
			if r.Status != http.StatusUnprocessableEntity {
				t.Errorf("zone %q: got %d, want 422", bad, r.Status)
			}
			mustContain(t, r, "This is not a time zone we know", `id="f-time_zone-error"`, `aria-invalid="true"`)
		}
		again, err := app.Store.UserByID(ctx, u.ID)
		if err != nil || again.TimeZone != "Europe/Zurich" || again.Name != u.Name {
			t.Errorf("after refused saves: zone %q, name %q (%v); want nothing changed", again.TimeZone, again.Name, err)
		}

		r := c.Post("/account/profile", url.Values{"name": {u.Name}, "locale": {"fr"}, "time_zone": {"America/New_York"}})
		if r.Status != http.StatusSeeOther {
			t.Fatalf("save: got %d\n%s", r.Status, r.Body)
		}
		again, _ = app.Store.UserByID(ctx, u.ID)
		if again.TimeZone != "America/New_York" || again.Locale != "fr" {
			t.Errorf("saved zone %q, locale %q; want America/New_York, fr", again.TimeZone, again.Locale)
		}
	})
}

// TestTimeZoneGuessedAtSignUp: the zone the browser gave at sign-up is
// kept; one the zone database lacks gives Geneva's, never an error (the
// person did not type it).
func TestTimeZoneGuessedAtSignUp(t *testing.T) {
	t.Parallel()
	app := servertest.New(t, storetest.SQLite, nil)
	for email, c := range map[string]struct{ sent, want string }{
		"tokyo@shea.example": {"Asia/Tokyo", "Asia/Tokyo"},
		"mars@shea.example":  {"Mars/Olympus", "Europe/Zurich"},
		"nojs@shea.example":  {"", "Europe/Zurich"},
	} {
		form := registration(email)
		form.Set("time_zone", c.sent)
		if r := app.Client().Post("/register", form); r.Status != http.StatusOK {
			t.Fatalf("register %s: got %d\n%s", email, r.Status, r.Body)
		}
		u, err := app.Store.UserByEmail(context.Background(), email)
		if err != nil || u.TimeZone != c.want {
			t.Errorf("sent %q: zone %q (%v), want %q", c.sent, u.TimeZone, err, c.want)
		}
	}
	mustContain(t, app.Client().Get("/register"), `name="time_zone" value="" data-time-zone-guess`)
}

// TestTimesInReadersZone: a post's time reads on the reader's clock with
// the zone's abbreviation, Geneva's for whoever did not choose; a meeting
// shows its own time and, when the reader's clock differs, the reader's;
// a visitor reads Geneva's.
func TestTimesInReadersZone(t *testing.T) {
	t.Parallel()
	forEachEngine(t, func(t *testing.T, app *servertest.App) {
		ctx := context.Background()
		ny := app.CreateUser("ny@hudson.example", store.RoleBusiness, "Hudson Exports", store.OrgBusiness)
		if err := app.Store.SetTimeZone(ctx, ny.ID, "America/New_York"); err != nil {
			t.Fatal(err)
		}
		app.CreateUser("ge@lake.example", store.RoleMember, "Delegation of Switzerland", store.OrgMember)
		nyc, gec := app.Client(), app.Client()
		nyc.SignIn("ny@hudson.example")
		gec.SignIn("ge@lake.example")
		thread := postThread(t, nyc, themeID(t, app), "Which clock", "record")

		posts, err := app.Store.Posts(ctx, mustThreadID(t, thread), 0, 1)
		if err != nil || len(posts) != 1 {
			t.Fatalf("posts: %v", err)
		}
		at := posts[0].CreatedAt
		newYork, _ := time.LoadLocation("America/New_York")
		geneva, _ := time.LoadLocation("Europe/Zurich")
		clock := func(loc *time.Location) string { return at.In(loc).Format("15:04 MST") }
		mustContain(t, nyc.Get(thread), clock(newYork))
		mustContain(t, gec.Get(thread), clock(geneva))
		if strings.Contains(nyc.Get(thread).Body, clock(geneva)) {
			t.Errorf("the New Yorker reads Geneva's %s", clock(geneva))
		}

		// A meeting in Geneva at 10:00 in June: 04:00 in New York.
		day := time.Date(2030, 6, 27, 10, 0, 0, 0, geneva)
		e := &store.Event{Title: "MSME Day 2030", StartsAt: day, EndsAt: day.Add(90 * time.Minute), Timezone: "Europe/Zurich", Visibility: store.Public}
		if err := app.Store.SaveEvent(ctx, 0, e); err != nil {
			t.Fatal(err)
		}
		page := fmt.Sprintf("/events/%d-msme-day-2030", e.ID)
		r := nyc.Get(page)
		mustContain(t, r, "10:00–11:30 CEST", "(Europe/Zurich)", "Your time: 27 June 2030, 04:00–05:30 EDT")
		for who, c := range map[string]*servertest.Client{"Geneva member": gec, "visitor": app.Client()} {
			r := c.Get(page)
			mustContain(t, r, "10:00–11:30 CEST")
			if strings.Contains(r.Body, "Your time") {
				t.Errorf("%s on Geneva's clock is shown a second time", who)
			}
		}
	})
}

func mustThreadID(t *testing.T, location string) int64 {
	t.Helper()
	var id int64
	if _, err := fmt.Sscanf(strings.TrimPrefix(location, "/forum/threads/"), "%d", &id); err != nil {
		t.Fatalf("thread id of %q: %v", location, err)
	}
	return id
}

// TestTimeZoneThroughAPI: GET /api/v1/me says the zone, PATCH changes it
// with the page's checks, errors naming the property.
func TestTimeZoneThroughAPI(t *testing.T) {
	t.Parallel()
	app := servertest.New(t, storetest.SQLite, nil)
	u := app.CreateUser("api@hudson.example", store.RoleBusiness, "Hudson Exports", store.OrgBusiness)
	c := app.Client()
	c.SignIn(u.Email)
	c.Header.Set("Origin", app.URL)
	patch := func(body string) servertest.Response {
		return c.Do(http.MethodPatch, "/api/v1/me", strings.NewReader(body), "application/json")
	}
	if r := c.Get("/api/v1/me"); !strings.Contains(r.Body, `"time_zone":"Europe/Zurich"`) || !strings.Contains(r.Body, `"handle":"`+u.Handle+`"`) {
		t.Errorf("me: %s", r.Body)
	}
	r := patch(`{"time_zone":"Nowhere/City"}`)
	var bad struct {
		Error struct {
			Code   string            `json:"code"`
			Fields map[string]string `json:"fields"`
		} `json:"error"`
	}
	_ = json.Unmarshal([]byte(r.Body), &bad)
	if r.Status != http.StatusUnprocessableEntity || bad.Error.Code != "invalid" || bad.Error.Fields["time_zone"] == "" {
		t.Errorf("unknown zone: got %d %s, want 422 naming time_zone", r.Status, r.Body)
	}
	if r := patch(`{"time_zone":5}`); r.Status != http.StatusBadRequest {
		t.Errorf("a number for a zone: got %d, want 400", r.Status)
	}
	if r := patch(`{"time_zone":"Asia/Kolkata"}`); r.Status != http.StatusOK || !strings.Contains(r.Body, `"time_zone":"Asia/Kolkata"`) || !strings.Contains(r.Body, `"name":"`+u.Name+`"`) {
		t.Errorf("change zone: got %d %s", r.Status, r.Body)
	}
	got, _ := app.Store.UserByID(context.Background(), u.ID)
	if got.TimeZone != "Asia/Kolkata" || got.Name != u.Name {
		t.Errorf("stored zone %q, name %q", got.TimeZone, got.Name)
	}
	if r := app.Client().Do(http.MethodPatch, "/api/v1/me", strings.NewReader(`{"time_zone":"Asia/Tokyo"}`), "application/json"); r.Status != http.StatusUnauthorized {
		t.Errorf("a visitor patching: got %d, want 401", r.Status)
	}
}
