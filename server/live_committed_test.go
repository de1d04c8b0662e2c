package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"ideasx/server/live/liveclient"
	"ideasx/server/servertest"
)

// TestLiveReplyLooksTheSameLiveAndReplayed: a new reply reaches its readers
// as its transaction committed it (drawn without reading it back, on the
// instance that took it and, through Redis, on the other), and a reader
// who catches up later is drawn it from the database. Each kind of reader
// (member, author, moderator) must see the same reply both ways, a picture
// with its preview included, under the Chatham House rule where the
// attribution differs most between them.
func TestLiveReplyLooksTheSameLiveAndReplayed(t *testing.T) {
	t.Parallel()
	a, b := twoInstances(t, servertest.RedisURL())
	f := newLiveFixture(t, a, "chatham")
	topic := fmt.Sprintf("thread:%d", f.thread)
	// Each kind of reader follows on both instances.
	type reader struct {
		name   string
		client *servertest.Client
	}
	readers := []reader{{"member", f.biz}, {"author", f.del}, {"moderator", f.mod}}
	live := map[string]*liveclient.Client{}
	for _, r := range readers {
		for _, app := range []*servertest.App{a, b} {
			c := servertest.Live(t, r.client.BrowserHeader(), app)
			if err := c.Subscribe(topic, nil); err != nil {
				t.Fatal(err)
			}
			expect(t, c, "subscribed", topic)
			live[r.name+"@"+map[*servertest.App]string{a: "A", b: "B"}[app]] = c
		}
	}
	first, err := a.Store.TopicSeq(context.Background(), topic)
	if err != nil {
		t.Fatal(err)
	}

	// The delegate replies on A: plain text, then with a picture (whose
	// post the other instance reads from the database).
	replyWithPicture := func() int64 {
		up := postMultipart(f.del, "/api/v1/attachments", nil, fileField{"file", "queue.png", testPNG(t)})
		var out struct{ Attachments []struct{ ID int64 } }
		if err := json.Unmarshal([]byte(up.Body), &out); err != nil || len(out.Attachments) != 1 {
			t.Fatalf("upload: %d %s", up.Status, up.Body)
		}
		r := f.del.Do("POST", fmt.Sprintf("/api/v1/threads/%d/posts", f.thread),
			strings.NewReader(fmt.Sprintf(`{"body":"The queue at the border, this morning.","attachments":[%d]}`, out.Attachments[0].ID)), "application/json")
		if r.Status != http.StatusCreated {
			t.Fatalf("reply with a picture: %d %s", r.Status, r.Body)
		}
		var p struct{ ID int64 }
		_ = json.Unmarshal([]byte(r.Body), &p)
		return p.ID
	}
	ids := []int64{reply(t, f.del, f.thread, "Our customs publish a **list** of [forms](https://example.org/forms)."), replyWithPicture()}

	seen := map[string]map[int64]string{}
	for name, c := range live {
		seen[name] = map[int64]string{}
		for range ids {
			m := expect(t, c, "post.created", topic)
			var p struct{ ID int64 }
			_ = json.Unmarshal(m.Data, &p)
			seen[name][p.ID] = string(m.Data)
		}
	}
	// Another reply moves the thread on, so that what follows is drawn
	// afresh from the database rather than kept from the live sending.
	reply(t, f.biz, f.thread, "Thank you.")
	for _, r := range readers {
		for _, app := range []*servertest.App{a, b} {
			late := servertest.Live(t, r.client.BrowserHeader(), app)
			from := first
			if err := late.Subscribe(topic, &from); err != nil {
				t.Fatal(err)
			}
			expect(t, late, "subscribed", topic)
			for _, id := range ids {
				m := expect(t, late, "post.created", topic)
				where := map[*servertest.App]string{a: "A", b: "B"}[app]
				if got, want := string(m.Data), seen[r.name+"@"+where][id]; got != want {
					t.Errorf("%s on %s, post %d:\nreplayed %s\nlive     %s", r.name, where, id, got, want)
				}
				if got, other := string(m.Data), seen[r.name+"@A"][id]; got != other {
					t.Errorf("%s, post %d: A sent %s, B sent %s", r.name, id, other, got)
				}
			}
		}
	}
	if member, mod := seen["member@B"][ids[0]], seen["moderator@B"][ids[0]]; strings.Contains(member, "Delegation of Chile") || !strings.Contains(mod, "Delegation of Chile") {
		t.Errorf("under the Chatham House rule only the moderator learns who wrote:\nmember    %s\nmoderator %s", member, mod)
	}
	if pic := seen["member@B"][ids[1]]; !strings.Contains(pic, `"preview_url"`) {
		t.Errorf("the picture's reply lacks its preview: %s", pic)
	}
}
