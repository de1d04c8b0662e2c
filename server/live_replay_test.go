package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"ideasx/server/live"
	"ideasx/server/live/liveclient"
	"ideasx/server/servertest"
	"ideasx/store"
	"ideasx/store/storetest"
)

// TestLiveReplayShowsNow: an event rendered and delivered before a change
// is replayed, to a client that subscribes afterwards with since 0, as the
// reader may see its object now — on the instance that rendered it and on
// the other. Each change below happens after both instances have delivered
// (and so rendered) the events it concerns.
func TestLiveReplayShowsNow(t *testing.T) {
	t.Parallel()
	for _, e := range storetest.Engines {
		t.Run(string(e), func(t *testing.T) {
			t.Parallel()
			testReplayShowsNow(t, e)
		})
	}
}

func testReplayShowsNow(t *testing.T, e storetest.Engine) {
	ctx := context.Background()
	a, b := twoInstancesOn(t, e, servertest.RedisURL())
	f := newLiveFixture(t, a, "record")
	theme := themeID(t, a)
	signedIn := func(email string, role store.Role, org string, kind store.OrgKind) (*store.User, *servertest.Client) {
		u := a.CreateUser(email, role, org, kind)
		c := a.Client()
		c.SignIn(email)
		return u, c
	}
	_, reader := signedIn("reader@x.example", store.RoleMember, "Delegation of Peru", store.OrgMember)
	demotedUser, demoted := signedIn("demoted@x.example", store.RoleMember, "Delegation of Fiji", store.OrgMember)
	suspendedUser, suspended := signedIn("suspended@x.example", store.RoleBusiness, "Suva Traders", store.OrgBusiness)
	speaker, chatham := signedIn("speaker@x.example", store.RoleBusiness, "SECRET-ORG Pacific Freight", store.OrgBusiness)
	if err := a.Store.UpdateProfile(ctx, speaker.ID, "SECRET-NAME Ana Speaker", "en"); err != nil {
		t.Fatal(err)
	}

	posts := newThread(t, f.biz, theme, "Warehouse receipts as collateral", "record")
	withNames := newThread(t, chatham, theme, "Freight insurance for small shippers", "record")
	toHide := newThread(t, f.biz, theme, "SECRET-HIDDEN-THREAD customs brokers", "record")

	// A moderator on each instance follows every topic from the start:
	// each event is delivered, so rendered, on both before it changes.
	threadTopic := func(id int64) string { return fmt.Sprintf("thread:%d", id) }
	themeTopic := fmt.Sprintf("theme:%d", theme)
	topics := []string{threadTopic(posts), threadTopic(withNames), "forum", themeTopic, "documents"}
	var watchers []*transcript
	for _, app := range []*servertest.App{a, b} {
		w := newTranscript(t, app, f.mod.BrowserHeader())
		for _, topic := range topics {
			zero := int64(0)
			_ = w.c.Subscribe(topic, &zero)
		}
		watchers = append(watchers, w)
	}
	seen := func(topic, text string) {
		t.Helper()
		for _, w := range watchers {
			w.waitFor(t, topic, text)
		}
	}

	hidden := reply(t, f.del, posts, "SECRET-HIDDEN-POST the broker asked for a fee.")
	deleted := reply(t, f.del, posts, "SECRET-DELETED-POST our bank refused.")
	edited := reply(t, f.del, posts, "SECRET-EDITED-OUT a name we should not have written.")
	reply(t, chatham, withNames, "Premiums doubled since March.")
	doc := func(title string) int64 {
		d := &store.Document{Title: title, DocDate: time.Now(), Visibility: store.Public, Status: store.Published}
		if err := a.Store.SaveDocument(ctx, f.modUser.ID, d); err != nil {
			t.Fatal(err)
		}
		return d.ID
	}
	restricted, archived, unpublished := doc("SECRET-DOC-RESTRICTED tariff study"), doc("SECRET-DOC-ARCHIVED programme"), doc("SECRET-DOC-UNPUBLISHED notes")
	membersOnly := &store.Document{Title: "SECRET-DOC-MEMBERS minutes", DocDate: time.Now(), Visibility: store.MembersOnly, Status: store.Published}
	if err := a.Store.SaveDocument(ctx, f.modUser.ID, membersOnly); err != nil {
		t.Fatal(err)
	}
	seen(threadTopic(posts), "SECRET-EDITED-OUT")
	seen(threadTopic(withNames), "Premiums doubled")
	seen("forum", "SECRET-HIDDEN-THREAD")
	seen(themeTopic, "SECRET-HIDDEN-THREAD")
	seen("documents", "SECRET-DOC-MEMBERS")

	// The changes, through the API as people make them, and the store for the library.
	api := func(c *servertest.Client, method, path, body string) {
		t.Helper()
		if r := c.Do(method, path, strings.NewReader(body), "application/json"); r.Status >= 300 {
			t.Fatalf("%s %s: %d %s", method, path, r.Status, r.Body)
		}
	}
	api(f.mod, "POST", fmt.Sprintf("/api/v1/posts/%d/hide", hidden), `{}`)
	api(f.del, "DELETE", fmt.Sprintf("/api/v1/posts/%d", deleted), ``)
	api(f.del, "PATCH", fmt.Sprintf("/api/v1/posts/%d", edited), `{"body":"A name we now leave out."}`)
	api(f.mod, "POST", fmt.Sprintf("/api/v1/threads/%d/switch", toHide), `{"switch":"hidden","on":true}`)
	api(f.mod, "POST", fmt.Sprintf("/api/v1/threads/%d/attribution", withNames), `{"attribution":"chatham"}`)
	d, err := a.Store.DocumentByID(ctx, restricted, store.Access{Members: true, Curator: true})
	if err != nil {
		t.Fatal(err)
	}
	d.Visibility = store.MembersOnly
	if err := a.Store.SaveDocument(ctx, f.modUser.ID, d); err != nil {
		t.Fatal(err)
	}
	for id, status := range map[int64]store.DocStatus{archived: store.Archived, unpublished: store.Draft} {
		if err := a.Store.SetDocumentStatus(ctx, f.modUser.ID, id, status); err != nil {
			t.Fatal(err)
		}
	}
	if err := a.Store.SetRole(ctx, f.modUser.ID, demotedUser.ID, store.RoleVisitor); err != nil {
		t.Fatal(err)
	}
	if err := a.Store.SetStatus(ctx, f.modUser.ID, suspendedUser.ID, store.StatusSuspended); err != nil {
		t.Fatal(err)
	}

	// Markers: one visible event at the end of each topic, so that a
	// replay read up to it has been read whole.
	reply(t, f.del, posts, "MARK-POSTS")
	reply(t, chatham, withNames, "MARK-NAMES")
	newThread(t, f.biz, theme, "MARK-FORUM", "record")
	doc("MARK-DOCS")

	libraryForVisitors := []string{"SECRET-DOC-RESTRICTED", "SECRET-DOC-ARCHIVED", "SECRET-DOC-UNPUBLISHED", "SECRET-DOC-MEMBERS"}
	forumSecrets := []string{"SECRET-HIDDEN-POST", "SECRET-DELETED-POST", "SECRET-EDITED-OUT", "SECRET-HIDDEN-THREAD", "SECRET-NAME", "SECRET-ORG"}
	for _, app := range []*servertest.App{a, b} {
		name := "instance A"
		if app == b {
			name = "instance B"
		}
		t.Run(name, func(t *testing.T) {
			member := replayer(t, app, reader.BrowserHeader())
			for topic, mark := range map[string]string{threadTopic(posts): "MARK-POSTS", threadTopic(withNames): "MARK-NAMES", "forum": "MARK-FORUM", themeTopic: "MARK-FORUM"} {
				assertReplay(t, member, "member", topic, mark, forumSecrets)
			}
			got := assertReplay(t, member, "member", "documents", "MARK-DOCS", []string{"SECRET-DOC-ARCHIVED", "SECRET-DOC-UNPUBLISHED"})
			if !strings.Contains(got, "SECRET-DOC-RESTRICTED") {
				t.Errorf("a member's replay lacks the document restricted to members")
			}
			assertForbidden(t, member, threadTopic(toHide))

			// Moderators still see who wrote what and what was hidden.
			mod := replayer(t, app, f.mod.BrowserHeader())
			if got := assertReplay(t, mod, "moderator", threadTopic(withNames), "MARK-NAMES", nil); !strings.Contains(got, "SECRET-NAME") {
				t.Errorf("the moderator's replay lacks the Chatham House speaker's name: %s", got)
			}
			if got := assertReplay(t, mod, "moderator", threadTopic(posts), "MARK-POSTS", nil); !strings.Contains(got, "SECRET-HIDDEN-POST") {
				t.Errorf("the moderator's replay lacks the hidden post")
			}

			for who, h := range map[string]http.Header{"visitor": app.Client().BrowserHeader(), "demoted": demoted.BrowserHeader(), "suspended": suspended.BrowserHeader()} {
				c := replayer(t, app, h)
				assertReplay(t, c, who, "documents", "MARK-DOCS", libraryForVisitors)
				for _, topic := range []string{threadTopic(posts), threadTopic(withNames), "forum", themeTopic} {
					assertForbidden(t, c, topic)
				}
			}
		})
	}
}

// twoInstancesOn starts two servers on one database of engine e, joined by
// Redis, as behind a load balancer.
func twoInstancesOn(t *testing.T, e storetest.Engine, redisURL string) (a, b *servertest.App) {
	t.Helper()
	opts := storetest.Options(t, e)
	channel := fmt.Sprintf("ideasx-test:%d", time.Now().UnixNano())
	env := map[string]string{"IDEASX_LIVE_POLL": "1s"}
	apps := make([]*servertest.App, 2)
	for i := range apps {
		st := storetest.OpenOptions(t, opts)
		rdb := servertest.Redis(t, redisURL)
		apps[i] = servertest.NewInstance(t, st, env, live.NewRedisBroker(rdb, channel, discardLog()))
		// A browser's Origin is the same whichever instance it reaches.
		env["IDEASX_BASE_URL"] = apps[0].URL
	}
	return apps[0], apps[1]
}

func newThread(t *testing.T, c *servertest.Client, theme int64, title, attribution string) int64 {
	t.Helper()
	r := c.Do("POST", "/api/v1/threads", strings.NewReader(fmt.Sprintf(
		`{"theme_id":%d,"kind":"discussion","title":%q,"body":"What have others seen?","attribution":%q}`, theme, title, attribution)), "application/json")
	if r.Status != http.StatusCreated {
		t.Fatalf("create thread %q: %d %s", title, r.Status, r.Body)
	}
	var th struct{ ID int64 }
	_ = json.Unmarshal([]byte(r.Body), &th)
	return th.ID
}

// transcript is a connection that keeps every message it is sent.
type transcript struct {
	c    *liveclient.Client
	mu   sync.Mutex
	msgs []liveclient.Message
}

func newTranscript(t *testing.T, app *servertest.App, h http.Header) *transcript {
	t.Helper()
	tr := &transcript{}
	c, _, err := liveclient.Dial(context.Background(), liveclient.Dialer{URLs: []string{app.WSURL()}, Header: h,
		OnMessage: func(m liveclient.Message) {
			tr.mu.Lock()
			tr.msgs = append(tr.msgs, m)
			tr.mu.Unlock()
		}})
	if err != nil {
		t.Fatalf("live dial: %v", err)
	}
	t.Cleanup(c.Close)
	tr.c = c
	return tr
}

// waitFor waits until a message on topic contains text.
func (tr *transcript) waitFor(t *testing.T, topic, text string) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		tr.mu.Lock()
		found := slices.ContainsFunc(tr.msgs, func(m liveclient.Message) bool {
			return m.Topic == topic && strings.Contains(string(m.Data), text)
		})
		tr.mu.Unlock()
		if found {
			return
		}
	}
	t.Fatalf("no message on %s with %q within 10s", topic, text)
}

// replayer is a new connection that does not reconnect: whatever it is
// sent comes from one subscription.
func replayer(t *testing.T, app *servertest.App, h http.Header) *liveclient.Client {
	t.Helper()
	c, resp, err := liveclient.Dial(context.Background(), liveclient.Dialer{URLs: []string{app.WSURL()}, Header: h})
	if err != nil {
		status := 0
		if resp != nil {
			status = resp.StatusCode
		}
		t.Fatalf("live dial: %v (status %d)", err, status)
	}
	t.Cleanup(c.Close)
	return c
}

// assertReplay subscribes c to topic from the start, reads up to the
// message that carries mark (the topic's last), fails on any message that
// carries one of secrets, and returns everything read.
func assertReplay(t *testing.T, c *liveclient.Client, who, topic, mark string, secrets []string) string {
	t.Helper()
	zero := int64(0)
	if err := c.Subscribe(topic, &zero); err != nil {
		t.Fatal(err)
	}
	var all strings.Builder
	deadline := time.Now().Add(10 * time.Second)
	for {
		m, ok := c.Next(time.Until(deadline))
		if !ok {
			t.Fatalf("%s on %s: no message with %q within 10s", who, topic, mark)
		}
		if m.Topic != topic {
			continue
		}
		if m.Type == "error" || m.Type == "reset" {
			t.Fatalf("%s on %s: %s %s", who, topic, m.Type, m.Message)
		}
		for _, s := range secrets {
			if strings.Contains(string(m.Data), s) {
				t.Errorf("%s replayed on %s: %s (seq %d) shows %q: %s", who, topic, m.Type, m.Seq, s, m.Data)
			}
		}
		all.Write(m.Data)
		if strings.Contains(string(m.Data), mark) {
			return all.String()
		}
	}
}

// assertForbidden checks that c may not follow topic.
func assertForbidden(t *testing.T, c *liveclient.Client, topic string) {
	t.Helper()
	zero := int64(0)
	if err := c.Subscribe(topic, &zero); err != nil {
		t.Fatal(err)
	}
	for {
		m, ok := c.Next(5 * time.Second)
		if !ok {
			t.Fatalf("no answer to subscribing to %s", topic)
		}
		if m.Topic != topic {
			continue
		}
		if m.Type != "error" || m.Code != "forbidden" {
			t.Fatalf("subscribing to %s: got %s %s, want error forbidden", topic, m.Type, m.Data)
		}
		return
	}
}

// TestLiveReplayOfNotificationsFollowsRights: a moderator demoted after
// hearing of a flag no longer hears of it when their own topic is replayed
// from the start; what they may still see is replayed.
func TestLiveReplayOfNotificationsFollowsRights(t *testing.T) {
	t.Parallel()
	forEachEngine(t, func(t *testing.T, app *servertest.App) {
		f := newLiveFixture(t, app, "record")
		own := fmt.Sprintf("user:%d", f.modUser.ID)
		before := newTranscript(t, app, f.mod.BrowserHeader())
		post := reply(t, f.biz, f.thread, "Our broker charged twice.")
		if r := f.del.Do("POST", fmt.Sprintf("/api/v1/posts/%d/flags", post), strings.NewReader(`{"reason":"spam"}`), "application/json"); r.Status >= 300 {
			t.Fatalf("flag: %d %s", r.Status, r.Body)
		}
		before.waitFor(t, own, `"kind":"new_flag"`)

		if err := app.Store.SetRole(context.Background(), f.modUser.ID, f.modUser.ID, store.RoleMember); err != nil {
			t.Fatal(err)
		}
		reply(t, f.del, f.thread, "@"+f.modUser.Handle+" could the secretariat look?")

		after := replayer(t, app, f.mod.BrowserHeader())
		assertReplay(t, after, "demoted moderator", own, `"kind":"mention"`, []string{"new_flag"})
	})
}
