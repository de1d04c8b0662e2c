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
)

// programmeWorld is a public meeting with a programme, a members-only
// meeting with one, and a public side event of the members-only meeting.
type programmeWorld struct {
	public, members, side *store.Event
	speaker               *store.User
}

func seedProgramme(t *testing.T, app *servertest.App) programmeWorld {
	t.Helper()
	ctx := context.Background()
	geneva, _ := time.LoadLocation("Europe/Zurich")
	day := time.Date(2030, 6, 27, 0, 0, 0, 0, geneva)
	at := func(h, m int) time.Time { return day.Add(time.Duration(h)*time.Hour + time.Duration(m)*time.Minute) }
	event := func(title string, vis store.Visibility, programme string) *store.Event {
		e := &store.Event{Title: title, StartsAt: at(10, 0), EndsAt: at(17, 30), Timezone: "Europe/Zurich", Visibility: vis, Programme: programme}
		if err := app.Store.SaveEvent(ctx, 0, e); err != nil {
			t.Fatal(err)
		}
		return e
	}
	w := programmeWorld{
		public:  event("MSME Day 2030", store.Public, "A day on trade for small firms."),
		members: event("Delegates breakfast", store.MembersOnly, ""),
		side:    event("Impact Lab", store.Public, "Held at the ITC."),
		speaker: app.CreateUser("speaker@roles.example", store.RoleMember, "Delegation of Uruguay", store.OrgMember),
	}
	sessions := []store.EventSession{
		{EventID: w.public.ID, StartsAt: at(15, 20), EndsAt: at(16, 0), Title: "Impact investment", TitleFR: "Investissement d'impact",
			Venue: "Room W", Languages: []string{"en", "fr"}, People: []store.SessionPerson{
				{Role: store.SessionSpeaker, Name: "Freda Ampofo", Title: "Founder", TitleFR: "Fondatrice", Organisation: "Kaeme"},
				{Role: store.SessionModerator, Name: "Crispin Conroy", Title: "Permanent Observer", Organisation: "ICC", UserID: &w.speaker.ID},
			}},
		{EventID: w.public.ID, StartsAt: at(10, 0), EndsAt: at(10, 10), Title: "Opening remarks",
			People: []store.SessionPerson{{Role: store.SessionOpening, Name: "Alan Wolff", Title: "Deputy Director-General", Organisation: "WTO"}}},
		{EventID: w.members.ID, StartsAt: at(8, 0), EndsAt: at(9, 0), Title: "Closed breakfast talk",
			People: []store.SessionPerson{{Role: store.SessionSpeaker, Name: "Quiet Delegate"}}},
	}
	for i := range sessions {
		if err := app.Store.SaveEventSession(ctx, 0, &sessions[i]); err != nil {
			t.Fatal(err)
		}
	}
	if err := app.Store.SaveEventLinks(ctx, 0, w.public.ID, 0, []store.CoOrganiser{{Name: "International Trade Centre", NameFR: "Centre du commerce international", URL: "https://intracen.org"}}); err != nil {
		t.Fatal(err)
	}
	if err := app.Store.SaveEventLinks(ctx, 0, w.members.ID, 0, []store.CoOrganiser{{Name: "Closed Circle Foundation"}}); err != nil {
		t.Fatal(err)
	}
	if err := app.Store.SaveEventLinks(ctx, 0, w.side.ID, w.members.ID, nil); err != nil {
		t.Fatal(err)
	}
	return w
}

func eventPage(e *store.Event) string {
	return fmt.Sprintf("/events/%d-%s", e.ID, strings.ToLower(strings.ReplaceAll(e.Title, " ", "-")))
}

// TestProgrammeByRole: everyone reads a public meeting's timetable; a
// members-only meeting's programme reaches forum readers only, on its page,
// in the API and through a public side event of it.
func TestProgrammeByRole(t *testing.T) {
	t.Parallel()
	forEachEngine(t, func(t *testing.T, app *servertest.App) {
		w := seedProgramme(t, app)
		clients := signedInClients(t, app)
		secrets := []string{"Delegates breakfast", "Closed breakfast talk", "Quiet Delegate", "Closed Circle Foundation"}
		for role, c := range clients {
			members := role == "business" || role == "member" || role == "moderator" || role == "admin"
			page := c.Get(eventPage(w.public))
			if page.Status != http.StatusOK {
				t.Fatalf("%s: public meeting page: got %d", role, page.Status)
			}
			// In time order, as the newsletter prints it, with each person's title and organisation.
			opening, impact := strings.Index(page.Body, "Opening remarks"), strings.Index(page.Body, "Impact investment")
			if opening < 0 || impact < 0 || opening > impact {
				t.Errorf("%s: got opening at %d and impact investment at %d, want both, opening first", role, opening, impact)
			}
			mustContain(t, page, `class="timetable"`, "15:20", "16:00", "CEST", "Freda Ampofo</span>, Founder, <span class=\"person-org\">Kaeme",
				"Moderator", "Room W", "International Trade Centre", "A day on trade for small firms.")
			if linked := strings.Contains(page.Body, "/forum/people/"+w.speaker.Handle); linked != members {
				t.Errorf("%s: moderator's account linked: %v, want %v", role, linked, members)
			}

			closed := c.Get(eventPage(w.members))
			if members != (closed.Status == http.StatusOK) {
				t.Errorf("%s: members-only meeting page: got %d", role, closed.Status)
			}
			if members {
				mustContain(t, closed, "Closed breakfast talk", "Quiet Delegate", "Closed Circle Foundation", "Impact Lab")
			}
			side := c.Get(eventPage(w.side))
			if named := strings.Contains(side.Body, "Delegates breakfast"); named != members {
				t.Errorf("%s: the side event names its members-only main event: %v, want %v", role, named, members)
			}

			api := c.Get(fmt.Sprintf("/api/v1/events/%d", w.public.ID))
			var got struct {
				Sessions []struct {
					Title   string `json:"title"`
					TitleFR string `json:"title_fr"`
					People  []struct {
						Role   string `json:"role"`
						Name   string `json:"name"`
						Handle string `json:"handle"`
					} `json:"people"`
					Languages []string `json:"languages"`
				} `json:"sessions"`
				CoOrganisers []struct {
					NameFR string `json:"name_fr"`
				} `json:"co_organisers"`
			}
			if err := json.Unmarshal([]byte(api.Body), &got); err != nil || api.Status != http.StatusOK {
				t.Fatalf("%s: API event: %d %v", role, api.Status, err)
			}
			if len(got.Sessions) != 2 || got.Sessions[0].Title != "Opening remarks" || got.Sessions[1].TitleFR != "Investissement d'impact" ||
				len(got.Sessions[1].People) != 2 || got.Sessions[1].People[1].Role != "moderator" || strings.Join(got.Sessions[1].Languages, ",") != "en,fr" {
				t.Errorf("%s: API sessions: got %+v", role, got.Sessions)
			}
			if len(got.CoOrganisers) != 1 || got.CoOrganisers[0].NameFR != "Centre du commerce international" {
				t.Errorf("%s: API co-organisers: got %+v", role, got.CoOrganisers)
			}
			if len(got.Sessions) == 2 && (got.Sessions[1].People[1].Handle != "") != members {
				t.Errorf("%s: API names the moderator's account: %q", role, got.Sessions[1].People[1].Handle)
			}
			apiClosed := c.Get(fmt.Sprintf("/api/v1/events/%d", w.members.ID))
			if members != (apiClosed.Status == http.StatusOK) {
				t.Errorf("%s: API members-only meeting: got %d", role, apiClosed.Status)
			}
			list := c.Get("/api/v1/events").Body
			if named := strings.Contains(list, fmt.Sprintf(`"main_event_id":%d`, w.members.ID)); named != members {
				t.Errorf("%s: the API's list links the side event to its members-only main event: %v, want %v", role, named, members)
			}
			apiSide := c.Get(fmt.Sprintf("/api/v1/events/%d", w.side.ID))
			if named := !strings.Contains(apiSide.Body, `"main_event_id":null`); named != members {
				t.Errorf("%s: API side event names its members-only main event: %v, want %v", role, named, members)
			}
			if !members {
				for path, body := range map[string]string{"page": page.Body + closed.Body + side.Body, "API": api.Body + apiClosed.Body + apiSide.Body} {
					for _, s := range secrets {
						if strings.Contains(body, s) {
							t.Errorf("%s: the %s shows %q", role, path, s)
						}
					}
				}
			}
		}
		// The page in French and Spanish: translated titles where given, English otherwise.
		fr := app.Client()
		fr.Post("/lang", url.Values{"lang": {"fr"}, "next": {"/"}})
		mustContain(t, fr.Get(eventPage(w.public)), "Investissement d&#39;impact", "Fondatrice", "Modération", "Centre du commerce international", "Programme")
		es := app.Client()
		es.Post("/lang", url.Values{"lang": {"es"}, "next": {"/"}})
		mustContain(t, es.Get(eventPage(w.public)), "Impact investment", "Founder", "Moderación", "Programa")
	})
}

// TestEventWithoutSessionsKeepsItsText: a meeting written before sessions
// existed shows its free programme text and no timetable.
func TestEventWithoutSessionsKeepsItsText(t *testing.T) {
	t.Parallel()
	forEachEngine(t, func(t *testing.T, app *servertest.App) {
		e := &store.Event{Title: "Old meeting", StartsAt: time.Date(2019, 2, 22, 9, 0, 0, 0, time.UTC), EndsAt: time.Date(2019, 2, 22, 17, 0, 0, 0, time.UTC),
			Timezone: "Europe/Zurich", Visibility: store.Public, Programme: "- Global Trade Helpdesk\n- Trade in value added"}
		if err := app.Store.SaveEvent(context.Background(), 0, e); err != nil {
			t.Fatal(err)
		}
		page := app.Client().Get(eventPage(e))
		mustContain(t, page, "<li>Global Trade Helpdesk</li>", "<li>Trade in value added</li>")
		if strings.Contains(page.Body, `class="timetable"`) {
			t.Error("got a timetable on a meeting without sessions")
		}
	})
}

func sessionForm(starts, ends, title string, people ...[3]string) url.Values {
	v := url.Values{"starts": {starts}, "ends": {ends}, "title": {title}, "title_fr": {"Séance"}, "venue": {"Room S2"},
		"languages": {"en", "es"}, "rows": {fmt.Sprint(len(people) + 2)}}
	for i, p := range people {
		v.Set(fmt.Sprintf("p%d.role", i), p[0])
		v.Set(fmt.Sprintf("p%d.name", i), p[1])
		v.Set(fmt.Sprintf("p%d.account", i), p[2])
		v.Set(fmt.Sprintf("p%d.title", i), "Title of "+p[1])
	}
	return v
}

// TestOnlyModeratorsEditTheProgramme: the editor and its forms answer
// moderators only; a form with problems says which and changes nothing.
func TestOnlyModeratorsEditTheProgramme(t *testing.T) {
	t.Parallel()
	forEachEngine(t, func(t *testing.T, app *servertest.App) {
		ctx := context.Background()
		w := seedProgramme(t, app)
		clients := signedInClients(t, app)
		editor := fmt.Sprintf("/moderation/events/%d/programme", w.public.ID)
		add := fmt.Sprintf("/moderation/events/%d/sessions", w.public.ID)
		valid := sessionForm("2030-06-27T12:00", "2030-06-27T13:00", "Lunch debate", [3]string{"speaker", "Ana Pérez", ""})
		count := func() int {
			ss, err := app.Store.EventSessions(ctx, w.public.ID)
			if err != nil {
				t.Fatal(err)
			}
			return len(ss)
		}
		for role, c := range clients {
			if role == "moderator" || role == "admin" {
				continue
			}
			want := http.StatusForbidden
			if role == "visitor" || role == "suspended" { // a suspended account is signed out
				want = http.StatusSeeOther
			}
			if got := c.Get(editor).Status; got != want {
				t.Errorf("%s: GET the editor: got %d, want %d", role, got, want)
			}
			if got := c.Post(add, valid).Status; got != want {
				t.Errorf("%s: POST a session: got %d, want %d", role, got, want)
			}
		}
		if n := count(); n != 2 {
			t.Fatalf("got %d sessions after others tried, want 2", n)
		}
		mod := clients["moderator"]
		page := mod.Get(editor)
		mustContain(t, page, "Impact investment", "Freda Ampofo", "Fondatrice", `name="p2.name"`, "International Trade Centre")

		// Problems: ends before it starts, a person without a name, a role that does not exist, an unknown account.
		bad := sessionForm("2030-06-27T12:00", "2030-06-27T11:00", "Lunch debate",
			[3]string{"speaker", "Ana Pérez", "nobody.here"}, [3]string{"juggler", "Bo", ""}, [3]string{"speaker", "", ""})
		bad.Set("p2.title", "Someone's title")
		r := mod.Post(add, bad)
		if r.Status != http.StatusUnprocessableEntity {
			t.Fatalf("bad session: got %d, want 422", r.Status)
		}
		mustContain(t, r, "No account has this handle.", "The end comes before the start.", `value="Ana Pérez"`, `aria-invalid="true"`)
		if n := count(); n != 2 {
			t.Fatalf("got %d sessions after a refused form, want 2", n)
		}

		good := sessionForm("2030-06-27T12:00", "2030-06-27T13:00", "Lunch debate",
			[3]string{"moderator", "Crispin Conroy", w.speaker.Handle}, [3]string{"speaker", "Ana Pérez", ""})
		if r := mod.Post(add, good); r.Status != http.StatusSeeOther {
			t.Fatalf("good session: got %d: %s", r.Status, r.Body)
		}
		ss, _ := app.Store.EventSessions(ctx, w.public.ID)
		lunch := ss[1]
		if lunch.Title != "Lunch debate" || lunch.TitleFR != "Séance" || lunch.Venue != "Room S2" || strings.Join(lunch.Languages, ",") != "en,es" ||
			len(lunch.People) != 2 || lunch.People[0].Name != "Crispin Conroy" || lunch.People[0].UserID == nil || *lunch.People[0].UserID != w.speaker.ID {
			t.Fatalf("got %+v, want the lunch debate between the other two, its moderator's account linked", lunch)
		}
		if got := lunch.StartsAt.UTC().Format("15:04"); got != "10:00" {
			t.Errorf("got start %s UTC, want 10:00 (12:00 in Geneva in summer)", got)
		}

		// Removing one person and renaming the session in one save.
		edit := sessionForm("2030-06-27T12:00", "2030-06-27T13:30", "Lunch debate on finance",
			[3]string{"moderator", "Crispin Conroy", ""}, [3]string{"speaker", "Ana Pérez", ""})
		edit.Set("p0.remove", "1")
		if r := mod.Post(fmt.Sprintf("%s/%d", add, lunch.ID), edit); r.Status != http.StatusSeeOther {
			t.Fatalf("edit session: got %d", r.Status)
		}
		ss, _ = app.Store.EventSessions(ctx, w.public.ID)
		if ss[1].Title != "Lunch debate on finance" || len(ss[1].People) != 1 || ss[1].People[0].Name != "Ana Pérez" {
			t.Fatalf("got %+v after the edit", ss[1])
		}
		// A session of another event is not reachable through this one.
		other, _ := app.Store.EventSessions(ctx, w.members.ID)
		if r := mod.Post(fmt.Sprintf("%s/%d", add, other[0].ID), edit); r.Status != http.StatusNotFound {
			t.Errorf("editing another event's session: got %d, want 404", r.Status)
		}
		// Deleting asks first, then deletes.
		del := fmt.Sprintf("%s/%d/delete", add, lunch.ID)
		if r := mod.Post(del, url.Values{}); r.Status != http.StatusOK || count() != 3 {
			t.Fatalf("delete without confirming: got %d and %d sessions, want the question and 3", r.Status, count())
		}
		if r := mod.Post(del, url.Values{"confirm": {"1"}}); r.Status != http.StatusSeeOther || count() != 2 {
			t.Fatalf("delete: got %d and %d sessions, want 303 and 2", r.Status, count())
		}

		// Links: a side event of a side event is refused and nothing is saved.
		links := fmt.Sprintf("/moderation/events/%d/links", w.public.ID)
		chain := url.Values{"main_event": {fmt.Sprint(w.side.ID)}, "rows": {"2"}, "o0.name": {"UNECE"}, "o0.url": {"https://unece.org"}}
		if r := mod.Post(links, chain); r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "cannot itself be a side event") {
			t.Fatalf("chained side event: got %d", r.Status)
		}
		if orgs, _ := app.Store.CoOrganisers(ctx, w.public.ID); len(orgs) != 1 || orgs[0].Name != "International Trade Centre" {
			t.Fatalf("got co-organisers %+v after a refused form, want them unchanged", orgs)
		}
		badURL := url.Values{"rows": {"1"}, "o0.name": {"UNECE"}, "o0.url": {"javascript:alert(1)"}}
		if r := mod.Post(links, badURL); r.Status != http.StatusUnprocessableEntity {
			t.Fatalf("co-organiser with a bad address: got %d", r.Status)
		}
		ok := url.Values{"rows": {"3"}, "o0.name": {"UNECE"}, "o0.url": {"https://unece.org"}, "o2.name": {"ITC"}}
		if r := mod.Post(links, ok); r.Status != http.StatusSeeOther {
			t.Fatalf("links: got %d", r.Status)
		}
		if orgs, _ := app.Store.CoOrganisers(ctx, w.public.ID); len(orgs) != 2 || orgs[0].Name != "UNECE" || orgs[1].Name != "ITC" {
			t.Fatalf("got co-organisers %+v, want UNECE then ITC", orgs)
		}
		if r := mod.Post(fmt.Sprintf("/moderation/events/%d/links", w.side.ID), url.Values{"main_event": {fmt.Sprint(w.public.ID)}}); r.Status != http.StatusSeeOther {
			t.Fatalf("linking the lab to MSME Day: got %d", r.Status)
		}
		mustContain(t, app.Client().Get(eventPage(w.public)), "Side events", "Impact Lab")
	})
}

// TestProgrammeOverAPI: moderators change a programme through the API with
// the editor's checks; others are refused and a refused body saves nothing.
func TestProgrammeOverAPI(t *testing.T) {
	t.Parallel()
	forEachEngine(t, func(t *testing.T, app *servertest.App) {
		ctx := context.Background()
		w := seedProgramme(t, app)
		clients := signedInClients(t, app)
		mod := clients["moderator"]
		sessions := fmt.Sprintf("/api/v1/events/%d/sessions", w.public.ID)
		count := func() int {
			ss, err := app.Store.EventSessions(ctx, w.public.ID)
			if err != nil {
				t.Fatal(err)
			}
			return len(ss)
		}
		good := `{"starts_at":"2030-06-27T12:00","ends_at":"2030-06-27T13:00","title":"Lunch debate","title_es":"Almuerzo debate","languages":["en","es"],
			"people":[{"role":"moderator","name":"Crispin Conroy","handle":"` + w.speaker.Handle + `"},{"role":"speaker","name":"Ana Pérez","organisation":"Kaeme"}]}`
		if r := doJSON(clients["member"], "POST", sessions, good); r.Status != http.StatusForbidden {
			t.Errorf("member adding a session: got %d, want 403", r.Status)
		}
		if r := doJSON(clients["visitor"], "POST", sessions, good); r.Status != http.StatusUnauthorized {
			t.Errorf("visitor adding a session: got %d, want 401", r.Status)
		}
		for name, body := range map[string]string{
			"no name":        `{"starts_at":"2030-06-27T12:00","ends_at":"2030-06-27T13:00","title":"X","people":[{"role":"speaker","name":""}]}`,
			"unknown role":   `{"starts_at":"2030-06-27T12:00","ends_at":"2030-06-27T13:00","title":"X","people":[{"role":"juggler","name":"Bo"}]}`,
			"unknown handle": `{"starts_at":"2030-06-27T12:00","ends_at":"2030-06-27T13:00","title":"X","people":[{"role":"speaker","name":"Bo","handle":"nobody.here"}]}`,
			"bad language":   `{"starts_at":"2030-06-27T12:00","ends_at":"2030-06-27T13:00","title":"X","languages":["de"]}`,
			"ends first":     `{"starts_at":"2030-06-27T12:00","ends_at":"2030-06-27T11:00","title":"X"}`,
		} {
			if r := doJSON(mod, "POST", sessions, body); r.Status != http.StatusUnprocessableEntity {
				t.Errorf("%s: got %d, want 422", name, r.Status)
			}
		}
		if n := count(); n != 2 {
			t.Fatalf("got %d sessions after refused bodies, want 2", n)
		}
		r := doJSON(mod, "POST", sessions, good)
		if r.Status != http.StatusCreated || !strings.Contains(r.Body, `"title_es":"Almuerzo debate"`) || !strings.Contains(r.Body, `"handle":"`+w.speaker.Handle+`"`) {
			t.Fatalf("adding a session: got %d %s", r.Status, r.Body)
		}
		ss, _ := app.Store.EventSessions(ctx, w.public.ID)
		lunch := ss[1]
		if lunch.Title != "Lunch debate" || len(lunch.People) != 2 || lunch.People[1].Organisation != "Kaeme" {
			t.Fatalf("got %+v", lunch)
		}
		one := fmt.Sprintf("%s/%d", sessions, lunch.ID)
		if r := doJSON(mod, "PUT", one, `{"starts_at":"2030-06-27T12:00","ends_at":"2030-06-27T13:30","title":"Lunch debate on finance","people":[]}`); r.Status != http.StatusOK {
			t.Fatalf("replacing the session: got %d %s", r.Status, r.Body)
		}
		ss, _ = app.Store.EventSessions(ctx, w.public.ID)
		if ss[1].Title != "Lunch debate on finance" || len(ss[1].People) != 0 {
			t.Fatalf("got %+v after the PUT", ss[1])
		}
		if r := doJSON(mod, "DELETE", one, ""); r.Status != http.StatusNoContent || count() != 2 {
			t.Fatalf("deleting: got %d and %d sessions", r.Status, count())
		}
		if r := doJSON(mod, "DELETE", one, ""); r.Status != http.StatusNotFound {
			t.Errorf("deleting again: got %d, want 404", r.Status)
		}

		links := fmt.Sprintf("/api/v1/events/%d/links", w.public.ID)
		if r := doJSON(mod, "PUT", links, fmt.Sprintf(`{"main_event_id":%d,"co_organisers":[{"name":"UNECE"}]}`, w.side.ID)); r.Status != http.StatusUnprocessableEntity {
			t.Errorf("chained side event: got %d, want 422", r.Status)
		}
		if r := doJSON(mod, "PUT", links, `{"co_organisers":[{"name":"UNECE","url":"ftp://x"}]}`); r.Status != http.StatusUnprocessableEntity {
			t.Errorf("bad address: got %d, want 422", r.Status)
		}
		if orgs, _ := app.Store.CoOrganisers(ctx, w.public.ID); len(orgs) != 1 || orgs[0].Name != "International Trade Centre" {
			t.Fatalf("got %+v after refused bodies, want the co-organisers unchanged", orgs)
		}
		r = doJSON(mod, "PUT", fmt.Sprintf("/api/v1/events/%d/links", w.side.ID), fmt.Sprintf(`{"main_event_id":%d,"co_organisers":[{"name":"ITC","name_fr":"CCI"}]}`, w.public.ID))
		if r.Status != http.StatusOK || !strings.Contains(r.Body, fmt.Sprintf(`"main_event_id":%d`, w.public.ID)) || !strings.Contains(r.Body, `"name_fr":"CCI"`) {
			t.Fatalf("linking the side event: got %d %s", r.Status, r.Body)
		}
		if r := app.Client().Get(fmt.Sprintf("/api/v1/events/%d", w.public.ID)); !strings.Contains(r.Body, `"title":"Impact Lab"`) {
			t.Errorf("the main event's JSON lacks its new side event: %s", r.Body)
		}
	})
}
