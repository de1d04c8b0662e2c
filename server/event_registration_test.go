package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"

	"ideasx/server/servertest"
	"ideasx/store"
)

// registrationMeeting is a public meeting two days away taking
// registrations from everyone, with seats seats, an online link, and the
// four questions.
func registrationMeeting(t *testing.T, app *servertest.App, seats int) *store.Event {
	t.Helper()
	ctx := context.Background()
	start := app.Store.Now().Add(48 * time.Hour).Truncate(time.Hour)
	e := &store.Event{Title: "Open meeting on customs", StartsAt: start, EndsAt: start.Add(3 * time.Hour), Timezone: "Europe/Zurich",
		Place: "Room W", OnlineURL: "https://meet.example/secret-room-42", Visibility: store.Public}
	if err := app.Store.SaveEvent(ctx, 0, e); err != nil {
		t.Fatal(err)
	}
	rs := &store.RegistrationSettings{EventID: e.ID, Enabled: true, OpenVisitors: true, OpenBusinesses: true, OpenMembers: true,
		Capacity: seats, AskOrganisation: true, AskAttendance: true, AskInterpretation: true, AskAccessibility: true, LinkRevealMinutes: 60}
	if err := app.Store.SaveRegistrationSettings(ctx, 0, rs); err != nil {
		t.Fatal(err)
	}
	return e
}

var regPageRe = regexp.MustCompile(`/registrations/m[0-9]+\.[A-Za-z0-9_-]+`)

// visitorRegisters registers a visitor on the meeting's page and returns
// the registration page the server sends them to.
func visitorRegisters(t *testing.T, c *servertest.Client, e *store.Event, name, email string) string {
	t.Helper()
	r := c.Post(eventPage(e)+"/register", url.Values{"name": {name}, "email": {email}, "organisation": {"Cafe " + name},
		"attendance": {"in_person"}, "interpretation": {"fr"}, "accessibility": {"Step-free access for " + name}})
	if r.Status != http.StatusSeeOther || !regPageRe.MatchString(r.Location) {
		t.Fatalf("register %s: got %d to %q, want 303 to a registration page\n%s", email, r.Status, r.Location, r.Body)
	}
	return r.Location
}

// invitation parses the iCalendar invitation of a mail and returns its
// METHOD, UID and SEQUENCE.
func invitation(t *testing.T, m servertest.Mail) (method, uid, seq string, cal *ics.Calendar) {
	t.Helper()
	if m.Calendar == "" {
		t.Fatalf("mail %q has no invitation", m.Subject)
	}
	cal, err := ics.ParseCalendar(strings.NewReader(m.Calendar))
	if err != nil {
		t.Fatalf("invitation of %q does not parse: %v\n%s", m.Subject, err, m.Calendar)
	}
	for _, p := range cal.CalendarProperties {
		if p.IANAToken == "METHOD" {
			method = p.Value
		}
	}
	evs := cal.Events()
	if len(evs) != 1 {
		t.Fatalf("invitation of %q: got %d events, want 1", m.Subject, len(evs))
	}
	if p := evs[0].GetProperty(ics.ComponentPropertySequence); p != nil {
		seq = p.Value
	}
	return method, evs[0].Id(), seq, cal
}

// TestRegistrationMailsAndWaitingList follows a meeting with one seat:
// the confirmation's invitation, the waiting list, a cancellation by the
// mailed link that hands the seat on, a change of time, the meeting's
// cancellation.
func TestRegistrationMailsAndWaitingList(t *testing.T) {
	t.Parallel()
	forEachEngine(t, func(t *testing.T, app *servertest.App) {
		ctx := context.Background()
		e := registrationMeeting(t, app, 1)
		ana, bo := app.Client(), app.Client()

		page := ana.Get(eventPage(e))
		mustContain(t, page, `id="registration"`, `action="`+eventPage(e)+`/register"`, `name="email"`, "Accessibility needs", "1 seat left")
		anaPage := visitorRegisters(t, ana, e, "Ana", "ana@cafe.example")
		mine := ana.Get(anaPage)
		mustContain(t, mine, "Registered", anaPage+"/qr.png", "Step-free access for Ana", "Cancel the registration")
		if qr := ana.Get(anaPage + "/qr.png"); qr.Status != http.StatusOK || qr.Header.Get("Content-Type") != "image/png" {
			t.Errorf("QR code: got %d %s, want a PNG", qr.Status, qr.Header.Get("Content-Type"))
		}
		// The online link is not for now: the meeting is two days away.
		if strings.Contains(mine.Body, "secret-room-42") {
			t.Error("the registration page shows the online link two days before the meeting")
		}

		mails := app.WaitMails("ana@cafe.example", 1)
		if len(mails) != 1 || !strings.Contains(mails[0].Subject, "Registered") {
			t.Fatalf("confirmation: got %+v", mails)
		}
		method, uid, seq, cal := invitation(t, mails[0])
		// The same UID as the meeting's in the calendar feed, so that a calendar holds one copy.
		feed := app.Client().Get(eventPage(e) + "/calendar.ics").Body
		if method != "REQUEST" || seq != "0" || !strings.HasPrefix(uid, fmt.Sprintf("event-%d@", e.ID)) || !strings.Contains(feed, "UID:"+uid) {
			t.Errorf("invitation: got METHOD %s, UID %s, SEQUENCE %s; want REQUEST, the event's UID, 0", method, uid, seq)
		}
		if a := cal.Events()[0].GetProperty(ics.ComponentPropertyAttendee); a == nil || a.Value != "mailto:ana@cafe.example" {
			t.Errorf("attendee: got %+v, want mailto:ana@cafe.example", a)
		}
		if strings.Contains(mails[0].Body+mails[0].Calendar, "secret-room-42") {
			t.Error("the confirmation carries the online link two days before the meeting")
		}
		if !strings.Contains(mails[0].Body, app.URL+anaPage) {
			t.Errorf("confirmation lacks the registration page link %s:\n%s", anaPage, mails[0].Body)
		}

		// Full: Bo joins the waiting list, and says so.
		if page := bo.Get(eventPage(e)); !strings.Contains(page.Body, "Join the waiting list") {
			t.Error("a full meeting's form does not say it joins the waiting list")
		}
		boPage := visitorRegisters(t, bo, e, "Bo", "bo@shop.example")
		mustContain(t, bo.Get(boPage), "Waiting list", "number 1")
		if m := app.WaitMails("bo@shop.example", 1); len(m) != 1 || m[0].Calendar != "" {
			t.Errorf("waiting-list mail: got %+v, want one mail without an invitation", m)
		}

		// Ana cancels from the mailed link, without signing in: Bo gets the seat at once.
		if r := ana.Post(anaPage+"/cancel", nil); r.Status != http.StatusSeeOther {
			t.Fatalf("cancel: got %d", r.Status)
		}
		mustContain(t, bo.Get(boPage), "You have a seat")
		anaMails := app.WaitMails("ana@cafe.example", 2)
		if method, _, _, _ := invitation(t, anaMails[len(anaMails)-1]); method != "CANCEL" {
			t.Errorf("Ana's cancellation: got METHOD %s, want CANCEL", method)
		}
		boMails := app.WaitMails("bo@shop.example", 2)
		if !strings.Contains(boMails[1].Subject, "A seat for you") {
			t.Errorf("Bo's promotion mail: got %q", boMails[1].Subject)
		}

		// The meeting moves by an hour: Bo gets the new invitation, same UID, next SEQUENCE.
		e.StartsAt, e.EndsAt = e.StartsAt.Add(time.Hour), e.EndsAt.Add(time.Hour)
		full, _ := app.Store.EventByID(ctx, e.ID, store.Access{Members: true, Curator: true})
		full.StartsAt, full.EndsAt = e.StartsAt, e.EndsAt
		if err := app.Store.SaveEvent(ctx, 0, full); err != nil {
			t.Fatal(err)
		}
		boMails = app.WaitMails("bo@shop.example", 3)
		method, uid2, seq, _ := invitation(t, boMails[2])
		if method != "REQUEST" || uid2 != uid || seq != "1" {
			t.Errorf("update: got METHOD %s, UID %s, SEQUENCE %s; want REQUEST, %s, 1", method, uid2, seq, uid)
		}

		// Cancelled: METHOD:CANCEL, the page says so, nobody can register.
		if err := app.Store.CancelEvent(ctx, 0, e.ID); err != nil {
			t.Fatal(err)
		}
		boMails = app.WaitMails("bo@shop.example", 4)
		if method, uid3, seq, _ := invitation(t, boMails[3]); method != "CANCEL" || uid3 != uid || seq != "2" {
			t.Errorf("meeting cancelled: got METHOD %s, UID %s, SEQUENCE %s; want CANCEL, %s, 2", method, uid3, seq, uid)
		}
		mustContain(t, app.Client().Get(eventPage(e)), "This meeting has been cancelled.")
	})
}

// TestRegistrationBadInput: each refusal says why and changes nothing.
func TestRegistrationBadInput(t *testing.T) {
	t.Parallel()
	forEachEngine(t, func(t *testing.T, app *servertest.App) {
		ctx := context.Background()
		e := registrationMeeting(t, app, 2)
		c := app.Client()
		anaPage := visitorRegisters(t, c, e, "Ana", "ana@cafe.example")
		visitorRegisters(t, app.Client(), e, "Bo", "bo@shop.example")
		count := func() int {
			regs, err := app.Store.EventRegistrations(ctx, e.ID)
			if err != nil {
				t.Fatal(err)
			}
			return len(regs)
		}

		// Double registration, same address in another case.
		r := app.Client().Post(eventPage(e)+"/register", url.Values{"name": {"Ana again"}, "email": {"ANA@cafe.example"}})
		if r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "already registered") {
			t.Errorf("double registration: got %d, want 422 saying already registered", r.Status)
		}
		// A missing address.
		r = app.Client().Post(eventPage(e)+"/register", url.Values{"name": {"Nobody"}})
		if r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, `id="f-email-error"`) {
			t.Errorf("no address: got %d, want 422 with the field's error", r.Status)
		}

		// A forged cancel link: refused, clearly, and Ana still holds her seat.
		forged := regexp.MustCompile(`\.[A-Za-z0-9_-]+$`).ReplaceAllString(anaPage, ".AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
		r = app.Client().Post(forged+"/cancel", nil)
		if r.Status != http.StatusForbidden || !strings.Contains(r.Body, "not valid") {
			t.Errorf("forged cancel link: got %d, want 403 saying the link is not valid", r.Status)
		}
		// Another registration's number under Ana's signature.
		swapped := strings.Replace(anaPage, "/registrations/m", "/registrations/m9", 1)
		if r := app.Client().Post(swapped+"/cancel", nil); r.Status != http.StatusForbidden {
			t.Errorf("signature of another registration: got %d, want 403", r.Status)
		}
		if counts, _ := app.Store.CountRegistrations(ctx, e.ID); counts.Confirmed != 2 {
			t.Errorf("seats after forged links: got %d, want 2", counts.Confirmed)
		}

		// Capacity lowered below the seats taken.
		mod := app.CreateUser("organiser@secretariat.example", store.RoleModerator, "Secretariat", store.OrgSecretariat)
		org := app.Client()
		org.SignIn(mod.Email)
		r = org.Post(fmt.Sprintf("/moderation/events/%d/registration-settings", e.ID), url.Values{"enabled": {"1"}, "open_visitors": {"1"}, "capacity": {"1"}})
		if r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "2 people already hold a seat") {
			t.Errorf("capacity below the seats: got %d, want 422 naming the 2 seats taken", r.Status)
		}
		if rs, _ := app.Store.RegistrationSettingsOf(ctx, e.ID); rs.Capacity != 2 || !rs.AskAccessibility {
			t.Errorf("settings after the refusal: got capacity %d, accessibility question %v; want 2, true", rs.Capacity, rs.AskAccessibility)
		}

		// Past the deadline.
		past := app.Store.Now().Add(-time.Hour)
		rs, _ := app.Store.RegistrationSettingsOf(ctx, e.ID)
		rs.Capacity, rs.Deadline = 10, &past
		if err := app.Store.SaveRegistrationSettings(ctx, 0, rs); err != nil {
			t.Fatal(err)
		}
		mustContain(t, app.Client().Get(eventPage(e)), "the deadline has passed")
		r = app.Client().Post(eventPage(e)+"/register", url.Values{"name": {"Late"}, "email": {"late@example.org"}})
		if r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "the deadline has passed") {
			t.Errorf("past the deadline: got %d, want 422 saying so", r.Status)
		}
		if n := count(); n != 2 {
			t.Errorf("registrations after the refusals: got %d, want 2", n)
		}
	})
}

// TestRegistrationRightsByRole: a registrant's details reach only them and
// the organisers; the online link only people holding a seat, from the set
// time before the start.
func TestRegistrationRightsByRole(t *testing.T) {
	t.Parallel()
	forEachEngine(t, func(t *testing.T, app *servertest.App) {
		e := registrationMeeting(t, app, 0)
		clients := signedInClients(t, app)
		visitorRegisters(t, app.Client(), e, "Ana Secret", "ana.secret@cafe.example")
		member := clients["member"]
		if r := member.Post(eventPage(e)+"/register", url.Values{"attendance": {"online"}}); r.Status != http.StatusSeeOther {
			t.Fatalf("member registers: got %d\n%s", r.Status, r.Body)
		}
		list := fmt.Sprintf("/moderation/events/%d/registrations", e.ID)
		apiList := fmt.Sprintf("/api/v1/events/%d/registrations", e.ID)
		for role, c := range clients {
			organiser := role == "moderator" || role == "admin"
			for _, path := range []string{list, list + ".csv", list + "/sheet", apiList} {
				r := c.Get(path)
				if organiser != (r.Status == http.StatusOK) {
					t.Errorf("%s: %s: got %d", role, path, r.Status)
					if r.Status >= 500 {
						for _, line := range strings.Split(app.Logs(), "\n") {
							if strings.Contains(line, "internal error") {
								t.Log(line)
							}
						}
					}
				}
				if organiser && !strings.Contains(r.Body, "Ana Secret") {
					t.Errorf("%s: %s lacks the registrant", role, path)
				}
				if !organiser && strings.Contains(r.Body, "Ana Secret") {
					t.Errorf("%s: %s shows a registrant", role, path)
				}
			}
			secrets := []string{"Ana Secret", "ana.secret@cafe.example", "Step-free access"}
			if !organiser {
				// Organisers keep the online link they wrote, to edit it.
				secrets = append(secrets, "secret-room-42")
			}
			for _, path := range []string{eventPage(e), fmt.Sprintf("/api/v1/events/%d", e.ID), "/api/v1/events", "/events.ics", "/events/figures"} {
				body := c.Get(path).Body
				for _, secret := range secrets {
					if strings.Contains(body, secret) {
						t.Errorf("%s: %s shows %q", role, path, secret)
					}
				}
			}
		}
		// The visitor's own registration is theirs only through its link; the
		// member's through the API too.
		var own struct {
			Status    string `json:"status"`
			Email     string `json:"email"`
			OnlineURL string `json:"online_url"`
			PageURL   string `json:"page_url"`
		}
		r := member.Get(fmt.Sprintf("/api/v1/events/%d/registration", e.ID))
		if err := json.Unmarshal([]byte(r.Body), &own); err != nil || own.Status != "confirmed" || own.Email != "member@roles.example" || own.OnlineURL != "" {
			t.Errorf("own registration two days before: got %d %+v, want confirmed, no online link yet", r.Status, own)
		}
		if r := clients["business"].Get(fmt.Sprintf("/api/v1/events/%d/registration", e.ID)); r.Status != http.StatusNotFound {
			t.Errorf("business without a registration: got %d, want 404", r.Status)
		}

		// An hour before the start the link appears, for the seat holder only.
		app.Store.SetClock(func() time.Time { return e.StartsAt.Add(-59 * time.Minute) })
		r = member.Get(fmt.Sprintf("/api/v1/events/%d/registration", e.ID))
		if !strings.Contains(r.Body, "secret-room-42") {
			t.Errorf("own registration an hour before: got %s, want the online link", r.Body)
		}
		if r := member.Get(eventPage(e)); !strings.Contains(r.Body, "secret-room-42") {
			i := strings.Index(r.Body, `id="registration"`)
			t.Errorf("the seat holder's meeting page lacks the online link an hour before: %d %s", r.Status, r.Body[max(i, 0):min(max(i, 0)+1500, len(r.Body))])
		}
		for role, c := range clients {
			if role == "member" || role == "moderator" || role == "admin" {
				continue
			}
			for _, path := range []string{eventPage(e), fmt.Sprintf("/api/v1/events/%d", e.ID), "/events.ics"} {
				if strings.Contains(c.Get(path).Body, "secret-room-42") {
					t.Errorf("%s: %s shows the online link to someone not registered", role, path)
				}
			}
		}
	})
}

// TestCheckInByQRCode: the QR code's link checks a person in when an
// organiser confirms, and does nothing for anyone else or when forged.
func TestCheckInByQRCode(t *testing.T) {
	t.Parallel()
	forEachEngine(t, func(t *testing.T, app *servertest.App) {
		ctx := context.Background()
		e := registrationMeeting(t, app, 0)
		visitorRegisters(t, app.Client(), e, "Ana", "ana@cafe.example")
		regs, _ := app.Store.EventRegistrations(ctx, e.ID)
		checkin := app.Server.CheckInPathForTest(ctx, regs[0].ID)
		clients := signedInClients(t, app)
		for role, c := range clients {
			r := c.Get(checkin)
			organiser := role == "moderator" || role == "admin"
			if organiser {
				mustContain(t, r, "Ana", "Check in")
			} else if r.Status == http.StatusOK || strings.Contains(r.Body, "ana@cafe.example") {
				t.Errorf("%s: check-in page: got %d, want refused", role, r.Status)
			}
			if !organiser {
				c.Post(checkin, nil)
			}
		}
		if reg, _ := app.Store.RegistrationByID(ctx, regs[0].ID); reg.CheckedInAt != nil {
			t.Fatal("checked in by someone who is not an organiser")
		}
		mod := clients["moderator"]
		if r := mod.Post(checkin+"x", nil); r.Status != http.StatusForbidden {
			t.Errorf("forged check-in link: got %d, want 403", r.Status)
		}
		r := mod.Post(checkin, nil)
		mustContain(t, r, "Checked in. Welcome!")
		if reg, _ := app.Store.RegistrationByID(ctx, regs[0].ID); reg.CheckedInAt == nil {
			t.Error("not checked in after the organiser confirmed")
		}
		mustContain(t, mod.Post(checkin, nil), "Already checked in")
		// The figures count it, as "fewer than 3".
		mustContain(t, app.Client().Get("/events/figures"), "Open meeting on customs", "fewer than 3")
	})
}

// TestRegistrationAPI: register, read and cancel one's own registration,
// with the errors the OpenAPI document names.
func TestRegistrationAPI(t *testing.T) {
	t.Parallel()
	forEachEngine(t, func(t *testing.T, app *servertest.App) {
		e := registrationMeeting(t, app, 1)
		clients := signedInClients(t, app)
		path := fmt.Sprintf("/api/v1/events/%d/registration", e.ID)
		if r := clients["visitor"].Do(http.MethodPost, path, strings.NewReader(`{}`), "application/json"); r.Status != http.StatusUnauthorized {
			t.Errorf("visitor: got %d, want 401", r.Status)
		}
		biz := clients["business"]
		r := biz.Do(http.MethodPost, path, strings.NewReader(`{"attendance":"by pigeon"}`), "application/json")
		if r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, `"attendance"`) {
			t.Errorf("bad answer: got %d %s, want 422 naming attendance", r.Status, r.Body)
		}
		r = biz.Do(http.MethodPost, path, strings.NewReader(`{"organisation":"Cafe","attendance":"in_person"}`), "application/json")
		if r.Status != http.StatusCreated || !strings.Contains(r.Body, `"status":"confirmed"`) {
			t.Fatalf("register: got %d %s", r.Status, r.Body)
		}
		if r := biz.Do(http.MethodPost, path, strings.NewReader(`{}`), "application/json"); r.Status != http.StatusConflict {
			t.Errorf("twice: got %d, want 409", r.Status)
		}
		r = clients["member"].Do(http.MethodPost, path, strings.NewReader(`{}`), "application/json")
		if r.Status != http.StatusCreated || !strings.Contains(r.Body, `"status":"waiting"`) || !strings.Contains(r.Body, `"waiting_position":1`) {
			t.Errorf("full: got %d %s, want 201 on the waiting list", r.Status, r.Body)
		}
		if r := biz.Do(http.MethodDelete, path, nil, ""); r.Status != http.StatusOK || !strings.Contains(r.Body, `"status":"cancelled"`) {
			t.Errorf("cancel: got %d %s", r.Status, r.Body)
		}
		if r := clients["member"].Get(path); !strings.Contains(r.Body, `"status":"confirmed"`) {
			t.Errorf("after the cancellation the waiting member: got %s, want confirmed", r.Body)
		}
		if r := biz.Do(http.MethodDelete, path, nil, ""); r.Status != http.StatusNotFound {
			t.Errorf("cancel again: got %d, want 404", r.Status)
		}
	})
}

// TestCancelMeetingNeedsConfirmation: cancelling a meeting from the
// organisers' page takes the ticked box; then the page, the feed and the
// registrants say so.
func TestCancelMeetingNeedsConfirmation(t *testing.T) {
	t.Parallel()
	forEachEngine(t, func(t *testing.T, app *servertest.App) {
		e := registrationMeeting(t, app, 0)
		visitorRegisters(t, app.Client(), e, "Ana", "ana@cafe.example")
		// A seat's confirmation is written when it leaves, and only while
		// the seat holds: so it must have left before the meeting is
		// cancelled, or (on a busy machine) it rightly never would.
		if m := app.WaitMails("ana@cafe.example", 1); len(m) != 1 {
			t.Fatalf("confirmation: got %+v, want one mail", m)
		}
		mod := app.CreateUser("organiser@secretariat.example", store.RoleModerator, "Secretariat", store.OrgSecretariat)
		org := app.Client()
		org.SignIn(mod.Email)
		cancel := fmt.Sprintf("/moderation/events/%d/cancel", e.ID)
		if r := org.Post(cancel, nil); r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "Tick the box") {
			t.Errorf("without the box: got %d, want 422 asking to tick it", r.Status)
		}
		if got, _ := app.Store.EventByID(context.Background(), e.ID, store.Access{}); got.CancelledAt != nil {
			t.Fatal("cancelled without the box ticked")
		}
		if r := org.Post(cancel, url.Values{"confirm": {"1"}}); r.Status != http.StatusSeeOther {
			t.Fatalf("cancel: got %d", r.Status)
		}
		mustContain(t, app.Client().Get(eventPage(e)), "This meeting has been cancelled.", "Registration is closed: the meeting is cancelled.")
		mustContain(t, app.Client().Get(eventPage(e)+"/calendar.ics"), "STATUS:CANCELLED")
		if m := app.WaitMails("ana@cafe.example", 2); len(m) != 2 || !strings.Contains(m[1].Calendar, "METHOD:CANCEL") {
			t.Errorf("registrant told: got %+v", m)
		}
	})
}

// TestRegistrationLive: a reader following a meeting's page hears that
// its registrations changed, with no name in what it hears.
func TestRegistrationLive(t *testing.T) {
	t.Parallel()
	forEachEngine(t, func(t *testing.T, app *servertest.App) {
		e := registrationMeeting(t, app, 0)
		visitor := app.Client()
		lc := servertest.Live(t, visitor.BrowserHeader(), app)
		topic := store.EventTopic(e.ID)
		seq, _ := app.Store.TopicSeq(context.Background(), topic)
		if err := lc.Subscribe(topic, &seq); err != nil {
			t.Fatal(err)
		}
		visitorRegisters(t, app.Client(), e, "Ana Live", "ana.live@cafe.example")
		deadline := time.Now().Add(5 * time.Second)
		for time.Now().Before(deadline) {
			m, ok := lc.Next(time.Until(deadline))
			if !ok {
				break
			}
			if m.Type == store.EventChanged && m.Topic == topic {
				if strings.Contains(string(m.Data), "Ana") || strings.Contains(string(m.Data), "ana.live") {
					t.Errorf("the live event names the registrant: %s", m.Data)
				}
				return
			}
		}
		t.Error("no event.changed on the meeting's topic after a registration")
	})
}
