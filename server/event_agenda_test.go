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

// agendaWorld is a public meeting with two referred challenges: one under
// the Chatham House rule whose public document is published (curated), one
// on the record that is not; and a members-only meeting with one of them.
type agendaWorld struct {
	meeting, closed       *store.Event
	chatham, record       *store.Thread
	author, delegate, mod *store.User
	chathamItem           store.AgendaItem
}

func seedAgenda(t *testing.T, app *servertest.App) agendaWorld {
	t.Helper()
	ctx := context.Background()
	w := agendaWorld{
		author:   app.CreateUser("author@agenda.example", store.RoleBusiness, "Quiet Exporters Ltd", store.OrgBusiness),
		delegate: app.CreateUser("delegate@agenda.example", store.RoleMember, "Delegation of Norway", store.OrgMember),
		mod:      app.CreateUser("mod@agenda.example", store.RoleModerator, "Secretariat", store.OrgSecretariat),
	}
	themes, err := app.Store.Themes(ctx, false)
	if err != nil || len(themes) == 0 {
		t.Fatalf("themes: %v", err)
	}
	thread := func(title string, mode store.Attribution) *store.Thread {
		th, err := app.Store.CreateThread(ctx, store.NewThread{ThemeID: themes[0].ID, Kind: store.Challenge, Title: title, Attribution: mode,
			Body: "Body of " + title, HTML: "<p>Body</p>", Author: w.author})
		if err != nil {
			t.Fatal(err)
		}
		return th
	}
	w.chatham = thread("Secret customs fee at the border", store.ChathamHouse)
	w.record = thread("Letters of credit cost too much", store.OnTheRecord)
	if _, err := app.Store.CreatePost(ctx, store.NewPost{ThreadID: w.chatham.ID, Author: w.delegate, Body: "We looked into it", HTML: "<p>We looked into it</p>"}); err != nil {
		t.Fatal(err)
	}
	event := func(title string, vis store.Visibility) *store.Event {
		e := &store.Event{Title: title, StartsAt: time.Date(2019, 6, 27, 8, 0, 0, 0, time.UTC), EndsAt: time.Date(2019, 6, 27, 16, 0, 0, 0, time.UTC),
			Timezone: "Europe/Zurich", Visibility: vis}
		if err := app.Store.SaveEvent(ctx, 0, e); err != nil {
			t.Fatal(err)
		}
		return e
	}
	w.meeting = event("MSME Day 2019", store.Public)
	w.closed = event("Delegates only meeting", store.MembersOnly)
	for _, th := range []*store.Thread{w.chatham, w.record} {
		if err := app.Store.ChangeChallengeStatus(ctx, w.mod, th.ID, store.StatusRequest{To: store.StatusReferred, EventID: w.meeting.ID}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := app.Store.AddAgendaItem(ctx, w.mod, w.closed.ID, w.record.ID); err != nil {
		t.Fatal(err)
	}
	d, _, err := app.Store.CurateThread(ctx, w.mod.ID, w.chatham.ID, "Border fees for small exporters", "What the dialogue found.", nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := app.Store.SetDocumentStatus(ctx, w.mod.ID, d.ID, store.Published); err != nil {
		t.Fatal(err)
	}
	items, err := app.Store.EventAgenda(ctx, w.meeting.ID, store.Access{Members: true, Curator: true})
	if err != nil || len(items) != 2 {
		t.Fatalf("agenda: %d items (%v)", len(items), err)
	}
	w.chathamItem = items[0]
	return w
}

// agendaAPI sends a JSON request as c.
func agendaAPI(c *servertest.Client, method, path, body string) servertest.Response {
	var r *strings.Reader
	if body != "" {
		r = strings.NewReader(body)
	} else {
		r = strings.NewReader("")
	}
	return c.Do(method, path, r, "application/json")
}

// TestAgendaByRole: forum readers see every referred challenge on a
// meeting's agenda, the public only the curated one, under its public
// document's title; a Chatham House challenge never names its author or
// their organisation to anyone but moderators; only moderators record outcomes.
func TestAgendaByRole(t *testing.T) {
	t.Parallel()
	forEachEngine(t, func(t *testing.T, app *servertest.App) {
		w := seedAgenda(t, app)
		clients := signedInClients(t, app)
		names := []string{w.author.Name, "Quiet Exporters Ltd"}
		for role, c := range clients {
			members := role == "business" || role == "member" || role == "moderator" || role == "admin"
			mod := role == "moderator" || role == "admin"
			page := c.Get(eventPage(w.meeting))
			if page.Status != http.StatusOK {
				t.Fatalf("%s: meeting page: got %d", role, page.Status)
			}
			chathamItem := page.Body[strings.Index(page.Body, `id="agenda-live"`):]
			if end := strings.Index(chathamItem, `id="agenda-`+fmt.Sprint(w.chathamItem.ID+1)+`"`); end > 0 {
				chathamItem = chathamItem[:end]
			}
			mustContain(t, page, "Challenges on the agenda", "Border fees for small exporters")
			if got := strings.Contains(chathamItem, "a business from Europe"); got == mod {
				t.Errorf("%s: the Chatham House item says only %q: %v, want %v", role, "a business from Europe", got, !mod)
			}
			if got := strings.Contains(page.Body, "Letters of credit cost too much"); got != members {
				t.Errorf("%s: the uncurated challenge on the agenda: %v, want %v", role, got, members)
			}
			if got := strings.Contains(page.Body, "Secret customs fee at the border"); got != members {
				t.Errorf("%s: the curated challenge's forum title: %v, want %v", role, got, members)
			}
			for _, n := range names {
				if strings.Contains(chathamItem, n) != mod {
					t.Errorf("%s: the Chatham House item names %q: %v, want %v", role, n, !mod, mod)
				}
			}
			if got := strings.Contains(page.Body, "/moderation/agenda/"); got != mod {
				t.Errorf("%s: moderator's agenda tools shown: %v", role, got)
			}

			api := c.Get(fmt.Sprintf("/api/v1/events/%d/agenda", w.meeting.ID))
			var list struct {
				Items []struct {
					Title    string `json:"title"`
					ThreadID int64  `json:"thread_id"`
					RaisedBy struct {
						Name, Organisation string
						Kind               string `json:"organisation_kind"`
						Region             string `json:"region"`
					} `json:"raised_by"`
				} `json:"items"`
			}
			if err := json.Unmarshal([]byte(api.Body), &list); err != nil || api.Status != http.StatusOK {
				t.Fatalf("%s: API agenda: %d %v", role, api.Status, err)
			}
			want := 1
			if members {
				want = 2
			}
			if len(list.Items) != want {
				t.Errorf("%s: API agenda has %d items, want %d", role, len(list.Items), want)
			}
			if len(list.Items) > 0 && (list.Items[0].RaisedBy.Region != "europe" || list.Items[0].RaisedBy.Kind != "business") {
				t.Errorf("%s: API raised_by %+v", role, list.Items[0].RaisedBy)
			}
			if !members && (list.Items[0].ThreadID != 0 || list.Items[0].Title != "Border fees for small exporters") {
				t.Errorf("%s: the public's API item: %+v", role, list.Items[0])
			}
			// The Chatham House item (first) names nobody to anyone but moderators.
			if first := strings.SplitN(api.Body, `"position":2`, 2)[0]; !mod {
				for _, n := range names {
					if strings.Contains(first, n) {
						t.Errorf("%s: the API's Chatham House item names %q", role, n)
					}
				}
			}
			closed := c.Get(fmt.Sprintf("/api/v1/events/%d/agenda", w.closed.ID))
			if (closed.Status == http.StatusOK) != members {
				t.Errorf("%s: members-only meeting's agenda: got %d", role, closed.Status)
			}

			// Only moderators record outcomes, on the page and in the API.
			if !mod {
				form := c.Post(fmt.Sprintf("/moderation/agenda/%d/outcome", w.chathamItem.ID), url.Values{"outcome_en": {"Forged"}})
				if form.Status != http.StatusForbidden && form.Status != http.StatusNotFound && form.Status != http.StatusSeeOther {
					t.Errorf("%s: outcome form: got %d", role, form.Status)
				}
				r := agendaAPI(c, "POST", fmt.Sprintf("/api/v1/events/%d/agenda/%d/outcome", w.meeting.ID, w.chathamItem.ID), `{"en":"Forged"}`)
				if r.Status != http.StatusForbidden && r.Status != http.StatusNotFound && r.Status != http.StatusUnauthorized {
					t.Errorf("%s: API outcome: got %d", role, r.Status)
				}
				if r := agendaAPI(c, "POST", fmt.Sprintf("/api/v1/events/%d/agenda", w.meeting.ID), fmt.Sprintf(`{"thread_id":%d}`, w.record.ID)); r.Status < 400 {
					t.Errorf("%s: API agenda create: got %d", role, r.Status)
				}
			}
		}
		it, _ := app.Store.AgendaItemByID(context.Background(), w.chathamItem.ID, store.Access{Members: true, Curator: true})
		if it.HasOutcome() {
			t.Error("an outcome was recorded by someone not a moderator")
		}
	})
}

// TestOutcomeIntoThread: a moderator records an outcome on the form; it
// appears in the thread as an outcome entry, the author and the answering
// delegate are notified and mailed, and the challenge is closed with it.
func TestOutcomeIntoThread(t *testing.T) {
	t.Parallel()
	forEachEngine(t, func(t *testing.T, app *servertest.App) {
		ctx := context.Background()
		w := seedAgenda(t, app)
		mod := app.Client()
		mod.SignIn(w.mod.Email)
		path := fmt.Sprintf("/moderation/agenda/%d/outcome", w.chathamItem.ID)
		mustContain(t, mod.Get(path), "Outcome in English", "Outcome in French", "Close the challenge with this outcome", "Secret customs fee at the border")

		// Nothing written: the form says so and nothing is recorded.
		empty := mod.Post(path, url.Values{"outcome_en": {"  "}})
		if empty.Status != http.StatusUnprocessableEntity || !strings.Contains(empty.Body, "Write the outcome in at least one language.") {
			t.Fatalf("empty outcome: got %d", empty.Status)
		}
		r := mod.Post(path, url.Values{"outcome_en": {"The group will raise **border fees** with customs."},
			"outcome_fr": {"Le groupe abordera les frais à la frontière."}, "close": {"true"}})
		if r.Status != http.StatusSeeOther || !strings.Contains(r.Location, "#post-") {
			t.Fatalf("record outcome: got %d to %q\n%s", r.Status, r.Location, r.Body)
		}
		member := app.Client()
		member.SignIn(w.delegate.Email)
		thread := member.Get(strings.SplitN(r.Location, "#", 2)[0])
		mustContain(t, thread, "post-outcome", "Outcome of the meeting", "MSME Day 2019", "<strong>border fees</strong>", "Français", "Le groupe abordera")
		th, _ := app.Store.ThreadByID(ctx, w.chatham.ID)
		if th.Status != store.StatusClosed {
			t.Errorf("status %s, want closed", th.Status)
		}
		for _, u := range []*store.User{w.author, w.delegate} {
			list, _ := app.Store.Notifications(ctx, u.ID, 50, 0)
			found := false
			for _, n := range list {
				found = found || n.Kind == store.NotifyOutcome
			}
			if !found {
				t.Errorf("%s has no outcome notification", u.Email)
			}
		}
		mails := app.WaitMails(w.author.Email, 2) // the referral, then the outcome
		if last := mails[len(mails)-1]; !strings.Contains(last.Subject, "outcome") || strings.Contains(last.Body, w.author.Name+" (") {
			t.Errorf("author's mail: %q", last.Subject)
		}
		// Shown on the meeting's agenda, to the public too (the challenge is curated).
		mustContain(t, app.Client().Get(eventPage(w.meeting)), "Outcome", "The group will raise")
		// In French: the French text first, the English folded after it; in Spanish, the English first (none was written in Spanish).
		fr := app.Client()
		fr.Post("/lang", url.Values{"lang": {"fr"}, "next": {"/"}})
		page := fr.Get(eventPage(w.meeting))
		mustContain(t, page, "Défis à l’ordre du jour", "Soulevé par", "une entreprise d’Europe", "Conclusion", "<summary>English</summary>")
		if strings.Index(page.Body, "Le groupe abordera") > strings.Index(page.Body, "The group will raise") {
			t.Error("a French reader gets the English outcome first")
		}
		es := app.Client()
		es.Post("/lang", url.Values{"lang": {"es"}, "next": {"/"}})
		mustContain(t, es.Get(eventPage(w.meeting)), "Desafíos en el orden del día", "una empresa de Europa", "<summary>Français</summary>")
		// Recorded once: a second time is refused and changes nothing.
		if again := mod.Post(path, url.Values{"outcome_en": {"Again"}}); again.Status != http.StatusConflict {
			t.Errorf("second outcome: got %d, want 409", again.Status)
		}
		posts, _ := app.Store.Posts(ctx, w.chatham.ID, 0, 50)
		if len(posts) != 3 {
			t.Errorf("thread has %d posts, want 3 (the challenge, the reply, the outcome)", len(posts))
		}
		// An item with an outcome stays on the agenda.
		if r := agendaAPI(mod, "DELETE", fmt.Sprintf("/api/v1/events/%d/agenda/%d", w.meeting.ID, w.chathamItem.ID), ""); r.Status != http.StatusConflict {
			t.Errorf("removing an item with an outcome: got %d, want 409", r.Status)
		}
	})
}

// TestAgendaAPIModerator: a moderator adds, reorders and removes items and
// records an outcome through the API, with errors naming the property.
func TestAgendaAPIModerator(t *testing.T) {
	t.Parallel()
	forEachEngine(t, func(t *testing.T, app *servertest.App) {
		w := seedAgenda(t, app)
		mod := app.Client()
		mod.SignIn(w.mod.Email)
		base := fmt.Sprintf("/api/v1/events/%d/agenda", w.closed.ID)
		if r := agendaAPI(mod, "POST", base, `{"thread_id":0}`); r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, `"thread_id"`) {
			t.Errorf("no thread: got %d %s", r.Status, r.Body)
		}
		if r := agendaAPI(mod, "POST", base, fmt.Sprintf(`{"thread_id":%d}`, w.record.ID)); r.Status != http.StatusConflict {
			t.Errorf("twice: got %d", r.Status)
		}
		created := agendaAPI(mod, "POST", base, fmt.Sprintf(`{"thread_id":%d}`, w.chatham.ID))
		var item struct {
			ID       int64 `json:"id"`
			Position int   `json:"position"`
		}
		if err := json.Unmarshal([]byte(created.Body), &item); err != nil || created.Status != http.StatusCreated || item.Position != 2 {
			t.Fatalf("create: %d %s", created.Status, created.Body)
		}
		moved := agendaAPI(mod, "PUT", fmt.Sprintf("%s/%d", base, item.ID), `{"position":1}`)
		if moved.Status != http.StatusOK || strings.Index(moved.Body, "Secret customs") > strings.Index(moved.Body, "Letters of credit") {
			t.Errorf("move: %d %s", moved.Status, moved.Body)
		}
		if r := agendaAPI(mod, "PUT", fmt.Sprintf("%s/%d", base, item.ID), `{"position":0}`); r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, `"position"`) {
			t.Errorf("position 0: got %d %s", r.Status, r.Body)
		}
		// An item of another meeting is not found under this one.
		if r := agendaAPI(mod, "DELETE", fmt.Sprintf("/api/v1/events/%d/agenda/%d", w.meeting.ID, item.ID), ""); r.Status != http.StatusNotFound {
			t.Errorf("item under another meeting: got %d", r.Status)
		}
		if r := agendaAPI(mod, "POST", fmt.Sprintf("%s/%d/outcome", base, item.ID), `{"en":""}`); r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, `"en"`) {
			t.Errorf("empty outcome: got %d %s", r.Status, r.Body)
		}
		out := agendaAPI(mod, "POST", fmt.Sprintf("%s/%d/outcome", base, item.ID), `{"es":"El grupo lo examinará."}`)
		if out.Status != http.StatusCreated || !strings.Contains(out.Body, `"es":"El grupo lo examinará."`) || !strings.Contains(out.Body, `"post_id"`) {
			t.Errorf("outcome: %d %s", out.Status, out.Body)
		}
		if r := agendaAPI(mod, "DELETE", fmt.Sprintf("%s/%d", base, item.ID), ""); r.Status != http.StatusConflict {
			t.Errorf("delete with outcome: got %d", r.Status)
		}
		other := agendaAPI(mod, "GET", base, "")
		var list struct {
			Items []struct{ ID int64 } `json:"items"`
		}
		_ = json.Unmarshal([]byte(other.Body), &list)
		for _, it := range list.Items {
			if it.ID != item.ID {
				if r := agendaAPI(mod, "DELETE", fmt.Sprintf("%s/%d", base, it.ID), ""); r.Status != http.StatusNoContent {
					t.Errorf("delete: got %d", r.Status)
				}
			}
		}
	})
}

// TestEventTopicLive: a visitor follows a public meeting's page and hears
// that its agenda changed, with nothing of the item; a members-only
// meeting's topic is refused to them.
func TestEventTopicLive(t *testing.T) {
	t.Parallel()
	forEachEngine(t, func(t *testing.T, app *servertest.App) {
		w := seedAgenda(t, app)
		visitor := app.Client()
		lc := servertest.Live(t, visitor.BrowserHeader(), app)
		topic := store.EventTopic(w.meeting.ID)
		seq, _ := app.Store.TopicSeq(context.Background(), topic)
		if err := lc.Subscribe(topic, &seq); err != nil {
			t.Fatal(err)
		}
		if err := lc.Subscribe(store.EventTopic(w.closed.ID), nil); err != nil {
			t.Fatal(err)
		}
		if err := app.Store.MoveAgendaItem(context.Background(), w.mod.ID, w.chathamItem.ID, 2); err != nil {
			t.Fatal(err)
		}
		var changed, forbidden bool
		deadline := time.Now().Add(5 * time.Second)
		for (!changed || !forbidden) && time.Now().Before(deadline) {
			m, ok := lc.Next(time.Until(deadline))
			if !ok {
				break
			}
			switch {
			case m.Type == "error" && m.Topic == store.EventTopic(w.closed.ID):
				forbidden = m.Code == "forbidden"
			case m.Type == store.EventChanged && m.Topic == topic:
				changed = true
				if strings.Contains(string(m.Data), "Letters") || strings.Contains(string(m.Data), "thread") || !strings.Contains(string(m.Data), `"part":"agenda"`) {
					t.Errorf("event.changed carries %s", m.Data)
				}
			}
		}
		if !changed || !forbidden {
			t.Errorf("visitor: got event.changed %v, members-only topic refused %v", changed, forbidden)
		}
	})
}

// TestDashboardFunnel: the public dashboard follows challenges to a
// meeting's outcome in numbers, names public meetings only, and no challenge.
func TestDashboardFunnel(t *testing.T) {
	t.Parallel()
	forEachEngine(t, func(t *testing.T, app *servertest.App) {
		w := seedAgenda(t, app)
		if _, err := app.Store.RecordOutcome(context.Background(), w.mod, w.chathamItem.ID, store.OutcomeInput{EN: "Done", Body: "Done", HTML: "Done"}); err != nil {
			t.Fatal(err)
		}
		home := app.Client().Get("/")
		mustContain(t, home, "From a challenge to a meeting&#39;s outcome", "discussed at a meeting", "with an outcome", "MSME Day 2019", "Meetings for members only (1)")
		for _, secret := range []string{"Delegates only meeting", "Secret customs fee", "Letters of credit", w.author.Name} {
			if strings.Contains(home.Body, secret) {
				t.Errorf("the public dashboard shows %q", secret)
			}
		}
	})
}

// TestAgendaPageForms: a moderator reorders and removes items with the
// meeting page's plain forms; others are refused and change nothing.
func TestAgendaPageForms(t *testing.T) {
	t.Parallel()
	forEachEngine(t, func(t *testing.T, app *servertest.App) {
		ctx := context.Background()
		w := seedAgenda(t, app)
		all := store.Access{Members: true, Curator: true}
		items, _ := app.Store.EventAgenda(ctx, w.meeting.ID, all)
		second := items[1]
		member := app.Client()
		member.SignIn(w.delegate.Email)
		for _, path := range []string{fmt.Sprintf("/moderation/agenda/%d/move", second.ID), fmt.Sprintf("/moderation/agenda/%d/delete", second.ID)} {
			if r := member.Post(path, url.Values{"position": {"1"}}); r.Status != http.StatusForbidden && r.Status != http.StatusNotFound {
				t.Errorf("member POST %s: got %d", path, r.Status)
			}
		}
		if after, _ := app.Store.EventAgenda(ctx, w.meeting.ID, all); len(after) != 2 || after[0].ID != items[0].ID {
			t.Fatalf("a member changed the agenda: %+v", after)
		}
		mod := app.Client()
		mod.SignIn(w.mod.Email)
		if r := mod.Post(fmt.Sprintf("/moderation/agenda/%d/move", second.ID), url.Values{"position": {"x"}}); r.Status != http.StatusUnprocessableEntity {
			t.Errorf("move to no position: got %d, want 422", r.Status)
		}
		r := mod.Post(fmt.Sprintf("/moderation/agenda/%d/move", second.ID), url.Values{"position": {"1"}})
		if r.Status != http.StatusSeeOther || !strings.Contains(r.Location, fmt.Sprintf("#agenda-%d", second.ID)) {
			t.Fatalf("move: got %d to %q", r.Status, r.Location)
		}
		if after, _ := app.Store.EventAgenda(ctx, w.meeting.ID, all); after[0].ID != second.ID {
			t.Errorf("after moving up, first is %d, want %d", after[0].ID, second.ID)
		}
		if r := mod.Post(fmt.Sprintf("/moderation/agenda/%d/delete", second.ID), nil); r.Status != http.StatusSeeOther {
			t.Fatalf("remove: got %d", r.Status)
		}
		after, _ := app.Store.EventAgenda(ctx, w.meeting.ID, all)
		if len(after) != 1 || after[0].ID != items[0].ID {
			t.Errorf("after removing, agenda %+v", after)
		}
		// The challenge keeps its status: a referral is history.
		if th, _ := app.Store.ThreadByID(ctx, second.ThreadID); th.Status != store.StatusReferred {
			t.Errorf("removed challenge's status %s, want referred", th.Status)
		}
	})
}
