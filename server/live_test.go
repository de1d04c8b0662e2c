package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"ideasx/server/live/liveclient"
	"ideasx/server/servertest"
	"ideasx/store"
	"ideasx/store/storetest"
)

// liveFixture is a thread with a business author, a member reader and a
// moderator, signed in on app.
type liveFixture struct {
	thread          int64
	biz, del, mod   *servertest.Client
	bizUser, delUsr *store.User
	modUser         *store.User
}

func newLiveFixture(t *testing.T, app *servertest.App, attribution string) liveFixture {
	t.Helper()
	f := liveFixture{}
	f.bizUser = app.CreateUser("biz@x.example", store.RoleBusiness, "Andes Textiles", store.OrgBusiness)
	f.delUsr = app.CreateUser("del@x.example", store.RoleMember, "Delegation of Chile", store.OrgMember)
	f.modUser = app.CreateUser("mod@x.example", store.RoleModerator, "Secretariat", store.OrgSecretariat)
	f.biz, f.del, f.mod = app.Client(), app.Client(), app.Client()
	f.biz.SignIn("biz@x.example")
	f.del.SignIn("del@x.example")
	f.mod.SignIn("mod@x.example")
	r := f.biz.Do("POST", "/api/v1/threads", strings.NewReader(fmt.Sprintf(
		`{"theme_id":%d,"kind":"challenge","title":"Certificates of origin","body":"Three weeks per certificate.","attribution":%q}`,
		themeID(t, app), attribution)), "application/json")
	if r.Status != http.StatusCreated {
		t.Fatalf("create thread: %d %s", r.Status, r.Body)
	}
	var th struct{ ID int64 }
	_ = json.Unmarshal([]byte(r.Body), &th)
	f.thread = th.ID
	return f
}

func reply(t *testing.T, c *servertest.Client, thread int64, body string) int64 {
	t.Helper()
	r := c.Do("POST", fmt.Sprintf("/api/v1/threads/%d/posts", thread), strings.NewReader(fmt.Sprintf(`{"body":%q}`, body)), "application/json")
	if r.Status != http.StatusCreated {
		t.Fatalf("reply: %d %s", r.Status, r.Body)
	}
	var p struct{ ID int64 }
	_ = json.Unmarshal([]byte(r.Body), &p)
	return p.ID
}

// expect waits for a message of the given type on topic, skipping others.
func expect(t *testing.T, c *liveclient.Client, typ, topic string) liveclient.Message {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		m, ok := c.Next(time.Until(deadline))
		if !ok {
			break
		}
		if m.Type == typ && m.Topic == topic {
			return m
		}
	}
	t.Fatalf("no %s on %s within 5s", typ, topic)
	return liveclient.Message{}
}

// twoInstances starts two servers on one Postgres schema, joined by Redis.
func twoInstances(t *testing.T, redisURL string) (a, b *servertest.App) {
	t.Helper()
	return twoInstancesOn(t, storetest.Postgres, redisURL)
}

// TestLiveReplyCrossesInstances: a member connected to instance A sees,
// once, the reply a business posts through instance B.
func TestLiveReplyCrossesInstances(t *testing.T) {
	t.Parallel()
	a, b := twoInstances(t, servertest.RedisURL())
	f := newLiveFixture(t, a, "record")
	bizOnB := b.Client()
	bizOnB.SignIn("biz@x.example")

	c := servertest.Live(t, f.del.BrowserHeader(), a)
	topic := fmt.Sprintf("thread:%d", f.thread)
	if err := c.Subscribe(topic, nil); err != nil {
		t.Fatal(err)
	}
	expect(t, c, "subscribed", topic)

	want := map[int64]bool{}
	for i := range 5 {
		want[reply(t, bizOnB, f.thread, fmt.Sprintf("Reply %d from Montevideo.", i))] = true
	}
	got := map[int64]int{}
	for len(got) < len(want) {
		m := expect(t, c, "post.created", topic)
		var p struct {
			ID     int64
			Body   string
			Author struct{ Name string }
		}
		if err := json.Unmarshal(m.Data, &p); err != nil {
			t.Fatal(err)
		}
		if !want[p.ID] || !strings.HasPrefix(p.Body, "Reply ") || p.Author.Name != "Test biz" {
			t.Fatalf("unexpected post: %s", m.Data)
		}
		got[p.ID]++
	}
	// Anything more would be a duplicate: the reply also came back through Redis to B.
	for {
		m, ok := c.Next(700 * time.Millisecond)
		if !ok {
			break
		}
		if m.Type == "post.created" {
			t.Fatalf("post delivered twice: %s", m.Data)
		}
	}
	// A measured how long B's messages took through Redis (B's own are not counted at B).
	lagCount := regexp.MustCompile(`(?m)^ideasx_live_broker_lag_seconds_count (\d+)$`)
	if m := lagCount.FindStringSubmatch(a.Client().Get("/metrics").Body); m == nil || m[1] == "0" {
		t.Errorf("instance A's broker lag: %v, want the replies from B counted", m)
	}
}

func discardLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// TestLiveRefusesWhoMayNotRead: the forum's topics are refused to a
// visitor and a pending account; a browser upgrade from another site, or a
// cookie client without Origin, is refused outright.
func TestLiveRefusesWhoMayNotRead(t *testing.T) {
	t.Parallel()
	app := servertest.New(t, storetest.SQLite, nil)
	f := newLiveFixture(t, app, "record")
	app.CreateUser("pending@x.example", store.RolePending, "Someone", store.OrgBusiness)
	pending := app.Client()
	pending.SignIn("pending@x.example")
	visitor := app.Client()
	topics := []string{fmt.Sprintf("thread:%d", f.thread), "forum", fmt.Sprintf("theme:%d", themeID(t, app)), fmt.Sprintf("user:%d", f.delUsr.ID)}
	for name, cl := range map[string]*servertest.Client{"visitor": visitor, "pending": pending} {
		c := servertest.Live(t, cl.BrowserHeader(), app)
		if name == "visitor" {
			// A visitor has no topic of their own: nothing comes unasked.
			if m, ok := c.Next(300 * time.Millisecond); ok {
				t.Errorf("a visitor's connection got %s %s unasked", m.Type, m.Topic)
			}
		}
		for _, topic := range topics {
			_ = c.Subscribe(topic, nil)
			if m := expect(t, c, "error", topic); m.Code != "forbidden" {
				t.Errorf("%s on %s: got code %q, want forbidden", name, topic, m.Code)
			}
		}
		_ = c.Subscribe("documents", nil)
		expect(t, c, "subscribed", "documents")
	}

	dial := func(h http.Header) int {
		conn, resp, err := websocket.DefaultDialer.Dial(app.WSURL(), h)
		if err == nil {
			conn.Close()
			return http.StatusSwitchingProtocols
		}
		if resp == nil {
			t.Fatalf("dial: %v", err)
		}
		return resp.StatusCode
	}
	cross := f.del.BrowserHeader()
	cross.Set("Origin", "https://evil.example")
	if got := dial(cross); got != http.StatusForbidden {
		t.Errorf("cross-origin upgrade: got %d, want 403", got)
	}
	noOrigin := f.del.BrowserHeader()
	noOrigin.Del("Origin")
	if got := dial(noOrigin); got != http.StatusForbidden {
		t.Errorf("cookie upgrade without Origin: got %d, want 403", got)
	}
	token := createToken(t, f.del)
	if got := dial(http.Header{"Authorization": {"Bearer " + token}}); got != http.StatusSwitchingProtocols {
		t.Errorf("token upgrade without Origin: got %d, want 101", got)
	}
}

// TestLiveSuspensionEndsTheConnection: a member suspended while connected
// gets no further event and is disconnected within 5 seconds.
func TestLiveSuspensionEndsTheConnection(t *testing.T) {
	t.Parallel()
	app := servertest.New(t, storetest.SQLite, nil)
	f := newLiveFixture(t, app, "record")
	c := servertest.Live(t, f.del.BrowserHeader(), app)
	topic := fmt.Sprintf("thread:%d", f.thread)
	_ = c.Subscribe(topic, nil)
	expect(t, c, "subscribed", topic)
	if err := app.Store.SetStatus(context.Background(), f.modUser.ID, f.delUsr.ID, store.StatusSuspended); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	reply(t, f.biz, f.thread, "Said after the suspension.")
	for time.Since(start) < 5*time.Second && len(c.CloseCodes()) == 0 {
		if m, _ := c.Next(100 * time.Millisecond); m.Type == "post.created" {
			t.Fatalf("a suspended member still received %s", m.Data)
		}
	}
	if len(c.CloseCodes()) == 0 {
		t.Fatal("connection still open 5 seconds after the suspension")
	}
	// Back as a visitor, the client is refused the thread it followed.
	if m := expect(t, c, "error", topic); m.Code != "forbidden" {
		t.Errorf("after reconnecting: got %q, want forbidden", m.Code)
	}
}

// TestLiveCatchUp: a client that comes back with the last seq it saw gets
// what it missed, in order, then live events; one too far behind is told
// to reload.
func TestLiveCatchUp(t *testing.T) {
	t.Parallel()
	forEachEngine(t, func(t *testing.T, app *servertest.App) {
		f := newLiveFixture(t, app, "record")
		topic := fmt.Sprintf("thread:%d", f.thread)
		since, err := app.Store.TopicSeq(context.Background(), topic)
		if err != nil {
			t.Fatal(err)
		}
		var missed []int64
		for i := range 3 {
			missed = append(missed, reply(t, f.biz, f.thread, fmt.Sprintf("Missed %d", i)))
		}
		c := servertest.Live(t, f.del.BrowserHeader(), app)
		_ = c.Subscribe(topic, &since)
		expect(t, c, "subscribed", topic)
		last := since
		for _, id := range missed {
			m := expect(t, c, "post.created", topic)
			var p struct{ ID int64 }
			_ = json.Unmarshal(m.Data, &p)
			if p.ID != id || m.Seq <= last {
				t.Fatalf("replay out of order: post %d seq %d after %d, want post %d", p.ID, m.Seq, last, id)
			}
			last = m.Seq
		}
		live := reply(t, f.biz, f.thread, "Live again")
		m := expect(t, c, "post.created", topic)
		if !strings.Contains(string(m.Data), fmt.Sprintf(`"id":%d`, live)) {
			t.Fatalf("live event after replay: %s", m.Data)
		}

		app.Store.SetClock(func() time.Time { return time.Now().Add(60 * 24 * time.Hour) })
		if _, err := app.Store.PurgeEvents(context.Background(), 30*24*time.Hour); err != nil {
			t.Fatal(err)
		}
		app.Store.SetClock(time.Now)
		old := servertest.Live(t, f.del.BrowserHeader(), app)
		_ = old.Subscribe(topic, &since)
		expect(t, old, "reset", topic)
	})
}

// TestLiveChathamHouse: under the Chatham House rule a member's live
// events name no one; the moderator's do.
func TestLiveChathamHouse(t *testing.T) {
	t.Parallel()
	app := servertest.New(t, storetest.SQLite, nil)
	f := newLiveFixture(t, app, "chatham")
	topic := fmt.Sprintf("thread:%d", f.thread)
	app.CreateUser("other@x.example", store.RoleMember, "Delegation of Kenya", store.OrgMember)
	other := app.Client()
	other.SignIn("other@x.example")
	member := servertest.Live(t, other.BrowserHeader(), app)
	mod := servertest.Live(t, f.mod.BrowserHeader(), app)
	for _, c := range []*liveclient.Client{member, mod} {
		_ = c.Subscribe(topic, nil)
		expect(t, c, "subscribed", topic)
	}
	reply(t, f.del, f.thread, "Our customs publish a list.")
	forMember := expect(t, member, "post.created", topic)
	for _, name := range []string{"Test del", "Delegation of Chile", "Test biz", "Andes"} {
		if strings.Contains(string(forMember.Data), name) {
			t.Errorf("a member's live event names %q: %s", name, forMember.Data)
		}
	}
	if m := expect(t, mod, "post.created", topic); !strings.Contains(string(m.Data), "Delegation of Chile") {
		t.Errorf("the moderator's live event lacks the name: %s", m.Data)
	}
	metrics := app.Client().Get("/metrics").Body
	for _, line := range []string{"ideasx_ws_connections 2", "ideasx_ws_subscriptions 4", "ideasx_ws_messages_sent_total", "ideasx_mail_outbox_pending"} {
		if !strings.Contains(metrics, line) {
			t.Errorf("/metrics lacks %q", line)
		}
	}
}

func createToken(t *testing.T, c *servertest.Client) string {
	t.Helper()
	page := c.Post("/account/tokens", url.Values{"token_name": {"live client"}})
	token := regexp.MustCompile(`ixp_[A-Za-z0-9_-]{43}`).FindString(page.Body)
	if token == "" {
		t.Fatalf("no token on the page (status %d)", page.Status)
	}
	return token
}

// TestLivePresenceAndTyping: two people on one thread through different
// instances see each other, and one sees the other typing; under the
// Chatham House rule a member learns only the kind of organisation.
func TestLivePresenceAndTyping(t *testing.T) {
	t.Parallel()
	for _, mode := range []string{"record", "chatham"} {
		t.Run(mode, func(t *testing.T) {
			a, b := twoInstances(t, servertest.RedisURL())
			f := newLiveFixture(t, a, mode)
			bizB := b.Client()
			bizB.SignIn("biz@x.example")
			topic := fmt.Sprintf("thread:%d", f.thread)
			del := servertest.Live(t, f.del.BrowserHeader(), a)
			biz := servertest.Live(t, bizB.BrowserHeader(), b)
			for _, c := range []*liveclient.Client{del, biz} {
				_ = c.Subscribe(topic, nil)
			}
			for _, c := range []*liveclient.Client{del, biz} {
				for {
					m := expect(t, c, "presence", topic)
					var p struct{ Count int }
					_ = json.Unmarshal(m.Data, &p)
					if p.Count == 2 {
						break
					}
				}
			}
			if err := del.Send(nil, map[string]string{"type": "typing", "topic": topic}); err != nil {
				t.Fatal(err)
			}
			m := expect(t, biz, "typing", topic)
			named := strings.Contains(string(m.Data), "Test del")
			if mode == "record" && !named {
				t.Errorf("typing on the record lacks the name: %s", m.Data)
			}
			if mode == "chatham" && (named || strings.Contains(string(m.Data), "Chile") || !strings.Contains(string(m.Data), `"organisation_kind":"member"`)) {
				t.Errorf("typing under Chatham House: %s", m.Data)
			}
		})
	}
}

// TestLiveDocuments: the library's topic is open to visitors, who hear of
// public documents only; members also hear of members-only ones.
func TestLiveDocuments(t *testing.T) {
	t.Parallel()
	app := servertest.New(t, storetest.SQLite, nil)
	f := newLiveFixture(t, app, "record")
	visitor := servertest.Live(t, app.Client().BrowserHeader(), app)
	member := servertest.Live(t, f.del.BrowserHeader(), app)
	for _, c := range []*liveclient.Client{visitor, member} {
		_ = c.Subscribe("documents", nil)
		expect(t, c, "subscribed", "documents")
	}
	save := func(title string, vis store.Visibility) {
		d := &store.Document{Title: title, DocDate: time.Now(), Visibility: vis, Status: store.Published}
		if err := app.Store.SaveDocument(context.Background(), f.modUser.ID, d); err != nil {
			t.Fatal(err)
		}
	}
	save("Members-only minutes", store.MembersOnly)
	save("Public programme", store.Public)
	if m := expect(t, member, "document.updated", "documents"); !strings.Contains(string(m.Data), "Members-only minutes") {
		t.Errorf("member's first document event: %s", m.Data)
	}
	m := expect(t, visitor, "document.updated", "documents")
	if !strings.Contains(string(m.Data), "Public programme") {
		t.Errorf("visitor's first document event should be the public one: %s", m.Data)
	}
}

// TestLiveNotificationBadge: a mention reaches the mentioned person's own
// topic at once with their unread count, and nobody else's.
func TestLiveNotificationBadge(t *testing.T) {
	t.Parallel()
	app := servertest.New(t, storetest.SQLite, nil)
	f := newLiveFixture(t, app, "record")
	biz := servertest.Live(t, f.biz.BrowserHeader(), app)
	mod := servertest.Live(t, f.mod.BrowserHeader(), app)
	own := fmt.Sprintf("user:%d", f.bizUser.ID)
	expect(t, biz, "subscribed", own)
	reply(t, f.del, f.thread, "@"+f.bizUser.Handle+" please look")
	m := expect(t, biz, "notification", own)
	if !strings.Contains(string(m.Data), `"unread":1`) || !strings.Contains(string(m.Data), `"kind":"mention"`) {
		t.Errorf("notification event: %s", m.Data)
	}
	for {
		m, ok := mod.Next(500 * time.Millisecond)
		if !ok {
			break
		}
		if m.Topic == own {
			t.Fatalf("another person received %s", m.Type)
		}
	}
}
